"""Audit entries as a SIEM collector receives them: RFC 5424 syslog (RFC 6587 framing) or JSON lines.

Every forwarded entry carries what the collector needs to be a remote anchor of
the audit chain: the vault's id, the entry's ``seq``, its ``mac`` (the chain head
once it is written) and ``prev_mac`` (the head before it). Without the vault's
key a collector can still check that seqs are contiguous and that each entry's
``prev_mac`` is the previous entry's ``mac`` (:func:`check_stream`); the last
record it holds is an anchor for ``agentconsole audit verify --anchor``
(:func:`parse_anchor <agentconsole.compliance.audit.parse_anchor>` reads it as is).

A syslog message, one per entry::

    <110>1 2026-12-01T09:30:00.123456+00:00 host agentconsole 4242 reveal
      [agentconsole@32473 vault="…" seq="12" mac="…" prev="…"] BOM{…the JSON record…}

framed by octet counting (``LEN SP MSG``, RFC 6587 3.4.1). Facility 13 (log
audit); severity warning for ``alert.*``, notice for refusals and failures,
informational otherwise. 32473 is the private enterprise number reserved for
documentation (RFC 5612): collectors match on the SD-ID name.

Entries hold ids, roles and counts, never PII values (see :mod:`.audit`), so
neither the records nor the delivery cursor add anything the audit log does not
already hold.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agentconsole.compliance.audit import GENESIS_MAC, AuditEntry

FACILITY_LOG_AUDIT = 13
SEVERITY_WARNING = 4
SEVERITY_NOTICE = 5
SEVERITY_INFO = 6
SD_ID = "agentconsole@32473"
RECORD_KIND = "agentconsole-audit-entry"
_BOM = b"\xef\xbb\xbf"
_NOT_PRINTABLE = re.compile(r"[^\x21-\x7e]")


def severity_of(action: str) -> int:
    """Syslog severity of an audit action: alerts warn, refusals and failures are notices."""
    if action.startswith("alert."):
        return SEVERITY_WARNING
    if action == "denied" or action.endswith((".failed", ".refused", ".throttled", "_tampered", "_detected")):
        return SEVERITY_NOTICE
    return SEVERITY_INFO


def record(entry: AuditEntry, prev_mac: bytes, vault_id: str) -> dict[str, Any]:
    """The JSON record of one entry (also the MSG part of its syslog message)."""
    data = entry.as_json()
    data["prev_mac"] = bytes(prev_mac).hex()
    data["vault_id"] = vault_id
    data["kind"] = RECORD_KIND
    return data


def record_bytes(data: Mapping[str, Any]) -> bytes:
    return json.dumps(dict(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _header_field(value: str, limit: int) -> str:
    """A syslog header field: printable US-ASCII without spaces, at most ``limit`` characters, ``-`` if empty."""
    cleaned = _NOT_PRINTABLE.sub("_", value)[:limit]
    return cleaned or "-"


def _sd_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def syslog_message(data: Mapping[str, Any], *, hostname: str, app_name: str, procid: str) -> bytes:
    """One RFC 5424 message (without framing) for a JSON record from :func:`record`."""
    action = str(data["action"])
    pri = FACILITY_LOG_AUDIT * 8 + severity_of(action)
    params = " ".join(
        f'{name}="{_sd_value(str(data[key]))}"'
        for name, key in (("vault", "vault_id"), ("seq", "seq"), ("mac", "mac"), ("prev", "prev_mac"))
    )
    header = (
        f"<{pri}>1 {_header_field(str(data['time']), 64)} {_header_field(hostname, 255)} "
        f"{_header_field(app_name, 48)} {_header_field(procid, 128)} {_header_field(action, 32)} [{SD_ID} {params}] "
    )
    return header.encode("ascii") + _BOM + record_bytes(data)


def octet_frame(message: bytes) -> bytes:
    """RFC 6587 octet-counting frame: ``LEN SP MSG``."""
    return str(len(message)).encode("ascii") + b" " + message


def json_line(data: Mapping[str, Any]) -> bytes:
    """One JSON line (no newline inside: JSON escapes control characters)."""
    return record_bytes(data) + b"\n"


class FrameError(ValueError):
    """The bytes are not RFC 6587 octet-counted syslog frames."""


def split_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Complete octet-counted messages at the start of ``buffer`` and the incomplete rest."""
    messages: list[bytes] = []
    view = buffer
    while view:
        space = view.find(b" ", 0, 12)
        if space < 0:
            if len(view) >= 12 or not view.isdigit():
                raise FrameError("expected a decimal length and a space")
            break
        length_text = view[:space]
        if not length_text.isdigit() or length_text.startswith(b"0"):
            raise FrameError("expected a decimal length and a space")
        end = space + 1 + int(length_text)
        if len(view) < end:
            break
        messages.append(view[space + 1 : end])
        view = view[end:]
    return messages, view


def parse_syslog_record(message: bytes) -> dict[str, Any]:
    """The JSON record inside one of our syslog messages (collector side, tests)."""
    start = message.find(_BOM)
    if start < 0:
        raise FrameError("no UTF-8 MSG part (BOM) in the syslog message")
    data = json.loads(message[start + len(_BOM) :].decode("utf-8"))
    if not isinstance(data, dict) or data.get("kind") != RECORD_KIND:
        raise FrameError("the MSG part is not an agentconsole audit record")
    return data


@dataclass(frozen=True)
class StreamCheck:
    """What a collector can check without the vault's key (:func:`check_stream`)."""

    ok: bool
    records: int
    first_seq: int
    head_seq: int
    head_mac: str
    duplicates: int
    problem: str = ""


def check_stream(records: Iterable[Mapping[str, Any]]) -> StreamCheck:
    """Dedupe by seq (delivery is at-least-once) and check the chain links: contiguous seqs,
    each ``prev_mac`` equal to the previous entry's ``mac``, one vault.

    A stream starting after seq 1 is fine (forwarding began later); its first
    ``prev_mac`` cannot be checked here. A seq seen twice must carry the same MAC.
    """
    by_seq: dict[int, Mapping[str, Any]] = {}
    duplicates = 0
    for item in records:
        seq = int(item["seq"])
        if seq in by_seq:
            duplicates += 1
            if by_seq[seq]["mac"] != item["mac"]:
                return StreamCheck(False, len(by_seq), 0, 0, "", duplicates, f"entry {seq} arrived with two MACs")
            continue
        by_seq[seq] = item
    if not by_seq:
        return StreamCheck(True, 0, 0, 0, GENESIS_MAC.hex(), duplicates)
    seqs = sorted(by_seq)
    vaults = {str(by_seq[s].get("vault_id", "")) for s in seqs}
    if len(vaults) > 1:
        return StreamCheck(False, len(seqs), seqs[0], 0, "", duplicates, "records from more than one vault")
    if seqs[0] == 1 and by_seq[1]["prev_mac"] != GENESIS_MAC.hex():
        return StreamCheck(False, len(seqs), 1, 0, "", duplicates, "entry 1 does not start the chain")
    for before, after in itertools.pairwise(seqs):
        if after != before + 1:
            return StreamCheck(False, len(seqs), seqs[0], before, "", duplicates, f"entry {before + 1} is missing")
        if by_seq[after]["prev_mac"] != by_seq[before]["mac"]:
            return StreamCheck(
                False, len(seqs), seqs[0], before, "", duplicates, f"entry {after} does not follow entry {before}"
            )
    head = by_seq[seqs[-1]]
    return StreamCheck(True, len(seqs), seqs[0], seqs[-1], str(head["mac"]), duplicates)
