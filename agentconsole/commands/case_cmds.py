"""``case``, ``feedback`` and ``survey``: the case workflow, draft feedback and CSAT surveys, headless.

Every handler goes through the service (roles checked, changes audited), as
the console does. Output is masked text (placeholders) except what ``case
reply`` and ``survey send`` hand back for sending, the disclosure the console
puts on the clipboard (audited as ``send``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agentconsole.domain import CASE_LIST_ORDERS as ORDERS
from agentconsole.domain import CASE_PRIORITIES as PRIORITIES
from agentconsole.domain import CASE_STATUSES as STATUSES
from agentconsole.domain import DRAFT_RATING_REASONS, DRAFT_RATINGS
from agentconsole.terminal_text import echo, inert, json_text

REASONS = tuple(DRAFT_RATING_REASONS)


def _with_session(parser: argparse.ArgumentParser, handler: Any) -> None:
    from agentconsole.commands.session import add_session_options

    add_session_options(parser)
    parser.set_defaults(handler=handler)


def register(subparsers: Any) -> None:
    case = subparsers.add_parser("case", help="list cases and move them through their workflow")
    sub = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="cases with status, owner, priority and tags; filter and sort")
    listing.add_argument("--status", action="append", choices=STATUSES, help="only this status (repeatable)")
    who = listing.add_mutually_exclusive_group()
    who.add_argument("--owner", metavar="USER", help="only cases owned by USER")
    who.add_argument("--mine", action="store_true", help="only cases you own")
    who.add_argument("--unassigned", action="store_true", help="only cases nobody owns")
    listing.add_argument("--priority", action="append", choices=PRIORITIES, help="only this priority (repeatable)")
    listing.add_argument("--tag", metavar="TAG", help="only cases with this tag")
    listing.add_argument("--sort", choices=ORDERS, default="activity", help="order (default: latest activity first)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    _with_session(listing, case_list)
    show = sub.add_parser("show", help="a case's workflow fields, messages (masked), draft feedback and surveys")
    show.add_argument("case", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="one JSON object")
    _with_session(show, case_show)
    status = sub.add_parser("status", help="set a case's status: open, pending, resolved, closed (open again reopens)")
    status.add_argument("case", type=int, metavar="ID")
    status.add_argument("status", choices=STATUSES)
    _with_session(status, case_status)
    assign = sub.add_parser("assign", help="give a case an owner (yourself; supervisors: anyone)")
    assign.add_argument("case", type=int, metavar="ID")
    target = assign.add_mutually_exclusive_group(required=True)
    target.add_argument("owner", nargs="?", metavar="USER", help="the vault user who owns the case")
    target.add_argument("--me", action="store_true", help="yourself")
    target.add_argument("--none", action="store_true", help="nobody (unassign)")
    _with_session(assign, case_assign)
    priority = sub.add_parser("priority", help="set a case's priority")
    priority.add_argument("case", type=int, metavar="ID")
    priority.add_argument("priority", choices=PRIORITIES)
    _with_session(priority, case_priority)
    tag = sub.add_parser("tag", help="tag a case (labels: a-z, 0-9, '_.:-'); --remove takes tags away")
    tag.add_argument("case", type=int, metavar="ID")
    tag.add_argument("tags", nargs="+", metavar="TAG")
    tag.add_argument("--remove", action="store_true", help="remove these tags instead")
    _with_session(tag, case_tag)
    reply = sub.add_parser(
        "reply",
        help="send the agent's reply (stored masked; printed with real values, audited)",
        description=(
            "Store the agent's reply in the case and print it with the case's real values, ready to send. "
            "With --draft, the reply started from that draft: it is recorded as sent as-is or edited "
            "(with the edit ratio). Other unused reply drafts of the case count as discarded."
        ),
    )
    reply.add_argument("case", type=int, metavar="ID")
    reply.add_argument("text", nargs="+", metavar="TEXT", help="the reply ('-' reads stdin)")
    reply.add_argument("--draft", type=int, metavar="MESSAGE", help="the draft (message id) the reply started from")
    _with_session(reply, case_reply)
    _register_feedback(subparsers)
    _register_survey(subparsers)


def _register_feedback(subparsers: Any) -> None:
    feedback = subparsers.add_parser("feedback", help="rate AI drafts or record that one was discarded")
    sub = feedback.add_subparsers(dest="feedback_command", metavar="ACTION", required=True)
    rate = sub.add_parser("rate", help="rate a draft good or bad (bad needs a --reason)")
    rate.add_argument("message", type=int, metavar="MESSAGE", help="the draft's message id")
    rate.add_argument("--rating", required=True, choices=DRAFT_RATINGS)
    rate.add_argument("--reason", choices=REASONS, help="why (required for bad)")
    _with_session(rate, feedback_rate)
    discard = sub.add_parser("discard", help="record that a draft was thrown away")
    discard.add_argument("message", type=int, metavar="MESSAGE", help="the draft's message id")
    _with_session(discard, feedback_discard)
    listing = sub.add_parser("list", help="a case's drafts with outcome, edit ratio and rating")
    listing.add_argument("--case", type=int, required=True, metavar="ID")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    _with_session(listing, feedback_list)


def _register_survey(subparsers: Any) -> None:
    survey = subparsers.add_parser("survey", help="customer satisfaction surveys of resolved cases")
    sub = survey.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="print the survey message for a case (from the [survey] template)")
    show.add_argument("--case", type=int, required=True, metavar="ID")
    _with_session(show, survey_show)
    send = sub.add_parser("send", help="send the survey message as the agent's reply (stored, printed)")
    send.add_argument("--case", type=int, required=True, metavar="ID")
    _with_session(send, survey_send)
    record = sub.add_parser(
        "record",
        help="record the customer's answer: a score and an optional comment (masked)",
        description="Stores the score, the comment (masked like customer text), the case and the time; nothing else.",
    )
    record.add_argument("--case", type=int, required=True, metavar="ID")
    record.add_argument("--score", required=True, metavar="N", help="1 (very dissatisfied) to 5, or the scale's emoji")
    record.add_argument("--comment", metavar="TEXT", help="the customer's comment ('-' reads stdin)")
    _with_session(record, survey_record)
    listing = sub.add_parser("list", help="a case's survey answers (comments masked)")
    listing.add_argument("--case", type=int, required=True, metavar="ID")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    _with_session(listing, survey_list)


# --- case --------------------------------------------------------------------------------


def _case_json(case: Any) -> dict[str, Any]:
    return {
        "id": case.id,
        "customer": case.customer_ref,
        "title": case.title,
        "status": case.status,
        "owner": case.owner,
        "priority": case.priority,
        "tags": list(case.tags),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "messages": case.message_count,
    }


def _case_line(case: Any) -> str:
    tags = " ".join(f"#{t}" for t in case.tags)
    return inert(
        f"{case.id:>5}  {case.status:<8}  {case.priority:<7}  {case.owner or '-':<12}  "
        f"{case.customer_ref:<12}  {case.title}  {tags}".rstrip()
    )


def case_list(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        cases = service.tracked_cases(
            statuses=tuple(args.status or ()),
            owner=service.user if args.mine else args.owner,
            unassigned=args.unassigned,
            priorities=tuple(args.priority or ()),
            tag=args.tag,
            order=args.sort,
        )
    for case in cases:
        echo(json_text(_case_json(case)) if args.json else _case_line(case))
    return 0


def _draft_json(row: Any) -> dict[str, Any]:
    return {
        "message": row.message_id,
        "case": row.case_id,
        "kind": row.kind,
        "model": row.model,
        "created_at": row.created_at,
        "outcome": row.outcome,
        "edit_ratio": row.edit_ratio,
        "rating": row.rating,
        "reason": row.reason,
    }


def _survey_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "case": row.case_id, "score": row.score, "comment": row.comment, "at": row.created_at}


def case_show(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        case = service.tracked_case(args.case)
        messages = service.messages(args.case)
        drafts = service.draft_feedback(args.case)
        surveys = service.case_surveys(args.case)
    if args.json:
        payload = _case_json(case)
        payload["messages"] = [
            {"id": m.id, "role": m.role, "kind": m.kind, "at": m.created_at, "text": m.text} for m in messages
        ]
        payload["drafts"] = [_draft_json(d) for d in drafts]
        payload["surveys"] = [_survey_json(s) for s in surveys]
        echo(json_text(payload))
        return 0
    echo(_case_line(case))
    echo(f"created {case.created_at}  updated {case.updated_at}")
    by_id = {d.message_id: d for d in drafts}
    for message in messages:
        label = message.role + (f"/{message.kind}" if message.kind else "")
        draft = by_id.get(message.id)
        note = ""
        if draft is not None:
            note = f"  [{draft.outcome or 'undecided'}" + (f", rated {draft.rating}" if draft.rating else "") + "]"
        echo(inert(f"  #{message.id} {label}{note}: {' '.join(message.text.split())[:100]}"))
    for survey in surveys:
        echo(inert(f"  survey {survey.created_at}: {survey.score}/5 {survey.comment or ''}".rstrip()))
    return 0


def case_status(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        before = service.tracked_case(args.case).status
        case = service.change_status(args.case, args.status)
        survey = service.survey_message(args.case) if args.status == "resolved" else None
    echo(f"case {case.id}: {before} -> {case.status}")
    if survey is not None:
        echo(f"offer the customer a survey ('agentconsole survey send --case {case.id}' sends this):", file=sys.stderr)
        echo(inert(survey), file=sys.stderr)
    return 0


def case_assign(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        owner = service.user if args.me else None if args.none else args.owner
        case = service.assign(args.case, owner)
    echo(inert(f"case {case.id}: owner {case.owner or 'nobody'}"))
    return 0


def case_priority(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        case = service.set_priority(args.case, args.priority)
    echo(f"case {case.id}: priority {case.priority}")
    return 0


def case_tag(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        case = service.tag_case(args.case, args.tags, remove=args.remove)
    echo(inert(f"case {case.id}: tags {' '.join(case.tags) or 'none'}"))
    return 0


def case_reply(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service
    from agentconsole.commands.textinput import read_text_arg
    from agentconsole.errors import AgentConsoleError

    text = read_text_arg(args.text, ctx.settings.limits.max_message_bytes, "the reply")
    if not text.strip():
        raise AgentConsoleError("the reply is empty", exit_code=2)
    with open_service(args, ctx, load_privacy=True) as service:
        added, outgoing = service.send_reply(args.case, text, draft_id=args.draft)
        outcome = None
        if args.draft is not None:
            outcome = next((d for d in service.draft_feedback(args.case) if d.message_id == args.draft), None)
    echo(inert(outgoing))
    detail = f"stored as message {added.message_id}"
    if outcome is not None:
        ratio = f", edit ratio {outcome.edit_ratio:.3f}" if outcome.outcome == "edited" else ""
        detail += f"; draft {args.draft} {outcome.outcome.replace('_', ' ')}{ratio}"
    echo(detail, file=sys.stderr)
    return 0


# --- feedback ----------------------------------------------------------------------------


def feedback_rate(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        row = service.rate_draft(args.message, args.rating, args.reason)
    echo(f"draft {row.message_id}: rated {row.rating}" + (f" ({row.reason})" if row.reason else ""))
    return 0


def feedback_discard(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        row = service.discard_draft(args.message)
    echo(f"draft {row.message_id}: {row.outcome}")
    return 0


def feedback_list(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        rows = service.draft_feedback(args.case)
    for row in rows:
        if args.json:
            echo(json_text(_draft_json(row)))
        else:
            ratio = f"{row.edit_ratio:.3f}" if row.edit_ratio is not None else "-"
            rating = f"{row.rating or '-'}" + (f" ({row.reason})" if row.reason else "")
            echo(inert(f"{row.message_id:>6}  {row.kind:<8}  {row.outcome or 'undecided':<11}  {ratio:>6}  {rating}"))
    return 0


# --- survey ------------------------------------------------------------------------------


def survey_show(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        echo(inert(service.survey_message(args.case)))
    return 0


def survey_send(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx, load_privacy=True) as service:
        added, outgoing = service.offer_survey(args.case)
    echo(inert(outgoing))
    echo(f"stored as message {added.message_id}", file=sys.stderr)
    return 0


def survey_record(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service
    from agentconsole.commands.textinput import read_text_arg

    comment = None
    if args.comment is not None:
        comment = read_text_arg([args.comment], ctx.settings.limits.max_message_bytes, "the comment")
    with open_service(args, ctx, load_privacy=comment is not None) as service:
        row = service.record_survey(args.case, args.score, comment)
    echo(f"case {row.case_id}: survey answer {row.id} recorded, score {row.score}/5")
    return 0


def survey_list(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        rows = service.case_surveys(args.case)
    for row in rows:
        echo(
            json_text(_survey_json(row))
            if args.json
            else inert(f"{row.created_at}  {row.score}/5  {row.comment or ''}")
        )
    return 0
