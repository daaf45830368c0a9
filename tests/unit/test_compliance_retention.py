"""Retention: PII values expire first (tombstoned), old transcripts are deleted; runs on unlock, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agentconsole.compliance import retention
from agentconsole.config import RetentionSettings, Settings
from agentconsole.privacy import CaseMapping, restore
from agentconsole.service import ConsoleService
from agentconsole.vault import Vault

PASS = b"retention-passphrase"
NOW = datetime.now(UTC)


@pytest.fixture
def settings(agentconsole_home: Path) -> Settings:
    return Settings(home=agentconsole_home, retention=RetentionSettings(pii_values_days=30, transcripts_days=365))


@pytest.fixture
def service(settings: Settings):
    svc = ConsoleService(settings)
    svc.create_vault("sue", bytearray(PASS))
    yield svc
    svc.lock()


@pytest.fixture
def vault(service: ConsoleService) -> Vault:
    """The service's open vault, as the commands reach it (a supervisor may work cases)."""
    return service.require("work_cases")


def seed(vault) -> tuple[int, int]:
    customer = vault.upsert_customer("C1")
    fresh = vault.create_case(customer, "fresh <PERSON_1>")
    vault.add_message(
        fresh, "customer", "I am <PERSON_1>, mail <EMAIL_ADDRESS_1>", raw_text="I am Ada, mail ada@example.org"
    )
    vault.add_pii_values(
        fresh, [("<PERSON_1>", "PERSON", "Ada"), ("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", "ada@example.org")]
    )
    stale = vault.create_case(customer, "stale")
    vault.add_message(stale, "customer", "old news")
    return fresh, stale


def age_case(vault, case_id: int, days: int) -> None:
    old = (NOW - timedelta(days=days)).isoformat(timespec="microseconds")
    with vault.transaction() as conn:
        conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (old, case_id))


def test_nothing_expires_before_its_time(service: ConsoleService, settings: Settings, vault: Vault) -> None:
    seed(vault)
    report = retention.run(vault, settings, now=NOW + timedelta(days=29))
    assert not report.changed
    assert report.pii_cutoff < NOW.isoformat()


def test_pii_values_expire_to_tombstones_and_placeholders_are_never_reused(
    service: ConsoleService, settings: Settings, vault: Vault
) -> None:
    fresh, _ = seed(vault)
    report = retention.run(vault, settings, now=NOW + timedelta(days=31))
    assert (report.pii_values_expired, report.raw_texts_expired, report.cases_deleted) == (2, 1, 0)
    values = {p.placeholder: p.value for p in vault.pii_values(fresh)}
    assert values == {"<PERSON_1>": "<PERSON_1>", "<EMAIL_ADDRESS_1>": "<EMAIL_ADDRESS_1>"}
    (message,) = vault.list_messages(fresh)
    assert message.raw_text is None and message.text == "I am <PERSON_1>, mail <EMAIL_ADDRESS_1>"
    mapping = CaseMapping.from_entries((p.placeholder, p.entity_type, p.value) for p in vault.pii_values(fresh))
    assert restore(message.text, mapping) == message.text  # expired: the placeholder stays
    assert mapping.assign("PERSON", "Bea") == ("<PERSON_2>", True)  # a new person never becomes <PERSON_1>
    again = retention.run(vault, settings, now=NOW + timedelta(days=31))
    assert not again.changed  # tombstones are not counted twice


def test_old_transcripts_are_deleted_with_their_index_entries(
    service: ConsoleService, settings: Settings, vault: Vault
) -> None:
    fresh, stale = seed(vault)
    age_case(vault, stale, 400)
    assert vault.search("news")
    report = retention.run(vault, settings, now=NOW)
    assert (report.cases_deleted, report.messages_deleted, report.case_ids) == (1, 1, (stale,))
    assert [c.id for c in vault.list_cases()] == [fresh]
    assert vault.search("news") == []
    assert report.checkpointed


def test_dry_run_counts_and_changes_nothing(service: ConsoleService, settings: Settings, vault: Vault) -> None:
    fresh, stale = seed(vault)
    age_case(vault, stale, 400)
    report = retention.run(vault, settings, now=NOW + timedelta(days=31), dry_run=True)
    assert (report.dry_run, report.pii_values_expired, report.cases_deleted) == (True, 2, 1)
    assert "would" in report.describe()
    assert len(vault.list_cases()) == 2
    assert {p.value for p in vault.pii_values(fresh)} == {"Ada", "ada@example.org"}


def test_service_run_is_supervised_and_audited(service: ConsoleService, vault: Vault) -> None:
    _, stale = seed(vault)
    age_case(vault, stale, 400)
    dry = service.run_retention(dry_run=True)
    real = service.run_retention()
    assert dry.cases_deleted == real.cases_deleted == 1
    entries = service.audit_entries(action="retention.run")
    assert [(e.details["dry_run"], e.details["cases_deleted"], e.details["trigger"]) for e in entries] == [
        (True, 1, "command"),
        (False, 1, "command"),
    ]
    assert service.verify_audit().ok


def test_retention_runs_at_unlock_and_is_audited_only_when_it_removed_something(
    service: ConsoleService, settings: Settings, vault: Vault
) -> None:
    fresh, stale = seed(vault)
    assert service.mapping(fresh).value_of("<PERSON_1>") == "Ada"
    service.lock()
    service.unlock("sue", bytearray(PASS))
    assert service.audit_entries(action="retention") == []  # nothing was due
    age_case(service.require("work_cases"), stale, 400)  # the vault of this new session
    service.lock()
    service.unlock("sue", bytearray(PASS))
    (entry,) = service.audit_entries(action="retention.run")
    assert entry.details["trigger"] == "unlock" and entry.details["case_ids"] == [stale]
    assert [c.id for c in service.list_cases()] == [fresh]


def test_expiry_through_the_service_drops_cached_mappings(service: ConsoleService, vault: Vault) -> None:
    fresh, _ = seed(vault)
    assert service.mapping(fresh).value_of("<PERSON_1>") == "Ada"  # cached now
    old = (NOW - timedelta(days=40)).isoformat(timespec="microseconds")
    with vault.transaction() as conn:
        conn.execute("UPDATE pii_values SET created_at = ?", (old,))
    report = service.run_retention()
    assert report.pii_values_expired == 2
    assert service.mapping(fresh).value_of("<PERSON_1>") == "<PERSON_1>"
    (message,) = service.messages(fresh)
    assert service.reveal(fresh, message.id) == message.text


def test_a_failing_retention_run_never_blocks_the_unlock(
    service: ConsoleService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    service.lock()
    monkeypatch.setattr(retention, "run", broken)
    service.unlock("sue", bytearray(PASS))
    assert service.is_unlocked
    (entry,) = service.audit_entries(action="retention.failed")
    assert entry.details == {"trigger": "unlock", "error": "OperationalError"}


def test_times_with_an_offset_are_compared_as_instants(
    service: ConsoleService, settings: Settings, vault: Vault
) -> None:
    from datetime import timezone as tz

    _, stale = seed(vault)
    plus5 = tz(timedelta(hours=5))
    # one hour past the cutoff, written as local time at +05:00 (as an imported transcript may):
    # as text it sorts *after* the cutoff, as an instant it is before it
    when = (NOW - timedelta(days=365, hours=1)).astimezone(plus5).isoformat()
    with vault.transaction() as conn:
        conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (when, stale))
    report = retention.run(vault, settings, now=NOW)
    assert report.case_ids == (stale,)
