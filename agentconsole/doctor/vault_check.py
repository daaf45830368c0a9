"""The vault check: files, unlock with --user, audit chain (against --audit-anchor)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from agentconsole.doctor.results import FAIL, OK, WARN, CheckResult, DoctorOptions
from agentconsole.doctor.runtime import _mib
from agentconsole.errors import AgentConsoleError

log = logging.getLogger("agentconsole.doctor")


def check_vault(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    vault_path = Path(settings.vault_path)
    anchor_dir = Path(settings.anchor_dir).expanduser().resolve()
    if anchor_dir.is_relative_to(Path(settings.home).resolve()):
        yield CheckResult(
            "local anchor",
            WARN,
            f"{anchor_dir} is inside the data directory: restoring an older copy of it would roll the anchor "
            "back too (set compliance.anchor_dir elsewhere)",
        )
    if options.passphrase is None or not options.user:
        if vault_path.exists():
            yield CheckResult(
                "vault",
                OK,
                f"{vault_path.name} present ({_mib(vault_path.stat().st_size)}); "
                "integrity not checked (pass --user NAME to open it)",
            )
        else:
            yield CheckResult("vault", OK, f"no vault yet at {vault_path}")
        return
    try:
        from agentconsole.service import ConsoleService
    except ImportError:
        yield CheckResult("vault integrity", WARN, "not available: this build has no vault service")
        return
    # Through the service, as in the console: the unlock, a refusal and the
    # verification are audited, and only supervisors and auditors may check.
    service = ConsoleService(settings, model_override=options.model_override)
    if not service.vault_exists():
        yield CheckResult("vault integrity", FAIL, f"no vault at {vault_path}")
        return
    try:
        service.unlock(options.user, options.passphrase)
    except AgentConsoleError as exc:
        yield CheckResult("vault integrity", FAIL, exc.message)
        return
    try:
        try:
            vault = service.require("audit")
        except AgentConsoleError as exc:
            yield CheckResult(
                "vault integrity", WARN, f"{exc.message}: run the vault checks as a supervisor or auditor"
            )
            return
        bad_pages = vault.check_integrity()
        if bad_pages:
            pages = ", ".join(str(p) for p in bad_pages[:5])
            yield CheckResult("vault integrity", FAIL, f"vault was modified outside agentconsole (pages {pages})")
        else:
            yield CheckResult("vault integrity", OK, f"{vault_path.name}: cipher_integrity_check passed")
        for warning in service.unlock_warnings:
            yield CheckResult("local anchor", WARN, warning)
        result = service.verify_audit(options.audit_anchor)
        yield CheckResult("audit chain", OK if result.ok else FAIL, result.describe())
    finally:
        service.lock()
