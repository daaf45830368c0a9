"""Names in non-Latin scripts: masked when a cue says so, and only the name (invented examples).

Two levels: the cue grammar alone (``script_names.cue_names``, no model), and the
real engine (shipped NER + second stage), where a span must be exactly the name,
not the greeting or introduction before it, and PII-free text stays unmasked.
"""

from __future__ import annotations

import pytest

from agentconsole.privacy import PrivacyEngine
from agentconsole.privacy.detections import Detection, splits_a_word
from agentconsole.privacy.recognizers.script_names import cue_names


def _names(text: str) -> set[str]:
    return {text[s:e] for _, _, s, e in cue_names(text)}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Здравствуйте, Ульяна! Посылка уже в пункте выдачи.", "Ульяна"),
        ("Меня зовут Савелий Грачёв, не приходит код.", "Савелий Грачёв"),
        ("Уважаемая Таисия Марковна, счёт оплачен.", "Таисия Марковна"),
        ("С уважением,\nЕвсей Дроздов", "Евсей Дроздов"),
        ("Мене звати Ярина Бондар, дякую за відповідь.", "Ярина Бондар"),
        ("Καλησπέρα Θοδωρή, η κάρτα σας εστάλη.", "Θοδωρή"),
        ("Ονομάζομαι Ιφιγένεια Λάσκαρη και χρειάζομαι βοήθεια.", "Ιφιγένεια Λάσκαρη"),
        ("مرحبا ريم، تم تحديث طلبك.", "ريم"),
        ("اسمي مازن قطان ولدي سؤال عن الفاتورة.", "مازن قطان"),
        ("مع تحياتي،\nرنا شلبي", "رنا شلبي"),
        ("שלום יעל, הכרטיס נשלח.", "יעל"),
        ("नमस्ते अर्जुन, आपका टिकट बंद कर दिया गया है।", "अर्जुन"),
        ("मेरा नाम दीपिका रावत है और मुझे रिफंड चाहिए।", "दीपिका रावत"),
        ("我叫邓佳怡，订单一直没有发货。", "邓佳怡"),
        ("您好，欧阳俊先生，您的包裹已签收。", "欧阳俊"),
        ("私は岡田真央です。請求書が届きません。", "岡田真央"),
        ("はじめまして、藤井拓海と申します。", "藤井拓海"),
        ("石川さん、ご連絡ありがとうございます。", "石川"),
        ("저는 장예린입니다. 환불 문의드립니다.", "장예린"),
        ("안녕하세요 도윤 님, 주문이 취소되었습니다.", "도윤"),
        ("감사합니다.\n오세훈 드림", "오세훈"),
    ],
)
def test_cue_announces_the_name_only(text: str, name: str) -> None:
    assert _names(text) == {name}


@pytest.mark.parametrize(
    "text",
    [
        "Здравствуйте! Не могу сменить пароль.",
        "С уважением,\nОтдел продаж",
        "Καλημέρα! Το τιμολόγιο εστάλη.",
        "مرحبا بك في خدمة العملاء.",
        "شكرا لتواصلك معنا.",
        "שלום, החשבונית לא הגיעה.",
        "我叫了快递，但是没有人来。",
        "我是新用户，怎么绑定银行卡？",
        "お客様、ご迷惑をおかけしております。",
        "私は初めて利用します。",
        "주문하신 고객님, 감사합니다.",
        "저는 신규 고객입니다.",
        "Спасибо Вам!",  # a polite capital, not a name
        "Уважаемый Клиент, ваш заказ готов.",
        "よろしくお願いします。\n以上",
        "谢谢\n再见",
        "धन्यवाद,\nसहायता टीम",  # a team signs
        "مع تحياتي،\nفريق الدعم",
        "مرحبا، كيف يمكنني مساعدتك؟",
    ],
)
def test_no_name_without_one(text: str) -> None:
    assert _names(text) == set()


def test_unspaced_scripts_may_be_cut_inside_a_run() -> None:
    text = "私は岡田真央です"
    assert not splits_a_word(text, Detection(2, 6, "PERSON", 0.8))
    assert splits_a_word("Johnson", Detection(0, 4, "PERSON", 0.8))  # Latin words still may not be cut


def _people(engine: PrivacyEngine, text: str) -> list[str]:
    return [text[d.start : d.end] for d in engine.analyze(text) if d.entity_type in ("PERSON", "STREET_ADDRESS")]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Здравствуйте, Ульяна! Посылка уже в пункте выдачи.", ["Ульяна"]),
        ("Меня зовут Савелий Грачёв, не приходит код.", ["Савелий Грачёв"]),
        ("Ονομάζομαι Ιφιγένεια Λάσκαρη και χρειάζομαι βοήθεια.", ["Ιφιγένεια Λάσκαρη"]),
        ("مرحبا ريم، تم تحديث طلبك.", ["ريم"]),
        ("שלום יעל, הכרטיס נשלח.", ["יעל"]),
        ("मेरा नाम दीपिका रावत है और मुझे रिफंड चाहिए।", ["दीपिका रावत"]),
        ("我叫邓佳怡，订单一直没有发货。", ["邓佳怡"]),
        ("私は岡田真央です。請求書が届きません。", ["岡田真央"]),
        ("저는 장예린입니다. 환불 문의드립니다.", ["장예린"]),
        ("Dear राधिका,\nyour refund was sent today.", ["राधिका"]),  # English text: the model's guess stands
    ],
)
def test_engine_masks_the_name_not_the_cue(engine: PrivacyEngine, text: str, names: list[str]) -> None:
    assert _people(engine, text) == names


@pytest.mark.parametrize(
    "text",
    [
        "Привет! Заказ отправлен.",
        "ありがとうございます",
        "شكرا جزيلا على المساعدة!",
        "תודה רבה!",
        "안녕하세요, 비밀번호를 변경하고 싶습니다.",
        "नमस्ते, मेरा ऑर्डर अभी तक नहीं आया।",
        "谢谢，问题已经解决了。",
    ],
)
def test_engine_leaves_pii_free_text(engine: PrivacyEngine, text: str) -> None:
    assert _people(engine, text) == []
