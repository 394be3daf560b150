"""The DLP configuration documents: what is accepted, what is rejected and how it is said."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from renlayer_core.dlp import AllowListDef, DetectorConfig, DlpConfig, PatternDef
from renlayer_core.dlp.config import builtin_specs
from renlayer_core.errors import PatternInvalid, ValidationFailed


@pytest.mark.parametrize(
    ("regex", "says"),
    [
        (r"(?=AKIA)[A-Z]+", "lookahead `(?=` is not supported: patterns use RE2 syntax"),
        (r"foo(?!bar)", "negative lookahead `(?!`"),
        (r"(?<=key=)\w+", "lookbehind `(?<=`"),
        (r"(?<!x)y", "negative lookbehind `(?<!`"),
        (r"(a)\1", "backreference `\\1`"),
        (r"(?P<q>['\"]).*(?P=q)", "named backreference `(?P=`"),
        (r"(?<q>a)\k<q>", "named backreference `\\k`"),
        (r"a++b", "possessive quantifier `++`"),
        (r"a{2,}+", "possessive quantifier `}+`"),
        (r"(?>a|ab)c", "atomic group `(?>`"),
        (r"(?(1)a|b)", "conditional group `(?(`"),
        (r"(a(?R)?b)", "recursion `(?R)`"),
        (r"\Gfoo", "anchor `\\G`"),
        (r"(?#note)x", "comment group `(?#`"),
        (r"(?P<n>a)(?P>n)", "named recursion `(?P>`"),
        (r"(?<n>a)(?&n)", "named recursion `(?&`"),
        (r"(?'n'a)", "quoted group name `(?'`"),
        (r"(*FAIL)a", "backtracking verb `(*`"),
        (r"(a(?0)?b)", "recursion `(?0)`"),
        (r"(a(?-1)?b)", "recursion `(?-1)`"),
        (r"\p{L}++", "possessive quantifier `++`"),
    ],
)
def test_non_re2_syntax_is_named(regex: str, says: str) -> None:
    with pytest.raises(PatternInvalid) as info:
        PatternDef(name="p", regex=regex)
    assert says in info.value.message
    assert info.value.errors[0].path == "regex"
    assert info.value.code == "pattern_invalid"


@pytest.mark.parametrize(
    "regex",
    [
        r"\(?=literal",
        r"[(?=]x",
        r"a\+\+",
        r"[?>]+",
        r"(?i)token_[a-z0-9]{8}",
        r"(?P<value>x+)",
        # Valid RE2 that an earlier scanner rejected: the `}` of `\p{…}`/`\x{…}` is not a
        # quantifier's, `\Q…\E` quotes, and `]` right after `[^` or `[:alpha:]` inside a
        # class do not end it.
        r"\p{Greek}+",
        r"\x{41}+",
        r"[\p{L}\x{41}]+",
        r"\Q(?=a++\1\E",
        r"[^](?=]",
        r"[[:alpha:](?=]+",
        r"(?i)(?-i:a)b",
    ],
)
def test_lookalikes_of_unsupported_syntax_are_accepted(regex: str) -> None:
    assert PatternDef(name="p", regex=regex).regex == regex


def test_other_re2_errors_fall_back_to_re2s_message() -> None:
    with pytest.raises(PatternInvalid) as info:
        PatternDef(name="p", regex="a{2000}")
    assert info.value.message.startswith("regex: invalid RE2 pattern: ")
    assert "repetition" in info.value.message


def test_pattern_error_inside_a_config_carries_its_index() -> None:
    doc = {"patterns": [{"name": "ok", "regex": "x"}, {"name": "bad", "regex": "(?=y)"}]}
    with pytest.raises(PatternInvalid) as info:
        DlpConfig.parse(doc)
    assert info.value.errors[0].path == "patterns[1].regex"


def test_unknown_fields_and_wrong_types_are_validation_failures_with_paths() -> None:
    doc = {
        "detectors": [{"type": "secret.aws_access_key", "action": "explode"}],
        "patterns": [{"name": "x", "keywords": ["a"], "colour": "red"}],
    }
    with pytest.raises(ValidationFailed) as info:
        DlpConfig.parse(doc)
    paths = {e.path for e in info.value.errors}
    assert "detectors[0].action" in paths
    assert "patterns[0].colour" in paths
    assert info.value.code == "validation_failed"


def test_unknown_catalog_type_and_duplicates_are_rejected() -> None:
    with pytest.raises(ValidationFailed, match=r"unknown detector type 'secret\.nope'"):
        DlpConfig.parse({"detectors": [{"type": "secret.nope"}]})
    twice = [{"type": "pii.email"}, {"type": "pii.email", "action": "block"}]
    with pytest.raises(ValidationFailed, match="configured twice"):
        DlpConfig.parse({"detectors": twice})
    same = [{"name": "a", "keywords": ["x"]}, {"name": "a", "regex": "y"}]
    with pytest.raises(ValidationFailed, match="pattern name 'a' is used twice"):
        DlpConfig.parse({"patterns": same})


def test_a_pattern_needs_exactly_one_matcher() -> None:
    with pytest.raises(ValidationError, match="either 'regex' or 'keywords'"):
        PatternDef(name="p")
    with pytest.raises(ValidationError, match="either 'regex' or 'keywords'"):
        PatternDef(name="p", regex="x", keywords=("y",))


@pytest.mark.parametrize("validator", ["luhn", "mod97", "entropy>=3.5", "entropy>=8"])
def test_known_validators(validator: str) -> None:
    assert PatternDef(name="p", regex="x", validator=validator).validator == validator


@pytest.mark.parametrize("validator", ["crc32", "entropy>9", "entropy>=9", "LUHN ", "luhn\n"])
def test_unknown_validators_are_pattern_errors(validator: str) -> None:
    with pytest.raises(PatternInvalid, match="unknown validator"):
        PatternDef(name="p", regex="x", validator=validator)


def test_allow_list_fields_are_checked_and_never_echo_values() -> None:
    with pytest.raises(PatternInvalid, match="lookahead"):
        AllowListDef(regexes=("(?=x)",))
    with pytest.raises(ValidationFailed) as info:
        DlpConfig.parse({"allow_lists": [{"fingerprints": ["not-hex"], "values": ["s3cr3t"]}]})
    assert "s3cr3t" not in str(info.value)
    assert info.value.errors[0].path == "allow_lists[0].fingerprints"
    with pytest.raises(ValidationFailed, match="is not a detector id"):
        DlpConfig.parse({"allow_lists": [{"detectors": ["*"]}]})
    ok = AllowListDef(fingerprints=("ab" * 32,), detectors=("secret.*", "pii.email"))
    assert ok.fingerprints == ("ab" * 16,)  # full HMACs are accepted and truncated


def test_custom_pattern_detector_ids_live_under_their_category() -> None:
    assert PatternDef(name="acme-token", regex="x").detector_id == "secret.custom.acme-token"
    assert PatternDef(name="x", category="pii", keywords=("y",)).detector_id == "pii.custom.x"


def test_full_catalog_and_recommended_sets() -> None:
    specs = builtin_specs()
    full = DlpConfig.full_catalog()
    assert [d.type for d in full.detectors] == sorted(specs)
    assert all(d.action is None for d in full.detectors)  # → each type's default action
    rec = {d.type: d.action for d in DlpConfig.recommended().detectors}
    for type_, action in rec.items():
        expected = {"secret": "block", "fin": "redact"}.get(specs[type_].category, "log")
        assert action == expected


def test_documents_round_trip_through_json() -> None:
    config = DlpConfig(
        detectors=(DetectorConfig(type="pii.email", action="redact", redaction="mask"),),
        patterns=(PatternDef(name="proj", keywords=("Bluebird",), action="block"),),
        allow_lists=(AllowListDef(values=("ops@example.com",)),),
    )
    again = DlpConfig.parse(json.loads(config.model_dump_json()))
    assert again == config


def test_documents_are_immutable() -> None:
    det = DetectorConfig(type="pii.email")
    with pytest.raises(ValidationError):
        det.action = "block"


@pytest.mark.parametrize("regex", ["hunter2-allowed(", "hunter2-allowed)", "(?=hunter2-allowed)"])
def test_allow_list_regex_errors_carry_their_index_and_never_echo_the_regex(regex: str) -> None:
    doc = {"allow_lists": [{"values": ["a"]}, {"regexes": ["ok", regex]}]}
    with pytest.raises(PatternInvalid) as info:
        DlpConfig.parse(doc)
    assert info.value.errors[0].path == "allow_lists[1].regexes[1]"
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in json.dumps([e.to_dict() for e in info.value.errors])


def test_a_pattern_too_large_for_the_gate_set_is_rejected_at_write_time() -> None:
    # RE2 compiles it on its own, but a set (which never falls back to the NFA) refuses it.
    with pytest.raises(PatternInvalid) as info:
        DlpConfig.parse(
            {"patterns": [{"name": "ok", "regex": "x"}, {"name": "big", "regex": r"\pL{300}q"}]}
        )
    assert info.value.errors[0].path == "patterns[1].regex"
    assert "too large for the scan gate" in info.value.message
