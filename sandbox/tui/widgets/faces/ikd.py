"""The person's IKD app (Dukcapil's digital ID app) on her phone: her consent is hers to give.

A partner (the hospital desk, the marketplace, the bank) cannot record her consent itself: it
asks the registry, which puts a request in her IKD app. Here she sees who asks, for what, and
for how long; approves or refuses; and later sees the consents she gave and revokes one. Every
tap is a real call to the registry's `/ikd/v1` endpoints as her, so the trace shows the person,
not an institution, answering.

What a partner wrote (its reason) and every id are words from the wire: shown as `Content`,
never read as markup. The face follows the calls: a partner's new request, or an answer she
gave on another device, brings the lists up to date without a tap, and it asks again when the
apps screen comes back (a request made while it was off). Given `poll`, it also asks by itself
every `poll` seconds while it is on screen, for a trace it cannot follow; the apps screen does
not, since every ask is a call in the class's trace. The asking never overlaps another read,
and stops while the face or the apps screen is hidden.

Who acted is the app she knows: the taps list says "IKD", while the recorded call stays hers
(`patient`) to the registry (`identity`), as the evidence must.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from sandbox.trace.events import HttpCall
from sandbox.tui.clients import FaceError, IkdClient, People
from sandbox.tui.clients.ikd import answered_for, asked_her
from sandbox.tui.i18n import N_, Lazy, _, ngettext
from sandbox.tui.widgets.faces.face import Face, Notice, moment, plain, text, title_of
from sandbox.wire.context import root_span

APP_NAME = "IKD"
"""Identitas Kependudukan Digital: the app's own name, the same in both languages."""
POLL_SECONDS = 4.0
"""How often her app would ask the registry for waiting requests while it is on screen, where
asked to (each ask is one recorded call, her own, in a trace of its own)."""
PURPOSES = {
    "PATIENT_ADMISSION": N_("admission at the hospital"),
    "SELLER_KYC": N_("opening a shop (seller check)"),
    "ACCOUNT_OPENING": N_("opening a bank account"),
}
"""The purposes partners' agreements name, as her app words them (others shown as sent)."""
SCOPES = {
    "identity_verification": N_("check who you are"),
    "health_records": N_("read and add to your health records"),
    "insurance_eligibility": N_("check your insurance"),
}
"""What a consent covers, as her app words it (others shown as sent)."""
STATUSES = {"ACTIVE": N_("active"), "REVOKED": N_("revoked"), "EXPIRED": N_("expired")}
"""A consent's status, in words rather than colour."""


