#!/usr/bin/env python3
"""Benchmark: the encrypted vault against plain SQLite, measured interleaved in the same run.

Peer: the same SQLite engine (the SQLCipher build bundled with sqlcipher3,
opened *without* a key, so no encryption), same schema (the vault's own
migrations), same pragmas (WAL, synchronous=NORMAL, secure_delete,
foreign_keys, temp_store=MEMORY), same SQL per message (one transaction:
insert + case activity update; every ``SEARCH_BATCH`` messages, and before
each search, the pending messages go into the FTS index, as the vault does
since its migration 4), the vault's own search statement
(``repositories.SEARCH_SQL``). A second peer, ``plain-eager``, indexes each
message in its own transaction (the vault's schema before migration 4: what
the vault was measured against until then). The vault sides go through the
public ``Vault`` API, so they pay its per-commit work too (commit counter,
seal write).

Each side runs in its own process (``cipher_memory_security`` is process-wide);
the parent drives them batch by batch, rotating the order every round, so a
machine loaded by others slows every side alike. Printed: per side, the median
of the per-round ratios against the first side (and the ratio of the totals),
search p95, unlock time with the default Argon2id parameters. Sides: plain
SQLite with the same SQL, plain SQLite indexing each message, the vault as
shipped (``cipher_memory_security`` off; the default sides), and on request
the vault with it on (see docs/vault.md, Performance). CPU time is the fairer column on a
machine shared with other jobs.

    .venv/bin/python scripts/bench_vault.py --messages 50000
    .venv/bin/python scripts/bench_vault.py --messages 20000 --sides plain,plain-eager,vault,vault-memsec
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agentconsole.vault import Vault, database, fts_query
from agentconsole.vault.keyslots import KdfParams, derive_kek, zero
from agentconsole.vault.repositories import SEARCH_SQL
from agentconsole.vault.repositories.cases import SEARCH_BATCH, index_pending, indexed_through
from agentconsole.vault.schema import MIGRATIONS

#: The vault's schema before migration 4 (the FTS trigger indexes every message at once).
EAGER_MIGRATIONS = MIGRATIONS[:3]

PASSPHRASE = b"benchmark-passphrase-not-secret"

PRODUCTS = [
    "printer",
    "router",
    "laptop",
    "invoice",
    "subscription",
    "modem",
    "headset",
    "monitor",
    "account",
    "license",
]
PROBLEMS = [
    "keeps disconnecting every few minutes",
    "shows error code E{n} on startup",
    "was charged twice this month",
    "cannot reset the password",
    "stopped syncing after the update",
    "arrived with a cracked screen",
    "is very slow since yesterday",
    "does not power on anymore",
    "refund has not arrived yet",
    "login fails with an invalid token",
    "firmware upgrade failed halfway",
    "paper jam in tray {n}",
]
OPENERS = ["Hi,", "Hello team,", "Good morning,", "Hey,", "Dear support,", "Hi again,"]
DETAILS = [
    "My name is <PERSON_1> and my email is <EMAIL_ADDRESS_1>.",
    "Order number {n} was placed last week.",
    "I already tried restarting it twice.",
    "The serial number is SN{n}.",
    "Please call me at <PHONE_NUMBER_1>.",
    "This is urgent because we have a deadline on Friday.",
    "I attached a screenshot of the message.",
    "It worked fine until the latest update.",
    "We have {n} users affected in the office.",
]
AGENT = [
    "Thanks for reaching out, <PERSON_1>.",
    "Could you confirm the model and serial number?",
    "I have escalated this to our hardware team.",
    "Please try a factory reset and let me know.",
    "The refund was issued and should appear within 5 business days.",
    "I reset the token; please log in again.",
]
SEARCH_TERMS = [
    "printer",
    "router disconnecting",
    "refund",
    "password reset",
    "firmware",
    "paper jam",
    "invoice charged",
    "cracked screen",
    "slow update",
    "error code",
    "serial number",
    "token",
    "escalated hardware",
    "subscr*",
    "modem",
    "headset power",
    "factory reset",
    "deadline friday",
    "screenshot",
    "login invalid",
]


def realistic_message(rng: random.Random, role: str) -> str:
    n = rng.randint(10, 99999)
    if role == "customer":
        parts = [rng.choice(OPENERS), f"my {rng.choice(PRODUCTS)} {rng.choice(PROBLEMS)}."]
        parts += rng.sample(DETAILS, rng.randint(1, 4))
        return " ".join(parts).replace("{n}", str(n))
    parts = [*rng.sample(AGENT, rng.randint(1, 3)), f"Regarding your {rng.choice(PRODUCTS)}: ticket {n}."]
    return " ".join(parts)


def workload(messages: int, cases: int, seed: int = 7) -> list[tuple[int, str, str]]:
    rng = random.Random(seed)
    return [
        (
            i % cases,
            "customer" if i % 2 == 0 else "agent",
            realistic_message(rng, "customer" if i % 2 == 0 else "agent"),
        )
        for i in range(messages)
    ]


# --- the plain peer: same engine, no key, same schema and SQL -------------------------------


def plain_open(path: Path, *, eager: bool = False):
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    for pragma in (
        "journal_mode = WAL",
        "synchronous = NORMAL",
        "temp_store = MEMORY",
        "secure_delete = ON",
        "foreign_keys = ON",
    ):
        conn.execute(f"PRAGMA {pragma}").fetchall()
    conn.executescript("BEGIN;" + "".join(EAGER_MIGRATIONS if eager else MIGRATIONS) + "COMMIT;")
    return conn


def plain_insert(conn, case_ids: list[int], work: list[tuple[int, str, str]], *, eager: bool = False) -> None:
    for case_index, role, text in work:
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute(
            "INSERT INTO messages(case_id, role, text, raw_text, created_at, model, prompt_tokens, completion_tokens, "
            "ttft_ms, decode_tokens_per_s, kind, question) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (case_ids[case_index], role, text, None, now, None, None, None, None, None, None, None),
        )
        conn.execute("UPDATE cases SET updated_at = max(updated_at, ?) WHERE id = ?", (now, case_ids[case_index]))
        if not eager:
            mark = indexed_through(conn)
            if cur.lastrowid - mark >= SEARCH_BATCH:
                index_pending(conn, mark, cur.lastrowid)
        conn.execute("COMMIT")


def plain_search(conn, query: str, limit: int = 50, *, eager: bool = False) -> list:
    if not eager:
        top = conn.execute("SELECT max(id) FROM messages").fetchone()[0]
        mark = indexed_through(conn)
        if top is not None and top > mark:
            conn.execute("BEGIN IMMEDIATE")
            index_pending(conn, mark, top)
            conn.execute("COMMIT")
    return conn.execute(SEARCH_SQL, ("\x02", "\x03", fts_query(query), limit)).fetchall()


def timed_searches(search, queries: list[str]) -> tuple[float, list[float], int]:
    latencies, hits = [], 0
    start = time.perf_counter()
    for q in queries:
        t = time.perf_counter()
        hits += len(search(q))
        latencies.append(time.perf_counter() - t)
    return time.perf_counter() - start, latencies, hits


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


# --- one side per process, driven batch by batch (interleaved) by the parent ----------------

#: Each side: (label, plain SQLite?, cipher_memory_security: None = as shipped).
SIDES = {
    "plain": ("plain SQLite, same SQL", True, None),
    "plain-eager": ("plain SQLite, FTS per message", True, None),
    "vault": ("vault as shipped", False, None),
    "vault-memsec": ("vault, cipher_memory_security ON", False, True),
}


class Side:
    """One store in this process; answers the parent's commands on stdin, one JSON line each."""

    def __init__(self, mode: str, opts: argparse.Namespace, tmp: Path) -> None:
        _, self.plain, memsec = SIDES[mode]
        self.eager = mode == "plain-eager"
        if memsec is not None:
            database.MEMORY_SECURITY = memsec  # process-wide in SQLCipher: one side per process
        self.work = workload(opts.messages, opts.cases)
        rng = random.Random(11)
        self.queries = [rng.choice(SEARCH_TERMS) for _ in range(opts.searches)]
        self.tmp, self.unlocks = tmp, opts.unlocks
        if self.plain:
            self.conn = plain_open(tmp / "plain.db", eager=self.eager)
            self.conn.execute("INSERT INTO customers(ref, created_at) VALUES ('CUST-BENCH', 'now')")
            now = "2026-01-01T00:00:00+00:00"
            self.case_ids = [
                int(
                    self.conn.execute(
                        "INSERT INTO cases(customer_id, title, status, created_at, updated_at) VALUES (1, ?, 'open', ?, ?)",
                        (f"case {i}", now, now),
                    ).lastrowid
                )
                for i in range(opts.cases)
            ]
            self.memsec = "n/a"
        else:
            self.vault_path = tmp / "vault" / "vault.db"
            self.vault = Vault.create(self.vault_path, "bench", bytearray(PASSPHRASE))
            self.memsec = self.vault.connection().execute("PRAGMA cipher_memory_security").fetchone()[0]
            customer = self.vault.upsert_customer("CUST-BENCH")
            self.case_ids = [self.vault.create_case(customer, f"case {i}") for i in range(opts.cases)]

    def insert(self, a: int, b: int) -> dict:
        t, cpu = time.perf_counter(), time.process_time()
        if self.plain:
            plain_insert(self.conn, self.case_ids, self.work[a:b], eager=self.eager)
        else:
            for case_index, role, text in self.work[a:b]:
                self.vault.add_message(self.case_ids[case_index], role, text)
        return {"wall": time.perf_counter() - t, "cpu": time.process_time() - cpu}

    def checkpoint(self) -> dict:
        if self.plain:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        else:
            self.vault.checkpoint()
        return {}

    def search(self, a: int, b: int) -> dict:
        cpu = time.process_time()
        search = (lambda q: plain_search(self.conn, q, eager=self.eager)) if self.plain else self.vault.search
        wall, latencies, hits = timed_searches(search, self.queries[a:b])
        return {"wall": wall, "cpu": time.process_time() - cpu, "latencies": latencies, "hits": hits}

    def finish(self) -> dict:
        t = time.perf_counter()
        if self.plain:
            self.conn.execute("DELETE FROM cases WHERE id = ?", (self.case_ids[0],))
            self.conn.close()
            return {"delete_s": time.perf_counter() - t, "memsec": self.memsec}
        self.vault.delete_case(self.case_ids[0])
        result = {
            "delete_s": time.perf_counter() - t,
            "memsec": self.memsec,
            "size_mb": self.vault_path.stat().st_size / 1e6,
        }
        self.vault.lock()
        if self.unlocks:
            argon, full = [], []
            for _ in range(self.unlocks):
                t = time.perf_counter()
                zero(derive_kek(bytearray(PASSPHRASE), KdfParams.fresh()))
                argon.append(time.perf_counter() - t)
            for _ in range(self.unlocks):
                t = time.perf_counter()
                Vault.unlock(self.vault_path, "bench", bytearray(PASSPHRASE)).lock()
                full.append(time.perf_counter() - t)
            result.update(argon_s=statistics.median(argon), unlock_s=statistics.median(full))
        return result


