"""Booking commands: ``booking resource|slots|propose|add|move|cancel|done|list|history|export``.

Each unlocks the vault as ``--user`` through :func:`commands.session.open_service`,
so roles are enforced (resources need a supervisor) and every change is
audited by the service. Nothing printed here carries personal data: bookings
are case ids, resources and times; notes are masked.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from agentconsole.errors import AgentConsoleError
from agentconsole.terminal_text import echo, inert, json_text


def register(subparsers: Any) -> None:
    from agentconsole.commands.session import add_session_options

    booking = subparsers.add_parser(
        "booking", help="appointments: resources, free slots, proposals from the conversation, calendar export"
    )
    sub = booking.add_subparsers(dest="booking_command", metavar="ACTION", required=True)

    resource = sub.add_parser("resource", help="bookable resources (adding, removing and closing: supervisor)")
    res_sub = resource.add_subparsers(dest="resource_command", metavar="ACTION", required=True)
    add = res_sub.add_parser("add", help="add a resource with its opening hours, slot length, capacity and zone")
    add.add_argument("name", metavar="NAME", help='e.g. "repairs desk"')
    add.add_argument(
        "--hours", required=True, help='opening hours, e.g. "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00"'
    )
    add.add_argument("--slot-minutes", type=int, required=True, metavar="N", help="length of one slot")
    add.add_argument("--capacity", type=int, default=1, metavar="N", help="bookings one slot takes (default 1)")
    add.add_argument("--tz", default="UTC", metavar="ZONE", help="IANA time zone, e.g. Europe/Berlin (default UTC)")
    add.set_defaults(handler=resource_add)
    lst = res_sub.add_parser("list", help="the resources with their hours and closures")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(handler=resource_list)
    rm = res_sub.add_parser("remove", help="remove a resource (refused while it has upcoming bookings)")
    rm.add_argument("name", metavar="NAME")
    rm.set_defaults(handler=resource_remove)
    close = res_sub.add_parser("close", help="close a resource on a day or days (holiday, works)")
    close.add_argument("name", metavar="NAME")
    close.add_argument("--from", dest="first", required=True, metavar="DATE", help="first closed day, YYYY-MM-DD")
    close.add_argument("--until", metavar="DATE", help="last closed day (default: the first)")
    close.add_argument("--label", default="", metavar="TEXT", help="why, e.g. 'public holiday'")
    close.set_defaults(handler=resource_close)
    reopen = res_sub.add_parser("reopen", help="delete a closure (its id from 'resource list')")
    reopen.add_argument("name", metavar="NAME")
    reopen.add_argument("closure", type=int, metavar="CLOSURE_ID")
    reopen.set_defaults(handler=resource_reopen)

    slots = sub.add_parser("slots", help="free slots of a resource")
    slots.add_argument("resource", metavar="RESOURCE")
    slots.add_argument("--from", dest="first", metavar="DATE", help="first day, YYYY-MM-DD (default: today)")
    slots.add_argument("--days", type=int, default=1, metavar="N", help="how many days (default 1)")
    slots.add_argument("--json", action="store_true", help="print JSON (ISO-8601 start and end)")
    slots.set_defaults(handler=slots_command)

    propose = sub.add_parser(
        "propose",
        help="three free slots for the times the customer asked for in the case (the slot is never chosen by the model)",
    )
    propose.add_argument("--case", type=int, required=True, metavar="ID")
    propose.add_argument("--resource", metavar="R", help="only this resource (default: all)")
    propose.add_argument("--json", action="store_true", help="print JSON (ISO-8601 start and end)")
    propose.set_defaults(handler=propose_command)

    book = sub.add_parser("add", help="book a slot for a case")
    book.add_argument("--case", type=int, required=True, metavar="ID")
    book.add_argument("--resource", required=True, metavar="R")
    book.add_argument(
        "--at", required=True, metavar="ISO", help="slot start, e.g. 2026-03-03T10:00 (resource's zone) or with offset"
    )
    book.add_argument("--note", metavar="TEXT", help="optional note (masked like any text)")
    book.set_defaults(handler=add_command)
    move = sub.add_parser("move", help="move a booking to another slot (history kept)")
    move.add_argument("booking", type=int, metavar="ID")
    move.add_argument("--at", required=True, metavar="ISO", help="new slot start")
    move.add_argument("--resource", metavar="R", help="another resource (default: the same)")
    move.set_defaults(handler=move_command)
    for action, text in (("cancel", "cancel a booking (history kept)"), ("done", "mark a booking done")):
        p = sub.add_parser(action, help=text)
        p.add_argument("booking", type=int, metavar="ID")
        p.set_defaults(handler=finish_command, booking_action=action)
    history = sub.add_parser("history", help="every change of a booking")
    history.add_argument("booking", type=int, metavar="ID")
    history.set_defaults(handler=history_command)

    listing = sub.add_parser("list", help="bookings (the agenda)")
    when = listing.add_mutually_exclusive_group()
    when.add_argument("--day", nargs="?", const="today", metavar="DATE", help="one day (default: today)")
    when.add_argument("--week", nargs="?", const="today", metavar="DATE", help="the week (Mon-Sun) of DATE")
    listing.add_argument("--case", type=int, metavar="ID", help="only this case")
    listing.add_argument("--resource", metavar="R", help="only this resource")
    listing.add_argument("--all", action="store_true", help="include cancelled and done bookings")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=list_command)

    export = sub.add_parser("export", help="bookings as an iCalendar file (one VEVENT each; summary: the case)")
    export.add_argument("--ics", required=True, type=Path, metavar="FILE", help="write to FILE (mode 0600)")
    export.add_argument("--resource", metavar="R", help="only this resource")
    export.add_argument("--from", dest="first", metavar="DATE", help="first day (default: all)")
    export.add_argument("--days", type=int, metavar="N", help="with --from: how many days")
    export.set_defaults(handler=export_command)

    for parser in (add, lst, rm, close, reopen, slots, propose, book, move, history, listing, export, *_finishers(sub)):
        add_session_options(parser)


def _finishers(sub: Any) -> list[argparse.ArgumentParser]:
    return [sub.choices["cancel"], sub.choices["done"]]


def _day(text: str | None, service: Any, resource: str | None = None) -> date:
    from agentconsole.booking.schedule import parse_day, zone

    tz = service.booking_resource(resource).zone if resource else zone("UTC")
    if text is None or text == "today":
        resources = [service.booking_resource(resource)] if resource else service.booking_resources()
        tz = resources[0].zone if resources else tz
    return parse_day(text or "today", tz, today=datetime.now(tz).date())


def _label(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M %Z")


def resource_add(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        found = service.add_booking_resource(args.name, args.hours, args.slot_minutes, args.capacity, args.tz)
    echo(
        inert(
            f"resource '{found.name}': {found.hours.describe()}, {found.slot_minutes} min slots, "
            f"capacity {found.capacity}, {found.tz}"
        )
    )
    return 0


def resource_list(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        resources = [(r, service.booking_closures(r.name)) for r in service.booking_resources()]
    if args.json:
        echo(
            json_text(
                [
                    {
                        "name": r.name,
                        "hours": r.hours.describe(),
                        "slot_minutes": r.slot_minutes,
                        "capacity": r.capacity,
                        "tz": r.tz,
                        "closures": [
                            {"id": cid, "from": c.first.isoformat(), "until": c.last.isoformat(), "label": c.label}
                            for cid, c in closures
                        ],
                    }
                    for r, closures in resources
                ],
                indent=2,
            )
        )
        return 0
    if not resources:
        echo("no resources yet: add one with 'agentconsole booking resource add'")
    for r, closures in resources:
        echo(inert(f"{r.name}: {r.hours.describe()}; {r.slot_minutes} min slots; capacity {r.capacity}; {r.tz}"))
        for cid, c in closures:
            span = c.first.isoformat() if c.first == c.last else f"{c.first.isoformat()}..{c.last.isoformat()}"
            echo(inert(f"  closed {span}" + (f" ({c.label})" if c.label else "") + f" [closure {cid}]"))
    return 0


def resource_remove(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        outcome = service.remove_booking_resource(args.name)
    echo(inert(f"resource '{args.name}' {outcome}" + (" (its past bookings keep it)" if outcome == "retired" else "")))
    return 0


def resource_close(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.booking.schedule import parse_day, zone
    from agentconsole.commands.session import open_service

    utc = zone("UTC")
    first = parse_day(args.first, utc)
    last = parse_day(args.until, utc) if args.until else first
    with open_service(args, ctx) as service:
        closure = service.add_booking_closure(args.name, first, last, args.label)
    echo(inert(f"'{args.name}' closed {first.isoformat()}..{last.isoformat()} [closure {closure}]"))
    return 0


def resource_reopen(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        service.remove_booking_closure(args.name, args.closure)
    echo(inert(f"closure {args.closure} of '{args.name}' removed"))
    return 0


def slots_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        first = _day(args.first, service, args.resource)
        found = service.free_booking_slots(args.resource, first, args.days)
    if args.json:
        echo(
            json_text(
                [
                    {
                        "resource": s.resource,
                        "start": s.start.isoformat(),
                        "end": s.end.isoformat(),
                        "free_places": free,
                    }
                    for s, free in found
                ],
                indent=2,
            )
        )
        return 0
    if not found:
        echo(inert(f"no free slot of '{args.resource}' from {first.isoformat()} for {args.days} day(s)"))
    for slot, free in found:
        echo(inert(f"{_label(slot.start)}-{slot.end.strftime('%H:%M')}  {free} free"))
    return 0


def propose_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        result = service.propose_bookings(args.case, args.resource)
    if args.json:
        echo(
            json_text(
                {
                    "case": args.case,
                    "message": result.message_id,
                    "requested": [r.phrase for r in result.requests],
                    "proposals": [p.as_json() for p in result.proposals],
                    "confirmation": result.confirmation(),
                },
                indent=2,
            )
        )
        return 0 if result.proposals else 1
    if result.requests:
        echo(inert("requested: " + "; ".join(r.phrase or "any time" for r in result.requests)))
    else:
        echo("no time requested in the customer's messages: earliest free slots")
    if result.proposals and not result.proposals[0].fits:
        echo("nothing free matches the request: nearest free slots instead")
    for p in result.proposals:
        echo(inert(f"{p.start.isoformat()}  {p.end.isoformat()}  {p.resource}  ({_label(p.start)})"))
    if not result.proposals:
        echo("no free slot in the next two weeks")
        return 1
    return 0


def _instant(service: Any, resource: str, text: str) -> datetime:
    from agentconsole.booking.schedule import parse_instant

    return parse_instant(text, service.booking_resource(resource).zone)


def _print_booking(b: Any, verb: str) -> None:
    echo(inert(f"booking {b.id} {verb}: case {b.case_id}, {b.resource}, {_label(b.start)}-{b.end.strftime('%H:%M')}"))


def add_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx, load_privacy=bool(args.note)) as service:
        booking = service.book(args.case, args.resource, _instant(service, args.resource, args.at), args.note)
    _print_booking(booking, "booked")
    return 0


def move_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        resource = args.resource or service.get_booking(args.booking).resource
        booking = service.move_booking(args.booking, _instant(service, resource, args.at), args.resource)
    _print_booking(booking, "moved")
    return 0


def finish_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        if args.booking_action == "cancel":
            booking = service.cancel_booking(args.booking)
        else:
            booking = service.complete_booking(args.booking)
    _print_booking(booking, booking.status)
    return 0


def history_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        events = service.booking_history(args.booking)
    for e in events:
        echo(inert(f"{e.at[:19]}Z  {e.actor}  {e.action}  {e.status}  {e.start_utc} .. {e.end_utc}"))
    return 0


def _selection(args: argparse.Namespace, service: Any) -> list[Any]:
    active_only = not getattr(args, "all", True)
    if getattr(args, "day", None) is not None:
        return list(
            service.agenda(_day(args.day, service, args.resource), 1, resource=args.resource, active_only=active_only)
        )
    if getattr(args, "week", None) is not None:
        day = _day(args.week, service, args.resource)
        monday = day - timedelta(days=day.weekday())
        return list(service.agenda(monday, 7, resource=args.resource, active_only=active_only))
    if getattr(args, "first", None):
        days = args.days or 1
        return list(service.agenda(_day(args.first, service, args.resource), days, resource=args.resource))
    return list(
        service.list_bookings(case_id=getattr(args, "case", None), resource=args.resource, active_only=active_only)
    )


def list_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        found = [b for b in _selection(args, service) if args.case is None or b.case_id == args.case]
    if args.format == "json":
        echo(json_text([b.as_json() for b in found], indent=2))
        return 0
    if not found:
        echo("no bookings")
    for b in found:
        note = f"  note: {b.note}" if b.note else ""
        echo(
            inert(
                f"{b.id:>5}  {_label(b.start)}-{b.end.strftime('%H:%M')}  {b.resource}  case {b.case_id}  "
                f"{b.status}  by {b.created_by}{note}"
            )
        )
    return 0


def export_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.atomicfile import write_atomic
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        found = _selection(args, service)
        data = service.export_bookings_ics(found)
    try:
        write_atomic(Path(args.ics), data)
    except OSError as exc:
        raise AgentConsoleError(f"cannot write {args.ics}: {exc.strerror}") from None
    echo(inert(f"{len(found)} booking(s) written to {args.ics}"))
    return 0
