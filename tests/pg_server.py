"""A real, throwaway PostgreSQL server for the team-backend tests and the benchmark.

``initdb`` and ``pg_ctl`` from the machine's packages (``/usr/lib/postgresql/<v>/bin``,
installed by ``scripts/setup``) in a temporary directory, listening on a loopback port
and a Unix socket in that directory, with TLS from a throwaway CA (``cryptography``).
PostgreSQL refuses to run as root: when this process is root the server runs as the
``postgres`` user (``runuser``); otherwise as this user. Never a mock.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def pg_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<v>/bin`` with initdb (15 or later), or None."""
    root = Path("/usr/lib/postgresql")
    found = sorted(
        (p for p in root.glob("*/bin") if (p / "initdb").exists() and p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    return found[-1] if found and int(found[-1].parent.name) >= 15 else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_ca_and_server_cert(
    directory: Path, hosts: tuple[str, ...] = ("localhost", "127.0.0.1")
) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for ``hosts``; returns (ca.pem, server.crt, server.key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "agentconsole test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, crt_path, key_path = directory / "ca.pem", directory / "server.crt", directory / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    crt_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(_pem_key(key))
    return ca_path, crt_path, key_path


class PgServer:
    """One PostgreSQL cluster in a temporary directory. ``start()``, ``stop()``, ``restart()``, ``destroy()``."""

    def __init__(self, *, fsync: bool = False, max_connections: int = 300) -> None:
        bindir = pg_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL 15+ is not installed (run scripts/setup)")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="agentconsole-pg-"))
        os.chmod(self.root, 0o755)
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.port = _free_port()
        self.password = secrets.token_urlsafe(18)
        self._as_postgres = os.geteuid() == 0
        self.socket_dir.mkdir(mode=0o755)
        self.ca_path, crt, key = make_ca_and_server_cert(self.root)
        os.chmod(self.ca_path, 0o644)
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as_postgres:
            shutil.chown(self.socket_dir, "postgres", "postgres")
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C",
        )
        pwfile.unlink()
        for src, name in ((crt, "server.crt"), (key, "server.key")):
            target = self.data_dir / name
            shutil.move(str(src), target)
            os.chmod(target, 0o600)
            if self._as_postgres:
                shutil.chown(target, "postgres", "postgres")
        conf = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.socket_dir}'",
            "ssl = on",
            "ssl_cert_file = 'server.crt'",
            "ssl_key_file = 'server.key'",
            f"max_connections = {max_connections}",
            f"fsync = {'on' if fsync else 'off'}",
            "shared_buffers = 64MB",
            "password_encryption = 'scram-sha-256'",
        ]
        with (self.data_dir / "postgresql.conf").open("a") as f:
            f.write("\n".join(conf) + "\n")
        (self.data_dir / "pg_hba.conf").write_text(
            "local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n"
        )

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"), "-m", "fast", "-w", "restart"
        )

    def admin_dsn(self, dbname: str = "postgres", *, tls: bool = True) -> str:
        """The superuser's DSN: TCP with verify-full against the throwaway CA, or the Unix socket."""
        if tls:
            return (
                f"postgresql://postgres:{self.password}@localhost:{self.port}/{dbname}"
                f"?sslmode=verify-full&sslrootcert={self.ca_path}"
            )
        return f"postgresql://postgres:{self.password}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def team_dsn(self, dbname: str, *, tls: bool = True) -> str:
        """A console's DSN (no credentials: the console logs in as its user): TCP with TLS verify-full,
        or the Unix socket."""
        if not tls:
            return f"postgresql:///{dbname}?host={self.socket_dir}&port={self.port}"
        return f"postgresql://localhost:{self.port}/{dbname}?sslmode=verify-full&sslrootcert={self.ca_path}"

    def create_database(self, dbname: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')

    def pg_dump(self, dbname: str) -> bytes:
        cmd = [str(self.bindir / "pg_dump"), "-h", str(self.socket_dir), "-p", str(self.port), "-U", "postgres", dbname]
        env = {**os.environ, "PGPASSWORD": self.password}
        return subprocess.run(cmd, check=True, capture_output=True, env=env).stdout

    def checkpoint(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_dsn(), autocommit=True) as conn:
            conn.execute("CHECKPOINT")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


# --- helpers for the team-store tests -------------------------------------------------

#: Passphrases of the test members (made-up, not secrets of anyone).
PASSPHRASES = {
    "boss": "supervisor passphrase 1",
    "alice": "alice passphrase 12",
    "carol": "carol passphrase 12",
    "bob": "bob passphrase 123",
    "audrey": "audrey passphrase 1",
}


def passphrase(user: str) -> bytearray:
    return bytearray(PASSPHRASES[user].encode())


_counter = iter(range(1, 10_000))


def new_team(server: PgServer, *, members: bool = True):  # type: ignore[no-untyped-def]
    """A fresh team database with supervisor ``boss`` (team red) and, with ``members``, agents
    ``alice`` and ``carol`` (red), ``bob`` (blue) and auditor ``audrey``. Returns (target, boss's store)."""
    from agentconsole.vault.postgres import TeamVault, parse_target

    dbname = f"team_{os.getpid()}_{next(_counter)}"
    server.create_database(dbname)
    target = parse_target(server.team_dsn(dbname))
    boss = TeamVault.create(target, server.admin_dsn(dbname), "boss", passphrase("boss"), team="red")
    if members:
        boss.add_user("alice", "agent", passphrase("alice"), team="red")
        boss.add_user("carol", "agent", passphrase("carol"), team="red")
        boss.add_user("bob", "agent", passphrase("bob"), team="blue")
        boss.add_user("audrey", "auditor", passphrase("audrey"), team="red")
    return target, boss


def unlock(target, user: str, **kwargs):  # type: ignore[no-untyped-def]
    from agentconsole.vault.postgres import TeamVault

    return TeamVault.unlock(target, user, passphrase(user), **kwargs)


def server_fixture():  # type: ignore[no-untyped-def]
    """A module-scoped pytest fixture ``server``: one PgServer per test module (``server = server_fixture()``)."""
    import pytest

    @pytest.fixture(scope="module")
    def server():  # type: ignore[no-untyped-def]
        if pg_bindir() is None:
            pytest.fail("PostgreSQL 15+ is not installed: run scripts/setup")
        srv = PgServer()
        srv.start()
        yield srv
        srv.destroy()

    return server
