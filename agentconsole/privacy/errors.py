"""The privacy core's errors (one module so the engine and the model loader share them)."""

from __future__ import annotations

from agentconsole.errors import AgentConsoleError, ErrorKind


class PrivacyEngineError(AgentConsoleError):
    """The PII engine cannot start (model missing, bad recognizer configuration)."""


class ModelIntegrityError(PrivacyEngineError):
    """The shipped PII model is missing or does not match its manifest."""


class MaskingCancelled(AgentConsoleError):
    """A masking job was cancelled by its caller (``should_cancel`` returned True)."""

    kind = ErrorKind.CANCELLED
