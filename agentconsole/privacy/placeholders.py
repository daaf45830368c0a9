"""Case-stable placeholders: ``<TYPE_N>``, the case mapping, and restoring values.

A placeholder names an entity type and a number that is unique per type within
a case (``<PERSON_1>``, ``<EMAIL_ADDRESS_2>``). The same value (after
normalization: case and whitespace for names and emails, digits for phone and
card numbers...) always gets the same placeholder within a case, so the model
can tell the customer from the colleague they mention, turn after turn.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator

from agentconsole.domain import PLACEHOLDER_RE
from agentconsole.privacy.textprep import split_invisible

#: A canonical placeholder: ``<PERSON_1>``.
CANONICAL_RE = PLACEHOLDER_RE

# What a model does to placeholders: spaces inside, square brackets, lower case,
# a space or dash instead of the last underscore. The type must still be a known
# one in the mapping, so ordinary text in brackets is never rewritten.
TOLERANT_RE = re.compile(
    r"[<\[][ \t]{0,3}([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z][A-Za-z0-9]*)*)[_ \-]([0-9]{1,6})[ \t]{0,3}[>\]]"
)
#: The longest text a damaged placeholder can span (bounds stream hold-back).
MAX_PLACEHOLDER_CHARS = 64

_SPACE_RE = re.compile(r"\s+")
_DIGITS_ONLY = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "US_ITIN", "US_BANK_NUMBER"})
_COMPACT_UPPER = frozenset(
    {
        "IBAN_CODE",
        "SWIFT_CODE",
        "PASSPORT",
        "US_PASSPORT",
        "DRIVER_LICENSE",
        "US_DRIVER_LICENSE",
        "ACCOUNT_NUMBER",
        "NATIONAL_ID",
        "MEDICAL_LICENSE",
    }
)


def normalize_value(entity_type: str, value: str) -> str:
    """The form under which two mentions count as the same value within a case."""
    text = unicodedata.normalize("NFKC", split_invisible(value)[0])
    if entity_type in _DIGITS_ONLY:
        digits = "".join(ch for ch in text if ch.isdigit())
        if entity_type == "PHONE_NUMBER" and len(digits) >= 10:
            # "+1 (555) 010-0199" = "(555) 010-0199", "+44 20 7946 0958" = "020 7946 0958":
            # the subscriber number is the last ten digits; prefixes vary with who writes it.
            return digits[-10:]
        return digits or text.strip().casefold()
    if entity_type in _COMPACT_UPPER:
        compact = "".join(ch for ch in text if ch.isalnum()).upper()
        return compact or text.strip().casefold()
    text = text.strip().strip(".,;:!?").strip()
    return _SPACE_RE.sub(" ", text).casefold()


def format_placeholder(entity_type: str, number: int) -> str:
    """``format_placeholder("PERSON", 1) == "<PERSON_1>"``."""
    return f"<{entity_type}_{number}>"


def parse_placeholder(text: str) -> tuple[str, int] | None:
    """``("PERSON", 1)`` for ``"<PERSON_1>"`` and its usual damaged forms, else None."""
    match = TOLERANT_RE.fullmatch(text.strip())
    if match is None:
        return None
    return match.group(1).upper(), int(match.group(2))


class CaseMapping:
    """The placeholder <-> value table of one case (thread-safe).

    Build it from the vault's rows with :meth:`from_entries`; :meth:`assign`
    returns the existing placeholder of a known value or allocates the next
    number for its type.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._by_placeholder: dict[str, tuple[str, str]] = {}  # placeholder -> (type, value)
        self._by_key: dict[tuple[str, str], str] = {}  # (type, normalized value) -> placeholder
        self._next: dict[str, int] = {}
        self._aliases: dict[tuple[str, str], str] = {}  # name part -> the full name's placeholder ("": ambiguous)

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, str, str]]) -> CaseMapping:
        """A mapping from ``(placeholder, entity_type, value)`` rows (as stored in the vault)."""
        mapping = cls()
        for placeholder, entity_type, value in entries:
            mapping.add(placeholder, entity_type, value)
        return mapping

    def add(self, placeholder: str, entity_type: str, value: str) -> None:
        """Record an existing row; a malformed placeholder raises ``ValueError``."""
        parsed = parse_placeholder(placeholder)
        if parsed is None:
            raise ValueError("not a placeholder of the form <TYPE_N>")
        ptype, number = parsed
        canonical = format_placeholder(ptype, number)
        with self._lock:
            self._by_placeholder[canonical] = (entity_type, value)
            self._by_key.setdefault((entity_type, normalize_value(entity_type, value)), canonical)
            self._next[ptype] = max(self._next.get(ptype, 1), number + 1)
            if entity_type == "PERSON":
                self._alias_parts(value, canonical)

    def _alias_parts(self, value: str, placeholder: str) -> None:
        """ "Jonathan" and "Whitaker" are <PERSON_n> of "Jonathan Whitaker" (a part two people share: nobody's)."""
        from agentconsole.privacy.linking import name_parts

        parts = name_parts(value)
        if len(parts) < 2:
            return
        for part in parts:
            key = ("PERSON", normalize_value("PERSON", part))
            if self._aliases.get(key) == "":
                continue  # already ambiguous
            owner = self._by_key.get(key)
            if owner is None:
                self._by_key[key] = placeholder
                self._aliases[key] = placeholder
            elif owner != placeholder and key in self._aliases:
                self._by_key.pop(key)  # ambiguous now; the first-come row keeps its own exact key
                self._aliases[key] = ""

    def assign(self, entity_type: str, value: str) -> tuple[str, bool]:
        """The placeholder for ``value`` and whether it is new to this case."""
        key = (entity_type, normalize_value(entity_type, value))
        with self._lock:
            existing = self._by_key.get(key)
            if existing is not None:
                return existing, False
            if entity_type == "PERSON":
                earlier = self._same_person(value) or self._earlier_mention(value)
                if earlier is not None:  # "Jonathan" first, "Jonathan Whitaker" later: one person
                    self._by_key[key] = earlier
                    self._alias_parts(value, earlier)
                    return earlier, False
            number = self._next.get(entity_type, 1)
            placeholder = format_placeholder(entity_type, number)
            while placeholder in self._by_placeholder:  # defensive: never reuse a number
                number += 1
                placeholder = format_placeholder(entity_type, number)
            self._next[entity_type] = number + 1
            self._by_placeholder[placeholder] = (entity_type, value)
            self._by_key[key] = placeholder
            if entity_type == "PERSON":
                self._alias_parts(value, placeholder)
            return placeholder, True

    def _same_person(self, value: str) -> str | None:
        """ "J. Whitaker", "WHITAKER Jonathan": every identifying part already names one person."""
        from agentconsole.privacy.linking import name_parts

        parts = name_parts(value)
        if not parts:
            return None
        found = {self._by_key.get(("PERSON", normalize_value("PERSON", part))) for part in parts}
        if len(found) != 1 or None in found:
            return None
        return found.pop()

    def _earlier_mention(self, value: str) -> str | None:
        """The placeholder of a one-word PERSON row that is a part of the full name ``value``."""
        from agentconsole.privacy.linking import name_parts

        parts = name_parts(value)
        if len(parts) < 2:
            return None
        hits = set()
        for part in parts:
            placeholder = self._by_key.get(("PERSON", normalize_value("PERSON", part)))
            if placeholder is not None and ("PERSON", normalize_value("PERSON", part)) not in self._aliases:
                row = self._by_placeholder.get(placeholder)
                if row is not None and len(name_parts(row[1])) <= 1:
                    hits.add(placeholder)
        return hits.pop() if len(hits) == 1 else None

    def placeholder_for(self, entity_type: str, value: str) -> str | None:
        """The existing placeholder of a value, or None (never allocates)."""
        with self._lock:
            return self._by_key.get((entity_type, normalize_value(entity_type, value)))

    def _row(self, placeholder: str) -> tuple[str, str] | None:
        parsed = parse_placeholder(placeholder)
        if parsed is None:
            return None
        with self._lock:
            return self._by_placeholder.get(format_placeholder(*parsed))

    def value_of(self, placeholder: str) -> str | None:
        """The original value behind a placeholder (damaged forms accepted), or None."""
        row = self._row(placeholder)
        return row[1] if row else None

    def placeholders(self) -> dict[str, str]:
        """placeholder -> value, for every entry of the case."""
        with self._lock:
            return {p: value for p, (_, value) in self._by_placeholder.items()}

    def entries(self) -> list[tuple[str, str, str]]:
        """``(placeholder, entity_type, value)`` rows, in allocation order."""
        with self._lock:
            return [(p, t, v) for p, (t, v) in self._by_placeholder.items()]

    def known_values(self) -> Iterator[tuple[str, str, str]]:
        """``(entity_type, value, placeholder)`` for every entry."""
        with self._lock:
            rows = list(self._by_placeholder.items())
        for placeholder, (entity_type, value) in rows:
            yield entity_type, value, placeholder

    def __contains__(self, placeholder: object) -> bool:
        return isinstance(placeholder, str) and self.value_of(placeholder) is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_placeholder)

    def __repr__(self) -> str:  # never the values: they are customer data
        return f"CaseMapping({len(self)} entries)"


def replace_known(text: str, mapping: CaseMapping, restore_values: bool) -> str:
    """Each placeholder the case knows (damaged forms too): its value, or its canonical form."""

    def substitute(match: re.Match[str]) -> str:
        canonical = format_placeholder(match.group(1).upper(), int(match.group(2)))
        value = mapping.value_of(canonical)
        if value is None:
            return match.group(0)
        return value if restore_values else canonical

    return TOLERANT_RE.sub(substitute, text)


def restore(text: str, mapping: CaseMapping) -> str:
    """Put the case's real values back in place of its placeholders.

    Tolerates ``<PERSON_1 >``, ``[PERSON_1]``, ``<person_1>``; a placeholder the
    case does not know is left exactly as it is.
    """
    return replace_known(text, mapping, restore_values=True)


def canonicalize(text: str, mapping: CaseMapping) -> str:
    """Rewrite damaged forms of the case's placeholders as ``<TYPE_N>`` (no values)."""
    return replace_known(text, mapping, restore_values=False)