class IkdFace(Face):
    """Her IKD app: requests waiting for her answer, and the consents she gave."""

    HELP = Lazy(
        "The person's IKD app (the national digital ID): approve or refuse the consent "
        "requests institutions send her, and revoke a consent she gave."
    )
    DEFAULT_CSS = """
    IkdFace {
        OptionList { height: auto; max-height: 9; border: none; padding: 0; }
        .face--actions { margin-top: 1; }
        .ikd--empty { color: $text-muted; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "answer(True)",
            Lazy("Approve"),
            id="ikd.approve",
            tooltip=Lazy("Give the highlighted request your consent, for the time shown"),
        ),
        Binding(
            "x",
            "answer(False)",
            Lazy("Refuse"),
            id="ikd.refuse",
            tooltip=Lazy("Refuse the highlighted request"),
        ),
        Binding(
            "v",
            "revoke",
            Lazy("Revoke"),
            id="ikd.revoke",
            tooltip=Lazy("Take the highlighted consent back"),
        ),
        Binding(
            "r",
            "reload",
            Lazy("Refresh IKD"),
            id="ikd.reload",
            show=False,  # the app asks by itself; the footer keeps room at 80 columns
            tooltip=Lazy("Ask the registry for your requests and consents again"),
        ),
    ]
    service = "identity"
    REFRESH_NOTICE = "#ikd-notice"
    TAPPED_IN = APP_NAME

    notice = getters.query_one("#ikd-notice", Notice)
    requests_list = getters.query_one("#ikd-requests", OptionList)
    consents_list = getters.query_one("#ikd-consents", OptionList)

    def __init__(
        self,
        people: People,
        who: str,
        *,
        poll: float | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.app_name = APP_NAME
        self._people = people
        self.client = IkdClient(people, who)
        """Makes the app's calls as her, logged in with her NIK and IKD PIN."""
        self.requests: tuple[dict[str, Any], ...] = ()
        """The consent requests waiting for her answer, as last read."""
        self.consents: tuple[dict[str, Any], ...] = ()
        """The consents she gave, as last read (newest first)."""
        self.opened = False
        """True once the app was on screen: a phone in a pocket makes no calls."""
        self.poll = poll
        """Seconds between asks while the app is on screen (None: never ask by itself)."""
        self._polling: Timer | None = None
        self._hidden = False
        self._away = False

    @property
    def owner(self) -> str:
        """Her name, as the app greets her (the persona's key when the world has no name)."""
        return str(self.client.persona.get("name") or self.client.who).title()

    def compose(self) -> ComposeResult:
        yield from self.compose_bar(self.owner)
        with VerticalScroll(classes="face--body"):
            yield Static(plain(_("Waiting for your answer")), classes="face--section")
            yield OptionList(id="ikd-requests", compact=True)
            with HorizontalGroup(classes="face--actions"):
                yield Button(
                    plain(_("Approve")),
                    variant="success",
                    compact=True,
                    id="ikd-approve",
                    tooltip=plain(_("Give this institution your consent, for the time shown")),
                )
                yield Button(
                    plain(_("Refuse")),
                    variant="error",
                    compact=True,
                    id="ikd-decline",
                    tooltip=plain(_("Refuse: the institution may not check or read your data")),
                )
            yield Notice(id="ikd-notice")
            yield Static(plain(_("Consents you gave")), classes="face--section")
            yield OptionList(id="ikd-consents", compact=True)
            with HorizontalGroup(classes="face--actions"):
                yield Button(
                    plain(_("Revoke")),
                    variant="warning",
                    compact=True,
                    id="ikd-revoke",
                    tooltip=plain(_("Take the selected consent back: every institution is told")),
                )

    def on_show(self) -> None:
        """The first time the app is on screen, it opens (and asks the registry); from then
        on it asks by itself while it is shown."""
        self._hidden = False
        if not self.opened:
            self.opened = True
            self.load()
            if self.poll is not None:
                self._polling = self.set_interval(
                    self.poll, self._ask_again, name="ikd-poll", pause=self._away
                )
        elif not self._away:
            self._resume()

    def on_hide(self) -> None:
        """Another app took its place on the phone: nobody reads it, so it stops asking."""
        self._hidden = True
        if self._polling is not None:
            self._polling.pause()

    def pause_watching(self) -> None:
        """The apps screen went off: the app stops asking meanwhile."""
        self._away = True
        if self._polling is not None:
            self._polling.pause()

    def resume_watching(self) -> None:
        """The apps screen is back: if the app is shown, ask at once (then every `poll`)."""
        self._away = False
        if not self._hidden:
            self._resume()

    @property
    def watching(self) -> bool:
        """True while the app asks by itself (it is open and on screen)."""
        return self._polling is not None and not (self._hidden or self._away)

    def _resume(self) -> None:
        if self._polling is not None:
            self._polling.resume()
        if self.opened:
            self._ask_again()

    def _ask_again(self) -> None:
        """One ask for the waiting requests, unless a read or an answer is on its way."""
        groups = {"ikd-load", "ikd-answer", f"{self.service}-follow"}
        if any(
            w.node is self and w.group in groups and not w.is_finished for w in self.app.workers
        ):
            return  # never two reads at once
        self._stale.add("requests")
        # Its own trace: the phone asked because it is on screen, not because of a call.
        self._cause = root_span().trace_id
        if self._due is None:
            self._catch_up()

    def on_unmount(self) -> None:
        if self._polling is not None:
            self._polling.stop()
            self._polling = None

    def action_answer(self, approve: bool) -> None:
        """Key: approve or refuse the highlighted request."""
        self.answer(approve)

    def action_revoke(self) -> None:
        """Key: revoke the highlighted consent."""
        self.revoke()

    def action_reload(self) -> None:
        """Key: read the requests and the consents again."""
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key with nothing to act on is shown dimmed in the footer."""
        if action == "answer":
            return bool(self.requests) or None
        if action == "revoke":
            return bool(self.consents) or None
        return True

    def show_person(self, who: str) -> None:
        """Her phone now belongs to `who` (another patient at the counter): log in as her."""
        if who == self.client.who:
            return
        self.client = IkdClient(self._people, who)
        self.query_one(".face--bar", Static).update(
            Content.assemble((self.app_name, "bold"), "  ", self.owner)
        )
        self.requests, self.consents = (), ()
        self.notice.clear()
        self._show_lists()
        if self.opened:
            self.load()

    def start_over(self) -> None:
        """A reset world has no requests and no consents: read them again."""
        super().start_over()
        self.requests, self.consents = (), ()
        if self.opened:
            self.load()

    @work(exclusive=True, group="ikd-load", exit_on_error=False)
    async def load(self) -> None:
        """Open the app: the requests waiting for her and the consents she gave."""

        async def body() -> str:
            await self._read()
            return plain(
                ngettext("{count} request waiting", "{count} requests waiting", len(self.requests)),
                count=len(self.requests),
            )

        await self.act("load", self.notice, body)

    async def _read(self, consents: bool = True) -> None:
        self.requests = tuple(await self.client.pending())
        if consents:
            self.consents = tuple(await self.client.consents())
        self._show_lists()

    def _show_lists(self) -> None:
        requests, consents = self.requests_list, self.consents_list
        requests.clear_options()
        if self.requests:
            requests.add_options(
                Option(_request_prompt(r), id=str(r.get("request_id", ""))[:40] or None)
                for r in self.requests
            )
            requests.highlighted = 0
        else:
            requests.add_option(Option(text(_("Nothing waiting.")), disabled=True))
        consents.clear_options()
        if self.consents:
            consents.add_options(
                Option(_consent_prompt(c), id=str(c.get("consent_id", ""))[:40] or None)
                for c in self.consents
            )
            consents.highlighted = 0
        else:
            consents.add_option(Option(text(_("No consents yet.")), disabled=True))
        for button, empty in (
            ("#ikd-approve", not self.requests),
            ("#ikd-decline", not self.requests),
            ("#ikd-revoke", not self.consents),
        ):
            self.query_one(button, Button).disabled = empty
        self.refresh_bindings()

    def _chosen(self, options: OptionList) -> str:
        index = options.highlighted
        if index is None:
            raise FaceError(plain(_("Choose one first.")))
        option = options.get_option_at_index(index)
        if option.disabled or not option.id:
            raise FaceError(plain(_("Choose one first.")))
        return option.id

    @on(Button.Pressed, "#ikd-approve")
    def tap_approve(self, event: Button.Pressed) -> None:
        event.stop()
        self.answer(True)

    @on(Button.Pressed, "#ikd-decline")
    def tap_decline(self, event: Button.Pressed) -> None:
        event.stop()
        self.answer(False)

    @on(Button.Pressed, "#ikd-revoke")
    def tap_revoke(self, event: Button.Pressed) -> None:
        event.stop()
        self.revoke()

    @work(exclusive=True, group="ikd-answer", exit_on_error=False)
    async def answer(self, approve: bool, request_id: str | None = None) -> None:
        """Her answer to the highlighted request (or `request_id`): approved (the consent is
        made) or refused."""

        async def body() -> str:
            nonlocal request_id
            request_id = request_id or self._chosen(self.requests_list)
            if approve:
                consent = await self.client.approve(request_id)
                said = text(
                    _("✓ Approved: consent {consent} until {until}"),
                    consent=str(consent.get("consent_id", "?")),
                    until=moment(consent.get("expires_at")),
                )
            else:
                await self.client.decline(request_id)
                said = text(_("✕ Refused: nothing about you is shared"))
            await self._read()
            self.notice.show(said, "ok")
            return said.plain

        await self.act("approve" if approve else "refuse", self.notice, body)

    @work(exclusive=True, group="ikd-answer", exit_on_error=False)
    async def revoke(self, consent_id: str | None = None) -> None:
        """Take the highlighted consent (or `consent_id`) back."""

        async def body() -> str:
            nonlocal consent_id
            consent_id = consent_id or self._chosen(self.consents_list)
            revoked = await self.client.revoke(consent_id)
            await self._read()
            said = text(
                _("Consent {consent} revoked: {partner} is refused from now on"),
                consent=str(revoked.get("consent_id", consent_id)),
                partner=title_of(str(revoked.get("partner", "?"))),
            )
            self.notice.show(said, "ok")
            return said.plain

        await self.act("revoke", self.notice, body)

    def changed_by(self, call: HttpCall) -> frozenset[str]:
        """A partner asked for her consent, or she answered on another device."""
        if not self.opened:
            return frozenset()
        if asked_her(call) or answered_for(call, self.client.who):
            return frozenset({"requests", "consents"})
        return frozenset()

    async def refetch(self, parts: frozenset[str]) -> Content | None:
        """Read the lists again (the consents too unless only the requests may have changed);
        say so when a new request arrived."""
        before = {r.get("request_id") for r in self.requests}
        await self._read(consents="consents" in parts)
        new = [r for r in self.requests if r.get("request_id") not in before]
        if not new:
            return None
        return text(
            _("🔔 New request from {partner}"), partner=title_of(str(new[-1].get("partner", "?")))
        )


def _words(table: dict[str, str], key: object) -> str:
    """A known code in words, in the UI's language; an unknown one as it was sent."""
    return _(table[key]) if isinstance(key, str) and key in table else str(key)


