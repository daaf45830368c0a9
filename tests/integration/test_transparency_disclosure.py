"""The AI disclosure line: appended to replies that used a draft, recorded per sent message."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.config import load_settings
from agentconsole.service import ConsoleService

PASS = "supervisor passphrase"
DISCLOSURE = "This reply was prepared with the help of an AI assistant and checked by a member of our support team."


@pytest.fixture(scope="module")
def privacy():
    from agentconsole.config import Settings
    from agentconsole.privacy import PrivacyEngine

    return PrivacyEngine.from_settings(Settings().privacy)


def make_service(home: Path, privacy, config: str = "") -> ConsoleService:
    (home / "config.toml").write_text(config, encoding="utf-8")
    service = ConsoleService(load_settings(home), privacy=privacy)
    if service.vault_exists():
        service.unlock("sue", bytearray(PASS.encode()))
    else:
        service.create_vault("sue", bytearray(PASS.encode()))
    return service


def draft_into(service: ConsoleService, case_id: int, text: str) -> int:
    """A stored model draft, as the draft use case leaves it (the model itself is tested elsewhere)."""
    return service.require("work_cases").add_message(case_id, "assistant", text, kind="reply", model="test")


def test_a_reply_that_used_a_draft_carries_the_disclosure(agentconsole_home: Path, privacy) -> None:
    service = make_service(agentconsole_home, privacy)
    try:
        case_id = service.new_case("C-1", "Refund")
        service.add_message(case_id, "customer", "I am Marta Kowalczyk and I want my money back.")
        draft_id = draft_into(service, case_id, "Dear <PERSON_1>, your refund is on its way.")
        stored, outgoing = service.send(case_id, "Dear <PERSON_1>, your refund is on its way!")
        assert outgoing == f"Dear Marta Kowalczyk, your refund is on its way!\n\n{DISCLOSURE}"
        # the transcript keeps what the agent wrote; the disclosure is recorded for the message
        assert service.messages(case_id)[-1].text == "Dear <PERSON_1>, your refund is on its way!"
        record = service.message_disclosure(stored.message_id)
        assert record is not None and record.draft_message_id == draft_id

        # the next reply was written by hand: no new draft since the last reply
        stored, outgoing = service.send(case_id, "Anything else, <PERSON_1>?")
        assert outgoing == "Anything else, Marta Kowalczyk?"
        assert service.message_disclosure(stored.message_id) is None
        sends = [e for e in service.audit_entries(action="send")]
        assert [e.details["ai_disclosure"] for e in sends] == [True, False]
        # the caller may say so explicitly (a draft pasted from elsewhere)
        stored, outgoing = service.send(case_id, "Closing the case.", used_draft=True)
        assert outgoing.endswith(DISCLOSURE) and service.message_disclosure(stored.message_id) is not None
    finally:
        service.lock()


def test_the_disclosure_is_configurable(agentconsole_home: Path, privacy) -> None:
    service = make_service(
        agentconsole_home, privacy, '[transparency]\nai_disclosure_text = "Drafted with AI, checked by our team."\n'
    )
    try:
        case_id = service.new_case("C-2", "Question")
        draft_into(service, case_id, "Hello, thanks for asking.")
        _, outgoing = service.send(case_id, "Hello, thanks for asking.")
        assert outgoing == "Hello, thanks for asking.\n\nDrafted with AI, checked by our team."
    finally:
        service.lock()
    service = make_service(agentconsole_home, privacy, "[transparency]\nai_disclosure = false\n")
    try:
        case_id = service.new_case("C-3", "Question")
        draft_into(service, case_id, "Hello again.")
        stored, outgoing = service.send(case_id, "Hello again.")
        assert outgoing == "Hello again." and service.message_disclosure(stored.message_id) is None
    finally:
        service.lock()
