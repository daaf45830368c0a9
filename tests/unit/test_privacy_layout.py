"""The privacy package's shape: no import cycle through the engine, modules of a readable size."""

from __future__ import annotations

import ast
from pathlib import Path

import agentconsole.privacy

PACKAGE = Path(agentconsole.privacy.__file__).parent
#: Modules the engine is built from: they must never import it back.
BELOW_ENGINE = ("detections", "masking", "pieces", "textprep", "placeholders", "linking", "lexicon", "errors", "model")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "ner_model" not in p.parts)


def test_recognizers_and_primitives_never_import_the_engine() -> None:
    below = [PACKAGE / f"{name}.py" for name in BELOW_ENGINE] + sorted((PACKAGE / "recognizers").glob("*.py"))
    offenders = [
        p.relative_to(PACKAGE).as_posix()
        for p in below
        if any(
            name == "agentconsole.privacy.engine" or name.startswith("agentconsole.privacy.engine.")
            for name in _imports(p)
        )
    ]
    assert below and offenders == []


def test_recognizers_import_no_private_name_of_another_module() -> None:
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("agentconsole."):
                offenders += [f"{path.name}: {alias.name}" for alias in node.names if alias.name.startswith("_")]
    assert offenders == []


def test_no_module_exceeds_500_lines() -> None:
    sizes = {p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    assert len(sizes) > 10
    assert {name: n for name, n in sizes.items() if n > 500} == {}
