"""SIEM forwarding and alerts through the service and the CLI, against a real TLS syslog collector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_users import PASSWORDS, home_with_users, run
from siem_collector import SyslogCollector, free_port, make_ca_and_server_cert

from agentconsole.compliance.audit import AUDIT_KEY_PURPOSE, AuditEntry, parse_anchor, verify_chain
from agentconsole.compliance.siem import check_stream
from agentconsole.config import load_settings
from agentconsole.service import ConsoleService
from agentconsole.vault import Vault


@pytest.fixture
def pki(tmp_path: Path) -> tuple[Path, Path, Path]:
    return make_ca_and_server_cert(tmp_path / "pki")


@pytest.fixture
def collector(pki):
    _, cert, key = pki
    c = SyslogCollector(cert, key, free_port())
    yield c
    c.close()


def configure(home: Path, ca: Path, port: int, extra: str = "") -> None:
    (home / "config.toml").write_text(
        f'[siem]\ntransport = "syslog-tls"\nhost = "127.0.0.1"\nport = {port}\nca_file = "{ca}"\n'
        f"retry_max_seconds = 0.5\n{extra}",
        encoding="utf-8",
    )


def session(home: Path, user: str = "sue") -> ConsoleService:
    service = ConsoleService(load_settings(home))
    service.unlock(user, bytearray(PASSWORDS[user].encode()))
    return service


def seed_one_case(vault: Vault) -> None:
    case = vault.create_case(vault.upsert_customer("C1"), "Refund")
    vault.add_message(case, "customer", "I am <PERSON_1>")
    vault.add_pii_values(case, [("<PERSON_1>", "PERSON", "Grace Hopper")])


@pytest.fixture
def home(agentconsole_home: Path, tmp_path: Path) -> Path:
    return home_with_users(agentconsole_home, tmp_path, seed_one_case)


def unique(records: list[dict]) -> list[dict]:
    seen: set[int] = set()
    return [r for r in records if not (r["seq"] in seen or seen.add(r["seq"]))]


def test_hundred_actions_while_the_collector_is_down_then_all_arrive_in_order(
    home: Path, tmp_path: Path, pki, collector: SyslogCollector, capsys: pytest.CaptureFixture[str]
) -> None:
    ca, _, _ = pki
    configure(home, ca, collector.port)
    service = session(home, "ann")
    start_seq = service.require("work_cases").last_audit_row().seq
    for _ in range(100):
        service.reveal(1, 1)  # 100 audited reveals; the collector is not running
    service.lock()  # does not wait out siem.flush_seconds: the collector is down
    assert run(home, tmp_path, "aud", "audit", "forward", "--test", "--timeout", "2") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"syslog-tls://127.0.0.1:{collector.port}" in err and "entries wait" in err

    collector.start()
    assert run(home, tmp_path, "aud", "audit", "forward") == 0
    assert "0 pending" in capsys.readouterr().out
    records = unique(collector.records)
    reveals = [r for r in records if r["action"] == "reveal"]
    assert len(reveals) == 100 and all(r["actor"] == "ann" for r in reveals)
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))  # every entry, in order
    assert reveals[0]["seq"] > start_seq
    check = check_stream(collector.records)
    assert check.ok, check.problem

    service = session(home)
    try:
        vault = service.require("audit")
        # the collector holds the chain head: a remote anchor the vault verifies against
        assert service.verify_audit(records[-1]).ok and check.head_mac == records[-1]["mac"]
        key = bytes(vault.data_key_material(AUDIT_KEY_PURPOSE))
        entries = [
            AuditEntry(
                r["seq"], r["time"], r["actor"], r["action"], r["subject"], r["details"], bytes.fromhex(r["mac"])
            )
            for r in records
        ]
        assert verify_chain(entries, key, anchor=parse_anchor(json.dumps(records[-1]))).ok
    finally:
        service.lock()


def test_forward_test_checks_the_path(
    home: Path, tmp_path: Path, pki, collector: SyslogCollector, capsys: pytest.CaptureFixture[str]
) -> None:
    ca, _, _ = pki
    configure(home, ca, collector.port)
    collector.start()
    assert run(home, tmp_path, "sue", "audit", "forward", "--test") == 0
    assert capsys.readouterr().out.startswith("OK: syslog-tls://127.0.0.1:")
    assert "audit.forward_test" in [r["action"] for r in collector.records]
    assert run(home, tmp_path, "ann", "audit", "forward", "--test") == 3  # agents have no audit access
    capsys.readouterr()
    other_ca, _, _ = make_ca_and_server_cert(tmp_path / "other")
    configure(home, other_ca, collector.port)
    assert run(home, tmp_path, "sue", "audit", "forward", "--test", "--timeout", "5") == 1
    assert "certificate" in capsys.readouterr().err


def test_a_collector_outside_the_egress_allow_list_is_named(home: Path, tmp_path: Path, pki) -> None:
    ca, _, _ = pki
    (home / "config.toml").write_text(
        f'[siem]\ntransport = "syslog-tls"\nhost = "siem.support.invalid"\nca_file = "{ca}"\njurisdiction = "EU"\n'
        '[compliance]\nallowed_jurisdictions = ["EU"]\n',
        encoding="utf-8",
    )
    service = session(home)
    try:
        assert any("not in network.allowed_hosts" in w for w in service.unlock_warnings)
        with pytest.raises(Exception, match="network.allowed_hosts"):
            service.forward_test(5)
    finally:
        service.lock()


def test_alerts_are_audited_forwarded_and_listed(home: Path, pki, collector: SyslogCollector) -> None:
    ca, _, _ = pki
    configure(
        home,
        ca,
        collector.port,
        "[alerts]\nreveal_burst_count = 3\nreveal_burst_minutes = 10\nfailed_unlock_count = 3\nworking_days = []\n",
    )
    collector.start()
    for _ in range(3):
        with pytest.raises(Exception, match="passphrase"):
            ConsoleService(load_settings(home)).unlock("ann", bytearray(b"wrong guess"))
        from agentconsole.compliance import unlock_backoff

        unlock_backoff.succeeded(home, "ann")  # no waiting between the attempts in a test
    service = session(home, "ann")
    for _ in range(4):
        service.copy_out(1, "Dear <PERSON_1>")
    service.lock()
    service = session(home)
    try:
        service.export_customer("C1")
        alerts = service.recent_alerts()
        actions = [a.action for a in alerts]
        assert actions.count("alert.failed_unlocks") == 1
        assert actions.count("alert.reveal_burst") == 1  # once per burst, not at every copy after it
        assert actions.count("alert.off_hours") == 1  # no working day at all: every export is off-hours
        burst = next(a for a in alerts if a.action == "alert.reveal_burst")
        assert burst.subject == "user:ann" and burst.details["count"] == 3
        assert service.flush_forwarding(30)
    finally:
        service.lock()
    forwarded = {r["action"]: r for r in collector.records}
    assert {"alert.failed_unlocks", "alert.reveal_burst", "alert.off_hours"} <= set(forwarded)
    assert any(raw.startswith(b"<108>1 ") and b"alert.off_hours" in raw for raw in collector.raw)  # severity warning
