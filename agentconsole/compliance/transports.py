"""How forwarded audit records reach a collector: TLS syslog or JSON lines to a file or FIFO.

A transport's :meth:`~Transport.deliver` returns only when the batch is settled
(see :mod:`.forwarding`) and raises :class:`CollectorUnavailable` otherwise; the
forwarder then reconnects and sends the batch again.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import socket
import ssl
import stat
import struct
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from agentconsole.compliance import siem
from agentconsole.errors import AgentConsoleError

SETTLE_SECONDS = 10.0  # how long the collector's TCP stack may take to acknowledge a batch
_POLL = 0.02


class ForwardingError(AgentConsoleError):
    """SIEM forwarding is configured in a way that cannot work (one line, names the setting)."""

    exit_code = 2


class CollectorUnavailable(AgentConsoleError):
    """The collector cannot take entries now (down, refused, not acknowledging); retried later."""


class Transport(Protocol):
    destination: str

    def connect(self) -> None: ...
    def deliver(self, records: Sequence[Mapping[str, Any]]) -> None: ...
    def close(self) -> None: ...


def _unsent_bytes(sock: socket.socket) -> int | None:
    """Bytes the peer's TCP stack has not acknowledged yet (Linux SIOCOUTQ); None where unknown."""
    try:
        raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, struct.pack("i", 0))
    except (OSError, AttributeError):
        return None
    return int(struct.unpack("i", raw)[0])


class SyslogTlsTransport:
    """RFC 5424 messages over TLS (RFC 5425), octet-counting frames (RFC 6587).

    The collector's certificate is verified against ``ca_file`` and its name
    against ``host``; the host must pass the egress guard (loopback or
    ``network.allowed_hosts``).
    """

    def __init__(
        self,
        host: str,
        port: int,
        ca_file: str,
        *,
        app_name: str = "agentconsole",
        client_cert: str = "",
        client_key: str = "",
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = int(port)
        self.destination = f"syslog-tls://{host}:{self.port}"
        self._ca_file = ca_file
        self._client_cert = client_cert
        self._client_key = client_key
        self._timeout = timeout
        self._app_name = app_name
        self._hostname = socket.gethostname() or "-"
        self._sock: ssl.SSLSocket | None = None

    def _context(self) -> ssl.SSLContext:
        if not self._ca_file:
            raise ForwardingError("siem.ca_file is not set: the collector's CA is needed to verify it")
        try:
            context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self._ca_file)
            if self._client_cert:
                context.load_cert_chain(self._client_cert, self._client_key or None)
        except (OSError, ssl.SSLError) as exc:
            raise ForwardingError(f"cannot load the SIEM TLS files (siem.ca_file / client_cert): {exc}") from None
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def connect(self) -> None:
        from agentconsole import airgap

        if not airgap.is_host_allowed(self.host):
            raise ForwardingError(
                f"SIEM collector {self.host} is not allowed by the egress guard: add it to network.allowed_hosts"
            )
        context = self._context()
        try:
            raw = socket.create_connection((self.host, self.port), timeout=self._timeout)
        except OSError as exc:
            raise CollectorUnavailable(f"cannot connect to {self.host}:{self.port}: {exc.strerror or exc}") from None
        try:
            self._sock = context.wrap_socket(raw, server_hostname=self.host)
        except ssl.SSLCertVerificationError as exc:
            raw.close()
            raise CollectorUnavailable(f"collector certificate rejected: {exc.verify_message}") from None
        except (OSError, ssl.SSLError) as exc:
            raw.close()
            raise CollectorUnavailable(f"TLS handshake with {self.host}:{self.port} failed: {exc}") from None

    def _healthy(self, sock: ssl.SSLSocket) -> bool:
        """False once the collector closed or reset the connection (it never sends us data)."""
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return True
        sock.settimeout(0)
        try:
            while True:
                if not sock.recv(4096):
                    return False  # orderly close
        except (ssl.SSLWantReadError, BlockingIOError):
            return True  # TLS housekeeping (session tickets) only
        except (OSError, ssl.SSLError):
            return False
        finally:
            sock.settimeout(self._timeout)

    def deliver(self, records: Sequence[Mapping[str, Any]]) -> None:
        sock = self._sock
        if sock is None:
            raise CollectorUnavailable("not connected")
        if not self._healthy(sock):
            raise CollectorUnavailable("the collector closed the connection")
        procid = str(os.getpid())
        payload = b"".join(
            siem.octet_frame(siem.syslog_message(r, hostname=self._hostname, app_name=self._app_name, procid=procid))
            for r in records
        )
        try:
            sock.sendall(payload)
        except (OSError, ssl.SSLError) as exc:
            raise CollectorUnavailable(f"sending to the collector failed: {exc}") from None
        self._settle(sock)

    def _settle(self, sock: ssl.SSLSocket) -> None:
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            unsent = _unsent_bytes(sock)
            if not self._healthy(sock):
                raise CollectorUnavailable("the collector closed the connection before acknowledging")
            if unsent is None or unsent == 0:
                return
            if time.monotonic() > deadline:
                raise CollectorUnavailable("the collector did not acknowledge the entries in time")
            time.sleep(_POLL)  # the kernel offers no wake-up for "send queue drained"

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()


class JsonLinesTransport:
    """One JSON record per line, appended to a file (fsynced) or written to a FIFO a collector reads."""

    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser()
        self.destination = f"jsonl:{self.path}"
        self._fd: int | None = None
        self._fifo = False

    def connect(self) -> None:
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            mode = 0
        except OSError as exc:
            raise CollectorUnavailable(f"cannot reach {self.path}: {exc.strerror}") from None
        self._fifo = stat.S_ISFIFO(mode)
        flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
        try:
            if self._fifo:
                fd = os.open(self.path, flags | os.O_NONBLOCK)  # ENXIO: nobody reads the FIFO yet
                os.set_blocking(fd, True)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(self.path, flags | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise CollectorUnavailable(f"no collector reads the FIFO {self.path}") from None
            raise CollectorUnavailable(f"cannot open {self.path}: {exc.strerror}") from None
        self._fd = fd

    def deliver(self, records: Sequence[Mapping[str, Any]]) -> None:
        fd = self._fd
        if fd is None:
            raise CollectorUnavailable("not connected")
        data = b"".join(siem.json_line(r) for r in records)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if not self._fifo:
                os.fsync(fd)
        except OSError as exc:
            raise CollectorUnavailable(f"writing to {self.path} failed: {exc.strerror}") from None

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


def transport_from_settings(siem_settings: Any) -> Transport | None:
    """The configured transport (``[siem]``), or None when forwarding is off."""
    kind = siem_settings.transport
    if kind == "syslog-tls":
        return SyslogTlsTransport(
            siem_settings.host,
            siem_settings.port,
            siem_settings.ca_file,
            app_name=siem_settings.app_name,
            client_cert=siem_settings.client_cert,
            client_key=siem_settings.client_key,
        )
    if kind == "jsonl":
        return JsonLinesTransport(siem_settings.path)
    return None
