"""Our recognizers (names, addresses, identifiers) and the Presidio ones we keep.

:func:`build_recognizers` is the one place that decides which recognizers run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer

from agentconsole.privacy.recognizers.addresses import StreetAddressRecognizer
from agentconsole.privacy.recognizers.base import SupportRecognizer
from agentconsole.privacy.recognizers.cue_names import CueNameRecognizer
from agentconsole.privacy.recognizers.identifiers import (
    AccountNumberRecognizer,
    BankingRecognizer,
    CredentialRecognizer,
    DateOfBirthRecognizer,
    DocumentNumberRecognizer,
    EmailAddressRecognizer,
    WebLinkRecognizer,
)
from agentconsole.privacy.recognizers.model_entities import ModelEntityRecognizer
from agentconsole.privacy.recognizers.names import ContextNameRecognizer
from agentconsole.privacy.recognizers.phones import DEFAULT_PHONE_REGIONS, PhoneMatcherRecognizer
from agentconsole.privacy.recognizers.script_names import ScriptNameRecognizer

if TYPE_CHECKING:
    from agentconsole.config import CustomRecognizer

log = logging.getLogger("agentconsole.privacy")

#: Presidio recognizers that work well on support traffic, on by default.
DEFAULT_PRESIDIO_RECOGNIZERS = (
    "CreditCardRecognizer",
    "CryptoRecognizer",
    "IpRecognizer",
    "UsItinRecognizer",
    "MedicalLicenseRecognizer",
)
# Presidio's EmailRecognizer and UrlRecognizer are replaced by ours: its TLD check
# drops internal domains, its URL recognizer flags every e-mail's domain, and both
# trigger a context lookup that is quadratic in the size of a pasted text.
# Off unless `privacy.enable_recognizers` names them (by class name or entity type):
# UK_NHS (NhsRecognizer) fires on ordinary 10-digit phone numbers, UsLicenseRecognizer
# and UsBankRecognizer on order numbers, and Presidio's own spaCy recognizer is
# replaced by ModelEntityRecognizer (our NER, explicit label filter, cleaned spans).
OFF_BY_DEFAULT_NOTE = (
    "UK_NHS, US_DRIVER_LICENSE, US_BANK_NUMBER, US_PASSPORT, country-specific ids, Presidio's e-mail/URL"
)


def own_recognizers(phone_regions: Iterable[str] | None = None) -> list[SupportRecognizer]:
    """Our recognizers: the trained NER's spans, then shape-and-context patterns.

    ``phone_regions``: where national phone numbers are checked (None: a broad default).
    """
    return [
        ModelEntityRecognizer(),
        ContextNameRecognizer(),
        CueNameRecognizer(),
        ScriptNameRecognizer(),
        StreetAddressRecognizer(),
        AccountNumberRecognizer(),
        DateOfBirthRecognizer(),
        DocumentNumberRecognizer(),
        BankingRecognizer(),
        PhoneMatcherRecognizer(phone_regions or DEFAULT_PHONE_REGIONS),
        EmailAddressRecognizer(),
        WebLinkRecognizer(),
        CredentialRecognizer(),
    ]


def _presidio_classes() -> dict[str, Callable[[], EntityRecognizer]]:
    import presidio_analyzer.predefined_recognizers as predefined

    return {
        name: getattr(predefined, name)
        for name in dir(predefined)
        if name.endswith("Recognizer") and isinstance(getattr(predefined, name), type)
    }


_NOT_CONFIGURABLE = {
    # Remote or model-based: they would download or call out.
    "AzureAILanguageRecognizer",
    "AzureHealthDeidRecognizer",
    "AzureOpenAILangExtractRecognizer",
    "BasicLangExtractRecognizer",
    "GLiNERRecognizer",
    "HuggingFaceNerRecognizer",
    "LangExtractRecognizer",
    "MedicalNERRecognizer",
    "StanzaRecognizer",
    "TransformersRecognizer",
    "SpacyRecognizer",
}


def presidio_recognizers(enable: Iterable[str]) -> tuple[list[EntityRecognizer], set[str]]:
    """Presidio's recognizers we keep, plus those enabled in config (by class name or entity).

    Returns the recognizers and the entity types the enabled extras add to the policy.
    """
    classes = _presidio_classes()
    chosen = [classes[name]() for name in DEFAULT_PRESIDIO_RECOGNIZERS]
    extra_entities: set[str] = set()
    for wanted in enable:
        matched = False
        for name, cls in classes.items():
            if name in _NOT_CONFIGURABLE or name in DEFAULT_PRESIDIO_RECOGNIZERS:
                continue
            try:
                instance = None
                if name == wanted:
                    instance = cls()
                else:
                    entities = getattr(cls, "SUPPORTED_ENTITIES", None) or []
                    if not entities:
                        probe = cls()
                        entities = probe.supported_entities
                        if wanted in entities:
                            instance = probe
                    elif wanted in entities:
                        instance = cls()
            except Exception:  # a recognizer that cannot be built offline is skipped
                log.warning("cannot enable Presidio recognizer %s", name)
                continue
            if instance is not None and instance.supported_language == "en":
                chosen.append(instance)
                extra_entities.update(instance.supported_entities)
                matched = True
        if not matched:
            log.warning("privacy.enable_recognizers: no English Presidio recognizer matches %r", wanted)
    return chosen, extra_entities


def custom_recognizers(specs: Iterable[CustomRecognizer]) -> list[PatternRecognizer]:
    """Deployment patterns from ``[[privacy.custom_recognizers]]`` (name, regex, entity_type, context, score)."""
    recognizers = []
    for spec in specs:
        recognizers.append(
            PatternRecognizer(
                supported_entity=spec.entity_type,
                name=spec.name,
                patterns=[Pattern(name=spec.name, regex=spec.regex, score=spec.score)],
                context=list(spec.context),  # empty: no context words (Presidio reads [] and None alike)
                supported_language="en",
            )
        )
    return recognizers
