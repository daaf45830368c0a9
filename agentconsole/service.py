"""The console's use cases: what the UI and the CLI call, and nothing else does.

:class:`ConsoleService` wires the cores together (vault, privacy, llm,
compliance) and is where roles are enforced. It never imports textual. Every
method may be called from a worker thread; the vault gives each thread its own
connection, and one generation runs at a time.

Data flow of a customer message: text -> ``PrivacyEngine.mask`` with the
case's placeholder mapping -> masked text stored, new placeholder values
stored in ``pii_values``. A draft: masked turns -> model -> output masker
(raw PII the model invents) -> placeholders canonicalized -> shown as chips
and stored masked. Sending restores real values for the outgoing text only,
and that disclosure is audited.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentconsole import logs
from agentconsole.config import Settings
from agentconsole.errors import AgentConsoleError
from agentconsole.long_jobs import LongJobs

if TYPE_CHECKING:  # heavy modules load lazily, in workers
    from agentconsole.llm import Engine, GenerationStats
    from agentconsole.privacy import CaseMapping, MaskResult, PrivacyEngine
    from agentconsole.vault import Case, Message, SearchHit, Vault

log = logging.getLogger("agentconsole.service")

ROLES = ("agent", "supervisor", "auditor")
MESSAGE_ROLES = ("customer", "agent", "note")
CASE_STATUSES = ("open", "pending", "closed")

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
}


class PermissionDenied(AgentConsoleError):
    """The signed-in user's role does not allow this action."""

    exit_code = 3


class NotUnlocked(AgentConsoleError):
    """An action needs an unlocked vault."""


class ConsentRequired(AgentConsoleError):
    """Drafting is refused: the customer has not consented to AI processing."""


class ServiceBusy(AgentConsoleError):
    """A generation is already running."""


class UnlockThrottled(AgentConsoleError):
    """Too many failed unlocks for this user name: wait before trying again (any process)."""


class UnknownCustomer(AgentConsoleError):
    """No customer with this reference in the vault."""


class PersonalReference(AgentConsoleError):
    """A customer reference that reads as personal data (a name, an e-mail...)."""

    exit_code = 2


#: Entity types a customer reference may contain: an account/customer number is what a CRM id is.
REFERENCE_ENTITIES_ALLOWED = frozenset({"ACCOUNT_NUMBER"})
MAX_REFERENCE_CHARS = 64
_REFERENCE_HINT = "use a CRM or ticket id such as C-1042 instead: references stay in the audit log after an erasure"


#: meta key: the epoch of the failed-unlock record's header (see compliance.failed_unlocks).
FAILED_UNLOCKS_EPOCH = "failed_unlocks_epoch"


class NothingToDraft(AgentConsoleError):
    """A reply or summary was asked for a case in which the customer has not written yet."""


class PlaceholderIntegrityError(AgentConsoleError):
    """Send or copy refused: the text holds placeholders the case does not have, or broken ones."""


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class AddedMessage:
    """A stored message and the number of values masked in it."""

    message_id: int
    masked_text: str
    masked_count: int
    new_placeholders: tuple[str, ...]


@dataclass
class DraftStream:
    """A running generation. Iterate for display-safe deltas (placeholders intact).

    Iteration is blocking: run it in a worker. When iteration ends (finished or
    cancelled) the masked result is stored as an assistant message and
    ``message_id``/``stats`` are set.
    """

    case_id: int
    kind: str
    _deltas: Iterator[str]
    _cancel: Callable[[], None]
    question: str | None = None  # masked, for answers
    text: str = ""
    message_id: int | None = None
    stats: GenerationStats | None = None
    cancelled: bool = False
    #: Every placeholder of the finished text, classified (PlaceholderFinding: known/invented/damaged).
    findings: list[Any] = field(default_factory=list)
    values_invented: int = 0  # raw values the model made up (masked, never stored)
    _done: threading.Event = field(default_factory=threading.Event)

    @property
    def problems(self) -> list[Any]:
        """The invented and damaged placeholders of the finished text."""
        return [f for f in self.findings if f.status != "known"]

    def __iter__(self) -> Iterator[str]:
        for delta in self._deltas:
            self.text += delta
            yield delta

    def cancel(self) -> None:
        self.cancelled = True
        self._cancel()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)


