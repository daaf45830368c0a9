"""Long jobs of one session (masking a long message, an import, a draft) that a lock cancels and waits for.

Locking closes the vault and zeroes its key. A job still running at that
moment (auto-lock during a nine-minute masking job) would otherwise keep
going and then write into, or hold a write transaction on, a vault that is
being locked. So every long job runs inside :meth:`LongJobs.running`, checks
:meth:`LongJobs.check` before it writes, and hands :meth:`LongJobs.should_cancel`
to whatever engine can stop early (the PII engine's ``should_cancel``, a
generation's ``cancel``). :meth:`LongJobs.cancel_and_wait` raises the flag and
waits until every job has left; only then is the vault locked.

Pure Python, no textual: the service owns one; the UI only triggers a lock.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

from agentconsole.errors import AgentConsoleError, ErrorKind

log = logging.getLogger("agentconsole.jobs")


class JobCancelled(AgentConsoleError):
    """A long job stopped because the vault is being locked; it wrote nothing."""

    kind = ErrorKind.CANCELLED


class LongJobs:
    """The running long jobs of a session and one cancel flag they all watch."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running = 0
        self._cancelled = False
        self._on_cancel: dict[int, Callable[[], object]] = {}
        self._next_id = 0

    @contextlib.contextmanager
    def running(self, on_cancel: Callable[[], object] | None = None) -> Iterator[None]:
        """Run the body as a long job; ``on_cancel`` is called (once) if a lock cancels it.

        Raises :class:`JobCancelled` at once if a lock is already under way.
        """
        with self._changed:
            if self._cancelled:
                raise JobCancelled("the vault is being locked; nothing was changed")
            self._running += 1
            job_id = self._next_id
            self._next_id += 1
            if on_cancel is not None:
                self._on_cancel[job_id] = on_cancel
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._on_cancel.pop(job_id, None)
                self._changed.notify_all()

    @property
    def count(self) -> int:
        """How many long jobs are running now."""
        return self._running

    def should_cancel(self) -> bool:
        """True once a lock asked the jobs to stop (pass this to engines that can stop early)."""
        return self._cancelled

    def check(self) -> None:
        """Raise :class:`JobCancelled` if a lock asked the jobs to stop (call before writing)."""
        if self._cancelled:
            raise JobCancelled("stopped because the vault was locked; nothing was stored")

    def cancel_and_wait(self, timeout: float | None = None) -> bool:
        """Ask every job to stop, and wait until none runs (``False`` if ``timeout`` passed first).

        New jobs are refused until :meth:`reopen`.
        """
        with self._changed:
            self._cancelled = True
            callbacks = list(self._on_cancel.values())
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a job that cannot be told to stop is still waited for
                log.warning("cancelling a long job failed", exc_info=True)
        with self._changed:
            stopped = self._changed.wait_for(lambda: self._running == 0, timeout)
        if not stopped:
            log.warning("%d long job(s) still running after %s s; locking anyway", self._running, timeout)
        return stopped

    def reopen(self) -> None:
        """Accept jobs again (after the lock is done)."""
        with self._changed:
            self._cancelled = False
