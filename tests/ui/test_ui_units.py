"""Small pure parts of the UI: inert text, chips, snippets, the key table, the contracts with the cores."""

from __future__ import annotations

import pytest

from agentconsole.ui import keys
from agentconsole.ui.chips import PLACEHOLDER_RE, _chipped, chip_class, chip_content, chip_markdown, inert
from agentconsole.ui.screens.search import SNIPPET_END, SNIPPET_START, snippet_content
from agentconsole.ui.screens.unlock import retry_delay


def test_inert_shows_controls_as_symbols() -> None:
    """The widgets use the one sanitizer (agentconsole.terminal_text), plus chip-marker look-alikes."""
    text = "a\x1b[31mred\x1b[0m\x07\x00\x7f\x9b2J\u202eevil\u2066\r\nb\tc\rd"
    shown = inert(text)
    assert shown == "a␛[31mred␛[0m␇␀␡\\u009b2J\\u202eevil\\u2066\nb\tc\nd"
    assert not any(ord(ch) < 0x20 and ch not in "\n\t" for ch in shown)
    assert inert("plain text") == "plain text"


def test_the_ui_has_no_second_sanitizer() -> None:
    import importlib.util

    assert importlib.util.find_spec("agentconsole.ui.inert") is None


def test_chip_markers_in_user_text_cannot_forge_chips() -> None:
    forged = "⟨PERSON_1⟩ and ⟪secret⟫"
    assert "⟨" not in inert(forged) and "⟪" not in inert(forged)
    assert _chipped(chip_content(forged), None).spans == []


def test_chip_content_never_holds_values_unless_revealed() -> None:
    text = "Hi <PERSON_1>, card <CREDIT_CARD_1>, <UNKNOWN_TYPE_2>"
    content = chip_content(text)
    assert content.plain.replace("\u2800", " ") == "Hi  PERSON 1 , card  CREDIT CARD 1 ,  UNKNOWN TYPE 2 "
    assert {str(span.style) for span in content.spans} == {".chip--person", ".chip--finance", ".chip--other"}
    revealed = chip_content(text, {"<PERSON_1>": "John Smith"})
    assert "John Smith" in revealed.plain and "CREDIT\u2800CARD\u28001" in revealed.plain
    assert any(span.style == ".revealed" for span in revealed.spans)


def test_chip_markdown_marks_placeholders_and_escapes_revealed_values() -> None:
    assert chip_markdown("Dear <PERSON_1>") == "Dear ⟨PERSON_1⟩"
    assert chip_markdown("Dear <PERSON_1>", {"<PERSON_1>": "a_b*c"}) == "Dear ⟪a\\_b\\*c⟫"


@pytest.mark.parametrize("entity", ["PERSON", "EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN", "STREET_ADDRESS", "URL"])
def test_every_masked_family_has_a_chip_class(entity: str) -> None:
    assert chip_class(entity) != "chip--other"


def test_placeholder_format_matches_the_privacy_engine() -> None:
    from agentconsole.privacy.placeholders import CANONICAL_RE, format_placeholder

    for entity, number in [("PERSON", 1), ("EMAIL_ADDRESS", 12), ("US_DRIVER_LICENSE", 3), ("IBAN_CODE", 999)]:
        placeholder = format_placeholder(entity, number)
        assert PLACEHOLDER_RE.fullmatch(placeholder) and CANONICAL_RE.fullmatch(placeholder)
    assert PLACEHOLDER_RE.pattern == CANONICAL_RE.pattern


def test_snippet_markers_match_the_vault_and_keep_placeholders_whole() -> None:
    from agentconsole.vault import SNIPPET_END as VAULT_END
    from agentconsole.vault import SNIPPET_START as VAULT_START

    assert (SNIPPET_START, SNIPPET_END) == (VAULT_START, VAULT_END)
    content = snippet_content("my \x02card\x03 <CREDIT_\x02CARD\x03_1> \x1b[2J")
    plain = content.plain.replace("\u2800", " ")
    assert plain == "my card  CREDIT CARD 1  ␛[2J"
    hits = [plain[s.start : s.end] for s in content.spans if s.style == ".search-hit"]
    assert hits == ["card", " CREDIT CARD 1 "]


def test_retry_delay_grows_and_is_capped() -> None:
    delays = [retry_delay(n) for n in range(1, 10)]
    assert delays[:5] == [0, 1, 2, 4, 8]
    assert delays == sorted(delays) and max(delays) == 30


def test_key_table_has_every_required_binding() -> None:
    required = {"ctrl+n", "ctrl+d", "ctrl+s", "ctrl+r", "ctrl+f", "ctrl+l", "escape", "ctrl+q", "enter", "f2", "ctrl+j"}
    assert required <= {k.key for k in keys.KEYS}
    assert len({k.key for k in keys.KEYS}) == len(keys.KEYS)
    assert keys.display_key("ctrl+n") == "Ctrl+N" and keys.display_key("f2") == "F2"


def test_audit_cells_are_shown_as_they_are_never_as_markup() -> None:
    from types import SimpleNamespace

    from agentconsole.ui.screens.audit import entry_row

    entry = SimpleNamespace(
        seq=7,
        time="2026-11-24T10:30:00+00:00",
        actor="alice",
        action="config.change",
        subject="customer:[b]x[/b]",
        details={
            "customer": "CUST-[reverse]EVIL[/reverse]\x1b]0;t\x07",
            "changes": {"compliance.keep_raw_text": [False, True]},
        },
    )
    row = entry_row(entry)
    assert all(not cell.spans and cell.style == "" for cell in row)  # no styling smuggled in
    details = row[5].plain
    assert "CUST-[reverse]EVIL[/reverse]\\u001b]0;t\\u0007" in details  # JSON's escapes, as `audit show` prints
    assert '"compliance.keep_raw_text": [false, true]' in details
    assert row[4].plain == "customer:[b]x[/b]"


def test_the_footer_puts_the_essential_keys_first() -> None:
    order = sorted((k for k in keys.KEYS if k.show), key=lambda k: keys.footer_rank(k.action))
    assert [k.label for k in order[:6]] == ["Send", "Draft", "Summary", "Search", "Reveal", "Help"]
    assert keys.footer_rank("app.help") == keys.footer_rank("help")
    assert any(k.key == "f4" and k.action == "consent" for k in keys.KEYS)
