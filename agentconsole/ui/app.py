"""The Textual app: screens, session state, workers, auto-lock. Built by :func:`make_app`.

The app only talks to :class:`agentconsole.service.ConsoleService`. Every
service call that can block (key derivation, masking, the vault, the model)
runs in a thread worker via :meth:`AgentConsoleApp.call_service`; expected
failures (:class:`AgentConsoleError`) are shown as one line, anything else
goes to the log and the screen says so, never a traceback.

Heavy parts (model, PII engine, and the vault code itself) load in workers
after the first paint, so the first screen appears at once and stays usable.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from agentconsole.config import Settings
from agentconsole.errors import AgentConsoleError, ErrorKind
from agentconsole.terminal_text import inert
from agentconsole.ui import keys
from agentconsole.ui.composer import Composer
from agentconsole.ui.screens.first_run import FirstRunScreen
from agentconsole.ui.screens.help import HelpScreen
from agentconsole.ui.screens.main import MainScreen
from agentconsole.ui.screens.start import StartScreen
from agentconsole.ui.screens.unlock import UnlockScreen
from agentconsole.ui.status import StatusBar

if TYPE_CHECKING:
    from agentconsole.service import ConsoleService

log = logging.getLogger("agentconsole.ui")

TITLE = "agentconsole"
LIGHT_THEME = "textual-light"
DARK_THEME = "textual-dark"
#: Events that count as the agent being at the keyboard (for auto-lock).
ACTIVITY_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)
#: Workers that outlive a lock: loading the engines, and the lock itself.
ENGINE_WORKER_GROUPS = frozenset({"load-privacy", "load-model", "vault-exists", "lock"})


class AgentConsoleApp(App[int]):
    """The console. Construct it with :func:`make_app`."""

    CSS_PATH = "console.tcss"
    TITLE = TITLE
    SUB_TITLE = ""
    BINDINGS = keys.bindings("app")
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        settings: Settings,
        service: ConsoleService,
        *,
        load_engines: bool = True,
        clock: Callable[[], float] = time.monotonic,
        idle_check_seconds: float = 5.0,
        unlock_user: str = "",
        unlock_notice: str = "",
    ) -> None:
        super().__init__()
        self.settings = settings
        #: Pre-filled user and a line shown on the first unlock screen (the demo shows its passphrase).
        self.unlock_user = unlock_user
        self.unlock_notice = unlock_notice
        self.service: ConsoleService = service
        self.load_engines = load_engines
        self.clock = clock
        self.idle_check_seconds = idle_check_seconds
        self.last_activity = clock()
        self.status_fields: dict[str, Any] = {}
        self.first_paint_done = False
        #: Set once the first screen after the start screen is shown (tests, bench).
        self.screen_ready = False
        self.model_ready = False
        self.privacy_ready = False
        #: Wrong passphrases in a row (the unlock screen's growing delay survives a lock).
        self.unlock_failures = 0
        #: Results of cancelled service calls that were dropped, never shown (tests).
        self.dropped_results = 0
        #: A lock is under way (the service may still be waiting for a long job to stop).
        self.locking = False

    # --- start-up ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        theme = self.settings.ui.theme
        self.theme = theme if theme in self.available_themes else DARK_THEME
        self.push_screen(StartScreen())
        self.set_interval(self.idle_check_seconds, self.check_autolock)
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.first_paint_done = True
        self.call_service(self.service.vault_exists, done=self._route, name="vault-exists")
        if self.load_engines:
            self._load_privacy()
            self._load_model()

    def _route(self, exists: bool) -> None:
        self.show_screen(UnlockScreen(user=self.unlock_user, notice=self.unlock_notice) if exists else FirstRunScreen())
        self.screen_ready = True

    def _load_privacy(self) -> None:
        self.set_status(pii="PII: loading…")

        def loaded(_: Any) -> None:
            self.privacy_ready = True
            self.set_status(pii="PII: ready")

        self.call_service(
            lambda: self.service.privacy,
            done=loaded,
            failed=lambda m: self.set_status(pii="PII: unavailable"),
            name="load-privacy",
            quiet=False,
        )

    def _load_model(self) -> None:
        self.set_status(model="model: loading")
        last = [-1]

        def progress(fraction: float) -> None:  # called in the worker thread
            percent = int(max(0.0, min(1.0, fraction)) * 100)
            if percent != last[0]:
                last[0] = percent
                self.call_from_thread(self.set_status, model=f"model: loading {percent}%")

        def load() -> str:
            self.service.load_model(progress)
            return str(self.service.model_name)

        def loaded(name: str) -> None:
            self.model_ready = True
            self.set_status(model=f"model: {name}")

        self.call_service(
            load, done=loaded, failed=lambda m: self.set_status(model="model: unavailable"), name="load-model"
        )

    # --- screens -----------------------------------------------------------------------------

    def show_screen(self, screen: Screen) -> None:
        """Replace whatever is shown (modals included) by ``screen``."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(screen)

    def create_vault(self, user: str, passphrase: bytearray) -> None:
        def done(_: Any) -> None:
            self._unlocked()

        def failed(message: str) -> None:
            if isinstance(self.screen, FirstRunScreen):
                self.screen.show_error(message)

        self.call_service(
            self._with_secret(self.service.create_vault, user, passphrase),
            done=done,
            failed=failed,
            name="create-vault",
            quiet=True,
        )

    def unlock(self, user: str, passphrase: bytearray) -> None:
        def failed_with(exc: AgentConsoleError | None, message: str) -> None:
            screen = self.screen
            if not isinstance(screen, UnlockScreen):
                return
            if exc is not None and exc.kind is ErrorKind.WRONG_PASSPHRASE:
                screen.wrong_passphrase(message)
            else:
                screen.set_busy(False, message)

        self.call_service(
            self._with_secret(self.service.unlock, user, passphrase),
            done=lambda _: self._unlocked(),
            failed_exc=failed_with,
            name="unlock",
            quiet=True,
        )

    @staticmethod
    def _with_secret(fn: Callable[[str, bytearray], None], user: str, secret: bytearray) -> Callable[[], None]:
        def call() -> None:
            try:
                fn(user, secret)
            finally:
                secret[:] = bytes(len(secret))  # zero our copy of the passphrase

        return call

    def _unlocked(self) -> None:
        self.unlock_failures = 0
        self.last_activity = self.clock()
        self.set_status(lock_state=f"{self.service.user} ({self.service.role})")
        if self.service.can("work_cases"):
            self.show_screen(MainScreen())
        else:  # an auditor: the audit log is all this role may see
            from agentconsole.ui.screens.audit import AuditScreen

            self.show_screen(AuditScreen(closable=False))

    def action_lock(self, notice: str = "Locked. Sign in to continue.") -> None:
        if self.locking or not self.service.is_unlocked:
            return
        user = self.service.user
        # Results of running calls must not reach the screens any more; the service
        # itself cancels its long jobs (masking, a draft) and waits for them before
        # it closes the vault, so nothing keeps writing into a locked vault.
        self.cancel_session_workers()
        self.service.cancel_generation()
        jobs = getattr(self.service, "jobs", None)
        if jobs is not None and jobs.count:
            notice += " (A running job is being stopped first.)"
        self.locking = True
        self.show_screen(UnlockScreen(user=user, notice=notice))
        self.set_status(lock_state="locked", masked=None)

        def locked(_: Any = None) -> None:
            self.locking = False

        self.call_service(self.service.lock, done=locked, failed=locked, name="lock")

    def check_autolock(self) -> None:
        minutes = self.settings.ui.autolock_minutes
        if not minutes or not self.service.is_unlocked:
            return
        if self.clock() - self.last_activity >= minutes * 60:
            self.action_lock(f"Locked after {minutes} minute{'s' if minutes != 1 else ''} without activity.")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, ACTIVITY_EVENTS):
            self.last_activity = self.clock()
        if isinstance(event, events.Paste) and not isinstance(self.focused, Composer) and not event.is_forwarded:
            # One-line fields (filter, search, dialogs, user name) render their value as it is:
            # a pasted escape sequence is made inert before it becomes part of one.
            event = events.Paste(inert(event.text))
        await super().on_event(event)

    def action_audit_log(self) -> None:
        from agentconsole.ui.screens.audit import AuditScreen

        if isinstance(self.screen, AuditScreen) or not self.service.is_unlocked:
            return
        if not self.service.can("audit"):
            self.notify(f"the {self.service.role} role cannot read the audit log", severity="error", markup=False)
            return
        self.push_screen(AuditScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    async def action_quit(self) -> None:
        self.service.cancel_generation()
        self.exit(0)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast is plain text made inert: messages may quote a customer reference or a file name."""
        super().notify(inert(str(message)), title=inert(title), severity=severity, timeout=timeout, markup=False)

    # --- status ------------------------------------------------------------------------------

    def set_status(self, **fields: Any) -> None:
        """Update the session state shown by every status bar."""
        self.status_fields.update(fields)
        for screen in self.screen_stack:
            for bar in screen.query(StatusBar):
                bar.set(**fields)

    # --- service calls -------------------------------------------------------------------------

    def call_service(
        self,
        fn: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], Any] | None = None,
        failed: Callable[[str], Any] | None = None,
        failed_exc: Callable[[AgentConsoleError | None, str], Any] | None = None,
        name: str = "service",
        quiet: bool = False,
        exclusive: bool = False,
    ) -> None:
        """Run ``fn(*args)`` in a thread worker; ``done(result)`` or ``failed(message)`` on the UI thread.

        Expected failures are shown as one line (``quiet`` leaves that to ``failed``);
        anything else is logged and reported without a traceback. Messages are
        made inert (they may quote a customer reference or a file name).

        With ``exclusive`` a new call cancels the running one of the same ``name``
        (its group); a cancelled call's ``done``/``failed`` never run, checked on
        the UI thread right before they would, so a stale result never overwrites
        a newer one. :meth:`action_lock` cancels every session call the same way.
        """

        def report(exc: AgentConsoleError | None, message: str) -> None:
            message = inert(message)
            if not quiet:
                self.notify(message, severity="error", markup=False, timeout=6)
            if failed is not None:
                failed(message)
            if failed_exc is not None:
                failed_exc(exc, message)

        def work() -> None:
            worker = get_current_worker()
            try:
                result = fn(*args)
            except AgentConsoleError as exc:
                log.info("%s failed: %s", name, exc.message)
                self._from_thread(report, exc, exc.message, worker=worker)
                return
            except Exception:
                log.exception("%s failed unexpectedly", name)
                self._from_thread(report, None, f"{name} failed unexpectedly; details are in the log", worker=worker)
                return
            if done is not None:
                self._from_thread(done, result, worker=worker)

        self.run_worker(work, thread=True, name=name, group=name, exit_on_error=False, exclusive=exclusive)

    def _from_thread(self, callback: Callable[..., Any], *args: Any, worker: Worker[Any] | None = None) -> None:
        def unless_cancelled(*call_args: Any) -> Any:
            if worker is not None and worker.is_cancelled:
                self.dropped_results += 1
                return None  # superseded by a newer call of its group, or the vault was locked
            return callback(*call_args)

        try:
            self.call_from_thread(unless_cancelled, *args)
        except RuntimeError:  # the app is closing
            pass

    def cancel_session_workers(self) -> None:
        """Cancel every worker whose result belongs to the unlocked session (their callbacks never run)."""
        for worker in list(self.workers):
            if worker.group not in ENGINE_WORKER_GROUPS:
                worker.cancel()

    # --- command palette -----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in ("Screenshot", "Quit"):  # a screenshot file could hold revealed values
                yield command
        for key in keys.KEYS:
            if not key.palette or (key.where != "app" and not isinstance(screen, MainScreen)):
                continue
            if key.where == "app" and key.action == "lock" and not self.service.is_unlocked:
                continue
            target = self if key.where == "app" else screen
            yield SystemCommand(
                key.label, f"{key.help} ({keys.display_key(key.key)})", partial(self._palette_action, key, target)
            )

        if isinstance(screen, MainScreen) and self.service.is_unlocked and self.service.can("kb_read"):
            for macro in self.service.kb_macros():  # canned replies straight from the palette
                yield SystemCommand(
                    f"Macro: {inert(macro.name)}",
                    "Insert this canned reply into the composer",
                    partial(self._insert_macro, screen, macro.name),
                )

    def _insert_macro(self, screen: MainScreen, name: str) -> None:
        self.call_service(
            self.service.kb_render_macro, name, screen.case_id, done=screen.insert_into_composer, name="macros"
        )

    async def _palette_action(self, key: keys.Key, target: Any) -> None:
        if key.where == "composer":
            composer = target.query_one("#composer")
            result = getattr(composer, f"action_{key.action}")()
        else:
            result = getattr(target, f"action_{key.action}")()
        if inspect.isawaitable(result):
            await result


def make_app(
    settings: Settings,
    service: ConsoleService | None = None,
    *,
    model_override: str | None = None,
    load_engines: bool = True,
    clock: Callable[[], float] = time.monotonic,
    idle_check_seconds: float = 5.0,
    unlock_user: str = "",
    unlock_notice: str = "",
) -> AgentConsoleApp:
    """Build the console for ``settings`` (tests pass their own settings, home and service)."""
    if service is None:
        from agentconsole.service import ConsoleService

        service = ConsoleService(settings, model_override=model_override)
    return AgentConsoleApp(
        settings,
        service,
        load_engines=load_engines,
        clock=clock,
        idle_check_seconds=idle_check_seconds,
        unlock_user=unlock_user,
        unlock_notice=unlock_notice,
    )
