"""Reaching the team's PostgreSQL server: DSN checks, TLS policy, the egress guard, logins, the pool.

* TLS: a server that is not loopback or a Unix socket must be reached with
  ``sslmode=verify-full`` and a CA bundle (``[vault] ca_bundle`` or ``sslrootcert``
  in the DSN); anything weaker is refused before a packet is sent.
* Egress: libpq opens its sockets in C, out of sight of :mod:`agentconsole.airgap`'s
  Python hooks, so the host is resolved here (through the guarded resolver), checked
  against the allow-list, and libpq is given the checked address (``hostaddr``) while
  TLS still verifies the certificate against the host name.
* Logins: each console user logs in as ``<db>_u_<name>`` with a password derived from
  the user's passphrase (Argon2id, salt bound to the database and user), so the
  passphrase stays the one credential; the server keeps only a SCRAM verifier.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import select
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentconsole.vault.errors import VaultError
from agentconsole.vault.keyslots import KdfParams, derive_kek, zero

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

LOGIN_SALT_INFO = b"agentconsole/pg/login/v1"
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,29}$")


class TeamServerError(VaultError):
    """The team server cannot be reached or refused us (the message says why; no secrets in it)."""


@dataclass(frozen=True)
class ServerTarget:
    """Where the team store is, parsed from the DSN and the ``[vault]`` settings."""

    dsn: str
    host: str  # a name, an IP literal, or a Unix socket directory
    port: int
    dbname: str
    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""

    @property
    def is_local(self) -> bool:
        """A Unix socket or a loopback address: no certificate verification required."""
        if not self.host or self.host.startswith("/"):
            return True
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def role_prefix(self) -> str:
        return self.dbname

    def login_role(self, user: str) -> str:
        role = f"{self.dbname}_u_{user.casefold()}"
        if len(role.encode()) > 63:
            raise VaultError(f"user name {user} is too long for this team database (login role over 63 bytes)")
        return role


def parse_target(dsn: str, ca_bundle: str = "", client_cert: str = "", client_key: str = "") -> ServerTarget:
    """Validate a ``postgresql://`` DSN against the TLS policy; raise TeamServerError if it is refused."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(dsn)
    except Exception:
        raise TeamServerError("vault.dsn is not a valid PostgreSQL connection string") from None
    host = str(params.get("host") or "")
    if "," in host:
        raise TeamServerError("vault.dsn: one server host only (multi-host strings are not supported)")
    dbname = str(params.get("dbname") or "")
    if not _DB_NAME.match(dbname):
        raise TeamServerError("vault.dsn must name the team database: lower-case letters, digits, '_', up to 30")
    target = ServerTarget(
        dsn=dsn,
        host=host,
        port=int(params.get("port") or 5432),
        dbname=dbname,
        ca_bundle=ca_bundle or str(params.get("sslrootcert") or ""),
        client_cert=client_cert or str(params.get("sslcert") or ""),
        client_key=client_key or str(params.get("sslkey") or ""),
    )
    sslmode = str(params.get("sslmode") or ("verify-full" if not target.is_local else "prefer"))
    if not target.is_local:
        if sslmode != "verify-full":
            raise TeamServerError(
                f"team server {host} is not on this machine: TLS must be sslmode=verify-full (the DSN says {sslmode})"
            )
        if not target.ca_bundle:
            raise TeamServerError(f"team server {host} needs a CA bundle: set vault.ca_bundle (or sslrootcert)")
    for what, path in (
        ("ca_bundle", target.ca_bundle),
        ("client_cert", target.client_cert),
        ("client_key", target.client_key),
    ):
        if path and not Path(path).expanduser().is_file():
            raise TeamServerError(f"vault.{what} not found: {path}")
    return target


def checked_address(target: ServerTarget) -> str | None:
    """Resolve the host through the guarded resolver and check it against the egress allow-list.

    Returns the IP to hand libpq as ``hostaddr`` (None for a Unix socket).
    """
    from agentconsole import airgap

    if not target.host or target.host.startswith("/"):
        return None
    refused = TeamServerError(
        f"team server {target.host} is not allowed by the egress guard: add it to network.allowed_hosts"
    )
    if airgap.is_active() and not airgap.is_host_allowed(target.host):
        raise refused
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except OSError:
        raise TeamServerError(f"team server {target.host} does not resolve") from None
    for info in infos:
        address = str(info[4][0])
        if not airgap.is_active() or airgap.is_host_allowed(address):
            return address
    raise refused


