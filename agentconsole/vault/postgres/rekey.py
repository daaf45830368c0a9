"""``team rekey``: a new data key for a team store, every cell re-encrypted in batches, resumable.

Run by a supervisor (whose slot opens the current key) with the database owner's
DSN (``ac.team_info`` and the audit entries are the owner's to rewrite). Steps:

1. **Start** (one transaction): a new data key (generation G+1) is wrapped into
   every member's key slot beside the old one, a new root for the blind index is
   stored, and ``team_info.pending_generation`` is set. Refused while another
   member's console is connected: a console unlocked before the start knows only
   the old key and would go on writing under it. A console unlocked after the
   start opens both keys and already writes under the new one.
2. **Re-encrypt** every encrypted cell, table by table in id order, in batches of
   :data:`BATCH` rows, each batch one transaction that also records its last id
   in ``team_info.rekey_progress``; a message's blind-index tokens and a
   customer's reference token are recomputed under the new index key in the same
   batch. A killed run is resumed by running the command again.
3. **Finish** (one transaction): cells still under the old key (none, unless a
   row was written concurrently) are swept, ``team_meta`` re-encrypted, every
   slot rewrapped with the new key only, the generation advanced.

The root of derived keys (audit MAC key) is kept, so the audit chain verifies
unchanged; a removed member who kept the old data key can neither read cells
written or re-encrypted after the rekey nor compute search tokens any more.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from agentconsole import logs
from agentconsole.vault.errors import VaultError
from agentconsole.vault.keyslots import DATA_KEY_BYTES, zero
from agentconsole.vault.postgres.crypto import RowCipher
from agentconsole.vault.postgres.database import SEARCH_ROOT, SEARCH_ROOT_PENDING
from agentconsole.vault.postgres.integrity import ENCRYPTED as CELLS

if TYPE_CHECKING:
    import psycopg

    from agentconsole.vault.postgres.store import TeamVault

#: (table, id column, encrypted columns) of every table with row cells (``team_meta`` is re-encrypted at the finish).
ENCRYPTED = tuple(entry for entry in CELLS if entry[0] != "team_meta")
BATCH = 500
PENDING = "pending_generation"
PROGRESS = "rekey_progress"
#: Test hook: SIGKILL the process after this many re-encryption batches (an interrupted rekey).
CRASH_ENV = "AGENTCONSOLE_REKEY_CRASH_AFTER"


def _info(conn: psycopg.Connection[Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM ac.team_info").fetchall()}


def _set_info(conn: psycopg.Connection[Any], key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM ac.team_info WHERE key = %s", (key,))
    else:
        conn.execute(
            "INSERT INTO ac.team_info (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = %s",
            (key, value, value),
        )


def _rewrap_slots(conn: psycopg.Connection[Any], vault: TeamVault, keys: dict[int, bytearray]) -> int:
    """Every member's slot wrapping exactly ``keys`` (wraps need only the slot's public key)."""
    from agentconsole.vault.postgres.store import _slot_of

    rows = conn.execute("SELECT name, slot FROM ac.members ORDER BY name FOR UPDATE").fetchall()
    for name, slot_text in rows:
        doc = json.loads(slot_text)
        known = {int(g) for g in doc["data_keys"]}
        slot = _slot_of(slot_text, vault.database_id, min(known), None)
        slot.data_keys = {g: w for g, w in slot.data_keys.items() if g in keys}
        for generation, key in keys.items():
            if generation not in slot.data_keys:
                slot.wrap_data_key(vault.database_id, generation, key)
        conn.execute(
            "UPDATE ac.members SET slot = %s WHERE name = %s", (json.dumps(slot.as_json(), sort_keys=True), name)
        )
    return len(rows)


def _others_connected(conn: psycopg.Connection[Any], vault: TeamVault) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() "
        "AND left(usename, length(%s)) = %s AND usename <> %s ORDER BY 1",
        (vault.target.role_prefix + "_u_", vault.target.role_prefix + "_u_", vault.target.login_role(vault.user)),
    ).fetchall()
    return [str(r[0]) for r in rows]


def _start(admin: psycopg.Connection[Any], vault: TeamVault, say: Callable[[str], None]) -> None:
    """Step 1: the new key in every slot, a new blind-index root, ``pending_generation`` set."""
    others = _others_connected(admin, vault)
    if others:
        raise VaultError(
            f"{len(others)} other console(s) of this team store are connected: every other member must lock "
            "(or quit) before a rekey"
        )
    current = vault.generation
    new = current + 1
    key = bytearray(secrets.token_bytes(DATA_KEY_BYTES))
    search_root = secrets.token_bytes(32)
    with admin.transaction():
        info = _info(admin)
        if int(info["generation"]) != current or info.get(PENDING):
            raise VaultError("the team store changed during the start of the rekey: run it again")
        members = _rewrap_slots(admin, vault, {**vault._data_keys, new: key})
        cipher = RowCipher(vault.database_id, {new: bytes(key)}, new)
        admin.execute(
            "INSERT INTO ac.team_meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = %s",
            (SEARCH_ROOT_PENDING, *[cipher.seal("team_meta", "value", SEARCH_ROOT_PENDING, search_root.hex())] * 2),
        )
        _set_info(admin, PENDING, str(new))
        _set_info(admin, PROGRESS, f"{ENCRYPTED[0][0]}:0")
    logs.register_secret(bytes(key))
    vault._data_keys[new] = key
    vault.generation = new
    vault.cipher = RowCipher(vault.database_id, {g: bytes(k) for g, k in vault._data_keys.items()}, new)
    vault.use_search_root(search_root)
    say(f"new data key (generation {new}) wrapped for {members} member(s)")


def _reencrypt(
    admin: psycopg.Connection[Any], vault: TeamVault, table: str, id_col: str, cols: tuple[str, ...], ids: list[int]
) -> int:
    """Re-encrypt the cells of rows ``ids`` of ``table`` (and their tokens) under the current generation."""
    cipher = vault.cipher
    rows = admin.execute(
        f"SELECT {id_col}, {', '.join(cols)} FROM ac.{table} WHERE {id_col} = ANY(%s) FOR UPDATE", (ids,)
    ).fetchall()
    updates = []
    case_of: dict[int, int] = {}
    if table == "messages":
        case_of = dict(admin.execute("SELECT id, case_id FROM ac.messages WHERE id = ANY(%s)", (ids,)).fetchall())
        admin.execute("DELETE FROM ac.search_tokens WHERE message_id = ANY(%s)", (ids,))
    tokens: list[tuple[bytes, int, int]] = []
    for row in rows:
        plain = [cipher.open(table, col, row[0], blob) for col, blob in zip(cols, row[1:], strict=True)]
        sealed = [cipher.seal(table, col, row[0], text) for col, text in zip(cols, plain, strict=True)]
        if table == "customers":
            sealed.append(vault.refs.token("ref", plain[0] or ""))
        updates.append((*sealed, row[0]))
        if table == "messages":
            tokens.extend((t, row[0], case_of[row[0]]) for t in vault.index.message_tokens(plain[0] or ""))
    if tokens:
        admin.cursor().executemany(
            "INSERT INTO ac.search_tokens (token, message_id, case_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            tokens,
        )
    assigned = [f"{c} = %s" for c in cols] + (["ref_token = %s"] if table == "customers" else [])
    admin.cursor().executemany(f"UPDATE ac.{table} SET {', '.join(assigned)} WHERE {id_col} = %s", updates)
    return len(rows)


def _old_cells(admin: psycopg.Connection[Any], table: str, id_col: str, cols: tuple[str, ...], new: int) -> list[int]:
    """Ids of rows with any cell under another generation than ``new`` (bytes 2..5 of a cell)."""
    generation = new.to_bytes(4, "big")
    test = " OR ".join(f"({c} IS NOT NULL AND substring({c} from 2 for 4) <> %(g)s)" for c in cols)
    return [int(r[0]) for r in admin.execute(f"SELECT {id_col} FROM ac.{table} WHERE {test}", {"g": generation})]


def rekey_team(vault: TeamVault, admin_dsn: str, *, progress: Callable[[str], None] | None = None) -> int:
    """Rekey (or resume a rekey of) the team store; returns the new generation."""
    import psycopg

    from agentconsole.vault.postgres.connect import TeamServerError, connect_kwargs, describe_failure

    say = progress or (lambda _m: None)
    if vault.role != "supervisor":
        raise VaultError("only a supervisor may rekey the team store")
    try:
        admin = psycopg.connect(admin_dsn, autocommit=True, **connect_kwargs(vault.target, None, None))  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        raise TeamServerError(describe_failure(vault.target, exc)) from None
    with admin:
        info = _info(admin)
        if info.get(PENDING):
            say(f"resuming the rekey to generation {info[PENDING]} at {info.get(PROGRESS)}")
        else:
            _start(admin, vault, say)
        new = vault.generation
        batches = 0
        while (where := _info(admin).get(PROGRESS)) is not None and where != "done":
            table, _, last = where.partition(":")
            index = next(i for i, e in enumerate(ENCRYPTED) if e[0] == table)
            _, id_col, cols = ENCRYPTED[index]
            ids = [
                int(r[0])
                for r in admin.execute(
                    f"SELECT {id_col} FROM ac.{table} WHERE {id_col} > %s ORDER BY {id_col} LIMIT %s",
                    (int(last), BATCH),
                )
            ]
            if os.environ.get(CRASH_ENV) == str(batches):
                os.kill(os.getpid(), signal.SIGKILL)
            with admin.transaction():
                done = _reencrypt(admin, vault, table, id_col, cols, ids) if ids else 0
                if len(ids) == BATCH:
                    following = f"{table}:{ids[-1]}"
                elif index + 1 < len(ENCRYPTED):
                    following = f"{ENCRYPTED[index + 1][0]}:0"
                else:
                    following = "done"
                _set_info(admin, PROGRESS, following)
            batches += 1
            if done:
                say(f"{table}: {done} row(s) re-encrypted")
        _finish(admin, vault, new)
        say(f"every cell is under generation {new}; the old key is gone from every slot")
    return new


def _finish(admin: psycopg.Connection[Any], vault: TeamVault, new: int) -> None:
    """Step 3: sweep, re-encrypt ``team_meta``, slots with the new key only, generation advanced."""
    with admin.transaction():
        admin.execute("LOCK TABLE ac.team_info IN EXCLUSIVE MODE")
        for table, id_col, cols in ENCRYPTED:
            left = _old_cells(admin, table, id_col, cols, new)
            if left:
                _reencrypt(admin, vault, table, id_col, cols, left)
        meta = admin.execute("SELECT key, value FROM ac.team_meta").fetchall()
        plain = {str(k): vault.cipher.open("team_meta", "value", k, v) for k, v in meta}
        search_root = plain.pop(SEARCH_ROOT_PENDING, None)
        if search_root is not None:
            plain[SEARCH_ROOT] = search_root
            admin.execute("DELETE FROM ac.team_meta WHERE key = %s", (SEARCH_ROOT_PENDING,))
        for key, text in plain.items():
            admin.execute(
                "INSERT INTO ac.team_meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = %s",
                (key, *[vault.cipher.seal("team_meta", "value", key, text)] * 2),
            )
        _rewrap_slots(admin, vault, {new: vault._data_keys[new]})
        _set_info(admin, "generation", str(new))
        _set_info(admin, PENDING, None)
        _set_info(admin, PROGRESS, None)
    for generation in [g for g in vault._data_keys if g != new]:
        zero(vault._data_keys.pop(generation))
    vault.cipher = RowCipher(vault.database_id, {new: bytes(vault._data_keys[new])}, new)
