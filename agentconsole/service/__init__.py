"""The console's use cases: what the UI and the CLI call, and nothing else does.

:class:`ConsoleService` wires the cores together (vault, privacy, llm,
compliance) and is where roles are enforced. It never imports textual. Every
method may be called from a worker thread; the vault gives each thread its own
connection, and one generation runs at a time.

The service is one class made of sections, one module each: :mod:`.core`
(session: vault lifecycle, roles, audit), :mod:`.cases` (cases, messages,
consent, reveal, send), :mod:`.drafts` (the model), :mod:`.admin`
(compliance, users, config), :mod:`.workflow` (status, owner, draft feedback,
surveys, report).

Data flow of a customer message: text -> ``PrivacyEngine.mask`` with the
case's placeholder mapping -> masked text stored, new placeholder values
stored in ``pii_values``. A draft: masked turns -> model -> output masker
(raw PII the model invents) -> placeholders canonicalized -> shown as chips
and stored masked. Sending restores real values for the outgoing text only,
and that disclosure is audited.
"""

from __future__ import annotations

from agentconsole.domain import CASE_STATUSES, MESSAGE_ROLES, ROLES, WRITABLE_MESSAGE_ROLES
from agentconsole.service.admin import AdminSection
from agentconsole.service.booking import Booking, BookingProposals, BookingSection
from agentconsole.service.cases import AddedMessage, CasesSection
from agentconsole.service.core import FAILED_UNLOCKS_EPOCH, PERMISSIONS, ServiceCore, utcnow
from agentconsole.service.drafts import DraftsSection, DraftStream
from agentconsole.service.errors import (
    ConsentRequired,
    NothingToDraft,
    NotUnlocked,
    PermissionDenied,
    PersonalReference,
    PlaceholderIntegrityError,
    ServiceBusy,
    UnknownCustomer,
    UnlockThrottled,
)
from agentconsole.service.kb import KbSection
from agentconsole.service.team import TeamSection
from agentconsole.service.transparency import TransparencySection
from agentconsole.service.workflow import WorkflowSection

__all__ = [
    "CASE_STATUSES",
    "FAILED_UNLOCKS_EPOCH",
    "MESSAGE_ROLES",
    "PERMISSIONS",
    "ROLES",
    "WRITABLE_MESSAGE_ROLES",
    "AddedMessage",
    "Booking",
    "BookingProposals",
    "BookingSection",
    "CasesSection",
    "ConsentRequired",
    "ConsoleService",
    "DraftStream",
    "DraftsSection",
    "KbSection",
    "NotUnlocked",
    "NothingToDraft",
    "PermissionDenied",
    "PersonalReference",
    "PlaceholderIntegrityError",
    "ServiceBusy",
    "ServiceCore",
    "UnknownCustomer",
    "UnlockThrottled",
    "WorkflowSection",
    "utcnow",
]


class ConsoleService(
    TransparencySection, DraftsSection, AdminSection, BookingSection, TeamSection, WorkflowSection, KbSection
):
    """One console session: the sections of the service over one vault, PII engine and model.

    A new feature adds its section (a class deriving from :class:`ServiceCore`, in
    its own module) to these bases.
    """
