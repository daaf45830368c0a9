"""The air-gap guard, exercised in fresh interpreters.

Each probe installs a *backstop* audit hook after the guard: if the guard ever
let a non-loopback attempt through, the backstop aborts it before the system
call and the probe reports LEAK. No packet can leave either way.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROBE_PRELUDE = textwrap.dedent(
    """
    import json, socket, sys
    import agentconsole
    from agentconsole import airgap
    from agentconsole.errors import EgressRefused

    def backstop(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "socket.sendto"):
            target = args[1] if event != "socket.getaddrinfo" else args[0]
            host = target[0] if isinstance(target, tuple) else target
            if host not in (None, "127.0.0.1", "::1", "localhost") and not str(host).startswith("127."):
                if event != "socket.connect" or getattr(args[0], "family", None) in (socket.AF_INET, socket.AF_INET6):
                    raise RuntimeError(f"LEAK {event} {host}")
    sys.addaudithook(backstop)

    def attempt(fn):
        try:
            fn()
        except EgressRefused as exc:
            return "refused: " + str(exc)
        except RuntimeError as exc:
            return str(exc)
        except OSError as exc:
            return "oserror: " + type(exc).__name__
        return "allowed"
    """
)


def run_probe(body: str, home: Path) -> dict:
    code = PROBE_PRELUDE + textwrap.dedent(body)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "AGENTCONSOLE_HOME": str(home)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_outbound_connections_and_lookups_are_refused(agentconsole_home: Path) -> None:
    out = run_probe(
        """
        results = {
            "dns": attempt(lambda: socket.getaddrinfo("pypi.org", 443)),
            "gethostbyname": attempt(lambda: socket.gethostbyname("example.com")),
            "connect_ip": attempt(lambda: socket.create_connection(("192.0.2.1", 80), timeout=1)),
            "connect_name": attempt(lambda: socket.socket().connect(("example.com", 80))),
            "udp": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53))),
            "ipv6": attempt(lambda: socket.socket(socket.AF_INET6).connect(("2001:db8::1", 80))),
            "active": airgap.is_active(),
        }
        print(json.dumps(results))
        """,
        agentconsole_home,
    )
    assert out.pop("active") is True
    for kind, outcome in out.items():
        assert outcome.startswith("refused: network access refused by the air-gap guard"), (kind, outcome)
        assert "allowed_hosts" in outcome


def test_loopback_is_always_allowed(agentconsole_home: Path) -> None:
    out = run_probe(
        """
        server = socket.socket()
        server.bind(("127.0.0.1", 0)); server.listen(1)
        port = server.getsockname()[1]
        results = {
            "ipv4": attempt(lambda: socket.create_connection(("127.0.0.1", port), timeout=5).close()),
            "localhost": attempt(lambda: socket.getaddrinfo("localhost", port)),
            "unix": attempt(lambda: socket.socketpair()),
        }
        print(json.dumps(results))
        """,
        agentconsole_home,
    )
    assert out == {"ipv4": "allowed", "localhost": "allowed", "unix": "allowed"}


def test_allowed_hosts_widen_the_guard(agentconsole_home: Path) -> None:
    out = run_probe(
        """
        before = airgap.is_host_allowed("llm.internal")
        airgap.allow_hosts(["LLM.internal", "192.0.2.7"])
        print(json.dumps({
            "before": before,
            "name": airgap.is_host_allowed("llm.internal"),
            "ip": airgap.is_host_allowed("192.0.2.7"),
            "other": airgap.is_host_allowed("192.0.2.8"),
            "public": airgap.is_host_allowed("pypi.org"),
        }))
        """,
        agentconsole_home,
    )
    assert out == {"before": False, "name": True, "ip": True, "other": False, "public": False}


def test_refusal_is_logged(agentconsole_home: Path) -> None:
    run_probe(
        """
        from agentconsole.logs import setup_logging
        from agentconsole.config import load_settings
        setup_logging(load_settings().logs_dir)
        print(json.dumps({"r": attempt(lambda: socket.getaddrinfo("pypi.org", 443))}))
        """,
        agentconsole_home,
    )
    log_text = (agentconsole_home / "logs" / "agentconsole.log").read_text()
    assert "refused by the air-gap guard: DNS lookup of pypi.org:443" in log_text


def test_dependencies_are_forced_offline(agentconsole_home: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    out = run_probe(
        f"""
        import os
        os.environ["XDG_CACHE_HOME"] = {str(cache)!r}
        os.environ["TLDEXTRACT_CACHE"] = {str(cache / "tld")!r}
        import tldextract
        r = tldextract.extract("jane@support.example.co.uk")
        import spacy.cli
        print(json.dumps({{
            "suffix": r.suffix,
            "download": attempt(lambda: spacy.cli.download("en_core_web_lg")),
            "hf": os.environ.get("HF_HUB_OFFLINE"),
            "transformers": os.environ.get("TRANSFORMERS_OFFLINE"),
        }}))
        """,
        agentconsole_home,
    )
    assert out["suffix"] == "co.uk"
    assert out["download"].startswith("refused: spaCy model downloads are disabled")
    assert out["hf"] == "1" and out["transformers"] == "1"
    assert not cache.exists() or not any(cache.rglob("*")), "tldextract wrote a cache"


def _unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _unshare_works(), reason="this kernel refuses network namespaces (unshare -n)")
def test_cli_works_inside_a_network_less_namespace(agentconsole_home: Path) -> None:
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "agentconsole", "config", "show"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "[model]" in result.stdout
    # And inside the namespace there really is no route out.
    probe = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", "import socket; print(socket.if_nameindex())"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "eth" not in probe.stdout


def test_guard_is_active_in_this_process() -> None:
    from agentconsole import airgap
    from agentconsole.errors import EgressRefused

    assert airgap.is_active()
    # the test process itself is guarded: a lookup of an outside name is refused before it resolves
    with pytest.raises(EgressRefused, match="air-gap guard"):
        socket.getaddrinfo("pypi.org", 443)
    assert socket.getaddrinfo("127.0.0.1", 80)  # loopback still resolves
