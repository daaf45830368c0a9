#!/usr/bin/env python3
"""Benchmark: the encrypted vault against plain SQLite, measured in the same run.

Peer: the same SQLite engine (the SQLCipher build bundled with sqlcipher3,
opened *without* a key, so no encryption), same schema (the vault's own
migrations), same pragmas (WAL, synchronous=NORMAL, secure_delete,
foreign_keys, temp_store=MEMORY) and the same enlarged lookaside pool, same SQL
per message (one transaction: insert + case activity update + FTS trigger), the
vault's own search statement (``store.SEARCH_SQL``). The vault side goes
through the public ``Vault`` API. For reference the plain side also times the
former single-statement search (``ORDER BY rank``), its fastest form.

Prints insert and search timings with ratios, search p50/p95, unlock time with
the default Argon2id parameters (and its parts), and the cost of deleting a
case with the FTS compaction. Goals (issue 3): insert <= 1.3x plain, search
<= 1.2x plain with p95 <= 50 ms, unlock <= 1 s on 2 cores.

    .venv/bin/python scripts/bench_vault.py                 # 100,000 messages, 200 searches
    .venv/bin/python scripts/bench_vault.py --messages 20000
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

from agentconsole.vault import Vault, fts_query, store  # noqa: E402
from agentconsole.vault.keyslots import KdfParams, derive_kek, zero  # noqa: E402
from agentconsole.vault.schema import MIGRATIONS  # noqa: E402

PASSPHRASE = b"benchmark-passphrase-not-secret"

PRODUCTS = ["printer", "router", "laptop", "invoice", "subscription", "modem", "headset", "monitor", "account", "license"]
PROBLEMS = [
    "keeps disconnecting every few minutes", "shows error code E{n} on startup", "was charged twice this month",
    "cannot reset the password", "stopped syncing after the update", "arrived with a cracked screen",
    "is very slow since yesterday", "does not power on anymore", "refund has not arrived yet",
    "login fails with an invalid token", "firmware upgrade failed halfway", "paper jam in tray {n}",
]
OPENERS = ["Hi,", "Hello team,", "Good morning,", "Hey,", "Dear support,", "Hi again,"]
DETAILS = [
    "My name is <PERSON_1> and my email is <EMAIL_ADDRESS_1>.", "Order number {n} was placed last week.",
    "I already tried restarting it twice.", "The serial number is SN{n}.", "Please call me at <PHONE_NUMBER_1>.",
    "This is urgent because we have a deadline on Friday.", "I attached a screenshot of the message.",
    "It worked fine until the latest update.", "We have {n} users affected in the office.",
]
AGENT = [
    "Thanks for reaching out, <PERSON_1>.", "Could you confirm the model and serial number?",
    "I have escalated this to our hardware team.", "Please try a factory reset and let me know.",
    "The refund was issued and should appear within 5 business days.", "I reset the token; please log in again.",
]
SEARCH_TERMS = [
    "printer", "router disconnecting", "refund", "password reset", "firmware", "paper jam", "invoice charged",
    "cracked screen", "slow update", "error code", "serial number", "token", "escalated hardware", "subscr*",
    "modem", "headset power", "factory reset", "deadline friday", "screenshot", "login invalid",
]


def realistic_message(rng: random.Random, role: str) -> str:
    n = rng.randint(10, 99999)
    if role == "customer":
        parts = [rng.choice(OPENERS), f"my {rng.choice(PRODUCTS)} {rng.choice(PROBLEMS)}."]
        parts += rng.sample(DETAILS, rng.randint(1, 4))
        return " ".join(parts).replace("{n}", str(n))
    parts = rng.sample(AGENT, rng.randint(1, 3)) + [f"Regarding your {rng.choice(PRODUCTS)}: ticket {n}."]
    return " ".join(parts)


def workload(messages: int, cases: int, seed: int = 7) -> list[tuple[int, str, str]]:
    rng = random.Random(seed)
    return [(i % cases, "customer" if i % 2 == 0 else "agent", realistic_message(rng, "customer" if i % 2 == 0 else "agent")) for i in range(messages)]


# --- the plain peer: same engine, no key, same schema and SQL -------------------------------


def plain_open(path: Path):
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    store._enlarge_lookaside(conn, path)  # same connection setup as the vault's
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "temp_store = MEMORY", "secure_delete = ON", "foreign_keys = ON"):
        conn.execute(f"PRAGMA {pragma}").fetchall()
    conn.executescript("BEGIN;" + MIGRATIONS[0] + "COMMIT;")
    return conn


def plain_insert(conn, case_ids: list[int], work: list[tuple[int, str, str]]) -> None:
    for case_index, role, text in work:
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO messages(case_id, role, text, raw_text, created_at, model, prompt_tokens, completion_tokens, "
            "ttft_ms, decode_tokens_per_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (case_ids[case_index], role, text, None, now, None, None, None, None, None),
        )
        conn.execute("UPDATE cases SET updated_at = max(updated_at, ?) WHERE id = ?", (now, case_ids[case_index]))
        conn.execute("COMMIT")


def plain_search(conn, query: str, limit: int = 50) -> list:
    return conn.execute(store.SEARCH_SQL, ("\x02", "\x03", fts_query(query), limit)).fetchall()


def plain_search_rank_order(conn, query: str, limit: int = 50) -> list:
    """The former search statement: FTS5 sorts every match by rank itself."""
    return conn.execute(
        "SELECT m.case_id, m.id, c.title, snippet(messages_fts, 0, ?, ?, '…', 16), messages_fts.rank "
        "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN cases c ON c.id = m.case_id "
        "WHERE messages_fts MATCH ? ORDER BY messages_fts.rank LIMIT ?",
        ("\x02", "\x03", fts_query(query), limit),
    ).fetchall()


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


def run_plain(work, queries, cases: int, tmp_path: Path) -> dict:
    plain = plain_open(tmp_path / "plain.db")
    plain.execute("INSERT INTO customers(ref, created_at) VALUES ('CUST-BENCH', 'now')")
    now = "2026-01-01T00:00:00+00:00"
    case_ids = [
        int(plain.execute("INSERT INTO cases(customer_id, title, status, created_at, updated_at) VALUES (1, ?, 'open', ?, ?)",
                          (f"case {i}", now, now)).lastrowid)
        for i in range(cases)
    ]
    t, cpu = time.perf_counter(), time.process_time()
    plain_insert(plain, case_ids, work)
    insert_s, insert_cpu = time.perf_counter() - t, time.process_time() - cpu
    plain.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    cpu = time.process_time()
    search_s, latencies, hits = timed_searches(lambda q: plain_search(plain, q), queries)
    search_cpu = time.process_time() - cpu
    cpu = time.process_time()
    rank_s, rank_latencies, rank_hits = timed_searches(lambda q: plain_search_rank_order(plain, q), queries)
    rank_cpu = time.process_time() - cpu
    assert rank_hits == hits
    plain.close()
    return {"insert_s": insert_s, "insert_cpu": insert_cpu, "search_s": search_s, "search_cpu": search_cpu,
            "latencies": latencies, "hits": hits, "rank_order_s": rank_s, "rank_order_cpu": rank_cpu,
            "rank_order_p95": p95(rank_latencies)}


def run_vault(work, queries, cases: int, tmp_path: Path, unlocks: int) -> dict:
    vault_path = tmp_path / "vault" / "vault.db"
    vault = Vault.create(vault_path, "bench", bytearray(PASSPHRASE))
    memory_security = vault.connection().execute("PRAGMA cipher_memory_security").fetchone()[0]
    customer = vault.upsert_customer("CUST-BENCH")
    case_ids = [vault.create_case(customer, f"case {i}") for i in range(cases)]
    t, cpu = time.perf_counter(), time.process_time()
    for case_index, role, text in work:
        vault.add_message(case_ids[case_index], role, text)
    insert_s, insert_cpu = time.perf_counter() - t, time.process_time() - cpu
    vault.checkpoint()
    cpu = time.process_time()
    search_s, latencies, hits = timed_searches(vault.search, queries)
    search_cpu = time.process_time() - cpu
    t = time.perf_counter()
    vault.delete_case(case_ids[0])
    delete_s = time.perf_counter() - t
    vault.lock()
    result = {"insert_s": insert_s, "insert_cpu": insert_cpu, "search_s": search_s, "search_cpu": search_cpu, "latencies": latencies, "hits": hits,
              "delete_s": delete_s, "size_mb": vault_path.stat().st_size / 1e6, "memory_security": memory_security}
    if unlocks:
        argon, full = [], []
        for _ in range(unlocks):
            t = time.perf_counter()
            zero(derive_kek(bytearray(PASSPHRASE), KdfParams.fresh()))
            argon.append(time.perf_counter() - t)
        for _ in range(unlocks):
            t = time.perf_counter()
            Vault.unlock(vault_path, "bench", bytearray(PASSPHRASE)).lock()
            full.append(time.perf_counter() - t)
        result.update(argon_s=statistics.median(argon), unlock_s=statistics.median(full))
    return result


def child(mode: str, opts: argparse.Namespace) -> dict:
    """One measurement in its own process (cipher_memory_security is process-wide)."""
    work = workload(opts.messages, opts.cases)
    rng = random.Random(11)
    queries = [rng.choice(SEARCH_TERMS) for _ in range(opts.searches)]
    with tempfile.TemporaryDirectory(prefix="bench-vault-") as tmp:
        if mode == "plain":
            return run_plain(work, queries, opts.cases, Path(tmp))
        if mode == "vault-no-memsec":
            from agentconsole.vault import store

            store.MEMORY_SECURITY = False
            return run_vault(work, queries, opts.cases, Path(tmp), 0)
        return run_vault(work, queries, opts.cases, Path(tmp), opts.unlocks)


def main() -> int:
    import json
    import subprocess

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=1_000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--unlocks", type=int, default=3)
    parser.add_argument("--child", choices=("plain", "vault", "vault-no-memsec"), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(opts.child, opts)))
        return 0

    print(f"workload: {opts.messages:,} messages in {opts.cases:,} cases, {opts.searches} searches; "
          f"{os.cpu_count()} CPUs; one transaction per message; each side in its own process", flush=True)
    results = {}
    for mode in ("plain", "vault", "vault-no-memsec"):
        args = [sys.executable, __file__, "--child", mode, "--messages", str(opts.messages), "--cases", str(opts.cases),
                "--searches", str(opts.searches), "--unlocks", str(opts.unlocks)]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        results[mode] = json.loads(out.strip().splitlines()[-1])
        print(f"  measured {mode}", flush=True)
    plain, vault, nomem = results["plain"], results["vault"], results["vault-no-memsec"]
    assert plain["hits"] == vault["hits"] == nomem["hits"], "the three stores must find the same messages"

    def row(label: str, key: str, scale: float = 1.0, fmt: str = "{:.2f}", goal: str = "", ratio: bool = True) -> None:
        cells = [fmt.format(r[key] * scale) for r in (plain, vault, nomem)]
        ratios = [f"{vault[key] / plain[key]:.2f}", f"{nomem[key] / plain[key]:.2f}"] if ratio else ["", ""]
        print(f"{label:26}{cells[0]:>12}{cells[1]:>12}{ratios[0]:>8}{cells[2]:>14}{ratios[1]:>8}{goal:>10}")

    for r in results.values():
        r["p50"], r["p95"] = statistics.median(r["latencies"]), p95(r["latencies"])
        r["per_message"] = r["insert_s"] / opts.messages
    print()
    print(f"{'':26}{'plain':>12}{'vault':>12}{'ratio':>8}{'vault,memsec':>14}{'ratio':>8}{'goal':>10}")
    print(f"{'':26}{'SQLite':>12}{'(shipped)':>12}{'':>8}{'off (attrib.)':>14}{'':>8}")
    row("insert total, wall (s)", "insert_s", goal="<= 1.30")
    row("insert total, CPU (s)", "insert_cpu", goal="<= 1.30")
    row("insert per message (ms)", "per_message", 1000, "{:.3f}", ratio=False)
    row("search total, wall (s)", "search_s", fmt="{:.3f}", goal="<= 1.20")
    row("search total, CPU (s)", "search_cpu", fmt="{:.3f}", goal="<= 1.20")
    row("search p50 (ms)", "p50", 1000, ratio=False)
    row("search p95 (ms)", "p95", 1000, goal="<= 50 ms", ratio=False)
    print()
    print(f"unlock, default Argon2id t=3 m=64 MiB p=4 (median of {opts.unlocks}): {vault['unlock_s']:.3f} s (goal <= 1 s); "
          f"Argon2id alone {vault['argon_s']:.3f} s; database {vault['size_mb']:.1f} MB (unlock includes the full "
          "cipher_integrity_check)")
    print(f"plain SQLite with the former single-statement search (ORDER BY rank): {plain['rank_order_s']:.3f} s wall, "
          f"{plain['rank_order_cpu']:.3f} s CPU, p95 {plain['rank_order_p95'] * 1000:.1f} ms; vault search CPU against it: "
          f"{vault['search_cpu'] / plain['rank_order_cpu']:.2f}x (memsec off {nomem['search_cpu'] / plain['rank_order_cpu']:.2f}x)")
    print(f"delete one case incl. FTS 'optimize' at this size: {vault['delete_s']:.3f} s (memsec off: {nomem['delete_s']:.3f} s)")
    print(f"cipher_memory_security in the shipped vault: {vault['memory_security']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
