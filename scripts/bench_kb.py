"""Retrieval latency over a generated knowledge base of 1,000 articles (a real SQLCipher vault).

Articles are generated from a fixed seed (a few thousand made-up support words,
4-8 sections each) and stored through the vault's KB repository with the same
index terms an import computes; the PII screen is skipped (it is the PII
engine's cost, not retrieval's). Queries are paraphrase-like: words of one
article's section, shuffled, with a typo and filler words; a fifth are made of
words of no article. The full retriever (query building, typo correction,
synonyms, BM25, coverage, decline) is timed against its peer, the bare FTS5
BM25 query over the same index, interleaved in the same run.

    python scripts/bench_kb.py [--articles 1000] [--queries 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

PASSPHRASE = b"bench-kb passphrase"
SYLLABLES = ("ka", "lo", "mi", "ne", "tor", "vel", "sun", "dra", "pi", "qua", "ren", "sto", "bel", "fi", "gra", "mu")
FILLER = "hello please i have a question about my order thanks so much you are great".split()


def make_words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)

    from agentconsole.kb.retrieval import CANDIDATES, COLUMN_WEIGHTS, Retriever
    from agentconsole.kb.terms import index_terms
    from agentconsole.vault import Vault
    from agentconsole.vault.repositories.kb import NewPassage

    rng = random.Random(args.seed)
    vocabulary = make_words(rng, 6000)
    unused = make_words(random.Random(args.seed + 1), 400)
    unused = [w for w in unused if w not in set(vocabulary)]
    with tempfile.TemporaryDirectory(prefix="bench-kb-") as tmp:
        vault = Vault.create(Path(tmp) / "vault.db", "bench", bytearray(PASSPHRASE), role="supervisor")
        sections: list[list[str]] = []
        started = time.perf_counter()
        for n in range(args.articles):
            title_words = rng.sample(vocabulary, 3)
            title = " ".join(title_words).capitalize()
            passages = []
            for s in range(rng.randint(4, 8)):
                text_words = rng.sample(vocabulary, rng.randint(40, 90))
                sections.append(text_words)
                heading = " ".join(rng.sample(vocabulary, 2))
                text = " ".join(text_words) + "."
                passages.append(
                    NewPassage(heading, text, s * 3 + 1, index_terms(title), index_terms(heading), index_terms(text))
                )
            body = "\n\n".join(p.text for p in passages)
            vault.kb_save_article(f"a{n}.md", title, f"a{n}.md", body, str(n), "", passages, "bench")
        build_s = time.perf_counter() - started

        retriever = Retriever(vault)
        started = time.perf_counter()
        retriever.vocabulary()
        vocab_s = time.perf_counter() - started

        queries = []
        for q in range(args.queries):
            if q % 5 == 4:
                words = rng.sample(unused, 4)
            else:
                section = rng.choice(sections)
                words = [typo(rng, w) if rng.random() < 0.2 else w for w in rng.sample(section, rng.randint(3, 8))]
            words += rng.sample(FILLER, 4)
            rng.shuffle(words)
            queries.append(" ".join(words))

        full: list[float] = []
        bare: list[float] = []
        for text in queries:  # interleaved: the same load for both
            t0 = time.perf_counter()
            retriever.search(text, limit=5)
            t1 = time.perf_counter()
            plain = " OR ".join(f'"{w}"' for w in index_terms(text).split())
            vault.kb_match(plain, COLUMN_WEIGHTS, CANDIDATES)
            t2 = time.perf_counter()
            full.append((t1 - t0) * 1000)
            bare.append((t2 - t1) * 1000)
        vault.lock()
    passages_total = len(sections)
    print(f"articles {args.articles}, passages {passages_total}, queries {len(queries)}")
    print(f"build {build_s:.1f} s (repository inserts), vocabulary cache {vocab_s * 1000:.0f} ms (once per KB change)")
    print(f"retriever  p50 {statistics.median(full):6.2f} ms   p95 {percentile(full, 0.95):6.2f} ms")
    print(f"bare FTS5  p50 {statistics.median(bare):6.2f} ms   p95 {percentile(bare, 0.95):6.2f} ms")
    print(f"ratio p95 retriever / bare FTS5: {percentile(full, 0.95) / max(percentile(bare, 0.95), 1e-9):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
