"""Placeholders (``<PERSON_1>``) shown as colour-coded chips, never as values.

Two renderings share one vocabulary of component classes (``chip--person``,
``chip--email``...; styled per theme in ``console.tcss``):

* :func:`chip_content` turns masked plain text into :class:`~textual.content.Content`
  with chip spans (customer, agent and note messages, case titles, snippets);
* :class:`ChipMarkdown` is a :class:`~textual.widgets.Markdown` whose blocks
  turn marker-wrapped placeholders into the same chips (model drafts, which
  are Markdown and arrive streamed).

A revealed message passes ``values`` (placeholder -> real value); the values
are then shown in place of the chips with the ``revealed`` style.

Integrity markers the service writes into model output (``<INVENTED
PHONE_NUMBER_2>``, ``<DAMAGED EMAIL_ADDRESS_1>``, ``<MODEL_INVENTED
PHONE_NUMBER>``) are not customer data: they render as a distinct warning
chip (``chip--warning``, "⚠ INVENTED PHONE NUMBER 2"), are never revealed, and
never count as masked values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from textual.content import Content, Span
from textual.style import Style
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock

from agentconsole import domain
from agentconsole.terminal_text import inert as inert_text

#: Brackets the chip renderer uses as private markers inside Markdown source; user
#: text carrying them is shown with look-alikes so it can never forge a chip.
CHIP_MARKERS = {"⟨": "〈", "⟩": "〉", "⟪": "《", "⟫": "》", "⦃": "❴", "⦄": "❵"}
_MARKER_LOOKALIKES = str.maketrans(CHIP_MARKERS)


def inert(text: str) -> str:
    """:func:`agentconsole.terminal_text.inert`, and chip markers shown as look-alikes."""
    return inert_text(text).translate(_MARKER_LOOKALIKES)


#: The display form of a canonical placeholder, ``<TYPE_N>`` (mirrors the privacy
#: engine's format; tests/ui check both agree).
PLACEHOLDER_RE = domain.PLACEHOLDER_RE

_FAMILIES: dict[str, tuple[str, ...]] = {
    "person": ("PERSON", "NRP"),
    "email": ("EMAIL_ADDRESS",),
    "phone": ("PHONE_NUMBER",),
    "finance": ("CREDIT_CARD", "IBAN_CODE", "SWIFT_CODE", "US_BANK_NUMBER", "ACCOUNT_NUMBER", "CRYPTO"),
    "id": (
        "US_SSN",
        "US_ITIN",
        "US_PASSPORT",
        "PASSPORT",
        "US_DRIVER_LICENSE",
        "DRIVER_LICENSE",
        "MEDICAL_LICENSE",
        "NATIONAL_ID",
        "DATE_OF_BIRTH",
        "UK_NHS",
    ),
    "place": ("STREET_ADDRESS", "LOCATION", "ADDRESS"),
    "net": ("URL", "IP_ADDRESS"),
}
_FAMILY_OF = {entity: family for family, entities in _FAMILIES.items() for entity in entities}
WARNING_CLASS = "chip--warning"
#: Every chip component class (declared by widgets that host chips).
CHIP_CLASSES = frozenset({f"chip--{family}" for family in (*_FAMILIES, "other")} | {"revealed", WARNING_CLASS})

#: An integrity marker (mirrors agentconsole.privacy.streaming.MARKER_RE; tests/ui check both agree).
WARNING_RE = domain.MARKER_RE
_WARNING_WORDS = {"INVENTED": "INVENTED", "DAMAGED": "DAMAGED", "MODEL_INVENTED": "MADE-UP"}
_ANY_RE = re.compile(f"{PLACEHOLDER_RE.pattern}|{WARNING_RE.pattern}")

#: Joins the words of a chip: a blank cell that is not whitespace, so a chip never wraps.
_JOIN = "\u2800"


def chip_class(entity_type: str) -> str:
    """The component class of an entity type's chip."""
    return f"chip--{_FAMILY_OF.get(entity_type, 'other')}"


def chip_label(entity_type: str, number: str | int) -> str:
    """``PERSON 1``: what a chip says (kept on one line)."""
    return f"{entity_type.replace('_', _JOIN)}{_JOIN}{number}"


def placeholder_count(text: str) -> int:
    return len(PLACEHOLDER_RE.findall(text))


def warning_count(text: str) -> int:
    """Invented, damaged and made-up placeholders in ``text`` (what blocks sending it)."""
    return len(WARNING_RE.findall(text))


def warning_label(word: str, entity_type: str, number: str | None) -> str:
    """``⚠ INVENTED PHONE NUMBER 2``: what a warning chip says (kept on one line)."""
    parts = ["⚠", _WARNING_WORDS.get(word, word), entity_type.replace("_", _JOIN)]
    if number:
        parts.append(number)
    return _JOIN.join(parts)


def reveal_click(message_id: int | None) -> Style | None:
    """Click meta that reveals a message (a click on one of its chips)."""
    if message_id is None:
        return None
    return Style.from_meta({"@click": f"screen.reveal_message({message_id})"})


