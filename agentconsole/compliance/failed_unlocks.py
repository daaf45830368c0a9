"""Failed unlocks, recorded while the vault is closed.

A wrong passphrase means there is no key to write an audit entry with, so
each failure waits as one JSON line in ``failed_unlocks.jsonl`` (mode 0600) in
the home directory. The next successful unlock :func:`drain`\\ s the file and
appends one ``unlock.failed`` audit entry per line, with the original time.

The file is not tamper-evident (nothing secret is available to MAC it): someone
who can delete files in the home directory can hide failures. Its size is
capped (:data:`MAX_RECORDS`) so repeated failures cannot fill the disk; beyond
the cap, failures are counted in a final ``"dropped"`` line instead.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

FILE_NAME = "failed_unlocks.jsonl"
MAX_RECORDS = 10_000
_MAX_USER_CHARS = 128

log = logging.getLogger("agentconsole.compliance")


def sidecar_path(home: Path) -> Path:
    return Path(home) / FILE_NAME


@contextlib.contextmanager
def _locked(path: Path, flags: int) -> Iterator[int]:
    """Open ``path`` (never following a symlink), 0600, under an exclusive flock."""
    fd = os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        yield fd
    finally:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def record(home: Path, user: str, *, now: datetime | None = None, action: str = "unlock.failed") -> None:
    """Remember one failed unlock by ``user`` (a name as typed, clipped; never the passphrase).

    ``action`` names other events that happen while the database must not be
    written, e.g. ``user.passwd`` (a passphrase change leaves the database
    byte-identical, so it is audited at the next unlock).
    """
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
    name = "".join(ch for ch in str(user)[:_MAX_USER_CHARS] if ch.isprintable())
    try:
        with _locked(sidecar_path(home), os.O_RDWR | os.O_CREAT) as fd:
            lines = _read_all(fd).splitlines()
            dropped = 0
            with contextlib.suppress(ValueError, TypeError, AttributeError, IndexError):
                dropped = int(json.loads(lines[-1]).get("dropped", 0))
            if dropped:  # already full: the last line counts what did not fit
                lines[-1] = json.dumps({"at": when, "user": "", "dropped": dropped + 1}).encode("ascii")
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, b"".join(raw + b"\n" for raw in lines))
            else:
                full = len(lines) >= MAX_RECORDS - 1
                line = {"at": when, "user": "", "dropped": 1} if full else {"at": when, "user": name}
                if action != "unlock.failed" and not full:
                    line["action"] = action
                os.lseek(fd, 0, os.SEEK_END)
                os.write(fd, json.dumps(line, ensure_ascii=True).encode("ascii") + b"\n")
            os.fsync(fd)
    except OSError as exc:  # the unlock already failed; do not hide that behind an I/O error
        log.warning("could not record a failed unlock: %s", exc.strerror)


def drain(home: Path) -> list[tuple[str, str]]:
    """Like :func:`drain_events`, without the action (every line read as a failed unlock)."""
    return [(when, user) for when, user, _ in drain_events(home)]


def drain_events(home: Path) -> list[tuple[str, str, str]]:
    """Return and forget the recorded failures as ``(iso time, user)``, oldest first.

    The file is emptied, not removed, under the lock: a failure recorded
    concurrently by another process is never lost.

    A ``dropped`` line comes back as ``(time, "<N more failed unlocks not recorded>")``.
    Malformed lines are skipped (logged), never fatal: an unlock must not fail here.
    """
    path = sidecar_path(Path(home))
    try:
        with _locked(path, os.O_RDWR) as fd:
            data = _read_all(fd)
            os.ftruncate(fd, 0)
            os.fsync(fd)
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("could not read failed unlocks: %s", exc.strerror)
        return []
    out: list[tuple[str, str, str]] = []
    for raw in data.splitlines():
        try:
            item = json.loads(raw)
            if "dropped" in item:
                out.append(
                    (str(item["at"]), f"<{int(item['dropped'])} more failed unlocks not recorded>", "unlock.failed")
                )
            else:
                out.append((str(item["at"]), str(item["user"]), str(item.get("action", "unlock.failed"))))
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("skipped a malformed line in %s", FILE_NAME)
    return out
