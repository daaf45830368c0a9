"""Back-off for unlock attempts, per user name, shared by every process on the data directory.

Each failed unlock (or passphrase change) for a name adds one to that name's
count in ``unlock_backoff.json`` (0600, flock'd, in the home directory); the
next attempt for that name is refused until :func:`delay_seconds` have passed
since the last failure: nothing for the first :data:`FREE_FAILURES` failures
(typos), then 1 s, 2 s, 4 s ... up to :data:`MAX_DELAY_SECONDS`. A successful
unlock clears the name. Names are stored as SHA-256 of their case-folded form
(a passphrase typed into the name field is not kept in clear); unknown and
known names are treated alike, so the delay does not reveal which exist.

What it does not stop: anyone who can read ``vault.keys`` can guess offline at
Argon2id speed, and anyone who can write the home directory can delete this
file. It slows guessing through agentconsole (console and CLI), nothing more;
the passphrase and Argon2id are the real defence.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FILE_NAME = "unlock_backoff.json"
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 900
_MAX_NAMES = 1000

log = logging.getLogger("agentconsole.compliance")


def delay_seconds(failures: int) -> int:
    """Seconds to wait after ``failures`` failures in a row: 0, 0, 0, 1, 2, 4 ... 900."""
    if failures <= FREE_FAILURES:
        return 0
    return int(min(2 ** min(failures - FREE_FAILURES - 1, 20), MAX_DELAY_SECONDS))


def _key(name: str) -> str:
    return hashlib.sha256(name.strip().casefold().encode("utf-8", "surrogatepass")).hexdigest()


@contextlib.contextmanager
def _state(home: Path, *, write: bool) -> Iterator[dict[str, Any]]:
    path = Path(home) / FILE_NAME
    flags = (os.O_RDWR | os.O_CREAT) if write else os.O_RDONLY
    try:
        fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
    except FileNotFoundError:
        yield {}
        return
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        try:
            doc = json.loads(b"".join(chunks) or b"{}")
        except ValueError:
            doc = {}
        names = doc.get("names") if isinstance(doc, dict) else None
        state: dict[str, Any] = names if isinstance(names, dict) else {}
        yield state
        if write:
            if len(state) > _MAX_NAMES:  # keep the most recent
                keep = sorted(state.items(), key=lambda kv: float(kv[1].get("last", 0)), reverse=True)[:_MAX_NAMES]
                state = dict(keep)
            data = json.dumps({"v": 1, "names": state}, sort_keys=True).encode("ascii")
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, data)
            os.fsync(fd)
    finally:
        os.close(fd)


def _entry(state: dict[str, Any], name: str) -> tuple[int, float]:
    entry = state.get(_key(name))
    if not isinstance(entry, dict):
        return 0, 0.0
    try:
        return int(entry.get("failures", 0)), float(entry.get("last", 0.0))
    except (TypeError, ValueError):
        return 0, 0.0


def wait_left(home: Path, name: str, *, now: float | None = None) -> int:
    """Whole seconds until ``name`` may try again (0 = now)."""
    try:
        with _state(home, write=False) as state:
            failures, last = _entry(state, name)
    except OSError as exc:
        log.warning("could not read the unlock back-off: %s", exc.strerror)
        return 0
    moment = time.time() if now is None else now
    left = last + delay_seconds(failures) - moment
    return max(0, int(left + 0.999))


def failed(home: Path, name: str, *, now: float | None = None) -> int:
    """Count one failure for ``name``; returns the delay now imposed in seconds."""
    try:
        with _state(home, write=True) as state:
            failures, _ = _entry(state, name)
            failures += 1
            state[_key(name)] = {"failures": failures, "last": time.time() if now is None else now}
    except OSError as exc:
        log.warning("could not record the unlock back-off: %s", exc.strerror)
        return 0
    return delay_seconds(failures)


def succeeded(home: Path, name: str) -> None:
    """Clear ``name``'s failures after a successful unlock."""
    try:
        with _state(home, write=True) as state:
            state.pop(_key(name), None)
    except OSError as exc:
        log.warning("could not clear the unlock back-off: %s", exc.strerror)
