"""Least privilege in the service layer: every role x every permission it lacks is refused and audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentconsole.config import Settings
from agentconsole.service import PERMISSIONS, ROLES, ConsoleService, PermissionDenied
from agentconsole.vault import Vault

PASS = b"roles-test-passphrase"
USERS = {"agent": "ann", "supervisor": "sue", "auditor": "aud"}

#: For each permission, service calls that need it (the first argument is the seeded ids).
CALLS: dict[str, list[Callable[[ConsoleService, dict[str, int]], Any]]] = {
    "work_cases": [lambda s, ids: s.list_cases(), lambda s, ids: s.messages(ids["case"])],
    "reveal": [lambda s, ids: s.reveal(ids["case"], ids["message"])],
    "draft": [lambda s, ids: s.draft(ids["case"])],
    "send": [lambda s, ids: s.send(ids["case"], "hello"), lambda s, ids: s.copy_out(ids["case"], "hi <PERSON_1>")],
    "consent": [
        lambda s, ids: s.record_consent("C1", True),
        lambda s, ids: s.consent_history("C1"),
        lambda s, ids: s.consent_given("C1"),
    ],
    "manage_users": [
        lambda s, ids: s.user_list(),
        lambda s, ids: s.user_add("zed", "agent", bytearray(b"zed-passphrase")),
        lambda s, ids: s.user_remove("ann"),
        lambda s, ids: s.user_reset_passphrase("ann", bytearray(b"one-time-passphrase")),
    ],
    "export": [lambda s, ids: s.export_customer("C1", "json")],
    "erase": [lambda s, ids: s.erase_customer("C1")],
    "retention": [lambda s, ids: s.run_retention(dry_run=False)],
    "config": [lambda s, ids: s.set_config("consent.required", True)],
    "rekey": [lambda s, ids: s.rekey()],
    "audit": [
        lambda s, ids: s.audit_entries(),
        lambda s, ids: s.verify_audit(),
        lambda s, ids: s.audit_anchor(),
    ],
    "kb_manage": [
        lambda s, ids: s.kb_import([Path("faq.md")]),
        lambda s, ids: s.kb_remove(1),
        lambda s, ids: s.kb_macros_import(Path("macros.toml")),
    ],
    "kb_read": [
        lambda s, ids: s.kb_articles(),
        lambda s, ids: s.kb_search("printer on fire", masked=True),
        lambda s, ids: s.kb_macros(),
    ],
}

DENIALS = [
    pytest.param(role, permission, i, id=f"{role}-{permission}-{i}")
    for permission, calls in CALLS.items()
    for role in ROLES
    if role not in PERMISSIONS[permission]
    for i in range(len(calls))
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("roles-home")
    settings = Settings(home=home)
    owner = ConsoleService(settings)
    owner.create_vault("sue", bytearray(PASS))
    vault = owner.require("manage_users")
    vault.add_user("ann", "agent", bytearray(PASS))
    vault.add_user("aud", "auditor", bytearray(PASS))
    case = vault.create_case(vault.upsert_customer("C1"), "Printer on fire")
    message = vault.add_message(case, "customer", "It is <PERSON_1> again")
    vault.add_pii_values(case, [("<PERSON_1>", "PERSON", "Ida Canary")])
    owner.lock()
    services = {}
    for role, user in USERS.items():
        service = ConsoleService(settings)
        service.unlock(user, bytearray(PASS))
        services[role] = service
    yield services, {"case": case, "message": message}, settings
    for service in services.values():
        service.lock()


def test_every_permission_has_denial_calls() -> None:
    assert set(CALLS) == set(PERMISSIONS)
    assert all(PERMISSIONS[p] != frozenset(ROLES) for p in PERMISSIONS)  # each one is denied to someone


@pytest.mark.parametrize(("role", "permission", "index"), DENIALS)
def test_denied_and_audited(world, role: str, permission: str, index: int) -> None:
    services, ids, _ = world
    service = services[role]
    audit = services["supervisor"]
    before = audit.audit_entries(action="denied")
    with pytest.raises(PermissionDenied) as excinfo:
        CALLS[permission][index](service, ids)
    assert excinfo.value.exit_code == 3
    assert role in excinfo.value.message and USERS[role] in excinfo.value.message
    after = audit.audit_entries(action="denied")
    assert len(after) == len(before) + 1
    entry = after[-1]
    assert (entry.actor, entry.subject) == (USERS[role], f"permission:{permission}")
    # nothing happened: the customer, the case and the users are all still there
    owner_vault = audit.require("work_cases")  # the supervisor's session
    assert owner_vault.get_customer("C1") is not None
    assert owner_vault.get_case(ids["case"]).message_count == 1
    assert sorted(u for u, _ in owner_vault.list_users()) == ["ann", "aud", "sue"]


@pytest.mark.parametrize("permission", sorted(PERMISSIONS))
def test_allowed_roles_pass_the_check(world, permission: str) -> None:
    services, _, _ = world
    for role in PERMISSIONS[permission]:
        vault = services[role].require(permission)
        assert isinstance(vault, Vault) and not vault.is_locked and vault.role == role
        assert services[role].can(permission)
    for role in set(ROLES) - PERMISSIONS[permission]:
        assert not services[role].can(permission)


def test_auditor_sees_the_audit_log_but_no_customer_data(world) -> None:
    services, ids, _ = world
    auditor = services["auditor"]
    entries = auditor.audit_entries()
    assert entries and auditor.verify_audit().ok
    text = "\n".join(str(e.as_json()) for e in entries)
    assert "Ida Canary" not in text
    with pytest.raises(PermissionDenied):
        auditor.reveal(ids["case"], ids["message"])


def test_copy_restores_values_and_is_audited(world) -> None:
    services, ids, _ = world
    agent = services["agent"]
    assert agent.copy_out(ids["case"], "Dear <PERSON_1>,") == "Dear Ida Canary,"
    entry = services["supervisor"].audit_entries(action="copy")[-1]
    assert (entry.actor, entry.subject, entry.details) == ("ann", f"case:{ids['case']}", {"restored": True})


def test_config_file_untouched_by_a_denied_set_config(world) -> None:
    services, _, settings = world
    with pytest.raises(PermissionDenied):
        services["agent"].set_config("compliance.keep_raw_text", True)
    assert not (Path(settings.home) / "config.toml").exists()
