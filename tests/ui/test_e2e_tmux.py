"""End to end: the real ``python -m agentconsole`` in tmux, driven like a person would.

First run, a new case, a customer message with a name, an email and a card
number (pasted, as agents do), a draft from the real model, quit. Every pane
capture along the way must be free of the raw values, and so must the vault
files and the logs.

tmux is an external process: the test polls its pane (bounded, short
intervals) instead of waiting on Textual workers.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = [pytest.mark.model, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PASS = "correct horse battery staple"
NAME, EMAIL, CARD = "John Smith", "john.smith@example.com", "4111 1111 1111 1111"
MESSAGE = f"Hello, I am {NAME}. My email is {EMAIL} and my card {CARD} was charged twice."
RAW_VALUES = (NAME, EMAIL, CARD, "4111")


class Tmux:
    """One private tmux server (its own socket) running one pane."""

    def __init__(self, socket: str) -> None:
        self.socket = socket
        self.captures: list[str] = []

    def run(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "e2e", "-l", text)

    def paste(self, text: str) -> None:
        self.run("set-buffer", "-b", "e2e", text)
        self.run("paste-buffer", "-p", "-d", "-b", "e2e", "-t", "e2e")  # -p: bracketed paste

    def capture(self) -> str:
        text = self.run("capture-pane", "-p", "-t", "e2e").replace("\u2800", " ")
        self.captures.append(text)
        return text

    def wait(self, predicate: Callable[[str], bool], what: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        while True:
            text = self.capture()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; pane:\n{text}")
            pause.wait(0.2)

    def wait_text(self, needle: str, timeout: float = 60.0) -> str:
        return self.wait(lambda text: needle in text, repr(needle), timeout)

    def wait_focus(self, placeholder: str, timeout: float = 30.0) -> None:
        """Wait until the empty input showing ``placeholder`` has the cursor (its first cell styled apart).

        Keys sent right after Tab can reach the old field first; typing waits for the move.
        """
        cursor = re.compile(re.escape(placeholder[0]) + r"(?:\x1b\[[0-9;]*m)+" + re.escape(placeholder[1:]))
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        while True:
            styled = self.run("capture-pane", "-p", "-e", "-t", "e2e")
            self.captures.append(re.sub(r"\x1b\[[0-9;]*m", "", styled).replace("\u2800", " "))
            if cursor.search(styled):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for the cursor in {placeholder!r}")
            pause.wait(0.1)


@pytest.fixture
def tmux(tmp_path: Path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (apt-get install tmux)")
    server = Tmux(f"agentconsole-e2e-{os.getpid()}-{tmp_path.name}")
    try:
        yield server
    finally:
        found = subprocess.run(
            ["tmux", "-L", server.socket, "display", "-p", "#{socket_path}"], capture_output=True, text=True, timeout=30
        )
        socket_path = found.stdout.strip() if found.returncode == 0 else None
        subprocess.run(["tmux", "-L", server.socket, "kill-server"], capture_output=True, timeout=30)
        if socket_path:
            Path(socket_path).unlink(missing_ok=True)  # the server leaves its socket file behind


def start_console(tmux: Tmux, home: Path, model: Path) -> None:
    command = (
        f"cd {REPO} && AGENTCONSOLE_HOME={home} {sys.executable} -m agentconsole --model {model}; "
        "echo EXITED-$?; sleep 60"
    )
    # Start the pane first, then the console in it: the console must see the final pane size.
    tmux.run("new-session", "-d", "-s", "e2e", "-x", "120", "-y", "30", "sleep 600")
    assert tmux.run("display", "-p", "-t", "e2e", "#{pane_width}x#{pane_height}").strip() == "120x30"
    tmux.run("respawn-pane", "-k", "-t", "e2e", command)


def first_run_and_new_case_dialog(tmux: Tmux) -> None:
    """Create the vault as alice, open the New case dialog and type the customer reference."""
    tmux.wait_text("Create the vault", timeout=60)
    tmux.wait_focus("user name")
    tmux.type("alice")
    tmux.wait_text("alice")
    tmux.keys("Tab")
    tmux.wait_focus("passphrase")
    tmux.type(PASS)
    tmux.wait_text("strength:")
    tmux.keys("Tab")
    tmux.wait_focus("confirm passphrase")
    tmux.type(PASS)
    tmux.wait(lambda t: t.count("•" * len(PASS)) == 2, "both passphrase fields filled")
    tmux.keys("Enter")
    tmux.wait_text("🔓 alice", timeout=90)

    tmux.keys("C-n")
    tmux.wait_focus("customer reference, e.g. CUST-1042")
    tmux.type("CUST-1042")
    tmux.wait_text("CUST-1042")


@pytest.mark.timeout(420)
def test_first_run_customer_message_draft_quit_never_shows_raw_values(
    tmp_path: Path, tmux: Tmux, default_model_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "config.toml").write_text("[model]\nmax_tokens = 24\ntemperature = 0.0\nseed = 7\n")
    start_console(tmux, home, default_model_path)

    first_run_and_new_case_dialog(tmux)
    tmux.keys("Tab")
    tmux.wait_focus("title (optional; masked)")
    tmux.type("Double charge")
    tmux.wait_text("Double charge")
    tmux.keys("Enter")
    tmux.wait_text("#1 CUST-1042 · open · Double charge", timeout=120)

    tmux.paste(MESSAGE)
    tmux.wait_text("[pasted #1: 1 line")
    tmux.keys("Enter")
    screen = tmux.wait_text("CREDIT CARD 1", timeout=120)
    assert "PERSON 1" in screen and "EMAIL ADDRESS 1" in screen, screen

    tmux.keys("C-d")
    tmux.wait_text("Draft reply", timeout=60)
    tmux.wait(lambda t: "Draft reply" in t and "writing…" not in t, "the draft to finish", timeout=240)
    tmux.keys("C-q")
    tmux.wait_text("EXITED-0", timeout=60)

    assert len(tmux.captures) > 10
    for capture in tmux.captures:
        for value in RAW_VALUES:
            assert value not in capture, f"raw value on screen:\n{capture}"
    stored = [p for p in home.rglob("*") if p.is_file() and p.name.startswith("vault")]
    assert any(p.name == "vault.db" for p in stored)
    logs = [p for p in (home / "logs").rglob("*") if p.is_file()]
    for path in stored + logs:
        data = path.read_bytes()
        for value in RAW_VALUES:
            assert value.encode() not in data, f"raw value in {path.name}"


@pytest.mark.timeout(420)
def test_a_pasted_message_with_escapes_and_cr_line_breaks_is_sealed_whole(
    tmp_path: Path, tmux: Tmux, default_model_path: Path
) -> None:
    """What a terminal really sends: a bracketed paste holding escape sequences, lines ended by CR."""
    from agentconsole.config import load_settings
    from agentconsole.service import ConsoleService

    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    start_console(tmux, home, default_model_path)
    first_run_and_new_case_dialog(tmux)
    tmux.keys("Enter")  # Enter in the reference field creates the case
    tmux.wait_text("#1 CUST-1042", timeout=120)

    pasted = f"Hello\rI am {NAME}, card {CARD}\x1b]0;owned\x07\r\x1b[31mmy mail {EMAIL}\rthanks"
    tmux.paste(pasted)
    tmux.wait_text("[pasted #1: 4 lines")
    tmux.keys("Enter")
    screen = tmux.wait_text("CREDIT CARD 1", timeout=120)
    assert "PERSON 1" in screen and "EMAIL ADDRESS 1" in screen, screen
    lines = [line.strip(" ▌▕") for line in screen.splitlines()]
    assert "Hello" in lines and "thanks" in lines, screen  # CR kept as a line break
    assert "␛]0;owned␇" in screen and "␛[31mmy mail" in screen, screen
    tmux.keys("C-q")
    tmux.wait_text("EXITED-0", timeout=60)
    for capture in tmux.captures:
        for value in RAW_VALUES:
            assert value not in capture, f"raw value on screen:\n{capture}"

    service = ConsoleService(load_settings(home))
    service.unlock("alice", bytearray(PASS.encode()))
    try:
        stored = [m.text for m in service.messages(1)]
    finally:
        service.lock()
    assert stored == [
        "Hello\nI am <PERSON_1>, card <CREDIT_CARD_1>\x1b]0;owned\x07\n\x1b[31mmy mail <EMAIL_ADDRESS_1>\nthanks"
    ]
