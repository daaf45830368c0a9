"""The import's lexicon: a product spelt as one word from the articles' own words is not a person."""

from __future__ import annotations

from agentconsole.kb.importer import ArticleLexicon
from agentconsole.kb.parsing import ParsedArticle, ParsedPassage


def _lexicon(*texts: str) -> ArticleLexicon:
    articles = [
        ParsedArticle(
            key=f"a{i}", title=f"Article {i}", source=f"a{i}.md", body=text, passages=[ParsedPassage("", text, 1)]
        )
        for i, text in enumerate(texts)
    ]
    return ArticleLexicon(articles)


def test_a_compound_of_the_articles_lower_case_words_is_company_vocabulary() -> None:
    lexicon = _lexicon("Verify your student status with StudentPass at checkout.")
    assert not lexicon.plausible("PERSON", "StudentPass")


def test_a_name_with_an_inner_capital_stays_a_person() -> None:
    lexicon = _lexicon("Ask for McDonald at the desk, or any donor of the mc fund.")
    assert lexicon.plausible("PERSON", "McDonald")


def test_a_compound_of_words_the_articles_do_not_use_stays_a_person() -> None:
    lexicon = _lexicon("Verify your status with StudentPass at checkout.")  # neither part is a word of theirs
    assert lexicon.plausible("PERSON", "StudentPass")
