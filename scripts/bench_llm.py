#!/usr/bin/env python3
"""Benchmark: agentconsole's full draft path against raw llama-cpp-python, in one run.

Same model (the default GGUF), same messages, temperature 0, same seed and
max tokens. Repetitions are interleaved (ours, raw, ours, raw...) so machine
noise hits both alike.

* **ours**: ``ConsoleService.draft`` on a case in a real SQLCipher vault: the
  customer message was masked on the way in; the answer streams through the
  engine, the output masker and the placeholder restorer, and is stored in
  the vault when it ends.
* **raw**: ``Llama.create_chat_completion(stream=True)`` on a second
  ``Llama`` with the same parameters.

Printed: median decode tokens/s of both and the ratio (goal >= 0.97); time
to first token for a ~1,500-token prompt, cold (empty KV cache) and warm (the
same case asked again: its prefix is cached) and the ratio (goal <= 0.25);
peak RSS of a process running only our path (goal <= 400 MB).

Both sides load the model with the same context parameters (batch, threads,
KV cache type), OpenMP wait policy and CPU buffer policy
(``model.cpu_extra_buffers``; on machines whose AMX faults, raw llama.cpp
would otherwise crash).

Run: ``.venv/bin/python scripts/bench_llm.py [--reps 7] [--max-tokens 128]``
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agentconsole.config import ModelSettings, Settings  # noqa: E402

SEED = 42
#: Both sides sample with the console's default repetition penalty.
REPEAT_PENALTY = ModelSettings().repeat_penalty
PASSPHRASE = b"synthetic benchmark passphrase, not a secret"
# Synthetic customer data only.
CUSTOMER_MESSAGE = (
    "Hello, this is Maria Schneider (maria.schneider@example.org, +1 415 555 0134). "
    "Since yesterday's update the label printer in our Oakland warehouse prints blank labels. "
    "We restarted it twice and replaced the ribbon. Can you tell us what to try next?"
)
HISTORY_LINE = (
    "Ticket update {i}: the customer reports that shipment batch {i} was scanned at the dock, "
    "but the tracking page still shows 'label created'. The warehouse lead checked the scanner "
    "firmware, rebooted the gateway and confirmed the barcode format is unchanged."
)


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss it is not inherited from the parent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_settings(home: Path, max_tokens: int) -> Settings:
    return Settings(model=ModelSettings(temperature=0.0, seed=SEED, max_tokens=max_tokens, n_ctx=4096), home=home)


DRAFT_REQUEST = "Draft a short, polite reply to the customer's last message."


class ServicePath:
    """Ours, all of it: ConsoleService.draft on a case in a real vault."""

    label = "service (vault + masking + engine + output masker + restorer + persistence)"

    def __init__(self, home: Path, max_tokens: int) -> None:
        from agentconsole.service import ConsoleService

        self.service = ConsoleService(bench_settings(home, max_tokens))
        self.service.create_vault("bench", bytearray(PASSPHRASE))
        self.service.load_model()
        _ = self.service.privacy  # load spaCy + Presidio before timing anything
        self.engine = self.service.engine
        self.messages = [{"role": t.role, "content": t.content}
                         for t in self.service._turns_for(self._new_case(), "reply", None)]

    def _new_case(self) -> int:
        case_id = self.service.new_case("CUST-BENCH-0001", "Label printer prints blank labels")
        self.service.add_message(case_id, "customer", CUSTOMER_MESSAGE)
        return case_id

    def run(self) -> dict[str, Any]:
        case_id = self._new_case()  # identical content every time: identical prompt
        stream = self.service.draft(case_id, "reply")
        text = "".join(stream)
        stream.wait()
        stats = stream.stats
        return {"text": text, "tokens": stats.completion_tokens, "tok_s": stats.decode_tokens_per_s,
                "ttft_ms": stats.ttft_ms, "stored": stream.message_id is not None}

    def close(self) -> None:
        self.service.lock()


class CorePath:
    """Ours without the vault: masking in, engine, output masker + restorer out (the draft pipeline)."""

    label = "cores (masking + engine + output masker + restorer; no persistence)"

    def __init__(self, home: Path, max_tokens: int) -> None:
        from agentconsole.llm import DEFAULT_SYSTEM_PROMPT, build_engine
        from agentconsole.privacy import CaseMapping, PrivacyEngine

        settings = bench_settings(home, max_tokens)
        self.engine = build_engine(settings)
        self.engine.load()
        self.privacy = PrivacyEngine.from_settings(settings.privacy)
        self.mapping = CaseMapping.from_entries([])
        masked = self.privacy.mask(CUSTOMER_MESSAGE, self.mapping).masked
        self.messages = [
            {"role": "system", "content": DEFAULT_SYSTEM_PROMPT},
            {"role": "user", "content": f"Customer: {masked}"},
            {"role": "user", "content": DRAFT_REQUEST},
        ]

    def run(self) -> dict[str, Any]:
        from agentconsole.llm import ChatTurn
        from agentconsole.privacy import CaseMapping, OutputMasker, StreamRestorer

        mapping = CaseMapping.from_entries([])
        self.privacy.mask(CUSTOMER_MESSAGE, mapping)  # as when the message arrived
        masker, restorer = OutputMasker(self.privacy, mapping), StreamRestorer(mapping, restore_values=False)
        generation = self.engine.stream([ChatTurn(m["role"], m["content"]) for m in self.messages])
        parts = [restorer.feed(masker.feed(delta)) for delta in generation]
        parts.append(restorer.feed(masker.flush()) + restorer.flush())
        stats = generation.stats
        return {"text": "".join(parts), "tokens": stats.completion_tokens, "tok_s": stats.decode_tokens_per_s,
                "ttft_ms": stats.ttft_ms, "stored": False}

    def close(self) -> None:
        self.engine.close()


def open_ours(home: Path, max_tokens: int) -> Any:
    try:
        path: Any = ServicePath(home / "service", max_tokens)
        path.run()
        return path
    except Exception as exc:  # the service layer is optional for this benchmark
        print(f"note: service path unavailable ({type(exc).__name__}: {exc}); measuring the cores only",
              file=sys.stderr)
        return CorePath(home / "cores", max_tokens)


def run_raw(llm: Any, messages: list[dict[str, str]], max_tokens: int) -> dict[str, Any]:
    stamps: list[float] = []
    parts: list[str] = []
    started = time.perf_counter()
    for chunk in llm.create_chat_completion(
        messages=messages, stream=True, temperature=0.0, seed=SEED, max_tokens=max_tokens,
        repeat_penalty=REPEAT_PENALTY,
    ):
        content = chunk["choices"][0]["delta"].get("content")
        if content:
            stamps.append(time.perf_counter())
            parts.append(content)
    tok_s = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    return {"text": "".join(parts), "tokens": len(stamps), "tok_s": tok_s,
            "ttft_ms": (stamps[0] - started) * 1000 if stamps else 0.0}


def long_case_turns(engine: Any, target_tokens: int = 1500) -> list[Any]:
    """A synthetic case history whose prompt is about ``target_tokens`` long."""
    from agentconsole.llm import ChatTurn

    turns: list[Any] = []
    i = 0
    while True:
        role = "user" if i % 2 == 0 else "assistant"
        turns.append(ChatTurn(role, HISTORY_LINE.format(i=i)))
        i += 1
        if role == "assistant":
            continue
        if len(engine.prepare_prompt(turns, max_tokens=16).tokens) >= target_tokens:
            return turns


def ttft_cold_warm(engine: Any, reps: int) -> dict[str, Any]:
    from agentconsole.llm import ChatTurn

    turns = long_case_turns(engine)
    cold, warm, cached, prompt = [], [], [], 0
    for _ in range(reps):
        engine.reset_cache()
        first = engine.stream(turns, max_tokens=16, temperature=0.0, seed=SEED)
        answer = "".join(first)
        cold.append(first.stats.ttft_ms)
        prompt = first.stats.prompt_tokens
        follow_up = turns + [ChatTurn("assistant", answer), ChatTurn("user", "Summarize the case in one line.")]
        second = engine.stream(follow_up, max_tokens=16, temperature=0.0, seed=SEED)
        list(second)
        warm.append(second.stats.ttft_ms)
        cached.append(second.stats.cached_prompt_tokens)
    return {"prompt_tokens": prompt, "cold_ms": statistics.median(cold), "warm_ms": statistics.median(warm),
            "warm_cached_tokens": int(statistics.median(cached))}


def child(mode: str, max_tokens: int) -> None:
    """Run only our path and print the peak RSS (a separate process: no raw Llama in it)."""
    with tempfile.TemporaryDirectory(prefix="bench-llm-") as tmp:
        if mode == "engine":
            from agentconsole.llm import build_engine

            engine = build_engine(bench_settings(Path(tmp), max_tokens))
            engine.load()
            ttft_cold_warm(engine, 1)
        else:
            ours = open_ours(Path(tmp), max_tokens)
            ours.run()
            ttft_cold_warm(ours.engine, 1)
            ours.close()
        print(json.dumps({"peak_rss_mb": peak_rss_mb()}))


def child_rss(mode: str, max_tokens: int) -> float:
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--max-tokens", str(max_tokens)],
        capture_output=True, text=True, check=True,
    )
    return float(json.loads(result.stdout.strip().splitlines()[-1])["peak_rss_mb"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7, help="interleaved repetitions per side (default 7)")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--ttft-reps", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON object")
    parser.add_argument("--child", choices=("engine", "full"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.max_tokens)
        return 0

    from agentconsole.llm.native import import_llama_cpp

    with tempfile.TemporaryDirectory(prefix="bench-llm-") as tmp:
        path = open_ours(Path(tmp), args.max_tokens)
        engine, messages = path.engine, path.messages
        llama_cpp = import_llama_cpp()
        # The same context parameters as ours (batch, threads, KV cache type).
        raw = llama_cpp.Llama(
            model_path=str(engine.model.path), n_ctx=engine.n_ctx, verbose=False,
            **engine.context_options(llama_cpp),
        )
        path.run(), run_raw(raw, messages, args.max_tokens)  # warm-up: page in the weights
        ours, theirs = [], []
        for _ in range(args.reps):
            ours.append(path.run())
            theirs.append(run_raw(raw, messages, args.max_tokens))
        ttft = ttft_cold_warm(engine, args.ttft_reps)
        label = path.label
        path.close()
        main_rss = peak_rss_mb()
        del raw

    rss_engine = child_rss("engine", args.max_tokens)
    rss_full = child_rss("full", args.max_tokens)
    ours_tps = statistics.median(r["tok_s"] for r in ours)
    raw_tps = statistics.median(r["tok_s"] for r in theirs)
    same_text = all(o["text"] == r["text"] for o, r in zip(ours, theirs))
    ratio = ours_tps / raw_tps if raw_tps else 0.0
    ttft_ratio = ttft["warm_ms"] / ttft["cold_ms"] if ttft["cold_ms"] else 0.0

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"ours = {label}")
    print(f"model: {engine.model_name}  threads: {engine.threads}  n_ctx: {engine.n_ctx}  "
          f"max_tokens: {args.max_tokens}  reps: {args.reps} interleaved")
    print(f"decode tokens/s (median)   ours {ours_tps:7.1f}   raw {raw_tps:7.1f}   "
          f"ratio {ratio:.3f}  (goal >= 0.97: {verdict(ratio >= 0.97)})")
    paired = statistics.median(o["tok_s"] / r["tok_s"] for o, r in zip(ours, theirs) if r["tok_s"])
    print(f"  median of per-pair ratios (each ours rep against the raw rep right after it): {paired:.3f}")
    print("  per rep ours:", ", ".join(f"{r['tok_s']:.1f}" for r in ours))
    print("  per rep raw :", ", ".join(f"{r['tok_s']:.1f}" for r in theirs))
    print(f"  completion tokens ours {ours[0]['tokens']} raw {theirs[0]['tokens']}; "
          f"answers identical: {'yes' if same_text else 'no (ours masks/restores placeholders)'}; "
          f"drafts stored in the vault: {sum(r['stored'] for r in ours)}/{len(ours)}")
    print(f"TTFT {ttft['prompt_tokens']}-token prompt (median of {args.ttft_reps})   cold {ttft['cold_ms']:7.1f} ms   "
          f"warm {ttft['warm_ms']:7.1f} ms ({ttft['warm_cached_tokens']} tokens cached)   "
          f"ratio {ttft_ratio:.3f}  (goal <= 0.25: {verdict(ttft_ratio <= 0.25)})")
    print(f"peak RSS  our path, engine only {rss_engine:6.0f} MB   full path with PII engine + vault "
          f"{rss_full:6.0f} MB  (goal <= 400 MB: {verdict(rss_full <= 400)})   "
          f"this process (ours + raw Llama) {main_rss:6.0f} MB")
    if args.json:
        print(json.dumps({
            "decode_tok_s_ours": ours_tps, "decode_tok_s_raw": raw_tps, "ratio": ratio, "paired_ratio": paired,
            "ttft": ttft, "ttft_ratio": ttft_ratio, "peak_rss_mb_engine": rss_engine,
            "peak_rss_mb_full": rss_full, "peak_rss_mb_bench_process": main_rss,
        }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
