"""Long texts read on every core: helper processes take pieces from the end while we read from the start.

A helper (:mod:`.helper_process`) is started with fork+exec (``subprocess``), never
with a bare ``fork()`` of this process, which may be running threads (the console
is a Textual app). It loads the same engine once (same settings, same excluded
recognizers) and stays warm for the next long text; it exits after a few idle
minutes, when its stdin closes (our process ended, however it ended) or when we
close the engine. Helpers are started only for texts of :data:`PARALLEL_MIN_CHARS`
or more; while a helper loads we read pieces ourselves, it joins when ready.

Both sides read pieces with :meth:`PrivacyEngine.read_pieces` and a piece's
result does not depend on who reads it or with which others, so the detections
are the same as reading all pieces in this process. Progress counts pieces from
both sides; ``should_cancel`` is polled between our pieces and while we wait;
a cancel (or any error) kills the helpers at once. A helper that cannot start or
fails hands its pieces back to us: the job finishes in this process. When we run
out of pieces we read a helper's queued job ourselves rather than wait for it
(its late answer is ignored), so we never wait for more than one job.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from agentconsole.privacy.detections import Detection
from agentconsole.privacy.errors import MaskingCancelled
from agentconsole.privacy.helper_process import receive, send
from agentconsole.privacy.pieces import Piece, Unit, piece_of

if TYPE_CHECKING:
    from agentconsole.config import PrivacySettings
    from agentconsole.privacy.engine import PrivacyEngine

log = logging.getLogger("agentconsole.privacy")

#: Texts shorter than this are read in this process only (a helper's start-up would not pay off).
PARALLEL_MIN_CHARS = 50_000
#: Pieces per job sent to a helper, and jobs queued per helper (it never waits for us).
HELPER_BATCH = 4
HELPER_QUEUE = 2
#: Pieces we read between looks at the helpers' answers.
OWN_BATCH = 4
#: Helpers that failed to start in a row before the engine stops trying.
MAX_START_FAILURES = 2
_WAIT_SECONDS = 0.1


def helper_count(workers: int, cpus: int | None = None) -> int:
    """Helper processes for ``privacy.workers`` (0: one per extra core, at most one; n: n - 1)."""
    if workers <= 0:
        cpus = os.cpu_count() if cpus is None else cpus
        return 1 if (cpus or 1) >= 2 else 0
    return workers - 1


class Helper:
    """One helper process and the thread that reads its answers into the pool's queue."""

    def __init__(
        self, settings: PrivacySettings, exclude: Sequence[str], answers: queue.Queue[tuple[Helper, tuple[object, ...]]]
    ) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agentconsole.privacy.helper_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # never on the console's terminal; errors come back as frames
            env=env,
            close_fds=True,
            # Its own session: the terminal's job-control signals (Ctrl+C, Ctrl+Z, hang-up) go to the
            # console, which decides the helper's life (its stdin closing ends it); with the kernel's
            # autogroup scheduling it is also scheduled as a program of its own.
            start_new_session=True,
        )
        self.ready = False
        self.alive = True
        #: Set once the helper is ready or gone.
        self.settled = threading.Event()
        self._stdin: BinaryIO = self.process.stdin  # type: ignore[assignment]  # PIPE above
        self._answers = answers
        try:
            send(self._stdin, ("init", settings, list(exclude)))
        except (OSError, ValueError):
            self.stop()
            self.process.stdout.close()  # type: ignore[union-attr]  # no reader thread yet
            raise
        threading.Thread(target=self._read_answers, name="privacy-helper-reader", daemon=True).start()

    def _read_answers(self) -> None:
        fd = self.process.stdout.fileno()  # type: ignore[union-attr]
        try:
            while (message := receive(fd)) is not None:
                if message == ("ready",):
                    self.ready = True
                    self.settled.set()
                self._answers.put((self, message))
        except (OSError, ValueError, EOFError, ImportError, AttributeError, IndexError):
            pass  # a broken frame: the helper is done either way
        finally:
            self.process.stdout.close()  # type: ignore[union-attr]  # here, never under a read in progress
        self.settled.set()
        self._answers.put((self, ("exited",)))

    def submit(self, job_id: int, pieces: list[Piece]) -> bool:
        """Send a job; False when the helper is gone."""
        try:
            send(self._stdin, ("job", job_id, pieces))
        except (OSError, ValueError):
            self.alive = False
            return False
        return True

    def stop(self) -> None:
        """Kill the process and reap it (a helper holds nothing worth a graceful end)."""
        self.alive = False
        try:
            self.process.kill()
        except OSError:
            pass
        self.process.wait()  # its stdout then ends, and the reader thread closes it
        try:
            self._stdin.close()
        except OSError:
            pass


