"""Financial data: payment cards, IBANs, US routing numbers. Default action: redact."""

from __future__ import annotations

from typing import Final

from renlayer_core.dlp import validators as v
from renlayer_core.dlp.catalog._parts import LABEL_FILLER, START
from renlayer_core.dlp.spec import DetectorSpec

# 13..19 digits, bare or grouped by spaces/dashes the way cards are printed (4-4-4-4[-3],
# Amex 4-6-5, Diners 4-6-4), starting with a two-digit prefix some issuer uses: order
# numbers, timestamps and ids that begin otherwise never reach the validator (or, on large
# texts, cost a pass over their block: the gate set names this detector only for runs that
# can be cards). The validator checks the exact brand ranges, length, Luhn and filler; a
# test derives these prefixes from its range table.
ISSUER_PREFIX = r"(?:2[2-7]|3[04-9]|4[0-9]|5[1-5]|6[0245])"
_GROUPED = (
    r"[0-9]{2}(?:[ \-][0-9]{4}){3}(?:[ \-][0-9]{1,3})?",
    r"[0-9]{2}[ \-][0-9]{6}[ \-][0-9]{4,5}",
    r"[0-9]{11,17}",
)
CREDIT_CARD = DetectorSpec(
    id="fin.credit_card",
    category="fin",
    title="Payment card number (Luhn, known brand ranges)",
    # A leading "123." or a trailing ".0" is swallowed so that the digits of
    # 2.4999999999999996 or 4031078400000.0 reach the validator as a decimal (and are
    # rejected) instead of as a card number.
    pattern=START
    + r"(?P<value>(?:[0-9]{1,20}\.)?"
    + ISSUER_PREFIX
    + r"(?:"
    + "|".join(_GROUPED)
    + r")(?:\.[0-9]{1,20})?)\b",
    max_len=67,
    validator=v.card_number,
    context_words=(
        "card",
        "credit",
        "debit",
        "visa",
        "mastercard",
        "amex",
        "cc",
        "pan",
        "payment",
        "cardnumber",
        "card_number",
    ),
    confidence=0.85,
    context_boost=0.1,
    default_action="redact",
)

IBAN = DetectorSpec(
    id="fin.iban",
    category="fin",
    title="IBAN (country length and mod-97 verified)",
    pattern=START + r"(?P<value>[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b",
    max_len=45,
    validator=v.iban,
    context_words=("iban", "account", "bank", "konto", "compte", "sepa", "transfer"),
    confidence=0.95,
    context_boost=0.05,
    default_action="redact",
)

_ABA_BODY = r"(?i:routing|aba|rtn|transit)" + LABEL_FILLER + r"\b(?P<value>[0-9]{9})\b"
ABA_ROUTING = DetectorSpec(
    id="fin.aba_routing",
    category="fin",
    title="US bank routing number (ABA checksum, next to its label)",
    pattern=START + _ABA_BODY,
    keywords=("routing", "aba", "rtn", "transit"),
    # The keywords alone hit inside everyday words ("database", "transition"): the gate looks
    # for the label followed by nine digits instead (the pattern without its start anchor).
    trigger=_ABA_BODY.replace("(?P<value>", "("),
    max_len=80,
    validator=v.aba_routing,
    confidence=0.9,
    default_action="redact",
)

DETECTORS: Final[tuple[DetectorSpec, ...]] = (CREDIT_CARD, IBAN, ABA_ROUTING)
