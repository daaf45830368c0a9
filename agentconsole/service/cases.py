"""Cases, messages, customers and their consent, reveal, send and copy: the agent's daily work."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentconsole import logs
from agentconsole.domain import CASE_STATUSES, WRITABLE_MESSAGE_ROLES
from agentconsole.errors import AgentConsoleError
from agentconsole.service.core import ServiceCore
from agentconsole.service.errors import PersonalReference, PlaceholderIntegrityError, UnknownCustomer

if TYPE_CHECKING:
    from agentconsole.compliance.consent import ConsentRecord
    from agentconsole.privacy import MaskResult
    from agentconsole.privacy.streaming import StreamRestorer
    from agentconsole.vault import Case, Message, SearchHit, Vault

#: Entity types a customer reference may contain: an account/customer number is what a CRM id is.
REFERENCE_ENTITIES_ALLOWED = frozenset({"ACCOUNT_NUMBER"})
MAX_REFERENCE_CHARS = 64
_REFERENCE_HINT = "use a CRM or ticket id such as C-1042 instead: references stay in the audit log after an erasure"

#: Reports a long paste's masking: (characters done, characters in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AddedMessage:
    """A stored message and the number of values masked in it."""

    message_id: int
    masked_text: str
    masked_count: int
    new_placeholders: tuple[str, ...]


class CasesSection(ServiceCore):
    """Cases and their messages, masked on the way in and restored only on reveal, send and copy."""

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

    def set_status(self, case_id: int, status: str) -> None:
        if status not in CASE_STATUSES:
            raise AgentConsoleError(f"unknown case status '{status}' (use {', '.join(CASE_STATUSES)})")
        self.require("work_cases").set_case_status(case_id, status)

    def messages(self, case_id: int) -> list[Message]:
        """The case's messages, masked (placeholders, never values)."""
        return self.require("work_cases").list_messages(case_id)

    def masked_entity_count(self, case_id: int) -> int:
        return len(self.mapping(case_id).placeholders())

    def _mask_into_case(
        self,
        vault: Vault,
        case_id: int,
        text: str,
        *,
        progress: Progress | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> MaskResult:
        """Mask ``text`` with the case's mapping; new placeholder values go to the vault.

        ``progress``/``should_cancel`` are the engine's, for a long paste; a lock (the
        long jobs' cancel flag) stops the masking too, and then nothing is written.
        An engine that cannot stop early runs to the end and its result is dropped.
        """
        asked = should_cancel

        def cancelled() -> bool:
            return self.jobs.should_cancel() or bool(asked is not None and asked())

        result = self.privacy.mask(text, self.mapping(case_id), progress=progress, should_cancel=cancelled)
        self.jobs.check()  # a lock came while masking: write nothing
        if result.new_entries:
            vault.add_pii_values(case_id, result.new_entries)
            logs.register_secrets(value for _, _, value in result.new_entries)
        return result

    def _store_message(
        self,
        vault: Vault,
        case_id: int,
        role: str,
        text: str,
        created_at: str | None,
        *,
        progress: Progress | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> AddedMessage:
        """Mask and store one message (raw text kept only if configured), inside the caller's transaction."""
        result = self._mask_into_case(vault, case_id, text, progress=progress, should_cancel=should_cancel)
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
        progress: Progress | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> AddedMessage:
        """Mask ``text`` with the case's mapping and store it. Raw text is kept only if configured.

        ``progress(done, total)`` reports a long paste's masking; ``should_cancel()``
        returning True stops it with ``MaskingCancelled`` and nothing is stored.
        """
        if role not in WRITABLE_MESSAGE_ROLES:
            raise AgentConsoleError(f"unknown message role '{role}' (use {', '.join(WRITABLE_MESSAGE_ROLES)})")
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

    def reveal(self, case_id: int, message_id: int) -> str:
        """The message with real values restored. Audited; the UI re-masks after a while."""
        from agentconsole.privacy import restore

        message = self._revealed_message(case_id, message_id)
        return restore(message.text, self.mapping(case_id))

    def reveal_stream(self, case_id: int) -> StreamRestorer:
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

    def reveal_values(self, case_id: int, message_id: int) -> dict[str, str]:
        """Placeholder -> real value for the placeholders of one message (audited as a reveal).

        Same disclosure as :meth:`reveal`, shaped for the UI, which shows the values
        in place of that message's chips and re-masks after ``ui.reveal_seconds``.
        """
        message = self._revealed_message(case_id, message_id)
        return {p: v for p, v in self.mapping(case_id).placeholders().items() if p in message.text}

    def send(
        self,
        case_id: int,
        text: str,
        *,
        progress: Progress | None = None,
        should_cancel: Callable[[], bool] | None = None,
        used_draft: bool | None = None,
    ) -> tuple[AddedMessage, str]:
        """Store the agent's reply (masked) and return the outgoing text with real values.

        The text may hold placeholders (from an accepted draft) and raw values the
        agent typed; both are handled. The disclosure is audited. A reply that used a
        draft (``used_draft``; None: the model drafted a reply since the agent's last one)
        goes out with the AI disclosure line, recorded per message (see :mod:`.transparency`);
        the stored message keeps what the agent wrote.
        """
        from agentconsole.privacy import restore

        self.require("send")
        self._refuse_unsafe_placeholders("send", case_id, text)
        disclosure, draft_id = self._reply_disclosure(case_id, used_draft)
        added = self.add_message(case_id, "agent", text, progress=progress, should_cancel=should_cancel)
        self._reply_stored(added.message_id, draft_id if disclosure else None)
        outgoing = restore(added.masked_text, self.mapping(case_id))
        restored = outgoing != added.masked_text
        if disclosure:
            outgoing = f"{outgoing.rstrip()}\n\n{disclosure}"
        self._audit(
            "send",
            f"case:{case_id} message:{added.message_id}",
            restored=restored,
            ai_disclosure=bool(disclosure),
        )
        return added, outgoing

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

    def consent_given(self, customer_ref: str) -> bool:
        """Whether a known customer's latest consent change is "given"."""
        history = self.consent_history(customer_ref)
        return bool(history and history[-1].given)

    def record_consent(self, customer_ref: str, given: bool) -> ConsentRecord:
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

    def consent_history(self, customer_ref: str) -> list[ConsentRecord]:
        """Every consent change of a known customer, oldest first (:class:`UnknownCustomer` otherwise)."""
        from agentconsole.compliance.consent import ConsentRegistry

        vault = self.require("consent")
        return ConsentRegistry(vault).history(self._known_customer(vault, customer_ref))

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
