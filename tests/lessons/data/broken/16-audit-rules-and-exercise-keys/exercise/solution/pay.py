def pay(exercise):
    pass
