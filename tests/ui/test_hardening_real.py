"""Hardening of the console against the real service: real SQLCipher vault, real PII engine.

Hostile text in every widget, whole pastes, long jobs that a lock cancels,
exclusive case opening, search that opens at the hit, the new-case dialog,
consent from the console, and 80x24. The model is not needed here (no test
drafts), so the PII engine loads once per module and the model not at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.events import Paste
from ui_driving import screen_name, screen_text, sign_in, type_text, wait_for
from vault_access import vault_outside_the_service

from agentconsole.compliance.audit import AuditLog
from agentconsole.config import Settings, UiSettings
from agentconsole.errors import AgentConsoleError
from agentconsole.service import ConsoleService
from agentconsole.ui.app import make_app
from agentconsole.ui.composer import Composer
from agentconsole.ui.messages import Conversation, MessageView

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

PASS = "correct horse battery staple"
NAME, EMAIL = "John Smith", "john.smith@example.com"
#: A customer reference that is Rich markup and an escape sequence at once.
HOSTILE_REF = "CUST-[reverse]EVIL[/reverse]-\x1b]0;owned\x07"
HOSTILE_TITLE = "Refund \x1b[2J [bold]loud[/bold] \u202eevil\u202c"
HOSTILE_MESSAGE = (  # (no URLs: the PII engine would mask them, and this test is about what is left)
    "copy this \x1b]52;c;ZXZpbA==\x07 and click \x1b]8;;file:evil\x1b\\here\x1b]8;;\x1b\\ "
    "\x9b2J csi \u2066isolated\u2069 [@click=app.quit]quit[/] [red]red[/red]"
)
#: Anything a terminal would act on: C0 (but TAB and LF), DEL, C1, bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def assert_inert(text: str) -> None:
    found = UNSAFE.search(text)
    assert found is None, f"raw {found.group(0)!r} on screen"


@pytest.fixture(scope="module")
def privacy(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from agentconsole.privacy import PrivacyEngine

    return PrivacyEngine.from_settings(Settings(home=tmp_path_factory.mktemp("privacy")).privacy)


def settings_for(home: Path, **ui: object) -> Settings:
    return Settings(home=home, ui=dataclasses.replace(UiSettings(), **ui))


def new_service(
    home: Path, privacy: Any, service_class: type[ConsoleService] = ConsoleService, **ui: object
) -> ConsoleService:
    service = service_class(settings_for(home, **ui), privacy=privacy)
    service.create_vault("alice", bytearray(PASS.encode()))
    return service


def region_text(app: Any, widget: Any) -> str:
    """What the terminal shows inside ``widget``, its lines joined by single spaces."""
    region = widget.region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    return " ".join(" ".join(line[region.x : region.right].split()) for line in lines).strip()


@contextlib.asynccontextmanager
async def console(service: ConsoleService, size: tuple[int, int] = (140, 40), *, wait_case: bool = True, **extra: Any):
    """The console on ``service`` (locked first), signed in as alice: yields (app, pilot)."""
    service.lock()
    app = make_app(service.settings, service, load_engines=False, **extra)
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot, app, PASS, wait_case=wait_case)
        yield app, pilot


# --- 2. hostile text, every widget -------------------------------------------------------


@pytest.mark.timeout(240)
async def test_hostile_text_is_inert_in_every_widget(tmp_path: Path, privacy: Any) -> None:
    service = new_service(tmp_path, privacy)
    # The service now refuses such a reference for new customers; a vault from before holds it.
    with vault_outside_the_service(service, "alice", PASS) as vault:
        case_id = vault.create_case(vault.upsert_customer(HOSTILE_REF), HOSTILE_TITLE)
        AuditLog(vault).append(
            actor="alice", action="case.create", subject=f"case:{case_id}", details={"customer": HOSTILE_REF}
        )
    service.add_message(case_id, "customer", HOSTILE_MESSAGE)
    service.record_consent(HOSTILE_REF, True)
    service.set_config("compliance.keep_raw_text", True)  # audited with [old, new] in its details
    seen: list[str] = []
    async with console(service, (160, 45)) as (app, pilot):
        screen = app.screen
        await wait_for(pilot, lambda: "csi" in screen_text(app), "the message drawn")
        text = screen_text(app)
        seen.append(text)
        header = region_text(app, screen.query_one("#case-header"))
        assert header.startswith(f"#{case_id} CUST-[reverse]EVIL[/reverse]-␛]0;owned␇ · open")  # literal, not styled
        assert header.endswith("Refund ␛[2J [bold]loud[/bold] \\u202eevil\\u202c")
        body = region_text(app, screen.query_one(MessageView).query_one(".message-body"))
        assert body == (
            "copy this ␛]52;c;ZXZpbA==␇ and click ␛]8;;file:evil␛\\here␛]8;;␛\\ \\u009b2J csi "
            "\\u2066isolated\\u2069 [@click=app.quit]quit[/] [red]red[/red]"
        )

        await pilot.press("ctrl+f")  # search snippets
        await wait_for(pilot, lambda: screen_name(app) == "SearchScreen", "search")
        await type_text(pilot, "csi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.hits, "hits")
        seen.append(screen_text(app))
        assert "\\u009b2J" in seen[-1]
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "back")

        await pilot.press("f4")  # consent dialog
        await wait_for(pilot, lambda: screen_name(app) == "ConsentDialog" and app.screen.history, "consent")
        seen.append(screen_text(app))
        assert "[reverse]EVIL[/reverse]-␛]0;owned␇" in seen[-1]
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "consent closed")

        def fails() -> None:
            raise AgentConsoleError(f"no customer {HOSTILE_REF}")

        app.call_service(fails, name="hostile")  # a toast quoting the customer reference
        await wait_for(pilot, lambda: list(app._notifications), "toast")  # (run_test draws no toasts)
        toast = list(app._notifications)[-1]
        assert toast.message == "no customer CUST-[reverse]EVIL[/reverse]-␛]0;owned␇" and not toast.markup
        app.notify(f"[b]bold[/b] {HOSTILE_REF}", title=HOSTILE_REF, markup=True)  # even a caller asking for markup
        await wait_for(pilot, lambda: len(list(app._notifications)) == 2, "second toast")
        toast = list(app._notifications)[-1]
        assert not toast.markup and toast.message.startswith("[b]bold[/b] CUST-") and "\x1b" not in toast.title

        await pilot.press("f3")  # the audit log: markup and brackets shown as they are
        await wait_for(pilot, lambda: screen_name(app) == "AuditScreen" and app.screen.entries, "audit")
        await pilot.pause()
        table = app.screen.query_one("#audit-table")
        rows = ["  ".join(cell.plain for cell in table.get_row_at(i)) for i in range(table.row_count)]
        case_row = next(r for r in rows if "case.create" in r)
        assert "[reverse]EVIL[/reverse]-\\u001b]0;owned\\u0007" in case_row  # details are JSON, as in `audit show`
        config_row = next(r for r in rows if "config.change" in r)
        assert '"compliance.keep_raw_text": [false, true]' in config_row
        seen.append(screen_text(app))
    for shown in seen:
        assert_inert(shown)


# --- 6. pastes -------------------------------------------------------------------------


@pytest.mark.timeout(240)
async def test_a_paste_with_escapes_and_cr_line_breaks_is_sealed_whole(tmp_path: Path, privacy: Any) -> None:
    service = new_service(tmp_path, privacy)
    case_id = service.new_case("CUST-1042", "Pastes")
    pasted = f"Hello\rI am {NAME}\r\n\x1b[31mmy mail is {EMAIL}\x1b[0m\rthanks"
    async with console(service, (120, 36)) as (app, pilot):
        composer = app.screen.query_one(Composer)
        assert composer.role == "customer"
        composer.post_message(Paste(pasted))
        await wait_for(pilot, lambda: composer.sealed_count() == 1, "sealed")
        shown = screen_text(app)
        assert "[pasted #1: 4 lines" in shown and NAME not in shown and EMAIL not in shown
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(v.role == "customer" for v in app.screen.query(MessageView)), "stored")
        stored = [m.text for m in service.messages(case_id) if m.role == "customer"]
        # one message, in order, four lines, the escape sequence kept as data
        assert len(stored) == 1
        assert stored[0].split("\n")[0] == "Hello" and stored[0].split("\n")[3] == "thanks"
        # the name's placeholder, whatever number it got (the PII engine may also have read the title)
        person = next(p for p, v in service.mapping(case_id).placeholders().items() if v == NAME)
        assert stored[0] == f"Hello\nI am {person}\n\x1b[31mmy mail is <EMAIL_ADDRESS_1>\x1b[0m\nthanks"
        await wait_for(pilot, lambda: person.strip("<>").replace("_", " ") in screen_text(app), "chips")
        shown = screen_text(app)
        assert "␛[31mmy mail is  EMAIL ADDRESS 1 ␛[0m" in shown
        assert_inert(shown)
        assert NAME not in shown and EMAIL not in shown

        await pilot.press("f2")  # the agent role: a paste is shown in the composer, controls inert
        composer.post_message(Paste("Dear customer,\r\x1b[2Jsee you\r"))
        await wait_for(pilot, lambda: "see you" in composer.text, "agent paste")
        assert composer.text == "Dear customer,\n␛[2Jsee you\n"
        assert_inert(screen_text(app))


# --- 5. long jobs and the lock -----------------------------------------------------------


class MaskingStopped(AgentConsoleError):
    """What a cancellable PII engine raises when told to stop."""


class SlowPrivacy:
    """The real PII engine behind a mask that takes as long as the test wants (a nine-minute job).

    With ``cancellable`` it takes ``should_cancel`` (as the PII engine does) and stops when told;
    without, it runs on until ``release`` is set, like an engine that cannot be interrupted.
    """

    def __init__(self, real: Any, *, cancellable: bool) -> None:
        self.real = real
        self.started = threading.Event()
        self.release = threading.Event()
        self.saw_cancel = False
        self.slow = True
        if cancellable:
            self.mask = self._cancellable_mask

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def _wait(self, should_cancel: Any = None) -> None:
        self.started.set()
        while not self.release.wait(0.02):
            if should_cancel is not None and should_cancel():
                self.saw_cancel = True
                raise MaskingStopped("masking stopped")

    def mask(self, text: str, mapping: Any, *, progress: Any = None, should_cancel: Any = None) -> Any:
        # takes should_cancel as the PII engine does, and never looks at it
        if self.slow and "long job" in text:
            self._wait()
        return self.real.mask(text, mapping)

    def _cancellable_mask(self, text: str, mapping: Any, *, progress: Any = None, should_cancel: Any = None) -> Any:
        if self.slow and "long job" in text:
            self._wait(should_cancel)
        return self.real.mask(text, mapping)


@pytest.mark.parametrize("cancellable", [True, False], ids=["engine-stops-early", "engine-runs-on"])
@pytest.mark.timeout(240)
async def test_auto_lock_cancels_a_long_masking_job_before_it_locks(
    tmp_path: Path, privacy: Any, cancellable: bool
) -> None:
    slow = SlowPrivacy(privacy, cancellable=cancellable)
    now = [1000.0]
    service = ConsoleService(settings_for(tmp_path, autolock_minutes=1), privacy=slow)
    service.create_vault("alice", bytearray(PASS.encode()))
    case_id = service.new_case("CUST-1042", "Long job")
    before = len(service.messages(case_id))
    async with console(service, (100, 30), clock=lambda: now[0], idle_check_seconds=0.05) as (app, pilot):
        composer = app.screen.query_one(Composer)
        composer.post_message(Paste(f"a long job for {NAME} " + "x" * 5000))
        await wait_for(pilot, lambda: composer.sealed_count() == 1, "sealed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: slow.started.is_set() and service.jobs.count == 1, "masking running")
        now[0] += 61  # nobody at the keyboard: auto-lock fires during the job
        await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen", "auto-locked screen")
        if cancellable:
            await wait_for(pilot, lambda: slow.saw_cancel, "the engine told to stop")
        else:
            # the lock waits for the job: the vault stays open (its screen is gone) until the job is over
            assert service.is_unlocked and service.jobs.count == 1 and app.locking
            unlock_screen = app.screen
            now[0] += 61  # the idle check keeps running meanwhile: it must not lock (and redraw) again
            await wait_for(pilot, lambda: app.clock() - app.last_activity >= 120, "idle for two minutes")
            app.check_autolock()
            assert app.screen is unlock_screen
            assert unlock_screen.notice.endswith("(A running job is being stopped first.)")
            slow.release.set()
        await wait_for(pilot, lambda: not service.is_unlocked and service.jobs.count == 0, "locked after the job")
        slow.slow = False
        await sign_in(pilot, app, PASS)  # no "the vault stayed busy"
        assert len(service.messages(case_id)) == before  # the cancelled job wrote nothing
        composer = app.screen.query_one(Composer)
        composer.post_message(Paste(f"after the lock, {NAME} writes again"))
        await wait_for(pilot, lambda: composer.sealed_count() == 1, "sealed again")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(service.messages(case_id)) == before + 1, "stored after unlock")


# --- 9. case opening ------------------------------------------------------------------


class GatedService(ConsoleService):
    """The real service, but loading one case's messages waits for the test (a slow case)."""

    gated_case: int | None = None
    gate = threading.Event()
    waiting = threading.Event()

    def messages(self, case_id: int) -> list[Any]:
        if case_id == self.gated_case:
            self.waiting.set()
            self.gate.wait(60)
        return super().messages(case_id)


