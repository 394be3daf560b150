"""Network identifiers: IPv4, IPv6, MAC addresses. Default action: log."""

from __future__ import annotations

from typing import Final

from renlayer_core.dlp import validators as v
from renlayer_core.dlp.catalog._parts import START
from renlayer_core.dlp.spec import DetectorSpec

# The value deliberately swallows look-alike surroundings — a version or document-section
# word before it ("v", "version ", "bump to ", "sections ", "Clause "), a version comparison
# ("==", Debian's "<<"), an annex letter ("B.1.1.1.3"), a fifth dotted part after it, a file
# extension or tag ("1.7.3.1.txt", "11.2.0.4.v3", C's paragraph "5.2.4.2.2p8") and a package
# version's "+"/"~" suffix ("24.3.4.5+dfsg", "1.2.3.4~rc1") — so the validator sees them and
# rejects the whole thing; a plain \b pattern would report the embedded 1.2.3.4. (Measured on
# 45 MB of docs, changelogs and code: a third of the four-part numbers were such versions
# and section numbers.)
_IPV4_VERSION_WORD = (
    r"\b(?i:v|ver|versions?|releases?|build|firmware|sections?|chapters?|paragraphs?|oid"
    r"|clauses?|annex|appendix|spec(?:ification)?|bump(?:s|ed)?)(?:[ ](?i:to|from))?[ .:]{0,2}"
)
IPV4 = DetectorSpec(
    id="net.ipv4",
    category="net",
    title="IPv4 address",
    pattern=(
        r"(?P<value>(?:" + _IPV4_VERSION_WORD + r"|(?:[=<>~!]=|<<|>>)[ ]?|§[ ]?|[A-Za-z]\.)?"
        r"\b[0-9]{1,3}(?:\.[0-9]{1,3}){3,7}"
        r"(?:\.[0-9]{0,3}[A-Za-z][A-Za-z0-9]{0,9}|[+~][0-9A-Za-z]{1,16})?)\b"
    ),
    max_len=72,
    validator=v.ipv4,
    context_words=(
        "ip",
        "ipv4",
        "address",
        "addr",
        "host",
        "server",
        "client",
        "remote",
        "src",
        "dst",
        "from",
    ),
    confidence=0.8,
    context_boost=0.1,
    default_action="log",
)

# Up to 9 groups are taken so that a longer colon run is rejected whole, not cut to 8.
# A valid address has 6+ colons (8 groups, or 6 and a dotted IPv4) or a "::": the first
# alternative takes runs of 6+ colons, the second runs with a "::" — each the same span the
# plain run `H(:H){2,8}` would take from that start — so clock times (12:30:05.250), the most
# common look-alike by far, never become candidates. (The second alternative runs only where
# the first failed, i.e. on runs of at most 5 colons: 3 groups on each side are enough.)
_H6 = r"[0-9A-Fa-f]{0,4}"
IPV6 = DetectorSpec(
    id="net.ipv6",
    category="net",
    title="IPv6 address",
    # Not glued to a word: the character before may not be a letter, digit or `_` (so
    # `text2001:db8::1` and `12345:db8::1` yield nothing whole), and letters or digits right
    # after are swallowed so the validator rejects `fe80::1text` instead of seeing `fe80::1`.
    pattern=(
        r"(?:^|[^0-9A-Za-z_]|\\[nrt])"
        rf"(?P<value>(?:{_H6}(?::{_H6}){{6,8}}|{_H6}(?::{_H6}){{0,3}}::{_H6}(?::{_H6}){{0,3}})"
        r"(?:\.[0-9]{1,3}){0,3}[0-9A-Za-z_]{0,16})"
    ),
    max_len=74,
    validator=v.ipv6,
    context_words=("ip", "ipv6", "address", "addr", "host", "server"),
    confidence=0.8,
    context_boost=0.1,
    default_action="log",
)

MAC = DetectorSpec(
    id="net.mac",
    category="net",
    title="MAC address",
    # Colon and dash forms take up to 8 groups so EUI-64 / longer hex runs are swallowed and
    # rejected by the validator rather than reported as their first six groups.
    pattern=(
        START + r"(?P<value>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5,7}"
        r"|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5,7}"
        r"|(?:[0-9A-Fa-f]{1,8}\.)?[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"
        r"(?:\.[0-9A-Fa-f]{1,8})?)\b"
    ),
    max_len=34,
    validator=v.mac_address,
    context_words=("mac", "ether", "hwaddr", "bssid", "device", "wifi", "bluetooth"),
    confidence=0.7,
    context_boost=0.2,
    default_action="log",
)

DETECTORS: Final[tuple[DetectorSpec, ...]] = (IPV4, IPV6, MAC)
