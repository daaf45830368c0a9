"""Errors a person can act on.

Every expected failure in agentconsole is an :class:`AgentConsoleError`. The
CLI prints its message as one line on stderr and exits with ``exit_code``;
no traceback unless ``--debug``. Messages must never contain secrets or PII.
"""

from __future__ import annotations


class AgentConsoleError(Exception):
    """An expected failure with a one-line, actionable message."""

    exit_code: int = 1

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


class EgressRefused(AgentConsoleError, ConnectionRefusedError):
    """The air-gap guard refused an outbound connection or DNS lookup."""
