"""The policy package is pure: no I/O library, and RE2/YAML load only when first needed."""

from __future__ import annotations

import subprocess
import sys

from tests.test_import_purity import FORBIDDEN


def test_policy_package_imports_light() -> None:
    lazy = ("re2", "yaml")
    code = (
        "import sys, renlayer_core.policy, renlayer_core.cli.policy_cmd;"
        f"print(','.join(m for m in {FORBIDDEN + lazy!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
