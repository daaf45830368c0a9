"""The tamper-evident audit log: an HMAC chain over the ``audit_entries`` table.

Entry ``n`` carries ``mac_n = HMAC-SHA256(K_audit, mac_{n-1} || canonical(entry_n))``
with ``mac_0`` = 32 zero bytes. ``canonical`` is the deterministic JSON of
seq, time, actor, action, subject and details (sorted keys, no whitespace,
UTF-8). ``K_audit`` comes from the vault (``data_key_material`` with the purpose
``agentconsole/audit/v1``), so only someone holding the vault's key can write an
entry that verifies.

What :meth:`AuditLog.verify` catches:

* an edited entry (its MAC no longer matches), reported at its seq;
* a deleted entry (a gap in seq), reported at the missing seq;
* reordered entries (seq is inside the MAC), reported at the first moved seq;
* with an anchor (the head exported earlier and kept elsewhere): a truncated
  log and a restored older copy of the vault, which the chain alone cannot see.

Entries hold ids, roles and counts, never PII values: subjects look like
``case:12`` or ``user:alice``. Nothing here imports another core.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agentconsole.compliance.storage import AuditStore, UnitOfWork
from agentconsole.errors import AgentConsoleError

AUDIT_KEY_PURPOSE = b"agentconsole/audit/v1"
MAC_BYTES = 32
GENESIS_MAC = bytes(MAC_BYTES)
ANCHOR_FORMAT = "agentconsole-audit-anchor"
ANCHOR_VERSION = 1
_MAX_TEXT = 512  # actor/action/subject are ids, never free text


#: Called as ``listener(store, seq, action)`` after each entry is written (committed, unless the
#: caller holds an outer transaction): SIEM forwarding, alerts. They run in the thread that
#: wrote the entry, so they must be quick.
AppendListener = Callable[[Any, int, str], None]
_append_listeners: list[AppendListener] = []


def add_append_listener(listener: AppendListener) -> None:
    """Be told of every entry appended from now on (see :data:`AppendListener`)."""
    _append_listeners.append(listener)


def remove_append_listener(listener: AppendListener) -> None:
    with contextlib.suppress(ValueError):
        _append_listeners.remove(listener)


class AuditError(AgentConsoleError):
    """The audit log cannot be written or read as asked (never holds entry contents)."""


class BadAnchor(AuditError):
    """The anchor file is not an audit anchor this version understands."""

    exit_code = 2


def utc_timestamp(now: datetime | None = None) -> str:
    """Entry time: UTC ISO 8601 with microseconds, so string order is time order."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def normalize_since(text: str) -> str:
    """A ``--since`` value (date or date-time; naive means UTC) in the stored time format."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise AuditError(f"not a date or time: '{text}' (use e.g. 2026-01-31 or 2026-01-31T14:00)") from None
    return utc_timestamp(moment)


def _check_json(value: Any, where: str) -> None:
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AuditError(f"audit detail '{where}' must be a finite number")
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditError(f"audit detail keys must be strings (in '{where}')")
            _check_json(item, f"{where}.{key}")
        return
    raise AuditError(f"audit detail '{where}' has an unsupported type {type(value).__name__}")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_details(details: Mapping[str, Any] | None) -> str:
    """Details as stored: deterministic JSON of a flat-ish dict of ids and counts."""
    data = dict(details or {})
    _check_json(data, "details")
    return _dumps(data)


def canonical_entry(seq: int, time: str, actor: str, action: str, subject: str, details: Mapping[str, Any]) -> bytes:
    """The bytes an entry's MAC covers (sorted keys, no whitespace, UTF-8)."""
    return _dumps(
        {"seq": int(seq), "time": time, "actor": actor, "action": action, "subject": subject, "details": dict(details)}
    ).encode("utf-8")


