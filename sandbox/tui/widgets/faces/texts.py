"""The phone's text messages, as a notification over the app on screen.

A one-time code reaches the buyer by SMS while she is in Klip: her phone shows it on top of the
app, as phones do, and she types the code in the checkout. A text is not an API call (the
telephone network carries it), so it never appears on the map or in a trace; the face reads it
from the sender's records (`PhoneClient`). Its words come from the bank: never read as markup,
and said in the UI's language when that is not the bank's Indonesian (`sms_words.py`). A click
(or a new order) puts the notification away.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.widgets import Static

from sandbox.runtime.models import Sms
from sandbox.tui.i18n import _, ngettext
from sandbox.tui.widgets.faces.face import text, title_of
from sandbox.tui.widgets.faces.sms_words import in_ui_language


class PhoneTexts(Static):
    """The newest text on her phone, over the app, until she puts it away."""

    DEFAULT_CSS = """
    PhoneTexts {
        dock: top; height: auto; max-height: 6; padding: 0 1; display: none;
        background: $warning-muted; color: $text; border-bottom: hkey $warning;
        &.-shown { display: block; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.texts: tuple[Sms, ...] = ()
        """Every text on her phone, oldest first, as last read."""
        self._seen: int | None = None
        """How many of them she had already been shown (None: the phone was never read)."""

    def take(self, texts: Sequence[Sms]) -> Sms | None:
        """Her phone's texts as read now; shows the newest if it is new; returns it then.

        The first reading only counts them: texts from before the app opened are old news.
        """
        self.texts = tuple(texts)
        if self._seen is None:
            self._seen = len(self.texts)
            return None
        if len(self.texts) <= self._seen:
            if len(self.texts) < self._seen:  # a reset world emptied her phone
                self._seen = len(self.texts)
            return None
        self._seen = len(self.texts)
        newest = self.texts[-1]
        count = ngettext("{count} message", "{count} messages", len(self.texts)).format(
            count=len(self.texts)
        )
        translated = in_ui_language(newest.sender, newest.text)
        if translated is None:
            head = text(
                _("[b]✉ SMS from {sender}[/b] · {count}"),
                sender=title_of(newest.sender),
                count=count,
            )
        else:  # the bank wrote Indonesian; her phone face says it in the UI's language
            head = text(
                _("[b]✉ SMS from {sender}[/b] · {count} · translated from Indonesian"),
                sender=title_of(newest.sender),
                count=count,
            )
        words = newest.text if translated is None else translated
        self.update(Content.assemble(head, "\n", Content(words[:400])))
        self.add_class("-shown")
        return newest

    def put_away(self) -> None:
        """Hide the notification (the texts stay on her phone)."""
        self.remove_class("-shown")

    def forget(self) -> None:
        """A reset world: her phone starts empty again."""
        self.texts, self._seen = (), 0
        self.put_away()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.put_away()
