"""The one typed way a screen reaches the console app and its service (Posting's ``cast`` accessor).

Textual types ``self.app`` as ``App[Any]``; screens that call the service or the
app's helpers (``call_service``, ``set_status``, ``clock``) derive from
:class:`ConsoleAccess` and use :attr:`ConsoleAccess.console` and
:attr:`ConsoleAccess.service` instead, so every such call is type-checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from agentconsole.service import ConsoleService
    from agentconsole.ui.app import AgentConsoleApp


class ConsoleAccess:
    """Mixin for screens and widgets of the console: typed access to the app and the service."""

    @property
    def console(self) -> AgentConsoleApp:
        """The running :class:`~agentconsole.ui.app.AgentConsoleApp`."""
        return cast("AgentConsoleApp", cast(MessagePump, self).app)

    @property
    def service(self) -> ConsoleService:
        """The session's service (the only way the UI reaches the cores)."""
        return self.console.service
