"""The case workflow's rows: owner, priority, tags, status times, draft feedback and CSAT surveys.

Tables of the ``workflow`` subsystem (its own numbered migrations, see
:mod:`agentconsole.vault.migrations`). Every row hangs off a case (or a model
message of a case) with ``ON DELETE CASCADE``, so erasing a customer and the
retention policy's deletion of an idle case remove its workflow rows, draft
feedback and survey answers in the same transaction. No customer text is kept
here except a survey's comment, which is stored masked (placeholders; the
values live in the case's ``pii_values`` like any customer text).

Migration 1 also widens the vault's ``cases.status`` CHECK to admit
``resolved``: SQLite cannot alter a CHECK, and rebuilding ``cases`` would
cascade-delete every message (foreign keys are on), so the stored table
definition is edited in place, the procedure SQLite documents for relaxing a
constraint (no stored row changes; ``writable_schema = RESET`` makes the
connection re-read the schema and the ``CREATE TABLE`` that follows bumps the
schema cookie for every other connection).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from agentconsole.vault.errors import RecordNotFound, VaultError
from agentconsole.vault.migrations import Subsystem
from agentconsole.vault.records import Case
from agentconsole.vault.repositories.base import Repository
from agentconsole.vault.repositories.base import now as _now

_OLD_STATUS_CHECK = "CHECK (status IN (''open'', ''pending'', ''closed''))"
_NEW_STATUS_CHECK = "CHECK (status IN (''open'', ''pending'', ''resolved'', ''closed''))"

WORKFLOW = Subsystem(
    "workflow",
    (
        # 1: owner, priority, status times, tags, draft feedback, surveys; 'resolved' cases.
        f"""
        PRAGMA writable_schema = ON;
        UPDATE sqlite_master SET sql = replace(sql, '{_OLD_STATUS_CHECK}', '{_NEW_STATUS_CHECK}')
            WHERE type = 'table' AND name = 'cases';
        PRAGMA writable_schema = RESET;
        CREATE TABLE case_workflow (
            case_id INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
            owner TEXT,
            priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
            resolved_at TEXT,
            closed_at TEXT
        );
        CREATE INDEX case_workflow_by_owner ON case_workflow(owner);
        CREATE TABLE case_tags (
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (case_id, tag)
        ) WITHOUT ROWID;
        CREATE INDEX case_tags_by_tag ON case_tags(tag);
        -- What became of a model message (no text: numbers and fixed words only).
        CREATE TABLE draft_feedback (
            message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            outcome TEXT CHECK (outcome IN ('sent_as_is', 'edited', 'discarded')),
            edit_ratio REAL CHECK (edit_ratio BETWEEN 0 AND 1),
            decided_at TEXT,
            rating TEXT CHECK (rating IN ('good', 'bad')),
            reason TEXT CHECK (reason IN ('wrong-facts', 'wrong-tone', 'invented-data', 'too-long', 'other')),
            rated_at TEXT
        );
        CREATE INDEX draft_feedback_by_case ON draft_feedback(case_id);
        -- A customer's answer to a satisfaction survey: score, masked comment, case, time. Nothing else.
        CREATE TABLE surveys (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
            comment TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX surveys_by_case ON surveys(case_id);
        CREATE INDEX surveys_by_time ON surveys(created_at);
        """,
    ),
)


@dataclass(frozen=True)
class TrackedCase(Case):
    """A case with its workflow fields (the case list and ``case show``)."""

    owner: str | None
    priority: str
    tags: tuple[str, ...]
    resolved_at: str | None
    closed_at: str | None


@dataclass(frozen=True)
class DraftRow:
    """A model message with what became of it (``outcome`` None: not used or discarded yet)."""

    message_id: int
    case_id: int
    kind: str
    model: str | None
    created_at: str
    outcome: str | None
    edit_ratio: float | None
    decided_at: str | None
    rating: str | None
    reason: str | None
    rated_at: str | None


@dataclass(frozen=True)
class SurveyRow:
    """One survey answer: exactly what is stored."""

    id: int
    case_id: int
    score: int
    comment: str | None  # masked
    created_at: str


@dataclass(frozen=True)
class CaseTimes:
    """What the dashboard needs of one case: when it opened, was first answered, resolved, closed."""

    case_id: int
    status: str
    created_at: str
    first_response_at: str | None
    resolved_at: str | None
    closed_at: str | None


_TRACKED_SELECT = (
    "SELECT c.id, c.customer_id, cu.ref, c.title, c.status, c.created_at, c.updated_at, "
    "(SELECT count(*) FROM messages m WHERE m.case_id = c.id), w.owner, coalesce(w.priority, 'normal'), "
    "(SELECT group_concat(tag, ' ') FROM (SELECT tag FROM case_tags t WHERE t.case_id = c.id ORDER BY tag)), "
    "w.resolved_at, w.closed_at "
    "FROM cases c JOIN customers cu ON cu.id = c.customer_id LEFT JOIN case_workflow w ON w.case_id = c.id "
)
_PRIORITY_RANK = (
    "CASE coalesce(w.priority, 'normal') WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"
)
_STATUS_RANK = "CASE c.status WHEN 'open' THEN 0 WHEN 'pending' THEN 1 WHEN 'resolved' THEN 2 ELSE 3 END"
#: Case list orders: most urgent first, by status in workflow order, by owner, newest.
CASE_ORDERS = {
    "activity": "c.updated_at DESC, c.id DESC",
    "priority": f"{_PRIORITY_RANK}, c.updated_at DESC, c.id DESC",
    "status": f"{_STATUS_RANK}, c.updated_at DESC, c.id DESC",
    "owner": "w.owner IS NULL, w.owner, c.updated_at DESC, c.id DESC",
    "created": "c.created_at DESC, c.id DESC",
}
_DRAFT_SELECT = (
    "SELECT m.id, m.case_id, coalesce(m.kind, 'reply'), m.model, m.created_at, f.outcome, f.edit_ratio, "
    "f.decided_at, f.rating, f.reason, f.rated_at "
    "FROM messages m LEFT JOIN draft_feedback f ON f.message_id = m.id WHERE m.role = 'assistant' "
)


def _tracked(row: Any) -> TrackedCase:
    values = list(row)
    values[10] = tuple((values[10] or "").split())
    return TrackedCase(*values)


class WorkflowRepository(Repository):
    """Owner, priority, tags, status, draft feedback and surveys of cases (mixed into the Vault)."""

    # --- cases --------------------------------------------------------------------------

    def tracked_case(self, case_id: int) -> TrackedCase:
        row = self.connection().execute(_TRACKED_SELECT + "WHERE c.id = ?", (case_id,)).fetchone()
        if row is None:
            raise RecordNotFound(f"no case with id {case_id}")
        return _tracked(row)

    def tracked_cases(
        self,
        *,
        statuses: Sequence[str] = (),
        owner: str | None = None,
        unassigned: bool = False,
        priorities: Sequence[str] = (),
        tag: str | None = None,
        order: str = "activity",
        limit: int = 500,
    ) -> list[TrackedCase]:
        """Cases with their workflow fields, filtered (every filter given must hold) and sorted by ``order``."""
        if order not in CASE_ORDERS:
            raise VaultError(f"unknown case order {order!r}: use one of {', '.join(CASE_ORDERS)}")
        clauses: list[str] = []
        params: list[Any] = []
        if statuses:
            clauses.append(f"c.status IN ({','.join('?' * len(statuses))})")
            params.extend(statuses)
        if owner is not None:
            clauses.append("w.owner = ?")
            params.append(owner)
        if unassigned:
            clauses.append("w.owner IS NULL")
        if priorities:
            clauses.append(f"coalesce(w.priority, 'normal') IN ({','.join('?' * len(priorities))})")
            params.extend(priorities)
        if tag is not None:
            clauses.append("EXISTS (SELECT 1 FROM case_tags t WHERE t.case_id = c.id AND t.tag = ?)")
            params.append(tag)
        where = ("WHERE " + " AND ".join(clauses) + " ") if clauses else ""
        params.append(int(limit))
        sql = _TRACKED_SELECT + where + f"ORDER BY {CASE_ORDERS[order]} LIMIT ?"
        return [_tracked(r) for r in self.connection().execute(sql, params).fetchall()]

    def _ensure_workflow_row(self, conn: Any, case_id: int) -> None:
        import sqlcipher3

        try:
            conn.execute("INSERT INTO case_workflow (case_id) VALUES (?) ON CONFLICT(case_id) DO NOTHING", (case_id,))
        except sqlcipher3.IntegrityError:
            raise RecordNotFound(f"no case with id {case_id}") from None

    def set_workflow_status(self, case_id: int, status: str, *, at: str | None = None) -> None:
        """Move a case to ``status``: stamps ``resolved_at``/``closed_at``, clears them on reopening."""
        import sqlcipher3

        at = at or _now()
        resolved = {"resolved": "?", "closed": "resolved_at"}.get(status, "NULL")
        closed = "?" if status == "closed" else "NULL"
        stamps = [at] * ((resolved == "?") + (closed == "?"))
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "UPDATE cases SET status = ?, updated_at = max(updated_at, ?) WHERE id = ?", (status, at, case_id)
                )
                if cur.rowcount == 0:
                    raise RecordNotFound(f"no case with id {case_id}")
                self._ensure_workflow_row(conn, case_id)
                conn.execute(
                    f"UPDATE case_workflow SET resolved_at = {resolved}, closed_at = {closed} WHERE case_id = ?",
                    (*stamps, case_id),
                )
        except sqlcipher3.IntegrityError as exc:
            raise VaultError(f"case status {status!r} refused by the vault ({exc})") from None

    def set_case_owner(self, case_id: int, owner: str | None) -> None:
        with self.transaction() as conn:
            self._ensure_workflow_row(conn, case_id)
            conn.execute("UPDATE case_workflow SET owner = ? WHERE case_id = ?", (owner, case_id))

    def set_case_priority(self, case_id: int, priority: str) -> None:
        import sqlcipher3

        try:
            with self.transaction() as conn:
                self._ensure_workflow_row(conn, case_id)
                conn.execute("UPDATE case_workflow SET priority = ? WHERE case_id = ?", (priority, case_id))
        except sqlcipher3.IntegrityError:
            raise VaultError(f"unknown priority {priority!r}") from None

    def add_case_tags(self, case_id: int, tags: Iterable[str]) -> None:
        import sqlcipher3

        try:
            with self.transaction() as conn:
                conn.executemany(
                    "INSERT INTO case_tags (case_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    ((case_id, t) for t in tags),
                )
        except sqlcipher3.IntegrityError:
            raise RecordNotFound(f"no case with id {case_id}") from None

    def remove_case_tags(self, case_id: int, tags: Iterable[str]) -> None:
        with self.transaction() as conn:
            conn.executemany("DELETE FROM case_tags WHERE case_id = ? AND tag = ?", ((case_id, t) for t in tags))

    def case_times(self) -> list[CaseTimes]:
        """Every case's creation, first agent reply, resolution and closing times (oldest case first)."""
        rows = self.connection().execute(
            "SELECT c.id, c.status, c.created_at, "
            "(SELECT min(m.created_at) FROM messages m WHERE m.case_id = c.id AND m.role = 'agent'), "
            "w.resolved_at, w.closed_at FROM cases c LEFT JOIN case_workflow w ON w.case_id = c.id ORDER BY c.id"
        )
        return [CaseTimes(*r) for r in rows.fetchall()]

    # --- draft feedback -------------------------------------------------------------------

    def draft_row(self, message_id: int) -> DraftRow:
        """A model message with its feedback; RecordNotFound for anything but a model message."""
        row = self.connection().execute(_DRAFT_SELECT + "AND m.id = ?", (message_id,)).fetchone()
        if row is None:
            raise RecordNotFound(f"no draft (model message) with id {message_id}")
        return DraftRow(*row)

    def draft_rows(self, case_id: int | None = None) -> list[DraftRow]:
        """Model messages with their feedback, oldest first (one case, or all)."""
        where, params = ("AND m.case_id = ? ", (case_id,)) if case_id is not None else ("", ())
        rows = self.connection().execute(_DRAFT_SELECT + where + "ORDER BY m.id", params).fetchall()
        return [DraftRow(*r) for r in rows]

    def set_draft_outcome(
        self, message_id: int, case_id: int, outcome: str, edit_ratio: float | None, *, at: str | None = None
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO draft_feedback (message_id, case_id, outcome, edit_ratio, decided_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET outcome = excluded.outcome, "
                "edit_ratio = excluded.edit_ratio, decided_at = excluded.decided_at",
                (message_id, case_id, outcome, edit_ratio, at or _now()),
            )

    def set_draft_rating(
        self, message_id: int, case_id: int, rating: str, reason: str | None, *, at: str | None = None
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO draft_feedback (message_id, case_id, rating, reason, rated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(message_id) DO UPDATE SET rating = excluded.rating, reason = excluded.reason, "
                "rated_at = excluded.rated_at",
                (message_id, case_id, rating, reason, at or _now()),
            )

    # --- surveys --------------------------------------------------------------------------

    def add_survey(self, case_id: int, score: int, comment: str | None, *, at: str | None = None) -> int:
        """Store one survey answer (``comment`` already masked); returns its id."""
        import sqlcipher3

        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO surveys (case_id, score, comment, created_at) VALUES (?, ?, ?, ?)",
                    (case_id, int(score), comment, at or _now()),
                )
                return int(cur.lastrowid)
        except sqlcipher3.IntegrityError:
            if self.connection().execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
                raise RecordNotFound(f"no case with id {case_id}") from None
            raise VaultError(f"a survey score is 1 to 5, not {score}") from None

    def surveys(self, case_id: int | None = None) -> list[SurveyRow]:
        """Survey answers, oldest first (one case's, or all)."""
        where, params = ("WHERE case_id = ? ", (case_id,)) if case_id is not None else ("", ())
        rows = self.connection().execute(
            "SELECT id, case_id, score, comment, created_at FROM surveys " + where + "ORDER BY created_at, id", params
        )
        return [SurveyRow(*r) for r in rows.fetchall()]
