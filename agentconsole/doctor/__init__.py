"""``agentconsole doctor``: is this installation complete, offline and hardened?

Each check returns one or more :class:`CheckResult` rows (check, status,
detail) with status ``ok``, ``warn`` or ``FAIL``; :func:`run_checks` runs them
all and never raises (an unexpected error in a check is that check's FAIL).
The CLI prints :func:`render_table` and exits non-zero on any FAIL.

Checks actually exercise what they vouch for: SQLCipher keys an in-memory
database and creates an FTS5 table, Presidio builds an analyzer under the
egress guard, the guard is asked to resolve a public name and must refuse it.
Details never contain secrets or case content.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from agentconsole.doctor.host import (
    PROBE_ADDRESS,
    PROBE_HOSTS,
    _swap_devices,
    _swap_is_encrypted,
    check_core_dumps,
    check_data_dir,
    check_egress_guard,
    check_swap,
)
from agentconsole.doctor.results import FAIL, OK, WARN, Check, CheckResult, DoctorOptions
from agentconsole.doctor.runtime import (
    MIN_PYTHON,
    check_dependencies,
    check_llama_library,
    check_model,
    check_presidio,
    check_python,
    check_spacy_model,
    check_sqlcipher,
    run_model_probe,
)
from agentconsole.doctor.team_check import check_team_store
from agentconsole.doctor.vault_check import check_vault
from agentconsole.errors import AgentConsoleError

log = logging.getLogger("agentconsole.doctor")

CHECKS: tuple[tuple[str, Check], ...] = (
    ("python", check_python),
    ("dependencies", check_dependencies),
    ("llama.cpp", check_llama_library),
    ("sqlcipher", check_sqlcipher),
    ("model", check_model),
    ("spacy model", check_spacy_model),
    ("presidio", check_presidio),
    ("egress guard", check_egress_guard),
    ("core dumps", check_core_dumps),
    ("swap", check_swap),
    ("data dir", check_data_dir),
    ("vault", check_vault),
    ("team store", check_team_store),
)


def run_checks(settings: Any, options: DoctorOptions | None = None) -> list[CheckResult]:
    """Run every check; an exception inside a check becomes that check's FAIL row."""
    from agentconsole.logs import redact

    options = options or DoctorOptions()
    results: list[CheckResult] = []
    for name, check in CHECKS:
        try:
            rows = list(check(settings, options))
        except AgentConsoleError as exc:
            rows = [CheckResult(name, FAIL, exc.message)]
        except Exception as exc:  # a broken dependency must not hide the other checks
            log.warning("doctor check %s raised", name, exc_info=True)
            rows = [CheckResult(name, FAIL, f"{type(exc).__name__}: {exc}")]
        results.extend(CheckResult(r.check, r.status, redact(r.detail)) for r in rows)
    for row in results:
        log.info("doctor: %s %s: %s", row.status, row.check, row.detail)
    return results


def exit_code(results: Iterable[CheckResult]) -> int:
    return 1 if any(r.status == FAIL for r in results) else 0


def render_table(results: list[CheckResult]) -> str:
    """A plain-text table: check | status | detail (readable in any terminal and log)."""
    headers = ("check", "status", "detail")
    width_check = max(len(headers[0]), *(len(r.check) for r in results))
    width_status = max(len(headers[1]), *(len(r.status) for r in results))
    lines = [
        f"{headers[0]:<{width_check}}  {headers[1]:<{width_status}}  {headers[2]}",
        f"{'-' * width_check}  {'-' * width_status}  {'-' * 6}",
    ]
    lines += [f"{r.check:<{width_check}}  {r.status:<{width_status}}  {r.detail}" for r in results]
    counts = {s: sum(r.status == s for r in results) for s in (OK, WARN, FAIL)}
    lines.append("")
    lines.append(f"{counts[OK]} ok, {counts[WARN]} warn, {counts[FAIL]} FAIL")
    return "\n".join(lines)


__all__ = [
    "CHECKS",
    "FAIL",
    "MIN_PYTHON",
    "OK",
    "PROBE_ADDRESS",
    "PROBE_HOSTS",
    "WARN",
    "CheckResult",
    "DoctorOptions",
    "_swap_devices",
    "_swap_is_encrypted",
    "check_core_dumps",
    "check_data_dir",
    "check_dependencies",
    "check_egress_guard",
    "check_llama_library",
    "check_model",
    "check_presidio",
    "check_python",
    "check_spacy_model",
    "check_sqlcipher",
    "check_swap",
    "check_vault",
    "exit_code",
    "render_table",
    "run_checks",
    "run_model_probe",
]
