"""Presidio's predefined pattern and rule recognizers, with a blank spaCy pipeline.

No model is downloaded: a blank English pipeline (tokenizer only) is saved to a temporary
directory and Presidio's spaCy engine loads it from there. Every predefined recognizer is kept
except the NER one (``SpacyRecognizer``), which has nothing to work with in a blank pipeline:
what remains is the regex-with-validator recognizers plus ``PhoneRecognizer`` (the
``phonenumbers`` matcher). Context words still raise scores through Presidio's lemma-based
enhancer, which sees tokens but no lemmas here. ``analyze`` runs with its default score
threshold (0), as in Presidio's documentation.

Presidio's email validation calls ``tldextract``, which fetches the public-suffix list over
the network on first use; we point it at the snapshot bundled with ``tldextract`` instead.
"""

from __future__ import annotations

import tempfile
from importlib.metadata import version
from types import SimpleNamespace
from typing import Any

from benchmarks.dlp_peers import Hit, Scan

label = "presidio"
INPUT = "text"
TYPE_MAP: dict[str, tuple[str, ...]] = {
    "EMAIL_ADDRESS": ("pii.email",),
    "PHONE_NUMBER": ("pii.phone",),
    "US_SSN": ("pii.us_ssn",),
    "CREDIT_CARD": ("fin.credit_card",),
    "IBAN_CODE": ("fin.iban",),
    "ABA_ROUTING_NUMBER": ("fin.aba_routing",),
    "IP_ADDRESS": ("net.ipv4", "net.ipv6"),
    "MAC_ADDRESS": ("net.mac",),
    "US_PASSPORT": ("pii.passport",),
}


def load() -> dict[str, str]:
    import presidio_analyzer  # noqa: F401
    import spacy  # noqa: F401

    return {"presidio-analyzer": version("presidio-analyzer"), "spacy": version("spacy")}


def _offline_tldextract() -> None:
    import tldextract
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    offline = tldextract.TLDExtract(suffix_list_urls=())
    email_recognizer.tldextract = SimpleNamespace(extract=offline)  # type: ignore[attr-defined,assignment]


def _engine() -> Any:
    import spacy
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    path = tempfile.mkdtemp(prefix="renlayer-bench-spacy-")
    spacy.blank("en").to_disk(path)
    config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": path}]}
    engine: Any = NlpEngineProvider(nlp_configuration=config).create_engine()
    engine.nlp["en"].max_length = 4_000_000  # the 1 MB text is over spaCy's default bound
    return engine


def setup() -> Scan:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    _offline_tldextract()
    engine = _engine()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    registry.recognizers = [r for r in registry.recognizers if not isinstance(r, SpacyRecognizer)]
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])

    def scan(text: str) -> list[Hit]:
        return [(r.entity_type, r.start, r.end) for r in analyzer.analyze(text, language="en")]

    return scan


def prepare(text: str) -> str:
    return text


def type_map() -> dict[str, tuple[str, ...]]:
    return TYPE_MAP
