"""KB files to articles and passages: every format, headings, lines, synonyms, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.kb.parsing import PASSAGE_WORDS, KbFileError, kb_files, parse_file

DATA = Path(__file__).resolve().parent.parent / "data" / "kb" / "articles"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_title_sections_lines_and_front_matter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "returns.md",
        "---\nsynonyms: send back, exchange\n---\n# Returns\n\nIntro **line**.\n\n## How\n\nStep [one](http://x).\n"
        "### Details\n\nMore.\n",
    )
    [article] = parse_file(path)
    assert (article.key, article.title, article.source) == ("returns.md", "Returns", "returns.md")
    assert article.synonyms == ["send back", "exchange"]
    assert [(p.heading, p.text, p.line) for p in article.passages] == [
        ("", "Intro line.", 6),
        ("How", "Step one.", 10),
        ("How › Details", "More.", 13),
    ]


def test_long_sections_are_cut_into_bounded_passages(tmp_path: Path) -> None:
    paragraph = " ".join(["word"] * 60) + "."
    path = write(tmp_path, "long.md", "# Long\n\n" + "\n\n".join([paragraph] * 5) + "\n")
    passages = parse_file(path)[0].passages
    assert len(passages) >= 3
    assert all(len(p.text.split()) <= PASSAGE_WORDS for p in passages)
    assert [p.line for p in passages] == [3, 5, 7, 9, 11]  # each passage names the line its first paragraph starts on


def test_html_skips_scripts_and_navigation_and_splits_at_headings() -> None:
    [article] = parse_file(DATA / "app-connectivity.html")
    assert article.title.startswith("Connecting your appliance")
    assert [p.heading for p in article.passages] == ["", "Wi-Fi requirements", "Pairing fails"]
    text = " ".join(p.text for p in article.passages)
    assert "trackPage" not in text and "Help Centre / Apps" not in text and "font-family" not in text
    assert "Update the app" in text


def test_plain_text_title_from_first_line() -> None:
    [article] = parse_file(DATA / "opening-hours.txt")
    assert article.title == "Customer service opening hours"
    assert article.passages[0].line == 3


def test_faq_csv_and_jsonl_rows_are_articles(tmp_path: Path) -> None:
    articles = parse_file(DATA / "faq.csv")
    assert len(articles) == 3
    assert articles[0].key == "faq.csv#can i order without creating an account?"
    assert articles[0].line == 2 and articles[1].synonyms == ["used", "second hand", "b-stock"]
    jsonl = write(
        tmp_path, "faq.jsonl", '{"question": "Q1?", "answer": "A1.", "synonyms": ["x"]}\n\n{"q": "Q2?", "a": "A2."}\n'
    )
    rows = parse_file(jsonl)
    assert [(a.title, a.line, a.synonyms) for a in rows] == [("Q1?", 1, ["x"]), ("Q2?", 3, [])]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.jsonl", '{"question": "Q?"}\n', "bad.jsonl:1: an FAQ entry needs a question and an answer"),
        ("bad.jsonl", "not json\n", "bad.jsonl:1: not a JSON object"),
        ("bad.csv", "title_x,body_y\n1,2\n", "bad.csv:1: an FAQ CSV needs 'question' and 'answer' columns"),
        ("empty.md", "# Only a title\n", "empty.md: no text to import"),
    ],
)
def test_unreadable_files_are_named(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(KbFileError, match=message.replace("?", r"\?")):
        parse_file(write(tmp_path, name, text))


def test_folders_are_walked_and_unknown_types_refused(tmp_path: Path) -> None:
    assert len(kb_files([DATA])) == 28
    with pytest.raises(KbFileError, match="not a knowledge-base file"):
        kb_files([write(tmp_path, "x.pdf", "%PDF")])
    with pytest.raises(KbFileError, match="no such file"):
        kb_files([tmp_path / "missing.md"])