def _with_prefix(prefix: str, generation: Iterable[str]) -> Iterator[str]:
    """The answer as the agent sees it: the prefix the model was started with, then its deltas."""
    if prefix:
        yield prefix
    yield from generation


class ConsoleService:
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

    # --- heavy components (call from workers) ----------------------------------------

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

    # --- vault lifecycle ---------------------------------------------------------------

    @property
    def vault_path(self) -> Path:
        return self.settings.vault_path

    def vault_exists(self) -> bool:
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
        from agentconsole.vault import Vault

        self.settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._vault = Vault.create(self.vault_path, user, passphrase, role="supervisor")
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

    # --- failed unlocks: the vault is closed when they happen, so they wait in a sidecar --

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
            details: dict[str, Any] = {"at": event.at}
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

    # --- audit -------------------------------------------------------------------------

    def _audit(self, action: str, subject: str = "", **details: Any) -> None:
        if self._vault is None or self._vault.is_locked:
            return
        self._audit_as(self._vault.user, action, subject, **details)

    def _audit_as(self, actor: str, action: str, subject: str = "", **details: Any) -> None:
        if self._vault is None or self._vault.is_locked:
            return
        from agentconsole.compliance.audit import AuditLog

        AuditLog(self._vault).append(actor=actor, action=action, subject=subject, details=details)

    # --- cases -------------------------------------------------------------------------

    def list_cases(self, status: str | None = None) -> list[Case]:
        return self.require("work_cases").list_cases(status=status)

    def get_case(self, case_id: int) -> Case:
        return self.require("work_cases").get_case(case_id)

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        if not query.strip():
            return []
        return self.require("work_cases").search(query, limit=limit)

    def new_case(self, customer_ref: str, title: str) -> int:
        """Open a case for a customer (created on first use). Title is masked too."""
        vault = self.require("work_cases")
        with self.jobs.running(), vault.transaction():
            case_id = self._open_case(vault, customer_ref, title.strip() or "New case")
        self._audit("case.create", f"case:{case_id}", customer=customer_ref.strip())
        return case_id

    def _open_case(self, vault: Vault, customer_ref: str, title: str) -> int:
        """Create a case (and its customer on first use) with a masked title, inside the caller's transaction."""
        customer_ref = customer_ref.strip()
        if not customer_ref:
            raise AgentConsoleError("a case needs a customer reference")
        if vault.get_customer(customer_ref) is None:
            self.check_customer_reference(customer_ref)
        self._check_size(title, "the case title")
        case_id = vault.create_case(vault.upsert_customer(customer_ref), "")
        vault.set_case_title(case_id, self._mask_into_case(vault, case_id, title).masked)
        return case_id

    def check_customer_reference(self, customer_ref: str) -> None:
        """Refuse a new customer reference that reads as personal data (a name, an e-mail, a phone...).

        References are written into audit entries, which outlive an erasure; a CRM or
        ticket id keeps the log free of personal data. Checked with the PII engine
        (an account or customer number is allowed), for '@' and spaces, and for a digit.
        """
        ref = customer_ref.strip()
        if not ref:
            raise AgentConsoleError("a customer reference is needed")
        if len(ref) > MAX_REFERENCE_CHARS or not ref.isprintable():
            raise PersonalReference(
                f"a customer reference is at most {MAX_REFERENCE_CHARS} printable characters: {_REFERENCE_HINT}"
            )
        if "@" in ref or any(ch.isspace() for ch in ref):
            raise PersonalReference(f"customer references cannot contain spaces or '@': {_REFERENCE_HINT}")
        found = sorted(
            {d.entity_type for d in self.privacy.analyze(ref) if d.entity_type not in REFERENCE_ENTITIES_ALLOWED}
        )
        if found:
            raise PersonalReference(
                f"this customer reference looks like personal data ({', '.join(found)}): {_REFERENCE_HINT}"
            )
        # The engine needs context to see a name in one word ("Jonas", "MartaKowalczyk");
        # CRM and ticket ids carry a number, names do not.
        if not any(ch.isdigit() for ch in ref):
            raise PersonalReference(f"a customer reference without a digit may be a name: {_REFERENCE_HINT}")

    def _check_size(self, text: str, what: str) -> None:
        from agentconsole.config import check_text_size

        check_text_size(text, self.settings.limits.max_message_bytes, what)

    def set_status(self, case_id: int, status: str) -> None:
        if status not in CASE_STATUSES:
            raise AgentConsoleError(f"unknown case status '{status}' (use {', '.join(CASE_STATUSES)})")
        self.require("work_cases").set_case_status(case_id, status)

    def messages(self, case_id: int) -> list[Message]:
        """The case's messages, masked (placeholders, never values)."""
        return self.require("work_cases").list_messages(case_id)

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

    def masked_entity_count(self, case_id: int) -> int:
        return len(self.mapping(case_id).placeholders())

    def _mask_into_case(self, vault: Vault, case_id: int, text: str, **job: Any) -> MaskResult:
        """Mask ``text`` with the case's mapping; new placeholder values go to the vault.

        ``job``: the engine's ``progress``/``should_cancel`` for a long paste; a lock
        (the long jobs' cancel flag) stops the masking too, and then nothing is written.
        """
        asked = job.pop("should_cancel", None)

        def should_cancel() -> bool:
            return self.jobs.should_cancel() or bool(asked is not None and asked())

        mask = self.privacy.mask
        accepted = inspect.signature(mask).parameters  # an engine without progress/cancel runs to the end
        options = {key: value for key, value in job.items() if key in accepted}
        if "should_cancel" in accepted:
            options["should_cancel"] = should_cancel
        result = mask(text, self.mapping(case_id), **options)
        self.jobs.check()  # a lock came while masking: write nothing
        if result.new_entries:
            vault.add_pii_values(case_id, result.new_entries)
            logs.register_secrets(value for _, _, value in result.new_entries)
        return result

    def _store_message(
        self, vault: Vault, case_id: int, role: str, text: str, created_at: str | None, **job: Any
    ) -> AddedMessage:
        """Mask and store one message (raw text kept only if configured), inside the caller's transaction."""
        result = self._mask_into_case(vault, case_id, text, **job)
        raw = text if self.settings.compliance.keep_raw_text else None
        message_id = vault.add_message(case_id, role, result.masked, created_at=created_at, raw_text=raw)
        return AddedMessage(
            message_id=message_id,
            masked_text=result.masked,
            masked_count=len(result.entities),
            new_placeholders=tuple(p for p, _, _ in result.new_entries),
        )

    def add_message(
        self,
        case_id: int,
        role: str,
        text: str,
        *,
        created_at: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> AddedMessage:
        """Mask ``text`` with the case's mapping and store it. Raw text is kept only if configured.

        ``progress(done, total)`` reports a long paste's masking; ``should_cancel()``
        returning True stops it with ``MaskingCancelled`` and nothing is stored.
        """
        if role not in MESSAGE_ROLES:
            raise AgentConsoleError(f"unknown message role '{role}' (use {', '.join(MESSAGE_ROLES)})")
        vault = self.require("work_cases")
        if not text.strip():
            raise AgentConsoleError("the message is empty")
        self._check_size(text, "the message")
        with self.jobs.running(), vault.transaction():
            return self._store_message(
                vault, case_id, role, text, created_at, progress=progress, should_cancel=should_cancel
            )

    def import_transcript(self, customer_ref: str, title: str, lines: Iterable[tuple[str, str, str | None]]) -> int:
        """Import (role, text, time) turns into a new case atomically; returns the case id."""
        vault = self.require("work_cases")
        turns = list(lines)
        for number, (_, text, _) in enumerate(turns, start=1):
            self._check_size(text, f"message {number} of the transcript")
        with self.jobs.running(), vault.transaction():
            case_id = self._open_case(vault, customer_ref, title)
            for role, text, when in turns:
                self._store_message(vault, case_id, role, text, when)
        self._audit("case.import", f"case:{case_id}", messages=len(turns))
        return case_id

    # --- reveal and send ---------------------------------------------------------------

    def reveal(self, case_id: int, message_id: int) -> str:
        """The message with real values restored. Audited; the UI re-masks after a while."""
        from agentconsole.privacy import restore

        message = self._revealed_message(case_id, message_id)
        return restore(message.text, self.mapping(case_id))

    def reveal_stream(self, case_id: int) -> Any:
        """A stream restorer that puts the case's real values into a draft as it streams (``draft --reveal``).

        Audited as a reveal before any value is returned. Integrity markers
        (invented, damaged, made-up) stay as they are: they have no real value.
        """
        from agentconsole.privacy import StreamRestorer

        self.require("reveal")
        self._audit("reveal", f"case:{case_id} draft")
        return StreamRestorer(self.mapping(case_id))

    def _revealed_message(self, case_id: int, message_id: int) -> Message:
        """The message a reveal discloses; the reveal is audited before anything is returned."""
        vault = self.require("reveal")
        message = next((m for m in vault.list_messages(case_id) if m.id == message_id), None)
        if message is None:
            raise AgentConsoleError(f"no message {message_id} in case {case_id}")
        self._audit("reveal", f"case:{case_id} message:{message_id}")
        return message

    def send(self, case_id: int, text: str, **job: Any) -> tuple[AddedMessage, str]:
        """Store the agent's reply (masked) and return the outgoing text with real values.

        The text may hold placeholders (from an accepted draft) and raw values the
        agent typed; both are handled. The disclosure is audited.
        """
        from agentconsole.privacy import restore

        self.require("send")
        self._refuse_unsafe_placeholders("send", case_id, text)
        added = self.add_message(case_id, "agent", text, **job)
        outgoing = restore(added.masked_text, self.mapping(case_id))
        self._audit("send", f"case:{case_id} message:{added.message_id}", restored=outgoing != added.masked_text)
        return added, outgoing

    # --- AI ------------------------------------------------------------------------------

    def consent_given(self, customer_ref: str) -> bool:
        from agentconsole.compliance.consent import ConsentRegistry

        return ConsentRegistry(self._require_vault()).current(customer_ref)

    def _check_consent(self, case: Case) -> None:
        if self.settings.consent.required and not self.consent_given(case.customer_ref):
            raise ConsentRequired(
                f"customer {case.customer_ref} has not consented to AI processing; record consent first"
            )

    def _refuse_unsafe_placeholders(self, action: str, case_id: int, text: str) -> None:
        """Refuse (audited) to restore text that holds invented or damaged placeholders."""
        from agentconsole.privacy.streaming import describe_problems, integrity_problems

        problems = integrity_problems(text, self.mapping(case_id))
        if not problems:
            return
        named = describe_problems(problems)
        self._audit(f"{action}.refused", f"case:{case_id}", placeholders=named)
        raise PlaceholderIntegrityError(
            f"not {'sent' if action == 'send' else 'copied'}: the text holds {named}, which are not this "
            "case's values; edit them out first"
        )

    def _turns_for(self, case_id: int, kind: str, question: str | None) -> list[Any]:
        """The chat turns of a drafting task over the case's masked messages (see llm.tasks)."""
        from agentconsole.llm.tasks import task_turns

        messages = [(m.role, m.text) for m in self.messages(case_id) if m.role in MESSAGE_ROLES]
        return task_turns(
            kind,
            messages,
            list(self.mapping(case_id).placeholders()),
            question=question,
            base_system=self.settings.model.system_prompt,
        )

    def draft(self, case_id: int, kind: str = "reply", question: str | None = None) -> DraftStream:
        """Start a draft reply, a summary or an answer to the agent's question (streamed).

        ``kind`` is ``reply``, ``summary`` or ``answer`` (``question`` is the same
        as ``answer``). The model sees only masked turns. The returned stream
        yields display-safe deltas: known placeholders canonical, invented and
        damaged ones as markers, made-up values masked (never stored). The
        result is stored as an assistant message of that kind (with the masked
        question) when it ends.
        """
        from agentconsole.llm.tasks import STOPS as TASK_STOPS
        from agentconsole.llm.tasks import answer_prefix, normalize_task
        from agentconsole.privacy.streaming import OutputMasker, scan_placeholders

        try:
            kind = normalize_task(kind)
        except ValueError as exc:
            raise AgentConsoleError(str(exc)) from None
        vault = self.require("draft")
        case = vault.get_case(case_id)
        self._check_consent(case)
        if kind != "answer" and not any(m.role == "customer" for m in vault.list_messages(case_id)):
            raise NothingToDraft(
                f"nothing to {'draft' if kind == 'reply' else 'summarize'}: case {case_id} has no customer message yet"
            )
        if kind == "answer":
            if not question or not question.strip():
                raise AgentConsoleError("ask a question first")
            self._check_size(question, "the question")
            question = self._mask_into_case(vault, case_id, question).masked
        else:
            question = None
        if not self._generation_lock.acquire(blocking=False):
            raise ServiceBusy("a draft is already being generated: stop it first (Esc)")
        try:
            mapping = self.mapping(case_id)
            turns = self._turns_for(case_id, kind, question)
            engine = self.engine
            engine.load()
            prefix = answer_prefix(kind, list(mapping.placeholders())) if engine.supports_prefix else ""
            generation = engine.stream(turns, prefix=prefix, stop=[*self.settings.model.stop, *TASK_STOPS])
        except BaseException:
            self._generation_lock.release()
            raise
        masker = OutputMasker(self.privacy, mapping)
        stream: DraftStream

        def deltas() -> Iterator[str]:
            try:
                # a long job: a lock stops the generation and waits until what there was is stored
                with self.jobs.running(on_cancel=stream.cancel):
                    try:
                        for raw in _with_prefix(prefix, generation):
                            out = masker.feed(raw)
                            if out:
                                yield out
                        tail = masker.flush()
                        if tail:
                            yield tail
                    finally:
                        stream.findings = scan_placeholders(stream.text, mapping)
                        stream.values_invented = masker.values_invented
                        self._finish_draft(vault, stream, generation)
            finally:
                self._current = None
                self._generation_lock.release()
                stream._done.set()

        stream = DraftStream(case_id=case_id, kind=kind, question=question, _deltas=deltas(), _cancel=generation.cancel)
        self._current = stream
        return stream

    def _finish_draft(self, vault: Vault, stream: DraftStream, generation: Any) -> None:
        # Nothing the model wrote enters the case's PII table: made-up values were dropped by the masker.
        stream.stats = generation.stats
        stream.cancelled = stream.cancelled or bool(getattr(generation.stats, "cancelled", False))
        if vault.is_locked or not stream.text.strip():
            return
        stats = generation.stats
        stream.message_id = vault.add_message(
            stream.case_id,
            "assistant",
            stream.text,
            model=self.engine.model_name,
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            ttft_ms=stats.ttft_ms,
            decode_tokens_per_s=stats.decode_tokens_per_s,
            kind=stream.kind,
            question=stream.question,
        )
        if stream.problems:
            from agentconsole.privacy.streaming import describe_problems

            self._audit(
                "draft.integrity",
                f"case:{stream.case_id} message:{stream.message_id}",
                placeholders=describe_problems(stream.problems),
            )

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

    # --- compliance: retention, consent, export, erasure, audit, users, config -----------

    def _forget_mappings(self, case_ids: Iterable[int] | None = None) -> None:
        """Drop cached placeholder mappings (all, or of deleted/expired cases)."""
        for case_id in list(self._mappings) if case_ids is None else list(case_ids):
            mapping = self._mappings.pop(case_id, None)
            for value in mapping.placeholders().values() if mapping is not None else ():
                logs.unregister_secret(value)

    def _audit_config_changes(self) -> None:
        """Audit settings that differ from what this vault last saw (config.toml is edited by hand)."""
        from agentconsole.compliance import config_watch

        change = config_watch.observe(self._require_vault(), self.settings)
        if change is not None:
            self._audit("config.baseline" if change.baseline else "config.change", "config", changes=change.changed)

    def _run_retention_on_unlock(self) -> None:
        """The retention policy runs at every unlock, whoever unlocks; audited when it removed something.

        A failure is logged and audited but never blocks the unlock.
        """
        from agentconsole.compliance import retention

        vault = self._require_vault()

        def record(report: Any) -> None:
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

    def run_retention(self, dry_run: bool = False) -> Any:
        """Apply (or with ``dry_run`` only count) the retention policy now. Supervisor; audited."""
        from agentconsole.compliance import retention

        vault = self.require("retention")

        def record(report: Any) -> None:
            self._audit("retention.run", "vault", trigger="command", **report.as_details())

        report = retention.run(vault, self.settings, dry_run=dry_run, record=record)
        if report.changed and not dry_run:
            self._forget_mappings()
        return report

    def record_consent(self, customer_ref: str, given: bool) -> Any:
        """Record that a customer gave or withdrew consent to AI processing; audited.

        Refused (:class:`UnknownCustomer`) for a reference with no customer in the vault:
        a typo must not create a customer.
        """
        from agentconsole.compliance.consent import ConsentRegistry

        vault = self.require("consent")
        ref = self._known_customer(vault, customer_ref)
        with vault.transaction():
            record = ConsentRegistry(vault).record(ref, given, self.user)
            self._audit("consent.give" if given else "consent.withdraw", f"customer:{ref}")
        return record

    def consent_history(self, customer_ref: str) -> list[Any]:
        """Every consent change of a known customer, oldest first (:class:`UnknownCustomer` otherwise)."""
        from agentconsole.compliance.consent import ConsentRegistry

        vault = self.require("consent")
        return ConsentRegistry(vault).history(self._known_customer(vault, customer_ref))

    def consent_given(self, customer_ref: str) -> bool:
        """Whether a known customer's latest consent change is "given"."""
        history = self.consent_history(customer_ref)
        return bool(history and history[-1].given)

    @staticmethod
    def _known_customer(vault: Vault, customer_ref: str) -> str:
        ref = customer_ref.strip()
        if not ref:
            raise AgentConsoleError("consent needs a customer reference")
        if vault.get_customer(ref) is None:
            raise UnknownCustomer(
                f"no customer {ref} in this vault: check the reference (consent is kept per customer)"
            )
        return ref

    def export_customer(self, customer_ref: str, fmt: str = "json") -> str:
        """Everything held about a customer, real values restored (right of access). Supervisor; audited.

        The result holds PII: the caller writes it where the requester asked, never to a log.
        """
        from agentconsole.compliance import export
        from agentconsole.privacy import restore

        if fmt not in export.FORMATS:
            raise AgentConsoleError(f"unknown export format '{fmt}' (use {' or '.join(export.FORMATS)})")
        vault = self.require("export")
        ref = customer_ref.strip()
        data = export.gather(
            vault,
            ref,
            restore=lambda case_id, text: restore(text, self.mapping(case_id)),
            purposes=list(self.settings.compliance.purposes),
            retention={
                "pii_values_days": self.settings.retention.pii_values_days,
                "transcripts_days": self.settings.retention.transcripts_days,
            },
            exported_by=self.user,
            exported_at=utcnow(),
        )
        self._audit("export", f"customer:{ref}", format=fmt, **data.counts())
        return export.render(data, fmt)

    def erase_customer(self, customer_ref: str) -> Any:
        """Erase a customer with all their cases, messages, values and consents (right to erasure).

        Supervisor. The audit entry (counts, no values) commits with the deletion.
        """
        from agentconsole.compliance import erasure

        vault = self.require("erase")
        ref = customer_ref.strip()
        if self._current is not None and vault.get_case(self._current.case_id).customer_ref == ref:
            raise ServiceBusy("a draft is being generated for this customer: stop it first")

        def record(report: Any) -> None:
            self._audit("erase", f"customer:{ref}", **report.as_details())

        report = erasure.erase_customer(vault, ref, record=record)
        self._forget_mappings(report.case_ids)
        return report

    def audit_entries(
        self, since: str | None = None, actor: str | None = None, action: str | None = None, limit: int | None = None
    ) -> list[Any]:
        """Audit entries (ids and counts, never values), oldest first. Supervisor or auditor."""
        from agentconsole.compliance.audit import AuditLog

        return AuditLog(self.require("audit")).entries(since=since, actor=actor, action=action, limit=limit)

    def verify_audit(self, anchor: dict[str, Any] | None = None) -> Any:
        """Verify the audit chain, against ``anchor`` if given and against the local anchor
        (written at every lock) if there is one; the check itself is audited."""
        import dataclasses

        from agentconsole.compliance import local_anchor
        from agentconsole.compliance.audit import AuditLog, AuditVerification

        audit_log = AuditLog(self.require("audit"))
        result = audit_log.verify(anchor)
        local: Any = None
        if result.ok:
            try:
                local = local_anchor.read(self._require_vault(), self.settings.anchor_dir)
            except local_anchor.LocalAnchorError as exc:
                result = AuditVerification(False, None, result.entries, str(exc), result.head_seq)
            if local is not None:
                checked = audit_log.verify(local.audit_anchor())
                if not checked.ok:
                    result = dataclasses.replace(checked, reason=f"against the local anchor: {checked.reason}")
                else:
                    extra = f"; matches the local anchor at entry {local.audit_seq}"
                    result = dataclasses.replace(result, reason=result.reason + extra)
        self._audit(
            "audit.verify",
            "audit",
            ok=result.ok,
            entries=result.entries,
            first_broken_seq=result.first_broken_seq,
            anchored=anchor is not None,
            local_anchor=local is not None,
        )
        return result

    def audit_anchor(self) -> dict[str, Any]:
        """The audit head to keep outside the vault (its own audit entry included)."""
        from agentconsole.compliance.audit import AuditLog

        audit_log = AuditLog(self.require("audit"))
        self._audit("audit.anchor", "audit")
        return audit_log.anchor().as_json()

    def user_list(self) -> list[tuple[str, str]]:
        return self.require("manage_users").list_users()

    def user_add(self, name: str, role: str, passphrase: bytearray) -> None:
        """Add a user with their own key slot. Supervisor; audited."""
        if role not in ROLES:
            raise AgentConsoleError(f"unknown role '{role}' (use {', '.join(ROLES)})")
        self.require("manage_users").add_user(name, role, passphrase)
        self._audit("user.add", f"user:{name}", role=role)

    def user_remove(self, name: str) -> None:
        """Remove a user's key slot (run :meth:`rekey` if they may have kept the keys file). Audited."""
        self.require("manage_users").remove_user(name)
        self._audit("user.remove", f"user:{name}")

    def user_reset_passphrase(self, name: str, one_time: bytearray) -> None:
        """Give a user who forgot their passphrase a one-time one. Supervisor; audited.

        Their slot is replaced and flagged: the vault will not open with the one-time
        passphrase until they set their own (``agentconsole passwd``; the console's
        unlock says so).
        """
        self.require("manage_users").reset_passphrase(name, one_time)
        self._audit("user.reset_passphrase", f"user:{name}")

    def passwd(self, old: bytearray, new: bytearray) -> None:
        """Change the signed-in user's own passphrase (rewraps one key slot); audited."""
        from agentconsole.vault import Vault

        user = self.user
        Vault.change_passphrase(self.vault_path, user, old, new)
        self._audit("user.passwd", f"user:{user}")

    def change_passphrase_offline(self, user: str, old: bytearray, new: bytearray) -> None:
        """``agentconsole passwd``: rewrap one slot with the database untouched (byte-identical).

        The audit entry cannot be written without opening the database, so it
        waits in the home's sidecar and lands at the next unlock.
        """
        from agentconsole.compliance import failed_unlocks, unlock_backoff
        from agentconsole.vault import Vault, WrongPassphrase

        self._check_backoff(user)
        try:
            Vault.change_passphrase(self.vault_path, user, old, new)
        except WrongPassphrase:
            self._record_failed_unlock(user, action="user.passwd.failed")
            raise
        unlock_backoff.succeeded(self.settings.home, user)
        failed_unlocks.record(self.settings.home, user, action="user.passwd")

    def open_for_check(self, user: str, passphrase: bytearray) -> Vault:
        """Open the vault for ``vault check`` (behind the same back-off; nothing audited).

        The caller locks it. Damage and rollbacks raise as for :meth:`unlock`.
        """
        return self._open_vault(user, passphrase)

    def rekey(self) -> None:
        """Rotate the data key. Supervisor; audited. The audit key survives (see docs/compliance.md)."""
        vault = self.require("rekey")
        self.cancel_generation()
        vault.rekey()
        self._audit("vault.rekey", "vault")

    def set_config(self, key: str, value: Any) -> None:
        """Change one setting (``section.key``) in config.toml. Supervisor; audited as config.change.

        The file is validated, rewritten atomically (comments are not kept) and
        reloaded; the audit entry comes from the same diff the unlock check uses.
        """
        from agentconsole.atomicfile import write_atomic
        from agentconsole.config import CONFIG_FILE_NAME, parse_settings, render_toml, to_dict

        self.require("config")
        section, _, name = key.partition(".")
        data = to_dict(self.settings)
        if section not in data or name not in data[section]:
            raise AgentConsoleError(f"unknown setting '{key}'")
        data[section][name] = value
        path = self.settings.home / CONFIG_FILE_NAME
        candidate = parse_settings(data, home=self.settings.home, source=str(path))
        write_atomic(path, render_toml(candidate).encode("utf-8"))
        self.settings = candidate
        self._audit_config_changes()

    def copy_out(self, case_id: int, text: str) -> str:
        """``text`` (a draft or message with placeholders) with real values, for the clipboard.

        The same disclosure as :meth:`send` without storing a message: audited as ``copy``.
        """
        from agentconsole.privacy import restore

        self.require("send")
        self._refuse_unsafe_placeholders("copy", case_id, text)
        restored = restore(text, self.mapping(case_id))
        self._audit("copy", f"case:{case_id}", restored=restored != text)
        return restored

    # --- UI support (added by the UI engineer) -----------------------------------------------

    def reveal_values(self, case_id: int, message_id: int) -> dict[str, str]:
        """Placeholder -> real value for the placeholders of one message (audited as a reveal).

        Same disclosure as :meth:`reveal`, shaped for the UI, which shows the values
        in place of that message's chips and re-masks after ``ui.reveal_seconds``.
        """
        message = self._revealed_message(case_id, message_id)
        return {p: v for p, v in self.mapping(case_id).placeholders().items() if p in message.text}
