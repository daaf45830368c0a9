"""Log files: rotation, redaction of registered secrets, native stderr capture."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import pytest

from agentconsole import logs


@pytest.fixture
def log_path(tmp_path: Path):
    path = logs.setup_logging(tmp_path / "logs", "DEBUG", max_bytes=4096, backups=2)
    yield path
    logs.clear_secrets()


def read(path: Path) -> str:
    for handler in logging.getLogger("agentconsole").handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_registered_secrets_never_reach_the_file(log_path: Path) -> None:
    log = logging.getLogger("agentconsole.test")
    passphrase = "correct horse battery staple"
    key = bytes(range(32))
    logs.register_secret(passphrase)
    logs.register_secret(bytearray(key))
    logs.register_secret("Jane Example")
    log.info("user typed %s", passphrase)
    log.warning("key is " + key.hex())
    log.error("customer %s wrote in", "jane example".title())
    try:
        raise ValueError(f"bad value {passphrase}")
    except ValueError:
        log.exception("failed with %r", passphrase)
    text = read(log_path)
    assert passphrase not in text
    assert key.hex() not in text
    assert "Jane Example" not in text
    assert text.count(logs.REDACTED) >= 5
    assert "ValueError" in text  # the traceback is kept, scrubbed


def test_unregistered_values_are_logged_again(log_path: Path) -> None:
    logs.register_secret("s3cret-value")
    logs.unregister_secret("s3cret-value")
    logging.getLogger("agentconsole.test").info("now %s", "s3cret-value")
    assert "now s3cret-value" in read(log_path)


def test_very_short_values_are_not_treated_as_secrets(log_path: Path) -> None:
    logs.register_secret("a")
    logging.getLogger("agentconsole.test").info("a cat")
    assert "a cat" in read(log_path)


def test_logs_rotate(log_path: Path) -> None:
    log = logging.getLogger("agentconsole.test")
    for i in range(200):
        log.info("line %d %s", i, "x" * 60)
    handler = next(h for h in logging.getLogger("agentconsole").handlers if getattr(h, "_agentconsole", False))
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    rotated = sorted(p.name for p in log_path.parent.iterdir())
    assert rotated == ["agentconsole.log", "agentconsole.log.1", "agentconsole.log.2"]
    assert log_path.stat().st_size <= 4096


def test_native_stderr_is_captured(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "native.log"
    with logs.native_stderr_to(target):
        os.write(2, b"llama.cpp: loading model\n")
    assert "llama.cpp: loading model" in target.read_text()
    assert "llama.cpp" not in capfd.readouterr().err
