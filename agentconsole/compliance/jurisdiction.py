"""Where data can go, and the cross-border guard over those places.

Every backend that sends data off this machine declares a :class:`Destination`
(host, declared jurisdiction, what it receives) through a provider registered
with :func:`register_destinations`; the LLM server backend and the SIEM
collector are built in, a team store registers its own. :func:`check_destinations`
refuses, at start, any non-loopback destination whose jurisdiction is
undeclared or not in ``compliance.allowed_jurisdictions`` (default empty:
nothing leaves the machine until a supervisor allows a jurisdiction). The
record of processing lists the same destinations, so it shows every place data
can go.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from agentconsole.errors import AgentConsoleError

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


class CrossBorderRefused(AgentConsoleError):
    """A configured destination is in a jurisdiction nobody allowed (one line naming both)."""

    exit_code = 2


@dataclass(frozen=True)
class Destination:
    """A place data goes to, as configured."""

    name: str  # "LLM server", "SIEM collector", "team store"
    host: str
    jurisdiction: str  # as declared ("" = not declared)
    setting: str  # the key that declares the jurisdiction, for the error message
    receives: str  # what goes there, for the record of processing

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def __post_init__(self) -> None:
        object.__setattr__(self, "jurisdiction", _norm(self.jurisdiction))  # "de" and "DE" are one place


def is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES or name == "" or name.startswith("/"):
        return True  # "" and a path: a Unix socket on this machine
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


DestinationProvider = Callable[[Any], list[Destination]]
_providers: list[DestinationProvider] = []


def register_destinations(provider: DestinationProvider) -> DestinationProvider:
    """Add a provider ``provider(settings) -> [Destination]`` (usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


@register_destinations
def _llm_server(settings: Any) -> list[Destination]:
    if settings.model.backend != "server" or not settings.server.url:
        return []
    return [
        Destination(
            "LLM server",
            host_of(settings.server.url),
            settings.server.jurisdiction,
            "server.jurisdiction",
            "masked conversation turns (placeholders only) and the system prompt",
        )
    ]


@register_destinations
def _siem(settings: Any) -> list[Destination]:
    if settings.siem.transport != "syslog-tls":
        return []
    return [
        Destination(
            "SIEM collector",
            settings.siem.host,
            settings.siem.jurisdiction,
            "siem.jurisdiction",
            "audit entries (user names, customer references, ids and counts; no PII values)",
        )
    ]


@register_destinations
def _team_store(settings: Any) -> list[Destination]:
    """A server-backed vault (``[vault] backend = "postgres"``), read defensively so this guard
    covers it whatever shape its section takes (``host`` or a ``dsn``/``url``)."""
    vault = getattr(settings, "vault", None)
    if vault is None or getattr(vault, "backend", "") in ("", "file", "sqlcipher"):
        return []
    host = str(getattr(vault, "host", "") or host_of(str(getattr(vault, "dsn", "") or getattr(vault, "url", ""))))
    return [
        Destination(
            "team store",
            host,
            str(vault.jurisdiction),
            "vault.jurisdiction",
            "customer data, encrypted on this machine (ciphertext and blind-index tokens)",
        )
    ]


def declared_destinations(settings: Any) -> list[Destination]:
    """Every configured place data can go to off this machine (loopback ones included)."""
    found: list[Destination] = []
    for provider in _providers:
        found.extend(provider(settings))
    return found


def _norm(code: str) -> str:
    return code.strip().upper()


def refusal(destination: Destination, allowed: Iterable[str]) -> str | None:
    """Why ``destination`` may not be used, or None (loopback is always fine)."""
    if destination.loopback:
        return None
    allowed_set = sorted({_norm(a) for a in allowed if a.strip()})
    allowed_text = ", ".join(allowed_set) if allowed_set else "none"
    if not destination.jurisdiction.strip():
        return (
            f"refusing to start: {destination.name} {destination.host} declares no jurisdiction "
            f"(set {destination.setting}); compliance.allowed_jurisdictions: {allowed_text}"
        )
    if _norm(destination.jurisdiction) not in allowed_set:
        return (
            f"refusing to start: {destination.name} {destination.host} is in jurisdiction "
            f"{_norm(destination.jurisdiction)} ({destination.setting}), which is not in "
            f"compliance.allowed_jurisdictions ({allowed_text})"
        )
    return None


def check_destinations(destinations: Iterable[Destination], allowed: Iterable[str]) -> None:
    """Raise :class:`CrossBorderRefused` for the first destination not allowed."""
    allowed_list = list(allowed)
    for destination in destinations:
        problem = refusal(destination, allowed_list)
        if problem:
            raise CrossBorderRefused(problem)


def enforce(settings: Any) -> None:
    """The guard at start: every declared destination against ``compliance.allowed_jurisdictions``."""
    check_destinations(declared_destinations(settings), settings.compliance.allowed_jurisdictions)
