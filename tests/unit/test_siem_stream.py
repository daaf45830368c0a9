"""What a collector checks without the vault's key, and the syslog framing, on built records."""

from __future__ import annotations

import json

import pytest

from agentconsole.compliance.audit import GENESIS_MAC, AuditEntry, chain_mac
from agentconsole.compliance.siem import (
    FrameError,
    check_stream,
    json_line,
    octet_frame,
    parse_syslog_record,
    record,
    severity_of,
    split_frames,
    syslog_message,
)

KEY = bytes(range(32))


def records(n: int) -> list[dict]:
    out, prev = [], GENESIS_MAC
    for seq in range(1, n + 1):
        entry = AuditEntry(seq, f"2026-12-01T00:00:{seq:02d}.000000+00:00", "ann", "reveal", f"case:{seq}", {"n": seq})
        entry = AuditEntry(**{**entry.__dict__, "mac": chain_mac(KEY, prev, entry.canonical())})
        out.append(record(entry, prev, "vault-1"))
        prev = entry.mac
    return out


def test_a_complete_stream_with_duplicates_checks_out() -> None:
    stream = records(10)
    check = check_stream(stream + stream[4:7])  # at-least-once: a resent tail
    assert check.ok and check.head_seq == 10 and check.duplicates == 3 and check.head_mac == stream[-1]["mac"]
    assert check_stream(stream[3:]).ok  # forwarding may start later


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda s: s[:4] + s[5:], "entry 5 is missing"),
        (lambda s: [*s[:5], {**s[5], "prev_mac": "00" * 32}, *s[6:]], "entry 6 does not follow entry 5"),
        (lambda s: [*s, {**s[2], "mac": "11" * 32}], "entry 3 arrived with two MACs"),
        (lambda s: [*s[:2], {**s[2], "vault_id": "other"}, *s[3:]], "more than one vault"),
        (lambda s: [{**s[0], "prev_mac": "22" * 32}, *s[1:]], "entry 1 does not start the chain"),
    ],
)
def test_gaps_forks_and_foreign_records_are_named(mutate, problem: str) -> None:
    check = check_stream(mutate(records(8)))
    assert not check.ok and problem in check.problem


def test_syslog_message_round_trip_and_framing() -> None:
    data = records(1)[0]
    message = syslog_message(data, hostname="desk 7", app_name="agentconsole", procid="42")
    assert message.startswith(b"<110>1 2026-12-01T00:00:01.000000+00:00 desk_7 agentconsole 42 reveal [")
    assert parse_syslog_record(message) == data
    frames, rest = split_frames(octet_frame(message) * 2 + b"3")
    assert frames == [message, message] and rest == b"3"
    with pytest.raises(FrameError):
        split_frames(b"x12 abc")
    assert severity_of("alert.off_hours") == 4 and severity_of("unlock.failed") == 5 and severity_of("send") == 6


def test_a_collectors_last_record_is_an_anchor() -> None:
    from agentconsole.compliance.audit import parse_anchor

    stream = records(3)
    jsonl = "".join(json_line(r).decode() for r in stream)
    assert parse_anchor(jsonl).seq == 3 and parse_anchor(jsonl).mac.hex() == stream[-1]["mac"]
    syslog = b"\n".join(syslog_message(r, hostname="h", app_name="a", procid="1") for r in stream).decode()
    assert parse_anchor(syslog).seq == 3 and parse_anchor(syslog).vault_id == "vault-1"
    assert parse_anchor(json.dumps({"seq": 2, "mac": "00" * 32}, indent=2)).seq == 2  # an 'audit anchor' file
