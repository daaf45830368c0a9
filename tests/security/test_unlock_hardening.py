"""Unlock attempts: attribution, one message for unknown users, back-off across processes,
a tamper-evident failure record, recovered rekeys, passphrase resets, unique names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentconsole import cli
from agentconsole.compliance import failed_unlocks, unlock_backoff
from agentconsole.config import load_settings
from agentconsole.service import ConsoleService, UnlockThrottled
from agentconsole.vault import PassphraseChangeRequired, VaultError, WrongPassphrase, keys_path_for, keyslots
from agentconsole.vault.store import CRASH_ENV

ALICE = b"alice-unlock-passphrase"
CAROL = b"carol-unlock-passphrase"


@pytest.fixture
def home(agentconsole_home: Path) -> Path:
    service = ConsoleService(load_settings(agentconsole_home))
    service.create_vault("alice", bytearray(ALICE))
    service.user_add("carol", "supervisor", bytearray(CAROL))
    service.lock()
    return agentconsole_home


def _service(home: Path) -> ConsoleService:
    return ConsoleService(load_settings(home))


def _fail(home: Path, user: str) -> str:
    with pytest.raises(WrongPassphrase) as info:
        _service(home).unlock(user, bytearray(b"not-the-passphrase"))
    return info.value.message


def _entries(home: Path, action: str) -> list:
    service = _service(home)
    service.unlock("carol", bytearray(CAROL))
    try:
        return service.audit_entries(action=action)
    finally:
        service.lock()


def test_failed_unlocks_are_attributed_to_the_name_tried(home: Path) -> None:
    _fail(home, "alice")
    _fail(home, "nobody")
    failures = _entries(home, "unlock.failed")
    assert [(e.actor, e.subject) for e in failures] == [("alice", "user:alice"), ("unknown", "user:unknown")]
    assert all("nobody" not in json.dumps(e.as_json()) for e in failures)  # a mistyped secret is not kept


def test_unknown_user_and_wrong_passphrase_say_the_same(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spent: list[int] = []
    real = keyslots.derive_kek
    monkeypatch.setattr(keyslots, "derive_kek", lambda p, params: spent.append(params.memory_kib) or real(p, params))
    assert _fail(home, "alice") == _fail(home, "nobody") == "wrong passphrase or user name"
    assert len(spent) == 2 and spent[0] == spent[1]  # the unknown name pays the same Argon2id


def test_cli_says_the_same_for_an_unknown_user(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "p"
    secret.write_text("not-the-passphrase\n")
    messages = []
    for user in ("alice", "nobody"):
        assert cli.main(["user", "list", "--user", user, "--passphrase-file", str(secret)]) == 1
        messages.append(capsys.readouterr().err)
    assert messages[0] == messages[1] == "agentconsole: error: wrong passphrase or user name\n"


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now


def test_back_off_grows_per_name_and_is_audited(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(unlock_backoff, "time", clock)
    for _ in range(unlock_backoff.FREE_FAILURES):
        _fail(home, "alice")
    assert unlock_backoff.wait_left(home, "alice") == 0
    _fail(home, "alice")  # the first one that costs a delay
    assert unlock_backoff.wait_left(home, "alice") == 1
    with pytest.raises(UnlockThrottled, match="try again in 1 s"):  # even with the right passphrase
        _service(home).unlock("alice", bytearray(ALICE))
    clock.now += 1
    _fail(home, "alice")
    assert unlock_backoff.wait_left(home, "alice") == 2
    # Unknown names are throttled the same way, with the same words; other names are not affected.
    for _ in range(unlock_backoff.FREE_FAILURES + 1):
        _fail(home, "nobody")
    with pytest.raises(UnlockThrottled, match="^too many failed attempts for this user name: try again in 1 s$"):
        _service(home).unlock("nobody", bytearray(b"x"))
    throttled = _entries(home, "unlock.throttled")  # carol is not throttled
    assert [e.actor for e in throttled] == ["alice", "unknown"]
    backoffs = [e.details.get("backoff_s", 0) for e in _entries(home, "unlock.failed") if e.actor == "alice"]
    assert backoffs == [0] * unlock_backoff.FREE_FAILURES + [1, 2]
    clock.now += 2
    service = _service(home)
    service.unlock("alice", bytearray(ALICE))  # success clears the name
    service.lock()
    assert unlock_backoff.wait_left(home, "alice") == 0


def test_back_off_holds_across_processes(home: Path) -> None:
    for _ in range(10):  # as left by earlier failures in other processes
        unlock_backoff.failed(home, "alice")
    code = (
        "import sys\nfrom agentconsole.service import ConsoleService\nfrom agentconsole.config import load_settings\n"
        "try:\n    ConsoleService(load_settings()).unlock('alice', bytearray(sys.argv[1].encode()))\n"
        "except Exception as exc:\n    print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, ALICE.decode()], capture_output=True, text=True, env=os.environ.copy(), timeout=120
    ).stdout
    assert out.startswith("UnlockThrottled too many failed attempts for this user name: try again in")


def test_delays_grow_and_are_capped(tmp_path: Path) -> None:
    delays = [unlock_backoff.failed(tmp_path, "Alice", now=1000.0) for _ in range(20)]
    assert delays[:6] == [0, 0, 0, 1, 2, 4]
    assert delays[-1] == unlock_backoff.MAX_DELAY_SECONDS
    assert unlock_backoff.wait_left(tmp_path, "alice", now=1000.0) == unlock_backoff.MAX_DELAY_SECONDS
    unlock_backoff.succeeded(tmp_path, "ALICE")
    assert unlock_backoff.wait_left(tmp_path, "alice", now=1000.0) == 0
    assert "Alice" not in (tmp_path / unlock_backoff.FILE_NAME).read_text()  # names are hashed


def test_deleting_the_failure_record_is_seen(home: Path) -> None:
    _entries(home, "unlock")  # an unlock starts the record with an epoch kept in the vault
    _fail(home, "alice")
    failed_unlocks.sidecar_path(home).unlink()
    service = _service(home)
    service.unlock("carol", bytearray(CAROL))
    try:
        assert service.unlock_warnings == ["the failed-unlock record was deleted"]
        (entry,) = service.audit_entries(action="unlock.record_tampered")
        assert entry.details["problem"] == "the failed-unlock record was deleted"
    finally:
        service.lock()


def test_editing_the_failure_record_is_seen(home: Path) -> None:
    _entries(home, "unlock")
    for user in ("alice", "alice", "alice"):
        _fail(home, user)
    path = failed_unlocks.sidecar_path(home)
    lines = path.read_bytes().splitlines()
    del lines[2]  # hide one failure from the middle
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    service = _service(home)
    service.unlock("carol", bytearray(CAROL))
    try:
        assert service.unlock_warnings == ["the failed-unlock record was edited (line 3 does not follow line 2)"]
    finally:
        service.lock()
    # a replaced file (another header) is seen too
    _fail(home, "alice")
    path.write_text('{"epoch": "0000", "v": 2}\n')
    service.unlock("carol", bytearray(CAROL))
    try:
        assert service.unlock_warnings == ["the failed-unlock record was deleted or replaced"]
    finally:
        service.lock()


def test_a_rekey_recovered_after_its_file_swap_is_audited(home: Path, tmp_path: Path) -> None:
    secret = tmp_path / "p"
    secret.write_bytes(ALICE + b"\n")
    result = subprocess.run(
        [sys.executable, "-m", "agentconsole", "rekey", "--user", "alice", "--passphrase-file", str(secret)],
        env={**os.environ, CRASH_ENV: "swapped"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    rekeys = _entries(home, "vault.rekey")
    assert [(e.action, e.details.get("recovered")) for e in rekeys] == [("vault.rekey", True)]


def test_a_rekey_interrupted_before_the_swap_is_audited_as_abandoned(home: Path, tmp_path: Path) -> None:
    secret = tmp_path / "p"
    secret.write_bytes(ALICE + b"\n")
    subprocess.run(
        [sys.executable, "-m", "agentconsole", "rekey", "--user", "alice", "--passphrase-file", str(secret)],
        env={**os.environ, CRASH_ENV: "exported"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert [e.action for e in _entries(home, "vault.rekey")] == ["vault.rekey.abandoned"]


def test_a_supervisor_resets_a_forgotten_passphrase(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = _service(home)
    service.unlock("alice", bytearray(ALICE))
    service.user_add("bob", "agent", bytearray(b"bob-forgot-this-one"))
    service.user_reset_passphrase("bob", bytearray(b"one-time-for-bob"))
    with pytest.raises(VaultError, match="cannot reset your own"):
        service.user_reset_passphrase("alice", bytearray(b"one-time-for-alice"))
    service.lock()
    with pytest.raises(WrongPassphrase):
        _service(home).unlock("bob", bytearray(b"bob-forgot-this-one"))
    with pytest.raises(PassphraseChangeRequired, match="agentconsole passwd --user bob"):
        _service(home).unlock("bob", bytearray(b"one-time-for-bob"))
    # The flag is bound to the slot: deleting it from the file breaks the slot, it does not skip the change.
    keys = keys_path_for(home / "vault.db")
    original = keys.read_text()
    doc = json.loads(original)
    next(s for s in doc["slots"] if s["user"] == "bob").pop("must_change")
    keys.write_text(json.dumps(doc))
    with pytest.raises(WrongPassphrase):
        _service(home).unlock("bob", bytearray(b"one-time-for-bob"))
    keys.write_text(original)
    old, new = tmp_path / "old", tmp_path / "new"
    old.write_text("one-time-for-bob\n")
    new.write_text("bob-chose-this-one\n")
    assert cli.main(["passwd", "--user", "bob", "--passphrase-file", str(old), "--new-passphrase-file", str(new)]) == 0
    capsys.readouterr()
    service = _service(home)
    service.unlock("bob", bytearray(b"bob-chose-this-one"))
    service.lock()
    actions = [(e.actor, e.action, e.subject) for e in _entries(home, "user")]
    assert ("alice", "user.reset_passphrase", "user:bob") in actions
    assert ("bob", "user.passwd", "user:bob") in actions


def test_reset_passphrase_cli_needs_a_supervisor(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = _service(home)
    service.unlock("alice", bytearray(ALICE))
    service.user_add("bob", "agent", bytearray(b"bob-agent-passphrase"))
    service.lock()
    secret, one_time = tmp_path / "p", tmp_path / "o"
    secret.write_text("bob-agent-passphrase\n")
    one_time.write_text("one-time-passphrase\n")
    code = cli.main(
        [
            "user",
            "reset-passphrase",
            "carol",
            "--user",
            "bob",
            "--passphrase-file",
            str(secret),
            "--new-passphrase-file",
            str(one_time),
        ]
    )
    assert code == 3
    assert capsys.readouterr().err == "agentconsole: error: agent 'bob' is not allowed to manage users\n"


def test_user_names_are_unique_ignoring_case(home: Path) -> None:
    service = _service(home)
    service.unlock("alice", bytearray(ALICE))
    try:
        with pytest.raises(VaultError, match="user Alice already exists .as alice"):
            service.user_add("Alice", "agent", bytearray(b"another-alice-passphrase"))
        assert [name for name, _ in service.user_list()] == ["alice", "carol"]
    finally:
        service.lock()
