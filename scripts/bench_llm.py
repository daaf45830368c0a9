#!/usr/bin/env python3
"""Benchmark: agentconsole's own commands against raw llama-cpp-python, interleaved in one run.

Every measurement runs in a fresh child process, in rounds, so machine noise
(other users of the CPU) hits every side alike:

* **ask (ours)**: ``agentconsole ask --json --stats`` on a synthetic question;
* **draft (ours)**: ``agentconsole draft --json`` on a case in a real
  SQLCipher vault (masking, engine, output checks, storing the draft);
* **raw, same threads**: ``Llama.create_chat_completion(stream=True)`` with the
  very chat turns our command sends (system prompt included), the same
  context parameters (threads, batch, flash attention, KV cache type, CPU
  buffer policy) and the same sampling (temperature 0, seed, top-k 40,
  top-p, min-p 0.05, repeat penalty), one child for the ask prompt and one
  for the draft prompt;
* **raw, best threads**: the same at every thread count from 1 to the CPUs
  this process may use; the best median is reported.

Decode tokens/s is (tokens - 1) / (time of the last token - time of the
first) on every side; ours is what the command itself reports in its JSON.
Printed: the medians, the ratios ours/raw (goal >= 0.97 at the same thread
count) and the median of per-round ratios; prompt processing tokens/s for a
~1,500-token prompt (our engine cold against raw ``Llama.eval`` of the same
tokens, in this process, interleaved); peak RSS of each child (``wait4``).

On a shared machine absolute numbers move; compare the ratios.

Run: ``.venv/bin/python scripts/bench_llm.py [--rounds 5] [--max-tokens 128] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SEED = 42
PASSPHRASE = "synthetic benchmark passphrase, not a secret"
USER = "bench"
# Synthetic customer data only.
CUSTOMER_MESSAGE = (
    "Hello, this is Maria Schneider (maria.schneider@example.org, +1 415 555 0134). "
    "Since yesterday's update the label printer in our Oakland warehouse prints blank labels. "
    "We restarted it twice and replaced the ribbon. Can you tell us what to try next?"
)
QUESTION = "Explain in a few sentences how a thermal label printer works and why labels can come out blank."
HISTORY_LINE = (
    "Ticket update {i}: the customer reports that shipment batch {i} was scanned at the dock, "
    "but the tracking page still shows 'label created'. The warehouse lead checked the scanner "
    "firmware, rebooted the gateway and confirmed the barcode format is unchanged."
)

RAW_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
spec = json.loads(sys.argv[2])
from agentconsole.llm.native import extra_buffers_usable, import_llama_cpp, set_extra_buffers
llama_cpp = import_llama_cpp()
from pathlib import Path
set_extra_buffers(extra_buffers_usable(Path(spec["model"]), spec["extra_buffers"]))
options = spec["options"]
for key in ("type_k", "type_v"):
    if key in options:
        options[key] = getattr(llama_cpp, options[key])
llm = llama_cpp.Llama(model_path=spec["model"], n_ctx=spec["n_ctx"], verbose=False, **options)
stamps = []
for chunk in llm.create_chat_completion(
    messages=spec["messages"], stream=True, temperature=0.0, seed=spec["seed"], max_tokens=spec["max_tokens"],
    top_k=40, top_p=spec["top_p"], min_p=0.05, repeat_penalty=spec["repeat_penalty"],
):
    if chunk["choices"][0]["delta"].get("content"):
        stamps.append(time.perf_counter())
tok_s = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
print(json.dumps({"tok_s": tok_s, "tokens": len(stamps)}))
"""


# Children are started by this small launcher, itself started before the benchmark loads
# anything: a child's peak RSS (wait4) counts what it inherited at fork, so forking from the
# benchmark process (the model and the PII engine loaded) would report its size for every child.
LAUNCHER = r"""
import json, os, subprocess, sys, tempfile
for line in sys.stdin:
    job = json.loads(line)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(job["cmd"], stdout=out, stderr=err, env=job["env"])
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0); err.seek(0)
        print(json.dumps({"rc": os.waitstatus_to_exitcode(status), "stdout": out.read().decode(),
                          "stderr": err.read().decode(), "maxrss_kb": usage.ru_maxrss}), flush=True)
"""
_launcher: subprocess.Popen[str] | None = None


def start_launcher() -> None:
    global _launcher
    _launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[str, float]:
    """Run ``cmd`` through the launcher; return its stdout and its own peak RSS in MB."""
    assert _launcher is not None and _launcher.stdin is not None and _launcher.stdout is not None
    _launcher.stdin.write(json.dumps({"cmd": cmd, "env": env or dict(os.environ)}) + "\n")
    _launcher.stdin.flush()
    result = json.loads(_launcher.stdout.readline())
    if result["rc"] != 0:
        raise SystemExit(f"benchmark child failed ({' '.join(cmd[:4])}...): {result['stderr'].strip()[-400:]}")
    return result["stdout"], result["maxrss_kb"] / 1024.0