class HelperPool:
    """Up to ``size`` helper processes for one engine, started on demand, stopped at exit."""

    def __init__(self, settings: PrivacySettings, exclude: Sequence[str], size: int) -> None:
        self.size = size
        self._settings = settings
        self._exclude = list(exclude)
        self.answers: queue.Queue[tuple[Helper, tuple[object, ...]]] = queue.Queue()
        self.helpers: list[Helper] = []
        self._start_failures = 0
        self._finalizer = weakref.finalize(self, _stop_all, self.helpers)

    @property
    def usable(self) -> bool:
        return self.size > 0 and self._start_failures < MAX_START_FAILURES

    def start(self) -> list[Helper]:
        """The live helpers, starting the missing ones (they report ready later)."""
        for helper in [h for h in self.helpers if not h.alive or h.process.poll() is not None]:
            helper.stop()
            self.helpers.remove(helper)
        while self.usable and len(self.helpers) < self.size:
            try:
                self.helpers.append(Helper(self._settings, self._exclude, self.answers))
            except (OSError, ValueError) as exc:
                self.start_failed(type(exc).__name__)
                break
        return list(self.helpers)

    def start_and_wait(self) -> int:
        """Start the missing helpers and wait until each is ready or gone; the number ready."""
        helpers = self.start()
        for helper in helpers:
            helper.settled.wait()
        return sum(h.ready and h.process.poll() is None for h in helpers)

    def start_failed(self, error: str) -> None:
        self._start_failures += 1
        log.warning("privacy helper process did not start (%s); reading in this process", error)

    def close(self) -> None:
        """Kill every helper now (also done at exit, or when the pool is garbage-collected)."""
        self._finalizer()


def _stop_all(helpers: list[Helper]) -> None:
    for helper in list(helpers):
        helper.stop()
    helpers.clear()


_job_ids = iter(range(1, sys.maxsize))


class Ticker:
    """Counts the characters read, reports progress, and stops the job when ``should_cancel()`` says so."""

    def __init__(
        self, total: int, progress: Callable[[int, int], None] | None, should_cancel: Callable[[], bool] | None
    ) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        self._should_cancel = should_cancel

    def check(self) -> None:
        """Raise :class:`MaskingCancelled` if the job is to stop."""
        if self._should_cancel is not None and self._should_cancel():
            raise MaskingCancelled("masking cancelled")

    def __call__(self, chars: int) -> None:
        self.done += chars
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)
        self.check()


def read_units(
    engine: PrivacyEngine, text: str, units: Sequence[Unit], pool: HelperPool | None, tick: Ticker
) -> list[list[Detection]]:
    """Each unit's first-stage detections (offsets into its piece): here, and by ``pool``'s helpers if usable."""
    if pool is not None and pool.usable:
        return read_shared(engine, text, units, pool, tick)
    per_unit = []
    for unit, dets in zip(units, engine.read_pieces([piece_of(text, u) for u in units]), strict=True):
        per_unit.append(dets)
        tick(unit.chars)
    return per_unit


def read_shared(
    engine: PrivacyEngine, text: str, units: Sequence[Unit], pool: HelperPool, tick: Ticker
) -> list[list[Detection]]:
    """Like :func:`read_units`; we take units from the start, helpers take jobs from the end.

    ``tick(chars)`` is called as units finish on either side and raises
    :class:`MaskingCancelled` to stop; then (or on any error) the helpers are killed.
    """
    results: list[list[Detection] | None] = [None] * len(units)
    front, back = 0, len(units)
    redo: list[int] = []  # units of a helper that failed: read here
    inflight: dict[int, tuple[Helper, list[int]]] = {}
    helpers = pool.start()

    def handle(helper: Helper, message: tuple[object, ...]) -> None:
        kind = message[0]
        if helper not in helpers:
            return  # a helper of an earlier job (stopped since)
        if kind == "done" and message[1] in inflight:  # ("ready",) needs nothing here: the reader set helper.ready
            _, indices = inflight.pop(message[1])
            per_unit = cast("list[list[tuple[int, int, str, float]]]", message[2])
            for i, dets in zip(indices, per_unit, strict=True):
                results[i] = [Detection(*d) for d in dets]
            engine.pipeline_pieces += sum(units[i].prose for i in indices)
            engine.helper_pieces += len(indices)
            tick(sum(units[i].chars for i in indices))
        elif kind in ("failed", "error", "exited"):
            if kind != "exited" or not helper.ready:
                pool.start_failed(str(message[-1]) if kind != "exited" else "exited")
            helper.stop()
            helpers.remove(helper)
            for job_id in [j for j, (h, _) in inflight.items() if h is helper]:
                redo.extend(inflight.pop(job_id)[1])

    def pump() -> None:
        nonlocal back
        while True:
            try:
                handle(*pool.answers.get_nowait())
            except queue.Empty:
                break
        for helper in [h for h in helpers if h.ready and h.alive]:
            while front < back and sum(h is helper for h, _ in inflight.values()) < HELPER_QUEUE:
                lo = max(front, back - HELPER_BATCH)
                indices = list(range(lo, back))
                job_id = next(_job_ids)
                inflight[job_id] = (helper, indices)
                back = lo
                if not helper.submit(job_id, [piece_of(text, units[i]) for i in indices]):
                    handle(helper, ("exited",))
                    break

    try:
        while True:
            pump()
            if redo or front < back:
                if redo:
                    mine, redo[:] = list(redo), []
                else:
                    mine = list(range(front, min(front + OWN_BATCH, back)))
                    front = mine[-1] + 1
                for i, dets in zip(mine, engine.read_pieces([piece_of(text, units[i]) for i in mine]), strict=True):
                    results[i] = dets
                    tick(units[i].chars)
                    pump()
            elif inflight:
                tick.check()
                queued = [job for job, (h, _) in inflight.items() if sum(h is o for o, _ in inflight.values()) > 1]
                if queued:  # rather than wait, read a helper's last job ourselves (it has likely not begun it)
                    redo.extend(inflight.pop(max(queued))[1])
                    continue
                try:
                    handle(*pool.answers.get(timeout=_WAIT_SECONDS))
                except queue.Empty:
                    pass
            else:
                break
    except BaseException:
        for helper in helpers:  # a cancel stops the helpers now, not after their queued pieces
            helper.stop()
        raise
    return [r if r is not None else [] for r in results]
