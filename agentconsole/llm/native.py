"""Keeping llama.cpp quiet and sized for this machine.

* :func:`import_llama_cpp` imports llama-cpp-python and routes every native
  log line (llama.cpp and ggml) to the ``agentconsole.llm.native`` logger, so
  nothing is ever printed over the console's screen.
* llama-cpp-python's ``verbose=False`` silences loading by pointing file
  descriptors 1 and 2 at ``/dev/null`` for the whole process while the model
  loads; with the console drawing from another thread, its frames would be
  lost too. The native output is already captured by the log callback, so that
  redirect is replaced by a no-op.
* :func:`physical_cores` is the default thread count: hyper-threads share a
  core's arithmetic units, and oversubscribing them slows decoding down.
* CPU "extra buffers" (weight repacking and Intel AMX kernels): on some
  virtual machines the CPU advertises AMX but the hypervisor does not enable
  it, and llama.cpp's AMX kernels kill the process with a protection fault on
  the first batched decode. :func:`extra_buffers_usable` probes that once in
  a child process when the CPU advertises AMX; ``model.cpu_extra_buffers``
  ("auto" | "on" | "off") overrides it.
* Load progress: llama.cpp's own progress callback is wired to the caller's
  ``progress`` function for the duration of a load.
* The OpenMP wait policy is left to llama.cpp (and to ``OMP_WAIT_POLICY`` if
  the user sets it): forcing ``PASSIVE`` put the threads to sleep between
  every token's barriers and cut decoding on an idle two-core machine from
  125 to 36 tokens/s; raw llama-cpp-python runs with the default.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

native_log = logging.getLogger("agentconsole.llm.native")

# ggml_log_level: NONE, DEBUG, INFO, WARN, ERROR, CONT (continues the previous line).
# llama.cpp's INFO is a page of tensor and buffer details per load: DEBUG here.
_LEVELS = {0: logging.DEBUG, 1: logging.DEBUG, 2: logging.DEBUG, 3: logging.WARNING, 4: logging.ERROR}
_CONT = 5

_lock = threading.Lock()
_callback: Any = None  # the ctypes callback must stay referenced for the life of the process
_pending: list[str] = []
_pending_level = logging.DEBUG


def _on_native_log(level: int, text: bytes | None, _user_data: Any) -> None:
    global _pending_level
    try:
        chunk = (text or b"").decode("utf-8", "replace")
        if level != _CONT:
            _pending_level = _LEVELS.get(level, logging.DEBUG)
        _pending.append(chunk)
        if chunk.endswith("\n"):
            line = "".join(_pending).rstrip()
            _pending.clear()
            if line and native_log.isEnabledFor(_pending_level):
                native_log.log(_pending_level, "%s", line)
    except Exception:  # never let an exception cross into C
        pass


class _NoRedirect:
    """Stands in for ``llama_cpp._utils.suppress_stdout_stderr``: leaves fds 1 and 2 alone."""

    def __init__(self, disable: bool = True) -> None:
        self.disable = disable

    def __enter__(self) -> _NoRedirect:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None


# What every llama_model_params created from now on gets (see _model_params).
_extra_buffers = True
_progress: Callable[[float], None] | None = None
_progress_callback: Any = None
_load_lock = threading.Lock()


def _on_load_progress(fraction: float, _user_data: Any) -> bool:
    target = _progress
    if target is not None:
        try:
            target(float(fraction))
        except Exception:  # a UI callback must not abort or crash the load
            pass
    return True


def import_llama_cpp() -> Any:
    """Import ``llama_cpp`` with native logging routed to ``agentconsole.llm.native``.

    Also installs the hook through which :func:`set_extra_buffers` and
    :func:`load_progress` reach the model parameters llama-cpp-python builds.
    """
    global _callback, _progress_callback
    import llama_cpp
    import llama_cpp.llama

    with _lock:
        if _callback is None:
            _callback = llama_cpp.llama_log_callback(_on_native_log)
            llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))
            llama_cpp.llama.suppress_stdout_stderr = _NoRedirect  # type: ignore[assignment,attr-defined]
            _progress_callback = llama_cpp.llama_progress_callback(_on_load_progress)
            default_params = llama_cpp.llama_cpp.llama_model_default_params

            def _model_params() -> Any:
                params = default_params()
                params.use_extra_bufts = _extra_buffers
                if _progress is not None:
                    params.progress_callback = _progress_callback
                return params

            # llama.py looks the function up on this module at call time.
            llama_cpp.llama_cpp.llama_model_default_params = _model_params
    return llama_cpp


def set_extra_buffers(enabled: bool) -> None:
    """Whether models loaded from now on use llama.cpp's CPU extra buffers (repack, AMX)."""
    global _extra_buffers
    import_llama_cpp()
    _extra_buffers = bool(enabled)


