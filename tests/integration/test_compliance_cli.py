"""The compliance commands end to end: real vault, real files, roles enforced through the service."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cli_users import PASSWORDS, home_with_users, run

from agentconsole.cli import main
from agentconsole.config import load_settings
from agentconsole.service import ConsoleService
from agentconsole.vault import Vault


@pytest.fixture
def home(agentconsole_home: Path, tmp_path: Path) -> Path:
    def seed(vault: Vault) -> None:
        case = vault.create_case(vault.upsert_customer("C1"), "Refund for <PERSON_1>")
        vault.add_message(case, "customer", "I am <PERSON_1>")
        vault.add_pii_values(case, [("<PERSON_1>", "PERSON", "Grace Hopper")])

    return home_with_users(agentconsole_home, tmp_path, seed)


def test_consent_export_erase_and_verify(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, tmp_path, "ann", "consent", "give", "--customer", "C1") == 0
    assert "consent to AI processing given" in capsys.readouterr().out
    assert run(home, tmp_path, "ann", "consent", "show", "--customer", "C1") == 0
    assert "by ann" in capsys.readouterr().out

    out = tmp_path / "c1.md"
    assert run(home, tmp_path, "sue", "export", "--customer", "C1", "--format", "md", "--out", str(out)) == 0
    assert "Grace Hopper" in out.read_text() and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "Grace Hopper" not in capsys.readouterr().out
    assert run(home, tmp_path, "sue", "export", "--customer", "C1") == 0
    assert json.loads(capsys.readouterr().out)["cases"][0]["messages"][0]["text"] == "I am Grace Hopper"

    anchor = tmp_path / "anchor.json"
    assert run(home, tmp_path, "aud", "audit", "anchor", "--out", str(anchor)) == 0
    assert json.loads(anchor.read_text())["format"] == "agentconsole-audit-anchor"
    capsys.readouterr()

    assert run(home, tmp_path, "sue", "erase", "--customer", "C1", "--yes") == 0
    assert "erased customer C1: 1 cases, 1 messages, 1 PII values, 1 consent records" in capsys.readouterr().out
    assert run(home, tmp_path, "sue", "export", "--customer", "C1") == 1
    assert "no customer 'C1'" in capsys.readouterr().err

    assert run(home, tmp_path, "aud", "audit", "verify", "--anchor", str(anchor)) == 0
    assert capsys.readouterr().out.startswith("OK:")
    assert run(home, tmp_path, "aud", "audit", "show", "--action", "erase") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "customer:C1" in lines[0] and "Grace" not in lines[0]
    assert run(home, tmp_path, "aud", "audit", "show", "--actor", "ann", "--json") == 0
    actions = [json.loads(line)["action"] for line in capsys.readouterr().out.splitlines()]
    assert "consent.give" in actions and all(a != "export" for a in actions)


def test_roles_are_enforced_for_commands(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for user, args in [
        ("ann", ("export", "--customer", "C1")),
        ("ann", ("erase", "--customer", "C1", "--yes")),
        ("ann", ("retention", "run")),
        ("ann", ("audit", "verify")),
        ("aud", ("consent", "give", "--customer", "C1")),
        ("aud", ("export", "--customer", "C1")),
    ]:
        assert run(home, tmp_path, user, *args) == 3
        err = capsys.readouterr().err
        assert "is not allowed to" in err and "Traceback" not in err
    assert run(home, tmp_path, "sue", "audit", "show", "--action", "denied") == 0
    assert len(capsys.readouterr().out.splitlines()) == 6


def test_retention_dry_run_and_tamper_detection(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, tmp_path, "sue", "retention", "run", "--dry-run") == 0
    assert "dry run" in capsys.readouterr().out
    service = ConsoleService(load_settings(home))
    service.unlock("sue", bytearray(PASSWORDS["sue"].encode()))
    try:
        with service.require("work_cases").transaction() as conn:
            conn.execute("UPDATE audit_entries SET actor = 'nobody' WHERE seq = 2")
    finally:
        service.lock()
    assert run(home, tmp_path, "aud", "audit", "verify") == 1
    assert capsys.readouterr().out.startswith("BROKEN at entry 2:")


def test_failed_unlock_shows_up_in_the_audit_log(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "wrong.pass").write_text("not it\n")
    code = main(
        ["--home", str(home), "audit", "show", "--user", "ann", "--passphrase-file", str(tmp_path / "wrong.pass")]
    )
    assert code != 0
    assert "wrong passphrase" in capsys.readouterr().err.lower()
    assert run(home, tmp_path, "aud", "audit", "show", "--action", "unlock.failed") == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert "user:ann" in line and "not it" not in line


def test_bad_anchor_file_is_a_clear_error(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert run(home, tmp_path, "aud", "audit", "verify", "--anchor", str(bad)) == 2
    assert "anchor" in capsys.readouterr().err
    assert run(home, tmp_path, "aud", "audit", "verify", "--anchor", str(tmp_path / "missing.json")) == 2
