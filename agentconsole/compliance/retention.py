"""Retention: PII values expire first, whole transcripts later.

* PII values older than ``retention.pii_values_days`` are *expired*: the value
  is overwritten with its own placeholder (a tombstone). The masked transcript
  stays useful for quality review; restoring shows ``<PERSON_1>``; and because
  the row (and so its number) survives, a new value in the same case never
  reuses ``<PERSON_1>`` and old turns never point at a new person. Raw texts
  kept under ``compliance.keep_raw_text`` expire on the same clock (set NULL).
* Cases whose last activity (``cases.updated_at``) is older than
  ``retention.transcripts_days`` are deleted with their messages, values and
  full-text entries (``vault.delete_case``).

The vault runs every statement (:mod:`.storage`). SQLCipher's ``secure_delete``
zeroes the freed space; a WAL checkpoint after a run moves the zeroed pages into the main file (see :mod:`.erasure`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from agentconsole.compliance.storage import RetentionStore


@dataclass(frozen=True)
class RetentionReport:
    """What a run removed (or, with ``dry_run``, would remove): counts and case ids only."""

    dry_run: bool
    pii_cutoff: str
    transcripts_cutoff: str
    pii_values_expired: int = 0
    raw_texts_expired: int = 0
    cases_deleted: int = 0
    messages_deleted: int = 0
    case_ids: tuple[int, ...] = field(default_factory=tuple)
    checkpointed: bool = True

    @property
    def changed(self) -> bool:
        return bool(self.pii_values_expired or self.raw_texts_expired or self.cases_deleted)

    def as_details(self) -> dict[str, Any]:
        """For the audit entry: counts and cutoffs (case ids are ids, but keep the entry small)."""
        data = asdict(self)
        data["case_ids"] = list(self.case_ids)[:100]
        data.pop("checkpointed")  # known only after the commit the audit entry is part of
        return data

    def describe(self) -> str:
        verb = "would" if self.dry_run else "did"
        return (
            f"retention ({'dry run' if self.dry_run else 'applied'}): {verb} expire {self.pii_values_expired} PII values "
            f"(created before {self.pii_cutoff[:10]}) and {self.raw_texts_expired} raw texts; {verb} delete "
            f"{self.cases_deleted} cases with {self.messages_deleted} messages (no activity since "
            f"{self.transcripts_cutoff[:10]})"
        )


def cutoffs(settings: Any, now: datetime | None = None) -> tuple[str, str]:
    """(PII values cutoff, transcripts cutoff) as UTC ISO strings."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    retention = settings.retention
    pii = moment - timedelta(days=int(retention.pii_values_days))
    transcripts = moment - timedelta(days=int(retention.transcripts_days))
    return pii.isoformat(timespec="microseconds"), transcripts.isoformat(timespec="microseconds")


def run(
    vault: RetentionStore,
    settings: Any,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    record: Callable[[RetentionReport], None] | None = None,
) -> RetentionReport:
    """Apply the retention policy to an unlocked vault in one transaction.

    ``record(report)`` runs inside that transaction (the service audits there),
    so the deletions and their audit entry commit together. How times compare
    (PII values by their UTC stamps, messages and cases with ``julianday``) is
    the vault's ``retention_candidates``.
    """
    pii_cutoff, transcripts_cutoff = cutoffs(settings, now)
    with vault.transaction():
        found = vault.retention_candidates(pii_cutoff, transcripts_cutoff)
        if not dry_run:
            # Values first: the policy's order, and a crash between the steps leaves the safer state.
            vault.expire_pii_values(pii_cutoff)
            vault.expire_raw_texts(pii_cutoff)
            for case_id in found.case_ids:
                vault.delete_case(case_id)
        report = RetentionReport(
            dry_run=dry_run,
            pii_cutoff=pii_cutoff,
            transcripts_cutoff=transcripts_cutoff,
            pii_values_expired=found.pii_values,
            raw_texts_expired=found.raw_texts,
            cases_deleted=len(found.case_ids),
            messages_deleted=found.messages,
            case_ids=found.case_ids,
        )
        if record is not None:
            record(report)
    if not dry_run and report.changed:
        from agentconsole.compliance.erasure import checkpoint

        report = dataclasses.replace(report, checkpointed=checkpoint(vault))
    return report
