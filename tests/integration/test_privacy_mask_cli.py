"""``agentconsole mask``: plain and JSONL modes, errors, one process for many lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], data: bytes, home: Path) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, AGENTCONSOLE_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "agentconsole", *args], input=data, capture_output=True, env=env, timeout=300
    )


def test_plain_mode_masks_a_transcript(agentconsole_home: Path) -> None:
    text = "Agent: hello\nCustomer: Hi, I'm Anna Berg, call me on +44 20 7946 0958.\nCustomer: anna.berg@example.org\n"
    proc = _run(["mask"], text.encode(), agentconsole_home)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "Anna" not in out and "7946" not in out and "anna.berg" not in out
    assert out.startswith("Agent: hello\nCustomer: Hi, I'm <PERSON_1>, call me on <PHONE_NUMBER_1>.")
    assert out.endswith("<EMAIL_ADDRESS_1>\n")


def test_jsonl_mode_one_case_per_line_then_clear_error(agentconsole_home: Path) -> None:
    lines = [
        {"text": "my name is john smith, email john@example.com"},
        {"text": "Dear Mei Tanaka, your order ORD-2024-55821 shipped."},
        {"text": ""},
        {"text": "emoji 👋🏽 and مرحبا then call +1 (555) 010-0199"},
    ]
    data = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode() + b'{"nope": 1}\n{"text": "x"}\n'
    proc = _run(["mask", "--jsonl"], data, agentconsole_home)
    assert proc.returncode == 65
    err = proc.stderr.decode().strip()
    assert err == 'agentconsole: error: line 5: expected a JSON object with a "text" string'
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert len(out) == 4  # every good line before the bad one, in order
    for record, row in zip(lines, out, strict=True):
        text = record["text"]
        for ent in row["entities"]:
            assert set(ent) == {"start", "end", "type", "placeholder", "score"}
            assert ent["placeholder"] in row["masked"]
            assert text[ent["start"] : ent["end"]].strip()  # offsets into the original text
    assert out[0]["masked"] == "my name is <PERSON_1>, email <EMAIL_ADDRESS_1>"
    assert out[1]["masked"].startswith("Dear <PERSON_1>,")  # each line is its own case
    assert out[2] == {"masked": "", "entities": []}
    assert out[3]["masked"].endswith("call <PHONE_NUMBER_1>")
    assert out[3]["masked"].startswith("emoji 👋🏽 and مرحبا")


def test_jsonl_invalid_json_names_the_line_without_echoing_it(agentconsole_home: Path) -> None:
    proc = _run(["mask", "--jsonl"], b'{"text": "ok"}\n{"text": "Anna Berg\n', agentconsole_home)
    assert proc.returncode == 65
    err = proc.stderr.decode()
    assert "line 2: not valid JSON" in err and "Anna" not in err
    assert len(proc.stdout.splitlines()) == 1


def test_jsonl_one_case_keeps_fields_shares_people_and_reimports(agentconsole_home: Path) -> None:
    from agentconsole.commands.import_cmd import parse_transcript

    lines = [
        {"role": "customer", "text": "Hi, Jonathan here. My kettle broke.", "time": "2026-01-05T09:00:00Z"},
        {"role": "agent", "text": "Sorry to hear that, Jonathan. Can you confirm your email?"},
        {"role": "customer", "text": "jonathan.whitaker@example.com\nRegards, Jonathan Whitaker"},
        {"role": "note", "text": "Mr Whitaker verified."},
    ]
    data = "".join(json.dumps(x) + "\n" for x in lines).encode()
    proc = _run(["mask", "--jsonl", "--one-case"], data, agentconsole_home)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [set(o) for o in out] == [set(x) for x in lines]
    assert [o["role"] for o in out] == [x["role"] for x in lines]
    assert out[0]["time"] == lines[0]["time"]
    assert out[0]["text"] == "Hi, <PERSON_1> here. My kettle broke."
    assert out[1]["text"] == "Sorry to hear that, <PERSON_1>. Can you confirm your email?"
    assert out[2]["text"] == "<EMAIL_ADDRESS_1>\nRegards, <PERSON_1>"
    assert out[3]["text"] == "Mr <PERSON_1> verified."
    assert "Whitaker" not in proc.stdout.decode() and "Jonathan" not in proc.stdout.decode()
    turns = parse_transcript(proc.stdout.decode().splitlines())  # what `agentconsole import` accepts
    assert [t[0] for t in turns] == ["customer", "agent", "customer", "note"]


def test_one_case_needs_jsonl(agentconsole_home: Path) -> None:
    proc = _run(["mask", "--one-case"], b"hello", agentconsole_home)
    assert proc.returncode != 0
    assert (
        proc.stderr.decode().strip()
        == "agentconsole: error: --one-case needs --jsonl (plain mode already masks all of stdin as one case)"
    )
