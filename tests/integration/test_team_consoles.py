"""Many consoles on one team store (real PostgreSQL): shared cases, soft locks, live updates,
a killed client, a restarted server, one audit chain from every console."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pg_server import PgServer, new_team, server_fixture, unlock

from agentconsole.compliance.audit import AuditLog
from agentconsole.vault.postgres import Change

REPO = Path(__file__).resolve().parents[2]


server = server_fixture()


@pytest.fixture(scope="module")
def team(server: PgServer):  # type: ignore[no-untyped-def]
    target, boss = new_team(server)
    yield target, boss
    boss.lock()


class Inbox:
    """Collects changes from a listener thread; ``wait_for`` blocks on a predicate (no sleeps)."""

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self._cond = threading.Condition()

    def __call__(self, change: Change) -> None:
        with self._cond:
            self.changes.append(change)
            self._cond.notify_all()

    def wait_for(self, wanted: Change, timeout: float = 30.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: wanted in self.changes, timeout)


def test_two_consoles_on_one_case(team) -> None:  # type: ignore[no-untyped-def]
    target, boss = team
    case = boss.create_case(boss.upsert_customer("CUST-TWO"), "shared case", team="red")
    with unlock(target, "alice") as alice, unlock(target, "carol") as carol:
        inbox = Inbox()
        listener = alice.listen(inbox)
        try:
            assert alice.claim_case(case) is None
            assert carol.case_holder(case) == "alice"
            assert carol.claim_case(case) == "alice"  # "alice is replying"
            assert inbox.wait_for(Change("case", case))
            carol.add_message(case, "note", "I will take the next one")
            assert inbox.wait_for(Change("message", case))
            assert [m.text for m in alice.list_messages(case)] == ["I will take the next one"]
            alice.add_message(case, "agent", "Reply from alice")
            assert [m.text for m in carol.list_messages(case)][-1] == "Reply from alice"
            alice.release_case(case)
            assert carol.case_holder(case) is None and carol.claim_case(case) is None
        finally:
            listener.stop()


_KILLED_CLIENT = """
import os, sys
sys.path.insert(0, {tests!r})
from pg_server import unlock
from agentconsole.vault.postgres import parse_target
from agentconsole.compliance.audit import AuditLog
v = unlock(parse_target({dsn!r}), "alice")
with v.transaction():
    v.add_message({case}, "agent", "never committed")
    v.claim_case({case})
    v.last_audit_row()  # holds the audit chain's advisory lock
    print("inside", flush=True)
    sys.stdin.readline()
"""


def test_a_killed_client_mid_transaction_leaves_nothing_and_holds_nothing(team) -> None:  # type: ignore[no-untyped-def]
    target, boss = team
    case = boss.create_case(boss.upsert_customer("CUST-KILL"), "kill", team="red")
    code = _KILLED_CLIENT.format(tests=str(REPO / "tests"), dsn=target.dsn, case=case)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "inside"
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    # the server rolled the dead client's transaction back and dropped its locks
    assert boss.list_messages(case) == []
    assert boss.case_holder(case) is None
    AuditLog(boss).append("boss", "case.open", f"case:{case}")  # the advisory lock is free
    boss.set_case_title(case, "still editable")


def test_server_restart_mid_session(team, server: PgServer) -> None:  # type: ignore[no-untyped-def]
    target, boss = team
    case = boss.create_case(boss.upsert_customer("CUST-RESTART"), "restart", team="red")
    with unlock(target, "alice") as alice:
        inbox = Inbox()
        listener = alice.listen(inbox)
        try:
            alice.add_message(case, "agent", "before the restart")
            server.restart()
            alice.add_message(case, "agent", "after the restart")  # the pool reconnects on checkout
            assert [m.text for m in alice.list_messages(case)] == ["before the restart", "after the restart"]
            assert inbox.wait_for(Change("resync", None))  # the listener reconnected and says so
            boss.add_message(case, "note", "seen live again")
            assert inbox.wait_for(Change("message", case))
        finally:
            listener.stop()


def test_audit_chain_is_one_serialized_order_across_consoles(team) -> None:  # type: ignore[no-untyped-def]
    target, boss = team
    consoles = [unlock(target, name) for name in ("alice", "carol", "bob")]
    errors: list[BaseException] = []

    def write(console, name: str) -> None:  # type: ignore[no-untyped-def]
        try:
            log = AuditLog(console)
            for i in range(15):
                log.append(name, "case.note", f"case:{i}", {"i": i})
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(c, n)) for c, n in zip(consoles, ("alice", "carol", "bob"), strict=True)
    ]
    threads += [threading.Thread(target=write, args=(consoles[0], "alice"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in consoles:
        c.lock()
    assert errors == []
    verification = AuditLog(boss).verify()
    assert verification.ok, verification.describe()
    seqs = [r.seq for r in boss.audit_rows()]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 60
