"""`agentconsole models add`: a GGUF file copied into the home and pinned by its sha256 in the user's manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from test_llm_gguf import build_gguf

from agentconsole.cli import main
from agentconsole.config import Settings
from agentconsole.llm import ModelChecksumMismatch, resolve_model
from agentconsole.llm.gguf import ModelError
from agentconsole.llm.models import add_model, discover_models, user_manifest_path


def test_models_add_copies_pins_and_lists(tmp_path: Path, agentconsole_home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "tiny-instruct.Q4_K_M.gguf"
    data = build_gguf(n_elements=64)
    source.write_bytes(data)
    assert main(["models", "add", str(source), "--name", "tiny", "--licence", "Apache-2.0"]) == 0
    out = capsys.readouterr().out
    digest = hashlib.sha256(data).hexdigest()
    assert f"sha256 {digest}" in out and "--model tiny" in out
    copied = agentconsole_home / "models" / source.name
    assert copied.read_bytes() == data
    manifest = user_manifest_path(Settings(home=agentconsole_home)).read_text()
    assert 'name = "tiny"' in manifest and f'sha256 = "{digest}"' in manifest and f"size = {len(data)}" in manifest

    assert main(["models", "--json"]) == 0
    listed = {m["name"]: m for m in json.loads(capsys.readouterr().out)}
    assert listed["tiny"]["checksum_status"] == "ok"
    settings = Settings(home=agentconsole_home)
    assert resolve_model(settings, "tiny").path == copied

    # adding the same file again changes nothing; a changed file under the name is refused at load
    assert add_model(settings, source, name="tiny").sha256 == digest
    assert manifest == user_manifest_path(settings).read_text()
    copied.write_bytes(build_gguf(n_elements=72))
    with pytest.raises(ModelChecksumMismatch):
        resolve_model(settings, "tiny")
    assert any(m.name == "tiny" and m.checksum_status == "MISMATCH" for m in discover_models(settings))


def test_models_add_refuses_what_it_cannot_vouch_for(tmp_path: Path, agentconsole_home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=agentconsole_home)
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_bytes(b"hello, this is not a model at all, just some text\n" * 4)
    assert main(["models", "add", str(not_gguf)]) != 0
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"agentconsole: error: model file is not GGUF: {not_gguf.resolve()}"]
    assert not user_manifest_path(settings).exists()

    first = tmp_path / "a.gguf"
    first.write_bytes(build_gguf(n_elements=8))
    add_model(settings, first, name="mine")
    other = tmp_path / "b.gguf"
    other.write_bytes(build_gguf(n_elements=16))
    with pytest.raises(ModelError, match="already has a model named mine"):
        add_model(settings, other, name="mine")  # a name never silently changes meaning
    with pytest.raises(ModelError, match="not found"):
        add_model(settings, tmp_path / "missing.gguf")


def test_models_add_link(tmp_path: Path, agentconsole_home: Path) -> None:
    source = tmp_path / "linked.gguf"
    source.write_bytes(build_gguf())
    entry = add_model(Settings(home=agentconsole_home), source, link=True)
    target = agentconsole_home / "models" / "linked.gguf"
    assert target.is_symlink() and target.resolve() == source.resolve()
    assert entry.name == "linked"
