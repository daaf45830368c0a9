"""The language model: one streaming, cancellable interface over two backends.

* :class:`LocalEngine`: llama.cpp in this process (the default).
* :class:`ServerEngine`: an on-prem OpenAI-compatible server (llama.cpp's
  server, vLLM) over https, on an allow-listed host.

Typical use (the UI runs ``load`` and the iteration in workers)::

    engine = build_engine(settings)
    engine.load()
    generation = engine.stream([ChatTurn("user", "Where is my parcel, <PERSON_1>?")])
    for delta in generation:
        ...
    generation.stats.ttft_ms

Importing this package is cheap: llama.cpp is imported on first load.
"""

from __future__ import annotations

from typing import Any

from agentconsole.llm.engine import Engine, Generation, GenerationError, GenerationRequest, GenerationStats
from agentconsole.llm.gguf import GGUFHeader, ModelError, ModelNotFound, ModelNotGGUF, ModelTruncated, read_header
from agentconsole.llm.local import LocalEngine, PreparedPrompt
from agentconsole.llm.models import (
    ModelChecksumMismatch,
    ModelInfo,
    ResolvedModel,
    discover_models,
    resolve_model,
    resolve_model_path,
)
from agentconsole.llm.prompt import (
    DEFAULT_SYSTEM_PROMPT,
    TRUNCATION_MARKER,
    ChatTemplate,
    ChatTurn,
    assemble_prompt,
)
from agentconsole.llm.server import ServerEngine, ServerError


def build_engine(settings: Any, model_override: str | None = None) -> Engine:
    """The engine ``settings.model.backend`` asks for; nothing is loaded yet.

    ``model_override`` (the CLI's ``--model``) replaces ``model.path`` for the
    local backend and ``server.model`` for the server backend.
    """
    if settings.model.backend == "server":
        return ServerEngine(settings, model_override=model_override)
    return LocalEngine(settings, model_override)


__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "TRUNCATION_MARKER",
    "ChatTemplate",
    "ChatTurn",
    "Engine",
    "GGUFHeader",
    "Generation",
    "GenerationError",
    "GenerationRequest",
    "GenerationStats",
    "LocalEngine",
    "ModelChecksumMismatch",
    "ModelError",
    "ModelInfo",
    "ModelNotFound",
    "ModelNotGGUF",
    "ModelTruncated",
    "PreparedPrompt",
    "ResolvedModel",
    "ServerEngine",
    "ServerError",
    "assemble_prompt",
    "build_engine",
    "discover_models",
    "read_header",
    "resolve_model",
    "resolve_model_path",
]
