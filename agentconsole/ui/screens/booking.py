"""Booking from the open case (F7) and the day's agenda (Shift+F7), both also in the command palette.

The dialog lists the proposals for the times the customer asked for (picked by
rule in the booking core, never by the model), then the free slots of the day
shown, then the case's bookings. Enter books the highlighted slot, C cancels
the highlighted booking, [ and ] change the day. Everything goes through the
service (role-checked, audited), exactly as ``agentconsole booking ...`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agentconsole.terminal_text import inert
from agentconsole.ui.access import ConsoleAccess

if TYPE_CHECKING:
    from agentconsole.booking.proposals import Proposal
    from agentconsole.booking.schedule import Slot
    from agentconsole.service import Booking, ConsoleService


@dataclass(frozen=True)
class BookingView:
    """What the dialog shows, loaded in one worker call."""

    requested: tuple[str, ...]
    proposals: tuple[Proposal, ...]
    resource: str | None
    day: date | None
    free: tuple[tuple[Slot, int], ...]
    bookings: tuple[Booking, ...]


def load_booking_view(service: ConsoleService, case_id: int, day: date | None) -> BookingView:
    """Proposals for the case, the free slots of ``day`` (default: the first proposal's day) and the case's bookings."""
    resources = service.booking_resources()
    bookings = tuple(service.list_bookings(case_id=case_id))
    if not resources:
        return BookingView((), (), None, None, (), bookings)
    found = service.propose_bookings(case_id)
    resource = found.proposals[0].resource if found.proposals else resources[0].name
    zone = next(r.zone for r in resources if r.name == resource)
    shown = day or (found.proposals[0].start.date() if found.proposals else datetime.now(zone).date())
    free = tuple(service.free_booking_slots(resource, shown, 1))
    requested = tuple(r.phrase or "any time" for r in found.requests)
    return BookingView(requested, tuple(found.proposals), resource, shown, free, bookings)


def _when(moment: datetime, end: datetime) -> str:
    return f"{moment.strftime('%a %d %b %H:%M')}-{end.strftime('%H:%M')}"


class BookingDialog(ConsoleAccess, ModalScreen[None]):
    """Proposals, the day's free slots and the case's bookings; Enter books, C cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("left_square_bracket", "day(-1)", "Day before"),
        Binding("right_square_bracket", "day(1)", "Day after"),
        Binding("c", "cancel_booking", "Cancel booking"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        #: The view last shown (None until loaded).
        self.view: BookingView | None = None
        self._day: date | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="booking"):
            yield Static(f"Booking for case {self.case_id}", classes="form-title", markup=False)
            yield Static("Loading…", id="booking-requested", markup=False)
            yield OptionList(id="booking-slots")
            yield Static("Bookings of this case", classes="form-help", markup=False)
            yield OptionList(id="booking-case")
            yield Static(
                "Enter books · [ ] change the day · C cancels a booking · Esc closes · all audited",
                classes="form-help",
                markup=False,
            )

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        service = self.service
        self.console.call_service(
            load_booking_view, service, self.case_id, self._day, done=self._show, failed=self._failed,
            name="booking", exclusive=True,
        )  # fmt: skip

    def _failed(self, message: str) -> None:
        self.query_one("#booking-requested", Static).update(inert(message))

    def _show(self, view: BookingView) -> None:
        self.view = view
        self._day = view.day
        head = self.query_one("#booking-requested", Static)
        if view.resource is None:
            head.update("No bookable resource yet: a supervisor adds one with 'agentconsole booking resource add'.")
        elif view.requested:
            fits = bool(view.proposals and view.proposals[0].fits)
            head.update(inert("Asked for: " + "; ".join(view.requested) + ("" if fits else " (nothing free then)")))
        else:
            head.update("No time asked for in the customer's messages: earliest free slots.")
        slots = self.query_one("#booking-slots", OptionList)
        slots.clear_options()
        for number, p in enumerate(view.proposals, start=1):
            mark = "" if p.fits else " (nearest free)"
            slots.add_option(
                Option(inert(f"Proposal {number}: {_when(p.start, p.end)}  {p.resource}{mark}"), f"p{number}")
            )
        if view.day is not None:
            slots.add_option(None)
            title = f"Free on {view.day.strftime('%a %d %b')} ({view.resource}):"
            slots.add_option(Option(inert(title) if view.free else inert(title + " none"), "day", disabled=True))
            for index, (slot, free) in enumerate(view.free):
                slots.add_option(Option(inert(f"  {_when(slot.start, slot.end)}  {free} free"), f"s{index}"))
        bookings = self.query_one("#booking-case", OptionList)
        bookings.clear_options()
        for b in view.bookings:
            bookings.add_option(Option(inert(f"{b.id}: {_when(b.start, b.end)}  {b.resource}  {b.status}"), f"b{b.id}"))
        if not view.bookings:
            bookings.add_option(Option("none yet", "none", disabled=True))
        if slots.option_count:
            slots.highlighted = 0
        slots.focus()

    def _choice(self, option_id: str) -> tuple[str, datetime] | None:
        view = self.view
        if view is None:
            return None
        if option_id.startswith("p"):
            p = view.proposals[int(option_id[1:]) - 1]
            return p.resource, p.start
        if option_id.startswith("s") and view.resource is not None:
            return view.resource, view.free[int(option_id[1:])][0].start
        return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "booking-slots" or event.option.id is None:
            return
        choice = self._choice(event.option.id)
        if choice is None:
            return
        resource, start = choice

        def booked(booking: Booking) -> None:
            self.app.notify(inert(f"Booked {_when(booking.start, booking.end)} for case {self.case_id}"), markup=False)
            self.load()

        service = self.service
        self.console.call_service(service.book, self.case_id, resource, start, done=booked, name="booking-book")

    def action_day(self, step: int) -> None:
        if self._day is None:
            return
        self._day = self._day + timedelta(days=step)
        self.load()

    def action_cancel_booking(self) -> None:
        bookings = self.query_one("#booking-case", OptionList)
        if bookings.highlighted is None:
            self.app.notify("Highlight one of the case's bookings first (Tab)", markup=False)
            return
        option = bookings.get_option_at_index(bookings.highlighted)
        if not option.id or not option.id.startswith("b"):
            return

        def cancelled(booking: Booking) -> None:
            self.app.notify(inert(f"Booking {booking.id} cancelled"), markup=False)
            self.load()

        service = self.service
        self.console.call_service(service.cancel_booking, int(option.id[1:]), done=cancelled, name="booking-cancel")


class AgendaScreen(ConsoleAccess, ModalScreen[None]):
    """The day's bookings over every resource, in time order; [ and ] change the day."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("left_square_bracket", "day(-1)", "Day before"),
        Binding("right_square_bracket", "day(1)", "Day after"),
    ]

    def __init__(self, day: date | None = None) -> None:
        super().__init__()
        self.day = day or date.today()
        #: The bookings last shown (None until loaded).
        self.bookings: list[Booking] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="agenda"):
            yield Static("Agenda", id="agenda-title", classes="form-title", markup=False)
            yield Static("Loading…", id="agenda-list", markup=False)
            yield Static("[ ] change the day · Esc closes", classes="form-help", markup=False)

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        service = self.service
        self.console.call_service(
            service.agenda, self.day, 1, done=self._show, failed=self._failed, name="agenda", exclusive=True
        )

    def _failed(self, message: str) -> None:
        self.query_one("#agenda-list", Static).update(inert(message))

    def _show(self, bookings: list[Booking]) -> None:
        self.bookings = list(bookings)
        self.query_one("#agenda-title", Static).update(f"Agenda for {self.day.strftime('%A %d %B %Y')}")
        lines = [
            f"{b.start.strftime('%H:%M')}-{b.end.strftime('%H:%M')}  {b.resource}  case {b.case_id}  {b.status}"
            for b in self.bookings
        ]
        self.query_one("#agenda-list", Static).update(inert("\n".join(lines) or "No bookings on this day."))

    def action_day(self, step: int) -> None:
        self.day = self.day + timedelta(days=step)
        self.load()
