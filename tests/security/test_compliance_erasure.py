"""Erasure and retention leave no trace: every page (free pages and WAL frames included) is decrypted
with the independent SQLCipher decryptor and searched for the planted canaries."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlcipher_pages

from agentconsole.compliance import retention
from agentconsole.config import RetentionSettings, Settings
from agentconsole.service import ConsoleService, UnknownCustomer
from agentconsole.vault import Vault

PASS = b"erasure-test-passphrase"
CANARY = re.compile(rb"zq[0-9a-f]{16}")


def canaries(n: int) -> list[str]:
    return [f"zq{secrets.token_hex(8)}" for _ in range(n)]


def found(data: bytes, wanted: set[bytes]) -> set[bytes]:
    return set(CANARY.findall(data)) & wanted


def files_of(home: Path) -> list[Path]:
    return [p for p in sorted(home.iterdir()) if p.is_file() and p.name.startswith("vault")]


def plant(vault, ref: str, words: list[str], cases: int = 4) -> set[bytes]:
    """Canaries in the display name, case titles, masked text (FTS-indexed), raw text, PII values.

    Returns the canaries used.
    """
    original = set(words)
    customer = vault.upsert_customer(ref, display_name=words.pop())
    vault.connection().execute(
        "INSERT INTO consents (customer_id, given, at, agent) VALUES (?, 1, ?, 'sue')",
        (customer, datetime.now(UTC).isoformat()),
    )
    for _ in range(cases):
        case = vault.create_case(customer, f"case about {words.pop()}")
        for _ in range(10):
            text = " ".join(words.pop() for _ in range(4))
            vault.add_message(case, "customer", f"printer says {text} <PERSON_1>", raw_text=f"raw {words.pop()}")
        vault.add_pii_values(case, [(f"<PERSON_{i}>", "PERSON", words.pop()) for i in range(1, 6)])
    return {w.encode() for w in original - set(words)}


@pytest.fixture
def service(agentconsole_home: Path):
    svc = ConsoleService(Settings(home=agentconsole_home))
    svc.create_vault("sue", bytearray(PASS))
    yield svc
    svc.lock()


@pytest.fixture
def vault(service: ConsoleService) -> Vault:
    """The service's open vault, as the commands reach it (a supervisor may work cases)."""
    return service.require("work_cases")


def test_erased_customer_leaves_no_canary_in_any_page_and_the_chain_verifies(
    service: ConsoleService, vault: Vault, agentconsole_home: Path
) -> None:
    vault.connection().execute("PRAGMA wal_autocheckpoint = 0")  # the erased data sits in the WAL too
    doomed = plant(vault, "ERASE-ME", canaries(400))
    kept = plant(vault, "KEEP-ME", canaries(400))
    service.record_consent("ERASE-ME", True)
    anchor = service.audit_anchor()
    key = bytes(vault._data_key)
    wal = Path(f"{vault.path}-wal")
    assert wal.stat().st_size > 0
    # positive control: the decryptor sees every one of them before erasure
    assert found(sqlcipher_pages.all_plaintext(vault.path, key), doomed) == doomed

    report = service.erase_customer("ERASE-ME")
    assert (report.cases, report.messages, report.pii_values, report.raw_texts, report.consents) == (4, 40, 20, 40, 2)
    assert report.checkpointed

    def check() -> None:
        pages = sqlcipher_pages.decrypt_database(vault.path, key)  # every page HMAC-verified, free pages too
        frames, _ = sqlcipher_pages.decrypt_wal(wal, key, sqlcipher_pages.file_salt(vault.path))
        plain = b"".join(pages) + b"".join(page for _, page in frames)
        assert not found(plain, doomed)
        assert found(plain, kept) == kept  # the other customer is untouched
        # no prefix of an erased term survives in the FTS index either
        prefixes = {m[:8] for m in re.findall(rb"zq[0-9a-f]{4,16}", plain)}
        assert not ({c[:8] for c in doomed} & prefixes) - {c[:8] for c in kept}
        for path in files_of(agentconsole_home):
            assert not found(path.read_bytes(), doomed | kept), path.name

    check()
    assert vault.get_customer("ERASE-ME") is None and vault.get_customer("KEEP-ME") is not None
    with pytest.raises(UnknownCustomer):  # the customer is gone with their consent history
        service.consent_history("ERASE-ME")

    result = service.verify_audit(anchor)
    assert result.ok, result.describe()
    (entry,) = service.audit_entries(action="erase")
    assert entry.subject == "customer:ERASE-ME"
    assert entry.details["messages"] == 40 and entry.details["pii_values"] == 20
    audit_text = repr([e.as_json() for e in service.audit_entries()]).encode()
    assert not found(audit_text, doomed)
    service.lock()
    check()  # and after the connections are closed


def test_unknown_customer_erases_nothing(service: ConsoleService, vault: Vault) -> None:
    from agentconsole.compliance.erasure import CustomerNotFound

    plant(vault, "KEEP-ME", canaries(200), cases=1)
    with pytest.raises(CustomerNotFound):
        service.erase_customer("NOBODY")
    assert vault.get_case(1).message_count == 10
    assert service.audit_entries(action="erase") == []


def test_expired_pii_values_leave_no_trace_but_masked_transcripts_stay(agentconsole_home: Path) -> None:
    settings = Settings(home=agentconsole_home, retention=RetentionSettings(pii_values_days=30, transcripts_days=365))
    service = ConsoleService(settings)
    service.create_vault("sue", bytearray(PASS))
    try:
        vault = service.require("retention")
        values, texts = canaries(50), canaries(50)
        case = vault.create_case(vault.upsert_customer("C1"), "old case")
        for i, word in enumerate(texts):
            vault.add_message(case, "customer", f"masked {word} <PERSON_{i + 1}>", raw_text=f"raw {values[i]}")
        vault.add_pii_values(case, [(f"<PERSON_{i + 1}>", "PERSON", v) for i, v in enumerate(values)])
        key = bytes(vault._data_key)
        later = datetime.now(UTC) + timedelta(days=31)
        report = retention.run(vault, settings, now=later)
        assert (report.pii_values_expired, report.raw_texts_expired, report.cases_deleted) == (50, 50, 0)
        plain = sqlcipher_pages.all_plaintext(vault.path, key)
        assert not found(plain, {v.encode() for v in values})
        assert found(plain, {t.encode() for t in texts}) == {t.encode() for t in texts}
    finally:
        service.lock()
