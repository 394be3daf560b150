"""Path normalisation is shared by the decision table and its naive twin (both read the
request's ``path_key``), so a bug there would hide in both: check it against its own naive
twin, RFC 3986 §5.2.4 and §6.2.2 transcribed step by step."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renlayer_core.policy.request import normalize_path
from tests.policy.strategies import examples

UNRESERVED = string.ascii_letters + string.digits + "-._~"


def _decode_unreserved(path: str) -> str:
    out, i = [], 0
    while i < len(path):
        hexpair = path[i + 1 : i + 3]
        if path[i] == "%" and len(hexpair) == 2 and all(c in string.hexdigits for c in hexpair):
            char = chr(int(hexpair, 16))
            out.append(char if char in UNRESERVED else "%" + hexpair.upper())
            i += 3
        else:
            out.append(path[i])
            i += 1
    return "".join(out)


def _remove_last_segment(out: str) -> str:
    return out[: out.rfind("/")] if "/" in out else ""


def remove_dot_segments(inp: str) -> str:
    """RFC 3986 §5.2.4, rule by rule."""
    out = ""
    while inp:
        if inp.startswith("../"):
            inp = inp[3:]
        elif inp.startswith("./"):
            inp = inp[2:]
        elif inp.startswith("/./"):
            inp = "/" + inp[3:]
        elif inp == "/.":
            inp = "/"
        elif inp.startswith("/../"):
            inp = "/" + inp[4:]
            out = _remove_last_segment(out)
        elif inp == "/..":
            inp = "/"
            out = _remove_last_segment(out)
        elif inp in (".", ".."):
            inp = ""
        else:
            end = inp.find("/", 1 if inp.startswith("/") else 0)
            end = len(inp) if end < 0 else end
            out, inp = out + inp[:end], inp[end:]
    return out


def reference(path: str) -> str:
    for sep in ("?", "#"):
        path = path.partition(sep)[0]
    return remove_dot_segments(_decode_unreserved(path))


PIECES = ["/", "/", ".", "..", "a", "b", "%2e", "%2E", "%61", "%2f", "%", "%zz", "?q=/..", "#f"]


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_normalize_path_matches_rfc_3986(pieces: list[str]) -> None:
    path = "/" + "".join(pieces)
    assert normalize_path(path) == reference(path)


@pytest.mark.parametrize(
    ("path", "key"), [("//.", "//"), ("/a//.", "/a//"), ("/a/..//b", "//b"), ("/..", "/")]
)
def test_empty_segments_survive_dot_removal(path: str, key: str) -> None:
    assert normalize_path(path) == reference(path) == key
