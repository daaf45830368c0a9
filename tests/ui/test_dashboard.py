"""The supervisor dashboard (F5) over a real vault with seeded, fixed-time data: figures, periods, snapshot.

The service is real (a vault file unlocked as a supervisor); cases, drafts,
outcomes, ratings and survey answers are written through the vault's
repositories with fixed times relative to the dashboard's injected ``now``,
and reveals and copies through the audit log (their times are today's, so the
snapshot shows the "All time" period).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.app import App
from ui_driving import wait_for

from agentconsole.compliance.audit import AuditLog
from agentconsole.config import Settings, UiSettings
from agentconsole.service import ConsoleService
from agentconsole.ui.screens.dashboard import DashboardScreen

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
CSS = Path(__file__).resolve().parents[2] / "agentconsole" / "ui" / "console.tcss"


def at(days: float, minutes: float = 0) -> str:
    return (NOW - timedelta(days=days) + timedelta(minutes=minutes)).isoformat(timespec="microseconds")


#: (age in days, status, first reply after minutes, resolved days ago, closed days ago)
CASES = [
    (0.5, "open", 20, None, None),
    (2, "pending", 45, None, None),
    (5, "resolved", 10, 4, None),
    (10, "closed", 90, 9, 8),
    (12, "resolved", 30, 11, None),
    (40, "open", None, None, None),
]
#: (case index, kind, model, outcome, edit ratio, rating, reason, days ago)
DRAFTS = [
    (0, "reply", "smollm2-135m", "sent_as_is", 0.0, "good", None, 0.4),
    (1, "reply", "smollm2-135m", "edited", 0.3, None, None, 1.9),
    (2, "reply", "smollm2-135m", "edited", 0.1, "bad", "wrong-tone", 4.9),
    (2, "reply", "qwen-0.5b", "discarded", None, "bad", "invented-data", 4.8),
    (3, "summary", "qwen-0.5b", None, None, "good", None, 9.9),
    (4, "reply", "qwen-0.5b", "sent_as_is", 0.0, None, None, 11.9),
    (4, "answer", "smollm2-135m", "discarded", None, "bad", "wrong-facts", 11.8),
]
#: (case index, score, days ago)
SURVEYS = [(2, 5, 3.5), (3, 4, 8.5), (4, 2, 10.5), (2, 4, 3.0)]


@pytest.fixture
def service(tmp_path: Path):
    settings = Settings(home=tmp_path / "home", ui=UiSettings(theme="textual-dark"))
    console = ConsoleService(settings)
    console.create_vault("sue", bytearray(b"dashboard passphrase"))
    vault = console.require("work_cases")
    with vault.transaction() as conn:
        for number, (age, status, reply, resolved, closed) in enumerate(CASES, start=1):
            case = vault.create_case(vault.upsert_customer(f"C-{number}"), f"Seeded case {number}")
            conn.execute("UPDATE cases SET created_at = ?, updated_at = ? WHERE id = ?", (at(age), at(age), case))
            vault.add_message(case, "customer", "Hello", created_at=at(age))
            if reply is not None:
                vault.add_message(case, "agent", "On it", created_at=at(age, reply))
            if resolved is not None:
                vault.set_workflow_status(case, "resolved", at=at(resolved))
            if closed is not None:
                vault.set_workflow_status(case, "closed", at=at(closed))
            if status == "pending":
                vault.set_workflow_status(case, "pending", at=at(age, 60))
        for index, kind, model, outcome, ratio, rating, reason, days in DRAFTS:
            case = index + 1
            message = vault.add_message(case, "assistant", "Draft", kind=kind, model=model, created_at=at(days))
            if outcome is not None:
                vault.set_draft_outcome(message, case, outcome, ratio, at=at(days, 5))
            if rating is not None:
                vault.set_draft_rating(message, case, rating, reason, at=at(days, 6))
        for index, score, days in SURVEYS:
            vault.add_survey(index + 1, score, None, at=at(days))
    log = AuditLog(vault)
    for actor, action, times in (("ann", "reveal", 3), ("bob", "reveal", 1), ("ann", "copy", 2), ("sue", "copy", 1)):
        for _ in range(times):
            log.append(actor=actor, action=action, subject="case:1")
    yield console
    console.lock()


class DashboardHost(App[None]):
    CSS_PATH = str(CSS)

    def __init__(self, service: ConsoleService, period: str) -> None:
        super().__init__()
        self.service = service
        self.period = period
        self.animation_level = "none"  # the tabs' underline would slide in: the same pixels every run

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.push_screen(DashboardScreen(self.service, now=lambda: NOW, period=self.period))


def test_the_report_behind_the_dashboard_counts_the_seeded_data(service: ConsoleService) -> None:
    figures = service.workflow_report(since=NOW - timedelta(days=30), now=NOW)
    cases = figures["cases"]
    assert (cases["open"], cases["pending"], cases["resolved"], cases["closed"], cases["created"]) == (2, 1, 2, 1, 5)
    assert cases["age"] == {"lt_1d": 1, "1_3d": 1, "3_7d": 0, "gt_7d": 1}
    assert figures["first_response"] == {"count": 5, "mean_minutes": 39.0, "median_minutes": 30.0}
    assert figures["resolution"]["count"] == 3 and figures["resolution"]["median_hours"] == 24.0
    drafts = figures["drafts"]
    assert (drafts["total"], drafts["sent_as_is"], drafts["edited"], drafts["discarded"], drafts["undecided"]) == (
        7,
        2,
        2,
        2,
        1,
    )
    assert drafts["acceptance_rate"] == 0.3333 and drafts["mean_edit_ratio"] == 0.2
    assert drafts["by_task"]["reply"]["total"] == 5 and drafts["by_model"]["qwen-0.5b"]["discard_rate"] == 0.5
    assert drafts["reasons"] == {"wrong-facts": 1, "wrong-tone": 1, "invented-data": 1, "too-long": 0, "other": 0}
    csat = figures["csat"]
    assert (csat["count"], csat["mean"], csat["satisfied_rate"]) == (4, 3.75, 0.75)
    assert [(p["start"], p["count"]) for p in csat["series"]] == [
        ("2030-01-05", 1),
        ("2030-01-07", 1),
        ("2030-01-12", 2),
    ]
    week = service.workflow_report(since=NOW - timedelta(days=7), now=NOW)
    assert week["csat"]["count"] == 2 and week["drafts"]["total"] == 4 and week["cases"]["created"] == 3
    assert week["reveals"]["by_agent"] == {}  # the audit entries were written today, years before this window


@pytest.mark.parametrize("period", ["pall"])
def test_dashboard_snapshot_120x40(service: ConsoleService, snap_compare, period: str) -> None:
    async def loaded(pilot) -> None:
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "figures", None) is not None, "figures")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause(0.1)  # let the charts' refreshes land even on a loaded machine (as test_snapshots.still)
        await pilot.pause()

    assert snap_compare(DashboardHost(service, period), terminal_size=(120, 40), run_before=loaded)


@pytest.mark.anyio
@pytest.mark.timeout(120)
async def test_period_tabs_reload_the_figures(service: ConsoleService) -> None:
    app = DashboardHost(service, "p30")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.figures is not None, "first figures")
        assert screen.figures["csat"]["count"] == 4 and screen.figures["reveals"]["total"] == 0
        await pilot.press("right")  # 90 days
        await wait_for(pilot, lambda: screen.period == "p90" and screen.figures is not None, "90 days")
        await pilot.press("right")  # all time: the audit log's reveals and copies (written today) count
        await wait_for(pilot, lambda: screen.period == "pall" and screen.figures is not None, "all time")
        assert screen.figures["reveals"]["by_agent"] == {"ann": 3, "bob": 1}
        assert screen.figures["copies"]["by_agent"] == {"ann": 2, "sue": 1}
        assert screen.figures["cases"]["created"] == 6
        summary = str(screen.query_one("#dashboard-summary").render())
        assert "CSAT 3.75 / 5 from 4 answers, 75% satisfied" in summary
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, DashboardScreen), "closed")
