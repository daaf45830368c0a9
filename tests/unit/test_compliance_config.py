"""Config changes are audited: hand edits of config.toml at the next unlock, set_config at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.config import ConfigError, load_settings
from agentconsole.errors import AgentConsoleError
from agentconsole.service import ConsoleService

PASS = b"config-passphrase"


@pytest.fixture
def service(agentconsole_home: Path):
    svc = ConsoleService(load_settings(agentconsole_home))
    svc.create_vault("sue", bytearray(PASS))
    yield svc
    svc.lock()


def changes(service: ConsoleService) -> list[dict]:
    return [e.details["changes"] for e in service.audit_entries(action="config.change")]


def test_baseline_recorded_when_the_vault_is_created(service: ConsoleService) -> None:
    (entry,) = service.audit_entries(action="config.baseline")
    assert entry.details["changes"]["compliance.keep_raw_text"] == [None, False]
    assert entry.details["changes"]["retention.pii_values_days"] == [None, 30]


def test_hand_edit_is_audited_at_the_next_unlock_once(service: ConsoleService, agentconsole_home: Path) -> None:
    service.lock()
    (agentconsole_home / "config.toml").write_text(
        '[compliance]\nkeep_raw_text = true\n[privacy]\nenable_recognizers = ["UK_NHS"]\n'
    )
    edited = ConsoleService(load_settings(agentconsole_home))
    edited.unlock("sue", bytearray(PASS))
    try:
        assert changes(edited) == [
            {"compliance.keep_raw_text": [False, True], "privacy.enable_recognizers": ["(changed)", "(changed)"]}
        ]
        edited.lock()
        edited.unlock("sue", bytearray(PASS))
        assert len(changes(edited)) == 1  # unchanged since: no new entry
        assert edited.verify_audit().ok
    finally:
        edited.lock()


def test_set_config_writes_validates_and_audits(service: ConsoleService, agentconsole_home: Path) -> None:
    service.set_config("compliance.keep_raw_text", True)
    assert service.settings.compliance.keep_raw_text is True
    assert load_settings(agentconsole_home).compliance.keep_raw_text is True
    assert (agentconsole_home / "config.toml").stat().st_mode & 0o077 == 0
    assert changes(service) == [{"compliance.keep_raw_text": [False, True]}]
    (entry,) = service.audit_entries(action="config.change")
    assert entry.actor == "sue"
    with pytest.raises(AgentConsoleError, match="unknown setting"):
        service.set_config("compliance.nope", 1)
    with pytest.raises(ConfigError):
        service.set_config("retention.pii_values_days", 0)
    with pytest.raises(ConfigError):
        service.set_config("retention.pii_values_days", "thirty")
    assert load_settings(agentconsole_home).retention.pii_values_days == 30  # file unchanged by the refusals
    assert len(changes(service)) == 1
