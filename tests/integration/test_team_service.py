"""The console service on a team store (``[vault] backend = "postgres"``): real PostgreSQL, real Presidio.

Two services (two consoles) as two agents of one team: a case opened and a customer
message masked by one is read by the other; the soft lock and the audit log work
through the service; the raw PII values reach the server only as ciphertext.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pg_server import PgServer, new_team, passphrase, server_fixture

from agentconsole.compliance.audit import AuditLog
from agentconsole.config import load_settings
from agentconsole.service import ConsoleService

NAME, EMAIL = "Marta Kowalczyk", "marta.kowalczyk@example.net"


server = server_fixture()


@pytest.fixture(scope="module")
def privacy():  # type: ignore[no-untyped-def]
    from agentconsole.config import Settings
    from agentconsole.privacy import PrivacyEngine

    return PrivacyEngine.from_settings(Settings().privacy)


def _console(home: Path, dsn: str, privacy) -> ConsoleService:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[vault]\nbackend = "postgres"\ndsn = "{dsn}"\npool_size = 2\n')
    return ConsoleService(load_settings(home), privacy=privacy)


def test_two_consoles_share_a_masked_case_through_the_service(server: PgServer, tmp_path: Path, privacy) -> None:  # type: ignore[no-untyped-def]
    target, boss = new_team(server)
    alice = _console(tmp_path / "alice", target.dsn, privacy)
    carol = _console(tmp_path / "carol", target.dsn, privacy)
    assert alice.vault_exists()
    alice.unlock("alice", passphrase("alice"))
    carol.unlock("carol", passphrase("carol"))
    try:
        assert alice.is_team and alice.role == "agent"
        case = alice.new_case("C-1042", "Refund request")
        alice.add_message(case, "customer", f"Hi, this is {NAME}, mail me at {EMAIL}.")
        seen = carol.messages(case)
        assert len(seen) == 1 and NAME not in seen[0].text and EMAIL not in seen[0].text
        assert NAME in carol.reveal(case, seen[0].id)
        assert alice.claim_case(case) is None
        assert carol.case_holder(case) == "alice" and carol.claim_case(case) == "alice"
        assert [c.id for c in carol.list_cases()] == [case]
        carol.passwd(passphrase("carol"), bytearray(b"carol passphrase 2"))  # new slot and database password
    finally:
        alice.lock()
        carol.lock()
    carol.unlock("carol", bytearray(b"carol passphrase 2"))
    carol.lock()
    actions = [r.action for r in boss.audit_rows()]
    assert {"unlock", "case.create", "case.claim", "user.passwd"} <= set(actions)
    assert AuditLog(boss).verify().ok
    dump = server.pg_dump(target.dbname)
    assert NAME.encode() not in dump and EMAIL.encode() not in dump
    boss.lock()
