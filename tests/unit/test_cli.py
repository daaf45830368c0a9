"""The CLI frame: --version, --help, one-line errors, --debug tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from agentconsole import __version__
from agentconsole.cli import COMMAND_MODULES, build_parser


def agentconsole(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "agentconsole", *args]
    return subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


def test_version() -> None:
    result = agentconsole("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"agentconsole {__version__}"


def test_help_lists_every_registered_command() -> None:
    result = agentconsole("--help")
    assert result.returncode == 0
    parser = build_parser()
    names = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert len(names) >= len(COMMAND_MODULES)
    for name in names:
        assert name in result.stdout


def test_bad_subcommand_is_one_line_and_nonzero() -> None:
    result = agentconsole("frobnicate")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "invalid choice: 'frobnicate'" in lines[0]
    assert "Traceback" not in result.stderr


def test_expected_failure_is_one_line_without_traceback(agentconsole_home: Path) -> None:
    (agentconsole_home / "config.toml").write_text("[ui]\nreveal_seconds = 'ten'\n")
    result = agentconsole("config", "show")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"agentconsole: error: config error in {agentconsole_home / 'config.toml'}: "
        "'ui.reveal_seconds' must be an integer, got str"
    ]


def test_debug_shows_the_traceback(agentconsole_home: Path) -> None:
    (agentconsole_home / "config.toml").write_text("[ui]\nreveal_seconds = 'ten'\n")
    result = agentconsole("--debug", "config", "show")
    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr
    assert "ConfigError" in result.stderr


def test_unexpected_error_points_at_the_log(agentconsole_home: Path, monkeypatch) -> None:
    from agentconsole import cli

    def boom(args, ctx):
        raise RuntimeError("internal detail")

    monkeypatch.setattr(cli, "_launch_console", boom)
    rc = cli.main([])
    assert rc == 70
    log_text = (agentconsole_home / "logs" / "agentconsole.log").read_text()
    assert "RuntimeError: internal detail" in log_text


def test_home_flag_overrides_the_environment(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    result = agentconsole("--home", str(other), "config", "path")
    assert result.returncode == 0
    assert result.stdout.strip() == str(other.resolve() / "config.toml")
