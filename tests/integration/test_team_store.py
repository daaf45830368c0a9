"""The team store on a real PostgreSQL server: the file vault's operations, roles and RLS, TLS.

The server is started by the test (tests/pg_server.py: initdb + pg_ctl, TLS from a
throwaway CA); nothing is mocked.
"""

from __future__ import annotations

import psycopg
import pytest
from pg_server import PgServer, new_team, passphrase, server_fixture, unlock

from agentconsole.compliance.audit import AuditLog
from agentconsole.vault import PassphraseChangeRequired, RecordNotFound, VaultError, WrongPassphrase
from agentconsole.vault.postgres import TeamPermissionDenied, TeamServerError, TeamVault, VersionConflict, parse_target
from agentconsole.vault.postgres.connect import connect_kwargs, login_password

server = server_fixture()


@pytest.fixture(scope="module")
def team(server: PgServer):  # type: ignore[no-untyped-def]
    target, boss = new_team(server)
    yield target, boss
    boss.lock()


def test_operations_match_the_file_vault(team) -> None:  # type: ignore[no-untyped-def]
    _, boss = team
    cid = boss.upsert_customer("CUST-OPS", None)
    assert boss.upsert_customer("CUST-OPS", "Display") == cid
    assert boss.get_customer("CUST-OPS").display_name == "Display"
    case = boss.create_case(cid, "Refund for <PERSON_1>")
    first = boss.add_message(case, "customer", "Mon café est froid, remboursement svp")
    boss.add_message(case, "assistant", "Draft reply", model="m", kind="reply", question="why?", prompt_tokens=3)
    boss.add_pii_values(case, [("<PERSON_1>", "PERSON", "Ada Example"), ("<PERSON_1>", "PERSON", "other")])
    got = boss.get_case(case)
    assert (got.title, got.customer_ref, got.status, got.message_count) == (
        "Refund for <PERSON_1>",
        "CUST-OPS",
        "open",
        2,
    )
    messages = boss.list_messages(case)
    assert messages[0].id == first and messages[1].question == "why?" and messages[1].kind == "reply"
    assert [(p.placeholder, p.value) for p in boss.pii_values(case)] == [("<PERSON_1>", "Ada Example")]
    hits = boss.search("CAFE rembourse*")
    assert [h.message_id for h in hits] == [first]
    assert "\x02café\x03" in hits[0].snippet and "\x02remboursement\x03" in hits[0].snippet
    assert boss.search("cafe nowhere") == []
    boss.set_case_status(case, "pending")
    assert [c.id for c in boss.list_cases(status="pending")] == [case]
    assert boss.customer_case_ids(cid) == [case]
    boss.add_consent(cid, True, "2026-01-01T00:00:00+00:00", "boss")
    assert [c.given for c in boss.consents_of(cid)] == [True]
    holdings = boss.customer_holdings(cid)
    assert (holdings.case_ids, holdings.messages, holdings.pii_values, holdings.consents) == ((case,), 2, 1, 1)
    with pytest.raises(RecordNotFound):
        boss.add_message(999_999, "customer", "x")
    with pytest.raises(RecordNotFound):
        boss.get_case(999_999)


def test_retention_and_erasure(team) -> None:  # type: ignore[no-untyped-def]
    _, boss = team
    cid = boss.upsert_customer("CUST-ERASE")
    case = boss.create_case(cid, "t")
    boss.add_message(case, "customer", "text", raw_text="raw", created_at="2020-01-01T00:00:00+00:00")
    boss.add_pii_values(case, [("<EMAIL_1>", "EMAIL", "a@example.org")])
    future = "2999-01-01T00:00:00+00:00"
    before = boss.retention_candidates(future, "2000-01-01T00:00:00+00:00")
    assert before.raw_texts >= 1 and before.pii_values >= 1
    assert boss.expire_raw_texts(future) >= 1 and boss.expire_pii_values(future) >= 1
    assert [p.value for p in boss.pii_values(case)] == ["<EMAIL_1>"]
    boss.delete_customer(cid)
    assert boss.get_customer("CUST-ERASE") is None
    with pytest.raises(RecordNotFound):
        boss.get_case(case)