class Bench:
    def __init__(self, home: Path, max_tokens: int) -> None:
        from agentconsole.config import load_settings
        from agentconsole.service import ConsoleService

        self.home = home
        self.max_tokens = max_tokens
        self.env = {**os.environ, "AGENTCONSOLE_HOME": str(home), "PYTHONPATH": str(REPO)}
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(
            f"[model]\ntemperature = 0.0\nseed = {SEED}\nmax_tokens = {max_tokens}\n", encoding="utf-8"
        )
        self.passfile = home / "passphrase"
        self.passfile.write_text(PASSPHRASE + "\n", encoding="utf-8")
        self.service = ConsoleService(load_settings(home))
        self.service.create_vault(USER, bytearray(PASSPHRASE.encode()))
        self.case_id = self.service.new_case("CUST-BENCH-0001", "Label printer prints blank labels")
        self.service.add_message(self.case_id, "customer", CUSTOMER_MESSAGE)
        engine = self.service.engine
        engine.load()
        self.engine = engine
        self.threads = engine.threads
        self.draft_messages = self._as_messages(self.service._turns_for(self.case_id, "reply", None))
        from agentconsole.llm import DEFAULT_SYSTEM_PROMPT

        masked_question = self.service.privacy.mask(QUESTION, _empty_mapping()).masked
        self.ask_messages = [
            {"role": "system", "content": DEFAULT_SYSTEM_PROMPT},
            {"role": "user", "content": masked_question},
        ]
        self.service.lock()

    @staticmethod
    def _as_messages(turns: list[Any]) -> list[dict[str, str]]:
        return [{"role": t.role, "content": t.content} for t in turns]

    def cli(self, *args: str) -> tuple[dict[str, Any], float]:
        cmd = [sys.executable, "-m", "agentconsole", "--home", str(self.home), *args]
        stdout, rss = run_child(cmd, self.env)
        return json.loads(stdout.strip().splitlines()[-1]), rss

    def ask(self) -> tuple[float, float]:
        data, rss = self.cli(
            "ask",
            "--json",
            "--stats",
            "--max-tokens",
            str(self.max_tokens),
            "--temperature",
            "0",
            "--seed",
            str(SEED),
            QUESTION,
        )
        return data["stats"]["decode_tokens_per_s"], rss

    def draft(self) -> tuple[float, float]:
        data, rss = self.cli(
            "draft", "--case", str(self.case_id), "--json", "--user", USER, "--passphrase-file", str(self.passfile)
        )
        return data["stats"]["decode_tokens_per_s"], rss

    def raw(self, messages: list[dict[str, str]], threads: int) -> tuple[float, float]:
        import llama_cpp

        options = dict(self.engine.context_options(llama_cpp))
        options["n_threads"] = options["n_threads_batch"] = threads
        for key in ("type_k", "type_v"):
            if key in options:
                options[key] = next(
                    n for n in dir(llama_cpp) if n.startswith("GGML_TYPE_") and getattr(llama_cpp, n) == options[key]
                )
        model = self.engine._settings.model
        spec = {
            "model": str(self.engine.model.path),
            "n_ctx": self.engine.n_ctx,
            "options": options,
            "messages": messages,
            "seed": SEED,
            "max_tokens": self.max_tokens,
            "top_p": model.top_p,
            "repeat_penalty": model.repeat_penalty,
            "extra_buffers": model.cpu_extra_buffers,
        }
        stdout, rss = run_child([sys.executable, "-c", RAW_CHILD, str(REPO), json.dumps(spec)], self.env)
        return json.loads(stdout.strip().splitlines()[-1])["tok_s"], rss


def _empty_mapping() -> Any:
    from agentconsole.privacy import CaseMapping

    return CaseMapping.from_entries([])


