"""F9 inserts the privacy notice into the reply; alerts show at the top of the supervisor's audit screen."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from ui_driving import screen_name, sign_in, wait_for
from ui_fakes import FakeService, seeded

from agentconsole.compliance.audit import AuditEntry
from agentconsole.config import Settings
from agentconsole.ui.app import make_app
from agentconsole.ui.composer import Composer

pytestmark = pytest.mark.anyio

PASS = "correct horse battery"


@pytest.mark.timeout(60)
async def test_f9_inserts_the_notice_with_live_retention_values(tmp_path: Path) -> None:
    service = seeded(FakeService())
    app = make_app(Settings(home=tmp_path), service)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, app, PASS)
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "main screen")
        composer = app.screen.query_one(Composer)
        composer.focus()
        await pilot.press("f9")
        await wait_for(pilot, lambda: "HOW LONG WE KEEP IT" in composer.text, "the notice in the composer")
        assert "30 days" in composer.text and "365 days" in composer.text  # the config's retention
        assert composer.role == "agent" and "#" not in composer.text


@pytest.mark.timeout(60)
async def test_alerts_show_above_the_audit_log(tmp_path: Path) -> None:
    service = seeded(FakeService())
    service.audit.append(
        AuditEntry(5, "2026-11-24T23:10:00+00:00", "system", "alert.reveal_burst", "user:bob", {"count": 20})
    )
    app = make_app(dataclasses.replace(Settings(home=tmp_path)), service)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, app, PASS)
        await pilot.press("f3")
        await wait_for(pilot, lambda: screen_name(app) == "AuditScreen", "the audit screen")
        alerts = app.screen.query_one("#audit-alerts")
        await wait_for(pilot, lambda: alerts.display and "reveal_burst" in str(alerts.render()), "alerts shown")
        assert "user:bob" in str(alerts.render()) and "count=20" in str(alerts.render())
