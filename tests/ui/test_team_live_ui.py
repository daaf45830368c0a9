"""The console on a team store (real PostgreSQL, real Presidio): live updates and the soft lock.

Two services on one server: alice's console runs in Pilot; carol's service, driven
from the test, adds cases and messages and claims a case. Alice's console shows
carol's message and new case without a reload, shows "carol is replying", and
claims the open case when alice types (carol's service sees alice as the holder).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pg_server import PgServer, new_team, passphrase, server_fixture
from ui_driving import screen_text, sign_in, type_text, wait_for

from agentconsole.config import load_settings
from agentconsole.service import ConsoleService
from agentconsole.ui.app import make_app
from agentconsole.ui.caselist import CaseList
from agentconsole.ui.messages import MessageView

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

server = server_fixture()


@pytest.fixture(scope="module")
def privacy():  # type: ignore[no-untyped-def]
    from agentconsole.config import Settings
    from agentconsole.privacy import PrivacyEngine

    return PrivacyEngine.from_settings(Settings().privacy)


def _service(home: Path, dsn: str, privacy: object) -> ConsoleService:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[vault]\nbackend = "postgres"\ndsn = "{dsn}"\npool_size = 2\n')
    return ConsoleService(load_settings(home), privacy=privacy)


async def test_a_second_console_sees_messages_cases_and_who_is_replying(
    server: PgServer, tmp_path: Path, privacy: object
) -> None:
    target, boss = new_team(server)
    boss.lock()
    carol = _service(tmp_path / "carol", target.dsn, privacy)
    alice = _service(tmp_path / "alice", target.dsn, privacy)
    await asyncio.to_thread(carol.unlock, "carol", passphrase("carol"))
    case = await asyncio.to_thread(carol.new_case, "C-2001", "Parcel lost")
    app = make_app(alice.settings, alice, load_engines=False)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await sign_in(pilot, app, passphrase("alice").decode(), user="alice")
            screen = app.screen
            assert screen.case_id == case and screen.holder_line == ""

            # carol writes into the open case: it shows in alice's conversation
            await asyncio.to_thread(carol.add_message, case, "note", "Checked the depot log: the parcel left on time")

            def shown(text: str) -> bool:
                return any(text in v.text for v in screen.query(MessageView))

            await wait_for(
                pilot,
                lambda: shown("Checked the depot log: the parcel left on time"),
                "carol's message in alice's console",
            )

            # carol opens a new case: it appears in alice's case list
            second = await asyncio.to_thread(carol.new_case, "C-2002", "Wrong size")
            await wait_for(
                pilot, lambda: second in [c.id for c in screen.query_one(CaseList).cases], "the new case listed"
            )

            # alice types in the open case: she holds it, carol's console sees her
            await type_text(pilot, "Looking")
            await wait_for(pilot, lambda: carol.case_holder(case) == "alice", "alice holds the case she is typing in")
            assert await asyncio.to_thread(carol.claim_case, case) == "alice"

            # alice opens the other case: the first is released, carol claims it
            screen.open_case(second)
            await wait_for(pilot, lambda: screen.case_id == second, "the second case open")
            await wait_for(pilot, lambda: carol.case_holder(case) is None, "alice's claim released")
            assert await asyncio.to_thread(carol.claim_case, second) is None
            await wait_for(pilot, lambda: screen.holder_line == "carol is replying", "the holder line")
            await wait_for(pilot, lambda: "carol is replying" in screen_text(app), "the holder in the status bar")

            # carol releases it: the line goes
            await asyncio.to_thread(carol.release_case, second)
            await wait_for(pilot, lambda: screen.holder_line == "", "the holder line gone")

            # alice locks: the listener stops and her console reads nothing more
            await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: not alice.is_unlocked, "alice locked")
            await app.workers.wait_for_complete()
            assert screen._listener is None
    finally:
        await asyncio.to_thread(carol.lock)
        if alice.is_unlocked:
            await asyncio.to_thread(alice.lock)
