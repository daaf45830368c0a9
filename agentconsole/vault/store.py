"""The encrypted vault: an SQLCipher database opened with a data key from a key slot.

See :mod:`agentconsole.vault.keyslots` for how the data key is wrapped and
``docs/vault.md`` for the design. One :class:`Vault` is one unlocked session:
each thread gets its own SQLite connection (never shared across threads), and
:meth:`Vault.lock` closes them all and zeroes the key.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import re
import secrets
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from agentconsole import logs
from agentconsole.vault import process_lock
from agentconsole.vault import seal as seal_file
from agentconsole.vault.errors import (
    PassphraseChangeRequired,
    RecordNotFound,
    VaultError,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    VaultRolledBack,
    VaultTampered,
    WrongPassphrase,
)
from agentconsole.vault.keyslots import (
    DATA_KEY_BYTES,
    WRONG_CREDENTIALS,
    KdfParams,
    KeysFile,
    SlotKey,
    burn_kdf,
    editing,
    keys_file_lock,
    new_slot,
    open_slot,
    zero,
)
from agentconsole.atomicfile import fsync_dir
from agentconsole.vault.records import (
    CASE_STATUSES,
    MESSAGE_ROLES,
    ROLES,
    SNIPPET_END,
    SNIPPET_START,
    Case,
    Customer,
    Message,
    PiiValue,
    SearchHit,
)
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
#: SQLCipher wipes and mlock()s every allocation: no plaintext left in freed or
#: swapped memory. Costly (one mlock/munlock pair per allocation, see
#: docs/vault.md); process-wide and cannot be switched off again once on.
#: Only ``scripts/bench_vault.py`` turns it off, to measure that cost.
MEMORY_SECURITY = True
#: SQLite's per-connection pool for small allocations ("lookaside"). The default
#: (~40 slots) is used up by the cached statements and the schema, so every further
#: small allocation goes to the allocator, which under memory security means an
#: mlock + munlock + wipe each. One larger pool, allocated (locked, and wiped when the
#: connection closes) once, takes them: 500 x 1200 bytes = 600 KB per connection.
LOOKASIDE_SLOT_BYTES = 1200
LOOKASIDE_SLOTS = 500
_SQLITE_DBCONFIG_LOOKASIDE = 1001
#: Test hook: name a rekey stage here and the process SIGKILLs itself there.
CRASH_ENV = "AGENTCONSOLE_VAULT_CRASH_AT"
REKEY_STAGES = ("pending-written", "exporting", "exported", "swapped")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_PAGE = re.compile(r"\bpage (\d+)\b")
_SEARCH_TERM = re.compile(r"\w+\*?", re.UNICODE)
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
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _key_spec(data_key: bytearray) -> bytearray:
    """SQLCipher's raw-key form ``x'<64 hex>'``: used as the AES key directly, no PBKDF2."""
    spec = bytearray(b"x'")
    spec += data_key.hex().encode("ascii")
    spec += b"'"
    return spec


def _crash_point(stage: str) -> None:
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def _spend_unknown_user(passphrase: bytearray) -> WrongPassphrase:
    burn_kdf(passphrase)
    return WrongPassphrase(WRONG_CREDENTIALS)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise VaultError("user names are 1-64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise VaultError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")


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


def fts_query(text: str) -> str:
    """Turn free text into a safe FTS5 query: every word quoted, ``word*`` kept as a prefix."""
    terms = []
    for match in _SEARCH_TERM.finditer(text):
        token = match.group()
        prefix = token.endswith("*")
        word = token.rstrip("*")
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


_sqlite_library: Any = None


