"""Reading customer text for headless commands: from arguments, stdin or a file, strictly UTF-8, size-capped.

Every command that takes text calls one of these, so binary input, a
directory, or a file over the limit is one clear line instead of a traceback
(``UnicodeDecodeError``/``UnicodeEncodeError``, ``IsADirectoryError``) and an
oversized input is refused before it is read whole.
"""

from __future__ import annotations

import sys
from pathlib import Path

from agentconsole.config import check_text_size
from agentconsole.errors import AgentConsoleError


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AgentConsoleError(f"{where} is not UTF-8 text (byte {exc.start})", exit_code=2) from None


def read_stdin(limit: int, what: str, setting: str = "limits.max_message_bytes") -> str:
    """All of stdin as UTF-8, refused past ``limit`` bytes (read at most ``limit + 1``)."""
    if sys.stdin is None:
        raise AgentConsoleError(f"no standard input to read {what} from", exit_code=2)
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # already a text stream (embedding, tests): count its UTF-8 bytes
        text = sys.stdin.read(limit + 1)
        check_text_size(text, limit, f"{what} on standard input", setting)
        return text
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise AgentConsoleError(f"{what} on standard input is over the limit of {limit} bytes ({setting})", exit_code=2)
    return _decode(data, f"{what} on standard input")


def read_text_arg(parts: list[str], limit: int, what: str) -> str:
    """``parts`` joined, or stdin for ``-``; UTF-8 and at most ``limit`` bytes either way."""
    if parts == ["-"]:
        return read_stdin(limit, what)
    text = " ".join(parts)
    try:  # argv bytes that are not UTF-8 arrive as lone surrogates
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise AgentConsoleError(f"{what} is not UTF-8 text", exit_code=2) from None
    check_text_size(text, limit, what)
    return text


def read_text_file(path: Path, limit: int, what: str, setting: str) -> str:
    """A UTF-8 file of at most ``limit`` bytes; a directory, a missing file or binary data is one line."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise AgentConsoleError(f"no such file: {path}", exit_code=2) from None
    except IsADirectoryError:
        raise AgentConsoleError(f"{path} is a directory, not a file", exit_code=2) from None
    except OSError as exc:
        raise AgentConsoleError(f"cannot read {path}: {exc.strerror}", exit_code=2) from None
    if len(data) > limit:
        raise AgentConsoleError(f"{what} {path} is over the limit of {limit} bytes ({setting})", exit_code=2)
    return _decode(data, str(path))
