"""What the service refuses, each with a kind the UI and the CLI can act on."""

from __future__ import annotations

from agentconsole.errors import AgentConsoleError, ErrorKind


class PermissionDenied(AgentConsoleError):
    """The signed-in user's role does not allow this action."""

    kind = ErrorKind.PERMISSION_DENIED

    exit_code = 3


class NotUnlocked(AgentConsoleError):
    """An action needs an unlocked vault."""

    kind = ErrorKind.NOT_UNLOCKED


class ConsentRequired(AgentConsoleError):
    """Drafting is refused: the customer has not consented to AI processing."""

    kind = ErrorKind.CONSENT_REQUIRED


class ServiceBusy(AgentConsoleError):
    """A generation is already running."""

    kind = ErrorKind.BUSY


class UnlockThrottled(AgentConsoleError):
    """Too many failed unlocks for this user name: wait before trying again (any process)."""

    kind = ErrorKind.THROTTLED


class UnknownCustomer(AgentConsoleError):
    """No customer with this reference in the vault."""

    kind = ErrorKind.UNKNOWN_CUSTOMER


class PersonalReference(AgentConsoleError):
    """A customer reference that reads as personal data (a name, an e-mail...)."""

    kind = ErrorKind.PERSONAL_REFERENCE

    exit_code = 2


class NothingToDraft(AgentConsoleError):
    """A reply or summary was asked for a case in which the customer has not written yet."""

    kind = ErrorKind.NOTHING_TO_DRAFT


class PlaceholderIntegrityError(AgentConsoleError):
    """Send or copy refused: the text holds placeholders the case does not have, or broken ones."""

    kind = ErrorKind.PLACEHOLDER_INTEGRITY
