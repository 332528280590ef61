"""Plan JSON parsing and change findings, on a real plan checked into the repo
(produced by tests/test_plan_e2e.py against Terraform + moto)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from soc2iac.config import Config
from soc2iac.model import Unknown
from soc2iac.parsers.terraform_plan import Locator, load_plan_text, parse_plan
from soc2iac.policy import load_policies
from soc2iac.scanner import scan
from test_cli import run

PLAN_DIR = ROOT / "terraform_fixtures/_plans/weakening"
PLAN = PLAN_DIR / "weakening.plan.json"


def test_worlds_unknowns_sensitive_and_locations() -> None:
    doc = load_plan_text(PLAN.read_text(), "weakening.plan.json")
    plan = parse_plan(doc, "weakening.plan.json", Locator(PLAN_DIR))
    after = {r.address: r for r in plan.after}
    before = {r.address: r for r in plan.before}
    assert after["aws_cloudwatch_log_group.audit"].attributes["retention_in_days"] == 7
    assert before["aws_cloudwatch_log_group.audit"].attributes["retention_in_days"] == 365
    assert isinstance(after["aws_ssm_parameter.db_password"].attributes["value"], Unknown)  # sensitive
    assert "aws_s3_bucket_public_access_block.logs" in before and "aws_s3_bucket_public_access_block.logs" not in after
    assert plan.actions["aws_s3_bucket_public_access_block.logs"] == ("delete",)
    group = after["aws_cloudwatch_log_group.audit"]
    assert group.location.file.endswith("main.tf") and group.source == "terraform-plan"
    assert group.line_of("retention_in_days") > group.location.start_line


def test_references_resolve_to_the_instance_they_name() -> None:
    """aws_vpc.this[0].id, aws_vpc.many[each.key].id and references inside module instances
    point at the instances Terraform means (its configuration lists aws_vpc.many and each.key)."""
    folder = ROOT / "terraform_fixtures/_differential/related_counted"
    plan = parse_plan(load_plan_text((folder / "plan.json").read_text(), "plan.json"), "plan.json", Locator(folder))
    after = {r.address: r for r in plan.after}
    assert after["aws_flow_log.this[0]"].attributes["vpc_id"].address == "aws_vpc.this[0]"
    assert after['aws_flow_log.many["a"]'].attributes["vpc_id"].address == 'aws_vpc.many["a"]'
    assert after["aws_cloudtrail.main[0]"].attributes["s3_bucket_name"].address == "aws_s3_bucket.trail[0]"
    folder = ROOT / "terraform_fixtures/_differential/s3_buckets_map"
    plan = parse_plan(load_plan_text((folder / "plan.json").read_text(), "plan.json"), "plan.json", Locator(folder))
    after = {r.address: r for r in plan.after}
    sse = after["module.logs_bucket.aws_s3_bucket_server_side_encryption_configuration.this[0]"]
    assert sse.attributes["bucket"].address == "module.logs_bucket.aws_s3_bucket.this[0]"
    # every instance is located at its block
    assert sse.location.file.endswith("modules/bucket/main.tf") and sse.location.start_line > 1


def test_checked_in_plan_reports_regressions_without_terraform() -> None:
    result = scan([str(PLAN)], policies=load_policies(), config=Config())
    assert not result.problems
    kinds = {(f.change, f.policy_id, f.resource) for f in result.findings if f.change}
    assert ("regression", "aws-cloudwatch-log-group-retention", "aws_cloudwatch_log_group.audit") in kinds
    assert ("control-removed", "plan-control-removed", "aws_s3_bucket_public_access_block.logs") in kinds
    summary = result.change_summary()
    assert summary is not None and summary["removed"] == 2
    assert "CanaryPlanSecret" not in json.dumps([f.message for f in result.findings])


def test_removed_resource_points_at_the_plan_file_without_a_line(tmp_path: Path) -> None:
    """A deleted resource has no block in the source any more: the finding names the plan file
    (not ``plan.json (address)``) and no line, in every output."""
    plan = tmp_path / "plan.json"
    plan.write_text(PLAN.read_text())
    result = scan([str(plan)], policies=load_policies(), config=Config())
    removed = [f for f in result.findings if f.change == "control-removed"]
    assert removed and all((f.file, f.line) == (str(plan), 0) for f in removed)
    from soc2iac.reporters import renderer

    text = renderer("text")(result)
    assert f"({plan})" in text and f"{plan} (aws_" not in text and f"{plan}:0" not in text


def test_truncated_plan_is_one_error_line_exit_2(tmp_path: Path) -> None:
    text = PLAN.read_text()
    bad = tmp_path / "plan.json"
    bad.write_text(text[: len(text) // 2])
    proc = run("scan", str(bad))
    assert proc.returncode == 2
    (line,) = [ln for ln in proc.stderr.splitlines() if "plan.json" in ln]
    assert "malformed Terraform plan JSON" in line and "Traceback" not in proc.stderr


def test_json_that_is_not_a_plan_goes_to_its_own_parser(tmp_path: Path) -> None:
    (tmp_path / "svc.json").write_text(json.dumps(
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "NodePort"}}))
    (tmp_path / "package.json").write_text('{"name": "x", "format_version": "not a plan"}')
    proc = run("scan", str(tmp_path), "--format", "json")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 1 and any(f["resource"] == "Service/s" for f in doc["findings"])
    assert "plan_changes" not in doc["summary"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_plan_summary_line_and_json(fmt: str) -> None:
    proc = run("scan", str(PLAN), "--format", fmt)
    assert proc.returncode == 1
    if fmt == "text":
        assert "This plan changes" in proc.stdout and "weakens" in proc.stdout and "WEAKENED" in proc.stdout
    else:
        assert json.loads(proc.stdout)["summary"]["plan_changes"]["removed"] == 2


def test_child_modules_and_indexed_addresses_map_to_module_source(tmp_path: Path) -> None:
    (tmp_path / "modules/logs").mkdir(parents=True)
    (tmp_path / "main.tf").write_text('module "logs" {\n  source = "./modules/logs"\n}\n')
    (tmp_path / "modules/logs/main.tf").write_text(
        'resource "aws_cloudwatch_log_group" "this" {\n  for_each          = toset(["a", "b"])\n'
        '  name              = each.key\n  retention_in_days = 7\n}\n')
    def group(key: str, days: int) -> dict:
        return {"address": f'module.logs.aws_cloudwatch_log_group.this["{key}"]', "mode": "managed",
                "type": "aws_cloudwatch_log_group", "name": "this", "index": key,
                "values": {"name": key, "retention_in_days": days}, "sensitive_values": {}}
    plan = {
        "format_version": "1.2", "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"child_modules": [
            {"address": "module.logs", "resources": [group("a", 7), group("b", 400)]}]}},
        "resource_changes": [
            {"address": g["address"], "module_address": "module.logs", "mode": "managed", "type": g["type"],
             "name": "this", "index": g["index"],
             "change": {"actions": ["create"], "before": None, "after": g["values"], "after_unknown": {"arn": True},
                        "before_sensitive": False, "after_sensitive": {}}}
            for g in (group("a", 7), group("b", 400))],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    result = scan([str(tmp_path / "plan.json")], policies=load_policies(), config=Config())
    verdicts = {f.resource: (f.verdict, f.file, f.line) for f in result.findings
                if f.policy_id == "aws-cloudwatch-log-group-retention"}
    source = str(Path("modules/logs/main.tf"))
    assert verdicts['module.logs.aws_cloudwatch_log_group.this["a"]'][0] == "fail"
    assert verdicts['module.logs.aws_cloudwatch_log_group.this["b"]'][0] == "pass"
    assert all(v[1].endswith(source) for v in verdicts.values())
    assert verdicts['module.logs.aws_cloudwatch_log_group.this["a"]'][2] == 4  # the retention_in_days line