def chain_mac(key: bytes, prev_mac: bytes, canonical: bytes) -> bytes:
    """``HMAC-SHA256(key, prev_mac || canonical)``."""
    return hmac.new(bytes(key), bytes(prev_mac) + canonical, hashlib.sha256).digest()


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log."""

    seq: int
    time: str
    actor: str
    action: str
    subject: str
    details: dict[str, Any] = field(default_factory=dict)
    mac: bytes = b""

    def canonical(self) -> bytes:
        return canonical_entry(self.seq, self.time, self.actor, self.action, self.subject, self.details)

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": self.details,
            "mac": self.mac.hex(),
        }


@dataclass(frozen=True)
class AuditVerification:
    """Result of :func:`verify_chain`: OK, or the first broken seq and why."""

    ok: bool
    first_broken_seq: int | None
    entries: int
    reason: str
    head_seq: int = 0

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.entries} audit entries, chain intact ({self.reason})"
        return f"BROKEN at entry {self.first_broken_seq}: {self.reason}"


@dataclass(frozen=True)
class Anchor:
    """The head of the log at some moment, kept outside the vault."""

    vault_id: str
    seq: int
    mac: bytes
    time: str
    taken_at: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "format": ANCHOR_FORMAT,
            "version": ANCHOR_VERSION,
            "vault_id": self.vault_id,
            "seq": self.seq,
            "mac": self.mac.hex(),
            "time": self.time,
            "taken_at": self.taken_at,
        }


def _last_record(text: str) -> str:
    """The JSON to read as an anchor: the text itself, or the last record a SIEM collector kept
    (the last line of a JSON-lines file; the MSG part after the BOM of a syslog line)."""
    try:
        json.loads(text)
        return text
    except ValueError:
        pass
    lines = [line for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else text
    bom = last.find("\ufeff{")
    return last[bom + 1 :] if bom >= 0 else last


def parse_anchor(data: Mapping[str, Any] | str) -> Anchor:
    """An :class:`Anchor` from its JSON (text or parsed; a collector's last forwarded record too);
    :class:`BadAnchor` if malformed."""
    if isinstance(data, str):
        data = _last_record(data)
        try:
            data = json.loads(data)
        except ValueError:
            raise BadAnchor("the anchor is not JSON (expected the output of 'agentconsole audit anchor')") from None
    if not isinstance(data, Mapping):
        raise BadAnchor("the anchor is not a JSON object")
    if data.get("format", ANCHOR_FORMAT) != ANCHOR_FORMAT or data.get("version", ANCHOR_VERSION) != ANCHOR_VERSION:
        raise BadAnchor("the anchor has an unknown format or version")
    try:
        seq = data["seq"]
        mac = bytes.fromhex(str(data["mac"]))
        vault_id = str(data.get("vault_id", ""))
        time = str(data.get("time", ""))
    except (KeyError, ValueError):
        raise BadAnchor("the anchor lacks a valid 'seq' or 'mac'") from None
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0 or len(mac) != MAC_BYTES:
        raise BadAnchor("the anchor lacks a valid 'seq' or 'mac'")
    return Anchor(vault_id=vault_id, seq=seq, mac=mac, time=time, taken_at=str(data.get("taken_at", "")))


def verify_chain(
    entries: Iterable[AuditEntry],
    key: bytes,
    *,
    anchor: Anchor | None = None,
    vault_id: str | None = None,
) -> AuditVerification:
    """Walk the chain in seq order; report the first entry that does not verify.

    ``entries`` must be sorted by seq (as the table returns them). With an
    ``anchor``, the log must still contain the anchored entry unchanged: a
    shorter log is a truncation or a restored older copy, a different MAC at
    the anchored seq means the history after some point was replaced.
    """
    if anchor is not None and vault_id is not None and anchor.vault_id and anchor.vault_id != vault_id:
        return AuditVerification(False, None, 0, "the anchor was taken from a different vault")
    prev = GENESIS_MAC
    expected = 1
    count = 0
    anchor_mac: bytes | None = None
    for entry in entries:
        count += 1
        if entry.seq != expected:
            what = "is missing (deleted)" if entry.seq > expected else "is out of order"
            return AuditVerification(False, expected, count, f"entry {expected} {what}", expected - 1)
        if not hmac.compare_digest(chain_mac(key, prev, entry.canonical()), entry.mac):
            return AuditVerification(
                False,
                entry.seq,
                count,
                f"entry {entry.seq} was modified, moved or written without the vault key",
                entry.seq - 1,
            )
        if anchor is not None and entry.seq == anchor.seq:
            anchor_mac = entry.mac
        prev = entry.mac
        expected += 1
    head_seq = expected - 1
    if anchor is not None and anchor.seq > 0:
        if head_seq < anchor.seq:
            return AuditVerification(
                False,
                head_seq + 1,
                count,
                f"the log ends at entry {head_seq} but the anchor has entry {anchor.seq}: "
                "entries were removed or an older copy of the vault was restored",
                head_seq,
            )
        if anchor_mac is None or not hmac.compare_digest(anchor_mac, anchor.mac):
            return AuditVerification(
                False,
                anchor.seq,
                count,
                f"entry {anchor.seq} differs from the anchor: the log was rewritten from there, "
                "an older copy of the vault was restored, or the anchor predates a rekey",
                head_seq,
            )
    checked = f"matches the anchor at entry {anchor.seq}" if anchor is not None else "no anchor given"
    return AuditVerification(True, None, count, checked, head_seq)


class AuditLog:
    """The audit log of an unlocked vault (its ``audit_entries`` rows, see :mod:`.storage`)."""

    def __init__(self, vault: AuditStore) -> None:
        self._vault = vault

    def _key(self) -> bytes:
        return bytes(self._vault.data_key_material(AUDIT_KEY_PURPOSE))

    def append(self, actor: str, action: str, subject: str = "", details: Mapping[str, Any] | None = None) -> int:
        """Append one entry (atomically chained to the current head); returns its seq."""
        for name, value in (("actor", actor), ("action", action), ("subject", subject)):
            if not isinstance(value, str) or len(value) > _MAX_TEXT:
                raise AuditError(f"audit {name} must be a short string")
        details_text = canonical_details(details)
        parsed = json.loads(details_text)
        key = self._key()
        with self._vault.transaction():
            last = self._vault.last_audit_row()
            seq, prev = (last.seq + 1, bytes(last.mac)) if last else (1, GENESIS_MAC)
            time = utc_timestamp()
            mac = chain_mac(key, prev, canonical_entry(seq, time, actor, action, subject, parsed))
            self._vault.insert_audit_row(seq, time, actor, action, subject, details_text, mac)
        for listener in list(_append_listeners):
            listener(self._vault, seq, action)
        return seq

    def _rows(
        self, *, since: str | None = None, actor: str | None = None, action: str | None = None
    ) -> Iterator[AuditEntry]:
        for row in self._vault.audit_rows(since=since, actor=actor, action=action):
            try:
                parsed = json.loads(row.details) if row.details else {}
            except ValueError:
                parsed = {"__unparseable__": str(row.details)}  # fails the MAC, reported by seq
            if not isinstance(parsed, dict):
                parsed = {"__not_an_object__": parsed}
            yield AuditEntry(
                int(row.seq),
                str(row.time),
                str(row.actor),
                str(row.action),
                str(row.subject or ""),
                parsed,
                bytes(row.mac or b""),
            )

    def verify(self, anchor: Mapping[str, Any] | Anchor | None = None) -> AuditVerification:
        """Check the whole chain (and, with an anchor, that the log still reaches it unchanged)."""
        parsed = anchor if isinstance(anchor, Anchor) or anchor is None else parse_anchor(anchor)
        with self._vault.transaction():  # one consistent snapshot
            result = verify_chain(self._rows(), self._key(), anchor=parsed, vault_id=_vault_id(self._vault))
            total = self.count()
        return dataclasses.replace(result, entries=total)

    def head(self) -> dict[str, Any]:
        """``{"seq", "mac" (hex), "time", "vault_id"}`` of the last entry (seq 0 when empty)."""
        last = self._vault.last_audit_row()
        if last is None:
            return {"seq": 0, "mac": GENESIS_MAC.hex(), "time": "", "vault_id": _vault_id(self._vault)}
        return {
            "seq": int(last.seq),
            "mac": bytes(last.mac).hex(),
            "time": str(last.time),
            "vault_id": _vault_id(self._vault),
        }

    def anchor(self) -> Anchor:
        """The head as an :class:`Anchor` to keep outside the vault."""
        head = self.head()
        return Anchor(head["vault_id"], head["seq"], bytes.fromhex(head["mac"]), head["time"], utc_timestamp())

    def entries(
        self,
        since: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        *,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Entries in seq order; ``action`` matches itself and its sub-actions (``unlock`` -> ``unlock.failed``)."""
        rows = list(
            self._rows(since=normalize_since(since) if since else None, actor=actor or None, action=action or None)
        )
        if limit is not None:
            rows = rows[-limit:]
        return rows

    def count(self) -> int:
        return self._vault.audit_row_count()


def _vault_id(vault: UnitOfWork) -> str:
    """The vault's random database id (binds an anchor to one vault)."""
    return str(getattr(vault, "database_id", "") or vault.get_meta("database_id") or "")
