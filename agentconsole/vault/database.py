"""Database lifecycle of an unlocked vault: connections, pragmas, transactions, the seal.

One :class:`Database` is one unlocked SQLCipher file: each thread gets its own
connection (never shared across threads), every connection is checked against
the pinned cipher settings, :meth:`Database.transaction` is the unit of work
(savepoints when nested) that bumps the commit counter and advances the commit
seal, and :meth:`Database.lock` closes every connection and zeroes the key.
Key slots, users and rekey live in :mod:`.store`; the SQL of the stored
records in :mod:`.repositories`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from agentconsole import logs
from agentconsole.vault import process_lock
from agentconsole.vault import seal as seal_file
from agentconsole.vault.errors import VaultError, VaultLocked, VaultRolledBack, VaultTampered
from agentconsole.vault.keyslots import zero
from agentconsole.vault.schema import migrate

log = logging.getLogger("agentconsole.vault")

#: SQLCipher settings every vault is pinned to (the SQLCipher 4 defaults, asserted on open).
PINNED_CIPHER_SETTINGS = {
    "cipher_page_size": "4096",
    "cipher_hmac_algorithm": "HMAC_SHA512",
    "cipher_kdf_algorithm": "PBKDF2_HMAC_SHA512",
    "cipher_use_hmac": "1",
    "cipher_plaintext_header_size": "0",
}
BUSY_TIMEOUT_MS = 10_000
#: SQLCipher's ``cipher_memory_security`` (wipe and mlock() every allocation): off, as
#: SQLCipher's own default since 4.5. It cost inserts 2x and search 1.6x CPU, and this
#: process holds the decrypted text in Python objects anyway (docs/vault.md,
#: Performance). Process-wide, and cannot be switched off again once on: only
#: ``scripts/bench_vault.py`` turns it on, in a process of its own, to measure it.
MEMORY_SECURITY = False

_PAGE = re.compile(r"\bpage (\d+)\b")
_MATERIAL_ROOT = "material_root"


def keys_path_for(db_path: Path) -> Path:
    """The key slots sidecar of a vault database (``vault.db`` -> ``vault.keys``)."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name.removesuffix(".db") + ".keys")


def seal_path_for(db_path: Path) -> Path:
    """The commit seal of a vault database (``vault.db`` -> ``vault.seal``), see :mod:`.seal`."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name.removesuffix(".db") + ".seal")


#: meta key of the database's own commit counter (bumped by every write transaction).
COMMIT_META_KEY = "commit_seq"
SEAL_KEY_PURPOSE = b"agentconsole/vault-seal/v1"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _key_spec(data_key: bytearray) -> bytearray:
    """SQLCipher's raw-key form ``x'<64 hex>'``: used as the AES key directly, no PBKDF2."""
    spec = bytearray(b"x'")
    spec += data_key.hex().encode("ascii")
    spec += b"'"
    return spec


