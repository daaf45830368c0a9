"""The knowledge base through the service: a real vault file, the real PII engine, roles and audit.

The sample KB (tests/data/kb/articles) is imported once per module; retrieval,
versions, removal, the PII screen, permissions and grounded drafts (scripted
model for the prompt and citations, the real model in test_kb_cli) are checked.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from scripted_engine import ScriptedEngine

from agentconsole.config import load_settings
from agentconsole.kb.importer import PersonalDataInArticle
from agentconsole.service import ConsoleService, PermissionDenied

DATA = Path(__file__).resolve().parent.parent / "data" / "kb"
PASS = "kb supervisor passphrase"
AGENT_PASS = "kb agent passphrase"


#: A few articles for the tests that change the KB (importing all 30 takes the PII engine a while).
SMALL_KB = ("descaling.md", "account-password.md", "opening-hours.txt")


def _service(home: Path, privacy, paths: list[Path]) -> ConsoleService:
    settings = load_settings(home)
    service = ConsoleService(settings, privacy=privacy, engine=ScriptedEngine(settings, "You have 30 days. [KB-999]"))
    service.create_vault("sue", bytearray(PASS.encode()))
    service.kb_import(paths)
    return service


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, privacy) -> ConsoleService:
    """The whole sample KB, shared by the tests that only read it (and add cases or macros)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("AGENTCONSOLE_ANCHOR_DIR", str(tmp_path_factory.mktemp("kb-anchors")))
    service = _service(tmp_path_factory.mktemp("kb-home"), privacy, [DATA / "articles"])
    yield service
    service.lock()
    mp.undo()


@pytest.fixture
def service(agentconsole_home: Path, privacy) -> ConsoleService:
    service = _service(agentconsole_home, privacy, [DATA / "articles" / name for name in SMALL_KB])
    yield service
    service.lock()


def key_of(service: ConsoleService, article_id: int) -> str:
    return service.require("kb_read").kb_get_article(article_id).key


def test_import_stores_every_article_and_search_finds_paraphrases(full: ConsoleService) -> None:
    service = full
    assert len(service.kb_articles()) == 30
    outcome = service.kb_search("hi, I'm Jonas Albers, how long does a refnud to my visa card take??")
    assert outcome.answerable
    assert outcome.results[0].source == "refunds.md" and outcome.results[0].title == "Refunds"
    assert outcome.corrections.get("refnud") == "refund"
    assert all("jona" not in t and "alber" not in t for t in outcome.terms)  # the name was masked first


def test_unrelated_questions_are_declined(full: ConsoleService) -> None:
    service = full
    assert not service.kb_search("Can you recommend a recipe for a vegan chocolate cake?").answerable
    assert service.kb_search("is customer service open on sundays").answerable


def test_reimport_makes_a_version_and_removal_leaves_no_index_terms(service: ConsoleService, tmp_path: Path) -> None:
    source = tmp_path / "gift-cards.md"
    shutil.copy(DATA / "articles" / "gift-cards.md", source)
    service.kb_import([source])
    [same] = service.kb_import([source])
    assert same.status == "unchanged" and same.version == 1  # the same text again: no new version
    source.write_text(source.read_text().replace("3 years", "5 years") + "\nZebracorn gift cards glow.\n")
    [changed] = service.kb_import([source])
    assert (changed.status, changed.version, changed.article_id) == ("updated", 2, same.article_id)
    article, _passages, versions = service.kb_article(changed.article_id)
    assert article.version == 2 and [v.version for v in versions] == [1, 2]
    assert "3 years" in service.kb_article_text(changed.article_id, 1)
    assert "5 years" in service.kb_article_text(changed.article_id)
    assert service.kb_search("zebracorn", masked=True).results[0].article_id == changed.article_id
    service.kb_remove(changed.article_id)
    assert not service.kb_search("zebracorn", masked=True).results
    vault = service.require("kb_read")
    assert "zebracorn" not in vault.kb_term_counts()[1]
    actions = [e.action for e in service.audit_entries(action="kb")]
    assert actions.count("kb.import") == len(SMALL_KB) + 2 and "kb.remove" in actions and "kb.show" in actions


