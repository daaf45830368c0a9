"""``vault migrate --to file`` on a real PostgreSQL: a team store copied into a new file vault,
killed mid-way and resumed, counted table by table, the audit chain verifying in the file vault."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from pg_server import PASSPHRASES, PgServer, new_team, server_fixture

from agentconsole import cli
from agentconsole.compliance.audit import AuditLog
from agentconsole.vault import Vault

REPO = Path(__file__).resolve().parents[2]

server = server_fixture()


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text + "\n")
    return str(path)


def _run(home: Path, *args: str) -> int:
    return cli.main(["--home", str(home), *args])


def test_a_team_store_copied_into_a_file_vault_resumes_and_verifies(server: PgServer, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target, boss = new_team(server)
    cid = boss.upsert_customer("CUST-EXIT", "Exit Customer")
    red = boss.create_case(cid, "Parcel lost", team="red")
    boss.add_message(red, "customer", "My parcel never arrived, tracking says delivered")
    boss.add_message(red, "agent", "Sorry, we will send a replacement")
    boss.add_pii_values(red, [("<PERSON_1>", "PERSON", "Ada Example")])
    boss.add_consent(cid, True, "2026-01-01T00:00:00+00:00", "boss")
    blue = boss.create_case(cid, "Wrong size", team="blue")
    boss.add_message(blue, "customer", "the shoes are two sizes too small")
    third = boss.create_case(cid, "Invoice copy", team="red")
    boss.add_message(third, "note", "sent the invoice again")
    AuditLog(boss).append("boss", "case.open", f"case:{red}")
    AuditLog(boss).append("boss", "case.open", f"case:{blue}")
    boss.lock()

    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'[vault]\nbackend = "postgres"\ndsn = "{target.dsn}"\n')
    out = tmp_path / "exit" / "vault.db"
    as_boss = ["--user", "boss", "--passphrase-file", _file(tmp_path, "boss", PASSPHRASES["boss"])]
    migrate = ["vault", "migrate", "--to", "file", "--out", str(out), *as_boss]

    # the first run is killed after one of three cases; the rerun goes on and every count matches
    env = {**os.environ, "PYTHONPATH": str(REPO), "AGENTCONSOLE_MIGRATE_CRASH_AFTER": "1"}
    killed = subprocess.run(
        [sys.executable, "-m", "agentconsole", "--home", str(home), *migrate], env=env, capture_output=True
    )
    assert killed.returncode == -signal.SIGKILL
    with Vault.unlock(out, "boss", bytearray(PASSPHRASES["boss"].encode())) as half:
        assert [c.id for c in half.list_cases()] == [red]
    capsys.readouterr()
    assert _run(home, *migrate) == 0
    printed = capsys.readouterr().out
    assert "MISMATCH" not in printed and "audit chain verifies" in printed
    for what in ("customers", "cases", "messages", "PII values", "consents", "audit entries"):
        assert what in printed

    with Vault.unlock(out, "boss", bytearray(PASSPHRASES["boss"].encode())) as fv:
        assert fv.role == "supervisor"
        assert sorted(c.id for c in fv.list_cases()) == sorted([red, blue, third])
        assert fv.list_messages(red)[0].text.startswith("My parcel")
        assert fv.search("parcel")[0].case_id == red  # the file vault's own full-text index
        assert fv.search("shoes")[0].case_id == blue
        assert [p.value for p in fv.pii_values(red)] == ["Ada Example"]
        assert [r.given for r in fv.consents_of(cid)] == [True]
        actions = [r.action for r in fv.audit_rows()]
        assert actions.count("case.open") == 2 and actions[-1] == "vault.migrate"
        assert AuditLog(fv).verify().ok  # the team's chain under the carried-over key, plus vault.migrate
        assert fv.create_case(cid, "after the exit") > third

    # a rerun after completion changes nothing and still verifies
    assert _run(home, *migrate) == 0
    assert "already" in capsys.readouterr().out


def test_only_a_supervisor_and_only_into_a_new_vault(server: PgServer, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target, boss = new_team(server)
    boss.lock()
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'[vault]\nbackend = "postgres"\ndsn = "{target.dsn}"\n')
    out = tmp_path / "vault.db"
    as_alice = ["--user", "alice", "--passphrase-file", _file(tmp_path, "alice", PASSPHRASES["alice"])]
    assert _run(home, "vault", "migrate", "--to", "file", "--out", str(out), *as_alice) == 2
    err = capsys.readouterr().err
    assert "needs a supervisor" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()

    with Vault.create(out, "boss", bytearray(PASSPHRASES["boss"].encode())) as other:
        other.upsert_customer("CUST-OWN", None)
    as_boss = ["--user", "boss", "--passphrase-file", _file(tmp_path, "boss", PASSPHRASES["boss"])]
    assert _run(home, "vault", "migrate", "--to", "file", "--out", str(out), *as_boss) != 0
    err = capsys.readouterr().err
    assert "already holds data" in err and "Traceback" not in err
