"""Redaction styles, which actions are redacted, and offsets in the original."""

from __future__ import annotations

from renlayer_core.dlp import DlpConfig, compile_plan
from renlayer_core.dlp.redact import mask_last4
from tests.dlp import cases

KEY = b"redact-fingerprint-key-000000000"


def plan_with(style: str, action: str = "redact"):  # type: ignore[no-untyped-def]
    doc = {
        "detectors": [
            {"type": "secret.github_token", "action": action, "redaction": style},
            {"type": "pii.email", "action": "log"},
        ]
    }
    return compile_plan(DlpConfig.parse(doc), KEY)


def test_placeholder_is_the_default_style() -> None:
    token = cases.github_token()
    out, found = plan_with("placeholder").redact_text(f"t={token};")
    assert out == "t=[REDACTED:secret.github_token];"
    assert (found[0].start, found[0].end) == (2, 2 + len(token))  # offsets in the original


def test_mask_keeps_the_last_four() -> None:
    token = cases.github_token()
    out, _ = plan_with("mask").redact_text(f"t={token}")
    assert out == "t=" + "*" * (len(token) - 4) + token[-4:]
    assert mask_last4("abcdefghijkl") == "********ijkl"
    assert mask_last4("abcdefgh") == "******gh"  # short values keep at most a quarter
    assert mask_last4("abc") == "***"


def test_hash_is_a_fingerprint_prefix_stable_across_payloads() -> None:
    token = cases.github_token()
    plan = plan_with("hash")
    out1, found = plan.redact_text(f"a {token}")
    out2, _ = plan.redact_text(f"b: {token}!")
    tag = f"[HASH:{found[0].fingerprint[:12]}]"
    assert out1 == f"a {tag}" and out2 == f"b: {tag}!"


def test_log_findings_are_recorded_but_not_redacted_by_default() -> None:
    token = cases.github_token()
    text = f"{token} from jane.roe@example.com"
    out, found = plan_with("placeholder", action="block").redact_text(text)
    assert out == "[REDACTED:secret.github_token] from jane.roe@example.com"
    assert [f.action for f in found] == ["block", "log"]
    everything, _ = plan_with("placeholder").redact_text(text, {"block", "redact", "log"})
    assert everything == "[REDACTED:secret.github_token] from [REDACTED:pii.email]"


def test_non_ascii_offsets_in_redaction() -> None:
    token = cases.github_token()
    text = f"日本😀 {token} é"
    out, _ = plan_with("placeholder").redact_text(text)
    assert out == "日本😀 [REDACTED:secret.github_token] é"


def test_clean_text_is_returned_unchanged() -> None:
    text = "nothing to see here"
    out, found = plan_with("placeholder").redact_text(text)
    assert out is text and found == []


def test_the_docs_example_runs_and_says_what_it_shows() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "dlp.md").read_text()
    code = re.search(r"```python\n(.*?)```", doc, re.S)
    assert code is not None
    scope: dict[str, object] = {}
    exec(code.group(1), scope)
    redacted = scope["redacted"]
    assert isinstance(redacted, str) and redacted.startswith("card [REDACTED:fin.credit_card], ")
    assert scope["out"] == "card [REDACTED:fin.credit_card], hi"
