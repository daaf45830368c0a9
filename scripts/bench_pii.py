#!/usr/bin/env python3
"""PII quality and speed: our engine vs vanilla Presidio, same spaCy model, same run.

    .venv/bin/python scripts/bench_pii.py                  # both splits, messages <= 300 chars
    .venv/bin/python scripts/bench_pii.py --max-chars 0    # all messages
    .venv/bin/python scripts/bench_pii.py --errors tune    # print our misses / false alarms (tune split)

Scoring is about masking, the product's promise:

* a labeled entity counts as *masked* when >= 80% of its non-space characters
  lie inside detections (of any type); *typed* recall also wants the type right;
* a detection counts as *correct* when >= 50% of its non-space characters lie
  inside labeled entities; precision = correct / detections;
* F2 weighs recall twice as much as precision (a leak costs more than a chip).

Vanilla Presidio = ``AnalyzerEngine()`` defaults (all its recognizers, its
spaCy recognizer) on the same installed model, offline. It is scored twice:
everything it returns (its default), and at our threshold (0.4) without the
types it would flag but we never mask (DATE_TIME, NRP, LOCATION).
Latency: per message ``analyze`` wall time, interleaved, 3 rounds; median and p95.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import agentconsole  # noqa: E402,F401  (installs the air-gap guard first)

DATA = ROOT / "tests" / "data"
MUST_MASK = (
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS", "CREDIT_CARD", "IBAN_CODE",
    "ACCOUNT_NUMBER", "DATE_OF_BIRTH", "US_SSN", "PASSPORT", "DRIVER_LICENSE",
)
TYPE_ALIASES = {
    "STREET_ADDRESS": {"STREET_ADDRESS", "LOCATION"},
    "DATE_OF_BIRTH": {"DATE_OF_BIRTH", "DATE_TIME"},
    "ACCOUNT_NUMBER": {"ACCOUNT_NUMBER", "US_BANK_NUMBER"},
    "PASSPORT": {"PASSPORT", "US_PASSPORT"},
    "DRIVER_LICENSE": {"DRIVER_LICENSE", "US_DRIVER_LICENSE"},
}
VANILLA_NEVER_MASKED_BY_US = {"DATE_TIME", "NRP", "LOCATION"}


def load(split: str, max_chars: int) -> list[dict]:
    rows = []
    for line in (DATA / f"pii_{split}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if max_chars and len(row["text"]) > max_chars:
            continue
        rows.append(row)
    return rows


def _chars(text: str, start: int, end: int) -> set[int]:
    return {i for i in range(start, end) if not text[i].isspace()}


class Score:
    def __init__(self) -> None:
        self.gold = defaultdict(int)
        self.masked = defaultdict(int)
        self.typed = defaultdict(int)
        self.pred = defaultdict(int)
        self.correct = defaultdict(int)

    def add(self, text: str, gold: list[dict], preds: list[tuple[int, int, str]], errors: list | None = None) -> None:
        gold_chars: set[int] = set()
        for g in gold:
            gold_chars |= _chars(text, g["start"], g["end"])
        pred_chars: set[int] = set()
        typed_chars: dict[str, set[int]] = defaultdict(set)
        for s, e, t in preds:
            cs = _chars(text, s, e)
            pred_chars |= cs
            typed_chars[t] |= cs
        for g in gold:
            need = _chars(text, g["start"], g["end"])
            t = g["type"]
            self.gold[t] += 1
            if not need:
                continue
            ok = len(need & pred_chars) / len(need) >= 0.8
            self.masked[t] += ok
            accepted = TYPE_ALIASES.get(t, {t})
            got = set().union(*(typed_chars[a] for a in accepted)) if accepted else set()
            self.typed[t] += len(need & got) / len(need) >= 0.8
            if not ok and errors is not None:
                errors.append(("MISS", t, text[g["start"]:g["end"]], text))
        for s, e, t in preds:
            cs = _chars(text, s, e)
            self.pred[t] += 1
            good = bool(cs) and len(cs & gold_chars) / len(cs) >= 0.5
            self.correct[t] += good
            if not good and errors is not None:
                errors.append(("FALSE", t, text[s:e], text))

    def totals(self, types: tuple[str, ...] | None = None) -> tuple[float, float, float, float]:
        keys = types or tuple(self.gold)
        gold = sum(self.gold[k] for k in keys)
        recall = sum(self.masked[k] for k in keys) / gold if gold else 1.0
        typed = sum(self.typed[k] for k in keys) / gold if gold else 1.0
        pred = sum(self.pred.values())
        precision = sum(self.correct.values()) / pred if pred else 1.0
        return recall, typed, precision, f2(precision, recall)


def f2(p: float, r: float) -> float:
    return 5 * p * r / (4 * p + r) if p + r else 0.0


def vanilla_analyzer():
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from agentconsole.config import PrivacySettings

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": PrivacySettings().spacy_model}],
        }
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-chars", type=int, default=300, help="only messages up to this length (0 = all)")
    parser.add_argument("--rounds", type=int, default=3, help="latency rounds")
    parser.add_argument("--errors", choices=["tune", "heldout"], help="print our misses and false alarms for a split")
    parser.add_argument("--json", action="store_true", help="machine-readable summary")
    parser.add_argument(
        "--paste-kb", type=int, default=0,
        help="also time one big paste of this many KB (labeled messages joined by blank lines), ours vs vanilla",
    )
    args = parser.parse_args()

    from agentconsole.privacy import PrivacyEngine

    t0 = time.perf_counter()
    ours = PrivacyEngine.from_settings()
    t1 = time.perf_counter()
    vanilla = vanilla_analyzer()
    vanilla.analyze("warm up John Smith 555-010-0199", language="en")
    t2 = time.perf_counter()

    summary: dict = {"load_seconds": {"ours": round(t1 - t0, 2), "vanilla": round(t2 - t1, 2)}, "splits": {}}
    all_lat_ours: list[float] = []
    all_lat_van: list[float] = []
    for split in ("tune", "heldout"):
        rows = load(split, args.max_chars)
        s_ours, s_van, s_van_policy = Score(), Score(), Score()
        errors: list = [] if args.errors == split else None
        lat_ours: list[float] = []
        lat_van: list[float] = []
        for rnd in range(args.rounds):
            for row in rows:
                text = row["text"]
                a = time.perf_counter()
                dets = ours.analyze(text)
                b = time.perf_counter()
                vres = vanilla.analyze(text, language="en")
                c = time.perf_counter()
                lat_ours.append(b - a)
                lat_van.append(c - b)
                if rnd == 0:
                    s_ours.add(text, row["entities"], [(d.start, d.end, d.entity_type) for d in dets], errors)
                    s_van.add(text, row["entities"], [(r.start, r.end, r.entity_type) for r in vres])
                    s_van_policy.add(
                        text,
                        row["entities"],
                        [(r.start, r.end, r.entity_type) for r in vres
                         if r.score >= 0.4 and r.entity_type not in VANILLA_NEVER_MASKED_BY_US],
                    )
        all_lat_ours += lat_ours
        all_lat_van += lat_van
        split_summary = {
            "messages": len(rows),
            "entities": sum(len(r["entities"]) for r in rows),
            "per_entity": {},
            "overall": {},
            "latency_ms": {
                "ours": {"median": statistics.median(lat_ours) * 1e3, "p95": p95(lat_ours) * 1e3},
                "vanilla": {"median": statistics.median(lat_van) * 1e3, "p95": p95(lat_van) * 1e3},
            },
        }
        for name, score in (("ours", s_ours), ("vanilla", s_van), ("vanilla@0.4-policy", s_van_policy)):
            r, tr, p, f = score.totals()
            mr, _, _, mf = score.totals(tuple(t for t in MUST_MASK if score.gold[t]))
            split_summary["overall"][name] = {
                "recall": r, "typed_recall": tr, "precision": p, "f2": f, "must_mask_recall": mr,
            }
        for t in sorted(s_ours.gold):
            split_summary["per_entity"][t] = {
                "n": s_ours.gold[t],
                "ours_recall": s_ours.masked[t] / s_ours.gold[t],
                "ours_typed": s_ours.typed[t] / s_ours.gold[t],
                "vanilla_recall": s_van.masked[t] / s_van.gold[t],
            }
        split_summary["ours_precision_by_type"] = {
            t: {"n": s_ours.pred[t], "precision": s_ours.correct[t] / s_ours.pred[t]} for t in sorted(s_ours.pred)
        }
        summary["splits"][split] = split_summary
        if errors:
            for kind, t, value, text in errors:
                print(f"{kind:5} {t:16} {value!r:40} in {text!r}")
    summary["latency_ms_all"] = {
        "ours": {"median": statistics.median(all_lat_ours) * 1e3, "p95": p95(all_lat_ours) * 1e3},
        "vanilla": {"median": statistics.median(all_lat_van) * 1e3, "p95": p95(all_lat_van) * 1e3},
        "p95_ratio": p95(all_lat_ours) / p95(all_lat_van),
        "median_ratio": statistics.median(all_lat_ours) / statistics.median(all_lat_van),
    }
    if args.paste_kb:
        rows = load("tune", 0) + load("heldout", 0)
        paste, i = [], 0
        while sum(len(p) + 2 for p in paste) < args.paste_kb * 1000:
            paste.append(rows[i % len(rows)]["text"])
            i += 1
        text = "\n\n".join(paste)
        a = time.perf_counter()
        n_ours = len(ours.analyze(text))
        b = time.perf_counter()
        try:
            n_van: int | str = len(vanilla.analyze(text, language="en"))
        except Exception as exc:  # e.g. spaCy's max_length above 1,000,000 characters
            n_van = f"failed: {type(exc).__name__}"
        c = time.perf_counter()
        summary["paste"] = {
            "chars": len(text), "ours_seconds": b - a, "vanilla_seconds": c - b,
            "ours_entities": n_ours, "vanilla_entities": n_van,
        }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"model load: ours {summary['load_seconds']['ours']}s, vanilla {summary['load_seconds']['vanilla']}s")
    limit = f"<= {args.max_chars} chars" if args.max_chars else "all lengths"
    for split, s in summary["splits"].items():
        print(f"\n== {split}: {s['messages']} messages ({limit}), {s['entities']} labeled entities ==")
        print(f"{'engine':20} {'recall':>7} {'typed':>7} {'must':>7} {'prec':>7} {'F2':>7}")
        for name, o in s["overall"].items():
            print(f"{name:20} {o['recall']:7.3f} {o['typed_recall']:7.3f} {o['must_mask_recall']:7.3f} {o['precision']:7.3f} {o['f2']:7.3f}")
        print(f"{'entity':16} {'n':>4} {'ours':>7} {'typed':>7} {'vanilla':>8}")
        for t, e in s["per_entity"].items():
            print(f"{t:16} {e['n']:4d} {e['ours_recall']:7.3f} {e['ours_typed']:7.3f} {e['vanilla_recall']:8.3f}")
        print("our precision by detected type: " + ", ".join(
            f"{t} {v['precision']:.2f} ({v['n']})" for t, v in s["ours_precision_by_type"].items()))
        lat = s["latency_ms"]
        print(f"latency ms: ours median {lat['ours']['median']:.2f} p95 {lat['ours']['p95']:.2f} | "
              f"vanilla median {lat['vanilla']['median']:.2f} p95 {lat['vanilla']['p95']:.2f}")
    la = summary["latency_ms_all"]
    print(f"\nlatency (both splits): ours median {la['ours']['median']:.2f} ms, p95 {la['ours']['p95']:.2f} ms; "
          f"vanilla median {la['vanilla']['median']:.2f} ms, p95 {la['vanilla']['p95']:.2f} ms; "
          f"p95 ratio {la['p95_ratio']:.2f}x (goal <= 1.5x), median ratio {la['median_ratio']:.2f}x")
    if "paste" in summary:
        p = summary["paste"]
        print(f"big paste ({p['chars']} chars): ours {p['ours_seconds']:.1f} s ({p['ours_entities']} entities), "
              f"vanilla {p['vanilla_seconds']:.1f} s ({p['vanilla_entities']} entities)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
