"""Query building and grounding pieces that need no store: terms, typos, synonyms, citations, macros."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.kb.grounding import CitationFilter, Grounding, GroundPassage, decline_text, within_budget
from agentconsole.kb.macros import MacroFileError, matches, parse_macros, render
from agentconsole.kb.retrieval import damerau
from agentconsole.kb.synonyms import SynonymMap, title_alternatives
from agentconsole.kb.terms import content_words, index_terms, stem, words

DATA = Path(__file__).resolve().parent.parent / "data" / "kb"


def test_placeholders_and_stop_words_never_reach_the_query() -> None:
    text = "Hi, I'm <PERSON_1> (<EMAIL_ADDRESS_2>), my refunds haven't arrived [PHONE]"
    assert content_words(text) == ["refunds", "arrived"]
    assert "person" not in index_terms(text) and "email" not in index_terms(text)
    assert index_terms(text) == "refund arriv"


def test_words_split_digits_and_join_hyphenated() -> None:
    assert words("Wi-Fi 5GHz Café") == ["wi", "fi", "wifi", "5", "ghz", "cafe"]
    assert stem("cancelled") == stem("cancel") == stem("cancellation")[: len(stem("cancel"))]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("refund", "refund", 0),
        ("refnud", "refund", 1),
        ("rfund", "refund", 1),
        ("refunds", "refund", 1),
        ("abcdef", "ghijkl", 3),
    ],
)
def test_damerau_distance_with_a_limit(a: str, b: str, distance: int) -> None:
    assert damerau(a, b, 2) == min(distance, 3)


def test_synonyms_expand_to_terms_the_kb_holds() -> None:
    synonyms = SynonymMap([["refund", "money back"], *[[t] for t in title_alternatives("Returns (exchanges)")]])
    assert synonyms.expand([stem("money"), stem("back")], known={"refund"}) == ["refund"]
    assert synonyms.expand([stem("money")], known={"refund"}) == []  # half a phrase is no synonym
    assert title_alternatives("Returns (exchanges)") == ["Returns", "exchanges"]
    assert title_alternatives("Returns") == []


def passage(article_id: int, text: str) -> GroundPassage:
    return GroundPassage(article_id * 10, article_id, f"Title {article_id}", f"a{article_id}.md", "", text, 1.0)


def test_grounding_cites_and_leads_with_the_matching_sentences() -> None:
    grounding = Grounding("how many days to return", [passage(3, "Intro. You can return items within 30 days. Bye.")])
    assert "[KB-3]" in grounding.prompt_block() and "Answer only from these passages" in grounding.prompt_block()
    assert grounding.lead() == "You can return items within 30 days. [KB-3]"
    assert grounding.citation_tail("see [KB-3]") == ""
    assert grounding.citation_tail("see [KB-9]") == "\n\nSource: [KB-3]"  # an article it was not given is no citation
    assert Grounding("x").declined and Grounding("x").citation_tail("text") == ""
    assert "no answer" in decline_text("reply") and "no answer" in decline_text("answer")


@pytest.mark.parametrize("step", [1, 2, 5, 100])
def test_citations_of_articles_not_given_are_dropped_as_they_stream(step: int) -> None:
    text = "See [KB-3] and [KB-30], not [KB-9]; [K]eep [brackets] and [KB-3"
    citations = CitationFilter([3])
    out = "".join(citations.feed(text[i : i + step]) for i in range(0, len(text), step)) + citations.flush()
    assert out == "See [KB-3] and , not ; [K]eep [brackets] and [KB-3"
    assert citations.dropped == 2


def test_passages_are_kept_within_the_budget() -> None:
    long = passage(1, "x" * 5000)
    kept = within_budget([long, passage(2, "short")], 1000)
    assert len(kept) == 1 and len(kept[0].text) < 1000
    assert len(within_budget([passage(1, "a"), passage(2, "b")], 1000)) == 2


def test_macros_parse_render_and_filter(tmp_path: Path) -> None:
    specs = parse_macros(DATA / "macros.md")
    assert [s.name for s in specs] == ["Greeting", "Return label", "Closing"]
    assert specs[1].article == "returns.md" and "KB:" not in specs[1].body
    body = specs[1].body
    assert render(body, {"customer.first_name": "<PERSON_1>", "kb": "[KB-4]", "agent.name": "ann"}).startswith(
        "Hello <PERSON_1>,"
    )
    assert render("Hi {customer.first_name},", {}) == "Hi there,"
    assert matches("Return label", body, "ret lab") and not matches("Greeting", "Hello", "refund")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,body\nX,Hello {customer.iban}\n")
    with pytest.raises(MacroFileError, match=r"bad.csv:2: unknown variable \{customer.iban\}"):
        parse_macros(bad)
