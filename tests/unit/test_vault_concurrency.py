"""Threads get their own connections; a second process is refused with the owner's pid."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from agentconsole.vault import Vault

PASS = b"concurrency-passphrase"

OPEN_IN_CHILD = """
import sys
from agentconsole.vault import Vault, VaultInUse
try:
    v = Vault.unlock(sys.argv[1], "alice", bytearray(sys.stdin.buffer.read()))
except VaultInUse as exc:
    print(f"IN USE pid={exc.pid}: {exc}")
    sys.exit(3)
print("OPENED", len(v.list_cases()))
v.lock()
"""


@pytest.fixture
def vault(tmp_path: Path):
    v = Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS))
    yield v
    v.lock()


def test_each_thread_uses_its_own_connection(vault: Vault) -> None:
    case_id = vault.create_case(vault.upsert_customer("CUST-T"), "threads")
    per_thread = 40
    connections: dict[int, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(n: int) -> None:
        try:
            start.wait()
            connections[n] = id(vault.connection())
            for i in range(per_thread):
                vault.add_message(case_id, "note", f"thread {n} note {i} quokka")
            assert vault.connection() is vault.connection()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(connections.values())) == 4
    assert id(vault.connection()) not in connections.values()
    assert vault.get_case(case_id).message_count == 4 * per_thread
    assert len(vault.search("quokka", limit=1000)) == 4 * per_thread


def test_lock_closes_connections_of_other_threads(vault: Vault) -> None:
    opened = threading.Event()
    conns = []

    def worker() -> None:
        conns.append(vault.connection())
        opened.set()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert opened.is_set()
    vault.lock()
    with pytest.raises(Exception, match="closed"):
        conns[0].execute("SELECT 1")


def _child(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", OPEN_IN_CHILD, str(path)],
        input=PASS.decode(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_second_process_is_told_who_holds_the_vault(vault: Vault) -> None:
    result = _child(vault.path)
    assert result.returncode == 3, result.stderr
    assert f"IN USE pid={os.getpid()}: vault is in use by pid {os.getpid()}" in result.stdout
    vault.lock()
    result = _child(vault.path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OPENED 0"
    assert result.stderr == ""


def test_in_process_lock_is_reentrant_but_other_processes_wait(vault: Vault, tmp_path: Path) -> None:
    second = Vault.unlock(vault.path, "alice", bytearray(PASS))  # same process: allowed
    second.lock()
    assert _child(vault.path).returncode == 3  # first handle still holds the lock
    vault.lock()
    assert _child(vault.path).returncode == 0


def test_failed_unlock_in_the_same_process_keeps_the_owners_lock(vault: Vault, tmp_path: Path) -> None:
    from agentconsole.vault import VaultTampered, keys_path_for

    other = tmp_path / "other" / "vault.db"
    Vault.create(other, "alice", bytearray(PASS)).lock()
    original = keys_path_for(vault.path).read_bytes()
    keys_path_for(vault.path).write_bytes(keys_path_for(other).read_bytes())
    with pytest.raises(VaultTampered):
        Vault.unlock(vault.path, "alice", bytearray(PASS))
    keys_path_for(vault.path).write_bytes(original)
    assert _child(vault.path).returncode == 3  # the first handle still holds the process lock
    assert vault.list_cases() == []


def test_a_write_waits_for_another_threads_transaction(vault: Vault) -> None:
    case_id = vault.create_case(vault.upsert_customer("CUST-W"), "writers")
    inside, release, done = threading.Event(), threading.Event(), threading.Event()

    def long_writer() -> None:
        with vault.transaction():
            vault.add_message(case_id, "note", "first, in a long transaction")
            inside.set()
            release.wait(timeout=60)

    def second_writer() -> None:
        vault.add_message(case_id, "note", "second, after the first commits")
        done.set()

    first = threading.Thread(target=long_writer)
    first.start()
    assert inside.wait(timeout=60)
    second = threading.Thread(target=second_writer)
    second.start()
    assert not done.wait(timeout=0.2)  # blocked on the write lock, not failed
    release.set()
    first.join()
    second.join()
    assert done.is_set()
    assert [m.text.split(",")[0] for m in vault.list_messages(case_id)] == ["first", "second"]
