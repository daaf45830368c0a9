"""The team store's lifecycle: set-up (``team init``), unlock, users and their key slots.

Key slots are the file vault's (:mod:`agentconsole.vault.keyslots`: Argon2id → KEK
→ X25519 private key; the data key wrapped to each slot's public key), kept as
one row per user in ``ac.members`` instead of ``vault.keys``. The console role
in ``members.role`` (which an agent cannot change) must match the role bound in
the slot. Each user also has a database login role whose password is derived
from the passphrase (:func:`.connect.login_password`).
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from agentconsole import logs
from agentconsole.vault.errors import PassphraseChangeRequired, VaultError, VaultTampered, WrongPassphrase
from agentconsole.vault.keyslots import (
    DATA_KEY_BYTES,
    WRONG_CREDENTIALS,
    KdfParams,
    KeysFile,
    KeySlot,
    new_slot,
    open_slot,
    zero,
)
from agentconsole.vault.postgres import schema
from agentconsole.vault.postgres.connect import (
    ServerTarget,
    TeamServerError,
    connect_kwargs,
    describe_failure,
    login_password,
    make_pool,
)
from agentconsole.vault.postgres.database import MATERIAL_ROOT, TeamPermissionDenied
from agentconsole.vault.postgres.live import TeamLiveRepository
from agentconsole.vault.records import ROLES
from agentconsole.vault.repositories.base import now as _now

log = logging.getLogger("agentconsole.vault.team")

_TEAM_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _check_team(team: str) -> None:
    if not team or len(team) > 40 or not set(team) <= _TEAM_NAME_CHARS:
        raise VaultError("team names are 1-40 lower-case letters, digits, '_' or '-'")


def _slot_of(row_slot: str, database_id: str, generation: int, pending: int | None) -> KeySlot:
    doc = {
        "format": "agentconsole-vault-keys",
        "version": 1,
        "database_id": database_id,
        "generation": generation,
        "pending_generation": pending,
        "slots": [json.loads(row_slot)],
    }
    return KeysFile.from_json(doc, "the team store").slots[0]


def _role_sql(target: ServerTarget, text: str) -> str:
    db = target.role_prefix  # validated: [a-z_][a-z0-9_]*
    return text.format(
        agent=f'"{db}_agent"',
        supervisor=f'"{db}_supervisor"',
        auditor=f'"{db}_auditor"',
        supervisor_text=f"'{db}_supervisor'",
        prefix_text=f"'{db}_u_'",
        db_text=f"'{db}'",
    )


def _verifier(conn: Any, login: str, password: str) -> str:
    """A SCRAM-SHA-256 verifier computed by libpq on the client: the server never sees the password."""
    return bytes(conn.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256")).decode()


class TeamVault(TeamLiveRepository):
    """An unlocked session on a team store. :meth:`create` (``team init``) or :meth:`unlock`; end with ``lock``."""

    _login: tuple[str, str]
    #: What the service reads after an unlock of a file vault; a team store never has either.
    recovered_rekey: str | None = None
    accepted_rollback: tuple[int, int] | None = None

    def rekey(self) -> None:
        """A team store is rekeyed with the database owner's DSN: ``agentconsole team rekey`` (rekey.py)."""
        raise VaultError("a team store is rekeyed with 'agentconsole team rekey --dsn OWNER_DSN' (docs/team.md)")

    def __repr__(self) -> str:
        state = "locked" if self._locked else "unlocked"
        return f"<TeamVault {self.target.dbname} user={self.user} role={self.role} {state}>"

    def lock(self) -> None:
        if not self._locked and getattr(self, "_login", None):
            logs.unregister_secret(self._login[1])
        super().lock()

    def __enter__(self) -> TeamVault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()

    # --- set-up -----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        target: ServerTarget,
        admin_dsn: str,
        user: str,
        passphrase: bytearray,
        *,
        team: str = "default",
        kdf: KdfParams | None = None,
        pool_size: int = 8,
    ) -> TeamVault:
        """Set up the schema, roles, grants and the first supervisor; returns the store unlocked as them.

        ``admin_dsn`` logs in as the database's owner (a role that may create roles); it is
        used for this call only and never stored.
        """
        import psycopg

        _check_team(team)
        login = target.login_role(user)
        try:
            admin = psycopg.connect(admin_dsn, **connect_kwargs(target, None, None))  # type: ignore[arg-type]
        except psycopg.OperationalError as exc:
            raise TeamServerError(describe_failure(target, exc)) from None
        with admin:
            if admin.execute("SELECT to_regclass('ac.team_info')").fetchone()[0] is not None:  # type: ignore[index]
                raise VaultError(f"database {target.dbname} already holds a team store; refusing to overwrite it")
            for kind in schema.ROLE_KINDS:
                name = f"{target.role_prefix}_{kind}"
                if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
                    admin.execute(f'CREATE ROLE "{name}" NOLOGIN')
            for statement in schema.MIGRATIONS[0] + schema.LOGIN_FUNCTIONS:
                admin.execute(_role_sql(target, statement))
            database_id = secrets.token_hex(16)
            data_key = bytearray(secrets.token_bytes(DATA_KEY_BYTES))
            slot = new_slot(database_id, user, "supervisor", passphrase, kdf)
            slot.wrap_data_key(database_id, 1, data_key)
            info = {
                "database_id": database_id,
                "generation": "1",
                "schema_version": str(len(schema.MIGRATIONS)),
                "created_at": _now(),
            }
            for key, value in info.items():
                admin.execute("INSERT INTO ac.team_info (key, value) VALUES (%s, %s)", (key, value))
            password = login_password(target, user, passphrase)
            admin.execute(
                f'CREATE ROLE "{login}" LOGIN PASSWORD %s IN ROLE "{target.role_prefix}_supervisor"'.replace(
                    "%s", "'" + _verifier(admin, login, password).replace("'", "''") + "'"
                )
            )
            admin.execute(
                "INSERT INTO ac.members (name, name_folded, db_role, role, team, slot) "
                "VALUES (%s, %s, %s, 'supervisor', %s, %s)",
                (user, user.casefold(), login, team, json.dumps(slot.as_json(), sort_keys=True)),
            )
            from agentconsole.vault.postgres.crypto import RowCipher

            cipher = RowCipher(database_id, {1: bytes(data_key)}, 1)
            root = secrets.token_bytes(32).hex()
            admin.execute(
                "INSERT INTO ac.team_meta (key, value) VALUES (%s, %s)",
                (MATERIAL_ROOT, cipher.seal("team_meta", "value", MATERIAL_ROOT, root)),
            )
            admin.commit()
        zero(data_key)
        log.info("team store set up in %s with supervisor %s", target.dbname, user)
        return cls.unlock(target, user, passphrase, pool_size=pool_size)

    # --- unlock -----------------------------------------------------------------------

    @classmethod
    def unlock(
        cls,
        target: ServerTarget,
        user: str,
        passphrase: bytearray,
        *,
        pool_size: int = 8,
        durable_commits: bool = True,
        for_change: bool = False,
    ) -> TeamVault:
        """Log in as ``user`` and open their key slot. Raises WrongPassphrase, VaultTampered, TeamServerError.

        A slot a supervisor reset raises :class:`PassphraseChangeRequired` (unless ``for_change``).
        """
        login = target.login_role(user)
        password = login_password(target, user, passphrase)
        try:
            pool = make_pool(target, login, password, max_size=pool_size, durable_commits=durable_commits)
        except TeamServerError as exc:
            if str(exc) == WRONG_CREDENTIALS:
                raise WrongPassphrase(WRONG_CREDENTIALS) from None
            raise
        try:
            with pool.connection() as conn:
                info: dict[str, str] = dict(conn.execute("SELECT key, value FROM ac.team_info").fetchall())
                row = conn.execute(
                    "SELECT name, role, team, slot FROM ac.members WHERE db_role = session_user"
                ).fetchone()
            if row is None:
                raise WrongPassphrase(WRONG_CREDENTIALS)
            name, role, team, slot_text = row
            database_id = str(info["database_id"])
            generation = int(info["generation"])
            pending = int(info["pending_generation"]) if info.get("pending_generation") else None
            slot = _slot_of(slot_text, database_id, generation, pending)
            if slot.user != name or slot.role != role:
                raise VaultTampered(f"key slot of user {name} does not match its membership (role {role})")
            opened = open_slot(slot, database_id, passphrase)
            if slot.must_change and not for_change:
                opened.close()
                raise PassphraseChangeRequired(
                    f"a supervisor reset the passphrase of {name}: set a new one with 'agentconsole passwd --user {name}'"
                )
            try:
                keys = {generation: opened.data_key(generation)}
                if pending is not None:
                    keys[pending] = opened.data_key(pending)
            finally:
                opened.close()
            # during a rekey (rekey.py) new cells are written under the new key already
            vault = cls(target, pool, name, role, team, database_id, keys, pending or generation)
            vault._login = (login, password)
            logs.register_secret(password)  # libpq needs it to reconnect: kept, but never logged
            vault._load_material()
        except BaseException:
            pool.close()
            raise
        log.info("team store unlocked by %s (%s, team %s)", name, role, team)
        return vault

    # --- users ------------------------------------------------------------------------

    def list_users(self) -> list[tuple[str, str]]:
        """Every member this user may see as ``(name, role)`` (agents see themselves only)."""
        with self._borrow() as conn:
            return [(str(n), str(r)) for n, r in conn.execute("SELECT name, role FROM ac.members ORDER BY name")]

    def list_members(self) -> list[tuple[str, str, str]]:
        """``(name, role, team)`` of every member this user may see."""
        with self._borrow() as conn:
            rows = conn.execute("SELECT name, role, team FROM ac.members ORDER BY name").fetchall()
        return [(str(n), str(r), str(t)) for n, r, t in rows]

    def add_user(
        self, name: str, role: str, passphrase: bytearray, *, team: str | None = None, kdf: KdfParams | None = None
    ) -> None:
        """Add a member (supervisors): key slot wrapping the data key, and their database login."""
        import psycopg

        if role not in ROLES:
            raise VaultError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
        team = team or self.team
        _check_team(team)
        login = self.target.login_role(name)
        slot = new_slot(self.database_id, name, role, passphrase, kdf)
        for generation, key in self._data_keys.items():
            slot.wrap_data_key(self.database_id, generation, key)
        password = login_password(self.target, name, passphrase)
        try:
            with self.transaction() as conn:
                if conn.execute("SELECT 1 FROM ac.members WHERE name_folded = %s", (name.casefold(),)).fetchone():
                    raise VaultError(f"user {name} already exists (names are unique ignoring case)")
                conn.execute("SELECT ac.create_login(%s, %s, %s)", (login, role, _verifier(conn, login, password)))
                conn.execute(
                    "INSERT INTO ac.members (name, name_folded, db_role, role, team, slot) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    (name, name.casefold(), login, role, team, json.dumps(slot.as_json(), sort_keys=True)),
                )
        except TeamPermissionDenied:
            raise VaultError("only a supervisor may add users") from None
        except psycopg.errors.DuplicateObject:
            raise VaultError(f"a database login for {name} already exists on this server") from None
        log.info("team member added: %s (%s, team %s)", name, role, team)

    def remove_user(self, name: str) -> None:
        """Remove a member's slot and login (supervisors); the last supervisor stays."""

        try:
            with self.transaction() as conn:
                row = conn.execute(
                    "SELECT role, db_role FROM ac.members WHERE name = %s FOR UPDATE", (name,)
                ).fetchone()
                if row is None:
                    raise VaultError(f"no user {name} in this team store")
                count = conn.execute("SELECT count(*) FROM ac.members WHERE role = 'supervisor'").fetchone()
                if row[0] == "supervisor" and count is not None and int(count[0]) == 1:
                    raise VaultError(f"cannot remove {name}: the team store needs at least one supervisor")
                conn.execute("DELETE FROM ac.members WHERE name = %s", (name,))
                conn.execute("SELECT ac.drop_login(%s)", (row[1],))
        except TeamPermissionDenied:
            raise VaultError("only a supervisor may remove users") from None
        log.info("team member removed: %s", name)

    def change_passphrase_self(self, new: bytearray, *, kdf: KdfParams | None = None) -> None:
        """Replace this user's slot (new key pair) and database password under a new passphrase."""
        slot = new_slot(self.database_id, self.user, self.role, new, kdf)
        for generation, key in self._data_keys.items():
            slot.wrap_data_key(self.database_id, generation, key)
        login = self.target.login_role(self.user)
        password = login_password(self.target, self.user, new)
        with self.transaction() as conn:
            verifier = _verifier(conn, login, password).replace("'", "''")
            conn.execute(f"ALTER ROLE CURRENT_USER PASSWORD '{verifier}'")
            conn.execute(
                "UPDATE ac.members SET slot = %s WHERE db_role = session_user",
                (json.dumps(slot.as_json(), sort_keys=True),),
            )
        logs.unregister_secret(self._login[1])
        self._login = (login, password)
        logs.register_secret(password)
        log.info("passphrase changed for team member %s", self.user)

    @classmethod
    def change_passphrase(
        cls, target: ServerTarget, user: str, old: bytearray, new: bytearray, *, kdf: KdfParams | None = None
    ) -> None:
        """``passwd`` on the team store: unlock with ``old``, rewrap under ``new``."""
        with cls.unlock(target, user, old, pool_size=1, for_change=True) as vault:
            vault.change_passphrase_self(new, kdf=kdf)

    def reset_passphrase(self, name: str, one_time: bytearray, *, kdf: KdfParams | None = None) -> None:
        """Give ``name`` a new slot and login under a one-time passphrase (supervisors)."""
        if name == self.user:
            raise VaultError("you cannot reset your own passphrase: change it with 'agentconsole passwd'")
        with self.transaction() as conn:
            row = conn.execute("SELECT role, db_role FROM ac.members WHERE name = %s FOR UPDATE", (name,)).fetchone()
            if row is None:
                raise VaultError(f"no user {name} in this team store")
            slot = new_slot(self.database_id, name, row[0], one_time, kdf, must_change=True)
            for generation, key in self._data_keys.items():
                slot.wrap_data_key(self.database_id, generation, key)
            password = login_password(self.target, name, one_time)
            conn.execute("SELECT ac.set_login_password(%s, %s)", (row[1], _verifier(conn, row[1], password)))
            conn.execute(
                "UPDATE ac.members SET slot = %s WHERE name = %s", (json.dumps(slot.as_json(), sort_keys=True), name)
            )
        log.info("passphrase reset for team member %s", name)

    def assign_case(self, case_id: int, *, team: str | None = None, assignee: str | None = None) -> None:
        """Hand a case to another team and/or person (row version bumped; supervisors, or RLS refuses)."""

        if team is not None:
            _check_team(team)
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "UPDATE ac.cases SET team = coalesce(%s, team), assignee = %s, version = version + 1, "
                    "updated_at = %s WHERE id = %s",
                    (team, assignee, _now(), case_id),
                )
                if cur.rowcount == 0:
                    raise VaultError(f"no case with id {case_id}")
        except TeamPermissionDenied:
            raise VaultError("you may not hand this case to that team") from None
