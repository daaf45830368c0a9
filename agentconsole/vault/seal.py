"""The commit seal: the database's commit counter, kept outside the database and MAC'd.

Why: SQLite drops every write-ahead-log frame from the first one whose
(unkeyed) checksum fails, silently. One flipped bit in ``vault.db-wal`` left
by a crash loses every transaction committed after it, and the database that
remains is intact page by page, so ``cipher_integrity_check`` passes. The same
holds for an older copy of ``vault.db`` put back in place.

How: every write transaction bumps ``meta.commit_seq`` inside the database
(same commit), then this file is rewritten in place with the new number and
``HMAC-SHA256(K_seal, database_id || number)``. ``K_seal`` is HKDF of the
vault's root secret, so only someone holding the data key can forge a seal.
At unlock the database's number must be at least the sealed one; a smaller
number means committed transactions are missing.

The record is one fixed-size line written with ``pwrite`` at offset 0 (no
fsync per commit: a process crash keeps it in the page cache; ``close``
fsyncs). A crash between the database commit and the seal write leaves the
seal one behind, which is allowed (the check is "database >= seal").

What it cannot see: the seal lives in the data directory, so restoring the
whole directory (database, keys and seal together) rolls it back too. The
service's local anchor, kept outside the data directory, covers that case
(see ``docs/vault.md``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from agentconsole.vault.errors import VaultTampered

SEAL_FORMAT = "agentconsole-vault-seal"
SEAL_VERSION = 1
RECORD_BYTES = 256


def seal_mac(key: bytes, database_id: str, commit: int) -> str:
    message = f"{SEAL_FORMAT}/{SEAL_VERSION}|{database_id}|{int(commit)}".encode()
    return hmac.new(bytes(key), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SealRecord:
    database_id: str
    commit: int


def read(path: Path, key: bytes, database_id: str) -> SealRecord | None:
    """The verified record, None when the file does not exist; VaultTampered if it does not verify."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise VaultTampered(f"cannot read the commit seal {path}: {exc.strerror}") from None
    try:
        doc = json.loads(raw.decode("ascii").strip())
        record = SealRecord(str(doc["database_id"]), int(doc["commit"]))
        mac = str(doc["mac"])
        ok = doc.get("format") == SEAL_FORMAT and doc.get("version") == SEAL_VERSION
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise VaultTampered(f"the commit seal {path} is damaged") from None
    if not ok or record.database_id != database_id:
        raise VaultTampered(f"the commit seal {path} does not belong to this vault")
    if not hmac.compare_digest(mac, seal_mac(key, database_id, record.commit)):
        raise VaultTampered(f"the commit seal {path} was modified outside agentconsole (its MAC does not verify)")
    return record


class Seal:
    """The open seal file of an unlocked vault; :meth:`advance` after each commit."""

    def __init__(self, path: Path, key: bytes, database_id: str, commit: int) -> None:
        self.path = Path(path)
        self._key = bytes(key)
        self._database_id = database_id
        # Per commit only the number changes: the keyed HMAC state and the JSON around the
        # number are prepared once (the record is byte-identical to json.dumps of the doc).
        self._mac_base = hmac.new(self._key, digestmod=hashlib.sha256)
        self._mac_prefix = f"{SEAL_FORMAT}/{SEAL_VERSION}|{database_id}|".encode()
        fixed = json.dumps({"database_id": database_id, "format": SEAL_FORMAT}, separators=(",", ":"))
        self._json_middle = "," + fixed[1:-1] + ',"mac":"'
        self._lock = threading.Lock()
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        self._fd: int | None = os.open(self.path, flags, 0o600)
        self.commit = -1
        self.advance(commit, force=True)
        os.fsync(self._fd)

    def advance(self, commit: int, *, force: bool = False) -> None:
        """Record ``commit`` (never goes backwards unless ``force``)."""
        with self._lock:
            if self._fd is None or (commit <= self.commit and not force):
                return
            record = self.record(commit)
            os.pwrite(self._fd, record, 0)
            if force:  # same length every time: only the first write needs to cut an older, longer file
                os.ftruncate(self._fd, len(record))
            self.commit = int(commit)

    def record(self, commit: int) -> bytes:
        """The fixed-size line for ``commit``: ``json.dumps`` of the seal document (keys sorted), padded."""
        commit = int(commit)
        mac = self._mac_base.copy()
        mac.update(self._mac_prefix + str(commit).encode())
        line = f'{{"commit":{commit}{self._json_middle}{mac.hexdigest()}","version":{SEAL_VERSION}}}'
        return line.encode("ascii").ljust(RECORD_BYTES - 1) + b"\n"

    def close(self) -> None:
        with self._lock:
            if self._fd is None:
                return
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            self._key = b""
            self._mac_base = hmac.new(b"", digestmod=hashlib.sha256)  # drop the keyed state
