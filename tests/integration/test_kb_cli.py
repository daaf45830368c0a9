"""`agentconsole kb ...` and `draft --json` with the KB, through the CLI entry: real vault, PII engine, model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_compliance_cli
from test_compliance_cli import PASSWORDS, run

from agentconsole.config import load_settings
from agentconsole.service import ConsoleService

DATA = Path(__file__).resolve().parent.parent / "data" / "kb"
#: The compliance CLI tests' data directory: a vault with supervisor sue and agent ann.
home = test_compliance_cli.home
ARTICLES = [DATA / "articles" / name for name in ("returns.md", "account-password.md", "opening-hours.txt")]


def test_import_list_search_show_remove(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, tmp_path, "sue", "kb", "import", *map(str, ARTICLES)) == 0
    assert "3 article(s): 3 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert run(home, tmp_path, "ann", "kb", "list", "--json") == 0
    articles = json.loads(capsys.readouterr().out)
    assert sorted(a["source"] for a in articles) == ["account-password.md", "opening-hours.txt", "returns.md"]
    returns_id = next(a["id"] for a in articles if a["source"] == "returns.md")

    assert run(home, tmp_path, "ann", "kb", "search", "Can I return an unused toaster within 30 days?", "--json") == 0
    found = json.loads(capsys.readouterr().out)
    assert found["answerable"] and found["results"][0]["source"] == "returns.md"
    assert found["results"][0]["title"] == "Returns" and found["results"][0]["citation"] == f"[KB-{returns_id}]"
    assert run(home, tmp_path, "ann", "kb", "search", "forgot", "my", "password") == 0
    assert "(account-password.md)" in capsys.readouterr().out

    assert run(home, tmp_path, "ann", "kb", "show", f"KB-{returns_id}") == 0
    shown = capsys.readouterr().out
    assert "within 30 days of delivery" in shown and "version 1 of 1" in shown

    assert run(home, tmp_path, "ann", "kb", "remove", str(returns_id)) == 3  # agents read, supervisors manage
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not allowed to kb manage" in err and "Traceback" not in err
    assert run(home, tmp_path, "sue", "kb", "remove", str(returns_id)) == 0
    assert run(home, tmp_path, "ann", "kb", "show", str(returns_id)) != 0
    assert f"no knowledge-base article KB-{returns_id}" in capsys.readouterr().err


def test_personal_data_in_an_article_is_one_line_naming_the_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "vip.md"
    bad.write_text("# VIP customers\n\nCall our customer on +49 30 901820 if the parcel is late.\n")
    assert run(home, tmp_path, "sue", "kb", "import", str(bad)) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "vip.md:3: personal data (PHONE_NUMBER)" in err and "901820" not in err
    assert run(home, tmp_path, "sue", "kb", "import", str(bad), "--mask") == 0
    assert "1 value(s) masked" in capsys.readouterr().out


def test_macros_import_and_list(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, tmp_path, "sue", "kb", "import", *map(str, ARTICLES)) == 0
    capsys.readouterr()
    assert run(home, tmp_path, "sue", "kb", "macros", "import", str(DATA / "macros.md")) == 0
    assert capsys.readouterr().out.splitlines() == ["created\tGreeting", "created\tReturn label", "created\tClosing"]
    assert run(home, tmp_path, "ann", "kb", "macros", "list", "--json") == 0
    macros = {m["name"]: m for m in json.loads(capsys.readouterr().out)}
    assert macros["Return label"]["article_id"] is not None and macros["Greeting"]["article_id"] is None


@pytest.mark.timeout(600)
def test_draft_json_lists_the_passages_used_or_none_when_declined(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, tmp_path, "sue", "kb", "import", *map(str, ARTICLES)) == 0
    service = ConsoleService(load_settings(home))
    service.unlock("ann", bytearray(PASSWORDS["ann"].encode()))
    try:
        answered = service.new_case("C-3001", "return")
        service.add_message(answered, "customer", "Hi, I'm Ada Byron. How many days do I have to send a toaster back?")
        declined = service.new_case("C-3002", "bitcoin")
        service.add_message(declined, "customer", "Can you recommend a recipe for a vegan chocolate cake?")
    finally:
        service.lock()
    capsys.readouterr()
    assert run(home, tmp_path, "ann", "draft", "--case", str(answered), "--json") == 0
    draft = json.loads(capsys.readouterr().out)
    assert draft["kb_declined"] is False and draft["passages"][0]["source"] == "returns.md"
    assert draft["passages"][0]["title"] == "Returns"
    mark = draft["passages"][0]["citation"]
    assert mark in draft["text"] and "30 days" in draft["text"] and "Ada" not in draft["text"]
    assert mark in draft["citations"] and draft["passages"][0]["used"] is True
    assert run(home, tmp_path, "ann", "draft", "--case", str(declined), "--json") == 0
    draft = json.loads(capsys.readouterr().out)
    assert draft["kb_declined"] is True and draft["passages"] == [] and draft["citations"] == []
    assert "knowledge base has no answer" in draft["text"]
