#!/usr/bin/env python3
"""Accuracy of booking proposals on customer phrasings: the tuned set and the held-out set, apart.

Each line of a set (``tests/data/booking/phrases_*.jsonl``) is a customer message
written on Monday 2026-03-02 11:17 (Europe/Berlin, unless ``written`` says
otherwise) and the windows a person would accept. The message goes through the
real path (:func:`agentconsole.booking.proposals.propose_for_text`) against an
empty desk open Mon-Sat 08:00-20:00 in 30-minute slots. A phrase is correct when
three proposals come back, every one matches the request and lies in an
accepted window, and, when the customer named a time (``first``), the first
proposal starts then (``first_any``: one of the two slots around a time that is
not a slot start).

``tests/data/booking/phrases_heldout.jsonl`` was written after the parser was
finished and never used to change it; report it apart.

    PYTHONPATH=. .venv/bin/python scripts/eval_booking_phrases.py [--verbose] [SET.jsonl ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "booking"
SETS = (DATA / "phrases_tuned.jsonl", DATA / "phrases_heldout.jsonl")
WRITTEN = "2026-03-02T11:17:00"
TZ = "Europe/Berlin"


def desk() -> Any:
    from agentconsole.booking.schedule import OpeningHours, Resource

    return Resource("eval desk", OpeningHours.parse("mon-sat 08:00-20:00"), 30, 1, TZ)


def _days(spec: str, written: date) -> tuple[set[date] | None, set[date]]:
    """("2026-03-03" | "a..b" | "any" | "any-not-DATE") -> (days or None for any day, excluded days)."""
    if spec.startswith("any"):
        excluded = {date.fromisoformat(d) for d in spec[len("any-not-") :].split(",")} if "-not-" in spec else set()
        return None, excluded
    first, _, last = spec.partition("..")
    a, b = date.fromisoformat(first), date.fromisoformat(last or first)
    return {a + timedelta(days=i) for i in range((b - a).days + 1)}, set()


def _accepted(proposal: Any, expect: list[dict[str, str]], written: date) -> bool:
    local = proposal.start.astimezone(proposal.start.tzinfo)
    for window in expect:
        days, excluded = _days(window["day"], written)
        day = local.date()
        if days is not None and day not in days:
            continue
        if days is None and (day in excluded or day < written):
            continue
        start = local.strftime("%H:%M")
        end = proposal.end.strftime("%H:%M")
        if window["from"] <= start and end <= window["to"]:
            return True
    return False


def score(entry: dict[str, Any]) -> tuple[bool, str]:
    """(correct, what was proposed) for one phrasing."""
    from zoneinfo import ZoneInfo

    from agentconsole.booking.proposals import propose_for_text

    tz = ZoneInfo(TZ)
    written = datetime.fromisoformat(entry.get("written", WRITTEN)).replace(tzinfo=tz)
    _, proposals = propose_for_text(entry["text"], written, [desk()], lambda *_: [], now=written)
    shown = ", ".join(p.start.strftime("%a %d %H:%M") + ("" if p.fits else "?") for p in proposals)
    if len(proposals) != 3 or not all(p.fits for p in proposals):
        return False, shown
    if not all(_accepted(p, entry["expect"], written.date()) for p in proposals):
        return False, shown
    first = entry.get("first")
    if first and proposals[0].start.replace(tzinfo=None) != datetime.fromisoformat(first):
        return False, shown
    # A time between two slot starts ("9:45" on a half-hour grid): either neighbour first.
    first_any = entry.get("first_any")
    if first_any and proposals[0].start.replace(tzinfo=None) not in [datetime.fromisoformat(f) for f in first_any]:
        return False, shown
    return True, shown


def evaluate(path: Path, *, verbose: bool = False) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """(correct, total, per language) over one set."""
    correct = total = 0
    by_language: dict[str, tuple[int, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        ok, shown = score(entry)
        correct += ok
        total += 1
        good, seen = by_language.get(entry["lang"], (0, 0))
        by_language[entry["lang"]] = (good + ok, seen + 1)
        if verbose and not ok:
            print(f"  MISS [{entry['lang']}] {entry['text']!r} -> {shown}")
    return correct, total, by_language


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help="phrase sets (default: tuned and held-out)")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    for path in args.sets or [p for p in SETS if p.exists()]:
        correct, total, by_language = evaluate(path, verbose=args.verbose)
        languages = ", ".join(f"{lang} {c}/{t}" for lang, (c, t) in sorted(by_language.items()))
        print(f"{path.name}: {correct}/{total} correct ({correct / max(total, 1):.0%}); {languages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
