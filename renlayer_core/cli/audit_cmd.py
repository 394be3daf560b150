"""``renlayer audit verify [--store URL] --tenant ten_…``: check a tenant's audit hash chain.
Exit 0 when intact, 1 when broken (the first broken seq is printed), 2 on bad input."""

from __future__ import annotations

import argparse
from typing import Any

from renlayer_core.cli.migrate_cmd import add_store_argument, open_cli_store
from renlayer_core.ids import parse_id


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="audit log tools")
    subs = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = subs.add_parser("verify", help="verify a tenant's audit hash chain end to end")
    add_store_argument(verify)
    verify.add_argument("--tenant", required=True, metavar="TENANT_ID", help="ten_… id")
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    tenant_id = parse_id(args.tenant, "ten")
    store = open_cli_store(args.store)
    try:
        result = store.audit.verify(tenant_id)
    finally:
        store.close()
    if result.ok:
        print(f"audit chain of {tenant_id} is intact: {result.checked} events verified")
        return 0
    print(
        f"audit chain of {tenant_id} is broken at seq {result.first_broken_seq} "
        f"({result.checked} events verified before it)"
    )
    return 1
