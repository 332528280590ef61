"""End to end with real Terraform: apply a compliant baseline against a local
moto server, plan a change that weakens it, and scan `terraform show -json`.

Skipped, with the reason, where terraform, the AWS provider mirror or
moto[server] is missing (a failure instead when SOC2IAC_REQUIRE_E2E is set, as
.ci/run sets it). Set SOC2IAC_SAVE_E2E_PLAN=1 to refresh the checked-in
copy of this real plan in terraform_fixtures/_plans/weakening/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, soc2iac_cmd
from tools import make_plan_fixtures as tf

pytestmark = pytest.mark.slow

CANARY = "CanaryPlanSecret-7f3a9c"

BASELINE = f"""
variable "retention_days" {{
  default = 365
}}

resource "aws_cloudwatch_log_group" "audit" {{
  name              = "/acme/audit"
  retention_in_days = var.retention_days
}}

resource "aws_s3_bucket" "logs" {{
  bucket        = "acme-audit-logs"
  force_destroy = true
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {{
  bucket = aws_s3_bucket.logs.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "AES256"
    }}
  }}
}}

resource "aws_s3_bucket_public_access_block" "logs" {{
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_cloudtrail" "main" {{
  name                          = "acme-main"
  s3_bucket_name                = aws_s3_bucket.logs.id
  is_multi_region_trail         = true
  enable_log_file_validation    = true
}}

resource "aws_ssm_parameter" "db_password" {{
  name  = "/acme/db/password"
  type  = "SecureString"
  value = "{CANARY}"
}}
"""


def weakened(text: str) -> str:
    """retention 365 -> 7; encryption configuration and public access block deleted."""
    text = text.replace("default = 365", "default = 7")
    for block in ("aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_public_access_block"):
        start = text.index(f'resource "{block}" "logs"')
        end = text.index("\n}\n", start) + 3
        text = text[:start] + text[end:]
    return text


@pytest.fixture(scope="module")
def real_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        terraform, mirror, moto = tf.find_terraform(), tf.find_mirror(), tf.find_moto()
    except tf.Missing as exc:
        if os.environ.get("SOC2IAC_REQUIRE_E2E"):  # .ci/run: the prerequisites are part of CI
            pytest.fail(f"SOC2IAC_REQUIRE_E2E is set but a prerequisite is missing: {exc}")
        pytest.skip(f"real Terraform end-to-end test skipped: {exc}")
    work = tmp_path_factory.mktemp("e2e")
    server = tf.MotoServer(moto, work)
    server.start()
    try:
        env = tf.tf_env(work)
        (work / "provider.tf").write_text(tf.provider_tf(server.url))
        (work / "main.tf").write_text(BASELINE)
        steps = [
            ([terraform, "init", "-input=false", f"-plugin-dir={mirror}"], "terraform init"),
            ([terraform, "apply", "-input=false", "-auto-approve", "-lock=false"], "terraform apply"),
        ]
        for cmd, what in steps:
            tf.run(cmd, work, env, what)
        (work / "main.tf").write_text(weakened(BASELINE))
        tf.run([terraform, "plan", "-input=false", "-lock=false", "-out", "tf.plan"], work, env, "terraform plan")
        plan = tf.run([terraform, "show", "-json", "tf.plan"], work, env, "terraform show")
    except tf.Skip as exc:  # a failing terraform step here is a failure, not a skip
        pytest.fail(str(exc))
    finally:
        server.stop()
    (work / "plan.json").write_text(json.dumps(json.loads(plan), indent=1) + "\n")
    if os.environ.get("SOC2IAC_SAVE_E2E_PLAN"):
        dest = ROOT / "terraform_fixtures/_plans/weakening"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(work / "plan.json", dest / "weakening.plan.json")
        shutil.copy(work / "main.tf", dest / "main.tf")
    return work


def scan(*args: str, cwd: Path) -> tuple[int, str]:
    proc = subprocess.run([*soc2iac_cmd(), "scan", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout


def test_plan_regressions_and_removed_controls(real_plan: Path) -> None:
    rc, out = scan("plan.json", "--format", "json", cwd=real_plan)
    assert rc == 1
    doc = json.loads(out)
    changes = {(f["change"], f["policy_id"], f["resource"]): f for f in doc["findings"] if f.get("change")}
    retention = changes[("regression", "aws-cloudwatch-log-group-retention", "aws_cloudwatch_log_group.audit")]
    assert "retention_in_days 365 → 7" in retention["message"]
    assert "CC8.1" in retention["criteria"] and retention["severity"] in ("high", "critical")
    assert retention["file"] == "main.tf"
    assert retention["line"] == weakened(BASELINE).splitlines().index('  retention_in_days = var.retention_days') + 1
    access = changes[("regression", "aws-s3-log-bucket-public-access-blocked", "aws_s3_bucket.logs")]
    assert "CC8.1" in access["criteria"]
    removed = {r for kind, _, r in changes if kind == "control-removed"}
    assert removed == {"aws_s3_bucket_public_access_block.logs",
                       "aws_s3_bucket_server_side_encryption_configuration.logs"}
    assert doc["summary"]["plan_changes"]["weakened"] >= 2 and doc["summary"]["plan_changes"]["removed"] == 2


def test_plan_gives_the_same_fails_as_the_source(real_plan: Path) -> None:
    _, plan_out = scan("plan.json", "--format", "json", cwd=real_plan)
    _, hcl_out = scan("main.tf", "--format", "json", cwd=real_plan)
    plan = {(f["policy_id"], f["resource"]): f["verdict"] for f in json.loads(plan_out)["findings"] if not f.get("change")}
    hcl = {(f["policy_id"], f["resource"]): f["verdict"] for f in json.loads(hcl_out)["findings"]}
    both = plan.keys() & hcl.keys()
    assert ("aws-cloudwatch-log-group-retention", "aws_cloudwatch_log_group.audit") in both
    # The one place a plan knows more than the source: the provider reports S3's
    # default encryption (SSE-S3, on for every bucket since 2023) as the bucket's
    # computed server_side_encryption_configuration once the separate resource is gone.
    effective_default = ("aws-s3-bucket-encrypted", "aws_s3_bucket.logs")
    assert hcl[effective_default] == "fail" and plan[effective_default] == "pass"
    for key in both - {effective_default}:
        if hcl[key] == "fail":  # a fail in the source is a fail in the plan, or unknown until apply
            assert plan[key] in ("fail", "unknown"), key
        if plan[key] == "fail":
            assert hcl[key] in ("fail", "unknown"), key
    assert plan[("aws-cloudwatch-log-group-retention", "aws_cloudwatch_log_group.audit")] == "fail"


def test_no_secret_from_the_plan_in_any_output(real_plan: Path) -> None:
    assert CANARY in (real_plan / "plan.json").read_text()  # the plan itself holds it in clear
    for fmt in ("text", "json"):
        _, out = scan("plan.json", "--format", fmt, "--show-passes", cwd=real_plan)
        assert CANARY not in out


def test_changes_only_limits_output_to_changed_resources(real_plan: Path) -> None:
    _, out = scan("plan.json", "--format", "json", "--changes-only", cwd=real_plan)
    doc = json.loads(out)
    plan = json.loads((real_plan / "plan.json").read_text())
    changed = {rc["address"] for rc in plan["resource_changes"] if rc["change"]["actions"] != ["no-op"]}
    assert all(f["resource"] in changed or f.get("change") for f in doc["findings"])
    assert not any(f["resource"] == "aws_cloudtrail.main" for f in doc["findings"] if not f.get("change"))
