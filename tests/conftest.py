"""Session-wide guards for the test suite.

1. Before anything imports agentconsole (whose own guard would refuse first),
   an audit hook records every ``socket.connect``/``sendto`` to a non-loopback
   address; the session fails if any was attempted, refused or not.
2. Every test gets its own ``AGENTCONSOLE_HOME`` and ``AGENTCONSOLE_ANCHOR_DIR``: no test
   touches the user's data or state directory.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

import pytest

_outbound_attempts: list[str] = []
#: Set by tests that deliberately exercise the guard with a non-loopback target.
EXPECTED_REFUSALS: set[str] = set()


def _is_loopback(host: object) -> bool:
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0]
    if host in ("", "localhost", "0.0.0.0", "::"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: connect() would resolve it outside our view
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _session_audit(event: str, args: tuple) -> None:
    if event not in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        return
    sock, address = args[0], args[1]
    if address is None or getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
        return
    host = address[0] if isinstance(address, tuple) else address
    if not _is_loopback(host) and str(host) not in EXPECTED_REFUSALS:
        _outbound_attempts.append(f"{event} {host}")


sys.addaudithook(_session_audit)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _outbound_attempts:
        sys.stderr.write(
            "\nOUTBOUND NETWORK ATTEMPTS during the test session (must be none):\n  "
            + "\n  ".join(sorted(set(_outbound_attempts)))
            + "\n"
        )
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def agentconsole_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private AGENTCONSOLE_HOME (and local-anchor directory, kept outside it) for every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("AGENTCONSOLE_HOME", str(home))
    monkeypatch.setenv("AGENTCONSOLE_ANCHOR_DIR", str(tmp_path_factory.mktemp("anchors")))
    return home


REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = REPO_ROOT / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def default_model_path() -> Path:
    """The real default model (provisioned by scripts/setup)."""
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"default model missing: run scripts/setup ({DEFAULT_MODEL})")
    return DEFAULT_MODEL