def test_audit_chain_on_the_team_store_verifies(team) -> None:  # type: ignore[no-untyped-def]
    target, boss = team
    log = AuditLog(boss)
    log.append("boss", "case.open", "case:1", {"note": "opened"})
    with unlock(target, "alice") as alice:
        AuditLog(alice).append("alice", "pii.reveal", "case:1", {"placeholder": "<PERSON_1>"})
    assert log.verify().ok


def test_agent_connection_reaches_only_its_team(team, server: PgServer) -> None:  # type: ignore[no-untyped-def]
    target, boss = team
    cid = boss.upsert_customer("CUST-RLS")
    red = boss.create_case(cid, "red case", team="red")
    blue = boss.create_case(cid, "blue case", team="blue")
    boss.add_message(blue, "customer", "blue secret words")
    with unlock(target, "alice") as alice:
        seen = {c.id for c in alice.list_cases()}
        assert red in seen and blue not in seen
        with pytest.raises(RecordNotFound):
            alice.get_case(blue)
        assert alice.list_messages(blue) == [] and alice.search("secret") == []
        with pytest.raises(RecordNotFound):
            alice.add_message(blue, "agent", "sneaking in")
        with pytest.raises(VaultError):
            alice.create_case(cid, "for blue", team="blue")
    # the agent's own database login, outside agentconsole: RLS and grants still hold
    login = target.login_role("alice")
    kwargs = connect_kwargs(target, login, login_password(target, "alice", passphrase("alice")))
    with psycopg.connect(target.dsn, autocommit=True, **kwargs) as raw:
        assert raw.execute("SELECT count(*) FROM ac.cases WHERE team = 'blue'").fetchone() == (0,)
        assert raw.execute("SELECT count(*) FROM ac.messages WHERE case_id = %s", (blue,)).fetchone() == (0,)
        assert raw.execute("SELECT count(*) FROM ac.members").fetchone() == (1,)
        for statement in (
            "DELETE FROM ac.cases",
            "UPDATE ac.audit_entries SET actor = 'x'",
            "DELETE FROM ac.audit_entries",
            "UPDATE ac.members SET role = 'supervisor'",
            "SELECT ac.create_login('x', 'supervisor', 'x')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                raw.execute(statement)
    with unlock(target, "bob") as bob:
        assert {c.id for c in bob.list_cases()} >= {blue} and red not in {c.id for c in bob.list_cases()}
    with unlock(target, "audrey") as audrey, pytest.raises(TeamPermissionDenied, match="refused"):
        audrey.list_cases()


def test_optimistic_concurrency_refuses_a_stale_edit(team) -> None:  # type: ignore[no-untyped-def]
    target, boss = team
    case = boss.create_case(boss.upsert_customer("CUST-VER"), "v1")
    with unlock(target, "alice") as alice:
        version = alice.case_version(case)
        boss.set_case_title(case, "boss edit", expected_version=version)
        with pytest.raises(VersionConflict):
            alice.set_case_title(case, "alice edit", expected_version=version)
        alice.set_case_title(case, "alice edit", expected_version=alice.case_version(case))
    assert boss.get_case(case).title == "alice edit"


def test_users_passwd_and_reset(team) -> None:  # type: ignore[no-untyped-def]
    target, boss = team
    boss.add_user("dave", "agent", bytearray(b"dave passphrase 1"), team="red")
    with pytest.raises(VaultError, match="already exists"):
        boss.add_user("DAVE", "agent", bytearray(b"dave passphrase 1"))
    TeamVault.change_passphrase(target, "dave", bytearray(b"dave passphrase 1"), bytearray(b"dave passphrase 2"))
    with pytest.raises(WrongPassphrase):
        TeamVault.unlock(target, "dave", bytearray(b"dave passphrase 1"))
    TeamVault.unlock(target, "dave", bytearray(b"dave passphrase 2")).lock()
    boss.reset_passphrase("dave", bytearray(b"one time passphrase"))
    with pytest.raises(PassphraseChangeRequired, match="reset the passphrase of dave"):
        TeamVault.unlock(target, "dave", bytearray(b"one time passphrase"))
    TeamVault.change_passphrase(target, "dave", bytearray(b"one time passphrase"), bytearray(b"dave passphrase 3"))
    TeamVault.unlock(target, "dave", bytearray(b"dave passphrase 3")).lock()
    boss.remove_user("dave")
    with pytest.raises(WrongPassphrase):
        TeamVault.unlock(target, "dave", bytearray(b"dave passphrase 3"))
    with pytest.raises(VaultError, match="at least one supervisor"):
        boss.remove_user("boss")


def test_tls_is_verified_and_weak_settings_are_refused(team, server: PgServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pg_server import make_ca_and_server_cert

    target, _ = team
    other_ca, _, _ = make_ca_and_server_cert(tmp_path)
    wrong = parse_target(target.dsn.replace(str(server.ca_path), str(other_ca)))
    with pytest.raises(TeamServerError, match="does not verify"):
        unlock(wrong, "alice")
    with pytest.raises(TeamServerError, match="verify-full"):
        parse_target("postgresql://db.example.org/team?sslmode=require")
    with pytest.raises(TeamServerError, match="CA bundle"):
        parse_target("postgresql://db.example.org/team")
    with pytest.raises(TeamServerError, match="name the team database"):
        parse_target("postgresql://localhost/")


def test_server_host_must_be_allowed_by_the_egress_guard(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from agentconsole import airgap
    from agentconsole.vault.postgres.connect import checked_address

    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    target = parse_target(f"postgresql://10.9.8.7/team?sslmode=verify-full&sslrootcert={ca}")
    monkeypatch.setattr(airgap, "is_active", lambda: True)
    with pytest.raises(TeamServerError, match="not allowed by the egress guard"):
        checked_address(target)


def test_wrong_passphrase_is_one_message(team) -> None:  # type: ignore[no-untyped-def]
    target, _ = team
    with pytest.raises(WrongPassphrase, match="wrong passphrase or user name"):
        TeamVault.unlock(target, "alice", bytearray(b"not her passphrase"))
    with pytest.raises(WrongPassphrase, match="wrong passphrase or user name"):
        TeamVault.unlock(target, "nobody", bytearray(b"not her passphrase"))


def test_doctor_checks_server_tls_grants_and_clock(team, server: PgServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from agentconsole.config import parse_settings
    from agentconsole.doctor import DoctorOptions
    from agentconsole.doctor.team_check import check_team_store

    target, _ = team
    settings = parse_settings({"vault": {"backend": "postgres", "dsn": target.dsn}}, home=tmp_path)
    rows = {r.check: r for r in check_team_store(settings, DoctorOptions())}
    assert rows["team server"].status == "ok"
    rows = {r.check: r for r in check_team_store(settings, DoctorOptions(user="alice", passphrase=passphrase("alice")))}
    assert {name: r.status for name, r in rows.items()} == {
        "team server": "ok",
        "team server version": "ok",
        "team TLS": "ok",
        "team row security": "ok",
        "team grants": "ok",
        "team clock skew": "ok",
    }, rows
    assert "TLS" in rows["team TLS"].detail
    with psycopg.connect(server.admin_dsn(target.dbname), autocommit=True) as dba:
        dba.execute(f'GRANT DELETE ON ac.cases TO "{target.dbname}_agent"')
        try:
            rows = {
                r.check: r
                for r in check_team_store(settings, DoctorOptions(user="alice", passphrase=passphrase("alice")))
            }
            assert rows["team grants"].status == "FAIL" and "DELETE on ac.cases" in rows["team grants"].detail
        finally:
            dba.execute(f'REVOKE DELETE ON ac.cases FROM "{target.dbname}_agent"')
    stopped = parse_settings(
        {"vault": {"backend": "postgres", "dsn": target.dsn.replace(str(target.port), "1")}}, home=tmp_path
    )
    assert [r.status for r in check_team_store(stopped, DoctorOptions())] == ["FAIL"]
