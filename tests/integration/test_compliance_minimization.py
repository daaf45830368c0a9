"""Data minimization with the real PII engine: raw customer text is stored only when configured."""

from __future__ import annotations

from pathlib import Path

from agentconsole.config import Settings
from agentconsole.service import ConsoleService

PASS = b"minimization-passphrase"
TEXT = "Hello, I am Marta Kowalczyk, write to marta.kowalczyk@example.net please."


def stored_rows(service: ConsoleService, case_id: int) -> list[tuple[str, str | None]]:
    """(masked text, raw text) of each stored message, as the vault holds them."""
    return [(m.text, m.raw_text) for m in service.require("work_cases").list_messages(case_id)]


def test_raw_text_is_not_stored_by_default_and_keeping_it_is_audited(agentconsole_home: Path, privacy) -> None:
    service = ConsoleService(Settings(home=agentconsole_home), privacy=privacy)
    service.create_vault("sue", bytearray(PASS))
    try:
        vault = service.require("work_cases")
        case = vault.create_case(vault.upsert_customer("C1"), "minimization")
        service.add_message(case, "customer", TEXT)
        ((masked, raw),) = stored_rows(service, case)
        assert raw is None
        assert "Marta" not in masked and "example.net" not in masked and "<PERSON_1>" in masked
        assert {p.value for p in vault.pii_values(case)} >= {"Marta Kowalczyk", "marta.kowalczyk@example.net"}

        service.set_config("compliance.keep_raw_text", True)
        service.add_message(case, "customer", TEXT)
        assert stored_rows(service, case)[1][1] == TEXT
        (entry,) = service.audit_entries(action="config.change")
        assert entry.details["changes"] == {"compliance.keep_raw_text": [False, True]}
        assert service.verify_audit().ok
    finally:
        service.lock()
