"""Many consoles on one team store: soft locks on cases and live updates (LISTEN/NOTIFY).

* **Soft lock**: ``claim_case`` marks a case as being answered by this user for a
  while (``locked_by``, ``locked_until``); another console sees ``case_holder`` =
  ``"alice"`` and shows "alice is replying". It is advice, not a barrier: a second
  agent may still write (the service decides), and an expired claim is free.
* **Live updates**: triggers send ``pg_notify('agentconsole', 'case:<id>' |
  'message:<id>' | 'deleted:<id>')``, ids only. :class:`ChangeListener` holds one
  connection of its own, ``LISTEN``s and calls back on a thread; it reconnects
  after a server restart and then reports ``resync`` so the UI reloads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agentconsole.vault.errors import RecordNotFound
from agentconsole.vault.postgres.compliance import TeamComplianceRepository

log = logging.getLogger("agentconsole.vault.team")

CHANNEL = "agentconsole"
DEFAULT_CLAIM_SECONDS = 120


@dataclass(frozen=True)
class Change:
    """One notification: ``kind`` is ``case``, ``message``, ``deleted`` or ``resync`` (after a reconnect)."""

    kind: str
    case_id: int | None


class TeamLiveRepository(TeamComplianceRepository):
    """Soft locks and listeners (mixed into the TeamVault)."""

    _login: tuple[str, str]  # (login role, password): set by TeamVault.unlock

    def claim_case(self, case_id: int, seconds: int = DEFAULT_CLAIM_SECONDS) -> str | None:
        """Mark the case as being answered by this user. Returns None when claimed, else the holder's name."""
        with self.transaction() as conn:
            row = conn.execute(
                "UPDATE ac.cases SET locked_by = %s, locked_until = now() + make_interval(secs => %s) "
                "WHERE id = %s AND (locked_by IS NULL OR locked_by = %s OR locked_until < now()) RETURNING id",
                (self.user, seconds, case_id, self.user),
            ).fetchone()
            if row is not None:
                return None
            holder = conn.execute("SELECT locked_by FROM ac.cases WHERE id = %s", (case_id,)).fetchone()
        if holder is None:
            raise RecordNotFound(f"no case with id {case_id}")
        return str(holder[0])

    def release_case(self, case_id: int) -> None:
        """Drop this user's claim (someone else's claim is left alone)."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE ac.cases SET locked_by = NULL, locked_until = NULL WHERE id = %s AND locked_by = %s",
                (case_id, self.user),
            )

    def case_holder(self, case_id: int) -> str | None:
        """Who is replying to the case now (an unexpired claim), or None."""
        with self._borrow() as conn:
            row = conn.execute(
                "SELECT locked_by FROM ac.cases WHERE id = %s AND locked_until > now()", (case_id,)
            ).fetchone()
        return str(row[0]) if row and row[0] else None

    def listen(self, callback: Callable[[Change], None]) -> ChangeListener:
        """Start a listener thread calling ``callback`` for every change (stop it with ``.stop()``)."""
        from agentconsole.vault.postgres.connect import connect_kwargs

        listener = ChangeListener(self.target.dsn, connect_kwargs(self.target, *self._login), callback)
        listener.start()
        return listener


class ChangeListener:
    """A thread with its own connection that LISTENs and calls back; reconnects on loss."""

    def __init__(self, dsn: str, kwargs: dict[str, Any], callback: Callable[[Change], None]) -> None:
        self._dsn = dsn
        self._kwargs = kwargs
        self._callback = callback
        self._stop = threading.Event()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="agentconsole-team-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self.ready.wait(30)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        import psycopg

        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, **self._kwargs) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    if not first:
                        self._deliver(Change("resync", None))
                    first = False
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            kind, _, ident = note.payload.partition(":")
                            self._deliver(Change(kind, int(ident) if ident.isdigit() else None))
            except psycopg.OperationalError:
                log.warning("team store: live updates lost their connection; reconnecting")
                self._stop.wait(0.5)

    def _deliver(self, change: Change) -> None:
        try:
            self._callback(change)
        except Exception:  # a failing UI callback must not end live updates
            log.exception("team store: a live-update callback failed")
