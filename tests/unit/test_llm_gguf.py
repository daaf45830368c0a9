"""GGUF header validation and model discovery: real model plus hand-built files."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest

from agentconsole.config import ModelSettings, Settings
from agentconsole.errors import AgentConsoleError
from agentconsole.llm import (
    ModelChecksumMismatch,
    ModelNotFound,
    ModelNotGGUF,
    ModelTruncated,
    discover_models,
    read_header,
    resolve_model_path,
)
from agentconsole.provision import load_manifest

# --- a minimal GGUF writer (synthetic files; never a real person's data) -----------


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def _kv(key: str, value: object) -> bytes:
    if isinstance(value, str):
        return _string(key) + struct.pack("<I", 8) + _string(value)
    if isinstance(value, list):
        body = struct.pack("<IQ", 8, len(value)) + b"".join(_string(v) for v in value)
        return _string(key) + struct.pack("<I", 9) + body
    return _string(key) + struct.pack("<II", 4, value)  # uint32


def build_gguf(
    *,
    n_elements: int = 8,
    version: int = 3,
    metadata: dict[str, object] | None = None,
    data_bytes: int | None = None,
) -> bytes:
    """A GGUF file with one F32 tensor of ``n_elements``; ``data_bytes`` overrides the data length."""
    meta = {"general.architecture": "llama", "llama.context_length": 1024, "general.file_type": 0}
    meta.update(metadata or {})
    header = b"GGUF" + struct.pack("<IQQ", version, 1, len(meta))
    header += b"".join(_kv(k, v) for k, v in meta.items())
    header += _string("token_embd.weight") + struct.pack("<I", 1) + struct.pack("<Q", n_elements)
    header += struct.pack("<IQ", 0, 0)  # type F32, offset 0
    header += b"\0" * (-len(header) % 32)
    size = n_elements * 4 if data_bytes is None else data_bytes
    return header + bytes(range(256)) * (size // 256) + bytes(size % 256)


@pytest.fixture
def settings(agentconsole_home: Path) -> Settings:
    (agentconsole_home / "models").mkdir()
    return Settings(home=agentconsole_home)


# --- header ------------------------------------------------------------------------


def test_real_model_header(default_model_path: Path) -> None:
    header = read_header(default_model_path)
    assert header.version == 3
    assert header.architecture == "llama"
    assert header.quantization == "Q4_1"
    assert header.context_length == 8192
    assert 100_000_000 < header.parameter_count < 200_000_000
    assert header.chat_template and "<|im_start|>" in header.chat_template
    assert header.array_lengths["tokenizer.ggml.tokens"] == 49152
    assert "tokenizer.ggml.tokens" not in header.metadata  # big arrays are summarised, not kept


def test_synthetic_header(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(build_gguf(metadata={"tokenizer.chat_template": "{{ messages }}"}))
    header = read_header(path)
    assert (header.architecture, header.quantization, header.context_length, header.parameter_count) == (
        "llama",
        "F32",
        1024,
        8,
    )
    assert header.chat_template == "{{ messages }}"


@pytest.mark.parametrize(
    ("content", "error", "phrase"),
    [
        (b"", ModelNotGGUF, "not GGUF"),
        (b"PK\x03\x04 a zip archive, not a model" * 4, ModelNotGGUF, "not GGUF"),
        (b"GGUF" + struct.pack("<I", 1) + b"\0" * 40, ModelNotGGUF, "unsupported GGUF version 1"),
        (b"GGUF\x03\0\0\0", ModelTruncated, "truncated"),
        (build_gguf()[:40], ModelTruncated, "truncated"),
        (build_gguf(data_bytes=16), ModelTruncated, "truncated"),
        (b"GGUF" + struct.pack("<IQQ", 3, 1 << 40, 0) + b"\0" * 16, ModelTruncated, "corrupt"),
        (b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 50) + b"\0" * 16, ModelTruncated, "truncated"),
    ],
    ids=[
        "empty",
        "zip",
        "old-version",
        "header-only",
        "cut-in-metadata",
        "cut-in-data",
        "absurd-count",
        "absurd-length",
    ],
)
def test_bad_files_give_one_clear_line(tmp_path: Path, content: bytes, error: type, phrase: str) -> None:
    path = tmp_path / "bad.gguf"
    path.write_bytes(content)
    with pytest.raises(error, match=phrase) as info:
        read_header(path)
    message = info.value.message
    assert "\n" not in message and str(path) in message
    assert isinstance(info.value, AgentConsoleError)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="not found"):
        read_header(tmp_path / "nope.gguf")
    with pytest.raises(ModelNotGGUF, match="directory"):
        read_header(tmp_path)


# --- resolution and checksums -------------------------------------------------------


def test_default_model_resolves_and_verifies(settings: Settings, default_model_path: Path) -> None:
    assert resolve_model_path(settings, None) == default_model_path
    assert resolve_model_path(settings, "smollm2-135m-instruct") == default_model_path
    assert resolve_model_path(settings, "SmolLM2-135M-Instruct.Q4_1") == default_model_path
    assert resolve_model_path(settings, str(default_model_path)) == default_model_path


def test_configured_path_is_used(agentconsole_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "team-model.gguf"
    path.write_bytes(build_gguf())
    settings = Settings(model=ModelSettings(path=str(path)), home=agentconsole_home)
    assert resolve_model_path(settings, None) == path


def test_unknown_model_name(settings: Settings) -> None:
    with pytest.raises(ModelNotFound, match="model not found: no-such-model"):
        resolve_model_path(settings, "no-such-model")
    with pytest.raises(ModelNotFound, match="not found"):
        resolve_model_path(settings, "./missing/model.gguf")


def test_manifest_model_with_wrong_size_is_a_mismatch(settings: Settings) -> None:
    entry = load_manifest().default_entry
    impostor = settings.home / "models" / entry.file
    impostor.write_bytes(build_gguf())
    with pytest.raises(ModelChecksumMismatch, match="checksum mismatch"):
        resolve_model_path(settings, str(impostor))


def test_manifest_model_with_a_flipped_byte_is_a_mismatch(settings: Settings, default_model_path: Path) -> None:
    copy = settings.home / "models" / default_model_path.name
    shutil.copyfile(default_model_path, copy)
    with copy.open("r+b") as fh:
        fh.seek(-100, 2)
        byte = fh.read(1)
        fh.seek(-100, 2)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelChecksumMismatch, match="sha256") as info:
        resolve_model_path(settings, str(copy))
    assert "\n" not in info.value.message


def test_discover_lists_status_for_each_file(settings: Settings, default_model_path: Path) -> None:
    models_dir = settings.home / "models"
    (models_dir / "team-model.gguf").write_bytes(build_gguf())
    (models_dir / "broken.gguf").write_bytes(b"not a model at all" * 8)
    entry = load_manifest().default_entry
    by_name = {info.name: info for info in discover_models(settings)}
    default = by_name[entry.name]
    assert default.path == default_model_path and default.checksum_status == "ok"
    assert (default.architecture, default.quantization, default.context_length) == ("llama", "Q4_1", 8192)
    assert default.size == entry.size and default.parameter_count
    team = by_name["team-model"]
    assert team.checksum_status == "not in manifest" and team.parameter_count == 8
    broken = by_name["broken"]
    assert broken.checksum_status == "INVALID" and "not GGUF" in broken.error


def test_discover_flags_a_mismatching_manifest_file(settings: Settings, tmp_path: Path) -> None:
    entry = load_manifest().default_entry
    # A home-only view, so the repository's good copy does not shadow the impostor.
    impostor_dir = tmp_path / "models"
    impostor_dir.mkdir()
    (impostor_dir / entry.file).write_bytes(build_gguf())

    class HomeOnly(Settings):
        @property
        def models_dirs(self) -> list[Path]:
            return [impostor_dir]

    infos = discover_models(HomeOnly(home=settings.home))
    assert [(i.name, i.checksum_status) for i in infos] == [(entry.name, "MISMATCH")]


def test_cpu_probe_verdict_is_cached_per_machine(tmp_path: Path, default_model_path: Path) -> None:
    from agentconsole.llm import native

    assert native.extra_buffers_usable(default_model_path, "on") is True
    assert native.extra_buffers_usable(default_model_path, "off") is False
    if "amx_tile" not in native.cpu_flags():
        assert native.extra_buffers_usable(default_model_path, "auto", cache_dir=tmp_path) is True
        return
    verdict = native.extra_buffers_usable(default_model_path, "auto", cache_dir=tmp_path)
    cached = json.loads((tmp_path / "cpu_probe.json").read_text())
    assert list(cached.values()) == [verdict]
