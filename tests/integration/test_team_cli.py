"""``team init``, ``team user``, ``team check`` and ``vault migrate --to postgres`` on a real PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
from pg_server import PgServer, server_fixture

from agentconsole import cli
from agentconsole.compliance.audit import AuditLog
from agentconsole.vault import Vault
from agentconsole.vault.postgres import TeamVault, parse_target

REPO = Path(__file__).resolve().parents[2]
BOSS = "boss passphrase 123"
ALICE = "alice passphrase 12"


server = server_fixture()


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text + "\n")
    return str(path)


def _run(home: Path, *args: str) -> int:
    return cli.main(["--home", str(home), *args])


def test_init_add_member_check_and_migrate_a_file_vault(server: PgServer, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    boss = ["--user", "boss", "--passphrase-file", _file(tmp_path, "boss", BOSS)]
    # a file vault with a customer, a case, messages, PII values, consent and audit entries
    assert _run(home, "init", *boss) == 0
    with Vault.unlock(home / "vault.db", "boss", bytearray(BOSS.encode())) as fv:
        cid = fv.upsert_customer("CUST-MIG", "Migrated Customer")
        case = fv.create_case(cid, "Parcel lost")
        fv.add_message(case, "customer", "My parcel never arrived, tracking says delivered")
        fv.add_message(case, "agent", "Sorry, we will send a replacement")
        fv.add_pii_values(case, [("<PERSON_1>", "PERSON", "Ada Example")])
        fv.add_consent(cid, True, "2026-01-01T00:00:00+00:00", "boss")
        for title in ("second case", "third case"):
            fv.add_message(fv.create_case(cid, title), "customer", f"about the {title}")
        AuditLog(fv).append("boss", "case.open", f"case:{case}")
    server.create_database("team_cli")
    capsys.readouterr()
    assert _run(home, "team", "init", "--dsn", server.admin_dsn("team_cli"), "--team", "red", *boss) == 0
    out = capsys.readouterr().out
    assert 'backend = "postgres"' in out and "dsn = " in out and "password" not in out.lower()
    dsn = server.team_dsn("team_cli")
    (home / "config.toml").write_text(f'[vault]\nbackend = "postgres"\ndsn = "{dsn}"\n')

    # the first run is killed after two of three cases; the rerun goes on and every count matches
    env = {**os.environ, "PYTHONPATH": str(REPO), "AGENTCONSOLE_MIGRATE_CRASH_AFTER": "2"}
    killed = subprocess.run(
        [sys.executable, "-m", "agentconsole", "--home", str(home), "vault", "migrate", "--to", "postgres", *boss],
        env=env,
        capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL
    target = parse_target(dsn)
    with TeamVault.unlock(target, "boss", bytearray(BOSS.encode())) as team:
        assert len(team.list_cases()) == 2
    capsys.readouterr()
    assert _run(home, "vault", "migrate", "--to", "postgres", *boss) == 0
    out = capsys.readouterr().out
    assert "MISMATCH" not in out and "audit chain verifies" in out
    for what in ("customers", "cases", "messages", "PII values", "consents", "audit entries"):
        assert what in out
    with TeamVault.unlock(target, "boss", bytearray(BOSS.encode())) as team:
        assert team.list_messages(case)[0].text.startswith("My parcel")
        assert len(team.list_cases()) == 3
        assert team.search("parcel")[0].case_id == case
        assert [p.value for p in team.pii_values(case)] == ["Ada Example"]
        assert AuditLog(team).verify().ok  # the file vault's chain, carried over, plus vault.migrate
        new_case = team.create_case(cid, "after the migration")  # ids continue above the copied ones
        assert new_case > case
    # a rerun after completion changes nothing and still verifies
    assert _run(home, "vault", "migrate", "--to", "postgres", *boss) == 0
    assert "already" in capsys.readouterr().out

    new = ["--new-passphrase-file", _file(tmp_path, "alice", ALICE)]
    assert _run(home, "team", "user", "add", "alice", "--role", "agent", "--team", "red", *boss, *new) == 0
    capsys.readouterr()
    assert _run(home, "team", "user", "list", *boss) == 0
    listing = capsys.readouterr().out
    assert "alice" in listing and "agent" in listing
    assert _run(home, "team", "check", *boss) == 0
    assert capsys.readouterr().out.startswith("OK:")
    with psycopg.connect(server.admin_dsn("team_cli"), autocommit=True) as dba:
        dba.execute("UPDATE ac.cases SET title = set_byte(title, 25, get_byte(title, 25) # 4) WHERE id = %s", (case,))
    assert _run(home, "team", "check", *boss) == 1
    assert f"cases.title of row {case} does not verify" in capsys.readouterr().out


def test_wrong_passphrase_is_one_line_and_exit_code(server: PgServer, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    server.create_database("team_cli2")
    boss = ["--user", "boss", "--passphrase-file", _file(tmp_path, "boss", BOSS)]
    assert _run(home, "team", "init", "--dsn", server.admin_dsn("team_cli2"), *boss) == 0
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(f'[vault]\nbackend = "postgres"\ndsn = "{server.team_dsn("team_cli2")}"\n')
    capsys.readouterr()
    wrong = ["--user", "boss", "--passphrase-file", _file(tmp_path, "wrong", "not the passphrase")]
    assert _run(home, "team", "user", "list", *wrong) != 0
    err = capsys.readouterr().err
    assert "wrong passphrase or user name" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
