"""The vault commands end to end (real vault files), and passphrase reading."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentconsole import cli
from agentconsole.commands import passphrase as pp
from agentconsole.errors import AgentConsoleError
from agentconsole.vault import Vault

ALICE, BOB = "alice-cli-passphrase", "bob-cli-passphrase"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text + "\n")
    return str(path)


def _run(home: Path, *args: str) -> int:
    return cli.main(["--home", str(home), *args])


def _as_alice(tmp_path: Path) -> list[str]:
    return ["--user", "alice", "--passphrase-file", _file(tmp_path, "alice.pass", ALICE)]


def test_init_creates_a_supervisor_and_refuses_to_overwrite(home: Path, tmp_path: Path, capsys) -> None:
    assert _run(home, "init", *_as_alice(tmp_path)) == 0
    assert "with supervisor alice" in capsys.readouterr().out
    before = (home / "vault.db").read_bytes()
    assert _run(home, "init", *_as_alice(tmp_path)) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (home / "vault.db").read_bytes() == before
    with Vault.unlock(home / "vault.db", "alice", bytearray(ALICE.encode())) as v:
        assert v.role == "supervisor"


def test_user_management_needs_a_supervisor(home: Path, tmp_path: Path, capsys) -> None:
    alice = _as_alice(tmp_path)
    assert _run(home, "init", *alice) == 0
    bob_file = _file(tmp_path, "bob.pass", BOB)
    assert _run(home, "user", "add", "bob", "--role", "agent", *alice, "--new-passphrase-file", bob_file) == 0
    capsys.readouterr()
    assert _run(home, "user", "list", *alice) == 0
    assert capsys.readouterr().out.split() == ["alice", "supervisor", "bob", "agent"]
    assert _run(home, "user", "list", "--user", "bob", "--passphrase-file", bob_file) == 3
    assert "not allowed to manage users" in capsys.readouterr().err
    assert _run(home, "user", "remove", "alice", *alice) == 1
    assert "at least one supervisor" in capsys.readouterr().err
    assert _run(home, "user", "remove", "bob", *alice) == 0
    capsys.readouterr()
    assert _run(home, "user", "list", *alice) == 0
    assert capsys.readouterr().out.split() == ["alice", "supervisor"]


def test_passwd_and_rekey_from_the_command_line(home: Path, tmp_path: Path, capsys) -> None:
    alice = _as_alice(tmp_path)
    assert _run(home, "init", *alice) == 0
    new_file = _file(tmp_path, "new.pass", "alice-second-passphrase")
    assert _run(home, "passwd", *alice, "--new-passphrase-file", new_file) == 0
    assert _run(home, "rekey", *alice) == 1
    assert "wrong passphrase or user name" in capsys.readouterr().err
    assert _run(home, "rekey", "--user", "alice", "--passphrase-file", new_file) == 0
    assert _run(home, "vault", "check", "--user", "alice", "--passphrase-file", new_file) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("OK: every page verifies")


def test_two_passphrases_from_stdin_in_a_real_process(home: Path, tmp_path: Path) -> None:
    assert _run(home, "init", *_as_alice(tmp_path)) == 0
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentconsole",
            "--home",
            str(home),
            "user",
            "add",
            "carol",
            "--role",
            "auditor",
            "--user",
            "alice",
            "--passphrase-stdin",
            "--new-passphrase-stdin",
        ],
        input=f"{ALICE}\ncarol-cli-passphrase\n",
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "AGENTCONSOLE_HOME": str(home)},
    )
    assert result.returncode == 0, result.stderr
    assert ALICE not in result.stdout + result.stderr
    with Vault.unlock(home / "vault.db", "carol", bytearray(b"carol-cli-passphrase")) as v:
        assert v.role == "auditor"


def _args(**kw: object) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    pp.add_passphrase_options(parser)
    pp.add_passphrase_options(parser, new=True)
    ns = parser.parse_args([])
    for k, v in kw.items():
        setattr(ns, k, v)
    return ns


def test_passphrase_file_drops_only_the_line_end(tmp_path: Path) -> None:
    path = tmp_path / "p"
    path.write_bytes(b"  spaced passphrase \r\nsecond line ignored\n")
    got = pp.read_passphrase(_args(passphrase_file=path), "p: ")
    assert isinstance(got, bytearray) and got == bytearray(b"  spaced passphrase ")


def test_stdin_gives_one_line_per_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"first-passphrase\nsecond-passphrase\n")))
    args = _args(passphrase_stdin=True, new_passphrase_stdin=True)
    assert pp.read_passphrase(args, "p: ") == bytearray(b"first-passphrase")
    assert pp.read_passphrase(args, "p: ", confirm=True, new=True) == bytearray(b"second-passphrase")


def test_new_passphrases_are_confirmed_and_long_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["first-attempt-1", "first-attempt-2"])
    monkeypatch.setattr(pp, "_has_terminal", lambda: True)
    monkeypatch.setattr(pp.getpass, "getpass", lambda prompt: next(answers))
    with pytest.raises(AgentConsoleError, match="differ"):
        pp.read_passphrase(_args(), "new: ", confirm=True)
    answers = iter(["short", "short"])
    with pytest.raises(AgentConsoleError, match="at least 8"):
        pp.read_passphrase(_args(), "new: ", confirm=True)
    answers = iter(["long-enough-one", "long-enough-one"])
    assert pp.read_passphrase(_args(), "new: ", confirm=True) == bytearray(b"long-enough-one")


def test_missing_terminal_and_empty_passphrase_are_clear(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pp, "_has_terminal", lambda: False)
    with pytest.raises(AgentConsoleError, match="--passphrase-file"):
        pp.read_passphrase(_args(), "p: ")
    empty = tmp_path / "empty"
    empty.write_bytes(b"\n")
    with pytest.raises(AgentConsoleError, match="empty"):
        pp.read_passphrase(_args(passphrase_file=empty), "p: ")
    with pytest.raises(AgentConsoleError, match="cannot read passphrase file"):
        pp.read_passphrase(_args(passphrase_file=tmp_path / "absent"), "p: ")
