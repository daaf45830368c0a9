"""Administration and compliance: retention, export, erasure, audit, users, passphrases, rekey, config."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentconsole.domain import ROLES
from agentconsole.errors import AgentConsoleError
from agentconsole.service.core import ServiceCore, utcnow
from agentconsole.service.errors import ServiceBusy

if TYPE_CHECKING:
    from collections.abc import Mapping

    from agentconsole.compliance.audit import Anchor, AuditEntry, AuditVerification
    from agentconsole.compliance.erasure import ErasureReport
    from agentconsole.compliance.local_anchor import LocalAnchor
    from agentconsole.compliance.retention import RetentionReport
    from agentconsole.vault import Vault


class AdminSection(ServiceCore):
    """What supervisors (and, for the audit log, auditors) do beyond working cases."""

    def run_retention(self, dry_run: bool = False) -> RetentionReport:
        """Apply (or with ``dry_run`` only count) the retention policy now. Supervisor; audited."""
        from agentconsole.compliance import retention

        vault = self.require("retention")

        def record(report: RetentionReport) -> None:
            self._audit("retention.run", "vault", trigger="command", **report.as_details())

        report = retention.run(vault, self.settings, dry_run=dry_run, record=record)
        if report.changed and not dry_run:
            self._forget_mappings()
        return report

    def export_customer(self, customer_ref: str, fmt: str = "json") -> str:
        """Everything held about a customer, real values restored (right of access). Supervisor; audited.

        The result holds PII: the caller writes it where the requester asked, never to a log.
        """
        from agentconsole.compliance import export
        from agentconsole.privacy import restore

        if fmt not in export.FORMATS:
            raise AgentConsoleError(f"unknown export format '{fmt}' (use {' or '.join(export.FORMATS)})")
        vault = self.require("export")
        ref = customer_ref.strip()
        data = export.gather(
            vault,
            ref,
            restore=lambda case_id, text: restore(text, self.mapping(case_id)),
            purposes=list(self.settings.compliance.purposes),
            retention={
                "pii_values_days": self.settings.retention.pii_values_days,
                "transcripts_days": self.settings.retention.transcripts_days,
            },
            exported_by=self.user,
            exported_at=utcnow(),
        )
        self._audit("export", f"customer:{ref}", format=fmt, **data.counts())
        return export.render(data, fmt)

    def erase_customer(self, customer_ref: str) -> ErasureReport:
        """Erase a customer with all their cases, messages, values and consents (right to erasure).

        Supervisor. The audit entry (counts, no values) commits with the deletion.
        """
        from agentconsole.compliance import erasure

        vault = self.require("erase")
        ref = customer_ref.strip()
        if self._current is not None and vault.get_case(self._current.case_id).customer_ref == ref:
            raise ServiceBusy("a draft is being generated for this customer: stop it first")

        def record(report: ErasureReport) -> None:
            self._audit("erase", f"customer:{ref}", **report.as_details())

        report = erasure.erase_customer(vault, ref, record=record)
        self._forget_mappings(report.case_ids)
        return report

    def audit_entries(
        self, since: str | None = None, actor: str | None = None, action: str | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        """Audit entries (ids and counts, never values), oldest first. Supervisor or auditor."""
        from agentconsole.compliance.audit import AuditLog

        return AuditLog(self.require("audit")).entries(since=since, actor=actor, action=action, limit=limit)

    def verify_audit(self, anchor: Mapping[str, object] | Anchor | None = None) -> AuditVerification:
        """Verify the audit chain, against ``anchor`` if given and against the local anchor
        (written at every lock) if there is one; the check itself is audited."""
        import dataclasses

        from agentconsole.compliance import local_anchor
        from agentconsole.compliance.audit import AuditLog, AuditVerification

        audit_log = AuditLog(self.require("audit"))
        result = audit_log.verify(anchor)
        local: LocalAnchor | None = None
        if result.ok:
            try:
                local = local_anchor.read(self._require_vault(), self.settings.anchor_dir)
            except local_anchor.LocalAnchorError as exc:
                result = AuditVerification(False, None, result.entries, str(exc), result.head_seq)
            if local is not None:
                checked = audit_log.verify(local.audit_anchor())
                if not checked.ok:
                    result = dataclasses.replace(checked, reason=f"against the local anchor: {checked.reason}")
                else:
                    extra = f"; matches the local anchor at entry {local.audit_seq}"
                    result = dataclasses.replace(result, reason=result.reason + extra)
        self._audit(
            "audit.verify",
            "audit",
            ok=result.ok,
            entries=result.entries,
            first_broken_seq=result.first_broken_seq,
            anchored=anchor is not None,
            local_anchor=local is not None,
        )
        return result

    def audit_anchor(self) -> Anchor:
        """The audit head to keep outside the vault (its own audit entry included)."""
        from agentconsole.compliance.audit import AuditLog

        audit_log = AuditLog(self.require("audit"))
        self._audit("audit.anchor", "audit")
        return audit_log.anchor()

    def user_list(self) -> list[tuple[str, str]]:
        return self.require("manage_users").list_users()

    def user_add(self, name: str, role: str, passphrase: bytearray) -> None:
        """Add a user with their own key slot. Supervisor; audited."""
        if role not in ROLES:
            raise AgentConsoleError(f"unknown role '{role}' (use {', '.join(ROLES)})")
        self.require("manage_users").add_user(name, role, passphrase)
        self._audit("user.add", f"user:{name}", role=role)

    def user_remove(self, name: str) -> None:
        """Remove a user's key slot (run :meth:`rekey` if they may have kept the keys file). Audited."""
        self.require("manage_users").remove_user(name)
        self._audit("user.remove", f"user:{name}")

    def user_reset_passphrase(self, name: str, one_time: bytearray) -> None:
        """Give a user who forgot their passphrase a one-time one. Supervisor; audited.

        Their slot is replaced and flagged: the vault will not open with the one-time
        passphrase until they set their own (``agentconsole passwd``; the console's
        unlock says so).
        """
        self.require("manage_users").reset_passphrase(name, one_time)
        self._audit("user.reset_passphrase", f"user:{name}")

    def passwd(self, old: bytearray, new: bytearray) -> None:
        """Change the signed-in user's own passphrase (rewraps one key slot); audited."""
        from agentconsole.vault import Vault

        user = self.user
        if self.settings.vault.backend == "postgres":
            from agentconsole.service.team import change_team_passphrase

            change_team_passphrase(self.settings, user, old, new)
        else:
            Vault.change_passphrase(self.vault_path, user, old, new)
        self._audit("user.passwd", f"user:{user}")

    def change_passphrase_offline(self, user: str, old: bytearray, new: bytearray) -> None:
        """``agentconsole passwd``: rewrap one slot with the database untouched (byte-identical).

        The audit entry cannot be written without opening the database, so it
        waits in the home's sidecar and lands at the next unlock.
        """
        from agentconsole.compliance import failed_unlocks, unlock_backoff
        from agentconsole.vault import Vault, WrongPassphrase

        self._check_backoff(user)
        try:
            if self.settings.vault.backend == "postgres":
                from agentconsole.service.team import change_team_passphrase

                change_team_passphrase(self.settings, user, old, new)
            else:
                Vault.change_passphrase(self.vault_path, user, old, new)
        except WrongPassphrase:
            self._record_failed_unlock(user, action="user.passwd.failed")
            raise
        unlock_backoff.succeeded(self.settings.home, user)
        failed_unlocks.record(self.settings.home, user, action="user.passwd")

    def open_for_check(self, user: str, passphrase: bytearray) -> Vault:
        """Open the vault for ``vault check`` (behind the same back-off; nothing audited).

        The caller locks it. Damage and rollbacks raise as for :meth:`unlock`.
        """
        return self._open_vault(user, passphrase)

    def rekey(self) -> None:
        """Rotate the data key. Supervisor; audited. The audit key survives (see docs/compliance.md)."""
        vault = self.require("rekey")
        self.cancel_generation()
        vault.rekey()
        self._audit("vault.rekey", "vault")

    def set_config(self, key: str, value: object) -> None:
        """Change one setting (``section.key``) in config.toml. Supervisor; audited as config.change.

        The file is validated, rewritten atomically (comments are not kept) and
        reloaded; the audit entry comes from the same diff the unlock check uses.
        """
        from agentconsole.atomicfile import write_atomic
        from agentconsole.config import CONFIG_FILE_NAME, parse_settings, render_toml, to_dict

        self.require("config")
        section, _, name = key.partition(".")
        data = to_dict(self.settings)
        if section not in data or name not in data[section]:
            raise AgentConsoleError(f"unknown setting '{key}'")
        data[section][name] = value
        path = self.settings.home / CONFIG_FILE_NAME
        candidate = parse_settings(data, home=self.settings.home, source=str(path))
        write_atomic(path, render_toml(candidate).encode("utf-8"))
        self.settings = candidate
        self._audit_config_changes()
