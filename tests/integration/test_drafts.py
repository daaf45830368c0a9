"""Drafts an agent can trust: placeholder integrity, kinds that survive reopening, the `draft` command.

Real vault file, real PII engine. The real default model drafts from a case
with a name, an e-mail, a phone and a card; a scripted engine (the real
engine's interface, fixed output) plays a model that invents a phone number
and breaks a placeholder, which the small model does only sometimes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scripted_engine import ScriptedEngine

from agentconsole.config import load_settings
from agentconsole.privacy import restore
from agentconsole.privacy.streaming import MARKER_RE, scan_placeholders
from agentconsole.service import ConsoleService, NothingToDraft, PlaceholderIntegrityError

PASS = "correct horse battery staple"
NAME, EMAIL, PHONE, CARD = "Wiebke Sandoval", "wiebke.sandoval@example.org", "+1 415 555 0171", "4111 1111 1111 1111"
CUSTOMER_TEXT = (
    f"Hello, my name is {NAME}. My card {CARD} was charged twice for order 58213. "
    f"Please reply to {EMAIL} or call {PHONE}."
)
INVENTED_PHONE = "980-346-7530"
SCRIPTED = (
    f"Dear <PERSON_1>, we will refund you. Write to <EMAIL_ADDRESS_1 or call {INVENTED_PHONE} or <PHONE_NUMBER_2>."
)


def make_service(home: Path, privacy, engine) -> ConsoleService:  # type: ignore[no-untyped-def]
    service = ConsoleService(load_settings(home), engine=engine, privacy=privacy)
    service.create_vault("alice", bytearray(PASS.encode()))
    return service


def seeded_case(service: ConsoleService) -> int:
    case_id = service.new_case("CUST-7001", "Double charge")
    service.add_message(case_id, "customer", CUSTOMER_TEXT)
    return case_id


def test_real_model_draft_never_shows_an_invented_placeholder_as_customer_data(
    agentconsole_home: Path, privacy, engine
) -> None:
    service = make_service(agentconsole_home, privacy, engine)
    case_id = seeded_case(service)
    before = service.mapping(case_id).entries()
    assert {p for p, _, _ in before} >= {"<PERSON_1>", "<EMAIL_ADDRESS_1>", "<PHONE_NUMBER_1>", "<CREDIT_CARD_1>"}
    for kind in ("reply", "summary"):
        stream = service.draft(case_id, kind)
        text = "".join(stream)
        assert stream.wait(60) and text.strip()
        for value in (NAME, EMAIL, PHONE, CARD, "4111"):
            assert value not in text
        # every canonical placeholder left in the text is one of the case's own: the rest are markers
        for finding in scan_placeholders(text, service.mapping(case_id)):
            if finding.status != "known":
                assert MARKER_RE.fullmatch(text[finding.start : finding.end]), finding
        assert [f.status for f in stream.findings] == [
            f.status for f in scan_placeholders(text, service.mapping(case_id))
        ]
    assert service.mapping(case_id).entries() == before
    assert len(service._require_vault().pii_values(case_id)) == len(before)
    assert service.masked_entity_count(case_id) == len(before)
    service.lock()


def test_invented_and_damaged_placeholders_are_marked_and_never_restored(agentconsole_home: Path, privacy) -> None:
    settings = load_settings(agentconsole_home)
    service = make_service(agentconsole_home, privacy, ScriptedEngine(settings, SCRIPTED))
    case_id = seeded_case(service)
    before = service.mapping(case_id).entries()
    stream = service.draft(case_id, "reply")
    text = "".join(stream)
    assert stream.wait(10)
    assert text == (
        "Dear <PERSON_1>, we will refund you. Write to <DAMAGED EMAIL_ADDRESS_1> or call "
        "<MODEL_INVENTED PHONE_NUMBER> or <INVENTED PHONE_NUMBER_2>."
    )
    assert [(f.status, f.placeholder) for f in stream.problems] == [
        ("damaged", "<EMAIL_ADDRESS_1>"),
        ("invented", "<PHONE_NUMBER>"),
        ("invented", "<PHONE_NUMBER_2>"),
    ]
    assert stream.values_invented == 1
    # the made-up phone number is nowhere: not in the case's table, the vault, or any restore
    assert service.mapping(case_id).entries() == before
    assert service.masked_entity_count(case_id) == len(before)
    stored = service.messages(case_id)[-1]
    assert stored.text == text and stored.kind == "reply"
    assert INVENTED_PHONE not in restore(text, service.mapping(case_id))
    assert INVENTED_PHONE.encode() not in b"".join(
        p.read_bytes() for p in agentconsole_home.rglob("*") if p.is_file() and "logs" not in p.parts
    )
    assert "draft.integrity" in [e.action for e in service.audit_entries()]

    # Send and Copy refuse, naming what to fix; nothing is stored or disclosed; both refusals audited
    messages_before = len(service.messages(case_id))
    with pytest.raises(PlaceholderIntegrityError, match=r"<EMAIL_ADDRESS_1> \(damaged\)") as refused:
        service.send(case_id, text)
    assert "<PHONE_NUMBER_2> (invented)" in refused.value.message
    assert "<PHONE_NUMBER> (a value the model made up)" in refused.value.message
    with pytest.raises(PlaceholderIntegrityError, match="<PHONE_NUMBER_2>"):
        service.copy_out(case_id, "Call <PHONE_NUMBER_2> please")  # typed in canonical form: still invented
    assert len(service.messages(case_id)) == messages_before
    actions = [e.action for e in service.audit_entries()]
    assert "send.refused" in actions and "copy.refused" in actions
    assert "send" not in actions and "copy" not in actions

    # once the agent edits them out, the reply goes with the customer's real values only
    _, outgoing = service.send(case_id, "Dear <PERSON_1>, we will refund you. Write to <EMAIL_ADDRESS_1>.")
    # the reply used the model's draft: it ends with the AI disclosure (transparency.ai_disclosure, on by default)
    disclosure = service.settings.transparency.ai_disclosure_text
    assert outgoing == f"Dear {NAME}, we will refund you. Write to {EMAIL}.\n\n{disclosure}"
    service.lock()


def test_kinds_and_the_question_survive_lock_and_unlock(agentconsole_home: Path, privacy, engine) -> None:
    service = make_service(agentconsole_home, privacy, engine)
    case_id = seeded_case(service)
    for kind, question in (("reply", None), ("summary", None), ("answer", f"Did {NAME} pay twice?")):
        stream = service.draft(case_id, kind, question)
        list(stream)
        assert stream.wait(60)
    service.lock()
    service.unlock("alice", bytearray(PASS.encode()))
    drafts = [m for m in service.messages(case_id) if m.role == "assistant"]
    assert [m.kind for m in drafts] == ["reply", "summary", "answer"]
    assert [m.question for m in drafts] == [None, None, "Did <PERSON_1> pay twice?"]  # stored masked
    service.lock()


def test_no_draft_without_a_customer_message(agentconsole_home: Path, privacy) -> None:
    settings = load_settings(agentconsole_home)
    scripted = ScriptedEngine(settings, "Hello")
    service = make_service(agentconsole_home, privacy, scripted)
    case_id = service.new_case("CUST-7002", "Empty")
    service.add_message(case_id, "note", "Customer called, will write later.")
    for kind in ("reply", "summary"):
        with pytest.raises(NothingToDraft, match=f"case {case_id} has no customer message yet"):
            service.draft(case_id, kind)
    assert scripted.seen == []  # the model was never asked
    assert not service.generating
    service.lock()


def test_the_model_sees_real_roles_fenced_customer_text_and_the_case_placeholders(
    agentconsole_home: Path, privacy
) -> None:
    settings = load_settings(agentconsole_home)
    scripted = ScriptedEngine(settings, "Sure.")
    service = make_service(agentconsole_home, privacy, scripted)
    case_id = seeded_case(service)
    list(service.draft(case_id, "reply"))
    turns = scripted.seen[-1]
    assert [t.role for t in turns] == ["system", "user"]
    assert "<PERSON_1>" in turns[0].content and "<CREDIT_CARD_1>" in turns[0].content
    assert turns[1].content.startswith("<<<\n") and "Customer:" not in turns[1].content
    assert NAME not in "".join(t.content for t in turns)
    service.lock()


# --- the `draft` command -------------------------------------------------------------------


def run_cli(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentconsole", "--home", str(home), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=600,
    )


@pytest.fixture
def cli_home(tmp_path: Path, default_model_path: Path, privacy) -> tuple[Path, Path, int, int]:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[model]\npath = "{default_model_path}"\ntemperature = 0.0\nseed = 7\nmax_tokens = 48\n'
    )
    passfile = tmp_path / "pass"
    passfile.write_text(PASS + "\n")
    service = ConsoleService(load_settings(home), privacy=privacy)
    service.create_vault("alice", bytearray(PASS.encode()))
    case_id = seeded_case(service)
    empty = service.new_case("CUST-7003", "Nothing yet")
    service.lock()
    return home, passfile, case_id, empty


@pytest.mark.model
@pytest.mark.slow
def test_draft_command_json_stores_the_draft_and_classifies_placeholders(cli_home, privacy) -> None:  # type: ignore[no-untyped-def]
    home, passfile, case_id, empty = cli_home
    auth = ["--user", "alice", "--passphrase-file", str(passfile)]
    done = run_cli(home, "draft", "--case", str(case_id), "--kind", "summary", "--json", *auth)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["kind"] == "summary" and data["text"].strip() and data["message_id"]
    assert data["stats"]["decode_tokens_per_s"] > 0 and data["stats"]["completion_tokens"] > 0
    assert {p["class"] for p in data["placeholders"]} <= {"known", "invented", "damaged"}
    assert data["stats"]["placeholders_known"] == sum(p["class"] == "known" for p in data["placeholders"])
    for value in (NAME, EMAIL, PHONE, CARD):
        assert value not in done.stdout

    # streamed plain text, masked; the draft is stored like the console stores it
    plain = run_cli(home, "draft", "--case", str(case_id), *auth)
    assert plain.returncode == 0 and plain.stdout.strip()
    assert NAME not in plain.stdout

    # --reveal: the case's real values, audited
    revealed = run_cli(
        home,
        "draft",
        "--case",
        str(case_id),
        "--kind",
        "answer",
        "--question",
        "What is the customer's name?",
        "--reveal",
        "--json",
        *auth,
    )
    assert revealed.returncode == 0, revealed.stderr
    assert json.loads(revealed.stdout)["revealed"] is True

    # no customer message: one line, non-zero, and nothing stored
    nothing = run_cli(home, "draft", "--case", str(empty), *auth)
    assert nothing.returncode != 0
    assert nothing.stderr.strip().splitlines() == [
        f"agentconsole: error: nothing to draft: case {empty} has no customer message yet"
    ]
    bad = run_cli(home, "draft", "--case", str(case_id), "--kind", "answer", *auth)
    assert bad.returncode == 2 and "needs --question" in bad.stderr and "Traceback" not in bad.stderr

    service = ConsoleService(load_settings(home), privacy=privacy)
    service.unlock("alice", bytearray(PASS.encode()))
    drafts = [m for m in service.messages(case_id) if m.role == "assistant"]
    assert [m.kind for m in drafts] == ["summary", "reply", "answer"]
    assert drafts[0].text == data["text"]
    assert drafts[2].question == "What is the customer's name?"
    assert [e.subject for e in service.audit_entries(action="reveal")] == [f"case:{case_id} draft"]
    assert service.messages(empty) == []
    service.lock()
