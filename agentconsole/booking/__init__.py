"""Appointment booking without sensitive data: resources and slots, requested times, proposals, iCalendar.

Headless core: never imports textual, the vault or another core. The service
(:mod:`agentconsole.service.booking`) stores resources and bookings in the
vault and hands this package plain values. See ``docs/booking.md``.
"""
