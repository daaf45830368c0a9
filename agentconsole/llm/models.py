"""Finding, validating and describing GGUF models.

Models live in the repository's ``models/`` and in ``$AGENTCONSOLE_HOME/models/``
(``Settings.models_dirs``), or anywhere given by path. A model is named by its
manifest name (``smollm2-135m-instruct``), its file name or file stem, or a
path. Before a file reaches llama.cpp its GGUF header is validated
(:mod:`agentconsole.llm.gguf`) and, when the manifest lists it, its size and
sha256 are checked; each failure is one clear line.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentconsole.llm.gguf import GGUFHeader, ModelError, ModelNotFound, read_header
from agentconsole.provision import ChecksumMismatch, Manifest, ManifestEntry, load_manifest

log = logging.getLogger("agentconsole.llm")

CHECKSUM_OK = "ok"
CHECKSUM_NOT_IN_MANIFEST = "not in manifest"
CHECKSUM_MISMATCH = "MISMATCH"
_CHUNK = 1 << 20


class ModelChecksumMismatch(ModelError, ChecksumMismatch):
    """A model listed in the manifest does not have the manifest's size or sha256."""


@dataclass(frozen=True)
class ModelInfo:
    """One discovered model, as ``agentconsole models`` lists it."""

    name: str
    path: Path
    size: int
    architecture: str
    quantization: str
    context_length: int | None
    parameter_count: int | None
    checksum_status: str  # "ok" | "not in manifest" | "MISMATCH" | "INVALID: <reason>"
    error: str = ""  # why the file is unusable, when checksum_status starts with INVALID

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "size": self.size,
            "architecture": self.architecture,
            "quantization": self.quantization,
            "context_length": self.context_length,
            "parameter_count": self.parameter_count,
            "checksum_status": self.checksum_status,
            "error": self.error,
        }


@dataclass(frozen=True)
class ResolvedModel:
    """A validated model file, ready for llama.cpp."""

    name: str
    path: Path
    header: GGUFHeader
    entry: ManifestEntry | None


# sha256 of files already hashed in this process, keyed by identity and mtime.
_digest_cache: dict[tuple[str, int, int, int], str] = {}
_digest_lock = threading.Lock()


def sha256_of(path: Path, progress: Callable[[float], None] | None = None) -> str:
    """sha256 of ``path``, cached per (inode, size, mtime) for the life of the process."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _digest_lock:
        cached = _digest_cache.get(key)
    if cached is not None:
        return cached
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress is not None and stat.st_size:
                progress(min(done / stat.st_size, 1.0))
    value = digest.hexdigest()
    with _digest_lock:
        _digest_cache[key] = value
    return value


USER_MANIFEST = "manifest.toml"


def user_manifest_path(settings: Any) -> Path:
    """The user's own manifest, ``$AGENTCONSOLE_HOME/models/manifest.toml`` (written by ``models add``)."""
    return Path(settings.home) / "models" / USER_MANIFEST


