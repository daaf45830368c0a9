"""The on-prem server backend: any OpenAI-compatible chat endpoint, streamed over SSE.

For teams that outgrow one machine (llama.cpp's server, vLLM). Rules, checked
before any connection is attempted (:func:`check_server_url`):

* ``https`` with certificate and host-name verification; ``server.ca_bundle``
  names a PEM file for an internal CA.
* plain ``http`` only to loopback, or to a host named in
  ``server.allow_http_hosts``.
* the host must be reachable under the egress guard: loopback or
  ``network.allowed_hosts``. The connection itself goes through ordinary
  sockets, so the guard enforces this a second time.
* an optional bearer token is read from ``server.token_file``; it is
  registered with the log redactor and never appears in messages.

Only the standard library is used (``http.client`` + ``ssl``).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import math
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from agentconsole import airgap
from agentconsole.errors import AgentConsoleError, EgressRefused
from agentconsole.llm.engine import Engine, Generation, GenerationError, GenerationRequest
from agentconsole.llm.prompt import DEFAULT_SYSTEM_PROMPT, assemble_prompt

log = logging.getLogger("agentconsole.llm.server")

_CHARS_PER_TOKEN_ESTIMATE = 3  # conservative: English BPE averages about 4 characters per token
_TURN_OVERHEAD_ESTIMATE = 8
_MAX_ERROR_BODY = 4096


class ServerError(AgentConsoleError):
    """The model server is misconfigured, unreachable or answered with an error."""


@dataclass(frozen=True)
class ServerTarget:
    """A checked server URL: where to connect and how."""

    scheme: str
    host: str
    port: int
    base_path: str

    @property
    def display(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.base_path}"


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") in ("localhost", "ip6-localhost", "ip6-loopback"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(url: str, *, allow_http_hosts: list[str] | tuple[str, ...] = ()) -> ServerTarget:
    """Validate ``url`` against the transport and egress rules without connecting.

    Raises :class:`ServerError` for a malformed URL or plain http to a host that
    is neither loopback nor in ``allow_http_hosts``, and
    :class:`~agentconsole.errors.EgressRefused` for a host the egress guard
    would refuse.
    """
    if not url:
        raise ServerError("model.backend is 'server' but server.url is empty")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ServerError(f"server.url must start with https:// (or http:// for loopback), got {scheme or 'no'} scheme")
    try:
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise ServerError("server.url has an invalid port") from None
    if not host:
        raise ServerError("server.url has no host")
    if parts.username or parts.password:
        raise ServerError("server.url must not contain credentials; use server.token_file")
    allowed_http = {h.lower().strip("[]").rstrip(".") for h in allow_http_hosts}
    if scheme == "http" and not _is_loopback(host) and host.lower().rstrip(".") not in allowed_http:
        raise ServerError(f"refusing plain http to {host}: use https, or name the host in server.allow_http_hosts")
    if not airgap.is_host_allowed(host):
        raise EgressRefused(
            f"model server {host} is not reachable under the air-gap guard: add it to network.allowed_hosts"
        )
    base_path = parts.path.rstrip("/")
    if base_path.endswith("/v1"):
        base_path = base_path[: -len("/v1")]
    return ServerTarget(scheme=scheme, host=host, port=port, base_path=base_path)


def _read_token(token_file: str) -> str | None:
    if not token_file:
        return None
    path = Path(token_file).expanduser()
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ServerError(f"server.token_file not found: {path}") from None
    except OSError as exc:
        raise ServerError(f"cannot read server.token_file {path}: {exc.strerror}") from None
    if not token or any(c in token for c in "\r\n"):
        raise ServerError(f"server.token_file must hold one non-empty line: {path}")
    return token


class ServerEngine(Engine):
    """Chat completions from an OpenAI-compatible server. Construct with :func:`build_engine`."""

    def __init__(self, settings: Any, model_override: str | None = None) -> None:
        super().__init__(settings)
        self._server = settings.server
        self._model_settings = settings.model
        self._model = model_override or self._server.model
        self._target: ServerTarget | None = None
        self._ssl: ssl.SSLContext | None = None
        self._token: str | None = None
        self._loaded = False
        self._load_lock = threading.Lock()
        self._conn_lock = threading.Lock()
        self._conn: http.client.HTTPConnection | None = None
        self._conn_owner: Generation | None = None

    @property
    def model_name(self) -> str:
        return self._model or "server default"

    @property
    def is_loaded(self) -> bool:
        return self._loaded

    @property
    def n_ctx(self) -> int:
        n_ctx: int = self._model_settings.n_ctx
        return n_ctx

    @property
    def target(self) -> ServerTarget:
        """The checked server address (checks it on first use)."""
        if self._target is None:
            self._target = check_server_url(self._server.url, allow_http_hosts=self._server.allow_http_hosts)
        return self._target

    def load(self, progress: Callable[[float], None] | None = None) -> None:
        """Check the URL, read the token, and ask the server for its models. Idempotent."""
        report = progress or (lambda _fraction: None)
        with self._load_lock:
            if self._loaded:
                report(1.0)
                return
            report(0.0)
            target = self.target
            if target.scheme == "https":
                cafile = self._server.ca_bundle or None
                if cafile and not Path(cafile).expanduser().is_file():
                    raise ServerError(f"server.ca_bundle not found: {cafile}")
                try:
                    self._ssl = ssl.create_default_context(cafile=str(Path(cafile).expanduser()) if cafile else None)
                except ssl.SSLError:
                    raise ServerError(f"server.ca_bundle is not a valid PEM certificate file: {cafile}") from None
            token = _read_token(self._server.token_file)
            if token:
                from agentconsole.logs import register_secret

                register_secret(token)
            self._token = token
            report(0.3)
            models = self._get_json("/v1/models")
            served = [m.get("id") for m in models.get("data", []) if isinstance(m, dict)]
            if not self._model and served:
                self._model = str(served[0])
            log.info("model server %s ready (model %s)", target.display, self.model_name)
            self._loaded = True
            report(1.0)

    def count_tokens(self, text: str) -> int:
        """A safe over-estimate (the server's tokenizer is not available here)."""
        return math.ceil(len(text.encode("utf-8")) / _CHARS_PER_TOKEN_ESTIMATE)

    # --- HTTP ------------------------------------------------------------------------

    def _connect(self) -> http.client.HTTPConnection:
        target = self.target
        timeout = self._server.timeout_seconds
        if target.scheme == "https":
            return http.client.HTTPSConnection(target.host, target.port, timeout=timeout, context=self._ssl)
        return http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def _headers(self, *, streaming: bool = False) -> dict[str, str]:
        headers = {"Accept": "text/event-stream" if streaming else "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _request(self, conn: http.client.HTTPConnection, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        target = self.target
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = self._headers(**kw)
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, target.base_path + path, body=data, headers=headers)
            response = conn.getresponse()
        except EgressRefused:
            raise
        except ssl.SSLCertVerificationError as exc:
            raise ServerError(
                f"model server {target.display}: certificate not trusted ({exc.verify_message}); "
                "set server.ca_bundle to your internal CA"
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise ServerError(f"model server {target.display} unreachable: {type(exc).__name__}: {exc}") from None
        if response.status != 200:
            detail = response.read(_MAX_ERROR_BODY)
            log.warning("model server answered HTTP %s on %s (%d bytes of body)", response.status, path, len(detail))
            hint = " (check server.token_file)" if response.status in (401, 403) else ""
            raise ServerError(f"model server {target.display} answered HTTP {response.status} {response.reason}{hint}")
        return response

    def _get_json(self, path: str) -> dict[str, Any]:
        conn = self._connect()
        try:
            response = self._request(conn, "GET", path)
            try:
                data = json.loads(response.read())
            except ValueError:
                raise ServerError(f"model server {self.target.display} did not answer with JSON on {path}") from None
            return data if isinstance(data, dict) else {}
        finally:
            conn.close()

    # --- one request -----------------------------------------------------------------

    def _interrupt(self, generation: Generation) -> None:
        # A blocked read would otherwise wait for the server's next chunk.
        with self._conn_lock:
            conn = self._conn if self._conn_owner is generation else None
        sock = getattr(conn, "sock", None) if conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _body(self, request: GenerationRequest, generation: Generation) -> dict[str, Any]:
        turns = list(request.turns)
        system = self._model_settings.system_prompt or DEFAULT_SYSTEM_PROMPT
        if turns and turns[0].role == "system":
            system = turns.pop(0).content
        max_tokens = max(1, min(request.max_tokens, self.n_ctx // 2))
        kept, dropped, truncated = assemble_prompt(
            system, turns, self.n_ctx - max_tokens, lambda text: self.count_tokens(text) + _TURN_OVERHEAD_ESTIMATE
        )
        generation.stats.turns_dropped = dropped
        generation.stats.truncated = truncated
        generation.stats.prompt_tokens = sum(self.count_tokens(t.content) + _TURN_OVERHEAD_ESTIMATE for t in kept)
        body: dict[str, Any] = {
            "messages": [{"role": t.role, "content": t.content} for t in kept],
            "stream": True,
            "max_tokens": max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "repeat_penalty": request.repeat_penalty,  # llama.cpp's server; others ignore it
        }
        if self._model:
            body["model"] = self._model
        if request.seed is not None:
            body["seed"] = request.seed
        if request.stop:
            body["stop"] = list(request.stop)
        return body

    def _generate(self, generation: Generation, request: GenerationRequest) -> Iterator[str]:
        if not self._loaded:
            self.load()
        stats = generation.stats
        cancelled = generation._cancel.is_set
        body = self._body(request, generation)
        if cancelled():
            return
        conn = self._connect()
        with self._conn_lock:
            self._conn, self._conn_owner = conn, generation
        try:
            response = self._request(conn, "POST", "/v1/chat/completions", body, streaming=True)
            stats.finish_reason = "length"
            while not cancelled():
                try:
                    line = response.readline()
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    if cancelled():
                        return
                    broken = f"model server {self.target.display} broke the stream: {type(exc).__name__}"
                    raise ServerError(broken) from None
                if not line:
                    if cancelled():
                        return
                    break
                line = line.strip()
                if not line.startswith(b"data:"):
                    continue  # SSE comments, event names, keep-alives
                payload = line[5:].strip()
                if payload == b"[DONE]":
                    break
                try:
                    chunk = json.loads(payload)
                except ValueError:
                    log.warning("model server sent a malformed SSE event (%d bytes)", len(payload))
                    continue
                if "error" in chunk:
                    raise GenerationError(f"model server {self.target.display} reported an error while answering")
                usage = chunk.get("usage")
                if isinstance(usage, dict):
                    stats.prompt_tokens = int(usage.get("prompt_tokens") or stats.prompt_tokens)
                    details = usage.get("prompt_tokens_details") or {}
                    stats.cached_prompt_tokens = int(details.get("cached_tokens") or 0)
                for choice in chunk.get("choices") or []:
                    delta = (choice.get("delta") or {}).get("content")
                    if choice.get("finish_reason"):
                        stats.finish_reason = "stop" if choice["finish_reason"] == "stop" else "length"
                    if delta:
                        generation._mark_token()
                        yield delta
                        if cancelled():
                            return
        finally:
            with self._conn_lock:
                if self._conn is conn:
                    self._conn, self._conn_owner = None, None
            conn.close()
