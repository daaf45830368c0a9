"""The team store's tables, roles, grants and row-level security (PostgreSQL 15+).

All tables live in schema ``ac`` of the team database. Group roles are named
after the database (``<db>_agent``, ``<db>_supervisor``, ``<db>_auditor``), so
several team databases can share a cluster; each console user logs in as
``<db>_u_<name>``, a member of its console role's group. Row-level security
limits an agent's connection to the cases of its team or assigned to it; the
service's own permission checks stay in front.

Numbered migrations (``ac.team_info`` key ``schema_version``); a released one is never edited.
"""

from __future__ import annotations

#: Statements of one migration; ``{agent}``, ``{supervisor}``, ``{auditor}``, ``{owner}`` are
#: replaced by quoted role names.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        "CREATE SCHEMA ac",
        "CREATE TABLE ac.team_info (key text PRIMARY KEY, value text NOT NULL)",
        "CREATE TABLE ac.team_meta (key text PRIMARY KEY, value bytea NOT NULL)",
        "CREATE TABLE ac.members (name text PRIMARY KEY, name_folded text UNIQUE NOT NULL, "
        "db_role name UNIQUE NOT NULL, role text NOT NULL CHECK (role IN ('agent', 'supervisor', 'auditor')), "
        "team text NOT NULL, slot text NOT NULL)",
        "CREATE SEQUENCE ac.commit_seq",
        "CREATE SEQUENCE ac.row_ids",
        "CREATE SEQUENCE ac.message_order",
        "CREATE TABLE ac.customers (id bigint PRIMARY KEY, ref_token bytea UNIQUE NOT NULL, ref bytea NOT NULL, "
        "display_name bytea, created_at text NOT NULL)",
        "CREATE TABLE ac.cases (id bigint PRIMARY KEY, "
        "customer_id bigint NOT NULL REFERENCES ac.customers ON DELETE CASCADE, team text NOT NULL, "
        "assignee text, title bytea NOT NULL, status text NOT NULL CHECK (status IN ('open', 'pending', 'closed')), "
        "created_at text NOT NULL, updated_at text NOT NULL, message_count integer NOT NULL DEFAULT 0, "
        "version integer NOT NULL DEFAULT 1, locked_by text, locked_until timestamptz)",
        "CREATE INDEX cases_activity ON ac.cases (updated_at DESC, id DESC)",
        "CREATE INDEX cases_customer ON ac.cases (customer_id)",
        "CREATE INDEX cases_team ON ac.cases (team)",
        "CREATE TABLE ac.messages (id bigint PRIMARY KEY, case_id bigint NOT NULL REFERENCES ac.cases "
        "ON DELETE CASCADE, role text NOT NULL CHECK (role IN ('customer', 'agent', 'assistant', 'note')), "
        "text bytea NOT NULL, raw_text bytea, created_at text NOT NULL, model text, prompt_tokens integer, "
        "completion_tokens integer, ttft_ms double precision, decode_tokens_per_s double precision, kind text, "
        "question bytea, position bigint NOT NULL DEFAULT nextval('ac.message_order'))",
        "CREATE INDEX messages_case ON ac.messages (case_id, position)",
        "CREATE TABLE ac.search_tokens (token bytea NOT NULL, message_id bigint NOT NULL REFERENCES ac.messages "
        "ON DELETE CASCADE, case_id bigint NOT NULL, PRIMARY KEY (token, message_id))",
        "CREATE INDEX search_tokens_message ON ac.search_tokens (message_id)",
        "CREATE TABLE ac.pii_values (id bigint PRIMARY KEY, case_id bigint NOT NULL REFERENCES ac.cases "
        "ON DELETE CASCADE, placeholder text NOT NULL, entity_type text NOT NULL, value bytea NOT NULL, "
        "created_at text NOT NULL, expired boolean NOT NULL DEFAULT false, UNIQUE (case_id, placeholder))",
        "CREATE TABLE ac.audit_entries (seq bigint PRIMARY KEY, time text NOT NULL, actor text NOT NULL, "
        "action text NOT NULL, subject bytea, details bytea, mac bytea NOT NULL)",
        "CREATE TABLE ac.consents (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES ac.customers "
        "ON DELETE CASCADE, given boolean NOT NULL, at text NOT NULL, agent text NOT NULL)",
        # who is asking: the login role of the session (pool connections log in as the console user)
        "CREATE FUNCTION ac.my_team() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ac, "
        "pg_temp AS $$ SELECT team FROM ac.members WHERE db_role = session_user $$",
        "CREATE FUNCTION ac.my_name() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ac, "
        "pg_temp AS $$ SELECT name FROM ac.members WHERE db_role = session_user $$",
        # every write statement counts a commit (rollback detection by the local anchor)
        "CREATE FUNCTION ac.count_commit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
        "SET search_path = ac, pg_temp AS $$ BEGIN PERFORM nextval('ac.commit_seq'); RETURN NULL; END $$",
        # live updates: ids only (never text), for every console's LISTEN agentconsole
        "CREATE FUNCTION ac.notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_TABLE_NAME = 'messages' THEN PERFORM pg_notify('agentconsole', 'message:' || NEW.case_id); "
        "ELSIF TG_OP = 'DELETE' THEN PERFORM pg_notify('agentconsole', 'deleted:' || OLD.id); "
        "ELSE PERFORM pg_notify('agentconsole', 'case:' || NEW.id); END IF; RETURN NULL; END $$",
        "CREATE TRIGGER messages_notify AFTER INSERT ON ac.messages FOR EACH ROW EXECUTE FUNCTION ac.notify_change()",
        "CREATE TRIGGER cases_notify AFTER INSERT OR UPDATE OR DELETE ON ac.cases FOR EACH ROW "
        "EXECUTE FUNCTION ac.notify_change()",
        *(
            f"CREATE TRIGGER {t}_commit AFTER INSERT OR UPDATE OR DELETE ON ac.{t} FOR EACH STATEMENT "
            "EXECUTE FUNCTION ac.count_commit()"
            for t in ("customers", "cases", "messages", "pii_values", "audit_entries", "consents", "team_meta")
        ),
        # row-level security: agents reach their team's cases and cases assigned to them
        *(
            f"ALTER TABLE ac.{t} ENABLE ROW LEVEL SECURITY"
            for t in ("cases", "messages", "search_tokens", "pii_values", "members")
        ),
        "CREATE POLICY agent_cases ON ac.cases TO {agent} USING "
        "(team = (SELECT ac.my_team()) OR assignee = (SELECT ac.my_name())) "
        "WITH CHECK (team = (SELECT ac.my_team()) OR assignee = (SELECT ac.my_name()))",
        *(
            f"CREATE POLICY agent_{t} ON ac.{t} TO {{agent}} USING "
            f"(EXISTS (SELECT 1 FROM ac.cases c WHERE c.id = {t}.case_id)) "
            f"WITH CHECK (EXISTS (SELECT 1 FROM ac.cases c WHERE c.id = {t}.case_id))"
            for t in ("messages", "search_tokens", "pii_values")
        ),
        *(
            f"CREATE POLICY supervisor_{t} ON ac.{t} TO {{supervisor}} USING (true) WITH CHECK (true)"
            for t in ("cases", "messages", "search_tokens", "pii_values", "members")
        ),
        "CREATE POLICY own_slot ON ac.members TO {agent}, {auditor} USING (db_role = session_user) "
        "WITH CHECK (db_role = session_user)",
        # grants: the minimum per console role
        "REVOKE ALL ON SCHEMA ac FROM PUBLIC",
        "GRANT USAGE ON SCHEMA ac TO {agent}, {supervisor}, {auditor}",
        "GRANT SELECT ON ac.team_info TO {agent}, {supervisor}, {auditor}",
        "GRANT SELECT, INSERT, UPDATE ON ac.team_meta TO {agent}, {supervisor}, {auditor}",
        "GRANT SELECT ON ac.members TO {agent}, {supervisor}, {auditor}",
        "GRANT UPDATE (slot) ON ac.members TO {agent}, {auditor}",
        "GRANT INSERT, UPDATE, DELETE ON ac.members TO {supervisor}",
        "GRANT USAGE ON SEQUENCE ac.row_ids, ac.message_order TO {agent}, {supervisor}",
        "GRANT SELECT ON SEQUENCE ac.commit_seq TO {agent}, {supervisor}, {auditor}",
        "GRANT USAGE ON SEQUENCE ac.consents_id_seq TO {agent}, {supervisor}",
        "GRANT SELECT, INSERT, UPDATE ON ac.customers, ac.cases TO {agent}",
        "GRANT SELECT, INSERT ON ac.messages, ac.search_tokens, ac.pii_values, ac.consents TO {agent}",
        "GRANT SELECT, INSERT ON ac.audit_entries TO {agent}, {supervisor}, {auditor}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ac.customers, ac.cases, ac.messages, ac.search_tokens, "
        "ac.pii_values, ac.consents TO {supervisor}",
    ),
]