@contextlib.contextmanager
def load_progress(progress: Callable[[float], None] | None) -> Iterator[None]:
    """Route llama.cpp's model-load progress (0..1) to ``progress`` while loading."""
    global _progress
    import_llama_cpp()
    with _load_lock:
        _progress = progress
        try:
            yield
        finally:
            _progress = None


_PROBE = """
import sys
import llama_cpp
llm = llama_cpp.Llama(sys.argv[1], n_ctx=256, n_batch=64, n_threads=1, verbose=False)
llm.eval(llm.tokenize(b"probe " * 24))
print("ok")
"""
_probe_results: dict[str, bool] = {}


def cpu_flags() -> set[str]:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.partition(":")[2].split())
    return set()


def _probe_key(model_path: Path) -> str:
    """What the probe's verdict depends on: CPU, kernel, llama.cpp build and model file."""
    import llama_cpp

    stat = model_path.stat()
    parts = [
        " ".join(sorted(cpu_flags())),
        os.uname().release,
        getattr(llama_cpp, "__version__", "?"),
        str(model_path.resolve()),
        str(stat.st_size),
        str(stat.st_mtime_ns),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def extra_buffers_usable(model_path: Path, mode: str = "auto", cache_dir: Path | None = None) -> bool:
    """Whether llama.cpp's CPU extra buffers are safe here ("on"/"off" force it).

    With "auto" the answer is yes unless the CPU advertises AMX; then a child
    process decodes one batch with ``model_path`` and the answer is whether
    it survived. The verdict is cached for the process and, with
    ``cache_dir``, in ``cpu_probe.json`` there (keyed by CPU flags, kernel,
    llama.cpp version and model file), so the probe runs once per machine.
    """
    if mode in ("on", "off"):
        return mode == "on"
    if "amx_tile" not in cpu_flags():
        return True
    key = _probe_key(Path(model_path))
    cache_file = Path(cache_dir) / "cpu_probe.json" if cache_dir is not None else None
    with _lock:
        known = _probe_results.get(key)
    if known is None and cache_file is not None:
        with contextlib.suppress(OSError, ValueError):
            cached = json.loads(cache_file.read_text()).get(key)
            if isinstance(cached, bool):
                with _lock:
                    _probe_results[key] = cached
                return cached
    if known is not None:
        _remember_probe(cache_file, key, known)
        return known
    try:
        result = subprocess.run(
            [sys.executable, "-c", _PROBE, str(model_path)],
            capture_output=True,
            timeout=120,
            env={**os.environ, "PYTHONNOUSERSITE": "1"},
        )
        usable = result.returncode == 0 and result.stdout.strip().endswith(b"ok")
        detail = f"exit status {result.returncode}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        usable, detail = False, type(exc).__name__
    if not usable:
        native_log.warning(
            "llama.cpp's AMX kernels fail on this CPU (%s); loading models without CPU extra buffers", detail
        )
    with _lock:
        _probe_results[key] = usable
    _remember_probe(cache_file, key, usable)
    return usable


def _remember_probe(cache_file: Path | None, key: str, usable: bool) -> None:
    if cache_file is None:
        return
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(cache_file.read_text()) if cache_file.exists() else {}
        if known.get(key) is not usable:
            cache_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            known[key] = usable
            cache_file.write_text(json.dumps(known))


def physical_cores() -> int:
    """Physical cores this process may run on (hyper-threads counted once)."""
    try:
        allowed = os.sched_getaffinity(0)
    except (AttributeError, OSError):
        allowed = set(range(os.cpu_count() or 1))
    cores: set[tuple[str, str]] = set()
    with contextlib.suppress(OSError):
        processor, physical, core = None, "0", None
        for line in [*Path("/proc/cpuinfo").read_text().splitlines(), ""]:
            key, _, value = (part.strip() for part in line.partition(":"))
            if key == "processor":
                processor = int(value)
            elif key == "physical id":
                physical = value
            elif key == "core id":
                core = value
            elif not line.strip():
                if processor is not None and core is not None and processor in allowed:
                    cores.add((physical, core))
                processor, physical, core = None, "0", None
    return max(len(cores), 1) if cores else max(len(allowed), 1)