def _request_prompt(request: dict[str, Any]) -> Content:
    """Who asks, for what, for how long, and until when she may answer."""
    scopes = request.get("scopes")
    covered = ", ".join(_words(SCOPES, s) for s in scopes) if isinstance(scopes, list) else "?"
    seconds = request.get("consent_valid_seconds")
    hours = seconds // 3600 if isinstance(seconds, int) and not isinstance(seconds, bool) else 0
    lasts = ngettext("{count} hour", "{count} hours", hours).format(count=hours) if hours else "?"
    lines = [
        text(
            _("[b]{partner}[/b] asks: {purpose}"),
            partner=title_of(str(request.get("partner", "?"))),
            purpose=_words(PURPOSES, request.get("purpose")),
        ),
        text(_("  to {scopes}"), scopes=covered),
        text(
            _("  for {lasts} · answer by {until}"),
            lasts=lasts,
            until=moment(request.get("expires_at")),
        ),
    ]
    reason = request.get("reason")
    if isinstance(reason, str) and reason.strip():
        lines.append(Content.assemble("  “", Content(reason.strip()[:120]), "”"))
    return Content("\n").join(lines)


def _consent_prompt(consent: dict[str, Any]) -> Content:
    """To whom, for what, whether it still holds, and until when."""
    return Content("\n").join(
        [
            Content.assemble(
                (title_of(str(consent.get("partner", "?"))), "bold"),
                ": ",
                _words(PURPOSES, consent.get("purpose")),
            ),
            text(
                _("  {status} · until {until} · {consent}"),
                status=_words(STATUSES, consent.get("status")),
                until=moment(consent.get("expires_at")),
                consent=str(consent.get("consent_id", "?")),
            ),
        ]
    )
