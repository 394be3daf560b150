"""Credentials: private keys, cloud and SaaS tokens, generic secret assignments, database URLs.

Every detector here has keywords that every match contains (a prefix such as ``ghp_`` or
the assignment's name), so the scan plan runs its regex only near a keyword hit. Bodies use
bounded quantifiers so ``max_len`` is a true upper bound. Default action: block.
"""

from __future__ import annotations

from typing import Final

from renlayer_core.dlp import validators as v
from renlayer_core.dlp.catalog._parts import ASSIGN, END_B64, END_B64URL, START, bounded
from renlayer_core.dlp.spec import Action, DetectorSpec
from renlayer_core.dlp.validators import Validator


def _secret(
    id: str,
    title: str,
    pattern: str,
    *,
    keywords: tuple[str, ...],
    trigger: str | None = None,
    max_len: int,
    lead: int | None = None,
    validator: Validator | None = None,
    confidence: float,
    context_words: tuple[str, ...] = (),
    context_boost: float = 0.15,
    default_action: Action = "block",
) -> DetectorSpec:
    return DetectorSpec(
        id=id,
        category="secret",
        title=title,
        pattern=pattern,
        keywords=keywords,
        trigger=trigger,
        max_len=max_len,
        lead=lead,
        validator=validator,
        context_words=context_words,
        confidence=confidence,
        context_boost=context_boost,
        default_action=default_action,
    )


# PEM body: base64 lines (LF, CRLF, or the two-character "\n" escape of a JSON string), after
# up to four header lines (RFC 1421 `Proc-Type:`/`DEK-Info:` of an encrypted PKCS#1 key, PGP
# armor headers). Lazy, bounded: stops at the first END. The body has no `-` (base64 has
# none; header lines, which may, are matched on their own, each after a line break and
# bounded): so no `-----BEGIN` can be body, and a match in flight ends at the next `-----`.
# With `-` in the body class, every BEGIN of a text of repeated BEGIN lines stayed a live
# match start with its own 5,000-step counter: RE2's DFA ran out of memory and fell back to
# its NFA — 2 s for 300 kB, ~100 s for a 16 MiB body.
_PEM_KIND = r"(?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED |)"
_PEM_HEADER = (
    r"(?:\r?\n|(?:\\r)?\\n)[A-Za-z][A-Za-z0-9\-]{0,40}:[ \t]{0,4}[A-Za-z0-9+/=,.:\- \t]{0,100}"
)
PRIVATE_KEY = _secret(
    id="secret.private_key",
    title="Private key (PEM / OpenSSH / PGP block)",
    pattern=(
        r"-----BEGIN "
        + _PEM_KIND
        + r"PRIVATE KEY(?: BLOCK)?-----"
        + f"(?:{_PEM_HEADER}){{0,4}}"
        + bounded(r"[A-Za-z0-9+/=\s\\:,.]", 16, 5000, lazy=True)
        + r"-----END "
        + _PEM_KIND
        + r"PRIVATE KEY(?: BLOCK)?-----"
    ),
    keywords=("PRIVATE KEY",),
    trigger=r"-----BEGIN " + _PEM_KIND + r"PRIVATE KEY",
    max_len=5700,
    lead=0,
    validator=v.pem_private_key,
    confidence=0.99,
)

JWT = _secret(
    id="secret.jwt",
    title="JSON Web Token",
    # Header and payload are JSON objects, so both start with `{"` → base64url "eyJ".
    pattern=(
        START
        + r"(?P<value>eyJ[A-Za-z0-9_\-]{8,1000}\.eyJ"
        + bounded(r"[A-Za-z0-9_\-]", 2, 4000)
        + r"\.[A-Za-z0-9_\-]{16,700})"
        + END_B64URL
    ),
    keywords=("eyJ",),
    max_len=5720,
    lead=2,
    validator=v.jwt,
    confidence=0.9,
    context_words=("bearer", "authorization", "token", "jwt"),
    context_boost=0.05,
)

AWS_ACCESS_KEY = _secret(
    id="secret.aws_access_key",
    title="AWS access key id",
    pattern=START + r"(?P<value>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b",
    keywords=("AKIA", "ASIA", "ABIA", "ACCA"),
    trigger=r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
    max_len=22,
    lead=2,
    validator=v.aws_access_key,
    confidence=0.95,
    context_words=("aws", "access_key", "access_key_id", "accesskeyid", "iam"),
    context_boost=0.05,
)

