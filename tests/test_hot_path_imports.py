"""Heavy modules load only where the input needs them (issue 21): a scan of Terraform source and
of Kubernetes manifests imports neither jsonschema (the pack ships compiled), python-hcl2/lark
(tree-sitter parses; python-hcl2 is the fallback and the reference in tests), the kubernetes
client (live audits only) nor crossplane (nginx only)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

HEAVY = ("jsonschema", "hcl2", "lark", "kubernetes", "crossplane")


def test_a_terraform_and_manifest_scan_imports_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from soc2iac.cli import app\n"
        f"out = CliRunner().invoke(app, ['scan', {str(ROOT / 'terraform_fixtures' / 'aws-s3-bucket-encrypted')!r}, "
        f"{str(ROOT / 'k8s_fixtures' / 'k8s-pod-no-host-network')!r}, '--no-cache', '-f', 'json'])\n"
        "assert out.exit_code == 1, out.output\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
