"""``team rekey`` on a real PostgreSQL: killed mid-way and resumed, every cell under the new key,
slots rewrapped with it only, search tokens recomputed, the old key reading nothing any more."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from pg_server import PASSPHRASES, PgServer, new_team, server_fixture, unlock

from agentconsole import cli
from agentconsole.compliance.audit import AuditLog
from agentconsole.vault.errors import VaultTampered
from agentconsole.vault.postgres.crypto import RowCipher

REPO = Path(__file__).resolve().parents[2]

server = server_fixture()

_KILLED_REKEY = """
import sys
sys.path.insert(0, {tests!r})
from pg_server import unlock
from agentconsole.vault.postgres import parse_target, rekey
rekey.BATCH = 2  # several batches per table: the kill lands inside the messages
rekey.rekey_team(unlock(parse_target({dsn!r}), "boss"), {admin!r})
"""


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text + "\n")
    return str(path)


def _info(admin: psycopg.Connection) -> dict[str, str]:  # type: ignore[type-arg]
    return dict(admin.execute("SELECT key, value FROM ac.team_info").fetchall())


def test_rekey_killed_mid_way_resumes_and_retires_the_old_key(server: PgServer, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target, boss = new_team(server)
    admin_dsn = server.admin_dsn(target.dbname)
    cid = boss.upsert_customer("CUST-REKEY", "Rekey Customer")
    cases = [boss.create_case(cid, f"case {n}", team="red") for n in range(3)]
    for n in range(5):
        boss.add_message(cases[n % 3], "customer", f"parcel number {n} never arrived")
    boss.add_pii_values(cases[0], [("<PERSON_1>", "PERSON", "Ada Example")])
    AuditLog(boss).append("boss", "case.open", f"case:{cases[0]}")
    old_key = bytes(boss._data_keys[1])
    first = boss.list_messages(cases[0])[0].id
    admin = psycopg.connect(admin_dsn, autocommit=True)
    tokens_before = {
        bytes(r[0]) for r in admin.execute("SELECT token FROM ac.search_tokens WHERE message_id = %s", (first,))
    }
    ref_token_before = bytes(admin.execute("SELECT ref_token FROM ac.customers WHERE id = %s", (cid,)).fetchone()[0])
    boss.lock()

    # a console still unlocked with the old key: the rekey is refused (one line, no traceback)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'[vault]\nbackend = "postgres"\ndsn = "{target.dsn}"\n')
    as_boss = ["--user", "boss", "--passphrase-file", _file(tmp_path, "boss", PASSPHRASES["boss"])]
    with unlock(target, "alice"):
        capsys.readouterr()
        assert cli.main(["--home", str(home), "team", "rekey", "--dsn", admin_dsn, *as_boss]) != 0
        err = capsys.readouterr().err
        assert "other console(s)" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "pending_generation" not in _info(admin)

    # killed after four batches: customers and cases done, the messages half-way
    code = _KILLED_REKEY.format(tests=str(REPO / "tests"), dsn=target.dsn, admin=admin_dsn)
    env = {**os.environ, "PYTHONPATH": str(REPO), "AGENTCONSOLE_REKEY_CRASH_AFTER": "4"}
    killed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    info = _info(admin)
    assert info["pending_generation"] == "2" and info["generation"] == "1"
    assert info["rekey_progress"].startswith("messages:") and info["rekey_progress"] != "messages:0"

    # mid-rekey a console opens both keys, reads everything and writes under the new key
    with unlock(target, "alice") as alice:
        assert sorted(m.text for c in cases for m in alice.list_messages(c))[0] == "parcel number 0 never arrived"
        late = alice.add_message(cases[1], "agent", "written during the rekey")

    capsys.readouterr()
    assert cli.main(["--home", str(home), "team", "rekey", "--dsn", admin_dsn, *as_boss]) == 0
    out = capsys.readouterr().out
    assert "resuming the rekey to generation 2" in out and "rekeyed" in out

    info = _info(admin)
    assert info["generation"] == "2" and "pending_generation" not in info and "rekey_progress" not in info
    for (slot,) in admin.execute("SELECT slot FROM ac.members"):
        assert list(json.loads(slot)["data_keys"]) == ["2"]  # the old key is in no slot any more
    generation_2 = (2).to_bytes(4, "big")
    for table, column in (
        ("customers", "ref"),
        ("cases", "title"),
        ("messages", "text"),
        ("pii_values", "value"),
        ("audit_entries", "details"),
        ("team_meta", "value"),
    ):
        gens = {
            bytes(r[0])
            for r in admin.execute(
                f"SELECT substring({column} from 2 for 4) FROM ac.{table} WHERE {column} IS NOT NULL"
            )
        }
        assert gens == {generation_2}, table
    blob = admin.execute("SELECT text FROM ac.messages WHERE id = %s", (first,)).fetchone()[0]
    with pytest.raises(VaultTampered):  # someone who kept the old data key reads nothing re-encrypted
        RowCipher(info["database_id"], {1: old_key}, 1).open("messages", "text", first, blob)
    tokens_after = {
        bytes(r[0]) for r in admin.execute("SELECT token FROM ac.search_tokens WHERE message_id = %s", (first,))
    }
    assert tokens_after and not tokens_after & tokens_before  # recomputed under a new index key
    assert (
        bytes(admin.execute("SELECT ref_token FROM ac.customers WHERE id = %s", (cid,)).fetchone()[0])
        != ref_token_before
    )
    admin.close()

    with unlock(target, "boss") as fresh:
        assert fresh.generation == 2
        assert len(fresh.search("parcel")) == 5 and fresh.search("rekey")[0].message_id == late
        assert fresh.upsert_customer("CUST-REKEY") == cid  # the reference token still finds the customer
        assert [p.value for p in fresh.pii_values(cases[0])] == ["Ada Example"]
        actions = [r.action for r in fresh.audit_rows()]
        assert actions[-1] == "vault.rekey"
        assert AuditLog(fresh).verify().ok  # the MAC key is not the data key: the chain verifies unchanged
    with unlock(target, "alice") as alice:
        assert alice.list_messages(cases[1])[-1].text == "written during the rekey"
    assert cli.main(["--home", str(home), "team", "check", *as_boss]) == 0
