"""Long texts read by helper processes too: same detections, progress, cancel, no process left behind.

Real engines on both sides (the helper loads the same engine from the same settings).
Texts are over ``PARALLEL_MIN_CHARS`` so the helper path is taken; the helpers are
started and awaited first, so they take part whatever the machine's load.
"""

from __future__ import annotations

import dataclasses
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentconsole.config import PrivacySettings, load_settings
from agentconsole.errors import ConfigError
from agentconsole.privacy import CaseMapping, MaskingCancelled, PrivacyEngine
from agentconsole.privacy.parallel import PARALLEL_MIN_CHARS, helper_count
from agentconsole.privacy.pieces import CHUNK_CHARS, plan_units

_FILLER = (
    "the customer wrote in about the router again and the light blinks orange after the update, "
    "we checked the cable and the settings page and found nothing unusual, "
)
# No full stops or line breaks: pieces are then cut at spaces, some of them inside these.
_PII = [
    "please call Ingrid Lindqvist on +44 20 7946 0958 tomorrow, ",
    "ship it to 27 Seafield Crescent, Dublin 3, D03 K2W7 please, ",
    "write to jonathan.whitaker@example.org or ring 020 7946 0321, ",
    "card 4111 1111 1111 1111 was charged twice says Mr Whitaker, ",
]


def _long_text() -> str:
    """Prose with PII every ~300 characters, some of it across piece cuts, longer than PARALLEL_MIN_CHARS."""
    parts: list[str] = []
    i = 0
    while sum(map(len, parts)) < PARALLEL_MIN_CHARS + 10 * CHUNK_CHARS:
        parts += [_FILLER[: 120 + (i * 37) % 100], _PII[i % len(_PII)]]
        i += 1
    return "".join(parts)


TEXT = _long_text()


def _settings(workers: int) -> PrivacySettings:
    return dataclasses.replace(PrivacySettings(), workers=workers)


@pytest.fixture(scope="module")
def single() -> PrivacyEngine:
    return PrivacyEngine.from_settings(_settings(1))


@pytest.fixture(scope="module")
def shared() -> Iterator[PrivacyEngine]:
    engine = PrivacyEngine.from_settings(_settings(2))
    yield engine
    engine.close()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _spans(engine: PrivacyEngine, text: str) -> list[tuple[int, int, str, float]]:
    return [(d.start, d.end, d.entity_type, d.score) for d in engine.analyze(text)]


def test_the_text_crosses_piece_cuts_with_pii() -> None:
    units = plan_units(TEXT)
    assert len(TEXT) >= PARALLEL_MIN_CHARS
    assert len(units) > 20
    cuts = [u.own_end for u in units[:-1]]
    # PII sentences straddle cuts between owned parts
    assert any(s < cut < s + len(p) for cut in cuts for p in _PII for s in _occurrences(TEXT, p))


def _occurrences(text: str, needle: str) -> Iterator[int]:
    pos = text.find(needle)
    while pos != -1:
        yield pos
        pos = text.find(needle, pos + 1)


def test_helpers_find_exactly_what_one_process_finds(single: PrivacyEngine, shared: PrivacyEngine) -> None:
    assert shared.start_helpers() == 1
    before = shared.helper_pieces
    assert _spans(shared, TEXT) == _spans(single, TEXT)
    assert shared.helper_pieces > before  # the helper really read part of it
    one = single.mask(TEXT, CaseMapping())
    two = shared.mask(TEXT, CaseMapping())
    assert two.masked == one.masked
    assert two.new_entries == one.new_entries
    assert "Ingrid Lindqvist" not in two.masked and "D03 K2W7" not in two.masked


def test_progress_counts_both_processes_and_reaches_the_end(shared: PrivacyEngine) -> None:
    assert shared.start_helpers() == 1
    seen: list[int] = []
    before = shared.helper_pieces
    shared.mask(TEXT, CaseMapping(), progress=lambda done, total: seen.append(done))
    assert shared.helper_pieces > before
    assert len(seen) > 5
    assert seen == sorted(seen)
    assert seen[-1] == len(TEXT)


def test_cancel_stops_the_helper_and_the_next_job_still_matches(single: PrivacyEngine, shared: PrivacyEngine) -> None:
    assert shared.start_helpers() == 1
    pids = shared.helper_pids()
    mapping = CaseMapping()
    progress: list[int] = []
    with pytest.raises(MaskingCancelled):
        shared.mask(
            TEXT,
            mapping,
            progress=lambda done, total: progress.append(done),
            should_cancel=lambda: len(progress) >= 3,
        )
    assert len(mapping) == 0
    assert progress[-1] < len(TEXT)  # stopped early, not after the whole text
    assert pids and all(_gone(pid) for pid in pids)  # killed and reaped: no process left
    assert shared.helper_pids() == []
    # the next long job starts a fresh helper and gives the same answer
    assert shared.start_helpers() == 1
    assert _spans(shared, TEXT) == _spans(single, TEXT)


def test_a_helper_killed_mid_job_hands_its_pieces_back(single: PrivacyEngine, shared: PrivacyEngine) -> None:
    assert shared.start_helpers() == 1
    (pid,) = shared.helper_pids()
    killed: list[int] = []

    def kill_once(done: int, total: int) -> None:
        if not killed:
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)

    found = [(d.start, d.end, d.entity_type, d.score) for d in shared.analyze(TEXT, progress=kill_once)]
    assert killed
    assert found == _spans(single, TEXT)
    assert shared.start_helpers() == 1  # a new one replaces it
    assert _gone(pid) and shared.helper_pids() != [pid]


def test_close_leaves_no_process() -> None:
    engine = PrivacyEngine.from_settings(_settings(2))
    assert engine.start_helpers() == 1
    pids = engine.helper_pids()
    engine.close()
    assert pids and all(_gone(pid) for pid in pids)
    assert engine.helper_pids() == []
    assert engine.analyze(TEXT)  # still works, in this process


def test_one_worker_never_starts_a_helper(single: PrivacyEngine) -> None:
    assert single.start_helpers() == 0
    single.analyze(TEXT)
    assert single.helper_pids() == []
    assert single.helper_pieces == 0


@pytest.mark.parametrize(
    ("workers", "cpus", "helpers"), [(0, 1, 0), (0, 2, 1), (0, 16, 1), (1, 16, 0), (2, 1, 1), (3, 4, 2)]
)
def test_helper_count(workers: int, cpus: int, helpers: int) -> None:
    assert helper_count(workers, cpus) == helpers


@pytest.mark.parametrize("value", ["9", "-1", '"two"'])
def test_workers_setting_is_validated(tmp_path: Path, value: str) -> None:
    (tmp_path / "config.toml").write_text(f"[privacy]\nworkers = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="privacy.workers"):
        load_settings(tmp_path)


def test_workers_setting_is_read(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[privacy]\nworkers = 1\n", encoding="utf-8")
    assert load_settings(tmp_path).privacy.workers == 1
