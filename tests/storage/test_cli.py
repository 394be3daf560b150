"""``renlayer migrate``, ``renlayer audit verify`` and ``renlayer export traces`` against a
real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from renlayer_core.cli import main
from renlayer_core.ids import new_id
from renlayer_core.models import AuditDraft, now_ms
from renlayer_core.storage.urls import redact_url, resolve_store_url
from storage_backends import _migrations, open_store
from tests.storage import records
from tests.storage.conftest import CURSOR_KEY, make_tenant


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/cli.db"


def test_migrate_twice(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--store", url]) == 0
    assert main(["migrate", "--store", url]) == 0
    latest = _migrations.latest("sqlite")
    assert capsys.readouterr().out.count(f"schema version {latest}\n") == 2


def test_store_from_environment(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RENLAYER_STORE", url)
    assert main(["migrate"]) == 0
    assert url in capsys.readouterr().out
    monkeypatch.delenv("RENLAYER_STORE")
    assert resolve_store_url(None) == "sqlite:///./renlayer.db"


def test_urls_print_without_passwords() -> None:
    assert redact_url("postgresql://app:hunter2@db:5432/x") == "postgresql://app:***@db:5432/x"
    assert (
        redact_url("postgresql://db/x?password=hunter2&a=1") == "postgresql://db/x?password=***&a=1"
    )
    assert redact_url("postgresql://app@db/x") == "postgresql://app@db/x"


def test_audit_verify_ok_then_broken(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(url, cursor_key=CURSOR_KEY) as store:
        tenant = make_tenant(store)
        for i in range(4):
            store.audit.append(
                tenant.id, AuditDraft(actor="usr_x", action=f"a.{i}", resource_type="policy")
            )
    assert main(["audit", "verify", "--store", url, "--tenant", tenant.id]) == 0
    assert "intact: 4 events" in capsys.readouterr().out
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET doc = replace(doc, 'a.2', 'a.9') WHERE seq = 3")
    conn.commit()
    conn.close()
    assert main(["audit", "verify", "--store", url, "--tenant", tenant.id]) == 1
    assert "broken at seq 3" in capsys.readouterr().out


def test_audit_verify_bad_input(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["audit", "verify", "--store", url, "--tenant", "agent_01ARYZ6S41TSV4RRFFQ69G5FAV"])
        == 2
    )
    assert "ten_" in capsys.readouterr().err
    assert main(["audit", "verify", "--store", url, "--tenant", new_id("ten")]) == 2
    assert "not found" in capsys.readouterr().err


def test_export_traces_streams_ndjson(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = now_ms() - 60_000
    with open_store(url, cursor_key=CURSOR_KEY) as store:
        tenant = make_tenant(store)
        batch = [records.trace(tenant.id, ms=base + i * 1000) for i in range(10)]
        store.traces.append_traces(batch)
    code = main(
        [
            "export",
            "traces",
            "--store",
            url,
            "--tenant",
            tenant.id,
            "--from",
            str(base + 2000),
            "--to",
            str(base + 5000),
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [x["id"] for x in lines] == [t.id for t in reversed(batch[2:5])]
    assert captured.err == ""  # not a terminal: no progress output


def test_export_needs_a_tenant_and_valid_times(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RENLAYER_TENANT", raising=False)
    assert main(["export", "traces", "--store", url, "--from", "0", "--to", "1"]) == 2
    assert "--tenant" in capsys.readouterr().err
    tenant = new_id("ten")
    assert (
        main(
            ["export", "traces", "--store", url, "--tenant", tenant, "--from", "soon", "--to", "1"]
        )
        == 2
    )
    assert "'soon'" in capsys.readouterr().err
    assert (
        main(["export", "traces", "--store", url, "--tenant", tenant, "--from", "9", "--to", "1"])
        == 2
    )
