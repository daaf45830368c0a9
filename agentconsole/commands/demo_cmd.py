"""``agentconsole demo``: the real console on a throwaway, seeded vault."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agentconsole.terminal_text import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="open the console on a throwaway vault with synthetic cases (wiped on exit)",
        description=(
            "Creates a vault in a temporary directory, shows its passphrase, seeds synthetic "
            "customers and scripted cases (a refund with a card number, an address change, an "
            "account lockout with email and phone, a prompt-injection attempt) and opens the "
            "console. Everything is wiped on exit, including after Ctrl+C. Needs no network."
        ),
    )
    parser.add_argument(
        "--seed-only",
        action="store_true",
        help="create and seed the demo vault, print what was made, wipe it and exit (for checks)",
    )
    parser.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace, ctx: Any) -> int:
    from dataclasses import replace

    from agentconsole import demo
    from agentconsole.cli import require_terminal
    from agentconsole.logs import setup_logging
    from agentconsole.service import ConsoleService

    require_terminal("the demo")
    with demo.demo_home(ctx.settings) as settings:
        # The throwaway vault's local anchor is wiped with it (not left in the user's state dir).
        settings = replace(settings, compliance=replace(settings.compliance, anchor_dir=str(settings.home / "anchors")))
        # The demo's log lives (and dies) with its vault.
        setup_logging(settings.logs_dir, ctx.settings.logging.level)
        demo.carry_machine_cache(ctx.settings.home, settings.home)
        passphrase = demo.demo_passphrase()
        shown = passphrase.decode()
        echo(f"agentconsole demo: throwaway vault in {settings.home} (wiped on exit)", file=sys.stderr)
        echo(f"agentconsole demo: user {demo.DEMO_USER}, passphrase {shown}", file=sys.stderr)
        echo("agentconsole demo: loading the PII engine and seeding synthetic cases…", file=sys.stderr)
        service = ConsoleService(settings, model_override=ctx.model_override)
        service.create_vault(demo.DEMO_USER, bytearray(passphrase))
        case_ids = demo.seed(service)
        service.lock()
        passphrase[:] = bytes(len(passphrase))
        if args.seed_only:
            echo(f"seeded {len(case_ids)} cases in {settings.home}")
            return 0
        from agentconsole.ui.app import make_app
        from agentconsole.ui.launch import run_app

        app = make_app(
            settings,
            service,
            unlock_user=demo.DEMO_USER,
            unlock_notice=f"Demo vault, wiped on exit. User {demo.DEMO_USER}, passphrase: {shown}",
        )
        return run_app(settings, app)