def chip_content(
    text: str,
    values: Mapping[str, str] | None = None,
    *,
    message_id: int | None = None,
) -> Content:
    """Masked ``text`` as Content: chips for placeholders, or values when revealed.

    ``text`` is made inert first. With ``message_id`` a click on a chip reveals
    that message.
    """
    text = inert(text)
    parts: list[str] = []
    spans: list[Span] = []
    position = 0
    click = reveal_click(message_id)
    last = 0
    for match in _ANY_RE.finditer(text):
        before = text[last : match.start()]
        parts.append(before)
        position += len(before)
        last = match.end()
        if match.group(3) is not None:  # an integrity marker: a warning, never a value
            shown = f" {warning_label(match.group(3), match.group(4), match.group(5))} "
            parts.append(shown)
            spans.append(Span(position, position + len(shown), "." + WARNING_CLASS))
            position += len(shown)
            continue
        value = values.get(match.group(0)) if values else None
        if value is not None:
            shown = f" {inert(value)} "
            style = ".revealed"
        else:
            shown = f" {chip_label(match.group(1), match.group(2))} "
            style = "." + chip_class(match.group(1))
        parts.append(shown)
        spans.append(Span(position, position + len(shown), style))
        if click is not None and value is None:
            spans.append(Span(position, position + len(shown), click))
        position += len(shown)
    parts.append(text[last:])
    shown_text = "".join(parts)
    if message_id is not None:  # in a conversation, a KB citation is a link that opens the article (F6 screen)
        for match in _CITATION_RE.finditer(shown_text):
            spans.append(Span(match.start(), match.end(), "underline"))
            spans.append(Span(match.start(), match.end(), citation_click(int(match.group(1)))))
    return Content(shown_text, spans=spans)


_CITATION_RE = re.compile(r"\[KB-([0-9]{1,9})\]")


def citation_click(article_id: int) -> Style:
    """Click meta that opens a knowledge-base article."""
    return Style.from_meta({"@click": f"screen.kb('', {int(article_id)})"})


# --- Markdown ------------------------------------------------------------------------

_MASKED_MARK = ("⟨", "⟩")  # ⟨PERSON_1⟩ in the Markdown source, a chip once rendered
_REVEALED_MARK = ("⟪", "⟫")  # ⟪value⟫ in the Markdown source, a revealed value once rendered
_WARNING_MARK = ("⦃", "⦄")  # ⦃⚠ INVENTED PHONE NUMBER 2⦄ in the Markdown source, a warning chip once rendered
_MARKED_RE = re.compile(r"⟨([A-Z][A-Z0-9_]*)_([0-9]+)⟩|⟪([^⟪⟫]*)⟫|⦃([^⦃⦄]*)⦄")
_MD_PUNCT_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def chip_markdown(text: str, values: Mapping[str, str] | None = None) -> str:
    """Markdown source with placeholders wrapped in private markers (see :class:`ChipMarkdown`).

    Placeholders arrive whole (the service never splits one across deltas), so
    each streamed delta can be converted on its own.
    """

    def mark(match: re.Match[str]) -> str:
        value = values.get(match.group(0)) if values else None
        if value is not None:
            escaped = _MD_PUNCT_RE.sub(r"\\\1", " ".join(inert(value).split()))
            return f"{_REVEALED_MARK[0]}{escaped}{_REVEALED_MARK[1]}"
        return f"{_MASKED_MARK[0]}{match.group(1)}_{match.group(2)}{_MASKED_MARK[1]}"

    def warn(match: re.Match[str]) -> str:
        return f"{_WARNING_MARK[0]}{warning_label(match.group(1), match.group(2), match.group(3))}{_WARNING_MARK[1]}"

    return PLACEHOLDER_RE.sub(mark, WARNING_RE.sub(warn, inert(text)))


def _chipped(content: Content, click: Style | None) -> Content:
    """Restyle the markers of rendered Markdown as chips (length-preserving)."""
    plain = content.plain
    if "⟨" not in plain and "⟪" not in plain and "⦃" not in plain:
        return content
    chars = list(plain)
    spans = list(content.spans)
    for match in _MARKED_RE.finditer(plain):
        start, end = match.span()
        chars[start] = chars[end - 1] = " "
        if match.group(3) is not None:
            spans.append(Span(start, end, ".revealed"))
            continue
        if match.group(4) is not None:
            spans.append(Span(start, end, "." + WARNING_CLASS))
            continue
        for index in range(start + 1, end - 1):
            if chars[index] == "_":
                chars[index] = _JOIN
        spans.append(Span(start, end, "." + chip_class(match.group(1))))
        if click is not None:
            spans.append(Span(start, end, click))
    return Content("".join(chars), spans=spans)


class ChipMarkdown(Markdown):
    """Markdown whose blocks render :func:`chip_markdown` markers as chips."""

    def __init__(self, markdown: str | None = None, *, message_id: int | None = None, **kwargs) -> None:
        super().__init__(markdown, **kwargs)
        self.message_id = message_id

    def get_block_class(self, block_name: str) -> type[MarkdownBlock]:
        return _chip_block(super().get_block_class(block_name))


_block_cache: dict[type[MarkdownBlock], type[MarkdownBlock]] = {}


def _chip_block(base: type[MarkdownBlock]) -> type[MarkdownBlock]:
    cls = _block_cache.get(base)
    if cls is None:

        def set_content(self: MarkdownBlock, content: Content) -> None:
            markdown = self._markdown  # the document the block belongs to (no public accessor before mounting)
            click = reveal_click(getattr(markdown, "message_id", None))
            base.set_content(self, _chipped(content, click))

        cls = type(f"Chip{base.__name__}", (base,), {"set_content": set_content})
        _block_cache[base] = cls
    return cls
