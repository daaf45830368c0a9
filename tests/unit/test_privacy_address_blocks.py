"""Whole address blocks: the lines before and after a detected address that belong to it.

Shapes only (postcode/town/country lines, street lines, libphonenumber's region
names); each case pins the block's exact text, with look-alikes that must not join.
"""

from __future__ import annotations

import pytest

from agentconsole.privacy.recognizers.address_blocks import extend_address, extend_address_back
from agentconsole.privacy.recognizers.places import leading_region_name


def _block(text: str, detected: str) -> str:
    start = text.index(detected)
    end = start + len(detected)
    return text[extend_address_back(text, start) : extend_address(text, start, end)]


@pytest.mark.parametrize(
    ("text", "detected", "block"),
    [
        # a country that opens the next line, the sentence going on after it
        (
            "Please use Mariahilfer Straße 88\n1070 Wien\nÖsterreich from now on.",
            "Mariahilfer Straße 88\n1070 Wien",
            "Mariahilfer Straße 88\n1070 Wien\nÖsterreich",
        ),
        (
            "Rue Neuve 33\n1000 Bruxelles\nBelgium please.",
            "Rue Neuve 33\n1000 Bruxelles",
            "Rue Neuve 33\n1000 Bruxelles\nBelgium",
        ),
        ("12 Main St\nSpringfield\nUnited Kingdom soon", "12 Main St", "12 Main St\nSpringfield\nUnited Kingdom"),
        # the street line before a detected town/postcode line
        (
            "The engineer should visit 3 Chome-5-2 Nishi-Shinjuku\nShinjuku City, Tokyo 160-0023\nJapan",
            "Shinjuku City, Tokyo 160-0023",
            "3 Chome-5-2 Nishi-Shinjuku\nShinjuku City, Tokyo 160-0023\nJapan",
        ),
        ("Return label for Rue Neuve 33\n1000 Bruxelles", "1000 Bruxelles", "Rue Neuve 33\n1000 Bruxelles"),
        ("send to:\nFlat 4, 27 Harrowgate Crescent\nDublin 8", "Dublin 8", "Flat 4, 27 Harrowgate Crescent\nDublin 8"),
        ("address: 42 Kingsway\nCardiff CF10 3FD", "Cardiff CF10 3FD", "42 Kingsway\nCardiff CF10 3FD"),
        # look-alikes: the line before is an id, a step or a sentence; the line after is prose or a sign-off
        ("Order 12345678\nShinjuku City, Tokyo 160-0023", "Shinjuku City, Tokyo 160-0023", None),
        ("Ticket 4471\n1000 Bruxelles", "1000 Bruxelles", None),
        ("Step 2 Open Settings\n10115 Berlin", "10115 Berlin", None),
        ("We talked about it.\n10115 Berlin", "10115 Berlin", None),
        ("Hauptstraße 5\n10115 Berlin\nThanks for the help", "Hauptstraße 5\n10115 Berlin", None),
        ("Hauptstraße 5\n10115 Berlin\nJordan will call you.", "Hauptstraße 5\n10115 Berlin", None),
    ],
)
def test_the_block_is_whole(text: str, detected: str, block: str | None) -> None:
    assert _block(text, detected) == (detected if block is None else block)


@pytest.mark.parametrize(
    ("line", "length"),
    [
        ("Österreich from now on.", len("Österreich")),
        ("United Kingdom, thanks", len("United Kingdom")),
        ("Japan on Tuesday.", len("Japan")),
        ("Janet will call", 0),
        ("japan lower case", 0),
    ],
)
def test_leading_region_name(line: str, length: int) -> None:
    assert leading_region_name(line) == length
