"""Import contract: nothing outside agentconsole/ui/ imports textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import agentconsole


def headless_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(agentconsole.__path__, prefix="agentconsole."):
        if info.name.startswith("agentconsole.ui") or info.name == "agentconsole.__main__":
            continue
        names.append(info.name)
    return sorted(names)


def test_cores_never_import_textual() -> None:
    modules = headless_modules()
    assert "agentconsole.config" in modules and "agentconsole.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'textual' in sys.modules:\n"
        "        raise SystemExit(f'{name} imported textual')\n"
        "print('ok', len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok")