_AWS_SK_LABEL = r"(?i:aws[_\-.]?secret(?:[_\-.]?access)?[_\-.]?key|secret[_\-.]?access[_\-.]?key)"
AWS_SECRET_KEY = _secret(
    id="secret.aws_secret_key",
    title="AWS secret access key (next to its name)",
    # 40 chars of base64 only right after a name saying what it is: alone it is noise.
    pattern=(_AWS_SK_LABEL + ASSIGN + r"(?P<value>[A-Za-z0-9/+]{40})" + END_B64),
    keywords=("secret",),
    trigger=_AWS_SK_LABEL,
    max_len=90,
    lead=0,
    validator=v.all_of(v.not_(v.placeholder), v.entropy_at_least(3.5)),
    confidence=0.95,
)

GCP_API_KEY = _secret(
    id="secret.gcp_api_key",
    title="Google Cloud / Firebase API key",
    pattern=START + r"(?P<value>AIza[0-9A-Za-z_\-]{35})" + END_B64URL,
    keywords=("AIza",),
    max_len=42,
    validator=v.token_value(3.0),
    confidence=0.95,
)

GCP_SERVICE_ACCOUNT = _secret(
    id="secret.gcp_service_account",
    title="Google Cloud service-account key (JSON)",
    # The finding is the private key of a JSON key file whose type is service_account (the
    # official files list "type" first). Quotes may be JSON-escaped when the file is itself
    # embedded in a string.
    pattern=(
        r"\\?\"type\\?\"\s{0,4}:\s{0,4}\\?\"service_account\\?\""
        + bounded(r"[^\x00]", 0, 1500, lazy=True)
        + r"\\?\"private_key\\?\"\s{0,4}:\s{0,4}\\?\""
        r"(?P<value>-----BEGIN (?:RSA )?PRIVATE KEY-----"
        + bounded(r"[A-Za-z0-9+/=\s\\]", 64, 5000, lazy=True)
        + r"-----END (?:RSA )?PRIVATE KEY-----(?:\\\\n|\\n)?)"
    ),
    keywords=("service_account",),
    max_len=6700,
    lead=19,
    validator=v.pem_private_key,
    confidence=0.99,
)

AZURE_STORAGE_KEY = _secret(
    id="secret.azure_storage_key",
    title="Azure storage account key (connection string)",
    pattern=r"(?i:AccountKey)=(?P<value>[A-Za-z0-9+/]{86}==)",
    keywords=("AccountKey=",),
    max_len=100,
    validator=v.entropy_at_least(4.0),
    confidence=0.95,
)

AZURE_SHARED_ACCESS_KEY = _secret(
    id="secret.azure_shared_access_key",
    title="Azure Service Bus / Event Hubs shared access key (connection string)",
    pattern=r"(?i:SharedAccessKey)=(?P<value>[A-Za-z0-9+/]{43}=)",
    keywords=("SharedAccessKey=",),
    max_len=64,
    validator=v.entropy_at_least(3.5),
    confidence=0.95,
)

