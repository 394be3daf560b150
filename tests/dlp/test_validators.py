"""Validators against published vectors and hand-checked look-alikes."""

from __future__ import annotations

import base64
import json
import math

import pytest
import re2
from hypothesis import assume, given
from hypothesis import strategies as st

from renlayer_core import apikeys
from renlayer_core.dlp import validators as v
from renlayer_core.dlp.catalog import CATALOG
from renlayer_core.dlp.catalog.fin import CREDIT_CARD, ISSUER_PREFIX
from renlayer_core.errors import PatternInvalid
from tests.dlp.cases import luhn_complete


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("4111111111111111", True),
        ("4111 1111 1111 1111", True),
        ("5500-0000-0000-0004", True),
        ("378282246310005", True),  # Amex test number
        ("79927398713", True),  # the Wikipedia vector
        ("79927398710", False),
        ("4111111111111112", False),
        ("1", False),
    ],
)
def test_luhn(number: str, ok: bool) -> None:
    assert v.luhn(number) is ok


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("GB82WEST12345698765432", True),  # ECBS example
        ("GB82 WEST 1234 5698 7654 32", True),
        ("DE89370400440532013000", True),
        ("FR1420041010050500013M02606", True),
        ("NL91ABNA0417164300", True),
        ("NO9386011117947", True),
        ("GB82WEST12345698765433", False),  # mod-97 fails
        ("DE8937040044053201300", False),  # wrong length for DE
        ("XX82WEST12345698765432", False),  # unknown country
        ("GB00WEST12345698765432", False),  # check digits 00
    ],
)
def test_iban(iban: str, ok: bool) -> None:
    assert v.iban(iban) is ok


@given(st.text(alphabet="0123456789 -", max_size=40))
def test_luhn_matches_the_textbook_definition(value: str) -> None:
    digits = [int(c) for c in value if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 1 else d
    assert v.luhn(value) is (len(digits) >= 2 and total % 10 == 0)


def test_luhn_ignores_non_ascii_digits() -> None:
    assert not v.luhn("²²")


def test_mod97_is_the_raw_check() -> None:
    assert v.mod97("GB82WEST12345698765432")
    assert not v.mod97("GB82-WEST")


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("021000021", True),  # JPMorgan Chase
        ("011000015", True),  # Federal Reserve Boston
        ("121000358", True),  # Bank of America (CA)
        ("021000022", False),
        ("000000000", False),
        ("921000021", False),  # prefix above 80
        ("02100002", False),
    ],
)
def test_aba_routing(number: str, ok: bool) -> None:
    assert v.aba_routing(number) is ok


@pytest.mark.parametrize(
    ("number", "ok"), [("1234567893", True), ("1245319599", True), ("1234567890", False)]
)
def test_npi(number: str, ok: bool) -> None:
    assert v.npi(number) is ok


def test_github_checksum_uses_the_rlk_scheme() -> None:
    body = "A" * 10 + "b" * 10 + "0123456789"
    token = "ghp_" + body + apikeys.checksum(body)
    assert v.github_classic_token(token)
    assert not v.github_classic_token(token[:-1] + ("x" if token[-1] != "x" else "y"))
    assert not v.github_classic_token(token[:-1])
    assert not v.github_classic_token("ghp-" + token[4:])


def test_rlk_key() -> None:
    key = apikeys.generate()
    assert v.rlk_key(key)
    assert not v.rlk_key(key[:-1] + ("a" if key[-1] != "a" else "b"))


@pytest.mark.parametrize(
    ("value", "bits"), [("", 0.0), ("aaaa", 0.0), ("ab", 1.0), ("abcd", 2.0), ("aabb", 1.0)]
)
def test_shannon_entropy_known_values(value: str, bits: float) -> None:
    assert v.shannon_entropy(value) == pytest.approx(bits)


@given(st.text(min_size=1, max_size=64))
def test_entropy_is_bounded_by_log2_of_distinct_chars(value: str) -> None:
    h = v.shannon_entropy(value)
    assert -1e-9 <= h <= math.log2(len(set(value))) + 1e-9


def test_entropy_threshold_helper() -> None:
    check = v.entropy_at_least(3.0)
    assert check("abcdefgh") and not check("aaaabbbb")


@pytest.mark.parametrize(
    "value",
    [
        "${GITHUB_TOKEN}",
        "{{ secrets.token }}",
        "<your-api-key>",
        "$API_KEY",
        "%API_KEY%",
        "xxxxxxxxxxxx",
        "XXXX-XXXX",
        "********",
        "changeme",
        "CHANGE_ME",
        "your_token_here",
        "my-secret-password",
        "sample-value-123",
        "password",
        "TODO",
        "AKIA" + "IOSFODNN7" + "EXAMPLE",
    ],
)
def test_placeholders(value: str) -> None:
    assert v.placeholder(value)


@pytest.mark.parametrize("value", ["Xk9#mP2$vL8q", "q8Zr3LpX0vNw7YtB2mKs", "Tr0ub4dor&3x"])
def test_real_looking_values_are_not_placeholders(value: str) -> None:
    assert not v.placeholder(value)


def test_repeated_and_sequential_guards() -> None:
    assert v.repeated("0000 0000") and v.repeated("xXxX") and not v.repeated("0001")
    assert v.sequential_digits("123456789") and v.sequential_digits("9876-5432")
    assert v.sequential_digits("8901234") and not v.sequential_digits("1357")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("4111 1111 1111 1111", True),
        ("4111-1111 1111-1111", False),  # mixed separators
        ("9111111111111111", False),  # no brand
        ("4222222222222", True),  # Visa 13 (test number)
        ("411111111111111", False),  # Visa has no 15-digit numbers
        ("378282246310005", True),
    ],
)
def test_card_number(value: str, ok: bool) -> None:
    assert v.card_number(value) is ok