def _manifest(settings: Any = None) -> Manifest | None:
    """The shipped manifest, plus the user's entries (``models add``) when ``settings`` is given."""
    try:
        manifest = load_manifest()
    except Exception as exc:  # a broken manifest must not hide every model
        log.warning("model manifest unusable: %s", exc)
        manifest = None
    user_path = user_manifest_path(settings) if settings is not None and getattr(settings, "home", None) else None
    if user_path is None or not user_path.is_file():
        return manifest
    try:
        user = load_manifest(user_path)
    except Exception as exc:
        log.warning("user model manifest unusable: %s", exc)
        return manifest
    if manifest is None:
        return user
    shipped = {m.name for m in manifest.models} | {m.file for m in manifest.models}
    extra = tuple(m for m in user.models if m.name not in shipped and m.file not in shipped)
    return Manifest(default=manifest.default, models=manifest.models + extra)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def add_model(
    settings: Any,
    source: Path,
    *,
    name: str | None = None,
    licence: str = "",
    origin: str = "",
    link: bool = False,
    progress: Callable[[float], None] | None = None,
) -> ManifestEntry:
    """Put a GGUF file in ``$AGENTCONSOLE_HOME/models/`` and record its sha256 in the user's manifest.

    The header is validated first (a file that is not GGUF is refused); the
    file is copied (``link``: symlinked) unless it is already there. A name
    or file the manifest knows with another checksum is an error: the
    manifest never silently changes what a name means.
    """
    import shutil

    from agentconsole.atomicfile import write_atomic

    source = Path(source).expanduser().resolve()
    if not source.is_file():
        raise ModelNotFound(f"model file not found: {source}")
    header = read_header(source)
    digest = sha256_of(source, progress)
    size = source.stat().st_size
    name = (name or source.stem).strip()
    if not name or any(ch in name for ch in '\n"\\'):
        raise ModelError(f"unusable model name: {name!r}")
    target_dir = Path(settings.home) / "models"
    target_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = target_dir / source.name
    manifest = _manifest(settings)
    for entry in manifest.models if manifest else ():
        if (entry.name == name or entry.file == source.name) and entry.sha256 != digest:
            raise ModelError(
                f"the manifest already has a model named {entry.name} ({entry.file}) with another sha256; "
                "choose another --name or file name"
            )
        if entry.name == name and entry.file == source.name:
            if not target.exists() and source != target:
                _place(source, target, link, shutil)
            return entry
    if target.resolve() != source:
        if target.exists():
            raise ModelError(f"{target} exists and is another file; rename the model file")
        _place(source, target, link, shutil)
    path = user_manifest_path(settings)
    existing = (
        path.read_text(encoding="utf-8")
        if path.is_file()
        else ("# Models added with 'agentconsole models add': checked against their sha256 before every load.\n")
    )
    block = (
        "\n[[model]]\n"
        f"name = {_toml_string(name)}\n"
        f"file = {_toml_string(source.name)}\n"
        f'sha256 = "{digest}"\n'
        f"size = {size}\n"
        f"licence = {_toml_string(licence)}\n"
        f"source = {_toml_string(origin or f'added with agentconsole models add ({header.architecture}, {header.quantization})')}\n"
    )
    write_atomic(path, (existing.rstrip("\n") + "\n" + block).encode("utf-8"))
    log.info("model %s added to %s", name, path)
    return ManifestEntry(name=name, file=source.name, sha256=digest, size=size, licence=licence, source=origin)


def _place(source: Path, target: Path, link: bool, shutil: Any) -> None:
    if link:
        target.symlink_to(source)
        return
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    partial.replace(target)


def checksum_status(path: Path, entry: ManifestEntry | None, progress: Callable[[float], None] | None = None) -> str:
    """ "ok", "not in manifest" or "MISMATCH" for ``path`` against its manifest entry."""
    if entry is None:
        return CHECKSUM_NOT_IN_MANIFEST
    if path.stat().st_size != entry.size:
        return CHECKSUM_MISMATCH
    return CHECKSUM_OK if sha256_of(path, progress) == entry.sha256 else CHECKSUM_MISMATCH


def verify_checksum(path: Path, entry: ManifestEntry | None, progress: Callable[[float], None] | None = None) -> None:
    """Raise :class:`ModelChecksumMismatch` when ``path`` differs from its manifest entry."""
    if entry is None:
        return
    size = path.stat().st_size
    if size != entry.size:
        raise ModelChecksumMismatch(
            f"model checksum mismatch: {path} is {size} bytes, the manifest says {entry.size}; the file is not used"
        )
    if sha256_of(path, progress) != entry.sha256:
        raise ModelChecksumMismatch(
            f"model checksum mismatch: {path} does not match the sha256 in the manifest; the file is not used"
        )


def _model_files(settings: Any) -> list[Path]:
    seen: set[Path] = set()
    files: list[Path] = []
    for directory in settings.models_dirs:
        if not Path(directory).is_dir():
            continue
        for path in sorted(Path(directory).glob("*.gguf")):
            if path.name.startswith(".") or not path.is_file():
                continue
            real = path.resolve()
            if real not in seen:
                seen.add(real)
                files.append(path)
    return files


def _display_name(path: Path, entry: ManifestEntry | None) -> str:
    return entry.name if entry is not None else path.stem


