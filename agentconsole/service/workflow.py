"""The console's workflow use cases: status, owner, priority, tags, draft feedback, surveys, report.

A section of :class:`~agentconsole.service.ConsoleService`: it builds on the
case section's ``send``, ``copy_out`` and masking, and reads and writes through
the vault's workflow repository. Every change is audited (case and message
ids, fixed words; never customer text). See ``docs/workflow.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from agentconsole.errors import AgentConsoleError
from agentconsole.service.cases import AddedMessage, CasesSection, Progress
from agentconsole.service.errors import PermissionDenied
from agentconsole.workflow import rules
from agentconsole.workflow.rules import WorkflowError

if TYPE_CHECKING:
    from agentconsole.vault import Message, Vault
    from agentconsole.vault.repositories.workflow import DraftRow, SurveyRow, TrackedCase

#: Roles that may assign a case to someone else and read the report and dashboard.
SUPERVISING_ROLES = frozenset({"supervisor"})
#: Roles a case can be assigned to.
ASSIGNABLE_ROLES = frozenset({"agent", "supervisor"})


class WorkflowSection(CasesSection):
    """Case workflow, draft feedback, CSAT surveys and the supervisor's report."""

    def _require_supervisor(self, what: str) -> Vault:
        vault = self.require("work_cases")
        if self.role not in SUPERVISING_ROLES:
            raise PermissionDenied(f"only a supervisor can {what} (you are signed in as {self.role})")
        return vault

    # --- cases ---------------------------------------------------------------------------

    def tracked_cases(
        self,
        *,
        statuses: Sequence[str] = (),
        owner: str | None = None,
        unassigned: bool = False,
        priorities: Sequence[str] = (),
        tag: str | None = None,
        order: str = "activity",
    ) -> list[TrackedCase]:
        """Cases with owner, priority and tags; every filter given must hold; sorted by ``order``."""
        for status in statuses:
            if status not in rules.STATUSES:
                raise WorkflowError(f"unknown case status '{status}' (use {', '.join(rules.STATUSES)})")
        checked = [rules.check_priority(p) for p in priorities]
        from agentconsole.vault.repositories.workflow import CASE_ORDERS

        if order not in CASE_ORDERS:
            raise WorkflowError(f"unknown order '{order}' (use {', '.join(CASE_ORDERS)})")
        return self.require("work_cases").tracked_cases(
            statuses=tuple(statuses),
            owner=owner,
            unassigned=unassigned,
            priorities=checked,
            tag=rules.normalize_tags([tag])[0] if tag else None,
            order=order,
        )

    def tracked_case(self, case_id: int) -> TrackedCase:
        return self.require("work_cases").tracked_case(case_id)

    def change_status(self, case_id: int, status: str) -> TrackedCase:
        """Move a case along open -> pending -> resolved -> closed (or reopen it). Audited.

        Resolving or closing counts the case's unused reply drafts as discarded.
        """
        vault = self.require("work_cases")
        case = vault.tracked_case(case_id)
        rules.check_transition(case.status, status)
        with vault.transaction():
            vault.set_workflow_status(case_id, status)
            self._audit("case.status", f"case:{case_id}", **{"from": case.status, "to": status})
            if status in ("resolved", "closed"):
                self._discard_unused(vault, case_id, keep=None)
        return vault.tracked_case(case_id)

    def assign(self, case_id: int, user: str | None) -> TrackedCase:
        """Give a case an owner (``None``: nobody). Agents take cases for themselves; supervisors assign anyone."""
        vault = self.require("work_cases")
        case = vault.tracked_case(case_id)
        target = user.strip() if user else None
        supervising = self.role in SUPERVISING_ROLES
        if target is not None and target != self.user and not supervising:
            raise PermissionDenied("only a supervisor can assign a case to someone else")
        if case.owner not in (None, self.user, target) and not supervising:
            raise PermissionDenied(f"case {case_id} belongs to {case.owner}: ask a supervisor to reassign it")
        if target is not None:
            roles = dict(vault.list_users())
            if target not in roles:
                raise WorkflowError(f"no user '{target}' in this vault")
            if roles[target] not in ASSIGNABLE_ROLES:
                raise WorkflowError(f"{target} is an {roles[target]} and cannot own cases")
        if case.owner == target:
            return case
        with vault.transaction():
            vault.set_case_owner(case_id, target)
            self._audit("case.assign", f"case:{case_id}", **{"from": case.owner, "to": target})
        return vault.tracked_case(case_id)

    def set_priority(self, case_id: int, priority: str) -> TrackedCase:
        vault = self.require("work_cases")
        case = vault.tracked_case(case_id)
        value = rules.check_priority(priority)
        if value != case.priority:
            with vault.transaction():
                vault.set_case_priority(case_id, value)
                self._audit("case.priority", f"case:{case_id}", **{"from": case.priority, "to": value})
        return vault.tracked_case(case_id)

    def tag_case(self, case_id: int, tags: Sequence[str], *, remove: bool = False) -> TrackedCase:
        """Add (or with ``remove``, take away) tags; tags are short labels (see ``rules.normalize_tags``)."""
        vault = self.require("work_cases")
        case = vault.tracked_case(case_id)
        wanted = rules.normalize_tags(tags)
        changed = [t for t in wanted if (t in case.tags) == remove]
        if changed:
            with vault.transaction():
                if remove:
                    vault.remove_case_tags(case_id, changed)
                else:
                    vault.add_case_tags(case_id, changed)
                self._audit("case.untag" if remove else "case.tag", f"case:{case_id}", tags=changed)
        return vault.tracked_case(case_id)

    # --- draft feedback ------------------------------------------------------------------

    def _draft(self, vault: Vault, message_id: int, case_id: int | None = None) -> tuple[DraftRow, Message]:
        row = vault.draft_row(message_id)
        if case_id is not None and row.case_id != case_id:
            raise WorkflowError(f"draft {message_id} belongs to case {row.case_id}, not case {case_id}")
        message = next(m for m in vault.list_messages(row.case_id) if m.id == message_id)
        return row, message

    def _set_outcome(self, vault: Vault, row: DraftRow, outcome: str, ratio: float | None) -> None:
        vault.set_draft_outcome(row.message_id, row.case_id, outcome, ratio)
        details: dict[str, object] = {"outcome": outcome, "kind": row.kind}
        if ratio is not None:
            details["edit_ratio"] = ratio
        self._audit("draft.outcome", f"case:{row.case_id} message:{row.message_id}", **details)

    def _discard_unused(self, vault: Vault, case_id: int, keep: int | None) -> list[int]:
        """Count the case's reply drafts that were never used (nor discarded yet) as discarded."""
        unused = [
            d
            for d in vault.draft_rows(case_id)
            if d.outcome is None and d.kind in rules.REPLY_KINDS and d.message_id != keep
        ]
        for row in unused:
            self._set_outcome(vault, row, "discarded", None)
        return [d.message_id for d in unused]

    def send_reply(
        self,
        case_id: int,
        text: str,
        draft_id: int | None = None,
        *,
        progress: Progress | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> tuple[AddedMessage, str]:
        """Send the agent's reply (see ``send``) and record what became of the drafts.

        With ``draft_id`` (the draft the reply started from) the draft is recorded
        as sent as-is or edited, with its edit ratio over the masked texts; the
        case's other unused reply drafts count as discarded either way.
        """
        vault = self.require("send")
        used = self._draft(vault, draft_id, case_id) if draft_id is not None else None
        added, outgoing = self.send(
            case_id, text, progress=progress, should_cancel=should_cancel, used_draft=True if used else None
        )
        with vault.transaction():
            if used is not None:
                outcome, ratio = rules.classify_sent_draft(used[1].text, added.masked_text)
                self._set_outcome(vault, used[0], outcome, ratio)
            self._discard_unused(vault, case_id, keep=draft_id)
        return added, outgoing

    def copy_draft(self, case_id: int, message_id: int) -> str:
        """Copy a draft with real values (see ``copy_out``); an unused draft counts as used as-is."""
        vault = self.require("send")
        row, message = self._draft(vault, message_id, case_id)
        outgoing = self.copy_out(case_id, message.text)
        if row.outcome in (None, "discarded"):
            self._set_outcome(vault, row, "sent_as_is", 0.0)
        return outgoing

    def discard_draft(self, message_id: int) -> DraftRow:
        """Record that a draft was thrown away (refused once it was sent)."""
        vault = self.require("work_cases")
        row, _ = self._draft(vault, message_id)
        if row.outcome in ("sent_as_is", "edited"):
            raise WorkflowError(f"draft {message_id} was already sent ({row.outcome.replace('_', ' ')})")
        if row.outcome is None:
            self._set_outcome(vault, row, "discarded", None)
        return vault.draft_row(message_id)

    def rate_draft(self, message_id: int, rating: str, reason: str | None = None) -> DraftRow:
        """Rate a draft good or bad; a bad one needs a reason from ``rules.RATING_REASONS``. Audited."""
        vault = self.require("work_cases")
        rating, reason = rules.check_rating(rating, reason)
        row, _ = self._draft(vault, message_id)
        with vault.transaction():
            vault.set_draft_rating(message_id, row.case_id, rating, reason)
            self._audit(
                "draft.rating", f"case:{row.case_id} message:{message_id}", rating=rating, reason=reason, kind=row.kind
            )
        return vault.draft_row(message_id)

    def draft_feedback(self, case_id: int) -> list[DraftRow]:
        """The case's model messages with what became of them and their ratings."""
        return self.require("work_cases").draft_rows(case_id)

    # --- surveys -------------------------------------------------------------------------

    def survey_message(self, case_id: int) -> str:
        """The satisfaction survey for a case, from the configured template (``[survey]``)."""
        from agentconsole.workflow.survey import SurveyTemplate, survey_message

        self.require("work_cases").get_case(case_id)
        survey = self.settings.survey
        return survey_message(SurveyTemplate(survey.scale, survey.template, survey.usage), case_id)

    def offer_survey(self, case_id: int) -> tuple[AddedMessage, str]:
        """Send the survey message as the agent's reply (stored, outgoing text returned). Audited."""
        added, outgoing = self.send(case_id, self.survey_message(case_id))
        self._audit("survey.offer", f"case:{case_id}", message=added.message_id)
        return added, outgoing

    def record_survey(self, case_id: int, score: int | str, comment: str | None = None) -> SurveyRow:
        """Store a customer's answer: the score 1-5 (or its emoji) and the comment, masked. Audited.

        Nothing else is kept: no name, address or agent; the case and the time.
        """
        from agentconsole.workflow.survey import check_comment, parse_score

        vault = self.require("work_cases")
        case = vault.get_case(case_id)
        if case.status not in ("resolved", "closed"):
            raise WorkflowError(f"case {case_id} is {case.status}: resolve it before recording its survey answer")
        value = parse_score(str(score))
        text = check_comment(comment)
        if text is not None:
            self._check_size(text, "the survey comment")
        with vault.transaction():
            masked = self._mask_into_case(vault, case_id, text).masked if text is not None else None
            survey_id = vault.add_survey(case_id, value, masked)
            self._audit("survey.record", f"case:{case_id}", survey=survey_id)
        return next(s for s in vault.surveys(case_id) if s.id == survey_id)

    def case_surveys(self, case_id: int) -> list[SurveyRow]:
        vault = self.require("work_cases")
        vault.get_case(case_id)
        return vault.surveys(case_id)

    # --- report --------------------------------------------------------------------------

    def workflow_report(
        self, since: datetime | None = None, until: datetime | None = None, now: datetime | None = None
    ) -> dict[str, object]:
        """Every figure of the report and dashboard for ``[since, until)`` (supervisors)."""
        from agentconsole.workflow.metrics import Disclosure, build_report

        vault = self._require_supervisor("read the workflow report")
        now = now or datetime.now(UTC)
        if since is not None and since >= (until or now):
            raise AgentConsoleError("the report's start is not before its end", exit_code=2)
        disclosures = [
            Disclosure(row.actor, row.action, row.time)
            for action in ("reveal", "copy")
            for row in vault.audit_rows(action=action)
            if row.action == action
        ]
        return build_report(
            cases=vault.case_times(),
            drafts=vault.draft_rows(),
            surveys=vault.surveys(),
            disclosures=disclosures,
            since=since,
            until=until,
            now=now,
        )