def serve(mode: str, opts: argparse.Namespace) -> None:
    import json

    with tempfile.TemporaryDirectory(prefix="bench-vault-") as tmp:
        side = Side(mode, opts, Path(tmp))
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            command, *args = line.split()
            print(json.dumps(getattr(side, command)(*map(int, args))), flush=True)
            if command == "finish":
                return


def main() -> int:
    import json
    import subprocess

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=1_000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10, help="batches per phase, each side in turn (default 10)")
    parser.add_argument("--unlocks", type=int, default=3)
    parser.add_argument(
        "--sides", default="plain,plain-eager,vault", help="comma-separated, first is the peer (default: %(default)s)"
    )
    parser.add_argument("--child", choices=tuple(SIDES), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        serve(opts.child, opts)
        return 0

    modes = opts.sides.split(",")
    peer = modes[0]
    print(
        f"workload: {opts.messages:,} messages in {opts.cases:,} cases, {opts.searches} searches; "
        f"{os.cpu_count()} CPUs; one transaction per message; each side in its own process, driven in "
        f"{opts.rounds} interleaved rounds (order rotated each round)",
        flush=True,
    )
    procs = {}
    for mode in modes:
        args = [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--messages",
            str(opts.messages),
            "--cases",
            str(opts.cases),
            "--searches",
            str(opts.searches),
            "--unlocks",
            str(opts.unlocks if mode == "vault" else 0),
        ]
        procs[mode] = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for proc in procs.values():
        json.loads(proc.stdout.readline())

    def ask(mode: str, *command: object) -> dict:
        proc = procs[mode]
        proc.stdin.write(" ".join(map(str, command)) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"bench side {mode} died")
        return json.loads(line)

    def phase(command: str, total: int) -> dict[str, list[dict]]:
        results: dict[str, list[dict]] = {m: [] for m in modes}
        bounds = [total * i // opts.rounds for i in range(opts.rounds + 1)]
        for r in range(opts.rounds):
            for mode in modes[r % len(modes) :] + modes[: r % len(modes)]:
                results[mode].append(ask(mode, command, bounds[r], bounds[r + 1]))
        return results

    inserts = phase("insert", opts.messages)
    for mode in modes:
        ask(mode, "checkpoint")
    searches = phase("search", opts.searches)
    finals = {mode: ask(mode, "finish") for mode in modes}
    hits = {m: sum(r["hits"] for r in searches[m]) for m in modes}
    assert len(set(hits.values())) == 1, f"every side must find the same messages: {hits}"

    def ratio(results: dict[str, list[dict]], mode: str, key: str) -> tuple[float, float]:
        """(median of the per-round ratios, ratio of the totals) against the peer."""
        per_round = [a[key] / b[key] for a, b in zip(results[mode], results[peer], strict=True) if b[key] > 0]
        total = sum(r[key] for r in results[mode]) / sum(r[key] for r in results[peer])
        return statistics.median(per_round), total

    print()
    print(f"ratios against '{peer}' ({SIDES[peer][0]}): median of the {opts.rounds} per-round ratios (total)")
    print(f"{'side':56}{'insert wall':>16}{'insert CPU':>16}{'search wall':>16}{'search CPU':>16}{'p95 ms':>8}")
    for mode in modes:
        cells = []
        for results, key in ((inserts, "wall"), (inserts, "cpu"), (searches, "wall"), (searches, "cpu")):
            med, total = ratio(results, mode, key)
            cells.append(f"{med:.2f} ({total:.2f})")
        latencies = [x for r in searches[mode] for x in r["latencies"]]
        print(
            f"{mode:24}{SIDES[mode][0]:32}{cells[0]:>16}{cells[1]:>16}{cells[2]:>16}{cells[3]:>16}"
            f"{p95(latencies) * 1000:>8.1f}"
        )
    print()
    for mode in modes:
        total_insert = sum(r["wall"] for r in inserts[mode])
        print(
            f"{mode}: insert {total_insert:.1f} s wall ({total_insert / opts.messages * 1000:.3f} ms/message), "
            f"cipher_memory_security={finals[mode]['memsec']}, delete one case incl. FTS optimize "
            f"{finals[mode]['delete_s']:.3f} s"
        )
    if "vault" in finals and "unlock_s" in finals["vault"]:
        v = finals["vault"]
        print(
            f"unlock, default Argon2id t=3 m=64 MiB p=4 (median of {opts.unlocks}): {v['unlock_s']:.3f} s; "
            f"Argon2id alone {v['argon_s']:.3f} s; database {v['size_mb']:.1f} MB (unlock includes the full "
            "cipher_integrity_check)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
