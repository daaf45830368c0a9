"""The team store's session: a pool of connections as one console user, units of work, keys.

:class:`TeamDatabase` is to the PostgreSQL backend what ``vault.database.Database``
is to the SQLCipher file: ``connection()``, ``transaction()`` (per thread; nested
blocks are savepoints), ``get_meta``/``set_meta``, ``commit_seq``,
``data_key_material`` and ``lock()``. It also holds the row cipher and the blind
index of :mod:`.crypto`; the repositories encrypt and decrypt through it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from agentconsole import logs
from agentconsole.vault.errors import VaultError, VaultLocked
from agentconsole.vault.keyslots import zero
from agentconsole.vault.postgres.crypto import CUSTOMER_REF_PURPOSE, SEARCH_PURPOSE, BlindIndex, RowCipher, hkdf

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

    from agentconsole.vault.postgres.connect import ServerTarget

log = logging.getLogger("agentconsole.vault.team")

#: pg_advisory_xact_lock key of the audit chain: every client appends in one serialized order.
AUDIT_LOCK_KEY = 0x61756469  # "audi"
MATERIAL_ROOT = "material_root"
#: Root of the blind-index keys after a rekey (before: derived from MATERIAL_ROOT); the new one during a rekey.
SEARCH_ROOT = "search_root"
SEARCH_ROOT_PENDING = "search_root_pending"
#: Row ids reserved per round trip.
ID_BLOCK = 64


class TeamPermissionDenied(VaultError):
    """The server refused a statement: this user's database role may not do it (grants or row security)."""


def _refused() -> TeamPermissionDenied:
    return TeamPermissionDenied("the team store refused: your role may not do this")


class VersionConflict(VaultError):
    """An edit lost a race: someone else changed the record since it was read (reload and retry)."""


