"""Customers, cases, messages, PII values and blind-index search on the team store.

The same typed operations as :class:`agentconsole.vault.repositories.CaseRepository`,
returning the same records; every customer text is sealed by the client
(:mod:`.crypto`) before it leaves. Team additions: case team and assignee, the
soft lock ("alice is replying") and the row version of optimistic concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agentconsole.vault.errors import RecordNotFound, VaultError
from agentconsole.vault.postgres.database import TeamDatabase, TeamPermissionDenied, VersionConflict
from agentconsole.vault.records import (
    CASE_STATUSES,
    MESSAGE_ROLES,
    SNIPPET_END,
    SNIPPET_START,
    Case,
    Customer,
    Message,
    PiiValue,
    SearchHit,
)
from agentconsole.vault.repositories.base import now as _now

_CASE_COLUMNS = (
    "c.id, c.customer_id, cu.ref, c.title, c.status, c.created_at, c.updated_at, c.message_count "
    "FROM ac.cases c JOIN ac.customers cu ON cu.id = c.customer_id "
)
_MESSAGE_COLUMNS = (
    "id, case_id, role, text, created_at, model, prompt_tokens, completion_tokens, ttft_ms, "
    "decode_tokens_per_s, raw_text, kind, question"
)


class TeamCaseRepository(TeamDatabase):
    """Case operations of the team store (mixed into :class:`~agentconsole.vault.postgres.TeamVault`)."""

    # --- decoding ---------------------------------------------------------------------

    def _case(self, row: Any) -> Case:
        cid, customer_id, ref, title, status, created, updated, count = row
        return Case(
            int(cid),
            int(customer_id),
            self.cipher.open("customers", "ref", customer_id, ref) or "",
            self.cipher.open("cases", "title", cid, title) or "",
            status,
            created,
            updated,
            int(count),
        )

    def _message(self, row: Any) -> Message:
        mid = row[0]
        seal = self.cipher.open
        return Message(
            int(mid),
            int(row[1]),
            row[2],
            seal("messages", "text", mid, row[3]) or "",
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            seal("messages", "raw_text", mid, row[10]),
            row[11],
            seal("messages", "question", mid, row[12]),
        )

    # --- customers --------------------------------------------------------------------

    def upsert_customer(self, ref: str, display_name: str | None = None) -> int:
        """Create the customer ``ref`` or update its display name; returns its id (found by its ref's token)."""
        token = self.refs.token("ref", ref)
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM ac.customers WHERE ref_token = %s", (token,)).fetchone()
            if row is None:
                (cid,) = self.reserve_ids(conn, 1)
                row = conn.execute(
                    "INSERT INTO ac.customers (id, ref_token, ref, display_name, created_at) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (ref_token) DO NOTHING RETURNING id",
                    (
                        cid,
                        token,
                        self.cipher.seal("customers", "ref", cid, ref),
                        self.cipher.seal("customers", "display_name", cid, display_name),
                        _now(),
                    ),
                ).fetchone()
                if row is not None:
                    return int(row[0])
                row = conn.execute("SELECT id FROM ac.customers WHERE ref_token = %s", (token,)).fetchone()
            cid = int(row[0])
            if display_name is not None:
                conn.execute(
                    "UPDATE ac.customers SET display_name = %s WHERE id = %s",
                    (self.cipher.seal("customers", "display_name", cid, display_name), cid),
                )
            return cid

    def _customer(self, row: Any) -> Customer:
        cid, ref, name, created = row
        return Customer(
            int(cid),
            self.cipher.open("customers", "ref", cid, ref) or "",
            self.cipher.open("customers", "display_name", cid, name),
            created,
        )

    def get_customer(self, ref: str) -> Customer | None:
        with self._borrow() as conn:
            row = conn.execute(
                "SELECT id, ref, display_name, created_at FROM ac.customers WHERE ref_token = %s",
                (self.refs.token("ref", ref),),
            ).fetchone()
        return self._customer(row) if row else None

    def list_customers(self) -> list[Customer]:
        with self._borrow() as conn:
            rows = conn.execute("SELECT id, ref, display_name, created_at FROM ac.customers").fetchall()
        return sorted((self._customer(r) for r in rows), key=lambda c: c.ref)

    # --- cases ------------------------------------------------------------------------

    def create_case(self, customer_id: int, title: str, *, team: str | None = None, assignee: str | None = None) -> int:
        """Open a new case for a customer in ``team`` (default: the user's); returns the case id."""
        import psycopg

        now = _now()
        try:
            with self.transaction() as conn:
                (cid,) = self.reserve_ids(conn, 1)
                conn.execute(
                    "INSERT INTO ac.cases (id, customer_id, team, assignee, title, status, created_at, updated_at) "
                    "VALUES (%s, %s, %s, %s, %s, 'open', %s, %s)",
                    (
                        cid,
                        customer_id,
                        team or self.team,
                        assignee,
                        self.cipher.seal("cases", "title", cid, title),
                        now,
                        now,
                    ),
                )
                return cid
        except psycopg.errors.ForeignKeyViolation:
            raise RecordNotFound(f"no customer with id {customer_id}") from None
        except TeamPermissionDenied:
            raise VaultError(f"you may not open cases for team {team}") from None

    def get_case(self, case_id: int) -> Case:
        with self._borrow() as conn:
            row = conn.execute("SELECT " + _CASE_COLUMNS + "WHERE c.id = %s", (case_id,)).fetchone()
        if row is None:
            raise RecordNotFound(f"no case with id {case_id}")
        return self._case(row)

    def list_cases(self, status: str | None = None, limit: int = 500) -> list[Case]:
        """Cases this user may see, most recent activity first, optionally only one status."""
        if status is not None and status not in CASE_STATUSES:
            raise VaultError(f"unknown case status {status!r}: use one of {', '.join(CASE_STATUSES)}")
        where = "WHERE c.status = %s " if status else ""
        params: tuple[Any, ...] = (status, int(limit)) if status else (int(limit),)
        with self._borrow() as conn:
            rows = conn.execute(
                "SELECT " + _CASE_COLUMNS + where + "ORDER BY c.updated_at DESC, c.id DESC LIMIT %s", params
            ).fetchall()
        return [self._case(r) for r in rows]

    def customer_case_ids(self, customer_id: int) -> list[int]:
        with self._borrow() as conn:
            rows = conn.execute("SELECT id FROM ac.cases WHERE customer_id = %s ORDER BY id", (customer_id,))
            return [int(r[0]) for r in rows]

    def case_version(self, case_id: int) -> int:
        """The case's row version (bumped by every edit): pass it back as ``expected_version``."""
        with self._borrow() as conn:
            row = conn.execute("SELECT version FROM ac.cases WHERE id = %s", (case_id,)).fetchone()
        if row is None:
            raise RecordNotFound(f"no case with id {case_id}")
        return int(row[0])

    def _update_case(self, case_id: int, column: str, value: Any, expected_version: int | None) -> None:
        with self.transaction() as conn:
            cur = conn.execute(
                f"UPDATE ac.cases SET {column} = %s, updated_at = %s, version = version + 1 "
                "WHERE id = %s AND (%s::integer IS NULL OR version = %s) RETURNING version",
                (value, _now(), case_id, expected_version, expected_version),
            )
            if cur.fetchone() is None:
                if (
                    expected_version is not None
                    and conn.execute("SELECT 1 FROM ac.cases WHERE id = %s", (case_id,)).fetchone()
                ):
                    raise VersionConflict(f"case {case_id} was changed by someone else: reload it")
                raise RecordNotFound(f"no case with id {case_id}")

    def set_case_status(self, case_id: int, status: str, *, expected_version: int | None = None) -> None:
        if status not in CASE_STATUSES:
            raise VaultError(f"unknown case status {status!r}: use one of {', '.join(CASE_STATUSES)}")
        self._update_case(case_id, "status", status, expected_version)

    def set_case_title(self, case_id: int, title: str, *, expected_version: int | None = None) -> None:
        """Replace a case's (masked) title; with ``expected_version``, only if nobody edited it since."""
        self._update_case(case_id, "title", self.cipher.seal("cases", "title", case_id, title), expected_version)

    def delete_case(self, case_id: int, *, compact_index: bool = True) -> None:
        """Delete a case with its messages, PII values and search tokens (supervisors)."""

        try:
            with self.transaction() as conn:
                if conn.execute("DELETE FROM ac.cases WHERE id = %s", (case_id,)).rowcount == 0:
                    raise RecordNotFound(f"no case with id {case_id}")
        except TeamPermissionDenied:
            raise VaultError("only a supervisor may delete cases") from None

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
        """Store a (masked) message, encrypted, with its search tokens; returns the message id."""
        import psycopg

        if role not in MESSAGE_ROLES:
            raise VaultError(f"unknown message role {role!r}: use one of {', '.join(MESSAGE_ROLES)}")
        at = created_at or _now()
        seal = self.cipher.seal
        try:
            with self.write_unit() as conn:
                (mid,) = self.reserve_ids(conn, 1)
                conn.execute(
                    "INSERT INTO ac.messages (id, case_id, role, text, raw_text, created_at, model, prompt_tokens, "
                    "completion_tokens, ttft_ms, decode_tokens_per_s, kind, question) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        mid,
                        case_id,
                        role,
                        seal("messages", "text", mid, text),
                        seal("messages", "raw_text", mid, raw_text),
                        at,
                        model,
                        prompt_tokens,
                        completion_tokens,
                        ttft_ms,
                        decode_tokens_per_s,
                        kind,
                        seal("messages", "question", mid, question),
                    ),
                )
                tokens = self.index.message_tokens(text)
                if tokens:
                    conn.execute(
                        "INSERT INTO ac.search_tokens (token, message_id, case_id) "
                        "SELECT t, %s, %s FROM unnest(%b::bytea[]) AS t",
                        (mid, case_id, list(tokens)),
                    )
                conn.execute(
                    "UPDATE ac.cases SET updated_at = greatest(updated_at, %s), message_count = message_count + 1 "
                    "WHERE id = %s",
                    (at, case_id),
                )
                return mid
        except (psycopg.errors.ForeignKeyViolation, TeamPermissionDenied):
            raise RecordNotFound(f"no case with id {case_id}") from None

    def list_messages(self, case_id: int) -> list[Message]:
        with self._borrow() as conn:
            rows = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM ac.messages WHERE case_id = %s ORDER BY position", (case_id,)
            ).fetchall()
        return [self._message(r) for r in rows]

    # --- PII values -------------------------------------------------------------------

    def add_pii_values(self, case_id: int, entries: Iterable[tuple[str, str, str]]) -> None:
        """Store ``(placeholder, entity_type, value)``, the value encrypted; a known placeholder keeps its first."""
        import psycopg

        items = list(entries)
        if not items:
            return
        now = _now()
        try:
            with self.write_unit() as conn:
                ids = self.reserve_ids(conn, len(items))
                conn.cursor().executemany(
                    "INSERT INTO ac.pii_values (id, case_id, placeholder, entity_type, value, created_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (case_id, placeholder) DO NOTHING",
                    [
                        (pid, case_id, p, t, self.cipher.seal("pii_values", "value", pid, v), now)
                        for pid, (p, t, v) in zip(ids, items, strict=True)
                    ],
                )
        except (psycopg.errors.ForeignKeyViolation, TeamPermissionDenied):
            raise RecordNotFound(f"no case with id {case_id}") from None

    def pii_values(self, case_id: int) -> list[PiiValue]:
        with self._borrow() as conn:
            rows = conn.execute(
                "SELECT id, case_id, placeholder, entity_type, value, created_at FROM ac.pii_values "
                "WHERE case_id = %s ORDER BY id",
                (case_id,),
            ).fetchall()
        return [
            PiiValue(int(r[1]), r[2], r[3], self.cipher.open("pii_values", "value", r[0], r[4]) or "", r[5])
            for r in rows
        ]

    # --- search -----------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Messages carrying every word of ``query`` (``word*``: a prefix), newest first.

        The server matches keyed tokens; the client decrypts the candidates, checks every
        term in the plain text and builds the snippet (matches in STX ... ETX). ``rank`` is
        minus the number of matched words in the message (no bm25: see docs/team.md).
        """
        tokens, terms = self.index.query_tokens(query)
        if not terms:
            return []
        if not tokens:
            raise VaultError("search needs a word of at least 3 characters (or a whole word)")
        # newest first along the first token's index entries; every other token probed per candidate
        others = "".join(
            " AND EXISTS (SELECT 1 FROM ac.search_tokens o WHERE o.token = %s AND o.message_id = s.message_id)"
            for _ in tokens[1:]
        )
        with self._borrow() as conn:
            rows = conn.execute(
                "WITH hits AS MATERIALIZED (SELECT s.message_id FROM ac.search_tokens s WHERE s.token = %s"
                + others
                + " ORDER BY s.message_id DESC LIMIT %s) "
                "SELECT m.id, m.case_id, m.text, c.title FROM hits JOIN ac.messages m ON m.id = hits.message_id "
                "JOIN ac.cases c ON c.id = m.case_id ORDER BY m.id DESC",
                (*tokens, int(limit) * 2),
            ).fetchall()
        out: list[SearchHit] = []
        for mid, case_id, blob, title in rows:
            text = self.cipher.open("messages", "text", mid, blob) or ""
            marked = _snippet(text, terms)
            if marked is None:
                continue  # a longer prefix than the token covers, not matched
            out.append(
                SearchHit(
                    int(case_id),
                    int(mid),
                    self.cipher.open("cases", "title", case_id, title) or "",
                    marked,
                    -float(marked.count(SNIPPET_START)),
                )
            )
            if len(out) >= limit:
                break
        return out


def _snippet(text: str, terms: list[tuple[str, bool]]) -> str | None:
    from agentconsole.vault.postgres.crypto import snippet

    return snippet(text, terms, SNIPPET_START, SNIPPET_END)
