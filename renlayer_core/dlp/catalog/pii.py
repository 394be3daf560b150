"""Personal data: email, phone numbers, US SSN, passport numbers. Default action: log.

Email, phone and SSN have no keywords (every text could hold one), so they go through the
plan's shared RE2 set; their patterns insist on structure (separators, a ``+``, a TLD) to keep
that set's false positives down. Passport numbers are too shapeless to report without the
word "passport" next to them, so the word is part of the pattern and is the keyword.
"""

from __future__ import annotations

from typing import Final

from renlayer_core.dlp import validators as v
from renlayer_core.dlp.catalog._parts import LABEL_FILLER, START
from renlayer_core.dlp.spec import DetectorSpec

EMAIL = DetectorSpec(
    id="pii.email",
    category="pii",
    title="Email address",
    # Local part: the dot-atom characters real addresses use (RFC 5322's rarer ones such as
    # ' = / would turn `name='a@b.io'` into one long match), LDH domain labels, letter TLD.
    # Dots may sit anywhere in the local part so that `john..doe@x.io` is taken whole and
    # rejected by the validator rather than reported as `doe@x.io`; likewise a URL's scheme
    # and userinfo are swallowed (`postgres://u:pw@db.example.com` is not an address), and so
    # is an scp-style `:path` (`git@github.com:org/repo.git` is a remote, not a person).
    pattern=(
        START
        + r"(?P<value>(?:[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s@/]{0,128})?[A-Za-z0-9_%+.\-]{1,64}"
        r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}"
        r"(?::[A-Za-z0-9_~.\-][A-Za-z0-9_~./\-]{0,99})?)\b"
    ),
    keywords=("@",),
    max_len=880,
    lead=218,
    validator=v.email,
    context_words=("email", "e-mail", "mail", "contact", "from", "to", "cc"),
    confidence=0.9,
    context_boost=0.05,
    default_action="log",
)

# Phone numbers: international form with a "+" and 8..15 digits (E.164), or a national form
# with the separators people actually type (US/NANP, UK, DE, FR). Bare digit runs are not
# phone numbers here: they are far more often ids, amounts or timestamps.
_INTL = r"\+[1-9][0-9]{0,3}(?:[ .\-]?(?:\([0-9]{1,5}\)[ .\-]?)?[0-9]{1,5}){1,6}"
# NANP without the real numbering-plan rules (area/exchange 2-9): fictional and generated
# numbers such as 555-123-4567 are what people paste, and separators already keep it precise.
# After a parenthesized area code the rest may also be spaced: (415) 555 2671.
_NANP = (
    r"(?:(?:\+?1|001)[ .\-]?)?"
    r"(?:\([0-9]{3}\)[ .\-]?[0-9]{3}[ .\-]|[0-9]{3}[.\-][0-9]{3}[.\-])[0-9]{4}"
    r"(?: ?(?:(?i:x|ext\.?)|#) ?[0-9]{1,5})?"
)
_NANP_SPACED = r"(?:\+?1 )?[2-9][0-9]{2} [0-9]{3} [0-9]{4}"
_UK = r"0[1-9][0-9]{1,4} [0-9]{3,4} ?[0-9]{3,4}"
_DE = r"\(?0[1-9][0-9]{1,4}\)?[ /\-][0-9]{3,8}(?:[ \-][0-9]{1,5})?"
_FR = r"0[1-9](?:[ .][0-9]{2}){4}"
PHONE = DetectorSpec(
    id="pii.phone",
    category="pii",
    title="Phone number (E.164 and common national forms)",
    pattern=(
        r"(?:^|[^0-9A-Za-z+(.\-/]|\\[nrt])(?P<value>"
        + "|".join((_INTL, _NANP, _NANP_SPACED, _UK, _FR, _DE))
        + r")\b"
    ),
    max_len=91,
    validator=v.phone,
    context_words=(
        "phone",
        "tel",
        "telephone",
        "mobile",
        "cell",
        "call",
        "fax",
        "whatsapp",
        "sms",
        "contact",
        "telefon",
        "handy",
        "téléphone",
        "portable",
    ),
    confidence=0.6,
    context_boost=0.3,
    default_action="log",
)

SSN = DetectorSpec(
    id="pii.us_ssn",
    category="pii",
    title="US Social Security number",
    # The value may swallow a longer digit group so that 123-45-6789-01 lands in the
    # validator (and is rejected) instead of yielding a partial match.
    # Only the dashed form: space-separated 3-2-4 digit triplets are common in tables and
    # number lists, and unformatted 9-digit runs even more so.
    pattern=START + r"(?P<value>[0-9]{3}-[0-9]{2}-[0-9]{4}(?:-[0-9]{1,4})?)\b",
    max_len=18,
    validator=v.us_ssn,
    context_words=(
        "ssn",
        "social security",
        "social security number",
        "ss#",
        "ssn#",
        "taxpayer",
        "tin",
    ),
    confidence=0.7,
    context_boost=0.25,
    default_action="log",
)

PASSPORT = DetectorSpec(
    id="pii.passport",
    category="pii",
    title="Passport number (next to the word passport)",
    pattern=(
        START
        + r"(?i:passport|passeport|reisepass|pasaporte|passaporto|paspoort)"
        + LABEL_FILLER
        + r"\b(?P<value>[A-Z]{0,2}[0-9]{6,9}|[0-9]{2}[A-Z]{2}[0-9]{5}"
        + r"|[CFGHJK][0-9CFGHJKLMNPRTVWXYZ]{8})\b"
    ),
    keywords=("passport", "passeport", "reisepass", "pasaporte", "passaporto", "paspoort"),
    max_len=80,
    validator=v.passport_number,
    confidence=0.8,
    default_action="log",
)

DETECTORS: Final[tuple[DetectorSpec, ...]] = (EMAIL, PHONE, SSN, PASSPORT)
