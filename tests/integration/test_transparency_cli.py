"""Notice, record of processing, cross-border guard and consent per purpose, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_users import home_with_users, run

from agentconsole.cli import main
from agentconsole.compliance.jurisdiction import (
    CrossBorderRefused,
    Destination,
    check_destinations,
    declared_destinations,
    register_destinations,
)
from agentconsole.config import parse_settings
from agentconsole.vault import Vault


def write_config(home: Path, text: str) -> None:
    (home / "config.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def home(agentconsole_home: Path, tmp_path: Path) -> Path:
    def seed(vault: Vault) -> None:
        for ref in ("C1", "C2", "C3"):
            vault.create_case(vault.upsert_customer(ref), "Refund")

    return home_with_users(agentconsole_home, tmp_path, seed)


LIVE = """
[retention]
pii_values_days = 12
transcripts_days = 97
[transparency]
controller = "Example Support Ltd"
contact = "privacy@support.invalid"
[privacy]
entities = ["PERSON", "EMAIL_ADDRESS", "IBAN_CODE"]
[[privacy.custom_recognizers]]
name = "ticket"
regex = "TK-[0-9]{6}"
entity_type = "TICKET_ID"
[compliance]
purposes = ["Answering warranty claims"]
"""


def test_notice_reflects_the_live_config(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(home, LIVE)
    assert main(["--home", str(home), "notice"]) == 0
    md = capsys.readouterr().out
    assert "12 days" in md and "97 days" in md and "Example Support Ltd" in md and "privacy@support.invalid" in md
    assert "Answering warranty claims" in md and "Handling the customer's support request" not in md
    assert "names, e-mail addresses, bank account numbers (IBAN), ticket id" in md
    assert md.startswith("# ")
    write_config(home, LIVE.replace("pii_values_days = 12", "pii_values_days = 45"))
    assert main(["--home", str(home), "notice", "--format", "txt"]) == 0
    txt = capsys.readouterr().out
    assert "45 days" in txt and "12 days" not in txt
    assert "#" not in txt and "**" not in txt and "HOW LONG WE KEEP IT" in txt


def test_a_custom_notice_template_and_its_errors(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "notice.md").write_text("Kept {retention_transcripts_days} days by {controller}.\n")
    write_config(home, LIVE.replace('contact = "', 'notice_template = "notice.md"\ncontact = "'))
    assert main(["--home", str(home), "notice"]) == 0
    assert capsys.readouterr().out == "Kept 97 days by Example Support Ltd.\n"
    (home / "notice.md").write_text("Hello {customer_name}\n")
    assert main(["--home", str(home), "notice"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown field {customer_name}" in err and "Traceback" not in err


def test_report_reflects_the_live_config_and_the_vault(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(
        home,
        LIVE
        + """
