"""`when` field references: parsed once, shared by validation, the table and the twin."""

from __future__ import annotations

import pytest

from renlayer_core.policy.fields import FieldRef, parse_field


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("args", FieldRef("args", "args")),
        ("args.amount", FieldRef("args.amount", "args", ("amount",))),
        ("args.items[0].id", FieldRef("args.items[0].id", "args", ("items", 0, "id"))),
        ("args[2]", FieldRef("args[2]", "args", (2,))),
        ('args["a.b"].c', FieldRef('args["a.b"].c', "args", ("a.b", "c"))),
        ('body["size"]', FieldRef('body["size"]', "body", ("size",))),
        ("body.size", FieldRef("body.size", "body.size")),
        ("body.sizes", FieldRef("body.sizes", "body", ("sizes",))),
        ("header.X-Env", FieldRef("header.X-Env", "header", header="x-env")),
        ("session.trace_count", FieldRef("session.trace_count", "session.trace_count")),
        ("time.hour", FieldRef("time.hour", "time.hour")),
        ("time.weekday", FieldRef("time.weekday", "time.weekday")),
    ],
)
def test_parse_field(text: str, ref: FieldRef) -> None:
    assert parse_field(text) == ref


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("argsx", "unknown field"),
        ("time.minute", "unknown field"),
        ("session.id", "unknown field"),
        ("header.", "not a valid header name"),
        ("header.a:b", "not a valid header name"),
        ("args.", "bad path"),
        ("args..a", "bad path"),
        ("args.a[-1]", "bad path"),
        ("args.a[x]", "bad path"),
        ('args["unclosed]', "bad path"),
        ("args.a b", "bad path"),
        ("args." + "a" * 300, "at most 256"),
    ],
)
def test_bad_fields(text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_field(text)
    assert fragment in str(info.value)
