"""Transparency use cases: SIEM forwarding and alerts for the session, the privacy notice,
the record of processing, consent per purpose, training-data export, AI disclosure.

A section of :class:`~agentconsole.service.ConsoleService`: it starts forwarding
and alerts when the vault opens and stops them before it closes, and appends the
AI disclosure to replies, through the hooks of :class:`ServiceCore`. Roles are
enforced here like everywhere in the service layer.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from agentconsole.errors import AgentConsoleError
from agentconsole.service.cases import CasesSection
from agentconsole.service.core import ServiceCore

if TYPE_CHECKING:
    from agentconsole.compliance.alerts import AlertMonitor
    from agentconsole.compliance.audit import AuditEntry
    from agentconsole.compliance.forwarding import Forwarder, ForwardingStatus
    from agentconsole.compliance.training_export import Scanner, TrainingExportReport
    from agentconsole.vault import Vault
    from agentconsole.vault.repositories.transparency import DisclosureRow, PurposeConsentRow

log = logging.getLogger("agentconsole.service")

#: Consent purposes: ``ai-processing`` is the vault's original consent (drafts), the others are per purpose.
CONSENT_PURPOSES = ("ai-processing", "model-improvement")
#: Threshold of the stricter re-scan of training data (every entity type).
TRAINING_SCAN_THRESHOLD = 0.2


class TransparencySection(ServiceCore):
    """SIEM forwarding and alerts per session; notice, record of processing, purposes, training export."""

    _forwarder: Forwarder | None = None
    _alert_monitor: AlertMonitor | None = None

    def _transparency_store(self) -> Vault | None:
        """The open vault if its backend keeps the transparency tables (the SQLCipher file does;
        a backend without them yet gets the rest of the console unchanged)."""
        vault = self._require_vault()
        return vault if hasattr(vault, "audit_rows_after") and hasattr(vault, "record_disclosure") else None

    def _require_transparency_store(self, what: str) -> Vault:
        vault = self._transparency_store()
        if vault is None:
            raise AgentConsoleError(f"{what} is not available on this vault backend yet", exit_code=2)
        return vault

    # --- session: forwarding and alerts ------------------------------------------------------

    def _session_opened(self) -> None:
        super()._session_opened()
        self._start_transparency()

    def _session_closing(self) -> None:
        try:
            self._stop_transparency()
        except Exception as exc:  # never keep the vault open because of the collector
            log.warning("stopping SIEM forwarding failed: %s", type(exc).__name__)
        super()._session_closing()

    def _start_transparency(self) -> None:
        """Right after unlock: alerts watch the audit log, the forwarder delivers what is pending."""
        from agentconsole import airgap
        from agentconsole.compliance.alerts import AlertMonitor
        from agentconsole.compliance.forwarding import Forwarder
        from agentconsole.compliance.transports import transport_from_settings

        self._stop_transparency(flush=False)
        vault = self._transparency_store()
        if vault is None:
            if self.settings.siem.transport != "off":
                self.unlock_warnings.append("SIEM forwarding is not available on this vault backend yet")
            return
        self._alert_monitor = AlertMonitor(vault, self.settings.alerts)
        self._alert_monitor.start()
        siem = self.settings.siem
        transport = transport_from_settings(siem)
        if transport is None:
            return
        if siem.transport == "syslog-tls" and not airgap.is_host_allowed(siem.host):
            self.unlock_warnings.append(
                f"SIEM collector {siem.host} is not in network.allowed_hosts: audit entries are not forwarded"
            )
        self._forwarder = Forwarder(
            vault,
            transport,
            self.settings.home / "siem",
            vault_id=str(vault.get_meta("database_id") or ""),
            retry_max_seconds=siem.retry_max_seconds,
        )
        self._forwarder.start()

    def _stop_transparency(self, *, flush: bool = True) -> None:
        """Before lock: give pending entries ``siem.flush_seconds`` to go out (not while the collector
        is down: they stay in the log for the next session), then stop."""
        monitor, self._alert_monitor = self._alert_monitor, None
        if monitor is not None:
            monitor.stop()
        forwarder, self._forwarder = self._forwarder, None
        if forwarder is None:
            return
        try:
            if flush:
                forwarder.flush(self.settings.siem.flush_seconds, give_up_when_down=True)
        finally:
            forwarder.stop()

    def forwarding_status(self) -> ForwardingStatus | None:
        """Where audit entries are forwarded and how far delivery got (None: forwarding off)."""
        self.require("audit")
        return self._forwarder.status() if self._forwarder is not None else None

    def flush_forwarding(self, timeout: float) -> bool:
        """Deliver what is pending now (supervisor or auditor); False if the collector did not take it all."""
        self.require("audit")
        return self._forwarder is not None and self._forwarder.flush(timeout, give_up_when_down=True)

    def forward_test(self, timeout: float = 15.0) -> ForwardingStatus:
        """Write an ``audit.forward_test`` entry and wait until the collector has it (supervisor/auditor)."""
        self.require("audit")
        if self._forwarder is None:
            raise AgentConsoleError("SIEM forwarding is off: set [siem] transport in the config", exit_code=2)
        self._audit("audit.forward_test", "siem", destination=self._forwarder.status().destination)
        delivered = self._forwarder.flush(timeout, give_up_when_down=True)
        status = self._forwarder.status()
        if not delivered:
            reason = status.last_error or f"not delivered within {timeout:g} s"
            raise AgentConsoleError(
                f"forwarding to {status.destination} failed: {reason}; {status.pending} entries wait in the "
                "audit log and go out once the collector is reachable"
            )
        return status

    def recent_alerts(self, limit: int = 20) -> list[AuditEntry]:
        """The latest ``alert.*`` entries (supervisor or auditor)."""
        from agentconsole.compliance.audit import AuditLog

        return AuditLog(self.require("audit")).entries(action="alert", limit=limit)

    # --- notice and record of processing --------------------------------------------------------

    def privacy_notice(self, fmt: str = "md") -> str:
        """The privacy notice with the live config's values (no vault needed: it is public text)."""
        from agentconsole.compliance.notice import render_notice

        if fmt not in ("md", "txt"):
            raise AgentConsoleError(f"unknown notice format '{fmt}' (use md or txt)", exit_code=2)
        return render_notice(self.settings, fmt)

    def compliance_report(self, fmt: str = "md", since: str | None = None) -> str:
        """The record of processing (supervisor or auditor); audited."""
        from agentconsole.compliance import processing_record
        from agentconsole.compliance.audit import AuditLog, normalize_since, utc_timestamp

        if fmt not in ("md", "json"):
            raise AgentConsoleError(f"unknown report format '{fmt}' (use md or json)", exit_code=2)
        vault = self.require("audit")
        period = normalize_since(since) if since else utc_timestamp(datetime.now(UTC) - timedelta(days=30))
        audit = AuditLog(vault)
        verification = audit.verify()
        activity: Counter[str] = Counter()
        for entry in audit.entries(since=period):
            if entry.action in ("erase", "export", "training.export", "alert.off_hours") or entry.action.startswith(
                "alert."
            ):
                activity[entry.action] += 1
        users = Counter(role for _, role in vault.list_users())
        forwarding = self._forwarder.status().describe() if self._forwarder is not None else "off"
        facts = processing_record.VaultFacts(
            users_per_role={role: users.get(role, 0) for role in ("agent", "supervisor", "auditor")},
            consents={p: {"given": g, "withdrawn": w} for p, (g, w) in self._consent_counts().items()},
            activity={
                "erasures": activity["erase"],
                "exports (right of access)": activity["export"],
                "training exports": activity["training.export"],
                "alerts": sum(n for a, n in activity.items() if a.startswith("alert.")),
            },
            audit_chain={
                "ok": verification.ok,
                "entries": verification.entries,
                "reason": verification.reason if verification.ok else verification.describe(),
                "head_seq": verification.head_seq,
            },
            forwarding=forwarding,
        )
        record = processing_record.build_record(
            self.settings,
            facts,
            generated_at=utc_timestamp()[:19],
            period_since=period[:19],
            model_name=self._model_label(),
        )
        self._audit("compliance.report", "vault", format=fmt)
        return processing_record.render(record, fmt)

    def _consent_counts(self) -> dict[str, tuple[int, int]]:
        store = self._transparency_store()
        return store.consent_counts() if store is not None else {}

    def _model_label(self) -> str:
        from pathlib import Path

        configured = self.settings.model.path
        return Path(configured).name if configured else "the default model"

    # --- consent per purpose ---------------------------------------------------------------------

    def record_purpose_consent(self, customer_ref: str, purpose: str, given: bool) -> None:
        """Consent (or its withdrawal) for a purpose other than AI processing; audited."""
        from agentconsole.compliance.audit import utc_timestamp

        if purpose not in CONSENT_PURPOSES[1:]:
            raise AgentConsoleError(f"unknown consent purpose '{purpose}' (use {', '.join(CONSENT_PURPOSES)})")
        self.require("consent")
        vault = self._require_transparency_store("consent per purpose")
        ref = CasesSection._known_customer(vault, customer_ref)
        customer = vault.get_customer(ref)
        assert customer is not None
        with vault.transaction():
            vault.add_purpose_consent(customer.id, purpose, given, utc_timestamp(), self.user)
            self._audit("consent.give" if given else "consent.withdraw", f"customer:{ref}", purpose=purpose)

    def purpose_consent_history(self, customer_ref: str, purpose: str) -> list[PurposeConsentRow]:
        """Every change of a known customer's consent to ``purpose``, oldest first."""
        self.require("consent")
        vault = self._require_transparency_store("consent per purpose")
        ref = CasesSection._known_customer(vault, customer_ref)
        customer = vault.get_customer(ref)
        assert customer is not None
        return list(vault.purpose_consents_of(customer.id, purpose))

    # --- training-data export --------------------------------------------------------------------

    def export_training(
        self, *, since: str | None = None, min_csat: int | None = None
    ) -> tuple[str, TrainingExportReport]:
        """Masked, re-scanned conversations of customers consenting to model improvement (JSON lines).

        Supervisor; audited with counts. ``min_csat`` applies when the vault holds CSAT
        survey results (issue 16); without them it is reported as not applied.
        """
        from agentconsole.compliance import training_export
        from agentconsole.compliance.audit import normalize_since

        self.require("export")
        vault = self._require_transparency_store("the training-data export")
        scan = self._strict_scanner()
        csat_of = self._csat_of(vault) if min_csat is not None else None
        conversations, report = training_export.export_training(
            vault,
            scan,
            since=normalize_since(since) if since else None,
            csat_of=csat_of,
            min_csat=min_csat,
        )
        self._audit("training.export", "vault", **report.as_details(), csat_applied=report.csat_applied)
        return training_export.to_jsonl(conversations), report

    @staticmethod
    def _csat_of(vault: Vault) -> Callable[[int], int | None] | None:
        """The latest survey score of a case (issue 16's surveys), or None without any survey answer."""
        surveys = getattr(vault, "surveys", None)  # a backend without survey tables has no CSAT
        if surveys is None:
            return None
        latest: dict[int, int] = {}
        for answer in surveys():
            latest[int(answer.case_id)] = int(answer.score)
        return latest.get if latest else None

    def _strict_scanner(self) -> Scanner:
        import dataclasses

        from agentconsole.privacy import PrivacyEngine

        policy = self.settings.privacy
        strict = dataclasses.replace(
            policy,
            score_threshold=min(policy.score_threshold, TRAINING_SCAN_THRESHOLD),
            thresholds={k: min(v, TRAINING_SCAN_THRESHOLD) for k, v in policy.thresholds.items()},
        )
        engine = PrivacyEngine.from_settings(strict)

        def scan(line: str) -> list[tuple[str, int, int]]:
            return [(d.entity_type, d.start, d.end) for d in engine.analyze(line)]

        return scan

    # --- AI disclosure -------------------------------------------------------------------------

    def _draft_used(self, vault: Vault, case_id: int) -> int | None:
        """The id of the model's reply draft written since the agent's last reply, if any."""
        draft: int | None = None
        for message in vault.list_messages(case_id):
            if message.role == "agent":
                draft = None
            elif message.role == "assistant" and (message.kind or "reply") == "reply":
                draft = message.id
        return draft

    def _reply_disclosure(self, case_id: int, used_draft: bool | None) -> tuple[str, int | None]:
        """The disclosure line when the reply used a draft (and disclosure is on), and that draft's id."""
        from agentconsole.compliance.notice import disclosure_line

        line, _ = super()._reply_disclosure(case_id, used_draft)
        draft_id = self._draft_used(self._require_vault(), case_id)
        used = draft_id is not None if used_draft is None else used_draft
        disclosure = disclosure_line(self.settings)
        if not used or not disclosure:
            return line, None
        return disclosure, draft_id if draft_id is not None else 0

    def _reply_stored(self, message_id: int, draft_id: int | None) -> None:
        from agentconsole.compliance.audit import utc_timestamp

        super()._reply_stored(message_id, draft_id)
        store = self._transparency_store()
        if draft_id is None or store is None:
            return
        store.record_disclosure(message_id, draft_id or None, utc_timestamp())

    def message_disclosure(self, message_id: int) -> DisclosureRow | None:
        """Whether a sent message carried the AI disclosure (and which draft it used)."""
        self.require("work_cases")
        store = self._transparency_store()
        return store.disclosure_of(message_id) if store is not None else None
