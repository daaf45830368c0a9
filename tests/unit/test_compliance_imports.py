"""The compliance core imports no other core (the service wires them) and is cheap to import."""

from __future__ import annotations

import subprocess
import sys


def test_compliance_imports_no_other_core() -> None:
    code = (
        "import sys, pkgutil, importlib, agentconsole.compliance as c\n"
        "for info in pkgutil.iter_modules(c.__path__):\n"
        "    importlib.import_module(f'agentconsole.compliance.{info.name}')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[:2] in (['agentconsole', 'vault'], "
        "['agentconsole', 'privacy'], ['agentconsole', 'llm'], ['agentconsole', 'ui']) or m in ('textual', 'presidio_analyzer', 'spacy'))\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