def connect_kwargs(target: ServerTarget, user: str | None, password: str | None) -> dict[str, str | int]:
    """Keyword arguments for psycopg.connect / the pool on top of the DSN."""
    kwargs: dict[str, str | int] = {"application_name": "agentconsole", "connect_timeout": 10}
    address = checked_address(target)
    if address is not None:
        kwargs["hostaddr"] = address
        if target.is_local and "sslmode" not in target.dsn:
            kwargs["sslmode"] = "prefer"
        elif not target.is_local:
            kwargs["sslmode"] = "verify-full"
    if target.ca_bundle:
        kwargs["sslrootcert"] = str(Path(target.ca_bundle).expanduser())
    if target.client_cert:
        kwargs["sslcert"] = str(Path(target.client_cert).expanduser())
    if target.client_key:
        kwargs["sslkey"] = str(Path(target.client_key).expanduser())
    if user is not None:
        kwargs["user"] = user
    if password is not None:
        kwargs["password"] = password
    return kwargs


def login_password(target: ServerTarget, user: str, passphrase: bytearray) -> str:
    """The user's database password: Argon2id(passphrase, salt bound to database and user).

    One more Argon2id run than the file vault's unlock; the server never sees it (SCRAM).
    """
    salt = hashlib.sha256(LOGIN_SALT_INFO + b"|" + target.dbname.encode() + b"|" + user.casefold().encode()).digest()
    params = KdfParams.fresh()
    kek = derive_kek(passphrase, KdfParams(params.time_cost, params.memory_kib, params.parallelism, salt[:16]))
    try:
        return base64.urlsafe_b64encode(bytes(kek)).decode("ascii").rstrip("=")
    finally:
        zero(kek)


def make_pool(
    target: ServerTarget, user: str, password: str, *, max_size: int = 8, durable_commits: bool = True
) -> ConnectionPool:
    """An open psycopg pool of autocommit connections as ``user`` (checked on checkout: a restarted
    server costs one reconnect, not an error). ``durable_commits=False`` sets
    ``synchronous_commit=off`` for these sessions (see docs/team.md, Performance)."""
    import psycopg
    from psycopg_pool import ConnectionPool

    kwargs: dict[str, Any] = {**connect_kwargs(target, user, password), "autocommit": True}
    if not durable_commits:
        kwargs["options"] = "-c synchronous_commit=off"
    try:
        # first connection by hand, so a refusal is reported at once with its reason
        psycopg.connect(target.dsn, **kwargs).close()
    except psycopg.OperationalError as exc:
        raise TeamServerError(describe_failure(target, exc)) from None
    pool = ConnectionPool(
        target.dsn,
        kwargs=kwargs,
        min_size=1,
        max_size=max_size,
        open=True,
        check=_check_if_readable,
        name="agentconsole-team",
    )
    return pool


def _check_if_readable(conn: Any) -> None:
    """Pool check on checkout without a round trip: an idle connection has nothing to read unless the
    server closed it (a restart, an idle timeout); only then is it probed (and replaced if dead)."""
    from psycopg_pool import ConnectionPool

    if conn.closed or conn.broken:
        raise conn.OperationalError("connection is closed")  # pragma: no cover - the pool drops it
    ready, _, _ = select.select([conn.fileno()], [], [], 0)
    if ready:
        ConnectionPool.check_connection(conn)


def describe_failure(target: ServerTarget, exc: Exception) -> str:
    """A one-line reason for a refused connection (never the DSN: it may hold a password)."""
    text = str(exc).lower()
    where = f"team server {target.host or 'socket'}:{target.port}"
    if "password authentication failed" in text or "authentication failed" in text:
        return "wrong passphrase or user name"
    if "does not match host name" in text or "server certificate for" in text:
        return f"{where}: its TLS certificate does not match the host name"
    if "certificate" in text or "ssl error" in text:
        return f"{where}: its TLS certificate does not verify against vault.ca_bundle"
    if "does not exist" in text and "database" in text:
        return f"{where}: database {target.dbname} does not exist (run 'agentconsole team init')"
    if "connection refused" in text or "no such file" in text or "could not connect" in text:
        return f"{where} is not reachable (connection refused)"
    if "timeout" in text:
        return f"{where} did not answer in time"
    return f"{where} refused the connection"
