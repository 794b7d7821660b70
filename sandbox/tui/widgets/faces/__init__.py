"""App faces: the apps people use, each drawn as a small screen that makes real calls.

- `face`: what every face shares: the frame (`Face`), the one-line `Notice`, and how a face
  writes its texts (markup filled with escaped values, rupiah, counts, times).
- `social`: Klip, the short-video app, with the marketplace's checkout inside it (`SocialFace`).
- `checkout`: that checkout page (`CheckoutView`): Pay with Bank Contoh (bind once with the
  texted code, then debit) or Pay by virtual account (the jump to the bank app).
- `texts`: the phone's SMS notification over the app (`PhoneTexts`): the bank's codes.
- `bank`: Bank Contoh's mobile app (`BankFace`).
- `desk`: RSUD Sukamaju's reception desk (`DeskFace`).
- `ikd`: the person's IKD app, where she answers consent requests (`IkdFace`).
"""

from sandbox.tui.widgets.faces.bank import BankFace
from sandbox.tui.widgets.faces.desk import DeskFace
from sandbox.tui.widgets.faces.face import Face, Notice
from sandbox.tui.widgets.faces.ikd import IkdFace
from sandbox.tui.widgets.faces.social import SocialFace

__all__ = ["BankFace", "DeskFace", "Face", "IkdFace", "Notice", "SocialFace"]
