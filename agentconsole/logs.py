"""Logging: rotating files under ``$AGENTCONSOLE_HOME/logs/``, secrets redacted.

* :func:`setup_logging` sends the ``agentconsole`` logger tree (and warnings)
  to ``logs/agentconsole.log`` with rotation; nothing goes to the terminal, so
  the TUI is never drawn over.
* :func:`register_secret` adds a value (passphrase, key, a PII value of the
  open vault) to a process-wide redaction set; every record that reaches a
  handler is scrubbed of all registered values, in its message, arguments and
  traceback text.
* :func:`native_stderr_to` captures C-level output (llama.cpp, SQLCipher) from
  file descriptor 2 into the log directory while the UI owns the terminal.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

REDACTED = "[REDACTED]"
LOG_FILE_NAME = "agentconsole.log"
NATIVE_LOG_FILE_NAME = "native.log"
_MIN_SECRET_LENGTH = 3  # shorter values would redact ordinary words

_secret_lock = threading.Lock()
_secrets: dict[str, int] = {}  # value -> registration count
_pattern: re.Pattern[str] | None = None


def _rebuild() -> None:
    global _pattern
    values = sorted(_secrets, key=len, reverse=True)
    _pattern = re.compile("|".join(re.escape(v) for v in values)) if values else None


def _as_text(value: str | bytes | bytearray) -> list[str]:
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        forms = [raw.hex(), raw.hex().upper()]
        try:
            forms.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            pass
        return forms
    return [value]


def register_secret(value: str | bytes | bytearray) -> None:
    """Redact ``value`` (and for bytes, its hex forms) from every log record from now on."""
    with _secret_lock:
        for form in _as_text(value):
            if len(form) >= _MIN_SECRET_LENGTH:
                _secrets[form] = _secrets.get(form, 0) + 1
        _rebuild()


def register_secrets(values: Iterable[str | bytes | bytearray]) -> None:
    for value in values:
        register_secret(value)


def unregister_secret(value: str | bytes | bytearray) -> None:
    with _secret_lock:
        for form in _as_text(value):
            count = _secrets.get(form, 0) - 1
            if count <= 0:
                _secrets.pop(form, None)
            else:
                _secrets[form] = count
        _rebuild()


def clear_secrets() -> None:
    with _secret_lock:
        _secrets.clear()
        _rebuild()


def redact(text: str) -> str:
    """Replace every registered secret in ``text`` with ``[REDACTED]``."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Scrubs registered secrets from the rendered message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _pattern is None:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_configured_path: Path | None = None


def setup_logging(logs_dir: Path, level: str = "INFO", *, max_bytes: int = 1_000_000, backups: int = 5) -> Path:
    """Log the ``agentconsole`` tree to a rotating file in ``logs_dir`` (mode 0700)."""
    global _configured_path
    logs_dir = Path(logs_dir)
    logs_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = logs_dir / LOG_FILE_NAME
    root = logging.getLogger("agentconsole")
    if _configured_path == path:
        root.setLevel(level)
        return path
    for handler in list(root.handlers):
        if getattr(handler, "_agentconsole", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True
    )
    handler._agentconsole = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    logging.captureWarnings(True)
    warnings_logger = logging.getLogger("py.warnings")
    if handler not in warnings_logger.handlers:
        warnings_logger.addHandler(handler)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600) if path.exists() else None
    _configured_path = path
    return path


def log_file() -> Path | None:
    return _configured_path


@contextlib.contextmanager
def native_stderr_to(path: Path) -> Iterator[None]:
    """Point file descriptor 2 at ``path`` for the duration (C libraries' chatter).

    Python-level ``sys.stderr`` keeps working for the caller because it is
    re-opened on a duplicate of the original descriptor.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    old_stderr = sys.stderr
    try:
        os.dup2(target, 2)
        sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
            sys.stderr.close()
        sys.stderr = old_stderr
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)
