"""detect-secrets (Yelp) with every plugin and its default filters, over the same text.

We run the line-based scan that ``detect-secrets scan`` runs on each file
(``detect_secrets.core.scan._process_line_based_plugins``), minus the file read, with
``default_settings()`` (all plugins, default filters). The public ``scan_line`` helper would
do the same per line but also clears the filter cache on every call, which is not how the tool
scans files. detect-secrets reports secret values, not offsets: we locate each value in its
line to get a span.
"""

from __future__ import annotations

import contextlib
from importlib.metadata import version
from typing import Any

from benchmarks.dlp_peers import Hit, Scan

label = "detect-secrets"
INPUT = "text"
GENERIC = ("secret.*",)
TYPE_MAP: dict[str, tuple[str, ...]] = {
    "AWS Access Key": ("secret.aws_access_key", "secret.aws_secret_key"),
    "Azure Storage Account access key": ("secret.azure_storage_key",),
    "Basic Auth Credentials": ("secret.database_url_password",),
    "GitHub Token": ("secret.github_token",),
    "GitLab Token": ("secret.gitlab_token",),
    "JSON Web Token": ("secret.jwt",),
    "NPM tokens": ("secret.npm_token",),
    "OpenAI Token": ("secret.openai_key",),
    "Private Key": ("secret.private_key",),
    "PyPI Token": ("secret.pypi_token",),
    "SendGrid API Key": ("secret.sendgrid_key",),
    "Slack Token": ("secret.slack_token", "secret.slack_webhook"),
    "Stripe Access Key": ("secret.stripe_key",),
    "Twilio API Key": ("secret.twilio_api_key", "secret.twilio_account_sid"),
    "Public IP (ipv4)": ("net.ipv4",),
    # Generic detectors: a hit on any secret counts, but they define no common type.
    "Secret Keyword": GENERIC,
    "Base64 High Entropy String": GENERIC,
    "Hex High Entropy String": GENERIC,
}

_settings = contextlib.ExitStack()


def load() -> dict[str, str]:
    import detect_secrets  # noqa: F401

    return {"detect-secrets": version("detect-secrets")}


def setup() -> Scan:
    from detect_secrets.core import scan as ds_scan
    from detect_secrets.settings import default_settings, get_plugins

    _settings.enter_context(default_settings())
    process = ds_scan._process_line_based_plugins
    denylists = {p.secret_type: tuple(getattr(p, "denylist", ())) for p in get_plugins()}

    def scan(text: str) -> list[Hit]:
        lines = text.split("\n")
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        hits: list[Hit] = []
        for secret in process(list(enumerate(lines, start=1)), filename="payload.txt"):
            line = lines[secret.line_number - 1]
            span = _locate(line, secret.secret_value or "", denylists.get(secret.type, ()))
            if span is not None:
                base = starts[secret.line_number - 1]
                hits.append((secret.type, base + span[0], base + span[1]))
        return hits

    return scan


def _locate(line: str, value: str, denylist: tuple[Any, ...]) -> tuple[int, int] | None:
    """The span of what the plugin matched. Regex plugins report their first capture group
    (``ghp`` for a GitHub token), so we find the plugin's own match that yielded the value;
    other plugins report the value itself."""
    for regex in denylist:
        for m in regex.finditer(line):
            if value in (m.group(0), *m.groups()):
                span: tuple[int, int] = m.span()
                return span
    at = line.find(value) if value else -1
    return (at, at + len(value)) if at >= 0 else None


def teardown() -> None:
    _settings.close()


def prepare(text: str) -> str:
    return text


def type_map() -> dict[str, tuple[str, ...]]:
    return TYPE_MAP
