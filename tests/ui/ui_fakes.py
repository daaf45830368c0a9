"""A small in-memory stand-in for ConsoleService, for UI logic and snapshots only.

Every feature is also tested against the real service (test_flows_real.py);
this fake gives the layout tests fixed data, fixed times and a scripted model.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from agentconsole.compliance.audit import AuditEntry
from agentconsole.compliance.consent import ConsentRecord
from agentconsole.errors import AgentConsoleError
from agentconsole.service import AddedMessage
from agentconsole.vault import Case, Message, SearchHit, WrongPassphrase


@dataclass
class Stats:
    prompt_tokens: int = 10
    completion_tokens: int = 5
    ttft_ms: float = 12.0
    decode_tokens_per_s: float = 42.0
    cancelled: bool = False


@dataclass
class FakeDraft:
    case_id: int
    kind: str
    deltas: list[str]
    gate: threading.Event | None
    service: FakeService
    text: str = ""
    message_id: int | None = None
    stats: Stats | None = None
    cancelled: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)

    def __iter__(self) -> Iterator[str]:
        try:
            for index, delta in enumerate(self.deltas):
                if self._stop.is_set():
                    break
                if index == 1 and self.gate is not None:  # hold after the first delta until released
                    while not self.gate.wait(0.02):
                        if self._stop.is_set():
                            break
                    if self._stop.is_set():
                        break
                self.text += delta
                yield delta
        finally:
            self.cancelled = self._stop.is_set()
            self.stats = Stats(cancelled=self.cancelled)
            if self.text:
                self.message_id = self.service._store(
                    self.case_id, "assistant", self.text, model="fake-model", decode_tokens_per_s=42.0
                )
            self.service._current = None

    def cancel(self) -> None:
        self._stop.set()


PII = {
    "PERSON": [r"John Smith", r"Mary Major"],
    "EMAIL_ADDRESS": [r"[\w.]+@example\.com"],
    "CREDIT_CARD": [r"4111(?:[ -]?1111){3}"],
}

T0 = "2026-11-24T09:{:02d}:00+00:00"


class FakeService:
    def __init__(
        self,
        *,
        exists: bool = True,
        passphrase: str = "correct horse battery",
        draft_text: str = "Hello <PERSON_1>, we have blocked card <CREDIT_CARD_1>. **Regards**",
    ) -> None:
        self.exists = exists
        self.passphrase = passphrase
        self.unlocked = False
        self.sent_drafts: list[int | None] = []  # draft ids passed to send_reply
        self.user_name = ""
        self.cases: dict[int, Case] = {}
        self.msgs: dict[int, list[Message]] = {}
        self.maps: dict[int, dict[str, str]] = {}
        self.draft_text = draft_text
        self.gate: threading.Event | None = None
        self._current: FakeDraft | None = None
        self.reveals: list[tuple[int, int]] = []
        self.locks = 0
        self._tick = 0
        self.consents: dict[str, list[ConsentRecord]] = {}
        #: A fixed audit log whose customer data is hostile (markup, escapes, brackets).
        self.audit = [
            AuditEntry(1, "2026-11-24T09:00:00+00:00", "alice", "vault.create", "user:alice"),
            AuditEntry(
                2,
                "2026-11-24T09:01:00+00:00",
                "alice",
                "case.create",
                "case:3",
                {"customer": "CUST-[reverse]EVIL[/reverse]\x1b]0;owned\x07"},
            ),
            AuditEntry(
                3,
                "2026-11-24T09:02:00+00:00",
                "alice",
                "config.change",
                "config",
                {"changes": {"compliance.keep_raw_text": [False, True]}},
            ),
            AuditEntry(4, "2026-11-24T09:03:00+00:00", "alice", "consent.give", "customer:[bold]x[/bold]\u202eevil"),
        ]

    # lifecycle
    def vault_exists(self) -> bool:
        return self.exists

    def create_vault(self, user: str, passphrase: bytearray) -> None:
        self.exists, self.unlocked, self.user_name = True, True, user
        self.passphrase = passphrase.decode()

    def unlock(self, user: str, passphrase: bytearray, *, accept_rollback: bool = False) -> None:
        if passphrase.decode() != self.passphrase:
            raise WrongPassphrase(f"wrong passphrase for user '{user}'")
        self.unlocked, self.user_name = True, user

    def lock(self) -> None:
        self.locks += 1
        self.unlocked = False

    @property
    def is_unlocked(self) -> bool:
        return self.unlocked

    @property
    def user(self) -> str:
        return self.user_name

    @property
    def role(self) -> str:
        return "supervisor"

    def can(self, permission: str) -> bool:
        return self.unlocked

    @property
    def is_team(self) -> bool:  # a file vault: no soft locks, no live updates
        return False

    @property
    def privacy(self) -> object:
        return object()

    def load_model(self, progress: Callable[[float], None] | None = None) -> None:
        if progress:
            progress(0.5)
            progress(1.0)

    @property
    def model_name(self) -> str:
        return "fake-model"

    # cases
    def _now(self) -> str:
        self._tick += 1
        return T0.format(self._tick % 60)

    def _mask(self, case_id: int, text: str) -> tuple[str, int]:
        mapping = self.maps.setdefault(case_id, {})
        count = 0
        for entity, patterns in PII.items():
            for pattern in patterns:
                for value in re.findall(pattern, text):
                    existing = next((p for p, v in mapping.items() if v == value), None)
                    if existing is None:
                        n = sum(1 for p in mapping if p.startswith(f"<{entity}_")) + 1
                        existing = f"<{entity}_{n}>"
                        mapping[existing] = value
                    text = text.replace(value, existing)
                    count += 1
        return text, count

    def _store(self, case_id: int, role: str, text: str, **extra: object) -> int:
        message_id = sum(len(v) for v in self.msgs.values()) + 1
        self.msgs.setdefault(case_id, []).append(Message(message_id, case_id, role, text, self._now(), **extra))
        case = self.cases[case_id]
        self.cases[case_id] = Case(
            **{**case.__dict__, "updated_at": self._now(), "message_count": case.message_count + 1}
        )
        return message_id

    def list_cases(self, status: str | None = None) -> list[Case]:
        self._check()
        cases = [c for c in self.cases.values() if status is None or c.status == status]
        return sorted(cases, key=lambda c: c.updated_at, reverse=True)

    def get_case(self, case_id: int) -> Case:
        return self.cases[case_id]

    def messages(self, case_id: int) -> list[Message]:
        self._check()
        return list(self.msgs.get(case_id, []))

    def masked_entity_count(self, case_id: int) -> int:
        return len(self.maps.get(case_id, {}))

    def new_case(self, customer_ref: str, title: str) -> int:
        self._check()
        case_id = len(self.cases) + 1
        self.cases[case_id] = Case(case_id, case_id, customer_ref, "", "open", self._now(), self._now(), 0)
        masked, _ = self._mask(case_id, title or "New case")
        self.cases[case_id] = Case(**{**self.cases[case_id].__dict__, "title": masked})
        return case_id

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
        self._check()
        masked, count = self._mask(case_id, text)
        if progress is not None:
            progress(len(text), len(text))
        return AddedMessage(self._store(case_id, role, masked), masked, count, ())

    def send(
        self,
        case_id: int,
        text: str,
        *,
        progress: Callable[[int, int], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
        used_draft: bool | None = None,
    ) -> tuple[AddedMessage, str]:
        added = self.add_message(case_id, "agent", text, progress=progress, should_cancel=should_cancel)
        return added, self.copy_out(case_id, added.masked_text)

    # --- workflow (the real ones are tested in tests/integration/test_workflow*.py) ---------

    def tracked_cases(
        self,
        *,
        statuses: Sequence[str] = (),
        owner: str | None = None,
        unassigned: bool = False,
        priorities: Sequence[str] = (),
        tag: str | None = None,
        order: str = "activity",
    ) -> list[Case]:
        return self.list_cases()

    def send_reply(
        self,
        case_id: int,
        text: str,
        draft_id: int | None = None,
        *,
        progress: Callable[[int, int], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> tuple[AddedMessage, str]:
        self.sent_drafts.append(draft_id)
        return self.send(case_id, text, progress=progress, should_cancel=should_cancel)

    def kb_macros(self) -> list[object]:  # the scripted service has no knowledge base: no canned replies
        self._check()
        return []

    def copy_draft(self, case_id: int, message_id: int) -> str:
        message = next(m for m in self.msgs[case_id] if m.id == message_id)
        return self.copy_out(case_id, message.text)

    def copy_out(self, case_id: int, text: str) -> str:
        for placeholder, value in self.maps.get(case_id, {}).items():
            text = text.replace(placeholder, value)
        return text

    def reveal_values(self, case_id: int, message_id: int) -> dict[str, str]:
        self._check()
        self.reveals.append((case_id, message_id))
        text = next(m.text for m in self.msgs[case_id] if m.id == message_id)
        return {p: v for p, v in self.maps.get(case_id, {}).items() if p in text}

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        hits = []
        for case_id, messages in self.msgs.items():
            for m in messages:
                if query.lower() in m.text.lower():
                    i = m.text.lower().index(query.lower())
                    snippet = m.text[:i] + "\x02" + m.text[i : i + len(query)] + "\x03" + m.text[i + len(query) :]
                    hits.append(SearchHit(case_id, m.id, self.cases[case_id].title, snippet, -1.0))
        return hits[:limit]

    def draft(self, case_id: int, kind: str = "reply", question: str | None = None) -> FakeDraft:
        self._check()
        if self._current is not None:
            raise AgentConsoleError("a draft is already being generated: stop it first (Esc)")
        words = re.split(r"(\s+)", self.draft_text)
        self._current = FakeDraft(case_id, kind, [w for w in words if w], self.gate, self)
        return self._current

    def cancel_generation(self) -> bool:
        if self._current is None:
            return False
        self._current.cancel()
        return True

    @property
    def generating(self) -> bool:
        return self._current is not None

    # consent and audit (fixed times, as every field here)
    def consent_history(self, customer_ref: str) -> list[ConsentRecord]:
        self._check()
        return list(self.consents.get(customer_ref, []))

    def record_consent(self, customer_ref: str, given: bool) -> ConsentRecord:
        self._check()
        record = ConsentRecord(given, self._now(), self.user_name)
        self.consents.setdefault(customer_ref, []).append(record)
        return record

    def consent_given(self, customer_ref: str) -> bool:
        history = self.consents.get(customer_ref, [])
        return bool(history and history[-1].given)

    def audit_entries(
        self, since: str | None = None, actor: str | None = None, action: str | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        self._check()
        return [
            e
            for e in self.audit
            if (action is None or e.action.startswith(action)) and (actor is None or e.actor == actor)
        ]

    def recent_alerts(self, limit: int = 20) -> list[AuditEntry]:
        self._check()
        return [e for e in self.audit if e.action.startswith("alert.")][-limit:]

    def privacy_notice(self, fmt: str = "md") -> str:
        from agentconsole.compliance.notice import render_notice
        from agentconsole.config import Settings

        return render_notice(Settings(), fmt)

    def _check(self) -> None:
        if not self.unlocked:
            raise AgentConsoleError("the vault is locked: unlock it first")


def seeded(service: FakeService) -> FakeService:
    """Two cases with fixed data (snapshots)."""
    service.unlocked, service.user_name = True, "alice"
    first = service.new_case("CUST-1042", "Card blocked for John Smith")
    service.add_message(
        first,
        "customer",
        "Hi, I am John Smith (john.smith@example.com). My card 4111 1111 1111 1111 was "
        "blocked at the shop.\nCan you help?",
    )
    service.add_message(first, "note", "Checked the fraud log: a false positive.")
    service._store(
        first,
        "assistant",
        "Hello <PERSON_1>,\n\nyour card **<CREDIT_CARD_1>** is unblocked.",
        model="fake-model",
        decode_tokens_per_s=42.0,
    )
    service.consents["CUST-1042"] = [
        ConsentRecord(True, T0.format(1), "alice"),
        ConsentRecord(False, T0.format(2), "bob"),
    ]
    second = service.new_case("CUST-7", "Invoice question")
    service.add_message(second, "customer", "Where is my invoice for March? \x1b[31mred\x1b[0m")
    service.unlocked = False
    return service
