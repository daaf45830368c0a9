"""``doctor`` checks of the team store: server reachable, TLS, version, grants and RLS, clock skew.

Without a passphrase only the connection is probed (a login as a name that does not
exist: an authentication refusal proves the server answered and, off loopback, that
its certificate verified). With one, the user logs in and the rest is checked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agentconsole.vault.postgres.connect import ServerTarget, TeamServerError, connect_kwargs, describe_failure

OK, WARN, FAIL = "ok", "warn", "FAIL"  # as agentconsole.doctor
#: Clock skew beyond which timestamps from different consoles stop ordering sensibly.
SKEW_WARN_SECONDS = 2.0
SKEW_FAIL_SECONDS = 30.0
_MUST_NOT = {
    "agent": (
        ("ac.cases", "DELETE"),
        ("ac.audit_entries", "UPDATE"),
        ("ac.audit_entries", "DELETE"),
        ("ac.members", "INSERT"),
    ),
    "auditor": (
        ("ac.cases", "SELECT"),
        ("ac.messages", "SELECT"),
        ("ac.pii_values", "SELECT"),
        ("ac.audit_entries", "UPDATE"),
    ),
    "supervisor": (("ac.audit_entries", "UPDATE"), ("ac.audit_entries", "DELETE")),
}


def probe(target: ServerTarget) -> list[tuple[str, str, str]]:
    """Reach the server without credentials: reachable, and TLS verified when it is not local."""
    import psycopg

    where = f"{target.host or 'socket'}:{target.port}/{target.dbname}"
    try:
        kwargs = connect_kwargs(target, "agentconsole_doctor_probe", "-")
    except TeamServerError as exc:
        return [("team server", FAIL, str(exc))]
    try:
        psycopg.connect(target.dsn, **kwargs).close()  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        reason = describe_failure(target, exc)
        if reason == "wrong passphrase or user name":  # the server answered (after TLS, when required)
            tls = "TLS verify-full" if not target.is_local else "local (TLS not required)"
            return [("team server", OK, f"{where} answers; {tls}")]
        return [("team server", FAIL, reason)]
    return [("team server", WARN, f"{where} let an unknown login in: check pg_hba.conf")]


def inspect(store: Any) -> list[tuple[str, str, str]]:
    """Checks that need a login: version, TLS in use, row security, grants of this role, clock skew."""
    rows: list[tuple[str, str, str]] = []
    with store._borrow() as conn:
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])
        ssl = conn.execute("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        rls = conn.execute(
            "SELECT bool_and(relrowsecurity) FROM pg_class WHERE oid = ANY(ARRAY['ac.cases'::regclass, "
            "'ac.messages'::regclass, 'ac.pii_values'::regclass, 'ac.search_tokens'::regclass])"
        ).fetchone()[0]
        public = conn.execute("SELECT has_schema_privilege('public', 'ac', 'USAGE')").fetchone()[0]
        excess = [
            f"{privilege} on {table}"
            for table, privilege in _MUST_NOT.get(store.role, ())
            if conn.execute("SELECT has_table_privilege(%s, %s)", (table, privilege)).fetchone()[0]
        ]
        server_now = conn.execute("SELECT now()").fetchone()[0]
    rows.append(("team server version", OK if version >= 150000 else FAIL, f"PostgreSQL {version // 10000}"))
    if ssl and ssl[0]:
        rows.append(("team TLS", OK, f"in use ({ssl[1]})"))
    else:
        rows.append(
            (
                "team TLS",
                OK if store.target.is_local else FAIL,
                "not in use" + (" (local server: allowed)" if store.target.is_local else ""),
            )
        )
    rows.append(
        (
            "team row security",
            OK if rls else FAIL,
            "on for cases, messages, PII values, search tokens" if rls else "OFF on a case table",
        )
    )
    grants_ok = not excess and not public
    detail = (
        f"{store.role}: minimum grants"
        if grants_ok
        else "too much: " + ", ".join(excess + (["USAGE on schema ac for PUBLIC"] if public else []))
    )
    rows.append(("team grants", OK if grants_ok else FAIL, detail))
    skew = abs((datetime.now(UTC) - server_now).total_seconds())
    status = OK if skew <= SKEW_WARN_SECONDS else WARN if skew <= SKEW_FAIL_SECONDS else FAIL
    rows.append(("team clock skew", status, f"{skew:.2f} s between this machine and the server"))
    return rows
