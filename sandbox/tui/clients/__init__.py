"""The calls the app faces make, as the people who use those apps.

A face (`sandbox.tui.widgets.faces`) displays and posts messages; the client behind it makes
the HTTP calls as its person, through the `Backend`'s `actor(who)`, and returns plain data:
the JSON objects the institutions answered. A failed call becomes a `FaceError` whose message
is what the face shows in place.

- `client`: `AppClient` (one person, one app: the call and its failure in words), `FaceError`
  and `People`, the part of the `Backend` a client needs.
- `social`: `SocialClient`, Klip's app and the marketplace checkout page it shows inside.
- `checkout`: `CheckoutClient`, paying with Bank Contoh on that checkout page (direct debit),
  and the marketplace's refusals in the UI's words.
- `phone`: `PhoneClient`, the texts on the person's phone (codes, notices; not API calls).
- `bank`: `BankClient`, Bank Contoh's mobile app.
- `desk`: `DeskClient`, the hospital's reception desk.
- `ikd`: `IkdClient`, the person's IKD app at the civil registry (consent requests).
"""

from sandbox.tui.clients.bank import BankClient
from sandbox.tui.clients.checkout import CheckoutClient
from sandbox.tui.clients.client import AppClient, FaceError, People
from sandbox.tui.clients.desk import DeskClient
from sandbox.tui.clients.ikd import IkdClient
from sandbox.tui.clients.phone import PhoneClient
from sandbox.tui.clients.social import SocialClient

__all__ = [
    "AppClient",
    "BankClient",
    "CheckoutClient",
    "DeskClient",
    "FaceError",
    "IkdClient",
    "People",
    "PhoneClient",
    "SocialClient",
]