@pytest.mark.timeout(240)
async def test_an_older_open_case_result_never_overwrites_a_newer_one(tmp_path: Path, privacy: Any) -> None:
    service = new_service(tmp_path, privacy, GatedService)
    slow_case = service.new_case("CUST-1", "Slow case")
    service.add_message(slow_case, "customer", "the slow one")
    fast_case = service.new_case("CUST-2", "Fast case")
    service.add_message(fast_case, "customer", "the fast one")
    async with console(service, (120, 36)) as (app, pilot):
        screen = app.screen
        GatedService.gate = threading.Event()
        GatedService.waiting = threading.Event()
        service.gated_case = slow_case
        screen.open_case(slow_case)
        await wait_for(pilot, lambda: GatedService.waiting.is_set(), "the slow case loading")
        screen.open_case(fast_case)
        await wait_for(pilot, lambda: screen.case_id == fast_case and "the fast one" in screen_text(app), "fast")
        GatedService.gate.set()  # the older result arrives last ...
        await wait_for(pilot, lambda: app.dropped_results == 1, "the older result dropped")  # ... and is dropped
        await pilot.pause()
        assert screen.case_id == fast_case
        texts = [v.text for v in screen.query(MessageView)]
        assert texts == ["the fast one"]
        assert "Fast case" in str(screen.query_one("#case-header").render())


