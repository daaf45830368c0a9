"""Make any text inert before it reaches the terminal.

Customer messages, imported transcripts and model output may carry ANSI
escape sequences, other control characters or bidirectional overrides. They
are shown as visible symbols (ESC as ``␛``, other C0 controls as their
Control Pictures, DEL as ``␡``, C1 and bidi/invisible format characters as
``�``) so the terminal never interprets them and nothing can hide text.
"""

from __future__ import annotations

import re

#: Brackets the chip renderer uses as private markers inside Markdown source; user
#: text carrying them is shown with look-alikes so it can never forge a chip.
CHIP_MARKERS = {"⟨": "〈", "⟩": "〉", "⟪": "《", "⟫": "》", "⦃": "❴", "⦄": "❵"}

_C0 = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_TABLE: dict[int, str] = {
    **_C0,
    0x0D: "",  # CR: drop (CRLF line ends); a lone CR must not rewind the line
    0x7F: "␡",
    **{code: "�" for code in range(0x80, 0xA0)},
    # bidi embeddings/overrides/isolates and invisible format characters
    **{code: "�" for code in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF)},
    **{code: "�" for code in range(0x202A, 0x202F)},
    **{code: "�" for code in range(0x2066, 0x206A)},
    **{ord(k): v for k, v in CHIP_MARKERS.items()},
}
_UNSAFE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")


def inert(text: str) -> str:
    """``text`` with every control, bidi and marker character replaced by a visible symbol.

    Newlines and tabs are kept (tabs are expanded by the widgets).
    """
    if not _UNSAFE_RE.search(text):
        return text
    return text.translate(_TABLE)