def test_card_pattern_admits_exactly_the_issuer_prefixes() -> None:
    """The card regex's leading two digits are the validator's brand table, restated: every
    two-digit prefix some brand range covers is admitted, and no other."""
    covered = {
        f"{p:02d}"
        for (lo, hi), _lengths in v._CARD_BRANDS
        for p in range(lo // 10_000, hi // 10_000 + 1)
    }
    prefix = re2.compile(ISSUER_PREFIX)
    admitted = {f"{p:02d}" for p in range(100) if prefix.fullmatch(f"{p:02d}")}
    assert admitted == covered


@given(st.sampled_from(v._CARD_BRANDS), st.data())
def test_every_card_the_validator_accepts_is_matched(
    brand: tuple[tuple[int, int], tuple[int, ...]], data: st.DataObject
) -> None:
    """Restricting the pattern to issuer prefixes hides no card the validator accepts: any
    in-range, Luhn-valid number of an allowed length is found, bare and grouped by four."""
    (lo, hi), lengths = brand
    length = data.draw(st.sampled_from(lengths))
    rest = data.draw(st.text("0123456789", min_size=length - 7, max_size=length - 7))
    number = luhn_complete(str(data.draw(st.integers(lo, hi))) + rest)
    assume(v.card_number(number))
    regex = re2.compile(CREDIT_CARD.pattern)
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    for text in (number, grouped) if length in (16, 19) else (number,):
        found = regex.search(f"card {text}, thanks")
        assert found is not None and found.group("value") == text


@pytest.mark.parametrize(
    ("value", "ok"),
    [("10.0.0.1", True), ("255.255.255.255", False), ("0.0.0.0", False), ("256.0.0.1", False),
     ("01.2.3.4", False), ("1.2.3", False), ("1.2.3.4.5", False), ("v1.2.3.4", False),
     ("version 1.2.3.4", False)],
)  # fmt: skip
def test_ipv4(value: str, ok: bool) -> None:
    assert v.ipv4(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("2001:db8::1", True), ("::ffff:192.0.2.1", True), ("fe80::1", True), ("::1", False),
     ("A::B", False), ("12:30:45", False), ("1:2:3:4:5:6:7:8:9", False)],
)  # fmt: skip
def test_ipv6(value: str, ok: bool) -> None:
    assert v.ipv6(value) is ok


def _seg(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_jwt() -> None:
    good = _seg({"alg": "HS256"}) + "." + _seg({"sub": "1"}) + "." + "s" * 43
    assert v.jwt(good)
    assert not v.jwt(_seg({"typ": "JWT"}) + "." + _seg({"sub": "1"}) + ".sig")
    assert not v.jwt(_seg({"alg": "HS256"}) + "." + _seg([1, 2]) + ".sig")
    assert not v.jwt("eyJhbGciOi.eyJzdWIi.sig")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("Xk9#mP2$vL8q", True),
        ("9f8e7d6c5b4a39281706f5e4d3c2b1a0", True),
        ("Tr0ub4dor", True),
        ("changeme", False),
        ("access_token", False),
        ("AutoTokenizer.from_pretrained", False),
        ("os.environ", False),
        ("/etc/app/secret.txt", False),
        ("https://auth.example.com/token", False),
        ("12345678", False),
        ("aaaaaaaa1", False),
        ("ghp_" + "a1" * 18, False),
    ],
)
def test_generic_secret(value: str, ok: bool) -> None:
    assert v.generic_secret(value) is ok


def test_basic_credentials() -> None:
    def enc(raw: str) -> str:
        return base64.b64encode(raw.encode()).decode()

    assert v.basic_credentials(enc("deploy:Q7r!x9Lm2p"))
    assert not v.basic_credentials(enc("user:password"))
    assert not v.basic_credentials(enc("nocolon"))
    assert not v.basic_credentials("!!notbase64")


@pytest.mark.parametrize(
    ("value", "ok"),
    [("+1 (415) 555-2671", True), ("020 7946 0958", True), ("0847 4537", False),
     ("415-555-2671 x204", True), ("555-555-5555", False), ("+1 234", False)],
)  # fmt: skip
def test_phone(value: str, ok: bool) -> None:
    assert v.phone(value) is ok


def test_named_validators() -> None:
    assert v.named("luhn") is v.luhn
    assert v.named(" MOD97 ") is v.mod97
    check = v.named("entropy>=3.5")
    assert check("q8Zr3LpX0vNw7YtB") and not check("aaaaaaaaaaaaaaab")
    for bad in ("entropy>=9", "entropy>=0", "sha1", "entropy>3"):
        with pytest.raises(PatternInvalid) as err:
            v.named(bad)
        assert repr(bad) in str(err.value) and err.value.errors[0].path == "validator"


def test_combinators() -> None:
    both = v.all_of(v.luhn, v.not_(v.repeated))
    assert both("4111111111111111") and not both("0000000000000000")


_ALL_VALIDATORS = sorted(
    {spec.validator for spec in CATALOG if spec.validator is not None},
    key=lambda f: f.__name__,
)


@pytest.mark.parametrize("check", _ALL_VALIDATORS, ids=lambda f: f.__name__)
@given(value=st.text(max_size=80) | st.from_regex(r"[0-9 .:\-+()A-Za-z]{0,40}", fullmatch=True))
def test_catalog_validators_never_raise(check: v.Validator, value: str) -> None:
    # A validator that raises would turn into a scan error: with fail-closed that is a denial
    # of service any payload could trigger.
    assert check(value) in (True, False)
