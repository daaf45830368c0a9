"""A helper process that reads pieces of a long text with its own engine (see :mod:`.parallel`).

Started by the parent as ``python -m agentconsole.privacy.helper_process`` (fork+exec,
never a bare fork of a process that may have threads). It talks over its stdin and
stdout in length-prefixed pickle frames, on private pipes between two processes of
the same program:

* parent -> helper: ``("init", settings, exclude)`` once, then ``("job", job_id, pieces)``;
* helper -> parent: ``("ready",)`` or ``("failed", error_type)``, then
  ``("done", job_id, detections_per_piece)`` or ``("error", job_id, error_type)``.

Errors cross the boundary as a type name only: a message could quote the text.
The helper writes nothing else (its stderr is discarded by the parent, stray
prints go there too), exits when its stdin closes (the parent ended, however it
ended) and after :data:`IDLE_SECONDS` without work.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import sys
from typing import TYPE_CHECKING, BinaryIO, cast

if TYPE_CHECKING:
    from agentconsole.config import PrivacySettings
    from agentconsole.privacy.pieces import Piece

#: A helper with nothing to do for this long exits; the parent starts a new one when needed.
IDLE_SECONDS = 300.0
_HEADER = struct.Struct(">I")


def send(stream: BinaryIO, message: tuple[object, ...]) -> None:
    """Write one frame and flush it."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(fd: int) -> tuple[object, ...] | None:
    """Read one frame from a file descriptor; None at end of file."""
    header = _read_exact(fd, _HEADER.size)
    if header is None:
        return None
    data = _read_exact(fd, _HEADER.unpack(header)[0])
    if data is None:
        return None
    message = pickle.loads(data)  # frames come only from the other end of our own pipe
    return message if isinstance(message, tuple) else None


def _wait_for_input(fd: int, seconds: float) -> bool:
    if os.name == "nt":  # select() works on sockets only there: no idle timeout
        return True
    readable, _, _ = select.select([fd], [], [], seconds)
    return bool(readable)


def main() -> int:
    """Load the engine the parent describes, then read the pieces it sends until told to stop."""
    import dataclasses

    from agentconsole.privacy.engine import PrivacyEngine

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, never into a frame
    fd = sys.stdin.fileno()
    init = receive(fd)
    if init is None or init[0] != "init":
        return 2
    settings = cast("PrivacySettings", init[1])
    exclude = cast("list[str]", init[2])
    try:  # workers=1: a helper never starts helpers of its own
        engine = PrivacyEngine.from_settings(dataclasses.replace(settings, workers=1), exclude=exclude)
    except Exception as exc:
        send(out, ("failed", type(exc).__name__))
        return 1
    send(out, ("ready",))
    while _wait_for_input(fd, IDLE_SECONDS):
        message = receive(fd)
        if message is None or message[0] != "job":
            return 0
        job_id, pieces = message[1], cast("list[Piece]", message[2])
        try:
            results = [[(d.start, d.end, d.entity_type, d.score) for d in dets] for dets in engine.read_pieces(pieces)]
        except Exception as exc:
            send(out, ("error", job_id, type(exc).__name__))
            return 1
        send(out, ("done", job_id, results))
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (BrokenPipeError, KeyboardInterrupt):  # the parent went away or the terminal interrupted us
        os._exit(1)