def test_personal_data_is_refused_with_file_and_line_or_masked(service: ConsoleService, tmp_path: Path) -> None:
    article = tmp_path / "escalations.md"
    article.write_text(
        "# Escalations\n\nAsk a supervisor for help.\n\n"
        "Last week Wiebke Sandoval (wiebke.sandoval@example.org) was refunded twice.\n"
    )
    before = len(service.kb_articles())
    with pytest.raises(PersonalDataInArticle, match=r"escalations.md:5: personal data \((PERSON|EMAIL_ADDRESS)\)"):
        service.kb_import([article])
    assert len(service.kb_articles()) == before  # nothing stored
    [masked] = service.kb_import([article], mask=True)
    text = service.kb_article_text(masked.article_id)
    assert masked.masked >= 1 and "Sandoval" not in text and "example.org" not in text, text
    assert "Ask a supervisor for help." in text
    vault = service.require("kb_read")
    assert not any("sandoval" in t for t in vault.kb_term_counts()[1])


def test_agents_read_but_do_not_manage(service: ConsoleService, agentconsole_home: Path, privacy) -> None:
    service.require("manage_users").add_user("ann", "agent", bytearray(AGENT_PASS.encode()))
    service.lock()
    agent = ConsoleService(load_settings(agentconsole_home), privacy=privacy)
    agent.unlock("ann", bytearray(AGENT_PASS.encode()))
    try:
        assert agent.kb_search("forgot my password").results[0].source == "account-password.md"
        with pytest.raises(PermissionDenied):
            agent.kb_import([DATA / "articles" / "returns.md"])
        with pytest.raises(PermissionDenied):
            agent.kb_remove(1)
    finally:
        agent.lock()


def test_a_grounded_draft_gets_passages_citations_and_declines(full: ConsoleService) -> None:
    service = full
    case_id = service.new_case("C-1042", "return")
    service.add_message(case_id, "customer", "How many days do I have to send an item back?")
    stream = service.draft(case_id, "reply")
    text = "".join(stream)
    stream.wait()
    returns_id = next(a.id for a in service.kb_articles() if a.source == "returns.md")
    assert stream.kb_passages[0]["source"] == "returns.md" and not stream.kb_declined
    system = service.engine.seen[-1][0].content  # type: ignore[attr-defined]
    assert f"[KB-{returns_id}]" in system and "Answer only from these passages" in system
    # the scripted model cites an article it was not given for a sentence that states the returns passage:
    # the mark becomes the returns article's, inline, so no Sources line is needed
    assert "[KB-999]" not in text and text.rstrip().endswith(f"30 days. [KB-{returns_id}]")
    assert "Source" not in text and stream.kb_citations == [f"[KB-{returns_id}]"]
    assert stream.kb_passages[0]["used"] is True

    other = service.new_case("C-1043", "crypto")
    service.add_message(other, "customer", "Can you recommend a recipe for a vegan chocolate cake?")
    calls = len(service.engine.seen)  # type: ignore[attr-defined]
    declined = service.draft(other, "reply")
    text = "".join(declined)
    declined.wait()
    assert declined.kb_declined and declined.kb_passages == [] and declined.kb_citations == []
    assert "knowledge base has no answer" in text
    assert len(service.engine.seen) == calls  # type: ignore[attr-defined]  # the model was not asked


def test_macros_resolve_to_placeholders(full: ConsoleService) -> None:
    service = full
    done = service.kb_macros_import(DATA / "macros.md")
    assert [name for name, created in done] == ["Greeting", "Return label", "Closing"]
    case_id = service.new_case("C-2001", "label")
    service.add_message(case_id, "customer", "Hello, this is Grace Hopper, where is my return label?")
    text = service.kb_render_macro("Return label", case_id)
    person = re.match(r"Hello (<PERSON_\d+>),", text)
    assert person and person.group(1) in service.messages(case_id)[0].text and "Grace" not in text
    returns_id = next(a.id for a in service.kb_articles() if a.source == "returns.md")
    assert f"[KB-{returns_id}]" in text and text.rstrip().endswith("sue")