class TeamDatabase:
    """An unlocked session on the team store (see :class:`~agentconsole.vault.postgres.TeamVault`)."""

    def __init__(
        self,
        target: ServerTarget,
        pool: ConnectionPool,
        user: str,
        role: str,
        team: str,
        database_id: str,
        data_keys: dict[int, bytearray],
        generation: int,
    ) -> None:
        self.target = target
        self.path = target.dbname  # what logs and messages show for "where": never the DSN
        self.user = user
        self.role = role
        self.team = team
        self.database_id = database_id
        self._pool: ConnectionPool | None = pool
        self._data_keys = data_keys
        self.generation = generation
        self._local = threading.local()
        self._ids: list[int] = []
        self._ids_lock = threading.Lock()
        self._locked = False
        self.cipher = RowCipher(database_id, {g: bytes(k) for g, k in data_keys.items()}, generation)
        for key in data_keys.values():
            logs.register_secret(bytes(key))
        self._material_root: bytearray | None = None
        self.index = BlindIndex(b"\0" * 32)
        self.refs = BlindIndex(b"\0" * 32)

    def _load_material(self) -> None:
        """Read (or on first use create) the root of derived keys, stored encrypted in ``team_meta``."""
        root = self.get_meta(MATERIAL_ROOT)
        if root is None:
            raise VaultError("team store has no key material: it was not set up with 'agentconsole team init'")
        self._material_root = bytearray(bytes.fromhex(root))
        # the blind index has a root of its own once a rekey has replaced it (rekey.py), else the shared one
        search = self.get_meta(SEARCH_ROOT_PENDING) or self.get_meta(SEARCH_ROOT)
        self.use_search_root(bytes.fromhex(search) if search else bytes(self._material_root))

    def use_search_root(self, root: bytes) -> None:
        """Key the blind index (search words, customer references) from ``root``."""
        self.index = BlindIndex(hkdf(root, SEARCH_PURPOSE))
        self.refs = BlindIndex(hkdf(root, CUSTOMER_REF_PURPOSE))

    # --- lifecycle --------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self._locked

    def _require_unlocked(self) -> None:
        if self._locked or self._pool is None:
            raise VaultLocked("the team store is locked")

    def lock(self) -> None:
        """Close the pool and zero every key held."""
        if self._locked:
            return
        self._locked = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        for key in self._data_keys.values():
            logs.unregister_secret(bytes(key))
            zero(key)
        zero(self._material_root)
        self.cipher = RowCipher(self.database_id, {}, self.generation)
        log.info("team store locked for %s", self.user)

    # --- connections and units of work ----------------------------------------------

    @contextlib.contextmanager
    def _borrow(self) -> Iterator[psycopg.Connection[Any]]:
        """The calling thread's transaction connection, or a pooled one for one autocommit read."""
        self._require_unlocked()
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        import psycopg

        assert self._pool is not None
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.errors.InsufficientPrivilege:
            raise _refused() from None

    def connection(self) -> Any:
        """The calling thread's connection inside :meth:`transaction` (for the vault's own modules)."""
        current = getattr(self._local, "conn", None)
        if current is None:
            raise VaultError("team store: connection() is only available inside transaction()")
        return current

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """An atomic unit on the calling thread; nested blocks become savepoints."""
        self._require_unlocked()
        current = getattr(self._local, "conn", None)
        if current is not None:
            with current.transaction():
                yield current
            return
        import psycopg

        assert self._pool is not None
        try:
            with self._pool.connection() as conn:
                self._local.conn = conn
                try:
                    with conn.transaction():
                        yield conn
                finally:
                    self._local.conn = None
        except psycopg.errors.InsufficientPrivilege:
            raise _refused() from None

    def checkpoint(self) -> bool:
        """Nothing to flush on the client: the server owns its write-ahead log."""
        self._require_unlocked()
        return True

    def check_integrity(self) -> list[int]:
        """Decrypt every encrypted cell this connection may read; raises VaultTampered naming the first bad one."""
        from agentconsole.vault.postgres.integrity import verify_all

        verify_all(self)
        return []

    # --- meta and keys ----------------------------------------------------------------

    def commit_seq(self) -> int:
        """How many write statements the team store has committed (a server sequence: only grows)."""
        with self._borrow() as conn:
            row = conn.execute("SELECT last_value FROM ac.commit_seq").fetchone()
        return int(row[0]) if row else 0

    def get_meta(self, key: str) -> str | None:
        with self._borrow() as conn:
            row = conn.execute("SELECT value FROM ac.team_meta WHERE key = %s", (key,)).fetchone()
        return self.cipher.open("team_meta", "value", key, row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO ac.team_meta (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, self.cipher.seal("team_meta", "value", key, value)),
            )

    def data_key_material(self, purpose: bytes) -> bytes:
        """HKDF-SHA256 of the team's root secret (kept encrypted in the store, so it survives a rekey)."""
        self._require_unlocked()
        if self._material_root is None:
            raise VaultLocked("the team store is locked")
        return hkdf(self._material_root, bytes(purpose))

    def reserve_ids(self, conn: psycopg.Connection[Any], count: int) -> list[int]:
        """Row ids from the server's sequence, known before encrypting (they are in the associated data).

        Taken in blocks of :data:`ID_BLOCK` (one round trip per block); ids say nothing about
        order across consoles: messages are ordered by a server-assigned ``position``.
        """
        with self._ids_lock:
            if len(self._ids) < count:
                rows = conn.execute(
                    "SELECT nextval('ac.row_ids') FROM generate_series(1, %s)", (max(ID_BLOCK, count),)
                ).fetchall()
                self._ids.extend(int(r[0]) for r in rows)
            taken, self._ids = self._ids[:count], self._ids[count:]
        return taken

    @contextlib.contextmanager
    def write_unit(self) -> Iterator[Any]:
        """Like :meth:`transaction`, but statements are pipelined (one round trip to the commit) when it is
        the outermost unit. For writes that read no results until the end."""
        if getattr(self._local, "conn", None) is not None:
            with self.transaction() as conn:
                yield conn
            return
        import psycopg

        self._require_unlocked()
        assert self._pool is not None
        try:
            with self._pool.connection() as conn:
                self._local.conn = conn
                try:
                    with conn.pipeline(), conn.transaction():
                        yield conn
                finally:
                    self._local.conn = None
        except psycopg.errors.InsufficientPrivilege:
            raise _refused() from None
