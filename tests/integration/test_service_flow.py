"""The service layer end to end with the real cores: vault file, Presidio, the default model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentconsole.config import load_settings
from agentconsole.errors import AgentConsoleError
from agentconsole.service import ConsoleService, NotUnlocked, PermissionDenied

PASS = "correct horse battery staple"
NAME, EMAIL, CARD = "Marta Kowalczyk", "marta.kowalczyk@example.net", "4111 1111 1111 1111"


@pytest.fixture
def service(agentconsole_home: Path, privacy, engine) -> ConsoleService:
    svc = ConsoleService(load_settings(agentconsole_home), engine=engine, privacy=privacy)
    svc.create_vault("alice", bytearray(PASS.encode()))
    yield svc
    svc.lock()


def vault_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file() and "logs" not in p.parts)


def test_customer_message_is_masked_and_values_only_in_the_vault(
    service: ConsoleService, agentconsole_home: Path
) -> None:
    case_id = service.new_case("CUST-1", "Refund")
    added = service.add_message(case_id, "customer", f"Hi, this is {NAME}. Mail {EMAIL}, card {CARD}.")
    for raw in (NAME, EMAIL, CARD):
        assert raw not in added.masked_text
    assert "<PERSON_1>" in added.masked_text and "<EMAIL_ADDRESS_1>" in added.masked_text
    assert "<CREDIT_CARD_1>" in added.masked_text
    assert service.masked_entity_count(case_id) == 3
    (message,) = service.messages(case_id)
    assert message.text == added.masked_text
    # Same person later: same placeholder.
    again = service.add_message(case_id, "customer", f"{NAME.lower()} again, {EMAIL.upper()}")
    assert "<PERSON_1>" in again.masked_text and "<EMAIL_ADDRESS_1>" in again.masked_text
    revealed = service.reveal(case_id, message.id)
    assert NAME in revealed and EMAIL in revealed and CARD in revealed
    service.lock()
    blob = vault_bytes(agentconsole_home)
    for raw in (NAME, EMAIL, CARD, CARD.replace(" ", "")):
        assert raw.encode() not in blob


def test_draft_streams_masked_turns_and_is_stored(service: ConsoleService) -> None:
    case_id = service.new_case("CUST-2", "Lockout")
    service.add_message(case_id, "customer", f"I am locked out. My email is {EMAIL}. Regards, {NAME}")
    stream = service.draft(case_id, "reply")
    deltas = list(stream)
    assert stream.wait(30)
    assert "".join(deltas) == stream.text
    assert stream.text.strip()
    assert stream.stats.completion_tokens > 0
    assert NAME not in stream.text and EMAIL not in stream.text
    stored = [m for m in service.messages(case_id) if m.role == "assistant"]
    assert [m.id for m in stored] == [stream.message_id]
    assert stored[0].text == stream.text
    assert stored[0].completion_tokens == stream.stats.completion_tokens
    assert stored[0].model


def test_draft_can_be_cancelled(service: ConsoleService) -> None:
    case_id = service.new_case("CUST-3", "Question")
    service.add_message(case_id, "customer", "Tell me a long story about shipping delays, please.")
    stream = service.draft(case_id, "question", "Explain our shipping policy in detail.")
    pieces = []
    for delta in stream:
        pieces.append(delta)
        if len(pieces) == 2:
            assert service.cancel_generation()
    assert stream.wait(30)
    assert stream.stats.cancelled
    assert not service.generating
    # The engine is ready for the next request.
    follow = service.draft(case_id, "summary")
    list(follow)
    assert follow.stats.completion_tokens > 0


def test_send_restores_real_values_for_outgoing_text_only(service: ConsoleService) -> None:
    case_id = service.new_case("CUST-4", "Reply")
    service.add_message(case_id, "customer", f"My name is {NAME}.")
    stored, outgoing = service.send(case_id, "Dear <PERSON_1>, your refund is on its way.")
    assert outgoing == f"Dear {NAME}, your refund is on its way."
    assert stored.masked_text == "Dear <PERSON_1>, your refund is on its way."
    assert service.messages(case_id)[-1].text == stored.masked_text


def test_roles_and_lock(service: ConsoleService, agentconsole_home: Path) -> None:
    service.lock()
    with pytest.raises(NotUnlocked):
        service.list_cases()
    service.unlock("alice", bytearray(PASS.encode()))
    assert service.role == "supervisor"
    with pytest.raises(AgentConsoleError, match="^wrong passphrase or user name$"):
        ConsoleService(load_settings(agentconsole_home)).unlock("alice", bytearray(b"nope nope nope"))


def test_import_command_good_and_malformed(service: ConsoleService, agentconsole_home: Path, tmp_path: Path) -> None:
    service.lock()
    passfile = tmp_path / "pass"
    passfile.write_text(PASS)
    good = tmp_path / "good.jsonl"
    good.write_text(
        "\n".join(
            json.dumps(obj)
            for obj in (
                {"role": "customer", "text": f"Hello, I'm {NAME}, {EMAIL}", "time": "2026-11-01T10:00:00Z"},
                {"role": "agent", "text": "Hi, how can I help?"},
                {"role": "note", "text": "VIP customer"},
            )
        )
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"role": "customer", "text": "ok"}\nnot json\n{"role": "robot", "text": "x"}\n')
    base = [sys.executable, "-m", "agentconsole", "import", "--user", "alice", "--passphrase-file", str(passfile)]
    result = subprocess.run([*base, str(good), "--customer", "CUST-9"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    case_id = int(result.stdout.strip())
    result_bad = subprocess.run([*base, str(bad), "--customer", "CUST-9"], capture_output=True, text=True, timeout=300)
    assert result_bad.returncode == 1
    assert "line 2: not valid JSON" in result_bad.stderr and "line 3: role must be" in result_bad.stderr
    assert len(result_bad.stderr.strip().splitlines()) == 1
    service.unlock("alice", bytearray(PASS.encode()))
    cases = service.list_cases()
    assert [c.id for c in cases] == [case_id]  # the malformed file imported nothing
    messages = service.messages(case_id)
    assert [m.role for m in messages] == ["customer", "agent", "note"]
    assert NAME not in messages[0].text and EMAIL not in messages[0].text
    assert messages[0].created_at.startswith("2026-11-01T10:00:00")


def test_auditor_cannot_work_cases(service: ConsoleService, agentconsole_home: Path) -> None:
    service.require("manage_users").add_user("audrey", "auditor", bytearray(b"auditor passphrase 1"))
    service.lock()
    auditor = ConsoleService(load_settings(agentconsole_home))
    auditor.unlock("audrey", bytearray(b"auditor passphrase 1"))
    for action in (auditor.list_cases, lambda: auditor.new_case("C", "t"), lambda: auditor.search("refund")):
        with pytest.raises(PermissionDenied):
            action()
    auditor.lock()
