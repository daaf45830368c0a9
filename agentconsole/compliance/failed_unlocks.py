"""Failed unlocks, recorded while the vault is closed.

A wrong passphrase means there is no key to write an audit entry with, so
each failure waits as one JSON line in ``failed_unlocks.jsonl`` (mode 0600) in
the home directory. The next successful unlock drains the file and appends one
``unlock.failed`` audit entry per line, with the original time.

Tamper evidence, as far as a writer without a key allows: every successful
unlock starts the file afresh with a header line holding a random *epoch*,
whose value the service keeps inside the encrypted vault, and every later line
carries the SHA-256 of the line before it. The next unlock therefore sees a
deleted or replaced file (header missing or another epoch) and a line edited or
removed in the middle (chain broken), and audits that. What it cannot see is
the *last* lines cut off (down to the header): whoever fails has no secret to
MAC with, so nothing written at failure time can be told apart from the same
file without its tail. Its size is capped (:data:`MAX_RECORDS`) so repeated
failures cannot fill the disk; beyond the cap, failures are counted in a final
``"dropped"`` line instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def record(
    home: Path,
    user: str,
    *,
    now: datetime | None = None,
    action: str = "unlock.failed",
    known: bool = True,
    backoff: int = 0,
) -> None:
    """Remember one failed unlock by ``user`` (a name as typed, clipped; never the passphrase).

    ``action`` names other events that happen while the database must not be
    written, e.g. ``user.passwd`` (a passphrase change leaves the database
    byte-identical, so it is audited at the next unlock). ``known=False`` marks a
    name with no key slot: it is audited as actor ``unknown`` and the name is not
    kept (a passphrase typed into the name field must not land in the log).
    """
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    when = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    name = "".join(ch for ch in str(user)[:_MAX_USER_CHARS] if ch.isprintable()) if known else ""
    try:
        with _locked(sidecar_path(home), os.O_RDWR | os.O_CREAT) as fd:
            lines = _read_all(fd).splitlines()
            dropped = 0
            with contextlib.suppress(ValueError, TypeError, AttributeError, IndexError):
                dropped = int(json.loads(lines[-1]).get("dropped", 0))
            if dropped:  # already full: the last line counts what did not fit
                prev = _digest(lines[-2]) if len(lines) > 1 else ""
                lines[-1] = json.dumps({"at": when, "user": "", "dropped": dropped + 1, "prev": prev}).encode("ascii")
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, b"".join(raw + b"\n" for raw in lines))
            else:
                full = len(lines) >= MAX_RECORDS - 1
                line: dict[str, object] = {"at": when, "user": "", "dropped": 1} if full else {"at": when, "user": name}
                if action != "unlock.failed" and not full:
                    line["action"] = action
                if not known and not full:
                    line["known"] = False
                if backoff and not full:
                    line["backoff_s"] = int(backoff)
                line["prev"] = _digest(lines[-1]) if lines else ""
                os.lseek(fd, 0, os.SEEK_END)
                os.write(fd, json.dumps(line, ensure_ascii=True).encode("ascii") + b"\n")
            os.fsync(fd)
    except OSError as exc:  # the unlock already failed; do not hide that behind an I/O error
        log.warning("could not record a failed unlock: %s", exc.strerror)


@dataclass(frozen=True)
class Event:
    """One recorded event: when, the user name as typed ("" when unknown), what, whether the name exists."""

    at: str
    user: str
    action: str
    known: bool = True
    backoff_s: int = 0  # the delay this failure imposed on the next attempt for the name


@dataclass(frozen=True)
class Drained:
    """What :func:`drain_checked` found: the events and, if the file was tampered with, how."""

    events: list[Event]
    problem: str | None = None


def drain(home: Path) -> list[tuple[str, str]]:
    """Like :func:`drain_events`, without the action (every line read as a failed unlock)."""
    return [(when, user) for when, user, _ in drain_events(home)]


def drain_events(home: Path) -> list[tuple[str, str, str]]:
    """The recorded events as ``(iso time, user, action)``, oldest first (see :func:`drain_checked`)."""
    return [(e.at, e.user, e.action) for e in drain_checked(home).events]


def drain_checked(home: Path, expected_epoch: str | None = None) -> Drained:
    """Return and forget the recorded events, oldest first, and check the file's integrity.

    The file is emptied, not removed, under the lock: an event recorded
    concurrently by another process is never lost. With ``expected_epoch`` (the
    epoch of the header the last unlock wrote), a missing file, another header
    or a broken chain is reported in :attr:`Drained.problem`.

    A ``dropped`` line comes back as ``"<N more failed unlocks not recorded>"``.
    Malformed lines are skipped (logged), never fatal: an unlock must not fail here.
    """
    path = sidecar_path(Path(home))
    try:
        with _locked(path, os.O_RDWR) as fd:
            data = _read_all(fd)
            os.ftruncate(fd, 0)
            os.fsync(fd)
    except FileNotFoundError:
        return Drained([], "the failed-unlock record was deleted" if expected_epoch else None)
    except OSError as exc:
        log.warning("could not read failed unlocks: %s", exc.strerror)
        return Drained([], f"the failed-unlock record could not be read ({exc.strerror})" if expected_epoch else None)
    lines = data.splitlines()
    problem: str | None = None
    if expected_epoch:
        header = _parse(lines[0]) if lines else None
        if header is None or header.get("epoch") != expected_epoch:
            problem = "the failed-unlock record was deleted or replaced"
    out: list[Event] = []
    previous: bytes | None = None
    for number, raw in enumerate(lines, start=1):
        item = _parse(raw)
        chained = previous is None or (item is not None and item.get("prev") == _digest(previous))
        if expected_epoch and problem is None and number > 1 and not chained:
            problem = f"the failed-unlock record was edited (line {number} does not follow line {number - 1})"
        previous = raw
        if item is None or "epoch" in item:
            if item is None:
                log.warning("skipped a malformed line in %s", FILE_NAME)
            continue
        try:
            if "dropped" in item:
                out.append(
                    Event(
                        str(item["at"]), f"<{int(item['dropped'])} more failed unlocks not recorded>", "unlock.failed"
                    )
                )
            else:
                out.append(
                    Event(
                        str(item["at"]),
                        str(item["user"]),
                        str(item.get("action", "unlock.failed")),
                        item.get("known", True) is not False,
                        int(item.get("backoff_s", 0) or 0),
                    )
                )
        except (ValueError, TypeError, KeyError):
            log.warning("skipped a malformed line in %s", FILE_NAME)
    return Drained(out, problem)


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        item = json.loads(raw)
    except ValueError:
        return None
    return item if isinstance(item, dict) else None


def start(home: Path, epoch: str) -> None:
    """Begin a new record: a header line with ``epoch`` (kept by the caller inside the vault).

    Events recorded between the drain and this call are kept after the header.
    """
    home = Path(home)
    try:
        with _locked(sidecar_path(home), os.O_RDWR | os.O_CREAT) as fd:
            pending = _read_all(fd).splitlines()
            header = json.dumps({"epoch": epoch, "v": 2}).encode("ascii")
            lines = [header]
            for raw in pending:  # re-chain what arrived meanwhile
                item = _parse(raw) or {}
                item["prev"] = _digest(lines[-1])
                lines.append(json.dumps(item, ensure_ascii=True).encode("ascii"))
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, b"".join(raw + b"\n" for raw in lines))
            os.fsync(fd)
    except OSError as exc:
        log.warning("could not start the failed-unlock record: %s", exc.strerror)