#: Row-version bump and lock columns are plain columns: optimistic concurrency is in the SQL of the repository.
ROLE_KINDS = ("agent", "supervisor", "auditor")

#: SECURITY DEFINER functions (owned by the team's owner) through which a supervisor manages logins:
#: the supervisor's own role needs no CREATEROLE.
LOGIN_FUNCTIONS = (
    "CREATE FUNCTION ac.create_login(p_login text, p_kind text, p_verifier text) RETURNS void LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path = ac, pg_temp AS $$ BEGIN "
    "IF NOT pg_has_role(session_user, {supervisor_text}, 'member') THEN "
    "RAISE EXCEPTION 'only a supervisor may add users'; END IF; "
    "IF p_kind NOT IN ('agent', 'supervisor', 'auditor') THEN RAISE EXCEPTION 'bad role'; END IF; "
    "IF left(p_login, length({prefix_text})) <> {prefix_text} THEN RAISE EXCEPTION 'bad login'; END IF; "
    "EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', p_login, p_verifier, "
    "{db_text} || '_' || p_kind); END $$",
    "CREATE FUNCTION ac.set_login_password(p_login text, p_verifier text) RETURNS void LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path = ac, pg_temp AS $$ BEGIN "
    "IF NOT pg_has_role(session_user, {supervisor_text}, 'member') THEN "
    "RAISE EXCEPTION 'only a supervisor may reset passphrases'; END IF; "
    "IF left(p_login, length({prefix_text})) <> {prefix_text} THEN RAISE EXCEPTION 'bad login'; END IF; "
    "EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier); END $$",
    "CREATE FUNCTION ac.drop_login(p_login text) RETURNS void LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path = ac, pg_temp AS $$ BEGIN "
    "IF NOT pg_has_role(session_user, {supervisor_text}, 'member') THEN "
    "RAISE EXCEPTION 'only a supervisor may remove users'; END IF; "
    "IF left(p_login, length({prefix_text})) <> {prefix_text} THEN RAISE EXCEPTION 'bad login'; END IF; "
    "EXECUTE format('DROP ROLE IF EXISTS %I', p_login); END $$",
    "REVOKE ALL ON FUNCTION ac.create_login(text, text, text), ac.set_login_password(text, text), "
    "ac.drop_login(text) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION ac.create_login(text, text, text), ac.set_login_password(text, text), "
    "ac.drop_login(text) TO {supervisor}",
)
