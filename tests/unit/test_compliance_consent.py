"""Consent to AI processing: history, current state, audit, and drafts refused when required."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.compliance.consent import ConsentRegistry
from agentconsole.config import ConsentSettings, Settings
from agentconsole.service import ConsentRequired, ConsoleService
from agentconsole.vault import Vault

PASS = b"consent-passphrase"


def make_service(home: Path, required: bool) -> ConsoleService:
    svc = ConsoleService(Settings(home=home, consent=ConsentSettings(required=required)))
    svc.create_vault("sue", bytearray(PASS))
    return svc


@pytest.fixture
def service(agentconsole_home: Path):
    svc = make_service(agentconsole_home, required=True)
    yield svc
    svc.lock()


@pytest.fixture
def vault(service: ConsoleService) -> Vault:
    """The service's open vault, as the commands reach it (a supervisor may work cases)."""
    return service.require("work_cases")


def test_registry_history_and_current_state(vault: Vault) -> None:
    registry = ConsentRegistry(vault)
    assert registry.current("C1") is False and registry.history("C1") == []
    registry.record("C1", True, "ann", at="2026-01-01T00:00:00+00:00")
    registry.record("C1", False, "bob", at="2026-02-01T00:00:00+00:00")
    registry.record("C2", True, "ann")
    assert registry.current("C1") is False and registry.current("C2") is True
    assert [(r.given, r.agent) for r in registry.history("C1")] == [(True, "ann"), (False, "bob")]
    with pytest.raises(ValueError):
        registry.record("  ", True, "ann")


def test_changes_are_audited_with_the_agent(service: ConsoleService, vault: Vault) -> None:
    vault.upsert_customer("C1")  # consent is recorded for known customers only
    service.record_consent("C1", True)
    service.record_consent("C1", False)
    entries = service.audit_entries(action="consent")
    assert [(e.action, e.actor, e.subject) for e in entries] == [
        ("consent.give", "sue", "customer:C1"),
        ("consent.withdraw", "sue", "customer:C1"),
    ]
    assert [r.agent for r in service.consent_history("C1")] == ["sue", "sue"]


def test_draft_is_refused_without_consent_when_required(service: ConsoleService, vault: Vault) -> None:
    case = vault.create_case(vault.upsert_customer("C1"), "case")
    vault.add_message(case, "customer", "hello")
    with pytest.raises(ConsentRequired, match="C1 has not consented"):
        service.draft(case)
    service.record_consent("C1", True)
    service._check_consent(vault.get_case(case))  # passes now: a draft would go to the model
    service.record_consent("C1", False)
    with pytest.raises(ConsentRequired):
        service.draft(case)


def test_no_consent_needed_by_default(agentconsole_home: Path) -> None:
    svc = ConsoleService(Settings(home=agentconsole_home))  # the default consent settings
    svc.create_vault("sue", bytearray(PASS))
    try:
        assert svc.settings.consent.required is False
        vault = svc.require("work_cases")
        case = vault.create_case(vault.upsert_customer("C1"), "case")
        assert svc.consent_given("C1") is False  # no consent recorded...
        assert svc._check_consent(vault.get_case(case)) is None  # ...and the draft is not refused
    finally:
        svc.lock()


def test_consent_is_refused_for_an_unknown_customer(service: ConsoleService, vault: Vault) -> None:
    from agentconsole.service import UnknownCustomer

    for call in (
        lambda: service.record_consent("C404", True),
        lambda: service.consent_history("C404"),
        lambda: service.consent_given("C404"),
    ):
        with pytest.raises(UnknownCustomer, match="^no customer C404 in this vault"):
            call()
    assert vault.get_customer("C404") is None
    assert service.audit_entries(action="consent") == []
