"""The action request (SPEC §4): parsed once into a slotted record shaped for the hot path.

Matching keys are precomputed here so evaluation never normalises: the method upper-cased,
the host lower-cased without port or trailing dot, the path without query string and with
``.``/``..`` segments resolved, the agent's id and ``label:`` keys in one tuple.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any, Final

from renlayer_core.errors import FieldError, InvalidId, ValidationFailed
from renlayer_core.ids import parse_id
from renlayer_core.policy.model import describe
from renlayer_core.policy.shape import shape_problem
from renlayer_core.policy.text import clean_error
from renlayer_core.policy.uri import normalize_percent

KINDS: Final = ("http", "llm", "tool")
_FIELDS: Final = frozenset(
    {
        "agent", "kind", "upstream", "tool", "args", "method", "host", "path", "model",
        "headers", "body", "findings", "session", "time",
    }
)  # fmt: skip
_TEXT_FIELDS: Final = ("upstream", "tool", "method", "host", "path", "model")
_RFC3339: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})"
)
MAX_DEPTH: Final = 64
MAX_INT: Final = 10**300
# RFC 9110 token: what an HTTP method may be made of.
_METHOD: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_PERCENT: Final = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class ActionRequest:
    """One action, as policies see it. Build it with ``parse_request``; in-process callers that
    already hold validated values (the proxy, the engine) may call the constructor directly:
    it normalises but does not validate."""

    __slots__ = (
        "_body_size", "agent_id", "agent_keys", "args", "body", "findings", "headers", "host",
        "host_key", "hour", "kind", "labels", "method", "method_key", "model", "path", "path_key",
        "raw_time", "time", "tool", "trace_count", "upstream", "weekday",
    )  # fmt: skip

    def __init__(
        self,
        *,
        agent_id: str,
        kind: str,
        labels: tuple[str, ...] = (),
        upstream: str | None = None,
        tool: str | None = None,
        args: Any = None,
        method: str | None = None,
        host: str | None = None,
        path: str | None = None,
        model: str | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
        findings: tuple[str, ...] = (),
        trace_count: int | None = None,
        time: datetime | None = None,
    ) -> None:
        self.agent_id = agent_id
        self.labels = labels
        self.agent_keys: tuple[str, ...] = (agent_id, *("label:" + lab for lab in labels))
        self.kind = kind
        self.upstream = upstream
        self.tool = tool
        self.args = args
        self.method = method
        # ASCII only: str.upper() maps "ſ" to "S", and "poſt" is not POST.
        self.method_key = _ascii_upper(method) if method is not None else None
        self.host = host
        self.host_key = normalize_host(host) if host is not None else None
        self.path = path
        self.path_key = normalize_path(path) if path is not None else None
        self.model = model
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.body = body
        self.findings = findings
        self.trace_count = trace_count
        when = (time or datetime.now(UTC)).astimezone(UTC)
        self.time = when
        self.raw_time = when.isoformat().replace("+00:00", "Z")
        self.hour = when.hour
        self.weekday = when.weekday()
        self._body_size = -1

    @property
    def body_size(self) -> int:
        """Bytes of the body: UTF-8 of a text body, canonical JSON of any other; 0 if none.
        Computed on first use (only policies that test ``body.size`` pay for it)."""
        if self._body_size < 0:
            from renlayer_core.policy.digest import canonical_json

            body = self.body
            if body is None:
                size = 0
            elif isinstance(body, str):
                size = len(body.encode("utf-8"))
            else:
                size = len(canonical_json(body))
            self._body_size = size
        return self._body_size

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent": {"id": self.agent_id, "labels": list(self.labels)},
            "kind": self.kind,
            "upstream": self.upstream,
            "tool": self.tool,
            "args": self.args,
            "method": self.method,
            "host": self.host,
            "path": self.path,
            "model": self.model,
            "headers": dict(self.headers),
            "body": self.body,
            "findings": list(self.findings),
            "session": {"trace_count": self.trace_count},
            "time": self.raw_time,
        }


def _ascii_upper(text: str) -> str:
    return (
        text.upper() if text.isascii() else "".join(c.upper() if c.isascii() else c for c in text)
    )


def normalize_host(host: str) -> str:
    """Lower-case; drop a port and a trailing dot; unwrap ``[ipv6]``."""
    h = host.strip().lower()
    if h.startswith("["):
        end = h.find("]")
        return h[1:end] if end > 0 else h
    if h.count(":") == 1:
        h = h.partition(":")[0]
    return h.rstrip(".")


def normalize_path(path: str) -> str:
    """Drop query and fragment; decode percent-encoded unreserved characters and upper-case
    the hex of the others (RFC 3986 §6.2.2); resolve dot segments (§5.2.4). So
    ``/v1/public/%2e%2e/%61dmin`` is matched as the ``/v1/admin`` the upstream will serve."""
    for sep in ("?", "#"):
        path = path.partition(sep)[0]
    path = normalize_percent(path)
    absolute = path.startswith("/")
    segments = path.split("/")[1:] if absolute else path.split("/")
    last = len(segments) - 1
    out: list[str] = []
    for i, seg in enumerate(segments):
        if seg == "..":
            if out:
                out.pop()
        elif seg != ".":
            out.append(seg)
            continue
        if i == last:  # "/a/b/.." is "/a/": the trailing slash stays
            out.append("")
    result = "/".join(out)
    return "/" + result if absolute else result


def parse_request(data: object) -> ActionRequest:
    """Validate an action request (SPEC §4 JSON shape); ``ValidationFailed`` lists every bad
    field with its path."""
    errors: list[FieldError] = []
    if not isinstance(data, dict):
        raise ValidationFailed(
            [
                clean_error(
                    FieldError("", "an action request is an object", "an object", describe(data))
                )
            ]
        )
    # Text that is not Unicode anywhere (a lone surrogate) would break matching later.
    bad_text = shape_problem(data, MAX_DEPTH + 2)
    if bad_text is not None and "Unicode" in bad_text.message:
        errors.append(bad_text)
    for key in data:
        if key not in _FIELDS:
            errors.append(FieldError(_name(key), f"unknown field '{_name(key)}'", "a known field"))
    agent_id, labels = _agent(data.get("agent"), errors)
    kind = data.get("kind")
    if kind not in KINDS:
        errors.append(
            FieldError("kind", "must be http, llm or tool", "http, llm or tool", describe(kind))
        )
    text = {name: _text(data, name, errors) for name in _TEXT_FIELDS}
    if text["method"] is not None and not _METHOD.fullmatch(text["method"]):
        errors.append(
            FieldError(
                "method", "is not an HTTP method", "an HTTP token such as POST",
                describe(text["method"]),
            )
        )  # fmt: skip
    headers = _headers(data.get("headers"), errors)
    findings = _findings(data.get("findings"), errors)
    trace_count = _session(data.get("session"), errors)
    when = _time(data.get("time"), errors)
    for name in ("args", "body"):
        problem = json_problem(data.get(name), name, 0)
        if problem is not None:
            errors.append(problem)
    if errors:
        raise ValidationFailed([clean_error(e) for e in errors])
    return ActionRequest(
        agent_id=agent_id, labels=labels, kind=str(kind), args=data.get("args"),
        body=data.get("body"), headers=headers, findings=findings, trace_count=trace_count,
        time=when, **text,
    )  # fmt: skip


def _agent(value: object, errors: list[FieldError]) -> tuple[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        errors.append(FieldError("agent", "is required", "an object with 'id'", describe(value)))
        return "", ()
    for key in value:
        if key not in ("id", "labels", "name"):
            name = _name(key)
            errors.append(FieldError(f"agent.{name}", f"unknown field '{name}'", "id or labels"))
    agent_id = ""
    try:
        agent_id = parse_id(value.get("id"), "agent")
    except InvalidId as exc:
        errors.append(FieldError("agent.id", exc.message, "an agent id (agent_<ULID>)"))
    labels = value.get("labels", [])
    if labels is None:
        labels = []
    if not isinstance(labels, list):
        errors.append(FieldError("agent.labels", "must be a list", "a list", describe(labels)))
        return agent_id, ()
    for i, lab in enumerate(labels):
        if not isinstance(lab, str) or "=" not in lab or lab.startswith("="):
            errors.append(
                FieldError(f"agent.labels[{i}]", "must be key=value", "key=value", describe(lab))
            )
    return agent_id, tuple(lab for lab in labels if isinstance(lab, str))


def _name(key: object) -> str:
    """A field name as given, or a description of a key that is not text."""
    return key if isinstance(key, str) else describe(key)


def _text(data: dict[str, Any], name: str, errors: list[FieldError]) -> Any:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        errors.append(FieldError(name, "must be text or null", "text", describe(value)))
        return None
    return value


def _headers(value: object, errors: list[FieldError]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append(FieldError("headers", "must be an object", "an object", describe(value)))
        return {}
    seen: dict[str, str] = {}
    for key, val in value.items():
        if not isinstance(key, str):
            errors.append(FieldError("headers", "header names are text", "text", describe(key)))
        elif not isinstance(val, str):
            errors.append(FieldError(f"headers.{key}", "must be text", "text", describe(val)))
        elif key.lower() in seen:
            errors.append(
                FieldError(f"headers.{key}", f"header '{key}' given twice", "each header once")
            )
        else:
            seen[key.lower()] = val
    return seen


def _findings(value: object, errors: list[FieldError]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        errors.append(FieldError("findings", "must be a list", "a list", describe(value)))
        return ()
    for i, item in enumerate(value):
        if not isinstance(item, str):
            errors.append(
                FieldError(f"findings[{i}]", "must be a detector id", "text", describe(item))
            )
    return tuple(v for v in value if isinstance(v, str))


def _session(value: object, errors: list[FieldError]) -> int | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.append(FieldError("session", "must be an object", "an object", describe(value)))
        return None
    for key in value:
        if key not in ("trace_count", "id"):
            name = _name(key)
            errors.append(FieldError(f"session.{name}", f"unknown field '{name}'", "trace_count"))
    count = value.get("trace_count")
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        errors.append(
            FieldError(
                "session.trace_count", "must be a whole number", "an integer >= 0", describe(count)
            )
        )
        return None
    return count


def _time(value: object, errors: list[FieldError]) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str) and _RFC3339.fullmatch(value):
        try:
            parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
            parsed.astimezone(UTC)  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            return parsed
        except (ValueError, OverflowError):
            pass
    errors.append(
        FieldError(
            "time", "must be an RFC 3339 date-time", "e.g. 2026-11-28T10:00:00Z", describe(value)
        )
    )
    return None


def json_problem(value: object, path: str, depth: int) -> FieldError | None:
    """Args and bodies must be plain JSON (objects with text keys, lists, scalars)."""
    if depth > MAX_DEPTH:
        return FieldError(path, f"nested deeper than {MAX_DEPTH} levels", "shallower JSON")
    if value is None or isinstance(value, str | bool):
        return None
    if isinstance(value, int):
        # Past this, Python refuses to write the number as text (int_max_str_digits), so the
        # canonical JSON behind body.size and the approval digest could not be computed.
        if -MAX_INT < value < MAX_INT:
            return None
        return FieldError(path, "numbers must be below 10^300", "a smaller number", "a huge number")
    if isinstance(value, float):
        return (
            None
            if math.isfinite(value)
            else FieldError(path, "numbers must be finite", "a finite number")
        )
    if isinstance(value, list):
        for i, item in enumerate(value):
            problem = json_problem(item, f"{path}[{i}]", depth + 1)
            if problem is not None:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return FieldError(path, "object keys must be text", "text keys", describe(key))
            problem = json_problem(item, f"{path}.{key}", depth + 1)
            if problem is not None:
                return problem
        return None
    return FieldError(path, "is not JSON", "JSON values", describe(value))
