from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renlayer_core.policy.globs import (
    compile_glob,
    glob_problem,
    glob_to_regex,
    literal_prefix,
    literal_suffix,
)
from renlayer_core.policy.naive import glob_match
from tests.policy.strategies import examples

CASES = [
    # any style: * crosses dots and slashes
    ("*.example.com", "any", "a.example.com", True),
    ("*.example.com", "any", "a.b.example.com", True),
    ("*.example.com", "any", "example.com", False),
    ("*.example.com", "any", "badexample.com", False),
    ("db.*", "any", "db.query", True),
    ("db.*", "any", "db.", True),
    ("db.*", "any", "dbxquery", False),
    ("db.?uery", "any", "db.query", True),
    ("db.?uery", "any", "db.uery", False),
    ("shell.exec", "any", "shell.exec", True),
    ("shell.exec", "any", "shell.exec2", False),
    ("*", "any", "", True),
    ("a*b*c", "any", "abc", True),
    ("a*b*c", "any", "aXXbYYc", True),
    ("a*b*c", "any", "aXXbYY", False),
    ("a.b", "any", "aXb", False),  # the dot is literal
    ("(x)+$", "any", "(x)+$", True),
    ("a b#&~-", "any", "a b#&~-", True),
    ("?", "any", "/", True),
    # path style
    ("/v1/*", "path", "/v1/users", True),
    ("/v1/*", "path", "/v1/users/1", False),
    ("/v1/**", "path", "/v1/users/1", True),
    ("/v1/**", "path", "/v1", True),  # "/**" also matches no segment
    ("/v1/admin/**", "path", "/v1/admin", True),
    ("/v1/admin/**", "path", "/v1/admin/", True),
    ("/v1/admin/**", "path", "/v1/adminx", False),
    ("/a/**/b", "path", "/a/b", True),
    ("/a/**/b", "path", "/a/x/y/b", True),
    ("/a/**/b", "path", "/a/x/yb", False),
    ("/v1/a**", "path", "/v1/ab/c", True),
    ("**/c", "path", "/x/y/c", True),
    ("/v?/q", "path", "/v1/q", True),
    ("/v?/q", "path", "/v//q", False),
    ("/*/users/*", "path", "/v1/users/7", True),
    ("/*/users/*", "path", "/v1/users/7/x", False),
]


@pytest.mark.parametrize(("pattern", "style", "text", "expected"), CASES)
def test_glob_semantics(pattern: str, style: str, text: str, expected: bool) -> None:
    assert glob_problem(pattern, style) is None  # type: ignore[arg-type]
    assert compile_glob(pattern, style)(text) is expected  # type: ignore[arg-type]
    assert glob_match(pattern, text, style == "path") is expected


@pytest.mark.parametrize(
    ("pattern", "style", "fragment"),
    [
        ("", "any", "must not be empty"),
        ("a[bc]", "any", "'[', ']' not supported"),
        ("{a,b}", "any", "'{', '}' not supported"),
        ("a\\*", "any", "'\\' not supported"),
        ("/v1/***", "path", "'***' is not a valid wildcard"),
        ("db.**", "any", "'**' is only meaningful in paths"),
        ("a\nb", "any", "control characters"),
        ("x" * 513, "any", "at most 512"),
    ],
)
def test_bad_globs_are_rejected(pattern: str, style: str, fragment: str) -> None:
    problem = glob_problem(pattern, style)  # type: ignore[arg-type]
    assert problem is not None
    assert fragment in problem


def test_literal_parts() -> None:
    assert literal_prefix("db.*x") == "db."
    assert literal_suffix("*.example.com") == ".example.com"
    assert literal_prefix("*x") == ""
    assert literal_suffix("x*") == ""
    assert literal_prefix("plain") == literal_suffix("plain") == "plain"


PATTERN = st.text(alphabet="ab/.*?", max_size=8)
TEXT = st.text(alphabet="ab/.", max_size=10)


@settings(max_examples=examples(500), deadline=None)
@given(PATTERN, TEXT, st.sampled_from(["any", "path"]))
def test_compiled_glob_agrees_with_naive_matcher(pattern: str, text: str, style: str) -> None:
    if glob_problem(pattern, style) is not None:  # type: ignore[arg-type]
        return
    expected = glob_match(pattern, text, style == "path")
    assert compile_glob(pattern, style)(text) is expected  # type: ignore[arg-type]
    # The regex translation itself, through the stdlib engine, as a third opinion.
    rx = re.compile(glob_to_regex(pattern, style), re.DOTALL)  # type: ignore[arg-type]
    assert (rx.fullmatch(text) is not None) is expected


def test_many_stars_use_a_linear_engine() -> None:
    """An agent-controlled string must not make a glob backtrack exponentially."""
    match = compile_glob("*a*a*a*a*a*a*a*b", "any")
    assert match("a" * 5000) is False
    path = compile_glob("/**/a*a*a*a*a*b", "path")
    assert path("/" + "a" * 5000) is False