def _integrity_problems(conn: Any) -> list[str]:
    return [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check").fetchall()]


def _pages_of(problems: list[str]) -> list[int]:
    return sorted({int(m.group(1)) for p in problems for m in [_PAGE.search(p)] if m})


def _tampered(problems: list[str]) -> VaultTampered:
    pages = _pages_of(problems)
    if pages:
        shown = ", ".join(str(p) for p in pages[:10])
        more = f" and {len(pages) - 10} more" if len(pages) > 10 else ""
        truncated = " (file truncated)" if any("invalid size" in p for p in problems) else ""
        label = "page" if len(pages) == 1 else "pages"
        return VaultTampered(f"vault was modified outside agentconsole: {label} {shown}{more}{truncated}", pages=pages)
    return VaultTampered("vault was modified outside agentconsole: integrity check failed")


def _raw_connect(path: Path, key_spec: bytearray) -> Any:
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher would write to stderr otherwise
        conn.set_key(key_spec)
        conn.execute("PRAGMA cipher_compatibility = 4")
    except BaseException:
        conn.close()
        raise
    return conn


def _assert_cipher(conn: Any) -> None:
    version = conn.execute("PRAGMA cipher_version").fetchone()
    if not version or not str(version[0]).startswith("4."):
        raise VaultError(f"SQLCipher 4.x is required, found {version[0] if version else 'none (plain SQLite)'}")
    for pragma, expected in PINNED_CIPHER_SETTINGS.items():
        row = conn.execute(f"PRAGMA {pragma}").fetchone()
        if row is None or str(row[0]) != expected:
            raise VaultError(f"SQLCipher setting {pragma} is {row[0] if row else None}, expected {expected}")


def _apply_pragmas(conn: Any) -> None:
    conn.execute(f"PRAGMA cipher_memory_security = {'ON' if MEMORY_SECURITY else 'OFF'}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    actual = {
        "journal_mode": str(mode).lower(),
        "temp_store": conn.execute("PRAGMA temp_store").fetchone()[0],
        "secure_delete": conn.execute("PRAGMA secure_delete").fetchone()[0],
        "foreign_keys": conn.execute("PRAGMA foreign_keys").fetchone()[0],
        "cipher_memory_security": str(conn.execute("PRAGMA cipher_memory_security").fetchone()[0]),
    }
    expected = {"journal_mode": "wal", "temp_store": 2, "secure_delete": 1, "foreign_keys": 1}
    if MEMORY_SECURITY:
        expected["cipher_memory_security"] = "1"
    for name, want in expected.items():
        if actual[name] != want:
            raise VaultError(f"vault connection setting {name} is {actual[name]}, expected {want}")


def _probe(path: Path, data_key: bytearray) -> list[str]:
    """Integrity problems of the database under ``data_key`` ([] = this key opens it intact)."""
    spec = _key_spec(data_key)
    try:
        conn = _raw_connect(path, spec)
        try:
            return _integrity_problems(conn)
        finally:
            conn.close()
    finally:
        zero(spec)


#: FTS5 rewrites its index into one segment: drops the prefixes of deleted terms its page
#: directory may keep (see :meth:`Database.compact_search_index_on_commit`).
_OPTIMIZE_SEARCH_INDEX = "INSERT INTO messages_fts(messages_fts) VALUES ('optimize')"


class Database:
    """An unlocked SQLCipher database: per-thread connections, transactions, commit seal."""

    def __init__(
        self, path: Path, user: str, role: str, data_key: bytearray, lock_path: Path, database_id: str
    ) -> None:
        self.path = Path(path)
        self.user = user
        self.role = role
        self.database_id = database_id
        self._data_key = data_key
        self._key_spec = _key_spec(data_key)
        self._lock_path = lock_path
        self._locked = False
        self._state = threading.RLock()
        self._local = threading.local()
        self._connections: list[Any] = []
        self._epoch = 0  # bumped when every connection must be reopened (lock, rekey)
        self._seal: seal_file.Seal | None = None  # opened after the database (its key is inside)
        #: Set by unlock: a rekey interrupted after its file swap was completed ("swapped"),
        #: or one interrupted before it was rolled back ("abandoned"); None otherwise.
        self.recovered_rekey: str | None = None
        #: Set by unlock with ``accept_rollback``: (commit recorded in the seal, commit found).
        self.accepted_rollback: tuple[int, int] | None = None
        logs.register_secret(bytes(data_key))

    @property
    def is_locked(self) -> bool:
        return self._locked

    def lock(self) -> None:
        """Close every connection, zero the data key and release the process lock."""
        if self._shutdown(release_process_lock=True):
            log.info("vault locked")

    def _shutdown(self, *, release_process_lock: bool) -> bool:
        with self._state:
            if self._locked:
                return False
            self._locked = True
            self._close_connections()
            if self._seal is not None:
                self._seal.close()
                self._seal = None
            logs.unregister_secret(bytes(self._data_key))
            zero(self._data_key)
            zero(self._key_spec)
            if release_process_lock:
                process_lock.release(self._lock_path)
        return True

    def _require_unlocked(self) -> None:
        if self._locked:
            raise VaultLocked("vault is locked; unlock it again")

    # --- connections ------------------------------------------------------------------

    def _new_connection(self, *, check: bool) -> Any:
        import sqlcipher3

        conn = _raw_connect(self.path, self._key_spec)
        try:
            _assert_cipher(conn)
            if check:
                problems = _integrity_problems(conn)
                if problems:
                    raise _tampered(problems)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher3.DatabaseError as exc:
                raise VaultTampered(
                    f"vault was modified outside agentconsole: database is damaged or truncated ({exc})"
                ) from None
            _apply_pragmas(conn)
        except BaseException:
            conn.close()
            raise
        with self._state:
            self._connections.append(conn)
        self._local.conn = conn
        self._local.epoch = self._epoch
        self._local.depth = 0
        self._local.compact_pending = False
        return conn

    def _open_first(self, *, check: bool) -> Any:
        conn = self._new_connection(check=check)
        migrate(conn)
        if conn.execute("SELECT 1 FROM vault_secrets WHERE name = ?", (_MATERIAL_ROOT,)).fetchone() is None:
            conn.execute(
                "INSERT INTO vault_secrets(name, value) VALUES (?, ?)", (_MATERIAL_ROOT, secrets.token_bytes(32))
            )
        return conn

    def _open_seal(self, *, accept_rollback: bool) -> None:
        """Check the database's commit counter against ``vault.seal`` and open the seal for writing.

        A database behind its seal lost committed transactions (a damaged WAL, an
        older copy put back): :class:`VaultRolledBack`, unless ``accept_rollback``.
        A missing seal for a database that has counted commits is the same.
        """
        key = self.data_key_material(SEAL_KEY_PURPOSE)
        path = seal_path_for(self.path)
        found = self.commit_seq()
        try:
            record = seal_file.read(path, key, self.database_id)
        except VaultTampered:
            if not accept_rollback:
                raise
            record = None
            self.accepted_rollback = (-1, found)
        if record is None and found > 0 and not accept_rollback:
            raise VaultRolledBack(
                f"vault was modified outside agentconsole: the commit seal {path.name} is missing "
                f"(the database has {found} commits); if you restored a backup on purpose, "
                "a supervisor can accept it with 'agentconsole vault accept-rollback'",
                sealed=0,
                found=found,
            )
        if record is not None and record.commit > found:
            if not accept_rollback:
                raise VaultRolledBack(
                    f"vault was rolled back or its write-ahead log damaged: {record.commit - found} committed "
                    f"transactions are missing (sealed commit {record.commit}, database at {found}); "
                    "if you restored a backup on purpose, a supervisor can accept it with "
                    "'agentconsole vault accept-rollback'",
                    sealed=record.commit,
                    found=found,
                )
            self.accepted_rollback = (record.commit, found)
        elif record is None and found > 0:
            self.accepted_rollback = (0, found)
        self._seal = seal_file.Seal(path, key, self.database_id, found)

    def commit_seq(self) -> int:
        """How many write transactions this database has committed (its own counter)."""
        value = self.get_meta(COMMIT_META_KEY)
        try:
            return int(value) if value is not None else 0
        except ValueError:
            raise VaultTampered("vault was modified outside agentconsole: bad commit counter") from None

    def _bump_commit(self, conn: Any) -> int:
        # Inside the caller's write transaction, so no other writer can interleave. A plain
        # UPDATE: an upsert with RETURNING builds an ephemeral table per call, and under
        # cipher_memory_security every allocation costs an mlock/munlock pair.
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (COMMIT_META_KEY,)).fetchone()
        commit = (int(row[0]) if row else 0) + 1
        if row is None:
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (COMMIT_META_KEY, str(commit)))
        else:
            conn.execute("UPDATE meta SET value = ? WHERE key = ?", (str(commit), COMMIT_META_KEY))
        return commit

    def _close_connections(self) -> None:
        with self._state:
            for conn in self._connections:
                with contextlib.suppress(Exception):
                    conn.close()
            self._connections.clear()
            self._epoch += 1

    def connection(self) -> Any:
        """The calling thread's SQLCipher connection (opened on first use; never share it)."""
        self._require_unlocked()
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "epoch", -1) != self._epoch:
            with self._state:
                self._require_unlocked()
                conn = self._new_connection(check=False)
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """An atomic unit on this thread's connection; nests with savepoints. Yields the connection."""
        import sqlcipher3

        conn = self.connection()
        depth = self._local.depth
        try:
            conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT vault_{depth}")
        except sqlcipher3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise VaultError(
                    f"the vault stayed busy with another write for {BUSY_TIMEOUT_MS // 1000} s; try again"
                ) from None
            raise
        self._local.depth = depth + 1
        changes_before = conn.total_changes
        try:
            yield conn
        except BaseException:
            with contextlib.suppress(Exception):
                if depth == 0:
                    conn.execute("ROLLBACK")
                else:
                    conn.execute(f"ROLLBACK TO vault_{depth}")
                    conn.execute(f"RELEASE vault_{depth}")
            raise
        else:
            if depth == 0:
                if self._local.compact_pending:  # deletions inside this unit: one index rewrite for all
                    conn.execute(_OPTIMIZE_SEARCH_INDEX)
                commit = self._bump_commit(conn) if conn.total_changes != changes_before else None
                conn.execute("COMMIT")
                if commit is not None and self._seal is not None:
                    self._seal.advance(commit)
            else:
                conn.execute(f"RELEASE vault_{depth}")
        finally:
            self._local.depth = depth
            if depth == 0:
                self._local.compact_pending = False

    def compact_search_index_on_commit(self) -> None:
        """Rewrite the full-text index when the outermost transaction commits.

        FTS5 secure-delete removes deleted terms from the index, but its page directory
        can keep a short *prefix* of one; ``'optimize'`` rewrites the index into one
        segment. Many deletions inside one transaction cost one rewrite.
        """
        self._local.compact_pending = True

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and truncate the WAL (after erasing data).

        SQLCipher's ``secure_delete`` zeroed the freed cells and pages; this writes those
        zeroed pages over the old ones in the file. False if a reader kept the WAL busy.
        """
        row = self.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return row is None or int(row[0]) == 0

    def check_integrity(self) -> list[int]:
        """Run ``PRAGMA cipher_integrity_check``: the damaged page numbers ([] = intact)."""
        problems = _integrity_problems(self.connection())
        pages = _pages_of(problems)
        if problems and not pages:
            return [0]  # damaged, page unknown
        return pages

    # --- keys -------------------------------------------------------------------------

    def data_key_material(self, purpose: bytes) -> bytes:
        """32 bytes derived for ``purpose`` (HKDF-SHA256), e.g. the audit log's MAC key.

        Derived from a root secret stored inside the encrypted database, not from
        the data key itself, so it stays the same across :meth:`rekey`.
        """
        row = self.connection().execute("SELECT value FROM vault_secrets WHERE name = ?", (_MATERIAL_ROOT,)).fetchone()
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=bytes(purpose)).derive(bytes(row[0]))

    def adopt_material_root(self, root: bytes) -> None:
        """Take ``root`` as the root of derived keys (``vault migrate --to file``: the team store's, so
        its audit MACs verify here). The commit seal, keyed from it, is rewritten under the new key."""
        with self.transaction() as conn:
            conn.execute("UPDATE vault_secrets SET value = ? WHERE name = ?", (bytes(root), _MATERIAL_ROOT))
        if self._seal is not None:
            self._seal.close()
        key = self.data_key_material(SEAL_KEY_PURPOSE)
        self._seal = seal_file.Seal(seal_path_for(self.path), key, self.database_id, self.commit_seq())

    # --- meta -------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, str(value)),
            )