allowed_jurisdictions = ["EU"]
[model]
backend = "server"
[server]
url = "https://llm.support.invalid:8443"
jurisdiction = "eu"
[network]
allowed_hosts = ["llm.support.invalid"]
""",
    )
    assert run(home, tmp_path, "ann", "consent", "give", "--customer", "C1") == 0
    assert run(home, tmp_path, "ann", "consent", "give", "--customer", "C2", "--purpose", "model-improvement") == 0
    assert run(home, tmp_path, "ann", "consent", "withdraw", "--customer", "C3", "--purpose", "model-improvement") == 0
    assert run(home, tmp_path, "sue", "erase", "--customer", "C3", "--yes") == 0
    assert run(home, tmp_path, "sue", "export", "--customer", "C2", "--out", str(tmp_path / "c2.json")) == 0
    capsys.readouterr()

    assert run(home, tmp_path, "aud", "compliance", "report", "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["retention"]["pii_values_days"] == 12 and report["retention"]["transcripts_days"] == 97
    assert [c["entity"] for c in report["masked_categories"]] == ["PERSON", "EMAIL_ADDRESS", "IBAN_CODE", "TICKET_ID"]
    assert report["purposes"] == ["Answering warranty claims"]
    assert report["processing"][0]["where"] == "LLM server llm.support.invalid"
    assert report["destinations"] == [
        {
            "name": "LLM server",
            "host": "llm.support.invalid",
            "jurisdiction": "EU",
            "receives": report["destinations"][0]["receives"],
            "status": "allowed",
        }
    ]
    assert report["vault"]["users_per_role"] == {"agent": 1, "supervisor": 1, "auditor": 1}
    assert report["vault"]["consents"]["ai-processing"] == {"given": 1, "withdrawn": 0}
    assert report["vault"]["consents"]["model-improvement"] == {"given": 1, "withdrawn": 0}  # C3 was erased
    assert (
        report["vault"]["activity"]["erasures"] == 1 and report["vault"]["activity"]["exports (right of access)"] == 1
    )
    assert report["vault"]["audit_chain"]["ok"] is True

    assert run(home, tmp_path, "sue", "compliance", "report") == 0
    md = capsys.readouterr().out
    assert "| LLM server | llm.support.invalid | EU | allowed |" in md and "Chain: intact" in md

    assert run(home, tmp_path, "ann", "compliance", "report") == 3  # PermissionDenied
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not allowed to audit" in err


@pytest.mark.parametrize(
    ("server", "allowed", "expected"),
    [
        ('url = "https://llm.support.invalid"\njurisdiction = "US"', '["EU"]', "jurisdiction US (server.jurisdiction)"),
        ('url = "https://llm.support.invalid"', '["EU"]', "declares no jurisdiction (set server.jurisdiction)"),
        (
            'url = "https://llm.support.invalid"\njurisdiction = "DE"',
            "[]",
            "not in compliance.allowed_jurisdictions (none)",
        ),
    ],
)
def test_a_server_backend_in_a_disallowed_jurisdiction_refuses_to_start(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], server: str, allowed: str, expected: str
) -> None:
    write_config(
        home,
        f'[model]\nbackend = "server"\n[server]\n{server}\n[network]\nallowed_hosts = ["llm.support.invalid"]\n'
        f"[compliance]\nallowed_jurisdictions = {allowed}\n",
    )
    for args in (["audit", "verify"], ["draft", "--case", "1"], ["export-training", "--out", str(tmp_path / "t")]):
        assert run(home, tmp_path, "sue", *args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and expected in err and "llm.support.invalid" in err
    assert main(["--home", str(home)]) == 2  # the console itself
    assert expected in capsys.readouterr().err
    assert main(["--home", str(home), "notice"]) == 0  # inspecting and fixing the config still works
    assert not (tmp_path / "t").exists()


def test_loopback_servers_and_allowed_jurisdictions_start(home: Path, tmp_path: Path) -> None:
    write_config(home, '[model]\nbackend = "server"\n[server]\nurl = "http://127.0.0.1:9"\n')
    assert run(home, tmp_path, "sue", "audit", "verify") == 0
    write_config(
        home,
        '[model]\nbackend = "server"\n[server]\nurl = "https://llm.support.invalid"\njurisdiction = "de"\n'
        '[compliance]\nallowed_jurisdictions = ["DE", "EU"]\n',
    )
    assert run(home, tmp_path, "sue", "audit", "verify") == 0


def test_the_siem_collector_and_other_backends_are_guarded_too(tmp_path: Path) -> None:
    settings = parse_settings(
        {
            "siem": {
                "transport": "syslog-tls",
                "host": "siem.support.invalid",
                "ca_file": "ca.pem",
                "jurisdiction": "US",
            },
            "compliance": {"allowed_jurisdictions": ["EU"]},
        },
        home=tmp_path,
    )
    with pytest.raises(CrossBorderRefused, match="SIEM collector siem.support.invalid is in jurisdiction US"):
        check_destinations(declared_destinations(settings), settings.compliance.allowed_jurisdictions)

    @register_destinations
    def team_store(_settings: object) -> list[Destination]:  # what a server-backed vault registers
        return [Destination("team store", "db.support.invalid", "CH", "vault.jurisdiction", "ciphertext")]

    settings = parse_settings({"compliance": {"allowed_jurisdictions": ["EU"]}}, home=tmp_path)
    try:
        with pytest.raises(CrossBorderRefused, match=r"team store db.support.invalid .*CH \(vault.jurisdiction\)"):
            check_destinations(declared_destinations(settings), ["EU"])
        check_destinations(declared_destinations(settings), ["EU", "CH"])
    finally:
        from agentconsole.compliance import jurisdiction

        jurisdiction._providers.remove(team_store)


def test_a_team_store_in_a_disallowed_jurisdiction_refuses_to_start(tmp_path: Path) -> None:
    def team(jurisdiction: str) -> Any:
        return parse_settings(
            {
                "vault": {
                    "backend": "postgres",
                    "dsn": "postgresql://db.support.invalid:5432/cases",
                    "jurisdiction": jurisdiction,
                },
                "compliance": {"allowed_jurisdictions": ["EU"]},
            },
            home=tmp_path,
        )

    with pytest.raises(CrossBorderRefused, match=r"team store db.support.invalid is in jurisdiction US \(vault"):
        check_destinations(declared_destinations(team("us")), ["EU"])
    with pytest.raises(CrossBorderRefused, match=r"declares no jurisdiction \(set vault.jurisdiction\)"):
        check_destinations(declared_destinations(team("")), ["EU"])
    check_destinations(declared_destinations(team("eu")), ["EU"])
