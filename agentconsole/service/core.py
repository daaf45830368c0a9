"""The session every section of the service shares: settings, heavy components, the vault, roles, audit.

:class:`ServiceCore` opens and closes the vault (unlock, lock, rollback and
failed-unlock handling), enforces roles (:data:`PERMISSIONS`) and writes audit
entries; the sections (:mod:`.cases`, :mod:`.drafts`, :mod:`.admin`) derive
from it and :class:`agentconsole.service.ConsoleService` combines them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from agentconsole import logs
from agentconsole.config import Settings
from agentconsole.long_jobs import LongJobs
from agentconsole.service.errors import NotUnlocked, PermissionDenied, UnlockThrottled

if TYPE_CHECKING:  # heavy modules load lazily, in workers
    from agentconsole.compliance.retention import RetentionReport
    from agentconsole.llm import Engine
    from agentconsole.privacy import CaseMapping, PrivacyEngine
    from agentconsole.service.drafts import DraftStream
    from agentconsole.vault import Vault

log = logging.getLogger("agentconsole.service")

#: Which roles may do what. Least privilege: auditors see only the audit log.
PERMISSIONS: dict[str, frozenset[str]] = {
    "work_cases": frozenset({"agent", "supervisor"}),
    "reveal": frozenset({"agent", "supervisor"}),
    "draft": frozenset({"agent", "supervisor"}),
    "send": frozenset({"agent", "supervisor"}),
    "consent": frozenset({"agent", "supervisor"}),
    "manage_users": frozenset({"supervisor"}),
    "export": frozenset({"supervisor"}),
    "erase": frozenset({"supervisor"}),
    "retention": frozenset({"supervisor"}),
    "config": frozenset({"supervisor"}),
    "rekey": frozenset({"supervisor"}),
    "audit": frozenset({"supervisor", "auditor"}),
    "kb_manage": frozenset({"supervisor"}),
    "kb_read": frozenset({"agent", "supervisor"}),
}

#: meta key: the epoch of the failed-unlock record's header (see compliance.failed_unlocks).
FAILED_UNLOCKS_EPOCH = "failed_unlocks_epoch"


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ServiceCore:
    """One console session: a vault (when unlocked), the PII engine and the model."""

    def __init__(
        self,
        settings: Settings,
        *,
        model_override: str | None = None,
        engine: Engine | None = None,
        privacy: PrivacyEngine | None = None,
    ) -> None:
        self.settings = settings
        self.model_override = model_override
        self._engine = engine
        self._privacy = privacy
        self._vault: Vault | None = None
        self._mappings: dict[int, CaseMapping] = {}
        self._load_lock = threading.Lock()
        self._generation_lock = threading.Lock()
        self._current: DraftStream | None = None
        #: One-line notices from the last unlock (a missing local anchor, an edited failed-unlock
        #: record...): already audited; the CLI prints them on stderr, the console may show them.
        self.unlock_warnings: list[str] = []
        #: Long jobs (masking, imports, drafts) that :meth:`lock` cancels and waits for.
        self.jobs = LongJobs()
        self._lifecycle = threading.Lock()  # lock() and unlock() one at a time

    @property
    def privacy(self) -> PrivacyEngine:
        """The PII engine, loaded on first use (seconds: spaCy + Presidio)."""
        if self._privacy is None:
            with self._load_lock:
                if self._privacy is None:
                    from agentconsole.privacy import PrivacyEngine

                    self._privacy = PrivacyEngine.from_settings(self.settings.privacy)
        return self._privacy

    @property
    def privacy_ready(self) -> bool:
        return self._privacy is not None

    @property
    def engine(self) -> Engine:
        """The language model engine (not necessarily loaded)."""
        if self._engine is None:
            from agentconsole.llm import build_engine

            self._engine = build_engine(self.settings, self.model_override)
        return self._engine

    def load_model(self, progress: Callable[[float], None] | None = None) -> None:
        """Load the model (blocking; the UI calls it in a worker)."""
        self.engine.load(progress)

    @property
    def model_ready(self) -> bool:
        return self._engine is not None and self._engine.is_loaded

    @property
    def model_name(self) -> str:
        return self.engine.model_name

    @property
    def vault_path(self) -> Path:
        return self.settings.vault_path

    def vault_exists(self) -> bool:
        if self.settings.vault.backend == "postgres":
            return True  # the team store lives on its server ('agentconsole team init' sets it up)
        from agentconsole.vault import Vault

        return Vault.exists(self.vault_path)

    @property
    def is_unlocked(self) -> bool:
        return self._vault is not None and not self._vault.is_locked

    @property
    def user(self) -> str:
        return self._require_vault().user

    @property
    def role(self) -> str:
        return self._require_vault().role

    def create_vault(self, user: str, passphrase: bytearray) -> None:
        """First run: create the vault and its first user (a supervisor), and unlock it."""
        from agentconsole.vault import Vault, VaultError

        if self.settings.vault.backend == "postgres":
            raise VaultError("this console uses a team store: set it up with 'agentconsole team init'")
        self.settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._vault = Vault.create(self.vault_path, user, passphrase, role="supervisor")
        self._session_opened()
        self._audit("vault.create", f"user:{user}")
        self._audit("user.add", f"user:{user}", role="supervisor")
        self._audit_config_changes()

    def unlock(self, user: str, passphrase: bytearray, *, accept_rollback: bool = False) -> None:
        """Unlock as ``user``; failures are audited (after the fact, by the next unlock).

        Refused without trying while the name's back-off runs (:class:`UnlockThrottled`).
        An unknown name and a wrong passphrase give the same :class:`WrongPassphrase`.
        A vault older than its commit seal or its local anchor is refused
        (:class:`~agentconsole.vault.VaultRolledBack`) unless ``accept_rollback``
        (supervisors only: see :meth:`accept_rollback`).
        """
        with self._lifecycle:  # a lock still waiting for a long job to stop finishes first
            from agentconsole.compliance import local_anchor, unlock_backoff

            vault = self._open_vault(user, passphrase, accept_rollback=accept_rollback)
            accept_rollback = accept_rollback and vault.role == "supervisor"
            opened_at_commit = vault.commit_seq()
            self.unlock_warnings = []
            try:
                anchor = local_anchor.check(vault, self.settings.anchor_dir)
                if anchor.rolled_back and not accept_rollback:
                    self._refuse_rollback(vault, user, anchor.problem or "vault was rolled back")
            except BaseException:
                vault.lock()  # idempotent; never leave the process lock held by a half-open session
                raise
            unlock_backoff.succeeded(self.settings.home, user)
            self._vault = vault
            self._session_opened()  # before the failed unlocks are flushed: alerts watch them
            self._flush_failed_unlocks()
            self._audit("unlock", f"user:{user}", role=vault.role)
            if vault.recovered_rekey == "swapped":
                self._audit("vault.rekey", "vault", recovered=True)
            elif vault.recovered_rekey == "abandoned":
                self._audit("vault.rekey.abandoned", "vault", recovered=True)
            if accept_rollback and (vault.accepted_rollback is not None or anchor.rolled_back):
                sealed, found = vault.accepted_rollback or (0, opened_at_commit)
                self._audit(
                    "vault.rollback_accepted",
                    "vault",
                    sealed_commit=sealed,
                    database_commit=found,
                    anchor_commit=anchor.anchor.commit if anchor.anchor else None,
                )
                self.write_local_anchor()
            elif anchor.problem and not anchor.rolled_back:
                self._audit("anchor.problem", "vault", problem=anchor.problem)
                self.unlock_warnings.append(anchor.problem)
            self._audit_config_changes()
            self._run_retention_on_unlock()

    def _open_vault(self, user: str, passphrase: bytearray, *, accept_rollback: bool = False) -> Vault:
        """Vault.unlock behind the back-off; a failure is recorded for the audit log."""
        from agentconsole.compliance import failed_unlocks, unlock_backoff
        from agentconsole.vault import PassphraseChangeRequired, Vault, VaultRolledBack, WrongPassphrase

        self._check_backoff(user)
        try:
            if self.settings.vault.backend == "postgres":
                from agentconsole.service.team import open_team_store

                return open_team_store(self.settings, user, passphrase)
            return Vault.unlock(self.vault_path, user, passphrase, accept_rollback=accept_rollback)
        except WrongPassphrase:
            self._record_failed_unlock(user)
            raise
        except PassphraseChangeRequired:
            unlock_backoff.succeeded(self.settings.home, user)  # the one-time passphrase was right
            raise
        except VaultRolledBack:
            failed_unlocks.record(self.settings.home, user, action="vault.rollback_detected")
            raise

    def _refuse_rollback(self, vault: Vault, user: str, problem: str) -> None:
        from agentconsole.compliance import failed_unlocks
        from agentconsole.vault import VaultRolledBack

        vault.lock()
        failed_unlocks.record(self.settings.home, user, action="vault.rollback_detected")
        raise VaultRolledBack(
            f"{problem}; if you restored a backup on purpose, a supervisor can accept it with "
            "'agentconsole vault accept-rollback'"
        )

    def accept_rollback(self, user: str, passphrase: bytearray) -> None:
        """Open a vault found rolled back (a backup restored on purpose) and make it the new baseline.

        Supervisor only; audited as ``vault.rollback_accepted`` with the commit numbers.
        """
        self.unlock(user, passphrase, accept_rollback=True)
        if self.role != "supervisor":
            self.require("manage_users")  # audits the denial, raises PermissionDenied

    def write_local_anchor(self) -> None:
        """Record the vault's commit counter and audit head outside the data directory (at every lock)."""
        from agentconsole.compliance import local_anchor

        vault = self._require_vault()
        local_anchor.write(vault, self.settings.anchor_dir)

    def lock(self) -> None:
        """Cancel long jobs and wait for them, then write the local anchor, close the vault, zero the key."""
        with self._lifecycle:
            self.cancel_generation()
            self.jobs.cancel_and_wait()
            try:
                if self.is_unlocked:
                    self._session_closing()
                vault, self._vault = self._vault, None
                self._forget_mappings()
                if vault is not None and not vault.is_locked:
                    from agentconsole.compliance import local_anchor

                    try:
                        local_anchor.write(vault, self.settings.anchor_dir)
                    except Exception as exc:  # never keep the vault open because of the anchor
                        log.warning("could not write the local anchor: %s", type(exc).__name__)
                    vault.lock()
            finally:
                self.jobs.reopen()

    # --- hooks for sections (cooperative: an override calls super()) ----------------------------

    def _session_opened(self) -> None:
        """The vault was just created or unlocked, before the session audits anything."""

    def _session_closing(self) -> None:
        """The vault is about to be locked (still open; long jobs already stopped)."""

    def _reply_disclosure(self, case_id: int, used_draft: bool | None) -> tuple[str, int | None]:
        """Before a reply is stored: a line to append to the outgoing text ("" none) and the id of the
        draft the reply used (0: not known), for :meth:`_reply_stored`."""
        return "", None

    def _reply_stored(self, message_id: int, draft_id: int | None) -> None:
        """The reply from :meth:`_reply_as_sent` was stored as ``message_id``."""

    def _require_vault(self) -> Vault:
        if self._vault is None or self._vault.is_locked:
            raise NotUnlocked("the vault is locked: unlock it first")
        return self._vault

    def require(self, permission: str) -> Vault:
        """Return the open vault if the signed-in role has ``permission``, else raise."""
        vault = self._require_vault()
        if vault.role not in PERMISSIONS[permission]:
            self._audit("denied", f"permission:{permission}")
            raise PermissionDenied(f"{vault.role} '{vault.user}' is not allowed to {permission.replace('_', ' ')}")
        return vault

    def can(self, permission: str) -> bool:
        return self.is_unlocked and self.role in PERMISSIONS[permission]

    def _user_exists(self, user: str) -> bool:
        from agentconsole.vault import VaultError, keys_path_for
        from agentconsole.vault.keyslots import KeysFile

        try:
            return KeysFile.load(keys_path_for(self.vault_path)).slot(user) is not None
        except (OSError, VaultError):
            return False

    def _check_backoff(self, user: str) -> None:
        from agentconsole.compliance import failed_unlocks, unlock_backoff

        left = unlock_backoff.wait_left(self.settings.home, user)
        if left:
            failed_unlocks.record(self.settings.home, user, action="unlock.throttled", known=self._user_exists(user))
            raise UnlockThrottled(f"too many failed attempts for this user name: try again in {left} s")

    def _record_failed_unlock(self, user: str, action: str = "unlock.failed") -> None:
        from agentconsole.compliance import failed_unlocks, unlock_backoff

        delay = unlock_backoff.failed(self.settings.home, user)
        failed_unlocks.record(self.settings.home, user, action=action, known=self._user_exists(user), backoff=delay)

    def _flush_failed_unlocks(self) -> None:
        """Audit what happened while locked, attributed to the name tried ("unknown" if it has no slot),
        check the record was not deleted or edited, and start a new one."""
        import secrets

        from agentconsole.compliance import failed_unlocks

        vault = self._require_vault()
        drained = failed_unlocks.drain_checked(self.settings.home, vault.get_meta(FAILED_UNLOCKS_EPOCH))
        for event in drained.events:
            known = event.known and event.user and not event.user.startswith("<")
            actor = event.user if known else "unknown"
            details: dict[str, object] = {"at": event.at}
            if event.backoff_s:
                details["backoff_s"] = event.backoff_s
            if event.user.startswith("<"):
                details["note"] = event.user
            self._audit_as(actor, event.action, f"user:{actor}", **details)
        if drained.problem:
            self._audit("unlock.record_tampered", "failed_unlocks", problem=drained.problem)
            self.unlock_warnings.append(drained.problem)
        epoch = secrets.token_hex(16)
        vault.set_meta(FAILED_UNLOCKS_EPOCH, epoch)
        failed_unlocks.start(self.settings.home, epoch)

    def _audit(self, action: str, subject: str = "", **details: object) -> None:
        if self._vault is None or self._vault.is_locked:
            return
        self._audit_as(self._vault.user, action, subject, **details)

    def _audit_as(self, actor: str, action: str, subject: str = "", **details: object) -> None:
        if self._vault is None or self._vault.is_locked:
            return
        from agentconsole.compliance.audit import AuditLog

        AuditLog(self._vault).append(actor=actor, action=action, subject=subject, details=details)

    def mapping(self, case_id: int) -> CaseMapping:
        """The case's placeholder mapping (cached; values registered for log redaction)."""
        vault = self.require("work_cases")
        mapping = self._mappings.get(case_id)
        if mapping is None:
            from agentconsole.privacy import CaseMapping

            rows = [(p.placeholder, p.entity_type, p.value) for p in vault.pii_values(case_id)]
            mapping = CaseMapping.from_entries(rows)
            logs.register_secrets(value for _, _, value in rows)
            self._mappings[case_id] = mapping
        return mapping

    def _forget_mappings(self, case_ids: Iterable[int] | None = None) -> None:
        """Drop cached placeholder mappings (all, or of deleted/expired cases)."""
        for case_id in list(self._mappings) if case_ids is None else list(case_ids):
            mapping = self._mappings.pop(case_id, None)
            for value in mapping.placeholders().values() if mapping is not None else ():
                logs.unregister_secret(value)

    def _check_size(self, text: str, what: str) -> None:
        from agentconsole.config import check_text_size

        check_text_size(text, self.settings.limits.max_message_bytes, what)

    def cancel_generation(self) -> bool:
        """Stop the running generation, if any (within one token)."""
        current = self._current
        if current is None:
            return False
        current.cancel()
        return True

    @property
    def generating(self) -> bool:
        return self._current is not None

    def _audit_config_changes(self) -> None:
        """Audit settings that differ from what this vault last saw (config.toml is edited by hand)."""
        from agentconsole.compliance import config_watch

        change = config_watch.observe(self._require_vault(), self.settings)
        if change is not None:
            self._audit("config.baseline" if change.baseline else "config.change", "config", changes=change.changed)

    def _run_retention_on_unlock(self) -> None:
        """The retention policy runs at every unlock, whoever unlocks (on a team store: a supervisor);
        audited when it removed something.

        A failure is logged and audited but never blocks the unlock.
        """
        from agentconsole.compliance import retention

        vault = self._require_vault()
        if self.settings.vault.backend == "postgres" and vault.role != "supervisor":
            return  # on a team store only a supervisor's database role may expire and delete

        def record(report: RetentionReport) -> None:
            if report.changed:
                self._audit("retention.run", "vault", trigger="unlock", **report.as_details())

        try:
            report = retention.run(vault, self.settings, record=record)
        except Exception as exc:  # a database error here must not leave a half-unlocked session
            log.warning("retention at unlock failed: %s", type(exc).__name__)
            self._audit("retention.failed", "vault", trigger="unlock", error=type(exc).__name__)
            return
        if report.changed:
            self._forget_mappings()