def discover_models(settings: Any, *, verify: bool = True) -> list[ModelInfo]:
    """Every ``*.gguf`` in the models directories, described from its header.

    A file whose header is invalid is still listed, with ``checksum_status``
    "INVALID: ..." and the reason in ``error``. ``verify=False`` skips hashing
    (status "ok" then only means the size matches).
    """
    manifest = _manifest(settings)
    infos: list[ModelInfo] = []
    for path in _model_files(settings):
        entry = manifest.by_file(path.name) if manifest else None
        name = _display_name(path, entry)
        size = path.stat().st_size
        try:
            header = read_header(path)
        except ModelError as exc:
            infos.append(ModelInfo(name, path, size, "?", "?", None, None, "INVALID", error=exc.message))
            continue
        if verify:
            status = checksum_status(path, entry)
        elif entry is None:
            status = CHECKSUM_NOT_IN_MANIFEST
        else:
            status = CHECKSUM_OK if size == entry.size else CHECKSUM_MISMATCH
        infos.append(
            ModelInfo(
                name=name,
                path=path,
                size=size,
                architecture=header.architecture,
                quantization=header.quantization,
                context_length=header.context_length,
                parameter_count=header.parameter_count or None,
                checksum_status=status,
            )
        )
    return infos


def _locate(settings: Any, reference: str, manifest: Manifest | None) -> tuple[Path, ManifestEntry | None]:
    """Turn a model reference (manifest name, file name, stem or path) into a path."""
    dirs = [Path(d) for d in settings.models_dirs]
    if not reference:
        if manifest is None or not manifest.models:
            raise ModelNotFound("no model configured and no default model in the manifest (set model.path)")
        entry = manifest.default_entry
        for directory in dirs:
            if (directory / entry.file).exists():
                return directory / entry.file, entry
        raise ModelNotFound(
            f"default model {entry.file} not found in {' or '.join(str(d) for d in dirs)} "
            "(run scripts/setup or python -m agentconsole.provision)"
        )
    named = manifest.by_name(reference) if manifest else None
    if named is not None:
        for directory in dirs:
            if (directory / named.file).exists():
                return directory / named.file, named
        raise ModelNotFound(f"model {reference} ({named.file}) not found in {' or '.join(str(d) for d in dirs)}")
    candidate = Path(reference).expanduser()
    if candidate.exists() or "/" in reference or reference.startswith("."):
        path = candidate if candidate.is_absolute() else Path.cwd() / candidate
        if not path.exists():
            raise ModelNotFound(f"model file not found: {reference}")
        return path, manifest.by_file(path.name) if manifest else None
    for directory in dirs:
        for file_name in (reference, f"{reference}.gguf"):
            if (directory / file_name).is_file():
                return directory / file_name, manifest.by_file(file_name) if manifest else None
    raise ModelNotFound(
        f"model not found: {reference} (not a file, and no model of that name in "
        f"{' or '.join(str(d) for d in dirs)}; see 'agentconsole models')"
    )


def model_display_name(settings: Any, override: str | None = None) -> str:
    """The name the model will have once resolved (cheap: no header read, no hashing)."""
    reference = ((override if override else settings.model.path) or "").strip()
    manifest = _manifest(settings)
    try:
        path, entry = _locate(settings, reference, manifest)
    except ModelError:
        return reference or "default model"
    return _display_name(path, entry)


def resolve_model(
    settings: Any, override: str | None = None, progress: Callable[[float], None] | None = None
) -> ResolvedModel:
    """Locate and validate the model to use: ``override``, else ``model.path``, else the default.

    Validates the GGUF header and, for files the manifest lists, size and
    sha256. ``progress`` receives 0..1 while the file is hashed.
    """
    reference = (override if override else settings.model.path) or ""
    manifest = _manifest(settings)
    path, entry = _locate(settings, reference.strip(), manifest)
    header = read_header(path)
    verify_checksum(path, entry, progress)
    return ResolvedModel(name=_display_name(path, entry), path=path, header=header, entry=entry)


def resolve_model_path(settings: Any, override: str | None = None) -> Path:
    """The validated path of the model to use (see :func:`resolve_model`)."""
    return resolve_model(settings, override).path