@pytest.mark.parametrize("open_first", ["another case", "the same case"])
@pytest.mark.timeout(240)
async def test_search_opens_the_case_at_the_hit_scrolled_and_focused(
    tmp_path: Path, privacy: Any, open_first: str
) -> None:
    service = new_service(tmp_path, privacy)
    long_case = service.new_case("CUST-1", "A long case")
    for number in range(40):
        word = "zanzibar" if number == 2 else "ordinary"
        service.add_message(long_case, "customer" if number % 2 else "agent", f"message {number}: an {word} line")
    if open_first == "another case":
        other = service.new_case("CUST-2", "Newer case")
        service.add_message(other, "customer", "something else")
    hit_id = next(m.id for m in service.messages(long_case) if "zanzibar" in m.text)
    async with console(service, (100, 30)) as (app, pilot):
        screen = app.screen
        assert (screen.case_id == long_case) == (open_first == "the same case")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: screen_name(app) == "SearchScreen", "search")
        await type_text(pilot, "zanzibar")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.hits, "hits")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen" and screen.case_id == long_case, "opened")
        await wait_for(pilot, lambda: screen.hit_shown == hit_id, "scrolled to the hit")
        await pilot.pause()
        assert isinstance(app.focused, MessageView) and app.focused.message_id == hit_id
        conversation = screen.query_one(Conversation)
        view = conversation.view_for(hit_id)
        assert conversation.scroll_y > 0  # not the top of a 40-message case ...
        assert conversation.region.y <= view.region.y < conversation.region.bottom  # ... but the hit, on screen
        assert "zanzibar" in screen_text(app)


