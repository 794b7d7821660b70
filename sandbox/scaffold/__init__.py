"""`sandbox new`: a working service of your own, and partner credentials for it."""
