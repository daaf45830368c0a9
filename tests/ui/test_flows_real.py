"""The console's flows against the real service: real vault file, real PII engine, real model.

The PII engine and the model load once per module (they are read-only); every
test gets its own AGENTCONSOLE_HOME, vault and ConsoleService. The model runs
with temperature 0 and a fixed seed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.events import Paste
from ui_driving import screen_name, screen_text, type_text, wait_for
from ui_driving import sign_in as sign_in_as_alice

from agentconsole.config import ModelSettings, Settings, UiSettings
from agentconsole.service import ConsoleService
from agentconsole.ui.app import make_app
from agentconsole.ui.composer import Composer
from agentconsole.ui.messages import MessageView

pytestmark = [pytest.mark.anyio, pytest.mark.model, pytest.mark.slow]

PASS = "correct horse battery staple"
NAME, EMAIL, CARD = "John Smith", "john.smith@example.com", "4111 1111 1111 1111"
CUSTOMER_TEXT = f"Hello, I am {NAME}. My email is {EMAIL} and my card {CARD} was charged twice."


def real_settings(home: Path, **ui: object) -> Settings:
    model = dataclasses.replace(ModelSettings(), temperature=0.0, seed=7, max_tokens=160)
    return Settings(home=home, model=model, ui=dataclasses.replace(UiSettings(), **ui))


@pytest.fixture(scope="module")
def engines(default_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[object, object]:
    from agentconsole.llm import build_engine
    from agentconsole.privacy import PrivacyEngine

    settings = real_settings(tmp_path_factory.mktemp("engines"))
    engine = build_engine(settings, str(default_model_path))
    engine.load()
    return PrivacyEngine.from_settings(settings.privacy), engine


def make_service(home: Path, engines: tuple[object, object], engine: object = None, **ui: object) -> ConsoleService:
    privacy, real_engine = engines
    return ConsoleService(real_settings(home, **ui), engine=engine or real_engine, privacy=privacy)


class HeldGeneration:
    """The real model's answer, held once ``shown()`` is true until it is cancelled.

    Without the hold a draft from the 135M model can end before ``pilot.press``
    returns (it waits for the process to go idle, up to a second per key, and
    the model keeps the process busy): the "drafting" state the test has to
    observe, and press Esc in, would be transient.
    """

    def __init__(self, generation: Any, shown: Callable[[], bool]) -> None:
        self._generation = generation
        self._shown = shown
        self._released = threading.Event()

    def __getattr__(self, name: str) -> Any:  # text, stats, ...
        return getattr(self._generation, name)

    def __iter__(self) -> Iterator[str]:
        for delta in self._generation:
            yield delta
            if self._shown() and not self._released.is_set():
                # bounded: a test that never presses Esc fails instead of hanging
                self._released.wait(120)

    def cancel(self) -> None:
        self._generation.cancel()
        self._released.set()


class HeldEngine:
    """The real engine, whose answers are :class:`HeldGeneration`s."""

    def __init__(self, engine: Any, shown: Callable[[], bool]) -> None:
        self._engine = engine
        self._shown = shown

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def stream(self, *args: Any, **kwargs: Any) -> HeldGeneration:
        return HeldGeneration(self._engine.stream(*args, **kwargs), self._shown)


def seed_vault(service: ConsoleService) -> int:
    """A vault with one case holding a customer message; left locked."""
    service.create_vault("alice", bytearray(PASS.encode()))
    case_id = service.new_case("CUST-1042", "Double charge")
    service.add_message(case_id, "customer", CUSTOMER_TEXT)
    service.lock()
    return case_id


def vault_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file() and "vault" in p.name)


def assert_no_values(text: str) -> None:
    for value in (NAME, EMAIL, CARD, "4111"):
        assert value not in text


async def sign_in(pilot, app, wait_case: bool = True) -> None:
    await sign_in_as_alice(pilot, app, PASS, wait_case=wait_case)


@contextlib.asynccontextmanager
async def seeded_console(
    tmp_path: Path, engines, size: tuple[int, int] = (100, 30), clock=None, engine: object = None, **ui: object
):
    """A seeded vault, the console on it, signed in as alice: yields (app, pilot, service, case_id)."""
    service = make_service(tmp_path, engines, engine, **ui)
    case_id = seed_vault(service)
    extra = {"clock": clock, "idle_check_seconds": 0.05} if clock is not None else {}
    app = make_app(service.settings, service, **extra)
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot, app)
        yield app, pilot, service, case_id


@pytest.mark.timeout(120)
async def test_first_run_creates_the_vault(tmp_path: Path, engines) -> None:
    service = make_service(tmp_path, engines)
    app = make_app(service.settings, service)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "FirstRunScreen" and app.screen.query("#user"), "first run")
        await type_text(pilot, "alice")
        await pilot.press("tab")
        await type_text(pilot, PASS)
        await pilot.press("tab")
        await type_text(pilot, PASS)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "main screen")
        assert service.is_unlocked and service.user == "alice"
        assert service.vault_exists() and (tmp_path / "vault.db").exists()
        await wait_for(pilot, lambda: "🔓 alice (supervisor)" in screen_text(app), "status shows the user")


@pytest.mark.timeout(120)
async def test_unlock_wrong_then_right(tmp_path: Path, engines) -> None:
    service = make_service(tmp_path, engines)
    seed_vault(service)
    app = make_app(service.settings, service)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen" and app.screen.query("#user"), "unlock")
        screen = app.screen
        await type_text(pilot, "alice")
        await pilot.press("tab")
        await type_text(pilot, "not the passphrase")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.failures == 1, "a failed unlock")
        await wait_for(pilot, lambda: "wrong passphrase" in screen_text(app).lower(), "inline error")
        assert not service.is_unlocked and screen_name(app) == "UnlockScreen"
        await type_text(pilot, PASS)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "main screen")
        assert service.is_unlocked


@pytest.mark.timeout(180)
async def test_new_case_with_name_email_card_shows_chips_not_values(tmp_path: Path, engines) -> None:
    service = make_service(tmp_path, engines)
    service.create_vault("alice", bytearray(PASS.encode()))
    service.lock()
    app = make_app(service.settings, service)
    seen: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, app, wait_case=False)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(app) == "NewCaseDialog", "new case dialog")
        await type_text(pilot, "CUST-1042")
        await pilot.press("tab")
        await type_text(pilot, "Double charge")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen" and app.screen.case_id is not None, "case")
        composer = app.screen.query_one(Composer)
        assert composer.role == "customer"
        composer.post_message(Paste(CUSTOMER_TEXT))
        await wait_for(pilot, lambda: composer.sealed_count() == 1, "sealed paste")
        seen.append(screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(v.role == "customer" for v in app.screen.query(MessageView)), "stored")
        await wait_for(pilot, lambda: "CREDIT CARD 1" in screen_text(app), "chips drawn")
        text = screen_text(app)
        seen.append(text)
        assert "PERSON 1" in text and "EMAIL ADDRESS 1" in text and "CREDIT CARD 1" in text
        assert "masked 3" in text
    for shown in seen:
        assert_no_values(shown)
    raw = vault_bytes(tmp_path)
    for value in (NAME, EMAIL, CARD):
        assert value.encode() not in raw


@pytest.mark.timeout(300)
async def test_draft_streams_with_the_real_model_and_esc_stops_it(tmp_path: Path, engines) -> None:
    screens: list[Any] = []

    def shown() -> bool:  # runs in the draft's worker thread: reads, never touches widgets
        view = screens[0].draft_view if screens else None
        return view is not None and bool(view.text.strip())

    held = HeldEngine(engines[1], shown)
    async with seeded_console(tmp_path, engines, (100, 30), engine=held) as (app, pilot, service, case_id):
        screen = app.screen
        screens.append(screen)
        await pilot.press("ctrl+d")
        # The answer is held (not ended) once text is on screen, so neither wait can miss its state.
        await wait_for(pilot, lambda: screen.draft_view is not None, "draft started", tries=9000)
        view = screen.draft_view
        # Tokens arrive while the draft is still running: streamed, not delivered at the end.
        await wait_for(pilot, lambda: screen.drafting and view.text.strip(), "first streamed tokens", tries=9000)
        partial = view.text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.drafting, "draft stopped", tries=9000)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert view.is_mounted and view.text.startswith(partial.strip()[:1])
        assert "stopped" in view.detail
        stored = [m for m in service.messages(case_id) if m.role == "assistant"]
        assert len(stored) == 1 and stored[0].id == view.message_id and stored[0].text == view.text
        assert_no_values(screen_text(app))


@pytest.mark.timeout(180)
async def test_reveal_then_automatic_remask(tmp_path: Path, engines) -> None:
    now = [0.0]  # the app's clock: the reveal lasts until the test moves it (no race with a real timer)
    async with seeded_console(tmp_path, engines, (120, 30), clock=lambda: now[0], reveal_seconds=1) as (
        app,
        pilot,
        service,
        _case_id,
    ):
        view = next(v for v in app.screen.query(MessageView) if v.role == "customer")
        view.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: view.revealed, "revealed")
        await wait_for(pilot, lambda: NAME in screen_text(app), "values on screen")
        assert EMAIL in screen_text(app)
        now[0] += 1.1
        await wait_for(pilot, lambda: not view.revealed, "re-masked")
        await wait_for(pilot, lambda: "PERSON 1" in screen_text(app), "chips back")
        assert_no_values(screen_text(app))
        actions = [e.action for e in service.audit_entries()]
        assert "reveal" in actions


@pytest.mark.timeout(180)
async def test_search_finds_a_case(tmp_path: Path, engines) -> None:
    service = make_service(tmp_path, engines)
    case_id = seed_vault(service)
    service.unlock("alice", bytearray(PASS.encode()))
    other = service.new_case("CUST-7", "Invoice")
    service.add_message(other, "customer", "Where is my invoice for March?")
    service.lock()
    app = make_app(service.settings, service)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, app)
        assert app.screen.case_id == other
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: screen_name(app) == "SearchScreen", "search")
        await type_text(pilot, "charged")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.hits, "hits")
        assert "1 hit" in screen_text(app) and "charged" in screen_text(app)
        assert_no_values(screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen" and app.screen.case_id == case_id, "case")
        await wait_for(pilot, lambda: isinstance(app.focused, MessageView), "the hit is focused")


@pytest.mark.timeout(180)
async def test_lock_and_autolock(tmp_path: Path, engines) -> None:
    now = [0.0]
    async with seeded_console(tmp_path, engines, (80, 24), clock=lambda: now[0], autolock_minutes=1) as (
        app,
        pilot,
        service,
        _,
    ):
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen", "locked")
        await wait_for(pilot, lambda: not service.is_unlocked, "service locked")
        await sign_in(pilot, app)
        now[0] += 61
        await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen", "auto-locked")
        await wait_for(pilot, lambda: not service.is_unlocked, "service auto-locked")
        await wait_for(pilot, lambda: "without activity" in screen_text(app), "notice")
        assert_no_values(screen_text(app))


@pytest.mark.timeout(240)
async def test_import_of_a_good_and_a_malformed_file(tmp_path: Path, engines, capsys) -> None:
    from agentconsole.cli import main

    service = make_service(tmp_path, engines)
    service.create_vault("alice", bytearray(PASS.encode()))
    service.lock()
    secret = tmp_path / "pass.txt"
    secret.write_text(PASS)
    good = tmp_path / "good.jsonl"
    good.write_text(
        json.dumps({"role": "customer", "text": CUSTOMER_TEXT})
        + "\n"
        + json.dumps({"role": "agent", "text": "Sorry about that, we will refund it."})
        + "\n"
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"role": "customer", "text": "fine"})
        + "\n{not json\n"
        + json.dumps({"role": "robot", "text": "x"})
        + "\n"
    )
    common = [
        "--home",
        str(tmp_path),
        "import",
        "--customer",
        "CUST-1042",
        "--user",
        "alice",
        "--passphrase-file",
        str(secret),
    ]
    assert main([*common[:2], *common[2:3], str(bad), *common[3:]]) != 0
    err = capsys.readouterr().err
    assert "line 2" in err and "line 3" in err
    assert main([*common[:2], *common[2:3], str(good), *common[3:]]) == 0
    assert capsys.readouterr().out.strip()
    app = make_app(service.settings, service)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, app)
        assert len(app.screen.query_one("#cases").cases) == 1  # the malformed file imported nothing
        views = list(app.screen.query(MessageView))
        assert [v.role for v in views] == ["customer", "agent"]
        await wait_for(pilot, lambda: "PERSON 1" in screen_text(app), "imported case shown with chips")
        assert_no_values(screen_text(app))


@pytest.mark.timeout(180)
async def test_send_stores_masked_and_copies_real_values(tmp_path: Path, engines) -> None:
    async with seeded_console(tmp_path, engines, (100, 30)) as (app, pilot, service, case_id):
        screen = app.screen
        composer = screen.query_one(Composer)
        composer.load_draft("Dear <PERSON_1>, the double charge is refunded.")  # as Ctrl+E does
        composer.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app._clipboard == f"Dear {NAME}, the double charge is refunded.", "copied")
        await wait_for(pilot, lambda: any(v.role == "agent" for v in screen.query(MessageView)), "reply shown")
        stored = [m for m in service.messages(case_id) if m.role == "agent"]
        assert [m.text for m in stored] == ["Dear <PERSON_1>, the double charge is refunded."]
        customer = next(v for v in screen.query(MessageView) if v.role == "customer")
        customer.focus()
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: app._clipboard == CUSTOMER_TEXT, "customer message copied with values")
        assert_no_values(screen_text(app))
        actions = [e.action for e in service.audit_entries()]
        assert "send" in actions and "copy" in actions


@pytest.mark.timeout(180)
async def test_an_auditor_sees_no_cases(tmp_path: Path, engines) -> None:
    service = make_service(tmp_path, engines)
    seed_vault(service)
    service.unlock("alice", bytearray(PASS.encode()))
    service.user_add("audrey", "auditor", bytearray(PASS.encode()))
    service.lock()
    app = make_app(service.settings, service)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen" and app.screen.query("#user"), "unlock")
        await type_text(pilot, "audrey")
        await pilot.press("tab")
        await type_text(pilot, PASS)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "AuditScreen", "the audit screen")
        await wait_for(pilot, lambda: "unlock" in screen_text(app) and "entries" in screen_text(app), "entries")
        assert not app.screen.query(MessageView)
        assert "Double charge" not in screen_text(app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: "chain intact" in screen_text(app), "chain verified")
        await pilot.press("escape")  # an auditor has nowhere else to go
        await pilot.pause()
        assert screen_name(app) == "AuditScreen"


@pytest.mark.timeout(180)
async def test_a_supervisor_opens_the_audit_log_and_returns(tmp_path: Path, engines) -> None:
    service = make_service(tmp_path, engines)
    seed_vault(service)
    app = make_app(service.settings, service)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in_as_alice(pilot, app, PASS)
        await pilot.press("f3")
        await wait_for(pilot, lambda: screen_name(app) == "AuditScreen", "the audit screen")
        await wait_for(pilot, lambda: "case.create" in screen_text(app), "entries shown")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "back to the cases")