@pytest.mark.timeout(240)
async def test_enter_in_the_reference_field_creates_the_case(tmp_path: Path, privacy: Any) -> None:
    service = new_service(tmp_path, privacy)
    async with console(service, (100, 30), wait_case=False) as (app, pilot):
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(app) == "NewCaseDialog", "dialog")
        assert "Enter creates the case" in screen_text(app)
        await type_text(pilot, "CUST-77")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen" and app.screen.case_id is not None, "created")
        case = service.get_case(app.screen.case_id)
        assert case.customer_ref == "CUST-77" and case.title == "New case"
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(app) == "NewCaseDialog", "dialog again")
        await pilot.press("enter")  # no reference: refused in the dialog, nothing created
        await wait_for(pilot, lambda: "needs a customer reference" in screen_text(app), "error")
        assert len(service.list_cases()) == 1


# --- 8. consent ---------------------------------------------------------------------------


@pytest.mark.timeout(240)
async def test_consent_is_given_and_withdrawn_from_the_console(tmp_path: Path, privacy: Any) -> None:
    service = new_service(tmp_path, privacy)
    service.new_case("CUST-1042", "Consent")
    async with console(service, (100, 30)) as (app, pilot):
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Consent" in titles
        await pilot.press("f4")
        await wait_for(pilot, lambda: screen_name(app) == "ConsentDialog" and app.screen.history is not None, "dialog")
        dialog = app.screen
        assert "not given" in screen_text(app) and "No consent recorded" in screen_text(app)
        await pilot.press("g")
        await wait_for(pilot, lambda: dialog.history and dialog.history[-1].given, "given")
        assert service.consent_given("CUST-1042")
        assert "by alice" in screen_text(app)
        await pilot.press("w")
        await wait_for(pilot, lambda: len(dialog.history) == 2 and not dialog.history[-1].given, "withdrawn")
        assert not service.consent_given("CUST-1042")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "closed")
    if not service.is_unlocked:
        service.unlock("alice", bytearray(PASS.encode()))
    actions = [e.action for e in service.audit_entries()]
    assert "consent.give" in actions and "consent.withdraw" in actions


