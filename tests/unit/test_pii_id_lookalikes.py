"""Id look-alikes after account words and '#' (issue 11, item 3): counts, amounts, stock and colour numbers.

Each rule is tested on both sides: the look-alike is no ACCOUNT_NUMBER, the real id next to it still is.
"""

from __future__ import annotations

import pytest

from agentconsole.privacy.recognizers.identifiers import AccountNumberRecognizer, DocumentNumberRecognizer


def _accounts(text: str) -> list[str]:
    return sorted({text[r.start : r.end] for r in AccountNumberRecognizer().find(text, None)})


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to order 2 15m HDMI cables.",
        "Can I return 3 128GB cards that don't fit?",
        "We need to order 10 500g bags of coffee.",
        "Please order 25 27-inch monitors for floor 3.",
        "Order 12 24-packs of AA batteries.",
    ],
)
def test_a_count_and_a_unit_are_no_grouped_id(text: str) -> None:
    assert _accounts(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("order no. 55 2031 884 never arrived", "55 2031 884"),
        ("Customer ID: CU 4482 9910", "CU 4482 9910"),
        ("ticket 4471 2290 - still no callback", "4471 2290"),
        ("order 4471 2290 15m cable missing", "4471 2290"),
    ],
)
def test_grouped_ids_keep_their_groups(text: str, value: str) -> None:
    assert _accounts(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "An order of 1500 units arrives in week 14.",
        "We received an invoice of 1200 EUR for the upgrade.",
        "Our claim of 2500 GBP was approved.",
        "Please order 4000 units before Friday.",
    ],
)
def test_a_quantity_or_amount_after_an_account_word_is_no_id(text: str) -> None:
    assert _accounts(text) == []


def test_an_id_after_of_with_separators_still_counts() -> None:
    assert _accounts("a refund on the order of 4471-2290-13") == ["4471-2290-13"]


@pytest.mark.parametrize(
    "text",
    [
        "SKU #44120 is out of stock until June.",
        "Part #55120-A is the replacement hinge.",
        "Batch #20931 of the chargers was recalled.",
        "Lot #88120 had faulty cables.",
        "Store #10442 in the mall has the demo units.",
        "Serial #4471209 is on the sticker.",
        "Body text should be #333333 on a #F5F5F5 background.",
        "Set the text colour to #222222.",
        "Tracking #4471209 shows it in the depot.",
        "tracking number 00340434161234567890 says delivered",
        "tracking ref: LX199246A",
    ],
)
def test_stock_colour_and_tracking_numbers_are_no_case_numbers(text: str) -> None:
    assert _accounts(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Following up on #830112 - the refund still hasn't arrived.", "#830112"),
        ("Any news on my ticket? It's #55120.", "#55120"),
        ("Can you merge ticket #77120 into #77121?", "#77121"),
    ],
)
def test_case_numbers_without_their_word_still_count(text: str, value: str) -> None:
    assert value in _accounts(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Hi, following up on my claim. Claim number CL/2291/0044.", "CL/2291/0044"),
        ("Here's my order confirmation: 114-2290183-7746021", "114-2290183-7746021"),
    ],
)
def test_a_cue_swallowed_by_the_previous_match_still_counts(text: str, value: str) -> None:
    assert value in _accounts(text)


@pytest.mark.parametrize(
    "text",
    ["You will get the confirmation in 24hrs.", "Orders in 48hrs, bookings in 30mins."],
)
def test_a_lower_case_duration_is_no_booking_code(text: str) -> None:
    assert _accounts(text) == []


def test_lower_case_booking_code_still_counts() -> None:
    assert _accounts("my booking reference is b7kq21") == ["b7kq21"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("My national insurance number is NR 71 03 44 D.", "NR 71 03 44 D"),
        ("NI number: NO 12 34 56 A", "NO 12 34 56 A"),
        ("NI number JT 48 22 91 B, for payroll", "JT 48 22 91 B"),
    ],
)
def test_national_insurance_number_keeps_its_letters(text: str, value: str) -> None:
    found = [text[r.start : r.end] for r in DocumentNumberRecognizer().find(text, None)]
    assert found == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Background: customer called twice about #553201.", "#553201"),
        ("order 44712 European warehouse says no stock", "44712"),
        ("order 4471290 items were damaged", "4471290"),
    ],
)
def test_look_alike_checks_leave_real_ids_alone(text: str, value: str) -> None:
    assert value in _accounts(text)
