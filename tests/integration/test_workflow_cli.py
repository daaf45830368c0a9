"""The case workflow, draft feedback, CSAT surveys and the report, end to end through the CLI.

Real vault file, real PII engine (replies and survey comments are masked on the
way in), roles enforced through the service; the drafts are model messages
stored the way the service stores them (the real model writes one in
``test_a_real_draft_sent_from_the_cli_is_recorded``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_users import PASSWORDS, home_with_users, run

from agentconsole.config import load_settings
from agentconsole.service import ConsoleService
from agentconsole.vault import Vault

MODEL = "smollm2-test"
DRAFT_A = "Hello <PERSON_1>, your refund is on its way."
DRAFT_B = "Hello <PERSON_1>, we will replace the broken kettle this week. Kind regards."
EMAIL = "grace.hopper@example.org"


@pytest.fixture
def home(agentconsole_home: Path, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """Three cases of customer C1: drafts A (case 1), B and C (case 2), D and a summary (case 3); one reveal."""
    ids: dict[str, int] = {}

    def seed(vault: Vault) -> None:
        customer = vault.upsert_customer("C1")
        for number in (1, 2, 3):
            case = vault.create_case(customer, f"Order problem {number}")
            vault.add_message(case, "customer", "I am <PERSON_1>, my order is wrong.")
            vault.add_pii_values(case, [("<PERSON_1>", "PERSON", "Grace Hopper")])
            ids[f"case{number}"] = case
        ids["A"] = vault.add_message(ids["case1"], "assistant", DRAFT_A, kind="reply", model=MODEL)
        ids["B"] = vault.add_message(ids["case2"], "assistant", DRAFT_B, kind="reply", model=MODEL)
        ids["C"] = vault.add_message(ids["case2"], "assistant", "Hello, sorry.", kind="reply", model=MODEL)
        ids["D"] = vault.add_message(ids["case3"], "assistant", "Hello <PERSON_1>.", kind="reply", model=MODEL)
        ids["S"] = vault.add_message(ids["case3"], "assistant", "The customer ...", kind="summary", model=MODEL)

    home_with_users(agentconsole_home, tmp_path, seed)
    service = ConsoleService(load_settings(agentconsole_home))
    service.unlock("ann", bytearray(PASSWORDS["ann"].encode()))
    try:
        service.reveal(ids["case1"], ids["A"])  # an audited reveal by ann
    finally:
        service.lock()
    return agentconsole_home, ids


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def raw_rows(home: Path, sql: str) -> list[tuple]:
    service = ConsoleService(load_settings(home))
    service.unlock("sue", bytearray(PASSWORDS["sue"].encode()))
    try:
        return service.require("work_cases").connection().execute(sql).fetchall()
    finally:
        service.lock()


def test_cases_move_through_their_statuses_owners_priorities_and_tags(home, tmp_path, capsys) -> None:
    home_dir, ids = home
    case = str(ids["case1"])
    for status in ("pending", "resolved", "closed", "open", "resolved"):
        assert run(home_dir, tmp_path, "ann", "case", "status", case, status) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "case 1: open -> pending",
        "case 1: pending -> resolved",
        "case 1: resolved -> closed",
        "case 1: closed -> open",
        "case 1: open -> resolved",
    ]
    assert "survey send --case 1" in out.err and "Reply with a number from 1" in out.err
    assert run(home_dir, tmp_path, "ann", "case", "status", case, "pending") == 2
    assert capsys.readouterr().err.strip() == (
        "agentconsole: error: a resolved case cannot become pending (it can become: open, closed)"
    )

    assert run(home_dir, tmp_path, "ann", "case", "assign", case, "--me") == 0
    assert run(home_dir, tmp_path, "ann", "case", "assign", str(ids["case2"]), "sue") == 3
    assert "only a supervisor can assign a case to someone else" in capsys.readouterr().err
    assert run(home_dir, tmp_path, "sue", "case", "assign", str(ids["case2"]), "ann") == 0
    assert run(home_dir, tmp_path, "sue", "case", "assign", str(ids["case3"]), "aud") == 2
    assert "aud is an auditor and cannot own cases" in capsys.readouterr().err
    assert run(home_dir, tmp_path, "ann", "case", "priority", str(ids["case3"]), "urgent") == 0
    assert run(home_dir, tmp_path, "ann", "case", "tag", case, "billing", "VIP") == 0
    assert run(home_dir, tmp_path, "ann", "case", "tag", case, "bad tag!") == 2
    assert run(home_dir, tmp_path, "ann", "case", "tag", case, "--remove", "billing") == 0
    capsys.readouterr()

    assert run(home_dir, tmp_path, "ann", "case", "list", "--json", "--sort", "priority") == 0
    cases = json_lines(capsys.readouterr().out)
    assert [c["id"] for c in cases] == [3, 1, 2]  # urgent first, then by latest activity
    assert cases[1] | {"updated_at": None, "created_at": None, "resolved_at": None} == {
        "id": 1,
        "customer": "C1",
        "title": "Order problem 1",
        "status": "resolved",
        "owner": "ann",
        "priority": "normal",
        "tags": ["vip"],
        "created_at": None,
        "updated_at": None,
        "resolved_at": None,
        "closed_at": None,
        "messages": 2,
    }
    assert run(home_dir, tmp_path, "ann", "case", "list", "--json", "--mine") == 0
    assert [c["id"] for c in json_lines(capsys.readouterr().out)] == [1, 2]
    assert run(home_dir, tmp_path, "ann", "case", "list", "--json", "--unassigned", "--status", "open") == 0
    assert [c["id"] for c in json_lines(capsys.readouterr().out)] == [3]
    assert run(home_dir, tmp_path, "ann", "case", "list", "--json", "--tag", "vip") == 0
    assert [c["id"] for c in json_lines(capsys.readouterr().out)] == [1]

    assert run(home_dir, tmp_path, "aud", "audit", "show", "--action", "case", "--json") == 0
    entries = json_lines(capsys.readouterr().out)
    actions = [(e["action"], e["subject"]) for e in entries]
    assert actions.count(("case.status", "case:1")) == 5
    assert ("case.assign", "case:2") in actions and ("case.priority", "case:3") in actions
    assert ("case.tag", "case:1") in actions and ("case.untag", "case:1") in actions
    reopen = [e for e in entries if e["action"] == "case.status"][3]
    assert reopen["details"] == {"from": "closed", "to": "open"} and reopen["actor"] == "ann"


def test_drafts_surveys_report_export_and_erasure(home, tmp_path, capsys) -> None:
    home_dir, ids = home
    # Draft A sent unchanged, B edited, C thrown away, D unused when the agent wrote their own reply.
    assert run(home_dir, tmp_path, "ann", "case", "reply", "1", "--draft", str(ids["A"]), DRAFT_A) == 0
    out = capsys.readouterr()
    # the reply used a draft: it goes out with the AI disclosure (transparency.ai_disclosure, issue 18)
    disclosure = load_settings(home_dir).transparency.ai_disclosure_text
    assert out.out.strip() == f"Hello Grace Hopper, your refund is on its way.\n\n{disclosure}"
    assert f"draft {ids['A']} sent as is" in out.err
    assert run(home_dir, tmp_path, "ann", "feedback", "discard", str(ids["C"])) == 0
    edited = DRAFT_B.replace("this week", "tomorrow, Grace Hopper")
    assert run(home_dir, tmp_path, "ann", "case", "reply", "2", "--draft", str(ids["B"]), edited) == 0
    assert f"draft {ids['B']} edited, edit ratio 0." in capsys.readouterr().err
    assert run(home_dir, tmp_path, "ann", "case", "reply", "3", "Let me check that for you.") == 0
    assert run(home_dir, tmp_path, "ann", "case", "reply", "1", "--draft", str(ids["B"]), "x") == 2
    assert f"draft {ids['B']} belongs to case 2, not case 1" in capsys.readouterr().err
    assert run(home_dir, tmp_path, "ann", "feedback", "discard", str(ids["A"])) == 2
    assert run(home_dir, tmp_path, "ann", "feedback", "rate", str(ids["A"]), "--rating", "good") == 0
    assert run(home_dir, tmp_path, "ann", "feedback", "rate", str(ids["B"]), "--rating", "bad") == 2
    assert "say why the draft is bad" in capsys.readouterr().err
    args = ("feedback", "rate", str(ids["B"]), "--rating", "bad", "--reason", "wrong-facts")
    assert run(home_dir, tmp_path, "ann", *args) == 0
    capsys.readouterr()
    assert run(home_dir, tmp_path, "ann", "feedback", "list", "--case", "2", "--json") == 0
    rows = {r["message"]: r for r in json_lines(capsys.readouterr().out)}
    assert rows[ids["B"]]["outcome"] == "edited" and 0 < rows[ids["B"]]["edit_ratio"] < 0.5
    assert rows[ids["B"]]["rating"] == "bad" and rows[ids["B"]]["reason"] == "wrong-facts"
    assert rows[ids["C"]]["outcome"] == "discarded"
    stored = raw_rows(home_dir, "SELECT * FROM draft_feedback ORDER BY message_id")
    assert all(isinstance(v, (int, float, type(None))) or v in _FIXED_WORDS or v[:2] == "20" for r in stored for v in r)

    # Surveys: only for resolved cases; the comment is masked; nothing else is stored.
    comment = f"Thanks! Grace Hopper here, write to {EMAIL} if needed"
    assert run(home_dir, tmp_path, "ann", "survey", "record", "--case", "1", "--score", "5") == 2
    assert "resolve it before recording" in capsys.readouterr().err
    for case in ("1", "2"):
        assert run(home_dir, tmp_path, "ann", "case", "status", case, "resolved") == 0
    assert run(home_dir, tmp_path, "ann", "survey", "record", "--case", "1", "--score", "5", "--comment", comment) == 0
    assert run(home_dir, tmp_path, "ann", "survey", "record", "--case", "2", "--score", "🙁") == 0
    assert run(home_dir, tmp_path, "ann", "survey", "record", "--case", "2", "--score", "9") == 2
    capsys.readouterr()
    columns = [r[1] for r in raw_rows(home_dir, "PRAGMA table_info(surveys)")]
    assert columns == ["id", "case_id", "score", "comment", "created_at"]
    surveys = raw_rows(home_dir, "SELECT case_id, score, comment FROM surveys ORDER BY id")
    assert [(c, s) for c, s, _ in surveys] == [(1, 5), (2, 2)]
    assert EMAIL not in surveys[0][2] and "Grace" not in surveys[0][2] and "<EMAIL_ADDRESS_1>" in surveys[0][2]

    # The report: counts and rates over what happened above.
    assert run(home_dir, tmp_path, "ann", "report") == 3
    assert run(home_dir, tmp_path, "sue", "report", "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["csat.count"] == report["csat"]["count"] == 2
    assert report["csat.mean"] == 3.5 and report["csat.satisfied_rate"] == 0.5
    assert report["csat"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert (report["drafts.total"], report["drafts.sent_as_is"], report["drafts.edited"]) == (5, 1, 1)
    assert (report["drafts.discarded"], report["drafts.undecided"]) == (2, 1)
    assert report["drafts.acceptance_rate"] == 0.25 and report["drafts.discard_rate"] == 0.5
    assert report["drafts.rated_good"] == 1 and report["drafts.reasons.wrong-facts"] == 1
    assert report["drafts"]["by_task"]["summary"]["undecided"] == 1
    assert report["drafts"]["by_model"][MODEL]["total"] == 5
    assert (report["cases.resolved"], report["cases.open"], report["first_response.count"]) == (2, 1, 3)
    assert report["reveals.by_agent.ann"] == 1 and report["copies.total"] == 0
    assert run(home_dir, tmp_path, "sue", "report", "--format", "csv", "--since", "2000-01-01") == 0
    metrics = dict(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert metrics["csat.mean"] == "3.5" and metrics["drafts.edited"] == "1"
    assert run(home_dir, tmp_path, "sue", "report", "--format", "json", "--since", "2999-01-01") == 2
    assert run(home_dir, tmp_path, "sue", "report", "--since", "yesterday") == 2
    assert run(home_dir, tmp_path, "sue", "report") == 0
    table = capsys.readouterr().out
    assert "2 answers, mean 3.5 / 5" in table and "sent as-is 1, edited 1" in table

    # The customer's access export has their answers (real values); erasure removes them.
    assert run(home_dir, tmp_path, "sue", "export", "--customer", "C1") == 0
    exported = json.loads(capsys.readouterr().out)
    answers = [s for case in exported["cases"] for s in case["surveys"]]
    assert [(s["score"], s["comment"]) for s in answers] == [(5, comment), (2, None)]
    assert run(home_dir, tmp_path, "sue", "erase", "--customer", "C1", "--yes") == 0
    capsys.readouterr()
    for table_name in ("surveys", "draft_feedback", "case_workflow", "case_tags"):
        assert raw_rows(home_dir, f"SELECT count(*) FROM {table_name}") == [(0,)]
    assert run(home_dir, tmp_path, "sue", "report", "--format", "json") == 0
    after = json.loads(capsys.readouterr().out)
    assert after["csat.count"] == 0 and after["csat.mean"] is None and after["drafts.total"] == 0
    assert run(home_dir, tmp_path, "aud", "audit", "show", "--json") == 0
    audit = capsys.readouterr().out
    assert EMAIL not in audit and "Grace" not in audit and "survey.record" in audit and "draft.outcome" in audit


_FIXED_WORDS = {"sent_as_is", "edited", "discarded", "good", "bad", "wrong-facts"}


def test_a_real_draft_sent_from_the_cli_is_recorded(home, tmp_path, capsys, default_model_path) -> None:
    home_dir, _ = home
    assert run(home_dir, tmp_path, "ann", "draft", "--case", "3", "--json") == 0
    draft = json.loads(capsys.readouterr().out)
    assert run(home_dir, tmp_path, "ann", "case", "reply", "3", "--draft", str(draft["message_id"]), draft["text"]) == 0
    capsys.readouterr()
    assert run(home_dir, tmp_path, "ann", "feedback", "list", "--case", "3", "--json") == 0
    rows = {r["message"]: r for r in json_lines(capsys.readouterr().out)}
    assert rows[draft["message_id"]]["outcome"] == "sent_as_is"
    assert rows[draft["message_id"]]["model"] == draft["model"]
