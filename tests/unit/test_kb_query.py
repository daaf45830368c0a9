"""Query building and grounding pieces that need no store: terms, typos, synonyms, citations, macros."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.kb.english import VERB_TABLE, irregular_verb, is_english_word
from agentconsole.kb.grounding import CitationRewriter, Grounding, GroundPassage, decline_text, within_budget
from agentconsole.kb.macros import MacroFileError, matches, parse_macros, render
from agentconsole.kb.retrieval import Hit, Retriever, damerau
from agentconsole.kb.synonyms import GENERIC_GROUPS, SynonymMap, title_alternatives
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
    assert Grounding("x").declined
    assert "no answer" in decline_text("reply") and "no answer" in decline_text("answer")


RETURNS = passage(3, "You can return items within 30 days for a full refund of the price.")
DELIVERY = passage(7, "Delivery takes three working days by courier; express delivery takes one day.")


def rewrite(text: str, step: int, passages: list[GroundPassage] | None = None) -> tuple[str, CitationRewriter]:
    """``text`` streamed through a rewriter in chunks of ``step`` characters, then flushed."""
    rewriter = CitationRewriter(passages if passages is not None else [RETURNS, DELIVERY])
    out = "".join(rewriter.feed(text[i : i + step]) for i in range(0, len(text), step)) + rewriter.flush()
    return out, rewriter


STEPS = [1, 2, 3, 5, 7, 100]


@pytest.mark.parametrize("step", STEPS)
def test_a_wrong_citation_is_replaced_by_the_passage_the_sentence_states(step: int) -> None:
    out, rewriter = rewrite("Delivery takes three working days [KB-3]. Thanks!", step)
    assert out == "Delivery takes three working days. [KB-7] Thanks!"
    assert rewriter.replaced == 1 and rewriter.used == {70} and rewriter.cited == [7]
    out, _ = rewrite("Returns within 30 days are refunded. [KB-99]", step)  # an article it was not given
    assert out == "Returns within 30 days are refunded. [KB-3]"


@pytest.mark.parametrize("step", STEPS)
def test_an_uncited_sentence_that_states_a_passage_gets_its_citation(step: int) -> None:
    out, rewriter = rewrite("Hi <PERSON_1>,\n\nYou can return items within 30 days.\n\nBest regards", step)
    assert out == "Hi <PERSON_1>,\n\nYou can return items within 30 days. [KB-3]\n\nBest regards"
    assert rewriter.added == 1 and rewriter.sources_tail(out) == ""
    # a right citation stays where the model wrote it; a mid-sentence one moves to the sentence's end
    out, rewriter = rewrite("Express delivery [KB-7] takes one day. Items return within 30 days. [KB-3]", step)
    assert out == "Express delivery takes one day. [KB-7] Items return within 30 days. [KB-3]"
    assert rewriter.kept == 2 and rewriter.cited == [7, 3]


@pytest.mark.parametrize("step", STEPS)
def test_a_sentence_that_states_no_passage_is_left_alone_and_loses_its_citation(step: int) -> None:
    out, rewriter = rewrite("We are happy to answer by phone [KB-3]. Have a nice weekend.", step)
    assert out == "We are happy to answer by phone. Have a nice weekend."
    assert rewriter.dropped == 1 and rewriter.used == set() and rewriter.cited == []
    assert rewriter.sources_tail(out) == ""  # nothing drawn on, nothing to list
    out, rewriter = rewrite("Yes. [KB-3] [KB-9]", step)  # too short to judge: a given article stays
    assert out == "Yes. [KB-3]" and rewriter.kept == 1 and rewriter.dropped == 1


@pytest.mark.parametrize("step", STEPS)
def test_a_sentence_that_draws_on_a_passage_loosely_lists_it_as_a_source(step: int) -> None:
    # "return" and "price" of RETURNS (2 of 4 stems): drawn on, not stated clearly enough for an inline mark
    out, rewriter = rewrite("A return keeps the price, ask the shop.", step)
    assert out == "A return keeps the price, ask the shop."
    assert rewriter.used == {30} and rewriter.sources_tail(out) == "\n\nSource: [KB-3]"


@pytest.mark.parametrize("step", STEPS)
def test_brackets_and_cut_marks_stream_through(step: int) -> None:
    out, _ = rewrite("Delivery takes three working days [KB-7]; [K]eep [brackets] and [KB-7", step)
    assert out == "Delivery takes three working days; [K]eep [brackets] and [KB-7] [KB-7"


def test_a_citation_split_across_chunks_is_rewritten_whole() -> None:
    rewriter = CitationRewriter([RETURNS, DELIVERY])
    chunks = ["Delivery takes three ", "working days [", "K", "B-", "3", "]", ".", " More", " text."]
    shown = [rewriter.feed(chunk) for chunk in chunks]
    # words show as they come; the cut mark is held back until it is complete and its sentence has ended
    assert shown[:3] == ["Delivery takes three", " working days", ""]
    assert "".join(shown) + rewriter.flush() == "Delivery takes three working days. [KB-7] More text."


@pytest.mark.parametrize("step", STEPS)
def test_a_draft_stopped_mid_sentence_still_gets_the_sentence_s_mark(step: int) -> None:
    # Esc stops the generation; the service then flushes the rewriter, as at a normal end
    out, rewriter = rewrite("Items return within 30 days [KB-9] for a full", step)
    assert out == "Items return within 30 days for a full [KB-3]" and rewriter.replaced == 1


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


def test_light_verb_forms_and_pronoun_plurals_are_no_search_terms() -> None:
    # the end of a question is its focus: "ones" and "coming" must not become it
    assert content_words("do you sell printed gift cards or only e-mail ones?") == [
        "sell",
        "printed",
        "gift",
        "cards",
        "mail",
        "email",
    ]
    assert content_words("does the driver call before coming, as well?") == ["driver", "call"]
    assert content_words("how long does this usually take?") == ["long"]


def test_a_country_the_kb_never_names_stands_for_abroad() -> None:
    synonyms = SynonymMap(GENERIC_GROUPS)
    known = {stem("abroad"), stem("deliver"), stem("norway")}
    assert synonyms.stand_ins([stem("deliver"), stem("canada")], known) == {stem("abroad"): {stem("canada")}}
    # a country the KB names is matched as written, and a word that is no country stands in for nothing
    assert synonyms.stand_ins([stem("deliver"), stem("norway")], known) == {}
    assert synonyms.stand_ins([stem("deliver"), stem("asia")], known) == {}
    assert synonyms.stand_ins([stem("canada")], {stem("deliver")}) == {}  # a KB without "abroad"


class _NoIndex:
    """_relevant needs no store."""


@pytest.mark.parametrize(
    ("coverage", "matched", "relevant"),
    [
        (1.0, 0.5, True),  # the whole question is in the passage: one common word is enough
        (0.95, 0.5, False),  # almost all of it, with little weight: no
        (0.6, 0.45 * 4.0, True),  # a short question mostly covered, with some weight
        (1.0, 0.0, False),  # nothing matched at all
    ],
)
def test_a_passage_covering_the_whole_question_needs_no_minimum_weight(
    coverage: float, matched: float, relevant: bool
) -> None:
    retriever = Retriever(_NoIndex())  # type: ignore[arg-type]
    assert retriever._relevant(Hit(1, 1, 1.0, coverage, matched), max_idf=4.0) is relevant


class _TinyIndex:
    """A PassageIndex of a few passages (term stems as the index stores them), for query building."""

    def __init__(self, passages: list[str], synonyms: list[tuple[str, str]] | None = None) -> None:
        self.passages = [index_terms(p) for p in passages]
        self.synonyms = synonyms or []

    def kb_generation(self) -> int:
        return 1

    def kb_term_counts(self) -> tuple[int, dict[str, int]]:
        df: dict[str, int] = {}
        for p in self.passages:
            for t in set(p.split()):
                df[t] = df.get(t, 0) + 1
        return len(self.passages), df

    def kb_passage_terms(self) -> list[tuple[int, int, str, str, str]]:
        return [(i, i, "", "", p) for i, p in enumerate(self.passages, 1)]

    def kb_match(self, fts_query: str, weights: tuple[float, float, float], limit: int) -> list[tuple[int, float]]:
        return []

    def kb_article_synonyms(self) -> list[tuple[str, str]]:
        return self.synonyms


def test_a_correctly_spelled_word_is_not_corrected_into_a_kb_word() -> None:
    retriever = Retriever(_TinyIndex(["Restart the modem", "Free delivery", "A broken machine", "Refunds"]))  # type: ignore[arg-type]
    terms, corrections, _ = retriever.query_terms("Which router model? Can I freeze my plan? It broke. My refnud?")
    assert "model" not in corrections and "freeze" not in corrections
    assert stem("model") in terms and stem("freeze") in terms
    # a typo is still corrected, and a real word may still be taken as a longer form of an index term
    assert corrections == {"refnud": stem("refund"), "broke": stem("broken")}
    assert is_english_word("models") and is_english_word("crushed") and is_english_word("froze")
    assert not is_english_word("refnud") and not is_english_word("shiping")  # "ship" + "ing" would be "shipping"


def test_a_synonym_phrase_keeps_its_stop_words() -> None:
    synonyms = SynonymMap([["outage", "internet down", "no internet"], ["send back", "return an item"]])
    known = {stem("outage"), stem("send"), stem("back"), stem("return"), stem("item")}
    internet = [stem("internet")]
    # "internet down" is not "internet": a message about slow internet stands for no outage
    assert synonyms.stand_ins(internet, known, said=["is", "the", *internet, "slow"]) == {}
    assert synonyms.stand_ins(internet, known, said=["my", *internet, "is", "down"]) == {stem("outage"): set(internet)}
    assert synonyms.stand_ins(internet, known, said=["no", *internet]) == {stem("outage"): set(internet)}
    # articles, possessives and "be" may differ: "return the items" says "return an item"
    said = [stem(w) for w in ("can", "i", "return", "the", "items")]
    assert stem("send") in synonyms.stand_ins([stem("return"), stem("item")], known, said=said)


def test_query_expansion_matches_synonym_phrases_before_stop_words_go() -> None:
    index = _TinyIndex(
        ["Service outage: check the network status", "Slow internet: run a speed test"],
        synonyms=[("Service outage", "internet down\nno internet")],
    )
    retriever = Retriever(index)  # type: ignore[arg-type]
    assert stem("outage") in retriever.query_terms("My internet has been down since noon")[2]
    assert stem("outage") not in retriever.query_terms("Why is my internet so slow?")[2]


def test_irregular_verb_forms_come_from_the_lemmatizer_tables() -> None:
    assert [irregular_verb(w) for w in ("took", "threw", "paid", "brought", "sent")] == [
        "take",
        "throw",
        "pay",
        "bring",
        "send",
    ]
    # a form that is a verb of its own, a regular form (same stem as its verb) and a noun are no such forms
    assert irregular_verb("found") is None and irregular_verb("rent") is None and irregular_verb("saw") is None
    assert irregular_verb("returned") is None and irregular_verb("refund") is None
    from spacy.strings import hash_string  # the table is found by spaCy's hash of its part of speech

    assert hash_string("verb") == VERB_TABLE


def test_an_irregular_form_says_the_synonym_phrase_of_its_verb() -> None:
    # "take back" is a phrase of light verb + "back": "took back" says it only through the verb
    index = _TinyIndex(
        ["Taking back your old appliance: we take your old one free of charge", "Returns within 30 days"],
        synonyms=[("Taking back your old appliance", "take back")],
    )
    retriever = Retriever(index)  # type: ignore[arg-type]
    assert stem("applianc") in retriever.query_terms("Can you take back my old fridge?")[2]
    assert stem("applianc") in retriever.query_terms("Last time you took back my old fridge")[2]
    assert stem("applianc") not in retriever.query_terms("Last time you put back my old fridge")[2]
