"""Cost of the commit counter and seal (docs/vault.md, Lost commits and rollbacks).

Times N ``add_message`` calls (one write transaction each) on a real vault with
the counter and seal, and on one where the counter is skipped (so the seal does
not move), interleaved, several rounds; prints the median CPU seconds and their
ratio. Run: ``.venv/bin/python scripts/bench_seal.py [--messages 1500] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from agentconsole.vault import Vault


def run(with_seal: bool, messages: int) -> float:
    directory = Path(tempfile.mkdtemp(prefix="bench-seal-"))
    try:
        vault = Vault.create(directory / "vault.db", "bench", bytearray(b"bench-seal-passphrase"))
        case = vault.create_case(vault.upsert_customer("C-1"), "bench")
        if not with_seal:
            vault._bump_commit = lambda conn: None  # type: ignore[method-assign,assignment,return-value]
        start = time.process_time()
        for i in range(messages):
            vault.add_message(case, "customer", f"message {i} about the printer tray and the refund " * 3)
        spent = time.process_time() - start
        vault.lock()
        return spent
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sealed, plain = [], []
    for _ in range(args.rounds):
        sealed.append(run(True, args.messages))
        plain.append(run(False, args.messages))
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    print(f"{args.messages} add_message, median CPU over {args.rounds} interleaved rounds:")
    print(
        f"  with counter + seal: {median(sealed):.2f} s   without: {median(plain):.2f} s   "
        f"ratio {median(sealed) / median(plain):.2f}"
    )


if __name__ == "__main__":
    main()