# --- 10. 80x24 ----------------------------------------------------------------------------


@pytest.mark.timeout(240)
async def test_at_80x24_nothing_essential_is_cut(tmp_path: Path, privacy: Any) -> None:
    from agentconsole.ui.screens.main import ROLE_HINTS

    service = new_service(tmp_path, privacy)
    case_id = service.new_case("CUST-1042", "A rather long case title about a double charge on a card")
    service.add_message(case_id, "customer", "Hello")
    async with console(service, (80, 24)) as (app, pilot):
        await wait_for(pilot, lambda: "Hello" in screen_text(app), "case shown")
        screen = app.screen
        for role in ("customer", "agent", "note"):
            assert (
                region_text(app, screen.query_one("#composer-role"))
                == f"{role.upper()} {ROLE_HINTS[role]} · F2 switches"
            )
            await pilot.press("f2")
            await pilot.pause()
        header = region_text(app, screen.query_one("#case-header"))
        assert header == f"#{case_id} CUST-1042 · open · A rather long case title about a double charge on a card"
        text = screen_text(app)
        footer = text.splitlines()[-1]
        for key, label in (("^f", "Search"), ("^r", "Reveal"), ("^s", "Summary"), ("f1", "Help")):
            assert f"{key} {label}" in footer, footer
        assert "palette" in footer
