"""Every CLI output path with hostile text: nothing a terminal would interpret reaches stdout or stderr.

A customer reference, a message and a file name carry OSC 52 (clipboard
write), OSC 0 (title), ESC[2J, OSC 8 (hyperlink), the 8-bit CSI U+009B,
bidi overrides and Rich markup. Real vault, real PII engine, the real CLI
entry point; ``ask`` uses a scripted model (its answer is the hostile part).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from vault_access import vault_outside_the_service

from agentconsole.cli import main
from agentconsole.config import load_settings
from agentconsole.service import ConsoleService

PASS = "supervisor passphrase"
HOSTILE = (
    "\x1b]52;c;ZXZpbA==\x07 \x1b]0;owned\x07 \x1b[2J \x1b]8;;http://evil.example/\x1b\\here\x1b]8;;\x1b\\ "
    "\x9b2J \u202eevil\u202c [reverse]EVIL[/reverse]"
)
REF = "C1\x1b]0;title\x07\u202e"
MESSAGE = f"I am Grace Hopper, {HOSTILE}\rsecond line"
#: Anything a terminal would act on: C0 (but TAB and LF), DEL, C1, bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def assert_inert(text: str) -> None:
    found = UNSAFE.search(text)
    assert found is None, f"raw {found.group(0)!r} in output: {text!r}"


@pytest.fixture
def home(agentconsole_home: Path, tmp_path: Path) -> Path:
    (tmp_path / "sue.pass").write_text(PASS + "\n")
    assert run(agentconsole_home, tmp_path, "init") == 0
    service = ConsoleService(load_settings(agentconsole_home))
    service.unlock("sue", bytearray(PASS.encode()))
    try:
        # a vault from before the reference check: rows planted directly
        with vault_outside_the_service(service, "sue", PASS) as vault:
            case = vault.create_case(vault.upsert_customer(REF), f"Refund {HOSTILE}")
            vault.add_message(case, "customer", MESSAGE.replace("Grace Hopper", "<PERSON_1>"))
            vault.add_pii_values(case, [("<PERSON_1>", "PERSON", "Grace Hopper")])
        service.record_consent(REF, True)
    finally:
        service.lock()
    return agentconsole_home


def run(home: Path, secrets_dir: Path, *args: str) -> int:
    return main(["--home", str(home), *args, "--user", "sue", "--passphrase-file", str(secrets_dir / "sue.pass")])


def test_export_md_and_json(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, tmp_path, "export", "--customer", REF, "--format", "md") == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert "Grace Hopper" in out and "␛]52;c;ZXZpbA==␇" in out and "\\u009b2J" in out
    assert "I am Grace Hopper" in out and "\nsecond line" in out  # CR shown as a line break

    assert run(home, tmp_path, "export", "--customer", REF, "--format", "json") == 0
    out = capsys.readouterr().out
    assert_inert(out)
    data = json.loads(out)  # lossless: the JSON still holds exactly what is stored
    assert data["cases"][0]["messages"][0]["text"] == MESSAGE
    assert "\\u009b" in out

    target = tmp_path / "export.md"
    assert run(home, tmp_path, "export", "--customer", REF, "--format", "md", "--out", str(target)) == 0
    assert_inert(target.read_text(encoding="utf-8") + capsys.readouterr().out)


def test_audit_show_and_consent_show(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, tmp_path, "audit", "show") == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert "consent.give" in out
    assert run(home, tmp_path, "audit", "show", "--json") == 0
    out = capsys.readouterr().out
    assert_inert(out)
    subjects = [json.loads(line)["subject"] for line in out.splitlines()]
    assert f"customer:{REF}" in subjects  # escaped in the JSON, unchanged in the data
    assert run(home, tmp_path, "consent", "show", "--customer", REF) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert "C1␛]0;title␇\\u202e: consent to AI processing given" in out


def test_errors_and_import(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no\x1b]0;t\x07such.jsonl"
    assert run(home, tmp_path, "import", str(missing), "--customer", REF) != 0
    captured = capsys.readouterr()
    assert_inert(captured.err + captured.out)
    assert "no such file" in captured.err and "␛]0;t␇" in captured.err

    transcript = tmp_path / "t.jsonl"
    transcript.write_text(json.dumps({"role": "customer", "text": MESSAGE}) + "\n{broken " + HOSTILE + "\n")
    assert run(home, tmp_path, "import", str(transcript), "--customer", REF) != 0
    captured = capsys.readouterr()
    assert_inert(captured.err + captured.out)
    assert "line 2" in captured.err

    transcript.write_text(json.dumps({"role": "customer", "text": MESSAGE}) + "\n")
    assert run(home, tmp_path, "import", str(transcript), "--customer", REF) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().isdigit()


def test_argparse_errors_are_inert(home: Path) -> None:
    # argparse quotes an invalid choice with repr(), but lists unrecognized arguments as they are
    result = subprocess.run(
        [sys.executable, "-m", "agentconsole", "--home", str(home), "export", "--customer", "x", HOSTILE],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert_inert(result.stderr)
    assert "unrecognized arguments" in result.stderr and "␛]52;c;ZXZpbA==␇" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _mask(args: list[str], data: bytes, home: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "agentconsole", "--home", str(home), "mask", *args],
        input=data,
        capture_output=True,
        timeout=300,
    )


def test_mask_plain_and_jsonl(agentconsole_home: Path) -> None:
    text = f"Hello, I am Grace Hopper. {HOSTILE}\r\nbye"
    result = _mask([], text.encode(), agentconsole_home)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert_inert(out)
    assert "<PERSON_1>" in out and "Grace Hopper" not in out and "␛[2J" in out and out.endswith("\nbye")

    line = json.dumps({"text": text}, ensure_ascii=False).encode() + b"\n"
    result = _mask(["--jsonl"], line, agentconsole_home)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert_inert(out)
    record = json.loads(out)
    assert "<PERSON_1>" in record["masked"] and "\x9b2J" in record["masked"]  # lossless in the JSON
    assert "\\u009b" in out and "\\u202e" in out


class ScriptedGeneration:
    def __init__(self, deltas: list[str]) -> None:
        self.deltas = deltas
        from agentconsole.llm import GenerationStats

        self.stats = GenerationStats()

    def __iter__(self):
        yield from self.deltas

    def cancel(self) -> None:
        pass


class ScriptedEngine:
    model_name = "scripted"

    def load(self, progress=None) -> None:
        pass

    def stream(self, turns, **kwargs) -> ScriptedGeneration:
        return ScriptedGeneration(["Sure.\r", "\n", HOSTILE[:9], HOSTILE[9:], " done"])

    def close(self) -> None:
        pass


def test_ask_streams_inert_text_and_inert_json(
    monkeypatch: pytest.MonkeyPatch, agentconsole_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import agentconsole.llm

    monkeypatch.setattr(agentconsole.llm, "build_engine", lambda settings, override=None: ScriptedEngine())
    assert main(["--home", str(agentconsole_home), "ask", "--no-mask", "hello"]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert out.startswith("Sure.\n␛]52;c;ZXZpbA==␇") and "\\u009b2J" in out
    assert main(["--home", str(agentconsole_home), "ask", "--no-mask", "--json", "hello"]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert json.loads(out)["text"] == "Sure.\r\n" + HOSTILE + " done"
