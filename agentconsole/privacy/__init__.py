"""PII masking: find customer data, replace it with case-stable placeholders, restore it.

Headless core: no terminal, no other core's internals.

>>> engine = PrivacyEngine.from_settings(settings.privacy)   # slow: in a worker
>>> mapping = CaseMapping.from_entries(rows_from_vault)
>>> result = engine.mask(text, mapping)       # result.masked, .entities, .new_entries
>>> restore(result.masked, mapping) == text
"""

from agentconsole.privacy.detections import Detection, MaskedEntity, MaskResult, resolve_overlaps
from agentconsole.privacy.engine import PrivacyEngine
from agentconsole.privacy.errors import MaskingCancelled, ModelIntegrityError, PrivacyEngineError
from agentconsole.privacy.placeholders import (
    CaseMapping,
    canonicalize,
    format_placeholder,
    normalize_value,
    parse_placeholder,
    restore,
)
from agentconsole.privacy.streaming import OutputMasker, StreamRestorer

__all__ = [
    "CaseMapping",
    "Detection",
    "MaskResult",
    "MaskedEntity",
    "MaskingCancelled",
    "ModelIntegrityError",
    "OutputMasker",
    "PrivacyEngine",
    "PrivacyEngineError",
    "StreamRestorer",
    "canonicalize",
    "format_placeholder",
    "normalize_value",
    "parse_placeholder",
    "resolve_overlaps",
    "restore",
]
