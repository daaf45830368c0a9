"""`agentconsole demo`: synthetic seeded cases, passphrase on screen, nothing left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agentconsole import demo
from agentconsole.config import load_settings
from agentconsole.service import ConsoleService

RAW_VALUES = (
    "Marta Kowalczyk",
    "4111 1111 1111 1111",
    "42 Harbour Lane",
    "priya.nair@example.net",
    "+44 20 7946 0958",
    "Jonas Berglund",
    "jonas.berglund@example.org",
)


def test_seeded_cases_are_masked_and_the_directory_is_wiped(agentconsole_home: Path, privacy) -> None:
    with demo.demo_home(load_settings(agentconsole_home)) as settings:
        home = settings.home
        assert home != agentconsole_home and oct(home.stat().st_mode & 0o777) == "0o700"
        service = ConsoleService(settings, privacy=privacy)
        passphrase = demo.demo_passphrase()
        service.create_vault(demo.DEMO_USER, bytearray(passphrase))
        case_ids = demo.seed(service)
        assert len(case_ids) == len(demo.DEMO_CASES) == 4
        texts = [m.text for case_id in case_ids for m in service.messages(case_id)]
        for raw in RAW_VALUES:
            assert not any(raw in text for text in texts), "a demo value reached the vault unmasked"
        refund, address, lockout, hostile = (service.messages(c) for c in case_ids)
        assert "<CREDIT_CARD_1>" in refund[0].text and "<PERSON_1>" in refund[0].text
        assert "<STREET_ADDRESS_1>" in address[0].text
        assert "<EMAIL_ADDRESS_1>" in lockout[0].text and "<PHONE_NUMBER_1>" in lockout[0].text
        assert "ignore your instructions" in hostile[1].text
        service.lock()
        service.unlock(demo.DEMO_USER, passphrase)  # the passphrase shown on screen opens it
        service.lock()
    assert not home.exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_demo_home_is_wiped_when_the_process_is_signalled(tmp_path: Path, signum: int) -> None:
    code = (
        "import sys, threading\n"
        "from agentconsole import demo\n"
        "from agentconsole.config import load_settings\n"
        "with demo.demo_home(load_settings()) as s:\n"
        "    (s.home / 'vault.db').write_bytes(b'x' * 4096)\n"
        "    print(s.home, flush=True)\n"
        "    threading.Event().wait(120)\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    home = Path(proc.stdout.readline().strip())
    assert home.is_dir() and (home / "vault.db").exists()
    proc.send_signal(signum)
    proc.wait(timeout=60)
    assert not home.exists()
    assert list(tmp_path.iterdir()) == []


def demo_process(pane_pid: int) -> int:
    """The ``agentconsole demo`` process: the pane's process or a child of its shell.

    (Its own children, such as llama.cpp's CPU probe, must not get the signal instead.)
    """

    def cmdline(pid: int) -> str:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")

    if "agentconsole demo" in cmdline(pane_pid):
        return pane_pid
    children = subprocess.run(["pgrep", "-P", str(pane_pid)], capture_output=True, text=True).stdout.split()
    matches = [int(c) for c in children if "agentconsole demo" in cmdline(int(c))]
    assert len(matches) == 1, f"cannot find the demo process under pane {pane_pid}"
    return matches[0]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_real_console_shows_the_passphrase_and_wipes_on_interrupt(tmp_path: Path) -> None:
    sock = f"demo-{os.getpid()}"
    env_args = [f"TMPDIR={tmp_path}", f"AGENTCONSOLE_HOME={tmp_path / 'home'}"]
    cmd = ["env", *env_args, sys.executable, "-m", "agentconsole", "demo"]

    def tmux(*args: str) -> str:
        out = subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return out.stdout

    tmux("new-session", "-d", "-s", "demo", "-x", "100", "-y", "30", " ".join(cmd))
    try:
        deadline, pause = time.monotonic() + 120, threading.Event()
        screen = ""
        while "passphrase:" not in screen:
            assert time.monotonic() < deadline, f"demo unlock screen never appeared:\n{screen}"
            pause.wait(0.3)
            screen = tmux("capture-pane", "-p", "-t", "demo")
        assert "presenter" in screen
        homes = [p for p in tmp_path.iterdir() if p.name.startswith("agentconsole-demo-")]
        assert len(homes) == 1 and (homes[0] / "vault.db").exists()
        pid = int(tmux("list-panes", "-t", "demo", "-F", "#{pane_pid}").strip())
        os.kill(demo_process(pid), signal.SIGINT)
        deadline = time.monotonic() + 60
        while homes[0].exists():
            assert time.monotonic() < deadline, "demo directory survived Ctrl+C"
            pause.wait(0.2)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=30)
    assert not homes[0].exists()


def test_only_machine_facts_are_carried_into_the_demo_home(tmp_path: Path) -> None:
    real, throwaway = tmp_path / "real", tmp_path / "demo"
    (real / "cache").mkdir(parents=True)
    throwaway.mkdir()
    (real / "cache" / "cpu_probe.json").write_text('{"verdict": "ok"}')
    (real / "vault.db").write_bytes(b"real vault")
    demo.carry_machine_cache(real, throwaway)
    assert sorted(str(p.relative_to(throwaway)) for p in throwaway.rglob("*")) == ["cache", "cache/cpu_probe.json"]
