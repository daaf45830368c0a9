"""Right of access: a customer's data with real values restored, purposes, audited (counts only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agentconsole.compliance import retention
from agentconsole.compliance.erasure import CustomerNotFound
from agentconsole.compliance.export import (
    CustomerExport,
    ExportedCase,
    ExportedMessage,
    ExportedValue,
    render,
    render_markdown,
)
from agentconsole.config import ComplianceSettings, Settings
from agentconsole.errors import AgentConsoleError
from agentconsole.service import ConsoleService

PASS = b"export-passphrase"
PURPOSES = ["Answering support requests", "Drafting replies locally"]


@pytest.fixture
def service(agentconsole_home: Path):
    settings = Settings(home=agentconsole_home, compliance=ComplianceSettings(purposes=PURPOSES))
    svc = ConsoleService(settings)
    svc.create_vault("sue", bytearray(PASS))
    vault = svc.require("work_cases")
    customer = vault.upsert_customer("C1")
    case = vault.create_case(customer, "Refund for <PERSON_1>")
    vault.add_message(case, "customer", "Hi, I am <PERSON_1>, card <CREDIT_CARD_1>.")
    vault.add_message(case, "agent", "Thanks <PERSON_1>, refund started.")
    vault.add_pii_values(
        case, [("<PERSON_1>", "PERSON", "Ada Lovelace"), ("<CREDIT_CARD_1>", "CREDIT_CARD", "4111 1111 1111 1111")]
    )
    other = vault.create_case(vault.upsert_customer("C2"), "Other <PERSON_1>")
    vault.add_pii_values(other, [("<PERSON_1>", "PERSON", "Somebody Else")])
    svc.record_consent("C1", True)
    yield svc
    svc.lock()


def test_json_export_holds_everything_restored(service: ConsoleService) -> None:
    data = json.loads(service.export_customer("C1", "json"))
    assert data["format"] == "agentconsole-customer-export" and data["customer"]["ref"] == "C1"
    assert data["purposes"] == PURPOSES
    assert data["retention_days"] == {"pii_values_days": 30, "transcripts_days": 365}
    assert data["categories"] == ["CREDIT_CARD", "PERSON"]
    assert data["consent"]["current"] is True and data["consent"]["history"][0]["agent"] == "sue"
    (case,) = data["cases"]
    assert case["title"] == "Refund for Ada Lovelace"
    assert [m["text"] for m in case["messages"]] == [
        "Hi, I am Ada Lovelace, card 4111 1111 1111 1111.",
        "Thanks Ada Lovelace, refund started.",
    ]
    assert {v["placeholder"]: v["value"] for v in case["personal_data"]}["<PERSON_1>"] == "Ada Lovelace"
    assert "Somebody Else" not in json.dumps(data)  # another customer's data never leaks in


def test_export_is_audited_with_counts_not_values(service: ConsoleService) -> None:
    service.export_customer("C1", "md")
    (entry,) = service.audit_entries(action="export")
    assert entry.subject == "customer:C1"
    assert entry.details == {"format": "md", "cases": 1, "messages": 2, "pii_values": 2, "consents": 1, "surveys": 0}
    assert "Ada" not in json.dumps(entry.as_json())


def test_markdown_export_is_readable(service: ConsoleService) -> None:
    text = service.export_customer("C1", "md")
    assert text.startswith("# Personal data held about customer C1")
    for needle in (
        "## Purposes of processing",
        "- Answering support requests",
        "## Case 1: Refund for Ada Lovelace",
        "4111 1111 1111 1111",
        "given (recorded by sue)",
    ):
        assert needle in text


def test_expired_values_are_shown_as_expired(service: ConsoleService) -> None:
    retention.run(service.require("retention"), service.settings, now=datetime.now(UTC) + timedelta(days=31))
    service._forget_mappings()
    data = json.loads(service.export_customer("C1", "json"))
    values = data["cases"][0]["personal_data"]
    assert all(v["value"] is None for v in values)
    assert data["cases"][0]["messages"][0]["text"] == "Hi, I am <PERSON_1>, card <CREDIT_CARD_1>."
    assert "(expired under the retention policy)" in service.export_customer("C1", "md")


def test_unknown_customer_and_bad_format(service: ConsoleService) -> None:
    with pytest.raises(CustomerNotFound):
        service.export_customer("NOBODY")
    with pytest.raises(AgentConsoleError, match="unknown export format"):
        service.export_customer("C1", "pdf")
    assert service.audit_entries(action="export") == []


def test_markdown_cannot_be_broken_by_customer_text() -> None:
    hostile = "```\n# Injected heading\n````"
    export = CustomerExport(
        customer_ref="C*1",
        display_name=None,
        customer_since="t",
        exported_at="t",
        exported_by="sue",
        purposes=["p"],
        retention={"pii_values_days": 30, "transcripts_days": 365},
        consent_current=False,
        cases=[
            ExportedCase(
                1,
                "[link](http://x) <b>",
                "open",
                "t",
                "t",
                [ExportedMessage(1, "customer", "t", hostile)],
                [ExportedValue("<PERSON_1>", "PERSON", "*bold*", "t")],
            )
        ],
    )
    text = render_markdown(export)
    assert "`````text\n" + hostile + "\n`````" in text  # a fence longer than any run inside
    assert "\n# Injected heading" not in text.replace(hostile, "")
    assert "\\[link\\]" in text and "\\<b\\>" in text and "\\*bold\\*" in text and "C\\*1" in text
    assert json.loads(render(export, "json"))["cases"][0]["messages"][0]["text"] == hostile
    with pytest.raises(ValueError):
        render(export, "html")
