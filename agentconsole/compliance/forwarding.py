"""SIEM forwarding: audit entries delivered to a collector, in order, at least once.

The spool is the audit log itself: entries are already durable and encrypted in
the vault, so nothing is copied out in clear while the collector is down. A
small cursor file in the data directory (``siem/cursor-*.json``: vault id, seq
and MAC of the last entry the collector acknowledged; no entry contents) says
where delivery resumes. A background thread (:class:`Forwarder`) reads the
entries after the cursor, sends them as one batch and advances the cursor
only once the batch is settled:

* TLS syslog: every byte was acknowledged by the collector's TCP stack (the
  socket's send queue is empty, Linux ``SIOCOUTQ``) and the connection is
  still healthy; otherwise the batch is sent again on a new connection;
* JSON lines: the lines are written (and fsynced for a regular file).

So after a collector restart the unacknowledged tail arrives again: delivery is
at-least-once, in seq order, and collectors dedupe by seq
(:func:`agentconsole.compliance.siem.check_stream`). The writer never waits for
the collector: :func:`agentconsole.compliance.audit.add_append_listener` only
wakes the thread.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agentconsole.compliance import siem
from agentconsole.compliance.audit import GENESIS_MAC, AuditEntry, add_append_listener, remove_append_listener
from agentconsole.compliance.storage import StoredAuditRow
from agentconsole.compliance.transports import CollectorUnavailable, ForwardingError, Transport

log = logging.getLogger("agentconsole.compliance.forwarding")

BATCH = 200
IDLE_POLL_SECONDS = 2.0  # entries written inside a caller's longer transaction are seen by this poll


class ForwardSource(Protocol):
    """What the forwarder reads from the unlocked vault."""

    def audit_rows_after(self, seq: int, limit: int) -> list[Any]: ...
    def audit_row_at(self, seq: int) -> Any: ...
    def last_audit_row(self) -> Any: ...


@dataclass(frozen=True)
class Cursor:
    vault_id: str
    seq: int
    mac: str


class CursorFile:
    """Where delivery to one destination resumes (atomic writes; ids and MACs only)."""

    def __init__(self, directory: Path, destination: str) -> None:
        digest = hashlib.sha256(destination.encode("utf-8")).hexdigest()[:16]
        self.path = Path(directory) / f"cursor-{digest}.json"
        self.destination = destination

    def load(self, vault_id: str) -> Cursor:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            cursor = Cursor(str(data["vault_id"]), int(data["seq"]), str(data["mac"]))
        except (OSError, ValueError, KeyError, TypeError):
            return Cursor(vault_id, 0, GENESIS_MAC.hex())
        if cursor.vault_id != vault_id:
            return Cursor(vault_id, 0, GENESIS_MAC.hex())
        return cursor

    def save(self, cursor: Cursor) -> None:
        from agentconsole.atomicfile import write_atomic

        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = {"destination": self.destination, "vault_id": cursor.vault_id, "seq": cursor.seq, "mac": cursor.mac}
        write_atomic(self.path, json.dumps(data, sort_keys=True).encode("utf-8"))


def entry_of(row: StoredAuditRow) -> AuditEntry:
    try:
        details = json.loads(row.details) if row.details else {}
    except ValueError:
        details = {"__unparseable__": str(row.details)}
    if not isinstance(details, dict):
        details = {"__not_an_object__": details}
    return AuditEntry(
        int(row.seq), str(row.time), str(row.actor), str(row.action), str(row.subject or ""), details, bytes(row.mac)
    )


@dataclass(frozen=True)
class ForwardingStatus:
    destination: str
    delivered_seq: int
    head_seq: int
    connected: bool
    last_error: str

    @property
    def pending(self) -> int:
        return max(0, self.head_seq - self.delivered_seq)

    def describe(self) -> str:
        state = "connected" if self.connected else "not connected"
        line = f"{self.destination}: {state}; delivered up to entry {self.delivered_seq}, {self.pending} pending"
        return line + (f"; last error: {self.last_error}" if self.last_error else "")


class Forwarder:
    """Delivers an unlocked vault's audit entries to one transport from a background thread."""

    def __init__(
        self,
        source: ForwardSource,
        transport: Transport,
        spool_dir: Path,
        *,
        vault_id: str,
        retry_max_seconds: float = 30.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self._source = source
        self._transport = transport
        self._cursor_file = CursorFile(spool_dir, transport.destination)
        self._vault_id = vault_id
        self._retry_max = max(0.1, float(retry_max_seconds))
        self._on_error = on_error
        self._wake = threading.Event()
        self._retry_now = threading.Event()
        self._stopping = threading.Event()
        self._progress = threading.Condition()
        self._cursor = Cursor(vault_id, 0, GENESIS_MAC.hex())
        self._connected = False
        self._last_error = ""
        self._halted = False  # the thread gave up (misconfigured, vault gone)
        self._failures = 0  # failed delivery attempts so far (flush gives up after a new one)
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Start delivering (what is pending first) and follow new entries."""
        if self._thread is not None:
            return
        self._cursor = self._cursor_file.load(self._vault_id)
        add_append_listener(self._on_append)
        self._thread = threading.Thread(target=self._run, name="agentconsole-siem", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (pending entries stay in the log for the next session)."""
        remove_append_listener(self._on_append)
        self._stopping.set()
        self._wake.set()
        self._retry_now.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        self._transport.close()

    def flush(self, timeout: float, *, give_up_when_down: bool = False) -> bool:
        """Wait up to ``timeout`` seconds until every entry written so far is delivered.

        With ``give_up_when_down``, return as soon as one more delivery attempt fails
        (closing the console must not wait out the timeout while the collector is down:
        the entries stay in the log and go out with the next session).
        """
        last = self._source.last_audit_row()
        target = int(last.seq) if last is not None else 0
        with self._progress:
            failures_before = self._failures
        self._retry_now.set()
        self._wake.set()

        def settled() -> bool:
            if self._cursor.seq >= target or self._stopping.is_set() or self._halted:
                return True
            return give_up_when_down and self._failures > failures_before

        with self._progress:
            self._progress.wait_for(settled, timeout)
            return self._cursor.seq >= target

    def status(self) -> ForwardingStatus:
        last = self._source.last_audit_row()
        return ForwardingStatus(
            self._transport.destination,
            self._cursor.seq,
            int(last.seq) if last is not None else 0,
            self._connected,
            self._last_error,
        )

    @property
    def halted(self) -> bool:
        """True when delivery stopped for good in this session (a configuration problem)."""
        return self._halted

    def _on_append(self, store: Any, seq: int, action: str) -> None:
        if store is self._source:
            self._wake.set()

    # --- the thread ---------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                delivered = self._deliver_batch()
            except CollectorUnavailable as exc:
                self._note_failure(str(exc))
                failures += 1
                delay = min(self._retry_max, 0.25 * (2 ** min(failures, 10)))
                self._retry_now.wait(delay)
                self._retry_now.clear()
                continue
            except ForwardingError as exc:  # misconfigured: retrying cannot help
                self._halted = True
                self._note_failure(exc.message)
                return
            except Exception as exc:  # the vault went away (locked) or broke: stop quietly, resume next session
                self._halted = True
                if not self._stopping.is_set():
                    log.warning("SIEM forwarding stopped: %s", type(exc).__name__)
                    self._note_failure(f"stopped ({type(exc).__name__})")
                return
            failures = 0
            if not delivered:
                self._wake.wait(IDLE_POLL_SECONDS)
                self._wake.clear()

    def _note_failure(self, message: str) -> None:
        self._connected = False
        self._transport.close()
        if message != self._last_error:
            log.warning("SIEM collector unavailable: %s", message)
            if self._on_error is not None:
                self._on_error(message)
        with self._progress:  # the reason first: a flush woken below reports it
            self._last_error = message
            self._failures += 1
            self._progress.notify_all()

    def _start_point(self) -> Cursor:
        """The cursor, reset to the start if the log no longer holds the entry it points at
        (a restored older vault): the collector then sees the conflicting MACs."""
        cursor = self._cursor
        if cursor.seq == 0:
            return cursor
        row = self._source.audit_row_at(cursor.seq)
        if row is None or bytes(row.mac).hex() != cursor.mac:
            log.warning("the SIEM cursor does not match the audit log; forwarding again from the start")
            return Cursor(self._vault_id, 0, GENESIS_MAC.hex())
        return cursor

    def _deliver_batch(self) -> bool:
        cursor = self._start_point()
        rows = self._source.audit_rows_after(cursor.seq, BATCH)
        if not rows:
            return False
        prev = bytes.fromhex(cursor.mac)
        records: list[dict[str, Any]] = []
        for row in rows:
            entry = entry_of(row)
            records.append(siem.record(entry, prev, self._vault_id))
            prev = entry.mac
        if not self._connected:
            self._transport.connect()
            self._connected = True
            self._last_error = ""
        self._transport.deliver(records)
        last = records[-1]
        advanced = Cursor(self._vault_id, int(last["seq"]), str(last["mac"]))
        self._cursor_file.save(advanced)
        with self._progress:
            self._cursor = advanced
            self._progress.notify_all()
        return True