def _sqlite_handle(conn: Any) -> tuple[Any, int] | None:
    """The C library and ``sqlite3 *`` of a sqlcipher3 connection (Linux only), or None.

    sqlcipher3 does not expose ``sqlite3_db_config``; its Connection object (pysqlite's
    layout, unchanged since 2004) holds the ``sqlite3 *`` right after the object header.
    The handle is checked against the connection's file name before it is used.
    """
    global _sqlite_library
    import sqlcipher3

    # Variadic C functions are called as fixed-argument ones below: same ABI on Linux x86-64/arm64.
    if sys.platform != "linux" or type(conn) is not sqlcipher3.Connection:
        return None
    if _sqlite_library is None:
        from sqlcipher3 import _sqlite3

        lib = ctypes.CDLL(_sqlite3.__file__)  # the already loaded extension: same SQLite instance
        lib.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.sqlite3_db_filename.restype = ctypes.c_char_p
        lib.sqlite3_db_config.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.sqlite3_db_config.restype = ctypes.c_int
        lib.sqlite3_db_status.argtypes = [
            ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int), ctypes.c_int
        ]
        lib.sqlite3_db_status.restype = ctypes.c_int
        _sqlite_library = lib
    handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
    return (_sqlite_library, handle) if handle else None


def _enlarge_lookaside(conn: Any, path: Path) -> bool:
    """Give a fresh connection the larger lookaside pool (best effort: only speed depends on it)."""
    try:
        found = _sqlite_handle(conn)
        if found is None:
            return False
        lib, handle = found
        name = lib.sqlite3_db_filename(handle, b"main")
        if not name or os.path.basename(os.fsdecode(name)) != Path(path).name:
            return False
        # Must run before the first statement: SQLite refuses while lookaside memory is in use.
        rc = lib.sqlite3_db_config(handle, _SQLITE_DBCONFIG_LOOKASIDE, None, LOOKASIDE_SLOT_BYTES, LOOKASIDE_SLOTS)
        return rc == 0
    except (OSError, AttributeError, ImportError, ValueError):
        log.debug("could not enlarge the SQLite lookaside pool", exc_info=True)
        return False


#: Search: the best ``?4`` rowids by bm25 first (kept in a small temp B-tree), then
#: snippets, messages and titles for those rows only; ties by message id. Same rows
#: and scores as ``ORDER BY messages_fts.rank LIMIT ?``, but that form makes FTS5 copy
#: every matching row with its position lists into a sorter, several allocations per
#: match, each an mlock/munlock pair under cipher_memory_security (docs/vault.md,
#: Performance). CROSS JOIN fixes the join order: left to the planner, SQLite reads
#: the ``messages`` row of every match (decrypting its page) before testing ``best``.
#: Parameters: snippet start mark, end mark, FTS5 query, limit.
SEARCH_SQL = (
    "WITH best(id, score) AS MATERIALIZED ("
    "SELECT rowid, bm25(messages_fts) FROM messages_fts WHERE messages_fts MATCH ?3 ORDER BY 2, 1 LIMIT ?4) "
    "SELECT m.case_id, m.id, c.title, snippet(messages_fts, 0, ?1, ?2, '…', 16), best.score "
    "FROM messages_fts CROSS JOIN best ON best.id = messages_fts.rowid CROSS JOIN messages m ON m.id = best.id "
    "CROSS JOIN cases c ON c.id = m.case_id WHERE messages_fts MATCH ?3 ORDER BY best.score, best.id"
)


def _raw_connect(path: Path, key_spec: bytearray) -> Any:
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    if not _enlarge_lookaside(conn, path):
        log.debug("vault connection keeps the default SQLite lookaside pool")
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


def _remove_staging(db_path: Path) -> None:
    """Delete what an interrupted rekey may leave: the staging copy and its journal."""
    for suffix in (".rekey", ".rekey-journal", ".rekey-wal", ".rekey-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{db_path}{suffix}").unlink()


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


