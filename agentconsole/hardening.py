"""Process hardening applied at start-up, before any case data is touched.

:func:`harden_process` is called by ``cli.main()`` once the data directory is
known:

* **No core dumps**: ``RLIMIT_CORE`` soft and hard limits 0 and, on Linux,
  ``PR_SET_DUMPABLE=0``. A crash then writes no memory image holding decrypted
  transcripts or keys, whatever the system's ``core_pattern`` (the kernel skips
  non-dumpable processes even for piped handlers such as systemd-coredump);
  non-dumpable also stops other processes of the same user from attaching
  with ptrace or reading ``/proc/PID/mem``.
* **umask 077**: every file and directory the console creates is private.
* **Data directory private**: :func:`secure_path_permissions` makes the data
  directory 0700 and strips group/other bits from what is inside it (vault,
  key slots, logs: 0600).

The terminal title never shows case content: the UI sets its title to
:data:`SAFE_TERMINAL_TITLE` and its sub-title only from :func:`safe_sub_title`,
which maps a screen to a fixed label and never echoes text it is given.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

SAFE_TERMINAL_TITLE = "agentconsole"

#: The only sub-titles the UI may show: fixed labels per screen, never case text.
SCREEN_LABELS: dict[str, str] = {
    "unlock": "Unlock",
    "cases": "Cases",
    "case": "Case",
    "draft": "Draft",
    "search": "Search",
    "audit": "Audit log",
    "users": "Users",
    "settings": "Settings",
    "help": "Help",
    "demo": "Demo (synthetic data)",
}

PRIVATE_UMASK = 0o077
_PR_GET_DUMPABLE = 3
_PR_SET_DUMPABLE = 4
MAX_DEPTH = 4  # data dir, logs/, models/, exports/...: nothing we create is deeper


@dataclass(frozen=True)
class PermissionFix:
    """A path in the data directory whose group/other bits were removed."""

    path: str  # relative to the data directory
    old_mode: int
    new_mode: int

    def __str__(self) -> str:
        return f"{self.path} {self.old_mode:04o}->{self.new_mode:04o}"


@dataclass
class HardeningReport:
    """What :func:`harden_process` did; ``agentconsole doctor`` shows it."""

    home: Path | None = None  # the data directory that was secured
    core_limit: tuple[int, int] | None = None
    dumpable: int | None = None  # None: not Linux, or prctl unavailable
    previous_umask: int | None = None
    permission_fixes: list[PermissionFix] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


_last_report: HardeningReport | None = None


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def get_dumpable() -> int | None:
    """``prctl(PR_GET_DUMPABLE)``: 0 = no core dumps, no ptrace attach; None off Linux."""
    libc = _libc()
    if libc is None:
        return None
    result = libc.prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0)
    return None if result < 0 else int(result)


def disable_core_dumps() -> tuple[tuple[int, int] | None, int | None, list[str]]:
    """Set ``RLIMIT_CORE`` to (0, 0) and, on Linux, ``PR_SET_DUMPABLE`` to 0.

    Returns the core limit and dumpable flag afterwards, and problems met.
    """
    problems: list[str] = []
    core_limit: tuple[int, int] | None = None
    try:
        import resource

        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        except (OSError, ValueError) as exc:
            problems.append(f"could not set RLIMIT_CORE to 0: {exc}")
        core_limit = resource.getrlimit(resource.RLIMIT_CORE)
    except ImportError:  # not a POSIX system
        problems.append("RLIMIT_CORE is not available on this platform")
    libc = _libc()
    if libc is not None and libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        problems.append(f"prctl(PR_SET_DUMPABLE, 0) failed: {os.strerror(ctypes.get_errno())}")
    return core_limit, get_dumpable(), problems


def is_unsafe_data_dir(path: Path) -> bool:
    """The filesystem root or the user's home: never a data directory, never chmod-ed recursively."""
    try:
        return path == Path(path.anchor) or path == Path.home().resolve()
    except RuntimeError:  # no home directory
        return path == Path(path.anchor)


def secure_path_permissions(home: Path) -> tuple[list[PermissionFix], list[str]]:
    """Make ``home`` 0700 and strip group/other bits from everything inside it.

    Only permission bits are removed (a 0644 vault becomes 0600, a 0755
    directory 0700); symlinks are not followed, paths owned by another user
    are reported, not changed. A missing ``home`` is left alone (the umask
    makes it private when it is created). Returns (fixes, problems).
    """
    fixes: list[PermissionFix] = []
    problems: list[str] = []
    home = Path(home)
    if not home.is_dir():
        return fixes, problems
    resolved = home.resolve()
    if is_unsafe_data_dir(resolved):
        problems.append(
            f"data directory {home} is the filesystem root or your home directory; "
            "set AGENTCONSOLE_HOME to a directory of its own"
        )
        return fixes, problems
    uid = os.geteuid() if hasattr(os, "geteuid") else None

    def tighten(path: Path, rel: str) -> None:
        try:
            st = path.lstat()
        except OSError:
            return
        if stat.S_ISLNK(st.st_mode):
            return
        mode = stat.S_IMODE(st.st_mode)
        wanted = 0o700 if rel == "." else mode & ~PRIVATE_UMASK
        if mode == wanted:
            return
        if uid is not None and st.st_uid != uid:
            problems.append(f"{rel} is owned by uid {st.st_uid}, not you: mode {mode:04o} left as is")
            return
        try:
            os.chmod(path, wanted)
        except OSError as exc:
            problems.append(f"could not chmod {rel}: {exc.strerror}")
            return
        fixes.append(PermissionFix(rel, mode, wanted))

    tighten(resolved, ".")
    base_depth = len(resolved.parts)
    for dirpath, dirnames, filenames in os.walk(resolved, followlinks=False):
        current = Path(dirpath)
        depth = len(current.parts) - base_depth
        if depth >= MAX_DEPTH:
            dirnames[:] = []
        for name in [*dirnames, *filenames]:
            tighten(current / name, str((current / name).relative_to(resolved)))
    return fixes, problems


def harden_process(home: Path | None = None) -> HardeningReport:
    """Apply every start-up protection; never raises (problems are reported)."""
    global _last_report
    report = HardeningReport(home=Path(home).resolve() if home is not None else None)
    report.core_limit, report.dumpable, problems = disable_core_dumps()
    report.problems.extend(problems)
    report.previous_umask = os.umask(PRIVATE_UMASK)
    if home is not None:
        fixes, problems = secure_path_permissions(home)
        report.permission_fixes.extend(fixes)
        report.problems.extend(problems)
    _last_report = report
    return report


def last_report() -> HardeningReport | None:
    """The report of the last :func:`harden_process` call in this process, if any."""
    return _last_report


def safe_sub_title(screen: str) -> str:
    """The sub-title for ``screen``: a fixed label, or "" for an unknown screen.

    Never derived from case content: customer names, subjects and messages
    must not reach the terminal's title bar or a screen-sharing window list.
    """
    return SCREEN_LABELS.get(screen, "")


def title_is_safe(title: str, sub_title: str) -> bool:
    """True when ``title``/``sub_title`` are the fixed ones (for UI tests and assertions)."""
    return title == SAFE_TERMINAL_TITLE and (sub_title == "" or sub_title in SCREEN_LABELS.values())


__all__ = [
    "SAFE_TERMINAL_TITLE",
    "SCREEN_LABELS",
    "HardeningReport",
    "PermissionFix",
    "disable_core_dumps",
    "get_dumpable",
    "harden_process",
    "is_unsafe_data_dir",
    "last_report",
    "safe_sub_title",
    "secure_path_permissions",
    "title_is_safe",
]
