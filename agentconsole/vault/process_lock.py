"""One process at a time: an exclusive ``flock`` on ``vault.lock`` next to the database.

Decision (see docs/vault.md): a vault is open in at most one *process*. A
second process gets :class:`VaultInUse` ("vault is in use by pid N") instead of
sharing the file. Sharing would work for reads and writes (WAL), but ``rekey``
swaps the database file and the data key under other processes' feet, and the
key slots file is read-modify-written; one owner keeps both simple and safe.

Inside one process the lock is re-entrant (counted per path), so the console
can change a passphrase or open a second handle while it holds the vault.
The kernel drops the lock when the process dies, even on SIGKILL.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from agentconsole.vault.errors import VaultInUse

_lock = threading.Lock()
_held: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, count)


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name.removesuffix(".db") + ".lock")


def acquire(db_path: Path) -> Path:
    """Take (or re-enter) the process lock of the vault at ``db_path``."""
    path = lock_path_for(Path(db_path)).resolve()
    with _lock:
        if path in _held:
            fd, count = _held[path]
            _held[path] = (fd, count + 1)
            return path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            who = f"pid {pid}" if pid else "another process"
            raise VaultInUse(f"vault is in use by {who}; close it there first", pid=pid) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        _held[path] = (fd, 1)
        return path


def release(lock_path: Path) -> None:
    """Drop one reference; the last one unlocks and closes the file."""
    with _lock:
        entry = _held.get(lock_path)
        if entry is None:
            return
        fd, count = entry
        if count > 1:
            _held[lock_path] = (fd, count - 1)
            return
        del _held[lock_path]
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor releases the flock


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def held(db_path: Path) -> Iterator[Path]:
    """Hold the process lock for the duration of a ``with`` block."""
    path = acquire(db_path)
    try:
        yield path
    finally:
        release(path)
