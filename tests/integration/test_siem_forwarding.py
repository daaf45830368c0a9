"""SIEM forwarding against a real TLS syslog collector on loopback (throwaway CA), on a real vault."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from siem_collector import SyslogCollector, free_port, make_ca_and_server_cert

from agentconsole.compliance.audit import AUDIT_KEY_PURPOSE, AuditEntry, AuditLog, parse_anchor, verify_chain
from agentconsole.compliance.forwarding import Forwarder
from agentconsole.compliance.siem import check_stream, split_frames
from agentconsole.compliance.transports import JsonLinesTransport, SyslogTlsTransport
from agentconsole.vault import Vault

PASS = b"siem-test-passphrase"


@pytest.fixture
def vault(tmp_path: Path):
    v = Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS))
    yield v
    v.lock()


@pytest.fixture
def pki(tmp_path: Path) -> tuple[Path, Path, Path]:
    return make_ca_and_server_cert(tmp_path / "pki")


@pytest.fixture
def collector(pki):
    _, cert, key = pki
    c = SyslogCollector(cert, key, free_port())
    yield c
    c.close()


def forwarder_for(vault: Vault, ca: Path, port: int, spool: Path) -> Forwarder:
    transport = SyslogTlsTransport("127.0.0.1", port, str(ca))
    return Forwarder(vault, transport, spool, vault_id=str(vault.get_meta("database_id")), retry_max_seconds=0.5)


def entries_of(records: list[dict]) -> list[AuditEntry]:
    return [
        AuditEntry(r["seq"], r["time"], r["actor"], r["action"], r["subject"], r["details"], bytes.fromhex(r["mac"]))
        for r in records
    ]


def first_arrivals(records: list[dict]) -> list[dict]:
    seen: set[int] = set()
    out = []
    for r in records:
        if r["seq"] not in seen:
            seen.add(r["seq"])
            out.append(r)
    return out


def assert_collector_anchors_the_vault(vault: Vault, records: list[dict]) -> None:
    """Every entry arrived once at least, in order, unchanged (the vault's key verifies the MACs),
    and the last record is an anchor the vault's log verifies against."""
    log = AuditLog(vault)
    unique = first_arrivals(records)
    assert [r["seq"] for r in unique] == list(range(1, log.count() + 1))
    check = check_stream(records)
    assert check.ok, check.problem
    assert check.head_seq == log.head()["seq"] and check.head_mac == log.head()["mac"]
    key = bytes(vault.data_key_material(AUDIT_KEY_PURPOSE))
    assert verify_chain(entries_of(unique), key).ok
    assert log.verify(parse_anchor(json.dumps(unique[-1]))).ok


def test_hundred_entries_written_while_the_collector_is_down_arrive_in_order(
    vault: Vault, pki, collector: SyslogCollector, tmp_path: Path
) -> None:
    ca, _, _ = pki
    log = AuditLog(vault)
    forwarder = forwarder_for(vault, ca, collector.port, tmp_path / "spool")
    forwarder.start()
    try:
        for i in range(100):  # collector not started: every connect is refused
            log.append("alice", "reveal", f"case:{i}", {"message": i})
        assert not forwarder.flush(0.2)
        assert forwarder.status().pending == 100 and forwarder.status().last_error
        collector.start()
        assert forwarder.flush(60)
        assert collector.wait_for(lambda c: len({r["seq"] for r in c.records}) >= 100)
        assert_collector_anchors_the_vault(vault, collector.records)
        assert [r["details"]["message"] for r in first_arrivals(collector.records)] == list(range(100))
        assert collector.errors == []
    finally:
        forwarder.stop()


def test_collector_restarts_lose_nothing_and_entries_follow_as_written(
    vault: Vault, pki, collector: SyslogCollector, tmp_path: Path
) -> None:
    ca, _, _ = pki
    log = AuditLog(vault)
    collector.start()
    forwarder = forwarder_for(vault, ca, collector.port, tmp_path / "spool")
    forwarder.start()
    try:
        for round_ in range(3):
            for i in range(10):
                log.append("alice", "copy", f"case:{round_}", {"n": i})
            head = log.head()["seq"]
            # forwarded as written: no flush, the append wakes the thread
            assert collector.wait_for(lambda c, h=head: h in {r["seq"] for r in c.records})
            collector.stop()
            for i in range(5):
                log.append("bob", "unlock.failed", "user:bob", {"n": i})
            collector.start()
            assert forwarder.flush(60)
        assert collector.connections >= 4
        assert_collector_anchors_the_vault(vault, collector.records)
    finally:
        forwarder.stop()


def test_delivery_resumes_from_the_cursor_in_a_new_session(
    vault: Vault, pki, collector: SyslogCollector, tmp_path: Path
) -> None:
    ca, _, _ = pki
    log = AuditLog(vault)
    collector.start()
    first = forwarder_for(vault, ca, collector.port, tmp_path / "spool")
    first.start()
    for i in range(7):
        log.append("alice", "reveal", f"case:{i}")
    assert first.flush(60)
    first.stop()
    for i in range(4):  # no forwarder running (the console was closed)
        log.append("alice", "export", f"customer:C-{i}")
    second = forwarder_for(vault, ca, collector.port, tmp_path / "spool")
    second.start()
    try:
        assert second.flush(60)
        assert collector.seqs() == list(range(1, 12))  # nothing sent twice: the cursor was kept
        assert_collector_anchors_the_vault(vault, collector.records)
    finally:
        second.stop()


def test_a_collector_with_a_certificate_from_another_ca_gets_nothing(
    vault: Vault, collector: SyslogCollector, tmp_path: Path
) -> None:
    other_ca, _, _ = make_ca_and_server_cert(tmp_path / "other")
    collector.start()
    AuditLog(vault).append("alice", "reveal", "case:1")
    forwarder = forwarder_for(vault, other_ca, collector.port, tmp_path / "spool")
    forwarder.start()
    try:
        assert not forwarder.flush(1.0)
        assert "certificate" in forwarder.status().last_error
        assert collector.records == []
    finally:
        forwarder.stop()


def test_syslog_frames_are_rfc5424_with_octet_counting(vault: Vault, pki, collector: SyslogCollector, tmp_path):
    ca, _, _ = pki
    collector.start()
    AuditLog(vault).append("alice", "alert.reveal_burst", "user:alice", {"count": 20})
    forwarder = forwarder_for(vault, ca, collector.port, tmp_path / "spool")
    forwarder.start()
    try:
        assert forwarder.flush(60)
        message = collector.raw[0]
        # <PRI>VERSION: facility 13 (log audit), severity 4 (warning) for alerts
        assert message.startswith(b"<108>1 ")
        header = message.split(b" ", 6)
        assert header[3] == b"agentconsole" and header[5] == b"alert.reveal_burst"
        assert b"[agentconsole@32473 vault=" in message and b' seq="1" ' in message
        framed, rest = split_frames(str(len(message)).encode() + b" " + message + b"12 partial")
        assert framed == [message] and rest == b"12 partial"
    finally:
        forwarder.stop()


def test_json_lines_to_a_fifo_wait_for_a_reader(vault: Vault, tmp_path: Path) -> None:
    fifo = tmp_path / "collector.fifo"
    os.mkfifo(fifo)
    log = AuditLog(vault)
    for i in range(30):
        log.append("alice", "reveal", f"case:{i}")
    forwarder = Forwarder(
        vault, JsonLinesTransport(str(fifo)), tmp_path / "spool", vault_id=str(vault.get_meta("database_id"))
    )
    forwarder.start()
    try:
        assert not forwarder.flush(0.2)  # nobody reads the FIFO yet
        assert "FIFO" in forwarder.status().last_error
        lines: list[dict] = []
        done = threading.Event()

        def read() -> None:
            with open(fifo, encoding="utf-8") as fh:
                for line in fh:
                    lines.append(json.loads(line))
                    if len(lines) >= 30:
                        done.set()
                        return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert forwarder.flush(60)
        assert done.wait(60)
        assert [r["seq"] for r in lines] == list(range(1, 31))
        assert_collector_anchors_the_vault(vault, lines)
    finally:
        forwarder.stop()
