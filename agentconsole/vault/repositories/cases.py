"""Customers, cases, messages, PII values and full-text search: the case repository."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from agentconsole.vault.errors import RecordNotFound, VaultError
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
from agentconsole.vault.repositories.base import Repository
from agentconsole.vault.repositories.base import now as _now

_SEARCH_TERM = re.compile(r"\w+\*?", re.UNICODE)


def fts_query(text: str) -> str:
    """Turn free text into a safe FTS5 query: every word quoted, ``word*`` kept as a prefix."""
    terms = []
    for match in _SEARCH_TERM.finditer(text):
        token = match.group()
        prefix = token.endswith("*")
        word = token.rstrip("*")
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


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


#: meta key: every message with an id at or below it is in the search index, none above (migration 4).
SEARCH_INDEXED_THROUGH = "search_indexed_through"
#: New messages are indexed this many at a time (and before every search): FTS5 writes a new
#: segment per indexing transaction, about 7 pages, each encrypted and MAC'd on its way to the
#: WAL; one segment per batch instead of per message halves the cost of an insert.
SEARCH_BATCH = 64
#: The messages above the mark, in one statement (the trigger indexes nothing above it).
_INDEX_PENDING_SQL = "INSERT INTO messages_fts(rowid, text) SELECT id, text FROM messages WHERE id > ? ORDER BY id"


def indexed_through(conn: Any) -> int:
    """The search index's mark: every message id at or below it is indexed, none above."""
    row = conn.execute("SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?", (SEARCH_INDEXED_THROUGH,)).fetchone()
    return int(row[0]) if row else 0


def index_pending(conn: Any, mark: int, top: int) -> None:
    """Index the messages above ``mark`` (up to ``top``, the highest id) inside the caller's transaction."""
    conn.execute(_INDEX_PENDING_SQL, (mark,))
    conn.execute("UPDATE meta SET value = ? WHERE key = ?", (str(top), SEARCH_INDEXED_THROUGH))


class CaseRepository(Repository):
    """The customer data of a support desk (mixed into :class:`~agentconsole.vault.Vault`)."""

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
        row = (
            self.connection()
            .execute("SELECT id, ref, display_name, created_at FROM customers WHERE ref = ?", (ref,))
            .fetchone()
        )
        return Customer(*row) if row else None

    def list_customers(self) -> list[Customer]:
        rows = (
            self.connection().execute("SELECT id, ref, display_name, created_at FROM customers ORDER BY ref").fetchall()
        )
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
        rows = (
            self.connection()
            .execute(self._CASE_SELECT + where + "ORDER BY c.updated_at DESC, c.id DESC LIMIT ?", params)
            .fetchall()
        )
        return [Case(*r) for r in rows]

    def customer_case_ids(self, customer_id: int) -> list[int]:
        """The ids of a customer's cases, oldest first."""
        rows = self.connection().execute("SELECT id FROM cases WHERE customer_id = ? ORDER BY id", (customer_id,))
        return [int(r[0]) for r in rows]

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

        The full-text index is also rewritten when the outermost transaction commits
        (see ``Database.compact_search_index_on_commit``); ``compact_index=False``
        skips that. Call ``checkpoint()`` afterwards to flush the WAL into the main file.
        """
        with self.transaction() as conn:
            cur = conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))
            if cur.rowcount == 0:
                raise RecordNotFound(f"no case with id {case_id}")
            if compact_index:
                self.compact_search_index_on_commit()

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
                    (
                        case_id,
                        role,
                        text,
                        raw_text,
                        at,
                        model,
                        prompt_tokens,
                        completion_tokens,
                        ttft_ms,
                        decode_tokens_per_s,
                        kind,
                        question,
                    ),
                )
                conn.execute("UPDATE cases SET updated_at = max(updated_at, ?) WHERE id = ?", (at, case_id))
                message_id = int(cur.lastrowid)
                mark = indexed_through(conn)
                if message_id - mark >= SEARCH_BATCH:
                    index_pending(conn, mark, message_id)
                return message_id
        except sqlcipher3.IntegrityError:
            raise RecordNotFound(f"no case with id {case_id}") from None

    def list_messages(self, case_id: int) -> list[Message]:
        rows = (
            self.connection()
            .execute(
                "SELECT id, case_id, role, text, created_at, model, prompt_tokens, completion_tokens, ttft_ms, "
                "decode_tokens_per_s, raw_text, kind, question FROM messages WHERE case_id = ? ORDER BY id",
                (case_id,),
            )
            .fetchall()
        )
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
        rows = (
            self.connection()
            .execute(
                "SELECT case_id, placeholder, entity_type, value, created_at FROM pii_values WHERE case_id = ? ORDER BY id",
                (case_id,),
            )
            .fetchall()
        )
        return [PiiValue(*r) for r in rows]

    # --- search -----------------------------------------------------------------------

    def update_search_index(self) -> int:
        """Index the messages added since the last batch (:data:`SEARCH_BATCH`); returns how many.

        :meth:`search` calls it first, so a search always sees every message.
        """
        conn = self.connection()
        top = conn.execute("SELECT max(id) FROM messages").fetchone()[0]
        if top is None or top <= indexed_through(conn):
            return 0  # the common case costs two indexed reads and no write transaction
        with self.transaction() as conn:
            mark = indexed_through(conn)
            top = conn.execute("SELECT max(id) FROM messages").fetchone()[0] or 0
            if top <= mark:
                return 0  # another thread indexed them in between
            pending = int(conn.execute("SELECT count(*) FROM messages WHERE id > ?", (mark,)).fetchone()[0])
            index_pending(conn, mark, int(top))
            return pending

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Messages matching every word of ``query``, best bm25 first.

        User text is quoted word by word (FTS5 syntax is never interpreted;
        ``word*`` is a prefix search). Snippets mark matches with
        :data:`SNIPPET_START` / :data:`SNIPPET_END` (\\x02 ... \\x03).
        """
        match = fts_query(query)
        if not match:
            return []
        self.update_search_index()
        rows = self.connection().execute(SEARCH_SQL, (SNIPPET_START, SNIPPET_END, match, int(limit))).fetchall()
        return [SearchHit(int(r[0]), int(r[1]), r[2], r[3], float(r[4])) for r in rows]
