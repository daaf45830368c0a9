#!/usr/bin/env python3
"""Benchmark the team store: 20 and 100 simulated agents against the single-user file vault.

A real PostgreSQL server is started on loopback (tests/pg_server.py: initdb + pg_ctl,
TLS from a throwaway CA, fsync on unless --no-fsync). Agents are threads; each belongs
to one of the team's agent users (the users are spread over two teams, so row-level
security is in every query) and works through that user's connection pool. Each agent
loops over a realistic mix with exponential think time:

  open case    get_case + list_messages + pii_values of a case of its team
  add message  an encrypted, indexed customer/agent message (+ a PII value 1 in 3)
  search       a one- or two-word blind-index search
  draft        draft bookkeeping: an assistant message with model stats + an audit entry

The file vault side runs the same mix with one agent (it is single-user) in the same run.
Printed: throughput and p50/p95 per operation per side, and how soon a second console
sees a change (LISTEN/NOTIFY latency, probed while the 100 agents run).

    PYTHONPATH=. .venv/bin/python scripts/bench_team.py            # 20 and 100 agents, 30 s each
    PYTHONPATH=. .venv/bin/python scripts/bench_team.py --seconds 10 --agents 20
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from pg_server import PgServer  # noqa: E402

from agentconsole.compliance.audit import AuditLog  # noqa: E402
from agentconsole.vault import Vault  # noqa: E402
from agentconsole.vault.postgres import Change, TeamVault, parse_target  # noqa: E402

OPS = ("open case", "add message", "search", "draft")
MIX = (0.35, 0.30, 0.20, 0.15)
WORDS = (
    "refund invoice delivery parcel password reset account locked billing address card declined subscription "
    "cancel upgrade router outage latency warranty replacement broken screen battery charger login email "
    "verification code shipping delay tracking number customs fee discount voucher complaint manager callback"
).split()


#: A support-desk vocabulary with a Zipf tail: common words plus 3,000 rarer ones (part numbers, names...).
VOCABULARY = WORDS + [f"w{i:04x}" for i in range(3000)]
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(VOCABULARY))]


def _words(rng: random.Random, n: int) -> list[str]:
    return rng.choices(VOCABULARY, WEIGHTS, k=n)


def _sentence(rng: random.Random, n: int = 18) -> str:
    return " ".join(_words(rng, n)) + "."


class Recorder:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()

    def add(self, op: str, seconds: float) -> None:
        with self.lock:
            self.samples[op].append(seconds * 1000)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def seed(store: Any, cases: int, messages_per_case: int, rng: random.Random, teams: tuple[str, ...] = ()) -> list[int]:
    ids = []
    for i in range(cases):
        cid = store.upsert_customer(f"CUST-{i:05d}", f"Customer {i}")
        kwargs = {"team": teams[i % len(teams)]} if teams else {}
        case = store.create_case(cid, f"Case {i} {rng.choice(WORDS)}", **kwargs)
        for _ in range(messages_per_case):
            store.add_message(case, rng.choice(("customer", "agent")), _sentence(rng))
        store.add_pii_values(case, [("<PERSON_1>", "PERSON", f"Person {i}")])
        ids.append(case)
    return ids


def agent_loop(
    store: Any,
    case_ids: list[int],
    rec: Recorder,
    stop: threading.Event,
    think_ms: float,
    rng_seed: int,
    audit: AuditLog,
) -> None:
    rng = random.Random(rng_seed)
    while not stop.is_set():
        if think_ms > 0 and stop.wait(rng.expovariate(1000.0 / think_ms)):
            break
        op = rng.choices(OPS, MIX)[0]
        case = rng.choice(case_ids)
        start = time.perf_counter()
        if op == "open case":
            store.get_case(case)
            store.list_messages(case)
            store.pii_values(case)
        elif op == "add message":
            store.add_message(case, "customer", _sentence(rng))
            if rng.random() < 1 / 3:
                store.add_pii_values(case, [(f"<PERSON_{rng.randint(2, 50)}>", "PERSON", "Some Person")])
        elif op == "search":
            store.search(" ".join(_words(rng, rng.choice((1, 2)))), limit=20)
        else:
            store.add_message(
                case,
                "assistant",
                _sentence(rng),
                model="bench",
                prompt_tokens=300,
                completion_tokens=80,
                ttft_ms=120.0,
                decode_tokens_per_s=15.0,
                kind="reply",
            )
            audit.append(getattr(store, "user", "agent"), "draft.create", f"case:{case}")
        rec.add(op, time.perf_counter() - start)


def run_side(name: str, stores: list[tuple[Any, list[int]]], agents: int, seconds: float, think_ms: float) -> Recorder:
    rec = Recorder()
    stop = threading.Event()
    threads = []
    for i in range(agents):
        store, cases = stores[i % len(stores)]
        audit = AuditLog(store)
        threads.append(
            threading.Thread(target=agent_loop, args=(store, cases, rec, stop, think_ms, i, audit), daemon=True)
        )
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join()
    total = sum(len(v) for v in rec.samples.values())
    print(f"\n{name}: {agents} agents, {seconds:.0f} s, {total / seconds:.1f} ops/s")
    print(f"  {'operation':<12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for op in OPS:
        v = rec.samples.get(op, [])
        print(f"  {op:<12} {len(v):>6} {_pct(v, 0.5):>8.1f} {_pct(v, 0.95):>8.1f} {max(v, default=float('nan')):>8.1f}")
    return rec


def probe_notify(writer: TeamVault, reader: TeamVault, case: int, stop: threading.Event, out: list[float]) -> None:
    """A second console's view: time from commit to the NOTIFY arriving at another console."""
    arrived = threading.Event()
    listener = reader.listen(lambda ch: arrived.set() if ch == Change("message", case) else None)
    try:
        while not stop.is_set():
            arrived.clear()
            started = time.perf_counter()  # before the write: the figure includes its commit
            writer.add_message(case, "note", "probe")
            if arrived.wait(10):
                out.append((time.perf_counter() - started) * 1000)
            stop.wait(0.5)
    finally:
        listener.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--think-ms", type=float, default=1000.0, help="mean think time between an agent's operations")
    parser.add_argument("--users", type=int, default=10, help="agent users (accounts), split over two teams")
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--messages-per-case", type=int, default=10)
    parser.add_argument("--no-fsync", action="store_true", help="server runs with fsync=off (not safe; a peer figure)")
    parser.add_argument(
        "--async-commit",
        action="store_true",
        help="consoles set synchronous_commit=off ([vault] durable_commits = false)",
    )
    parser.add_argument(
        "--tls", action="store_true", help="consoles connect over TCP with TLS verify-full (default: the Unix socket)"
    )
    args = parser.parse_args()
    rng = random.Random(7)
    pw = bytearray(b"bench passphrase 1")
    server = PgServer(fsync=not args.no_fsync, max_connections=max(300, max(args.agents) + 50))
    server.start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-team-"))
    try:
        server.create_database("bench_team")
        target = parse_target(server.team_dsn("bench_team", tls=args.tls))
        per_user = max(1, -(-max(args.agents) // args.users))
        boss = TeamVault.create(target, server.admin_dsn("bench_team"), "boss", pw, team="red", pool_size=4)
        teams = ("red", "blue")
        for i in range(args.users):
            boss.add_user(f"agent{i}", "agent", pw, team=teams[i % 2])
        t0 = time.perf_counter()
        cases = seed(boss, args.cases, args.messages_per_case, rng, teams)
        print(
            f"seeded team store: {args.cases} cases x {args.messages_per_case} messages in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        team_cases = {t: cases[i::2] for i, t in enumerate(teams)}
        users = [
            TeamVault.unlock(target, f"agent{i}", pw, pool_size=per_user, durable_commits=not args.async_commit)
            for i in range(args.users)
        ]
        team_stores = [(u, team_cases[u.team]) for u in users]

        file_vault = Vault.create(tmp / "vault.db", "solo", pw)
        file_cases = seed(file_vault, args.cases, args.messages_per_case, random.Random(7))
        print(
            f"\nthink time: exponential, mean {args.think_ms:.0f} ms; PostgreSQL fsync "
            f"{'off' if args.no_fsync else 'on'}; commits {'asynchronous' if args.async_commit else 'durable'}; {'TLS over TCP' if args.tls else 'Unix socket'}; 2 teams, {args.users} agent users"
        )
        # the file vault is single-user: one agent, no think time (its bare latency per operation)
        run_side("file vault (single user, no think time)", [(file_vault, file_cases)], 1, args.seconds, 0.0)
        results = {}
        for n in args.agents:
            notify: list[float] = []
            stop = threading.Event()
            probe_case = team_cases["red"][0]
            prober = threading.Thread(target=probe_notify, args=(boss, users[0], probe_case, stop, notify))
            prober.start()
            results[n] = run_side("team store on PostgreSQL", team_stores, n, args.seconds, args.think_ms)
            stop.set()
            prober.join()
            print(
                f"  live update seen by a second console (write + notify): p50 {_pct(notify, 0.5):.1f} ms, "
                f"p95 {_pct(notify, 0.95):.1f} ms, max {max(notify, default=float('nan')):.1f} ms "
                f"({len(notify)} probes)"
            )
        worst = max(args.agents)
        verdict = all(_pct(results[worst].samples[op], 0.95) <= 100 for op in ("open case", "add message", "search"))
        print(
            f"\ngoal p95 <= 100 ms at {worst} agents for open case, add message, search: "
            f"{'met' if verdict else 'NOT met'}"
        )
        file_vault.lock()
        for u in users:
            u.lock()
        boss.lock()
    finally:
        server.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
