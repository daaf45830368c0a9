"""The encrypted vault: an SQLCipher database opened with a data key from a key slot.

See :mod:`agentconsole.vault.keyslots` for how the data key is wrapped and
``docs/vault.md`` for the design. One :class:`Vault` is one unlocked session.
This module holds its lifecycle (create, unlock, lock), its users and key
rotation; connections and transactions are in :mod:`.database`, the SQL on the
stored records in :mod:`.repositories`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import signal
from pathlib import Path

from agentconsole import logs
from agentconsole.atomicfile import fsync_dir
from agentconsole.vault import process_lock
from agentconsole.vault.database import (
    Database,
    _key_spec,
    _probe,
    _tampered,
    keys_path_for,
    seal_path_for,
)
from agentconsole.vault.errors import (
    PassphraseChangeRequired,
    VaultError,
    VaultExists,
    VaultNotFound,
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
from agentconsole.vault.records import ROLES
from agentconsole.vault.repositories import CaseRepository, ComplianceRepository, fts_query
from agentconsole.vault.repositories.base import now as _now
from agentconsole.vault.repositories.bookings import BookingRepository
from agentconsole.vault.repositories.kb import KbRepository
from agentconsole.vault.repositories.transparency import TransparencyRepository
from agentconsole.vault.repositories.workflow import WorkflowRepository

__all__ = [
    "CRASH_ENV",
    "REKEY_STAGES",
    "Vault",
    "fts_query",
    "keys_path_for",
    "seal_path_for",
]

log = logging.getLogger("agentconsole.vault")

#: Test hook: name a rekey stage here and the process SIGKILLs itself there.
CRASH_ENV = "AGENTCONSOLE_VAULT_CRASH_AT"
REKEY_STAGES = ("pending-written", "exporting", "exported", "swapped")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


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


def _remove_staging(db_path: Path) -> None:
    """Delete what an interrupted rekey may leave: the staging copy and its journal."""
    for suffix in (".rekey", ".rekey-journal", ".rekey-wal", ".rekey-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{db_path}{suffix}").unlink()


class Vault(
    Database,
    CaseRepository,
    ComplianceRepository,
    BookingRepository,
    WorkflowRepository,
    TransparencyRepository,
    KbRepository,
):
    """An unlocked vault. Create with :meth:`create` or :meth:`unlock`; end with :meth:`lock`.

    The repository operations (cases, messages, PII values, search, audit rows,
    consents, erasure, retention) come from :mod:`.repositories`; connections,
    transactions and the commit seal from :class:`~agentconsole.vault.database.Database`.
    """

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

    # --- users and keys ---------------------------------------------------------------

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

                    def die_after_ticks() -> int:
                        if next(ticks, None) is None:
                            _crash_point("exporting")
                        return 0

                    conn.set_progress_handler(die_after_ticks, 50)
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
