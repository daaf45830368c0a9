"""Pure parts of the transparency features: guard messages, working hours, notice templates, export scrubbing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agentconsole.compliance.alerts import outside_working_hours
from agentconsole.compliance.jurisdiction import Destination, refusal
from agentconsole.compliance.notice import render_notice
from agentconsole.compliance.training_export import export_training
from agentconsole.config import parse_settings
from agentconsole.errors import ConfigError
from agentconsole.transparency_config import AlertSettings


def test_loopback_destinations_need_no_jurisdiction_and_others_do() -> None:
    assert refusal(Destination("LLM server", "127.0.0.1", "", "server.jurisdiction", "x"), []) is None
    assert refusal(Destination("LLM server", "localhost", "", "server.jurisdiction", "x"), []) is None
    assert refusal(Destination("LLM server", "10.0.0.5", "eu", "server.jurisdiction", "x"), ["EU"]) is None
    message = refusal(Destination("LLM server", "10.0.0.5", "us", "server.jurisdiction", "x"), ["EU", "de"])
    assert message == (
        "refusing to start: LLM server 10.0.0.5 is in jurisdiction US (server.jurisdiction), "
        "which is not in compliance.allowed_jurisdictions (DE, EU)"
    )


@pytest.mark.parametrize(
    ("when", "hours", "days", "outside"),
    [
        ("2026-12-01T10:00:00+00:00", "08:00-18:00", [1, 2, 3, 4, 5], False),  # a Tuesday morning
        ("2026-12-01T18:00:00+00:00", "08:00-18:00", [1, 2, 3, 4, 5], True),
        ("2026-12-05T10:00:00+00:00", "08:00-18:00", [1, 2, 3, 4, 5], True),  # a Saturday
        ("2026-12-01T23:30:00+00:00", "22:00-06:00", [1, 2, 3, 4, 5], False),  # a night shift
        ("2026-12-01T12:00:00+00:00", "22:00-06:00", [1, 2, 3, 4, 5], True),
    ],
)
def test_working_hours(when: str, hours: str, days: list[int], outside: bool) -> None:
    settings = AlertSettings(working_hours=hours, working_days=days)
    assert outside_working_hours(datetime.fromisoformat(when), settings) is outside


def test_working_hours_follow_the_configured_time_zone() -> None:
    settings = AlertSettings(timezone="Asia/Tokyo")  # 10:00 UTC is 19:00 in Tokyo
    assert outside_working_hours(datetime(2026, 12, 1, 10, 0, tzinfo=UTC), settings)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"alerts": {"working_hours": "8-18"}}, "alerts.working_hours"),
        ({"alerts": {"timezone": "Mars/Olympus"}}, "alerts.timezone"),
        ({"siem": {"transport": "syslog-tls", "host": "x"}}, "siem.ca_file"),
        ({"siem": {"transport": "carrier-pigeon"}}, "siem.transport"),
        ({"siem": {"transport": "jsonl"}}, "siem.path"),
    ],
)
def test_bad_transparency_settings_are_one_config_error(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_settings(table, home=Path("/nonexistent"))


def test_a_notice_template_with_a_bad_brace_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text("Kept {retention_pii_days days\n")
    settings = parse_settings({"transparency": {"notice_template": "n.md"}}, home=tmp_path)
    with pytest.raises(ConfigError, match="not a valid template"):
        render_notice(settings)


@dataclass
class Row:
    id: int = 0
    ref: str = ""
    display_name: str | None = None
    role: str = ""
    text: str = ""
    created_at: str = "2026-12-01T00:00:00+00:00"
    value: str = ""
    placeholder: str = ""


class Source:
    """Two customers, one consenting; case 1 holds a value the first masking missed."""

    def customers_consenting(self, purpose: str) -> list[int]:
        return [1] if purpose == "model-improvement" else []

    def list_customers(self) -> list[Row]:
        return [Row(id=1, ref="R-1"), Row(id=2, ref="R-2", display_name="Bo")]

    def customer_case_ids(self, customer_id: int) -> list[int]:
        return [customer_id]

    def list_cases(self, status: str | None = None, limit: int = 500) -> list[Row]:
        return [Row(id=1), Row(id=2)]

    def pii_values(self, case_id: int) -> list[Row]:
        return [Row(value="Al", placeholder="<PERSON_3>"), Row(value="<PERSON_4>", placeholder="<PERSON_4>")]

    def list_messages(self, case_id: int) -> list[Row]:
        return [
            Row(role="customer", text="Hi, <PERSON_3> here\nAl again\nBoa constrictor <PERSON_4>"),
            Row(role="note", text="internal"),
            Row(role="agent", text="Hello <PERSON_4> and <PERSON_3>, see R-1 \nfine"),
        ]


def test_scrubbing_drops_known_values_as_words_and_renumbers() -> None:
    conversations, report = export_training(Source(), lambda line: [("PHONE_NUMBER", 0, 3)] if "fine" in line else [])
    assert conversations == [
        {
            "conversation": "conversation-0001",
            "messages": [{"role": "customer", "text": "Hi, <PERSON_1> here\nBoa constrictor <PERSON_2>"}],
        }
    ]
    # "Al" (short) as a whole word only: "Al again" dropped; "R-1" dropped; "fine" has a residual hit
    assert report.lines_dropped == {"known_value": 2, "residual_PHONE_NUMBER": 1}
    assert report.customers_without_consent == 1 and not report.csat_applied
