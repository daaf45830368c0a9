"""The terminal title and the app's title bar never show case content.

Titles end up in task bars, terminal tabs, tmux status lines and the window
lists of screen-sharing tools. The console's title is a constant and its
sub-title comes only from ``hardening.safe_sub_title`` (a fixed label per
screen), so no title can carry a customer's name or a message.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentconsole.hardening import SAFE_TERMINAL_TITLE

UI_DIR = Path(__file__).resolve().parents[2] / "agentconsole" / "ui"
# Any write of an app/screen title, and any OSC 0/1/2 "set window title" escape.
TITLE_WRITE = re.compile(r"\.(sub_)?title\s*=(?!=)\s*(?P<value>.+)|(TITLE|SUB_TITLE)\s*=\s*(?P<const>.+)")
OSC_TITLE = re.compile(r"\\x1b\]\s*[012];|\\033\]\s*[012];|\\e\]\s*[012];")
SAFE_VALUES = re.compile(
    r"^(SAFE_TERMINAL_TITLE|TITLE|TERMINAL_TITLE|safe_sub_title\(.*\)|\"agentconsole\"|\"\"|'agentconsole'|'')\s*(#.*)?$"
)


def _ui_sources() -> list[Path]:
    if not UI_DIR.is_dir():
        pytest.skip("no UI package in this build")
    return sorted(UI_DIR.rglob("*.py"))


def test_ui_sets_titles_only_to_fixed_values() -> None:
    offending = []
    for path in _ui_sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0] if "#" in line and '"#' not in line else line
            match = TITLE_WRITE.search(code)
            if match is None:
                continue
            value = (match.group("value") or match.group("const") or "").strip()
            if not SAFE_VALUES.match(value):
                offending.append(f"{path.relative_to(UI_DIR)}:{number}: {line.strip()}")
    assert offending == [], "titles must be SAFE_TERMINAL_TITLE / safe_sub_title(screen):\n" + "\n".join(offending)


def test_only_the_launcher_writes_a_window_title_escape() -> None:
    writers = [
        str(path.relative_to(UI_DIR)) for path in _ui_sources() if OSC_TITLE.search(path.read_text(encoding="utf-8"))
    ]
    assert writers in ([], ["launch.py"])


def test_app_and_terminal_titles_are_the_safe_constant() -> None:
    launch = pytest.importorskip("agentconsole.ui.launch")
    app = pytest.importorskip("agentconsole.ui.app")
    assert launch.TERMINAL_TITLE == SAFE_TERMINAL_TITLE
    assert app.AgentConsoleApp.TITLE == SAFE_TERMINAL_TITLE
    assert app.AgentConsoleApp.SUB_TITLE == ""


def test_the_title_check_catches_case_text() -> None:
    # The checker itself must flag a title built from case data.
    bad = 'self.sub_title = f"{case.customer_name}: {case.title}"'
    match = TITLE_WRITE.search(bad)
    assert match is not None and not SAFE_VALUES.match(match.group("value").strip())
    good = 'self.sub_title = safe_sub_title("case")'
    match = TITLE_WRITE.search(good)
    assert match is not None and SAFE_VALUES.match(match.group("value").strip())
