"""``agentconsole`` with no subcommand: build the service and the app, run the console.

C-level stderr (llama.cpp, SQLCipher) goes to ``logs/native.log`` while the UI
owns the terminal, so nothing draws over the screen. The terminal title is a
fixed "agentconsole": it never shows case content.
"""

from __future__ import annotations

import sys
from typing import Any

from agentconsole import logs

TERMINAL_TITLE = "agentconsole"


def _set_terminal_title() -> None:
    if sys.stdout.isatty():
        sys.stdout.write(f"\x1b]0;{TERMINAL_TITLE}\x07")
        sys.stdout.flush()


def run_console(ctx: Any) -> int:
    """Run the console until the agent quits; the vault is locked on the way out."""
    from agentconsole.ui.app import make_app

    return run_app(ctx.settings, make_app(ctx.settings, model_override=ctx.model_override))


def run_app(settings: Any, app: Any) -> int:
    """Run a built console app on this terminal (also used by ``agentconsole demo``)."""
    from agentconsole.ui import paste

    paste.install()  # a paste holding an escape sequence arrives whole, not partly as keystrokes
    _set_terminal_title()
    try:
        with logs.native_stderr_to(settings.logs_dir / logs.NATIVE_LOG_FILE_NAME):
            result = _run_on_terminal(app)
    finally:
        app.service.lock()
    return int(result or 0)


def _run_on_terminal(app: Any) -> Any:
    """Run ``app`` drawing on the terminal while descriptor 2 goes to the native log.

    Textual's Linux driver writes to ``sys.__stderr__`` (descriptor 2), which now
    points at the log; inside :func:`logs.native_stderr_to` ``sys.stderr`` is a
    duplicate of the original terminal descriptor, so the driver gets that one.
    """
    original = sys.__stderr__
    sys.__stderr__ = sys.stderr  # type: ignore[misc,assignment]  # Textual's driver reads this name
    try:
        return app.run()
    finally:
        sys.__stderr__ = original  # type: ignore[misc]