class Vault:
    """An unlocked vault. Create with :meth:`create` or :meth:`unlock`; end with :meth:`lock`."""

    def __init__(self, path: Path, user: str, role: str, data_key: bytearray, lock_path: Path, database_id: str) -> None:
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

    def __repr__(self) -> str:
        state = "locked" if self._locked else "unlocked"
        return f"<Vault {self.path} user={self.user} role={self.role} {state}>"

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()

    # --- lifecycle --------------------------------------------------------------------

    @staticmethod
    def exists(path: Path) -> bool:
        """True when a vault database or its keys file is present at ``path``."""
        path = Path(path)
        return path.exists() or keys_path_for(path).exists()

    @classmethod
    def create(
        cls, path: Path, user: str, passphrase: bytearray, role: str = "supervisor", *, kdf: KdfParams | None = None
    ) -> Vault:
        """Create a new vault with its first user's key slot; returns it unlocked.

        The directory is made (or tightened to) mode 0700, the files are 0600.
        """
        path = Path(path)
        _check_name(user)
        _check_role(role)
        if cls.exists(path):
            raise VaultExists(f"a vault already exists at {path}; refusing to overwrite it")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)
        lock_path = process_lock.acquire(path)
        vault: Vault | None = None
        try:
            if cls.exists(path):
                raise VaultExists(f"a vault already exists at {path}; refusing to overwrite it")
            database_id = secrets.token_hex(16)
            data_key = bytearray(secrets.token_bytes(DATA_KEY_BYTES))
            slot = new_slot(database_id, user, role, passphrase, kdf)
            slot.wrap_data_key(database_id, 1, data_key)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            vault = cls(path, user, role, data_key, lock_path, database_id)
            conn = vault._open_first(check=False)
            vault._open_seal(accept_rollback=True)
            with vault.transaction():
                conn.execute("INSERT INTO meta(key, value) VALUES ('database_id', ?)", (database_id,))
                conn.execute("INSERT INTO meta(key, value) VALUES ('created_at', ?)", (_now(),))
            KeysFile(database_id, 1, [slot]).save(keys_path_for(path))
            log.info("vault created at %s for user %s (%s)", path, user, role)
            return vault
        except BaseException:
            if vault is not None:
                vault.lock()
            else:
                process_lock.release(lock_path)
            if not keys_path_for(path).exists():
                for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), seal_path_for(path)):
                    with contextlib.suppress(FileNotFoundError):
                        leftover.unlink()
            raise

    @classmethod
    def unlock(cls, path: Path, user: str, passphrase: bytearray, *, accept_rollback: bool = False) -> Vault:
        """Open the vault as ``user``. Raises WrongPassphrase, VaultTampered, VaultInUse, VaultNotFound.

        A wrong passphrase (or an unknown user: same message, same Argon2id cost) fails
        in the key slot, before the database is touched. A slot a supervisor reset raises
        :class:`PassphraseChangeRequired` after its passphrase is proved. A database older
        than its commit seal (rolled back, or committed WAL frames lost) raises
        :class:`VaultRolledBack` unless ``accept_rollback`` (then :attr:`accepted_rollback`).
        """
        path = Path(path)
        keys_path = keys_path_for(path)
        if not path.exists() and not keys_path.exists():
            raise VaultNotFound(f"no vault at {path}; run 'agentconsole init' first")
        if not path.exists():
            raise VaultNotFound(f"vault database missing: {path} (the keys file is there)")
        if not keys_path.exists():
            raise VaultNotFound(f"vault keys file missing: {keys_path}")
        keys = KeysFile.load(keys_path)
        opened = cls._open_user_slot(keys, user, passphrase)
        try:
            lock_path = process_lock.acquire(path)
        except BaseException:
            opened.close()
            raise
        try:
            with keys_file_lock:
                fresh = KeysFile.load(keys_path)
                if fresh.as_json() != keys.as_json():  # changed while we ran Argon2: unwrap again
                    opened.close()
                    keys = fresh
                    opened = cls._open_user_slot(keys, user, passphrase)
                return cls._open_database(path, keys, opened, lock_path, accept_rollback=accept_rollback)
        except BaseException:
            process_lock.release(lock_path)
            raise
        finally:
            opened.close()

    @staticmethod
    def _open_user_slot(keys: KeysFile, user: str, passphrase: bytearray, *, for_change: bool = False) -> SlotKey:
        slot = keys.slot(user)
        if slot is None:
            raise _spend_unknown_user(passphrase)
        opened = open_slot(slot, keys.database_id, passphrase)
        if slot.must_change and not for_change:
            opened.close()
            raise PassphraseChangeRequired(
                f"a supervisor reset the passphrase of {user}: set a new one with 'agentconsole passwd --user {user}'"
            )
        return opened

    @classmethod
    def _open_database(
        cls, path: Path, keys: KeysFile, opened: SlotKey, lock_path: Path, *, accept_rollback: bool = False
    ) -> Vault:
        slot = opened.slot
        accept_rollback = accept_rollback and slot.role == "supervisor"  # nobody else may accept one
        data_key = opened.data_key(keys.generation)
        recovered = None
        if keys.pending_generation is not None:
            data_key, recovered = cls._finish_interrupted_rekey(path, keys, opened, data_key)
        vault = cls(path, slot.user, slot.role, data_key, lock_path, keys.database_id)
        vault.recovered_rekey = recovered
        try:
            vault._open_first(check=True)
            stored = vault.get_meta("database_id")
            if stored != keys.database_id:
                raise VaultTampered("keys file does not belong to this vault database")
            vault._open_seal(accept_rollback=accept_rollback)
        except BaseException:
            vault._shutdown(release_process_lock=False)  # the caller releases its own reference
            raise
        log.info("vault unlocked by %s (%s)", slot.user, slot.role)
        return vault

    @staticmethod
    def _finish_interrupted_rekey(
        path: Path, keys: KeysFile, opened: SlotKey, current: bytearray
    ) -> tuple[bytearray, str]:
        """A rekey was interrupted: find which key the database is in and settle the keys file.

        Returns the data key and ``"swapped"`` (the new key won: the rekey happened) or
        ``"abandoned"`` (the database is still under the old key).
        """
        assert keys.pending_generation is not None
        pending = opened.data_key(keys.pending_generation)
        problems_current = _probe(path, current)
        if not problems_current:
            chosen, generation, dropped = current, keys.generation, keys.pending_generation
            zero(pending)
        elif not _probe(path, pending):
            chosen, generation, dropped = pending, keys.pending_generation, keys.generation
            zero(current)
        else:
            zero(pending)
            raise _tampered(problems_current)
        for slot in keys.slots:
            slot.data_keys.pop(dropped, None)
        keys.generation, keys.pending_generation = generation, None
        keys.save(keys_path_for(path))
        _remove_staging(path)
        log.warning("finished an interrupted rekey: database is at key generation %d", generation)
        return chosen, ("abandoned" if chosen is current else "swapped")

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
            conn.execute("INSERT INTO vault_secrets(name, value) VALUES (?, ?)", (_MATERIAL_ROOT, secrets.token_bytes(32)))
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
                sealed=0, found=found,
            )
        if record is not None and record.commit > found:
            if not accept_rollback:
                raise VaultRolledBack(
                    f"vault was rolled back or its write-ahead log damaged: {record.commit - found} committed "
                    f"transactions are missing (sealed commit {record.commit}, database at {found}); "
                    "if you restored a backup on purpose, a supervisor can accept it with "
                    "'agentconsole vault accept-rollback'",
                    sealed=record.commit, found=found,
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
                raise VaultError(f"the vault stayed busy with another write for {BUSY_TIMEOUT_MS // 1000} s; try again") from None
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
                    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
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

    def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate the WAL (after erasing data)."""
        self.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

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

    @property
    def keys_path(self) -> Path:
        return keys_path_for(self.path)

    def list_users(self) -> list[tuple[str, str]]:
        """Every key slot as ``(name, role)``."""
        self._require_unlocked()
        return [(s.user, s.role) for s in KeysFile.load(self.keys_path).slots]

    def add_user(self, name: str, role: str, passphrase: bytearray, *, kdf: KdfParams | None = None) -> None:
        """Add a key slot for ``name`` wrapping the current data key."""
        self._require_unlocked()
        _check_name(name)
        _check_role(role)
        with editing(self.keys_path) as keys:
            existing = keys.slot_like(name)
            if existing is not None:
                same = "" if existing.user == name else f" (as {existing.user}: names are unique ignoring case)"
                raise VaultError(f"user {name} already exists{same}")
            slot = new_slot(keys.database_id, name, role, passphrase, kdf)
            slot.wrap_data_key(keys.database_id, keys.generation, self._data_key)
            keys.slots.append(slot)
        log.info("key slot added for user %s (%s)", name, role)

    def remove_user(self, name: str) -> None:
        """Remove ``name``'s key slot. The last supervisor cannot be removed.

        The data key does not change: run :meth:`rekey` afterwards if the user
        may have kept a copy of the keys file.
        """
        self._require_unlocked()
        with editing(self.keys_path) as keys:
            slot = keys.slot(name)
            if slot is None:
                raise VaultError(f"no user {name} in this vault")
            if slot.role == "supervisor" and sum(s.role == "supervisor" for s in keys.slots) == 1:
                raise VaultError(f"cannot remove {name}: the vault needs at least one supervisor")
            keys.slots.remove(slot)
        log.info("key slot removed for user %s", name)

    def reset_passphrase(self, name: str, one_time: bytearray, *, kdf: KdfParams | None = None) -> None:
        """Give ``name`` a new slot under a one-time passphrase, flagged *must change*.

        For a user who forgot their passphrase: the slot (and key pair) is replaced,
        wrapping the current data key; the vault refuses to open with it until the
        user has set their own passphrase with :meth:`change_passphrase`.
        """
        self._require_unlocked()
        if name == self.user:
            raise VaultError("you cannot reset your own passphrase: change it with 'agentconsole passwd'")
        with editing(self.keys_path) as keys:
            slot = keys.slot(name)
            if slot is None:
                raise VaultError(f"no user {name} in this vault")
            replacement = new_slot(keys.database_id, name, slot.role, one_time, kdf, must_change=True)
            replacement.wrap_data_key(keys.database_id, keys.generation, self._data_key)
            keys.slots[keys.slots.index(slot)] = replacement
        log.info("passphrase reset for user %s", name)

    @staticmethod
    def change_passphrase(
        path: Path, user: str, old: bytearray, new: bytearray, *, kdf: KdfParams | None = None
    ) -> None:
        """Rewrap ``user``'s slot under a new passphrase (and a new key pair). The database is untouched."""
        path = Path(path)
        keys_path = keys_path_for(path)
        if not keys_path.exists():
            raise VaultNotFound(f"no vault at {path}; run 'agentconsole init' first")
        with process_lock.held(path), editing(keys_path) as keys:
            opened = Vault._open_user_slot(keys, user, old, for_change=True)
            generations = [keys.generation] + ([keys.pending_generation] if keys.pending_generation else [])
            try:
                data_keys = {g: opened.data_key(g) for g in generations}
            finally:
                opened.close()
            slot = opened.slot
            replacement = new_slot(keys.database_id, user, slot.role, new, kdf)
            for generation, data_key in data_keys.items():
                replacement.wrap_data_key(keys.database_id, generation, data_key)
                zero(data_key)
            keys.slots[keys.slots.index(slot)] = replacement
        log.info("passphrase changed for user %s", user)

    def rekey(self) -> None:
        """Rotate the data key: re-encrypt the database under a new key and rewrap every slot.

        Crash-safe: the new key is first added to every slot as *pending*, the
        database is exported under the new key to ``vault.db.rekey``, fsynced and
        renamed over ``vault.db``, and only then is the old key dropped. A crash at
        any point leaves a database wholly under one of the two keys, and the next
        unlock finds which and settles the keys file. Call with no other thread
        using the vault: their connections are closed and reopened lazily.
        """
        self._require_unlocked()
        with self._state, keys_file_lock:
            conn = self.connection()
            keys = KeysFile.load(self.keys_path)
            generation = keys.generation + 1
            new_key = bytearray(secrets.token_bytes(DATA_KEY_BYTES))
            for slot in keys.slots:
                slot.wrap_data_key(keys.database_id, generation, new_key)
            keys.pending_generation = generation
            keys.save(self.keys_path)
            _crash_point("pending-written")

            staging = Path(f"{self.path}.rekey")
            _remove_staging(self.path)
            os.close(os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            new_spec = _key_spec(new_key)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                conn.execute("ATTACH DATABASE ? AS rekeyed KEY ?", (str(staging), new_spec))
                if os.environ.get(CRASH_ENV) == "exporting":  # test hook: die part-way through the export
                    ticks = iter(range(20))
                    conn.set_progress_handler(lambda: next(ticks, None) is None and _crash_point("exporting") or 0, 50)
                try:
                    conn.execute("SELECT sqlcipher_export('rekeyed')").fetchone()
                    version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
                    conn.execute(f"PRAGMA rekeyed.user_version = {version}")
                finally:
                    conn.execute("DETACH DATABASE rekeyed")
                fd = os.open(staging, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                _crash_point("exported")

                self._close_connections()
                os.replace(staging, self.path)
                for stale in (Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
                    with contextlib.suppress(FileNotFoundError):
                        stale.unlink()
                fsync_dir(self.path.parent)
                _crash_point("swapped")
            except BaseException:
                zero(new_key)
                raise
            finally:
                zero(new_spec)

            for slot in keys.slots:
                slot.data_keys.pop(keys.generation, None)
            keys.generation, keys.pending_generation = generation, None
            keys.save(self.keys_path)

            logs.unregister_secret(bytes(self._data_key))
            zero(self._data_key)
            zero(self._key_spec)
            self._data_key = new_key
            self._key_spec = _key_spec(new_key)
            logs.register_secret(bytes(new_key))
            self._new_connection(check=True)
        log.info("data key rotated to generation %d", generation)

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

    # --- customers --------------------------------------------------------------------

    def upsert_customer(self, ref: str, display_name: str | None = None) -> int:
        """Create the customer ``ref`` or update its display name; returns its id."""
        with self.transaction() as conn:
            row = conn.execute(
                "INSERT INTO customers(ref, display_name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(ref) DO UPDATE SET display_name = COALESCE(excluded.display_name, display_name) "
                "RETURNING id",
                (ref, display_name, _now()),
            ).fetchone()
        return int(row[0])

    def get_customer(self, ref: str) -> Customer | None:
        row = self.connection().execute(
            "SELECT id, ref, display_name, created_at FROM customers WHERE ref = ?", (ref,)
        ).fetchone()
        return Customer(*row) if row else None

    def list_customers(self) -> list[Customer]:
        rows = self.connection().execute("SELECT id, ref, display_name, created_at FROM customers ORDER BY ref").fetchall()
        return [Customer(*r) for r in rows]

    # --- cases ------------------------------------------------------------------------

    _CASE_SELECT = (
        "SELECT c.id, c.customer_id, cu.ref, c.title, c.status, c.created_at, c.updated_at, "
        "(SELECT count(*) FROM messages m WHERE m.case_id = c.id) "
        "FROM cases c JOIN customers cu ON cu.id = c.customer_id "
    )

    def create_case(self, customer_id: int, title: str) -> int:
        """Open a new case for a customer; returns the case id."""
        import sqlcipher3

        now = _now()
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO cases(customer_id, title, status, created_at, updated_at) VALUES (?, ?, 'open', ?, ?)",
                    (customer_id, title, now, now),
                )
                return int(cur.lastrowid)
        except sqlcipher3.IntegrityError:
            raise RecordNotFound(f"no customer with id {customer_id}") from None

    def get_case(self, case_id: int) -> Case:
        row = self.connection().execute(self._CASE_SELECT + "WHERE c.id = ?", (case_id,)).fetchone()
        if row is None:
            raise RecordNotFound(f"no case with id {case_id}")
        return Case(*row)

    def list_cases(self, status: str | None = None, limit: int = 500) -> list[Case]:
        """Cases, most recent activity first, optionally only one status."""
        if status is not None and status not in CASE_STATUSES:
            raise VaultError(f"unknown case status {status!r}: use one of {', '.join(CASE_STATUSES)}")
        where = "WHERE c.status = ? " if status else ""
        params: tuple[Any, ...] = (status, int(limit)) if status else (int(limit),)
        rows = self.connection().execute(
            self._CASE_SELECT + where + "ORDER BY c.updated_at DESC, c.id DESC LIMIT ?", params
        ).fetchall()
        return [Case(*r) for r in rows]

    def set_case_status(self, case_id: int, status: str) -> None:
        if status not in CASE_STATUSES:
            raise VaultError(f"unknown case status {status!r}: use one of {', '.join(CASE_STATUSES)}")
        with self.transaction() as conn:
            cur = conn.execute("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", (status, _now(), case_id))
            if cur.rowcount == 0:
                raise RecordNotFound(f"no case with id {case_id}")

    def set_case_title(self, case_id: int, title: str) -> None:
        """Replace a case's (masked) title."""
        with self.transaction() as conn:
            cur = conn.execute("UPDATE cases SET title = ?, updated_at = ? WHERE id = ?", (title, _now(), case_id))
            if cur.rowcount == 0:
                raise RecordNotFound(f"no case with id {case_id}")

    def delete_case(self, case_id: int, *, compact_index: bool = True) -> None:
        """Delete a case with its messages, PII values and search-index entries.

        FTS5 secure-delete removes the deleted terms from the index, but the
        index's page directory can keep a short *prefix* of a deleted term; so
        the index is also rewritten (``'optimize'``) when the outermost
        transaction commits: many deletions inside one :meth:`transaction` cost
        one rewrite. ``compact_index=False`` skips it. Call :meth:`checkpoint`
        afterwards to flush the WAL into the main file.
        """
        with self.transaction() as conn:
            cur = conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))
            if cur.rowcount == 0:
                raise RecordNotFound(f"no case with id {case_id}")
            if compact_index:
                self._local.compact_pending = True

    def compact_search_index(self) -> None:
        """Rewrite the full-text index into one segment (drops every trace of deleted terms)."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")

    # --- messages ---------------------------------------------------------------------

    def add_message(
        self,
        case_id: int,
        role: str,
        text: str,
        *,
        created_at: str | None = None,
        raw_text: str | None = None,
        model: str | None = None,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        ttft_ms: float | None = None,
        decode_tokens_per_s: float | None = None,
        kind: str | None = None,
        question: str | None = None,
    ) -> int:
        """Store a (masked) message in a case and index it for search; returns the message id.

        ``kind`` and ``question`` describe model messages (a draft, a summary, an answer to ``question``).
        """
        import sqlcipher3

        if role not in MESSAGE_ROLES:
            raise VaultError(f"unknown message role {role!r}: use one of {', '.join(MESSAGE_ROLES)}")
        at = created_at or _now()
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO messages(case_id, role, text, raw_text, created_at, model, prompt_tokens, "
                    "completion_tokens, ttft_ms, decode_tokens_per_s, kind, question) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (case_id, role, text, raw_text, at, model, prompt_tokens, completion_tokens, ttft_ms,
                     decode_tokens_per_s, kind, question),
                )
                conn.execute("UPDATE cases SET updated_at = max(updated_at, ?) WHERE id = ?", (at, case_id))
                return int(cur.lastrowid)
        except sqlcipher3.IntegrityError:
            raise RecordNotFound(f"no case with id {case_id}") from None

    def list_messages(self, case_id: int) -> list[Message]:
        rows = self.connection().execute(
            "SELECT id, case_id, role, text, created_at, model, prompt_tokens, completion_tokens, ttft_ms, "
            "decode_tokens_per_s, raw_text, kind, question FROM messages WHERE case_id = ? ORDER BY id",
            (case_id,),
        ).fetchall()
        return [Message(*r) for r in rows]

    # --- PII values -------------------------------------------------------------------

    def add_pii_values(self, case_id: int, entries: Iterable[tuple[str, str, str]]) -> None:
        """Store ``(placeholder, entity_type, value)`` for a case; a known placeholder keeps its first value."""
        import sqlcipher3

        now = _now()
        try:
            with self.transaction() as conn:
                conn.executemany(
                    "INSERT INTO pii_values(case_id, placeholder, entity_type, value, created_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(case_id, placeholder) DO NOTHING",
                    ((case_id, p, t, v, now) for p, t, v in entries),
                )
        except sqlcipher3.IntegrityError:
            raise RecordNotFound(f"no case with id {case_id}") from None

    def pii_values(self, case_id: int) -> list[PiiValue]:
        rows = self.connection().execute(
            "SELECT case_id, placeholder, entity_type, value, created_at FROM pii_values WHERE case_id = ? ORDER BY id",
            (case_id,),
        ).fetchall()
        return [PiiValue(*r) for r in rows]

    # --- search -----------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Messages matching every word of ``query``, best bm25 first.

        User text is quoted word by word (FTS5 syntax is never interpreted;
        ``word*`` is a prefix search). Snippets mark matches with
        :data:`SNIPPET_START` / :data:`SNIPPET_END` (\\x02 ... \\x03).
        """
        match = fts_query(query)
        if not match:
            return []
        rows = self.connection().execute(SEARCH_SQL, (SNIPPET_START, SNIPPET_END, match, int(limit))).fetchall()
        return [SearchHit(int(r[0]), int(r[1]), r[2], r[3], float(r[4])) for r in rows]
