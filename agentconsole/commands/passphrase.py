"""Reading passphrases for headless commands: terminal (no echo), a file, or stdin.

Every command that needs a passphrase calls :func:`add_passphrase_options` on
its parser and :func:`read_passphrase` in its handler. The result is a
``bytearray`` the caller zeroes after use. (Python's ``getpass`` and
``readline`` hand back immutable copies first; they are dropped at once.)

``--passphrase-stdin`` reads one line, so a command that needs two passphrases
(``passwd``, ``user add``) reads the current one from the first line and the
new one from the second.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from agentconsole.errors import AgentConsoleError

#: New passphrases (``confirm=True``) must have at least this many characters.
MIN_NEW_PASSPHRASE_CHARS = 8


def _prefix(new: bool) -> str:
    return "new-" if new else ""


def add_passphrase_options(parser: argparse.ArgumentParser, *, new: bool = False) -> None:
    """Add ``--passphrase-file FILE`` / ``--passphrase-stdin`` (``--new-...`` when ``new``)."""
    prefix = _prefix(new)
    what = "the new passphrase" if new else "the passphrase"
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        f"--{prefix}passphrase-file",
        metavar="FILE",
        type=Path,
        help=f"read {what} from the first line of FILE (default: ask on the terminal, no echo)",
    )
    group.add_argument(
        f"--{prefix}passphrase-stdin", action="store_true", help=f"read {what} from one line of standard input"
    )


def _strip_line(data: bytearray) -> bytearray:
    end = data.find(b"\n")
    if end >= 0:
        del data[end:]
    if data.endswith(b"\r"):
        del data[-1:]
    return data


def _has_terminal() -> bool:
    try:
        with open("/dev/tty", "rb"):
            return True
    except OSError:
        return False


def _from_terminal(prompt: str, confirm: bool) -> bytearray:
    if not _has_terminal():
        raise AgentConsoleError(
            "no terminal to ask for the passphrase: use --passphrase-file FILE or --passphrase-stdin", exit_code=2
        )
    first = bytearray(getpass.getpass(prompt).encode("utf-8"))
    if confirm:
        second = bytearray(getpass.getpass(f"repeat {prompt}").encode("utf-8"))
        same = first == second
        second[:] = bytes(len(second))
        if not same:
            first[:] = bytes(len(first))
            raise AgentConsoleError("the two passphrases differ; nothing was changed", exit_code=2)
    return first


def read_passphrase(args: argparse.Namespace, prompt: str, confirm: bool = False, *, new: bool = False) -> bytearray:
    """The passphrase from the options :func:`add_passphrase_options` added, as a bytearray.

    ``confirm`` marks a *new* passphrase: asked twice on the terminal and held
    to :data:`MIN_NEW_PASSPHRASE_CHARS`. ``new`` reads the ``--new-...`` options.
    """
    attr = _prefix(new).replace("-", "_") + "passphrase"
    path: Path | None = getattr(args, f"{attr}_file", None)
    if path is not None:
        try:
            with Path(path).open("rb", buffering=0) as fh:
                passphrase = _strip_line(bytearray(fh.read()))
        except OSError as exc:
            raise AgentConsoleError(f"cannot read passphrase file {path}: {exc.strerror}", exit_code=2) from None
    elif getattr(args, f"{attr}_stdin", False):
        passphrase = _strip_line(bytearray(sys.stdin.buffer.readline()))
    else:
        from agentconsole.terminal_text import inert

        passphrase = _from_terminal(inert(prompt), confirm)
    if not passphrase:
        raise AgentConsoleError("the passphrase is empty", exit_code=2)
    if confirm and len(passphrase.decode("utf-8", "replace")) < MIN_NEW_PASSPHRASE_CHARS:
        passphrase[:] = bytes(len(passphrase))
        raise AgentConsoleError(f"a new passphrase needs at least {MIN_NEW_PASSPHRASE_CHARS} characters", exit_code=2)
    return passphrase
