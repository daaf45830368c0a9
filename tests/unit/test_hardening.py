"""Start-up hardening: checked in fresh processes, because it changes process-wide state."""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from agentconsole.hardening import (
    SAFE_TERMINAL_TITLE,
    SCREEN_LABELS,
    safe_sub_title,
    secure_path_permissions,
    title_is_safe,
)

# Reads the process state with its own ctypes/resource calls, not hardening's helpers.
PROBE = r"""
import ctypes, json, os, resource, sys
from pathlib import Path
{action}
libc = ctypes.CDLL(None, use_errno=True)
work = Path(sys.argv[1])
(work / "made-file").write_text("x")
(work / "made-dir").mkdir()
print(json.dumps({{
    "core": resource.getrlimit(resource.RLIMIT_CORE),
    "dumpable": libc.prctl(3, 0, 0, 0, 0),  # PR_GET_DUMPABLE
    "file_mode": (work / "made-file").stat().st_mode & 0o777,
    "dir_mode": (work / "made-dir").stat().st_mode & 0o777,
}}))
"""


def _probe(action: str, tmp_path: Path) -> dict:
    work = tmp_path / "work"
    work.mkdir()
    # Start from the laxest state allowed so the test can fail: core dumps up to the
    # inherited hard limit (0 once this pytest process ran cli.main() in-process), umask 022.
    prelude = (
        "import resource, os\n"
        "_, hard = resource.getrlimit(resource.RLIMIT_CORE)\n"
        "resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))\n"
        "os.umask(0o022)\n"
    )
    code = PROBE.format(action=prelude + action)
    result = subprocess.run([sys.executable, "-c", code, str(work)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux-only")
def test_unhardened_process_baseline_dumps_core(tmp_path: Path) -> None:
    state = _probe("", tmp_path)
    assert state["core"][0] == state["core"][1] == resource.getrlimit(resource.RLIMIT_CORE)[1]
    assert state["dumpable"] == 1  # reset by execve: every new process starts dumpable
    assert state["file_mode"] == 0o644


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux-only")
def test_harden_process_disables_core_dumps_and_sets_umask(tmp_path: Path) -> None:
    state = _probe("from agentconsole.hardening import harden_process\nharden_process()\n", tmp_path)
    assert state["core"] == [0, 0]
    assert state["dumpable"] == 0
    assert state["file_mode"] == 0o600
    assert state["dir_mode"] == 0o700


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux-only")
def test_cli_main_hardens_before_running_a_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    action = f"from agentconsole.cli import main\nassert main(['--home', {str(home)!r}, 'config', 'path']) == 0\n"
    state = _probe(action, tmp_path)
    assert state["core"] == [0, 0] and state["dumpable"] == 0 and state["file_mode"] == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "logs").stat().st_mode) == 0o700


def test_cli_start_up_makes_an_existing_data_dir_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    for path, mode in ((home, 0o755), (home / "logs", 0o755)):
        os.chmod(path, mode)
    (home / "vault.db").write_bytes(b"not really a vault")
    (home / "vault.keys").write_bytes(b"{}")
    for name in ("vault.db", "vault.keys"):
        os.chmod(home / name, 0o644)
    result = subprocess.run(
        [sys.executable, "-m", "agentconsole", "--home", str(home), "config", "path"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "logs").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "vault.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "vault.keys").stat().st_mode) == 0o600


def test_secure_path_permissions_only_removes_group_and_other_bits(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "exports").mkdir(parents=True)
    os.chmod(home, 0o755)
    os.chmod(home / "exports", 0o775)
    tool = home / "tool.sh"
    tool.write_text("#!/bin/sh\n")
    os.chmod(tool, 0o755)
    readonly = home / "exports" / "case.json"
    readonly.write_text("{}")
    os.chmod(readonly, 0o444)
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    os.chmod(outside, 0o644)
    (home / "link").symlink_to(outside)

    fixes, problems = secure_path_permissions(home)

    assert problems == []
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "exports").stat().st_mode) == 0o700
    assert stat.S_IMODE(tool.stat().st_mode) == 0o700  # owner bits kept
    assert stat.S_IMODE(readonly.stat().st_mode) == 0o400
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # symlinks are not followed
    assert sorted(f.path for f in fixes) == [".", "exports", "exports/case.json", "tool.sh"]
    assert secure_path_permissions(home) == ([], [])  # idempotent


def test_secure_path_permissions_refuses_the_users_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    os.chmod(tmp_path, 0o755)
    (tmp_path / "notes.txt").write_text("x")
    os.chmod(tmp_path / "notes.txt", 0o644)
    fixes, problems = secure_path_permissions(tmp_path)
    assert fixes == [] and "home directory" in problems[0]
    assert stat.S_IMODE((tmp_path / "notes.txt").stat().st_mode) == 0o644


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_secure_path_permissions_reports_files_of_another_user(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    foreign = home / "foreign.db"
    foreign.write_text("x")
    os.chmod(foreign, 0o644)
    os.chown(foreign, 12345, 12345)
    fixes, problems = secure_path_permissions(home)
    assert fixes == [] and "foreign.db is owned by uid 12345" in problems[0]
    assert stat.S_IMODE(foreign.stat().st_mode) == 0o644


def test_missing_data_dir_is_left_for_the_umask(tmp_path: Path) -> None:
    assert secure_path_permissions(tmp_path / "absent") == ([], [])
    assert not (tmp_path / "absent").exists()


CASE_TEXT = [
    "Refund for Jane Example, card 4111 1111 1111 1111",
    "case 42: address change",
    "<PERSON_1>",
    "Cases",  # even a label-looking string passed as a screen key is not echoed unless it is a key
]


@pytest.mark.parametrize("text", CASE_TEXT)
def test_sub_title_never_echoes_case_text(text: str) -> None:
    assert safe_sub_title(text) == ""
    assert not title_is_safe(text, "")
    assert not title_is_safe(SAFE_TERMINAL_TITLE, text) or text in SCREEN_LABELS.values()


def test_every_screen_has_a_fixed_safe_title() -> None:
    assert SAFE_TERMINAL_TITLE == "agentconsole"
    for screen, label in SCREEN_LABELS.items():
        assert safe_sub_title(screen) == label
        assert title_is_safe(SAFE_TERMINAL_TITLE, safe_sub_title(screen))
