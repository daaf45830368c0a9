"""The workflow subsystem's tables in a real vault file: upgrade of an older vault, cascades, retention."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agentconsole.config import RetentionSettings, Settings
from agentconsole.service import ConsoleService
from agentconsole.vault import RecordNotFound, Vault, VaultError
from agentconsole.vault import schema as vault_schema
from agentconsole.vault.schema import subsystem_version

PASS = b"workflow-test-passphrase"


def test_an_older_vault_gains_the_workflow_tables_and_resolved_cases(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "vault.db"
    monkeypatch.setattr(vault_schema, "SUBSYSTEMS", ())  # a vault made before the workflow subsystem
    vault = Vault.create(path, "alice", bytearray(PASS))
    case = vault.create_case(vault.upsert_customer("C-1"), "Older case")
    vault.add_message(case, "customer", "Hello")
    with pytest.raises(Exception, match="CHECK constraint failed"):
        vault.set_case_status(case, "resolved")  # the old CHECK refuses it
    vault.lock()
    monkeypatch.undo()

    vault = Vault.unlock(path, "alice", bytearray(PASS))
    try:
        conn = vault.connection()
        assert subsystem_version(conn, "workflow") == 1
        assert [m.text for m in vault.list_messages(case)] == ["Hello"]  # nothing lost to the table edit
        vault.set_workflow_status(case, "resolved")
        results: list[object] = []

        def other_thread() -> None:  # a second connection sees the widened CHECK too
            try:
                vault.set_workflow_status(case, "closed")
                vault.set_workflow_status(case, "open")
                results.append(vault.tracked_case(case).status)
            except Exception as exc:  # reported in results
                results.append(exc)

        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert results == ["open"]
        with pytest.raises(VaultError, match="refused"):
            vault.set_workflow_status(case, "archived")
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        vault.lock()


def test_statuses_stamp_times_and_rows_cascade_with_the_case(tmp_path: Path) -> None:
    vault = Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS))
    try:
        case = vault.create_case(vault.upsert_customer("C-1"), "A case")
        draft = vault.add_message(case, "assistant", "Hi", kind="reply", model="m")
        vault.set_workflow_status(case, "resolved", at="2026-01-02T00:00:00+00:00")
        vault.set_workflow_status(case, "closed", at="2026-01-03T00:00:00+00:00")
        tracked = vault.tracked_case(case)
        assert (tracked.resolved_at, tracked.closed_at) == ("2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00")
        vault.set_workflow_status(case, "open")  # reopened: no longer resolved
        assert vault.tracked_case(case).resolved_at is None
        vault.set_case_owner(case, "alice")
        vault.add_case_tags(case, ["vip"])
        vault.set_draft_outcome(draft, case, "edited", 0.2)
        vault.add_survey(case, 5, "masked <PERSON_1>")
        with pytest.raises(RecordNotFound):
            vault.draft_row(999)
        with pytest.raises(RecordNotFound):
            vault.set_case_owner(999, "alice")
        vault.delete_case(case)
        conn = vault.connection()
        for table in ("case_workflow", "case_tags", "draft_feedback", "surveys"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    finally:
        vault.lock()


def test_retention_deletes_an_idle_case_with_its_survey_answers(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", retention=RetentionSettings(transcripts_days=30))
    service = ConsoleService(settings)
    service.create_vault("sue", bytearray(PASS))
    try:
        vault = service.require("work_cases")
        old, recent = (vault.create_case(vault.upsert_customer(ref), "Case") for ref in ("C-1", "C-2"))
        for case in (old, recent):
            vault.set_workflow_status(case, "resolved")
            vault.add_survey(case, 4, None)
        long_ago = (datetime.now(UTC) - timedelta(days=90)).isoformat()
        with vault.transaction() as conn:
            conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (long_ago, old))
        service.run_retention()
        assert [s.case_id for s in vault.surveys()] == [recent]
        assert [d.case_id for d in vault.case_times()] == [recent]
    finally:
        service.lock()
