"""Errors a person can act on.

Every expected failure in agentconsole is an :class:`AgentConsoleError`. The
CLI prints its message as one line on stderr and exits with ``exit_code``;
no traceback unless ``--debug``. Messages must never contain secrets or PII.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """What went wrong, for callers that act on it (the UI compares kinds, never class names)."""

    ERROR = "error"
    CONFIG = "config"
    EGRESS_REFUSED = "egress_refused"
    VAULT_NOT_FOUND = "vault_not_found"
    VAULT_EXISTS = "vault_exists"
    WRONG_PASSPHRASE = "wrong_passphrase"
    PASSPHRASE_CHANGE_REQUIRED = "passphrase_change_required"
    VAULT_TAMPERED = "vault_tampered"
    VAULT_ROLLED_BACK = "vault_rolled_back"
    VAULT_LOCKED = "vault_locked"
    VAULT_IN_USE = "vault_in_use"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_UNLOCKED = "not_unlocked"
    CONSENT_REQUIRED = "consent_required"
    BUSY = "busy"
    THROTTLED = "throttled"
    UNKNOWN_CUSTOMER = "unknown_customer"
    PERSONAL_REFERENCE = "personal_reference"
    NOTHING_TO_DRAFT = "nothing_to_draft"
    PLACEHOLDER_INTEGRITY = "placeholder_integrity"
    CANCELLED = "cancelled"


class AgentConsoleError(Exception):
    """An expected failure with a one-line, actionable message."""

    exit_code: int = 1
    kind: ErrorKind = ErrorKind.ERROR

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class ConfigError(AgentConsoleError):
    """The configuration file is missing a value, has an unknown key or a wrong type."""

    exit_code = 2
    kind = ErrorKind.CONFIG


class EgressRefused(AgentConsoleError, ConnectionRefusedError):
    """The air-gap guard refused an outbound connection or DNS lookup."""

    kind = ErrorKind.EGRESS_REFUSED