GITHUB_TOKEN = _secret(
    id="secret.github_token",
    title="GitHub token (classic, OAuth, user-to-server, server-to-server, refresh)",
    pattern=START + r"(?P<value>gh[pousr]_[A-Za-z0-9]{36})\b",
    keywords=("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    trigger=r"gh[pousr]_[A-Za-z0-9]{36}",
    max_len=42,
    lead=2,
    validator=v.github_classic_token,
    confidence=0.99,
)

GITHUB_FINE_GRAINED_PAT = _secret(
    id="secret.github_fine_grained_pat",
    title="GitHub fine-grained personal access token",
    pattern=START + r"(?P<value>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b",
    keywords=("github_pat_",),
    max_len=95,
    validator=v.token_value(3.5),
    confidence=0.99,
)

_GITLAB_PREFIXES = (
    "glpat-",
    "gldt-",
    "glrt-",
    "glrtr-",
    "glptt-",
    "glsoat-",
    "glcbt-",
    "glimt-",
    "glagent-",
    "gloas-",
    "glft-",
    "glffct-",
    "GR1348941",
)
GITLAB_TOKEN = _secret(
    id="secret.gitlab_token",
    title="GitLab token (personal, deploy, runner, trigger, OAuth, feed …)",
    # Routable tokens end in ".<version><crc>", with or without a dot between the two; legacy
    # runner registration tokens start with the fixed "GR1348941".
    pattern=(
        START
        + r"(?P<value>(?:glpat|gldt|glrtr?|glptt|glsoat|glcbt|glimt|glagent|gloas|glft|glffct)"
        r"-[A-Za-z0-9_\-]{20,64}(?:\.[0-9a-z]{2}\.?[0-9a-z]{7,10})?"
        r"|GR1348941[A-Za-z0-9_\-]{20})" + END_B64URL
    ),
    keywords=_GITLAB_PREFIXES,
    max_len=96,
    validator=v.token_value(3.0),
    confidence=0.95,
)

SLACK_TOKEN = _secret(
    id="secret.slack_token",
    title="Slack token (bot, user, app, refresh, legacy)",
    # Configuration tokens (`xoxe.xoxp-1-…`) and their refresh tokens (`xoxe-1-…`) carry a
    # 146..166-char tail. The token may not run on into `-`/`_`: `xoxp-1-2-3-####` is a
    # masked token, not a shorter one.
    pattern=(
        START + r"(?P<value>(?:xoxe\.)?xox[abeoprs]-(?:[0-9]{1,16}-){1,4}[A-Za-z0-9]{8,180}"
        r"|xapp-[0-9]-[A-Z0-9]{8,16}-[0-9]{8,16}-[a-f0-9]{32,80})" + END_B64URL
    ),
    keywords=("xoxa-", "xoxb-", "xoxe-", "xoxo-", "xoxp-", "xoxr-", "xoxs-", "xapp-"),
    max_len=265,
    lead=7,  # a "\n" escape and "xoxe." before the keyword
    validator=v.slack_token,
    confidence=0.95,
)

SLACK_WEBHOOK = _secret(
    id="secret.slack_webhook",
    title="Slack incoming webhook URL",
    pattern=(
        r"(?P<value>https://hooks\.slack\.com/(?:services|workflows|triggers)/"
        r"T[A-Z0-9]{6,12}/[AB][A-Z0-9]{6,12}/[A-Za-z0-9]{20,48})\b"
    ),
    keywords=("hooks.slack.com/",),
    max_len=130,
    validator=v.token_value(3.0),
    confidence=0.95,
)

# Publishable keys (pk_live_/pk_test_) are meant to be public: not reported. Test-mode secret
# keys are still credentials to an account's test data: reported like live ones.
STRIPE_KEY = _secret(
    id="secret.stripe_key",
    title="Stripe secret or restricted key",
    pattern=START + r"(?P<value>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,247})\b",
    keywords=("sk_live_", "sk_test_", "rk_live_", "rk_test_"),
    max_len=257,
    lead=2,
    validator=v.token_value(3.0),
    confidence=0.95,
)

OPENAI_KEY = _secret(
    id="secret.openai_key",
    title="OpenAI API key (legacy, project, service account, admin)",
    # "T3BlbkFJ" is base64 of "OpenAI" and sits inside every legacy key, and inside the
    # early service-account keys named after their account (sk-<name>-…T3BlbkFJ…).
    pattern=(
        START + r"(?P<value>sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"
        r"|sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_\-]{40,250}"
        r"|sk-[A-Za-z0-9]{48}"
        r"|sk-[A-Za-z0-9_\-]{1,80}T3BlbkFJ[A-Za-z0-9_\-]{20,160})" + END_B64URL
    ),
    # "sk-" alone is a noisy keyword (task-, risk-), but the bare 48-char legacy shape needs
    # it: the window regex that follows a hit is cheap and strict.
    keywords=("sk-",),
    max_len=265,
    lead=2,
    validator=v.token_value(3.0),
    confidence=0.95,
)

ANTHROPIC_KEY = _secret(
    id="secret.anthropic_key",
    title="Anthropic API key (API, admin, OAuth)",
    pattern=START
    + r"(?P<value>sk-ant-(?:api|admin|oat|ort)[0-9]{2}-[A-Za-z0-9_\-]{32,160})"
    + END_B64URL,
    keywords=("sk-ant-",),
    max_len=182,
    lead=2,
    validator=v.token_value(3.0),
    confidence=0.99,
)

TWILIO_API_KEY = _secret(
    id="secret.twilio_api_key",
    title="Twilio API key SID (with context)",
    # "SK" + 32 hex is too common a shape to report alone: Twilio must be mentioned nearby.
    pattern=r"(?i:twilio)[^\n]{0,80}?\b(?P<value>SK[0-9a-fA-F]{32})\b",
    keywords=("twilio",),
    max_len=120,
    validator=v.not_(v.repeated),
    confidence=0.9,
)

TWILIO_ACCOUNT_SID = _secret(
    id="secret.twilio_account_sid",
    title="Twilio account SID (with context)",
    pattern=r"(?i:twilio)[^\n]{0,80}?\b(?P<value>AC[0-9a-fA-F]{32})\b",
    keywords=("twilio",),
    max_len=120,
    validator=v.not_(v.repeated),
    confidence=0.8,
    default_action="redact",
)

SENDGRID_KEY = _secret(
    id="secret.sendgrid_key",
    title="SendGrid API key",
    pattern=START + r"(?P<value>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + END_B64URL,
    keywords=("SG.",),
    max_len=72,
    validator=v.token_value(3.0),
    confidence=0.95,
)

NPM_TOKEN = _secret(
    id="secret.npm_token",
    title="npm access token",
    pattern=START + r"(?P<value>npm_[A-Za-z0-9]{36})\b",
    keywords=("npm_",),
    max_len=42,
    validator=v.token_value(3.5),
    confidence=0.95,
)

PYPI_TOKEN = _secret(
    id="secret.pypi_token",
    title="PyPI / TestPyPI upload token",
    # A macaroon whose first caveat names the index: base64 of "pypi.org" / "test.pypi.org".
    pattern=(
        START
        + r"(?P<value>pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,400})"
        + END_B64URL
    ),
    keywords=("pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw"),
    max_len=430,
    lead=2,
    validator=v.token_value(3.0),
    confidence=0.99,
)

HUGGINGFACE_TOKEN = _secret(
    id="secret.huggingface_token",
    title="Hugging Face access token",
    pattern=START + r"(?P<value>hf_[A-Za-z]{34})\b",
    keywords=("hf_",),
    max_len=39,
    validator=v.token_value(3.5),
    confidence=0.9,
)

WEBHOOK_SECRET = _secret(
    id="secret.webhook_signing_secret",
    title="Webhook signing secret (Standard Webhooks / Stripe / Svix whsec_)",
    pattern=START + r"(?P<value>whsec_[A-Za-z0-9+/]{24,88}={0,2})" + END_B64,
    keywords=("whsec_",),
    max_len=100,
    validator=v.token_value(3.5),
    confidence=0.95,
)

RENLAYER_KEY = _secret(
    id="secret.renlayer_key",
    title="RenLayer API key (checksum verified)",
    pattern=START + r"(?P<value>rlk_[0-9A-Za-z]{36})\b",
    keywords=("rlk_",),
    max_len=42,
    validator=v.rlk_key,
    confidence=0.99,
)

# "user:password@" after a URL's "://", bounded as in the patterns (the stream scanner
# needs a trigger's longest match).
_USERINFO_TRIGGER = r"[^:@/\s\"'<>]{0,64}:[^@/\s\"'<>]{1,128}@"

_DB_SCHEMES = (
    "postgres",
    "mysql",
    "mariadb",
    "mongodb",
    "redis",
    "amqp",
    "mssql",
    "sqlserver",
    "cockroachdb",
    "clickhouse",
)
DATABASE_URL = _secret(
    id="secret.database_url_password",
    title="Password in a database / broker connection URL",
    # The finding is the password only: user, host and database stay visible.
    pattern=(
        r"(?i:\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver"
        r"|cockroachdb|clickhouse)(?:\+[a-z0-9]{1,20})?://)"
        r"[^:@/\s\"'<>]{0,64}:(?P<value>[^@/\s\"'<>]{1,128})@[A-Za-z0-9\[\]._\-]{1,253}"
    ),
    keywords=_DB_SCHEMES,
    trigger=(
        r"(?i)(?:postgres|mysql|mariadb|mongodb|redis|amqp|mssql|sqlserver|cockroachdb"
        r"|clickhouse)[a-z0-9+]{0,24}://" + _USERINFO_TRIGGER
    ),
    max_len=490,
    lead=0,
    validator=v.password_in_url,
    confidence=0.9,
)


def _key_names() -> tuple[str, ...]:
    """Every spelling of the key-ish names the generic pattern accepts (so each match
    contains one of them)."""
    out = ["pass", "pwd", "secret", "token", "credential", "creds"]
    for head in ("api", "access", "auth", "private", "secret", "client", "signing", "master"):
        out.extend(f"{head}{sep}key" for sep in ("", "_", "-", "."))
    return tuple(out)


# A bare value: what may follow the assignment sign, and what must come after the value. `(`
# and `[` end a value but may not follow it: `f(x)` and `Optional[str]` are code.
_VALUE_CHARS = r"[^\s\"'`,;&<>(){}\[\]\\]"
_VALUE_END = r"(?:[\s\"'`,;&<>)}\]\\]|$)"

# After the name's last word: a `_key`/`_value`… word, a plural, a small index (DB_PASSWORD_2,
# api_token_123), and a declared string type (`var token string =`, `password: str =`).
_NAME_TAIL = (
    r"(?:[_\-.]?(?:key|value|str|string|base))?s?(?:[_\-.]?[0-9]{1,3})?"
    r"(?:[ \t]{1,4}(?:string|str)|[ \t]{0,4}:[ \t]{0,4}(?:string|str))?"
)
# The assignment: ASSIGN's operators plus Makefile's ::= :::= ?= and PHP's .=; a quoted name
# and a quoted value separated by a comma (`setProperty("API_TOKEN", "…")`, `getenv("TOKEN",
# "…")`); an XML element whose text follows its tag directly (`<password>…</password>`).
_GENERIC_ASSIGN = (
    r"""(?:(?:\\?["'])?\]?[ \t]{0,4}(?::{1,3}=|=>|\?=|\.=|[:=])[ \t]{0,4}(?:\\?["'`])?"""
    r"""|\\?["'][ \t]{0,4},[ \t]{0,4}\\?["']|>)"""
)

# The name's last word, the assignment, then a first value segment and what ends it — the
# shape of every match without the pattern's optional parts. Bare "key", "token", "secret"
# are everyday words, and code assigns them all the time (`password = getpass.getpass()`,
# `api_key = os.environ["API_KEY"]`): a trigger that stopped at `=`/`:` named this detector
# in two of three benchmark payloads, each costing a regex pass for nothing. Ending the
# trigger at the value's end names it only where the pattern can match (benchmark payloads:
# 205 of 300 → none; p50 −30 %).
_ASSIGNMENT_TRIGGER = (
    r"(?i)(?:pass(?:word|wd|phrase)?|pwd|secret|token|credentials?|creds"
    r"|(?:api|access|auth|private|secret|client|signing|master)[_\-.]?key)"
    + _NAME_TAIL
    + _GENERIC_ASSIGN
    + _VALUE_CHARS
    + "{1,128}"
    + _VALUE_END
)

# A name that says "secret", an assignment, then a value: quoted, or bare up to whitespace or
# punctuation. The validator does the real work (entropy, character classes, placeholders).
GENERIC_ASSIGNMENT = _secret(
    id="secret.generic_assignment",
    title="Secret assigned to a password / secret / token / API key name",
    pattern=(
        r"(?i:\b[a-z0-9_.\-]{0,40}?"
        # A bare "pass" only after a separator (DB_PASS, smtp-pass): "PASS: test_x" lines of
        # test logs and "bypass=" are not credentials.
        r"(?:pass(?:word|wd|phrase)|[_\-.]pass|pwd|secret|token|credentials?|creds"
        r"|(?:api|access|auth|private|secret|client|signing|master)[_\-.]?key)"
        + _NAME_TAIL
        + ")"
        + _GENERIC_ASSIGN
        + rf"(?P<value>{_VALUE_CHARS}{{1,128}}(?:&[^\s\"'`,;&=<>(){{}}\[\]\\]{{1,64}}){{0,3}})"
        + _VALUE_END
    ),
    keywords=_key_names(),
    trigger=_ASSIGNMENT_TRIGGER,
    max_len=440,
    lead=41,
    validator=v.generic_secret,
    confidence=0.6,
    context_boost=0.0,
)

# Authorization headers. Bearer values that another detector owns (JWT, rlk_, ghp_, sk-…)
# are left to it; what remains is an opaque token, judged by length and entropy. The `Token`
# and `Api-Token` schemes (Django REST framework, many SaaS APIs) carry the same kind of value.
_AUTH_HEADER = r"(?i:\bauthorization)" + ASSIGN
_AUTH_SCHEME = r"(?i:bearer|token|api-token)"
BEARER_TOKEN = _secret(
    id="secret.bearer_token",
    title="Opaque bearer token in an Authorization header (Bearer / Token schemes)",
    pattern=(
        _AUTH_HEADER + _AUTH_SCHEME + r"[ \t]{1,4}(?P<value>[A-Za-z0-9._~+/\-]{20,600}={0,2})"
        r"(?:[^A-Za-z0-9._~+/=\-]|$)"
    ),
    keywords=("authorization",),
    trigger=r"(?i)authorization" + ASSIGN + _AUTH_SCHEME + r"[ \t]",
    max_len=660,
    lead=0,
    validator=v.bearer_token,
    confidence=0.8,
)

BASIC_AUTH = _secret(
    id="secret.basic_auth",
    title="HTTP Basic credentials in an Authorization header",
    pattern=(
        _AUTH_HEADER + r"(?i:basic)[ \t]{1,4}(?P<value>[A-Za-z0-9+/]{6,400}={0,2})"
        r"(?:[^A-Za-z0-9+/=]|$)"
    ),
    keywords=("authorization",),
    trigger=r"(?i)authorization" + ASSIGN + r"(?i:basic)[ \t]",
    max_len=460,
    lead=0,
    validator=v.basic_credentials,
    confidence=0.9,
)

GOOGLE_OAUTH_SECRET = _secret(
    id="secret.google_oauth_client_secret",
    title="Google OAuth client secret",
    pattern=START + r"(?P<value>GOCSPX-[A-Za-z0-9_\-]{28})" + END_B64URL,
    keywords=("GOCSPX-",),
    max_len=38,
    validator=v.token_value(3.0),
    confidence=0.95,
)

DIGITALOCEAN_TOKEN = _secret(
    id="secret.digitalocean_token",
    title="DigitalOcean personal access / OAuth / refresh token",
    pattern=START + r"(?P<value>do[opr]_v1_[a-f0-9]{64})\b",
    keywords=("dop_v1_", "doo_v1_", "dor_v1_"),
    max_len=73,
    validator=v.token_value(3.0),
    confidence=0.95,
)

SHOPIFY_TOKEN = _secret(
    id="secret.shopify_token",
    title="Shopify access token / shared secret",
    pattern=START + r"(?P<value>shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32})\b",
    keywords=("shpat_", "shpss_", "shpca_", "shppa_"),
    max_len=40,
    validator=v.token_value(3.0),
    confidence=0.95,
)

VAULT_TOKEN = _secret(
    id="secret.hashicorp_vault_token",
    title="HashiCorp Vault service / batch token",
    pattern=START + r"(?P<value>hv[sb]\.[A-Za-z0-9_\-]{24,300})" + END_B64URL,
    keywords=("hvs.", "hvb."),
    max_len=307,
    lead=2,
    validator=v.token_value(3.5),
    confidence=0.9,
)

# Credentials in any other URL (https://user:pw@host, ftp, smtp, ldap …). Database schemes
# are left to DATABASE_URL (same span, its own id); the finding is the password.
URL_PASSWORD = _secret(
    id="secret.url_password",
    title="Password in a URL's user-info (http, ftp, smtp, ldap …)",
    pattern=(
        r"(?i:\b(?:https?|ftps?|sftp|ssh|smtps?|imaps?|pop3s?|ldaps?|git|svn|webdav|wss?)://)"
        r"[^:@/\s\"'<>]{1,64}:(?P<value>[^@/\s\"'<>]{1,128})@[A-Za-z0-9\[\]._\-]{1,253}"
    ),
    keywords=("://",),
    trigger=r"://" + _USERINFO_TRIGGER,
    max_len=470,
    lead=6,
    validator=v.password_in_url,
    confidence=0.85,
)

TELEGRAM_BOT_TOKEN = _secret(
    id="secret.telegram_bot_token",
    title="Telegram bot token",
    # The Bot API puts the token right after "bot" in its URLs (api.telegram.org/bot<token>/).
    pattern=START + r"(?:bot)?(?P<value>[0-9]{8,10}:AA[A-Za-z0-9_\-]{33})" + END_B64URL,
    keywords=(":AA",),
    max_len=52,
    validator=v.token_value(3.5),
    confidence=0.9,
)

DISCORD_WEBHOOK = _secret(
    id="secret.discord_webhook",
    title="Discord webhook URL",
    pattern=(
        r"(?P<value>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/"
        r"[0-9]{17,20}/[A-Za-z0-9_\-]{60,80})" + END_B64URL
    ),
    keywords=("discord.com/api/webhooks/", "discordapp.com/api/webhooks/"),
    max_len=150,
    validator=v.token_value(3.5),
    confidence=0.95,
)

GOOGLE_OAUTH_TOKEN = _secret(
    id="secret.google_oauth_token",
    title="Google OAuth access token",
    pattern=START + r"(?P<value>ya29\.[0-9A-Za-z_\-]{20,1000})" + END_B64URL,
    keywords=("ya29.",),
    max_len=1026,
    lead=2,
    validator=v.token_value(3.5),
    confidence=0.9,
)

AI_PROVIDER_KEY = _secret(
    id="secret.ai_provider_key",
    title="LLM provider API key (Groq, xAI, Perplexity, OpenRouter, Replicate)",
    pattern=(
        START + r"(?P<value>gsk_[A-Za-z0-9]{52}|xai-[A-Za-z0-9]{80}|pplx-[A-Za-z0-9]{48}"
        r"|sk-or-v1-[a-f0-9]{64}|r8_[A-Za-z0-9]{37})\b"
    ),
    keywords=("gsk_", "xai-", "pplx-", "sk-or-v1-", "r8_"),
    max_len=86,
    validator=v.token_value(3.5),
    confidence=0.95,
)

# Passwords on a command line — what an agent's shell tool call leaks most often:
# curl -u user:pw, mysql -pPW, sshpass -p PW, docker login -p PW / --password PW.
# A curl command may continue over up to three backslash-continued lines before its -u, the
# user may be empty or quoted on its own ("id":"pw"); `<`/`>` end a value (`-u <user:pass>`).
_CURL_ARGS = r"[^\n]{0,200}?(?:\\\r?\n[^\n]{0,200}?){0,3}"
CLI_PASSWORD = _secret(
    id="secret.cli_password",
    title="Password passed on a command line (curl -u, mysql -p, sshpass, docker login)",
    pattern=(
        r"(?:\bcurl\b" + _CURL_ARGS + r"[ \t](?:-u|--user)(?:=|[ \t]{1,4})?[\"']?"
        r"[^:\s\"'<>]{0,64}[\"']?:"
        r"|\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]{0,200}?[ \t]-p"
        r"|\bsshpass[ \t]{1,4}-p[ \t]?"
        r"|\bdocker[ \t]{1,4}login\b[^\n]{0,200}?[ \t](?:-p|--password)[ =])"
        r"[\"']?(?P<value>[^\s\"'<>]{4,128})"
    ),
    keywords=("curl", "mysql", "mariadb", "sshpass", "docker"),
    max_len=1060,
    lead=0,
    validator=v.password_in_url,
    confidence=0.85,
)

DETECTORS: Final[tuple[DetectorSpec, ...]] = (
    PRIVATE_KEY,
    JWT,
    AWS_ACCESS_KEY,
    AWS_SECRET_KEY,
    GCP_API_KEY,
    GCP_SERVICE_ACCOUNT,
    AZURE_STORAGE_KEY,
    AZURE_SHARED_ACCESS_KEY,
    GITHUB_TOKEN,
    GITHUB_FINE_GRAINED_PAT,
    GITLAB_TOKEN,
    SLACK_TOKEN,
    SLACK_WEBHOOK,
    STRIPE_KEY,
    OPENAI_KEY,
    ANTHROPIC_KEY,
    TWILIO_API_KEY,
    TWILIO_ACCOUNT_SID,
    SENDGRID_KEY,
    NPM_TOKEN,
    PYPI_TOKEN,
    HUGGINGFACE_TOKEN,
    WEBHOOK_SECRET,
    RENLAYER_KEY,
    DATABASE_URL,
    URL_PASSWORD,
    CLI_PASSWORD,
    BEARER_TOKEN,
    BASIC_AUTH,
    GOOGLE_OAUTH_SECRET,
    DIGITALOCEAN_TOKEN,
    SHOPIFY_TOKEN,
    VAULT_TOKEN,
    TELEGRAM_BOT_TOKEN,
    DISCORD_WEBHOOK,
    GOOGLE_OAUTH_TOKEN,
    AI_PROVIDER_KEY,
    GENERIC_ASSIGNMENT,
)