def prompt_processing(engine: Any, reps: int) -> dict[str, Any]:
    """Tokens/s reading a ~1,500-token prompt from a cold cache: our engine against raw ``Llama.eval``."""
    import llama_cpp

    from agentconsole.llm import ChatTurn

    turns: list[Any] = []
    i = 0
    while True:
        turns.append(ChatTurn("user" if i % 2 == 0 else "assistant", HISTORY_LINE.format(i=i)))
        i += 1
        if i % 2 == 1 and len(engine.prepare_prompt(turns, max_tokens=1).tokens) >= 1500:
            break
    tokens = engine.prepare_prompt(turns, max_tokens=1).tokens
    raw = llama_cpp.Llama(
        model_path=str(engine.model.path), n_ctx=engine.n_ctx, verbose=False, **engine.context_options(llama_cpp)
    )
    ours, theirs = [], []
    for _ in range(reps):
        engine.reset_cache()
        generation = engine.stream(turns, max_tokens=1, temperature=0.0, seed=SEED)
        list(generation)
        ours.append(len(tokens) / (generation.stats.ttft_ms / 1000.0))
        raw.reset()
        started = time.perf_counter()
        raw.eval(tokens)
        theirs.append(len(tokens) / (time.perf_counter() - started))
    raw.close()
    return {"prompt_tokens": len(tokens), "ours": statistics.median(ours), "raw": statistics.median(theirs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--pp-reps", type=int, default=3, help="prompt-processing repetitions (default 3)")
    parser.add_argument(
        "--max-threads",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="highest thread count tried for raw's best (default: usable CPUs)",
    )
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON object")
    args = parser.parse_args()
    start_launcher()

    with tempfile.TemporaryDirectory(prefix="bench-llm-") as tmp:
        bench = Bench(Path(tmp) / "home", args.max_tokens)
        sweep = sorted({*range(1, args.max_threads + 1), bench.threads})
        results: dict[str, list[float]] = {"ask": [], "draft": [], "raw_ask": [], "raw_draft": []}
        rss: dict[str, float] = {}
        per_threads: dict[int, list[float]] = {t: [] for t in sweep}
        bench.ask(), bench.raw(bench.ask_messages, bench.threads)  # warm-up: page the weights in
        for _ in range(args.rounds):
            for key, run in (
                ("ask", bench.ask),
                ("raw_ask", lambda: bench.raw(bench.ask_messages, bench.threads)),
                ("draft", bench.draft),
                ("raw_draft", lambda: bench.raw(bench.draft_messages, bench.threads)),
            ):
                tok_s, peak = run()
                results[key].append(tok_s)
                rss[key] = max(rss.get(key, 0.0), peak)
            for threads in sweep:
                per_threads[threads].append(bench.raw(bench.ask_messages, threads)[0])
        pp = prompt_processing(bench.engine, args.pp_reps)
        bench.engine.close()

    med = {key: statistics.median(values) for key, values in results.items()}
    best_threads = max(per_threads, key=lambda t: statistics.median(per_threads[t]))
    best = statistics.median(per_threads[best_threads])

    def ratio(a: float, b: float) -> float:
        return a / b if b else 0.0

    def paired(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(results[a], results[b], strict=True) if y)

    def verdict(value: float) -> str:
        return "ok" if value >= 0.97 else "MISSED"

    print(
        f"model: {bench.engine.model_name}  threads (ours): {bench.threads}  max tokens: {args.max_tokens}  "
        f"rounds: {args.rounds} interleaved, one child process per measurement"
    )
    print("decode tokens/s, medians:")
    for ours, raw, label in (("ask", "raw_ask", "ask --json --stats"), ("draft", "raw_draft", "draft --json")):
        r = ratio(med[ours], med[raw])
        print(
            f"  {label:<20} ours {med[ours]:7.1f}   raw same threads {med[raw]:7.1f}   ratio {r:.3f} "
            f"(goal >= 0.97: {verdict(r)})   per-round ratio median {paired(ours, raw):.3f}   "
            f"vs raw best ({best_threads} threads) {ratio(med[ours], best):.3f}"
        )
    print(
        "  raw by threads (ask prompt): "
        + ", ".join(f"{t}: {statistics.median(v):.1f}" for t, v in per_threads.items())
    )
    for key in results:
        print(f"  per round {key:<9}: " + ", ".join(f"{v:.1f}" for v in results[key]))
    print(
        f"prompt processing, {pp['prompt_tokens']}-token prompt, cold cache: ours {pp['ours']:.0f} tok/s   "
        f"raw Llama.eval {pp['raw']:.0f} tok/s   ratio {ratio(pp['ours'], pp['raw']):.3f}"
    )
    print("peak RSS (MB, per child): " + "   ".join(f"{k} {v:.0f}" for k, v in rss.items()))
    if args.json:
        print(
            json.dumps(
                {
                    "threads": bench.threads,
                    "median_tok_s": med,
                    "raw_best_threads": best_threads,
                    "raw_best_tok_s": best,
                    "raw_by_threads": {t: statistics.median(v) for t, v in per_threads.items()},
                    "ratio_ask": ratio(med["ask"], med["raw_ask"]),
                    "ratio_draft": ratio(med["draft"], med["raw_draft"]),
                    "paired_ratio_ask": paired("ask", "raw_ask"),
                    "paired_ratio_draft": paired("draft", "raw_draft"),
                    "prompt_processing": pp,
                    "peak_rss_mb": rss,
                    "rounds": results,
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
