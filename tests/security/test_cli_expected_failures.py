"""Every expected failure is one line on stderr with a non-zero exit, never a traceback or a hang;
size limits; consent and customer references; erasure confirmation on a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from agentconsole.config import load_settings
from agentconsole.service import ConsoleService, PersonalReference, UnknownCustomer

PASS = "cli-failures-passphrase"


def run(*args: str, home: Path, stdin: bytes | None = None, timeout: int = 120) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "agentconsole", *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        env={**os.environ, "AGENTCONSOLE_HOME": str(home)},
        timeout=timeout,
        start_new_session=True,
    )


def one_line_error(result: subprocess.CompletedProcess[bytes]) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode not in (0, 70), (result.returncode, err)
    assert "Traceback" not in err and "unexpected" not in err, err
    assert err.count("\n") == 1 and err.startswith("agentconsole: error: "), err
    return err.strip()


@pytest.fixture
def vault_home(agentconsole_home: Path, tmp_path: Path) -> Path:
    service = ConsoleService(load_settings(agentconsole_home))
    service.create_vault("alice", bytearray(PASS.encode()))
    service.lock()
    (tmp_path / "pass").write_text(PASS + "\n")
    return agentconsole_home


@pytest.mark.parametrize("command", [[], ["config", "show"], ["models"], ["audit", "show"], ["init"], ["doctor"]])
def test_a_config_file_that_is_not_utf8_is_one_line_for_every_command(
    agentconsole_home: Path, command: list[str]
) -> None:
    (agentconsole_home / "config.toml").write_bytes(b'[ui]\ntheme = "\xff\xfe"\n')
    err = one_line_error(run(*command, home=agentconsole_home))
    assert "config.toml: not UTF-8 text" in err


def test_a_file_as_the_data_directory_is_one_line(agentconsole_home: Path) -> None:
    err = one_line_error(run("--home", "/etc/passwd", "config", "show", home=agentconsole_home))
    assert err == "agentconsole: error: the data directory /etc/passwd exists and is not a directory"
    err = one_line_error(run("--home", "/etc/passwd/sub", "config", "show", home=agentconsole_home))
    assert err.startswith("agentconsole: error: cannot create the data directory /etc/passwd/sub")


def test_importing_a_directory_is_one_line(vault_home: Path, tmp_path: Path) -> None:
    err = one_line_error(
        run("import", str(tmp_path), "--customer", "C-1", "--passphrase-file", str(tmp_path / "pass"), home=vault_home)
    )
    assert err == f"agentconsole: error: {tmp_path} is a directory, not a file"


def test_importing_binary_data_is_one_line(vault_home: Path, tmp_path: Path) -> None:
    blob = tmp_path / "blob.jsonl"
    blob.write_bytes(b'{"role": "customer", "text": "\xff\xfe"}\n')
    err = one_line_error(
        run("import", str(blob), "--customer", "C-1", "--passphrase-file", str(tmp_path / "pass"), home=vault_home)
    )
    assert "is not UTF-8 text" in err


def test_binary_stdin_to_ask_is_one_line(agentconsole_home: Path) -> None:
    err = one_line_error(run("ask", "-", home=agentconsole_home, stdin=b"caf\xe9 \xff\xfe\x00 question"))
    assert err == "agentconsole: error: the question on standard input is not UTF-8 text (byte 3)"


def test_an_oversized_question_is_refused_before_reading_it_all(agentconsole_home: Path) -> None:
    (agentconsole_home / "config.toml").write_text("[limits]\nmax_message_bytes = 2048\n")
    err = one_line_error(run("ask", "-", home=agentconsole_home, stdin=b"x" * 5000))
    assert "over the limit of 2048 bytes (limits.max_message_bytes)" in err


def test_the_console_without_a_terminal_says_so_and_exits(agentconsole_home: Path) -> None:
    err = one_line_error(run(home=agentconsole_home, timeout=60))  # stdin /dev/null, stdout a pipe
    assert err.startswith("agentconsole: error: the console needs a terminal")
    err = one_line_error(run("demo", home=agentconsole_home, timeout=60))
    assert err.startswith("agentconsole: error: the demo needs a terminal")


# --- size limits ----------------------------------------------------------------------------


def test_size_limits_on_messages_and_imports(vault_home: Path, tmp_path: Path) -> None:
    service = ConsoleService(load_settings(vault_home))
    assert service.settings.limits.max_message_bytes >= 1_000_000
    service.unlock("alice", bytearray(PASS.encode()))
    try:
        case_id = service.new_case("C-1", "limits")
        limit = service.settings.limits.max_message_bytes
        service.add_message(case_id, "customer", "é" * (limit // 2))  # exactly the limit in UTF-8 bytes
        with pytest.raises(Exception, match=rf"the message is {limit + 1:,} bytes, over the limit of {limit:,}"):
            service.add_message(case_id, "customer", "é" * (limit // 2) + "x")
        with pytest.raises(Exception, match="message 2 of the transcript is"):
            service.import_transcript("C-1", "big", [("customer", "ok", None), ("customer", "x" * (limit + 1), None)])
        assert len(service.list_cases()) == 1  # nothing imported
    finally:
        service.lock()
    (vault_home / "config.toml").write_text("[limits]\nmax_message_bytes = 1024\nmax_import_bytes = 4096\n")
    big = tmp_path / "big.jsonl"
    big.write_text('{"role": "customer", "text": "' + "y" * 5000 + '"}\n')
    err = one_line_error(
        run("import", str(big), "--customer", "C-1", "--passphrase-file", str(tmp_path / "pass"), home=vault_home)
    )
    assert err == f"agentconsole: error: the transcript {big} is over the limit of 4096 bytes (limits.max_import_bytes)"


# --- consent and customer references ------------------------------------------------------------


def test_consent_is_refused_for_an_unknown_customer(vault_home: Path, tmp_path: Path) -> None:
    err = one_line_error(
        run(
            "consent",
            "give",
            "--customer",
            "C-404",
            "--passphrase-file",
            str(tmp_path / "pass"),
            "--user",
            "alice",
            home=vault_home,
        )
    )
    assert (
        err
        == "agentconsole: error: no customer C-404 in this vault: check the reference (consent is kept per customer)"
    )
    service = ConsoleService(load_settings(vault_home))
    service.unlock("alice", bytearray(PASS.encode()))
    try:
        with pytest.raises(UnknownCustomer):
            service.consent_history("C-404")
        service.new_case("C-1", "consent")
        service.record_consent("C-1", True)
        assert service.consent_given("C-1")
        assert [c.ref for c in service.require("work_cases").list_customers()] == ["C-1"]  # no C-404 created
    finally:
        service.lock()


@pytest.mark.parametrize(
    "ref",
    [
        "Marta Kowalczyk",
        "marta.kowalczyk@example.com",
        "+442079460958",
        "4111111111111111",
        "DE89370400440532013000",
        "Jonas",
        "MartaKowalczyk",
    ],
)
def test_customer_references_that_are_personal_data_are_refused(vault_home: Path, ref: str) -> None:
    service = ConsoleService(load_settings(vault_home))
    service.unlock("alice", bytearray(PASS.encode()))
    try:
        with pytest.raises(PersonalReference, match="use a CRM or ticket id such as C-1042"):
            service.new_case(ref, "a case")
        with pytest.raises(PersonalReference):
            service.import_transcript(ref, "a case", [("customer", "hello", None)])
        assert service.list_cases() == []
        for good in ("C-1042", "CRM-88123", "TICKET-2026-0042"):
            service.new_case(good, "fine")
    finally:
        service.lock()


# --- erasure asks on a terminal -------------------------------------------------------------------


def _erase_on_a_terminal(home: Path, secret: Path, answer: str) -> tuple[int, str]:
    """Run ``erase`` with a pty as its controlling terminal; returns its exit code and all it wrote.

    The prompt is read from the pty; stdout and stderr go to a file, read after the child has
    exited, so the last line is never lost to the pty closing under the reader.
    """
    streams = secret.parent / f"erase-{answer}.out"
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is its controlling terminal
        out_fd = os.open(streams, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.environ["AGENTCONSOLE_HOME"] = str(home)
        os.execv(
            sys.executable,
            [
                sys.executable,
                "-m",
                "agentconsole",
                "erase",
                "--customer",
                "C-1",
                "--user",
                "alice",
                "--passphrase-file",
                str(secret),
            ],
        )
    output = b""
    answered = False
    while True:
        ready, _, _ = select.select([fd], [], [], 120)
        assert ready, f"no output from erase: {output!r}"
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"type the reference to confirm" in output:
            os.write(fd, answer.encode() + b"\r")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    written = output + streams.read_bytes()
    return os.waitstatus_to_exitcode(status), written.decode("utf-8", "replace")


def test_erase_asks_to_type_the_reference_on_a_terminal(vault_home: Path, tmp_path: Path) -> None:
    service = ConsoleService(load_settings(vault_home))
    service.unlock("alice", bytearray(PASS.encode()))
    service.new_case("C-1", "to erase")
    service.lock()
    code, out = _erase_on_a_terminal(vault_home, tmp_path / "pass", "C-2")
    assert code == 2 and "not confirmed; nothing was erased" in out
    code, out = _erase_on_a_terminal(vault_home, tmp_path / "pass", "C-1")
    assert code == 0 and "erased customer C-1: 1 cases" in out


def test_erase_without_a_terminal_needs_yes(vault_home: Path, tmp_path: Path) -> None:
    err = one_line_error(
        run(
            "erase",
            "--customer",
            "C-1",
            "--user",
            "alice",
            "--passphrase-file",
            str(tmp_path / "pass"),
            home=vault_home,
        )
    )
    assert err == "agentconsole: error: erasure cannot be undone: confirm with --yes"
