"""Checks of the host: the egress guard, core dumps, swap, the data directory's permissions."""

from __future__ import annotations

import logging
import os
import socket
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from agentconsole import airgap
from agentconsole.doctor.results import FAIL, OK, WARN, CheckResult, DoctorOptions
from agentconsole.errors import EgressRefused

log = logging.getLogger("agentconsole.doctor")

#: Public names the egress probe tries to resolve; the first not allow-listed is used.
PROBE_HOSTS = ("pypi.org", "huggingface.co", "example.com")
#: TEST-NET-1 (RFC 5737): even if a connect escaped, it would route nowhere.
PROBE_ADDRESS = ("192.0.2.1", 443)


def check_egress_guard(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    if not airgap.is_active():
        yield CheckResult("egress guard", FAIL, "not installed in this process")
        return
    allowed = airgap.allowed_hosts()
    host = next((h for h in PROBE_HOSTS if not airgap.is_host_allowed(h)), None)
    if host is None:
        yield CheckResult("egress guard", WARN, f"active, but every probe host is allow-listed: {', '.join(allowed)}")
        return
    problems = []
    try:
        socket.getaddrinfo(host, 443)
        problems.append(f"DNS lookup of {host} was not refused")
    except EgressRefused:
        pass
    except OSError as exc:  # resolution was attempted: the guard did not stop it first
        problems.append(f"DNS lookup of {host} reached the resolver ({exc})")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(PROBE_ADDRESS)
            problems.append(f"connection to {PROBE_ADDRESS[0]} was not refused")
        except EgressRefused:
            pass
        except OSError as exc:
            problems.append(f"connection to {PROBE_ADDRESS[0]} was attempted ({exc.strerror or exc})")
    if problems:
        yield CheckResult("egress guard", FAIL, "; ".join(problems))
        return
    scope = f"loopback and {', '.join(allowed)}" if allowed else "loopback only"
    yield CheckResult(
        "egress guard", OK, f"active: DNS of {host} and a connect to {PROBE_ADDRESS[0]} refused; allows {scope}"
    )


def _core_pattern() -> str:
    try:
        return Path("/proc/sys/kernel/core_pattern").read_text().strip()
    except OSError:
        return ""


def check_core_dumps(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    from agentconsole.hardening import get_dumpable

    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    except ImportError:
        yield CheckResult("core dumps", WARN, "RLIMIT_CORE not available on this platform")
        return
    dumpable = get_dumpable()
    parts = [f"RLIMIT_CORE {soft}/{hard}"]
    if dumpable is not None:
        parts.append(f"dumpable {dumpable}")
    pattern = _core_pattern()
    if pattern:
        parts.append(f"core_pattern {pattern.split()[0]}")
    detail = ", ".join(parts)
    if soft == 0 and dumpable in (0, None):
        yield CheckResult("core dumps", OK, f"disabled ({detail})")
    elif soft == 0 or dumpable == 0:
        yield CheckResult("core dumps", WARN, f"partly disabled ({detail})")
    else:
        yield CheckResult("core dumps", FAIL, f"enabled ({detail}): a crash would write decrypted memory to disk")


def _swap_devices(swaps_text: str) -> list[tuple[str, str]]:
    devices = []
    for line in swaps_text.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 2:
            devices.append((fields[0].replace("\\040", " "), fields[1]))
    return devices


def _swap_is_encrypted(device: str) -> bool | None:
    """True for dm-crypt, True for zram (RAM), None when it cannot be told."""
    name = Path(device).name
    if name.startswith("zram"):
        return True
    try:
        real = Path(device).resolve().name
        uuid = Path(f"/sys/block/{real}/dm/uuid").read_text().strip()
    except OSError:
        return None
    return uuid.startswith("CRYPT-")


def check_swap(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    try:
        text = Path("/proc/swaps").read_text()
    except OSError:
        yield CheckResult("swap", WARN, "cannot read /proc/swaps: make sure any swap is encrypted")
        return
    devices = _swap_devices(text)
    if not devices:
        yield CheckResult("swap", OK, "no swap: decrypted pages never reach disk")
        return
    unknown = [d for d, _ in devices if not _swap_is_encrypted(d)]
    if not unknown:
        yield CheckResult("swap", OK, f"swap is encrypted or in RAM: {', '.join(d for d, _ in devices)}")
        return
    yield CheckResult(
        "swap",
        WARN,
        f"swap present ({', '.join(unknown)}): it should be encrypted (dm-crypt), or decrypted pages may reach disk",
    )


def _too_open(path: Path) -> tuple[bool, int, int]:
    st = path.lstat()
    return bool(stat.S_IMODE(st.st_mode) & 0o077), stat.S_IMODE(st.st_mode), st.st_uid


def check_data_dir(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    from agentconsole.hardening import MAX_DEPTH, is_unsafe_data_dir, last_report

    home = Path(settings.home)
    if not home.exists():
        yield CheckResult("data dir", OK, f"{home} not created yet (it will be 0700)")
        return
    if is_unsafe_data_dir(home.resolve()):
        yield CheckResult(
            "data dir", FAIL, f"{home} is the filesystem root or your home directory: set AGENTCONSOLE_HOME"
        )
        return
    report = last_report()
    if report is not None and report.home != home.resolve():
        report = None  # hardened another data directory (tests, library use)
    fixed = report.permission_fixes if report else []
    open_paths: list[str] = []
    foreign: list[str] = []
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    too_open, mode, owner = _too_open(home)
    if too_open:
        open_paths.append(f". {mode:04o}")
    if uid is not None and owner != uid:
        foreign.append(".")
    base_depth = len(home.parts)
    for dirpath, dirnames, filenames in os.walk(home, followlinks=False):
        if len(Path(dirpath).parts) - base_depth >= MAX_DEPTH:
            dirnames[:] = []  # the same depth start-up hardening covers
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            too_open, mode, owner = _too_open(path)
            rel = str(path.relative_to(home))
            if too_open:
                open_paths.append(f"{rel} {mode:04o}")
            if uid is not None and owner != uid:
                foreign.append(rel)
    if open_paths or foreign:
        problems = []
        if open_paths:
            problems.append(f"readable by others: {', '.join(open_paths[:5])}{' ...' if len(open_paths) > 5 else ''}")
        if foreign:
            problems.append(f"owned by another user: {', '.join(foreign[:5])}")
        yield CheckResult("data dir", FAIL, f"{home}: {'; '.join(problems)}")
        return
    if report and report.problems:
        yield CheckResult("data dir", WARN, f"{home}: {report.problems[0]}")
    elif fixed:
        shown = ", ".join(str(f) for f in fixed[:3]) + (" ..." if len(fixed) > 3 else "")
        yield CheckResult("data dir", WARN, f"{home} 0700, files private; fixed at start-up: {shown}")
    else:
        yield CheckResult("data dir", OK, f"{home} 0700, every file private (no group/other access)")
