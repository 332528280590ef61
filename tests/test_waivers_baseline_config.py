"""Waivers (register and inline), baseline comparison, config validation, several outputs per run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import run

BUCKET = 'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n}}\n'


def test_inline_terraform_comment_waiver_and_no_inline_flag(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        '# soc2iac:ignore=aws-s3-bucket-encrypted reason="public website assets, no customer data"\n'
        + BUCKET.format(name="site")
        + 'resource "aws_s3_bucket" "data" {\n  # soc2iac:ignore=aws-s3-bucket-encrypted\n  bucket = "data"\n}\n')
    doc = json.loads(run("scan", str(tmp_path), "-f", "json").stdout)
    verdicts = {f["resource"]: f for f in doc["findings"] if f["policy_id"] == "aws-s3-bucket-encrypted"}
    assert verdicts["aws_s3_bucket.site"]["verdict"] == "excepted"
    assert "public website assets" in verdicts["aws_s3_bucket.site"]["exception"]
    assert verdicts["aws_s3_bucket.data"]["verdict"] == "fail"  # a waiver without a reason is not applied
    assert any("has no reason" in n for n in doc["notices"])
    assert doc["waivers"][0]["origin"].startswith("inline ")
    strict = json.loads(run("scan", str(tmp_path), "-f", "json", "--no-inline-waivers").stdout)
    assert all(f["verdict"] != "excepted" for f in strict["findings"])


def test_kubernetes_annotation_waiver(tmp_path: Path) -> None:
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: metrics\n  annotations:\n"
        "    soc2iac.io/ignore.k8s-service-not-nodeport: \"scraped by the on-prem collector; SEC-7\"\n"
        "spec:\n  type: NodePort\n")
    proc = run("scan", str(tmp_path), "-f", "json")
    assert proc.returncode == 0  # waived findings never set a failing exit code
    (f,) = [f for f in json.loads(proc.stdout)["findings"] if f["policy_id"] == "k8s-service-not-nodeport"]
    assert f["verdict"] == "excepted" and "on-prem collector" in f["exception"]


def test_register_expired_unused_and_schema_errors(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BUCKET.format(name="old"))
    register = tmp_path / ".soc2iac-exceptions.yaml"
    register.write_text(
        "waivers:\n"
        "  - policy: aws-s3-bucket-encrypted\n    resources: aws_s3_bucket.old\n"
        "    reason: legacy bucket being migrated\n    approved_by: cto\n    expires: 2020-01-31\n"
        "  - policy: aws-s3-bucket-encrypted\n    resources: [aws_s3_bucket.gone]\n"
        "    reason: bucket removed last quarter\n    approved_by: cto\n")
    proc = run("scan", str(tmp_path), "-f", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    (f,) = [f for f in doc["findings"] if f["policy_id"] == "aws-s3-bucket-encrypted"]
    assert f["verdict"] == "fail" and "waiver expired on 2020-01-31" in f["message"]
    assert [w["status"] for w in doc["waivers"]] == ["expired", "unused"]
    register.write_text("waivers:\n  - policy: aws-s3-bucket-encrypted\n    resources: x\n    reason: too short\n")
    proc = run("scan", str(tmp_path))
    assert proc.returncode == 2 and ".soc2iac-exceptions.yaml:2: waivers[0]" in proc.stderr and "approved_by" in proc.stderr


def test_baseline_new_existing_fixed_and_fail_on_new_only(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BUCKET.format(name="a") + BUCKET.format(name="b"))
    base = tmp_path / "base.json"
    assert run("scan", str(tmp_path), "-f", "json", "-o", str(base)).returncode == 1
    (tmp_path / "main.tf").write_text(BUCKET.format(name="b") + BUCKET.format(name="c"))
    proc = run("scan", str(tmp_path), "-f", "json", "--baseline", str(base))
    doc = json.loads(proc.stdout)
    marks = {f["resource"]: f.get("baseline") for f in doc["findings"]
             if f["policy_id"] == "aws-s3-bucket-encrypted"}
    assert marks == {"aws_s3_bucket.b": "existing", "aws_s3_bucket.c": "new"}
    assert {"policy_id": "aws-s3-bucket-encrypted", "resource": "aws_s3_bucket.a"} in doc["summary"]["baseline_fixed"]
    assert run("scan", str(tmp_path), "--baseline", str(base), "--fail-on-new-only").returncode == 1
    (tmp_path / "main.tf").write_text(BUCKET.format(name="b"))
    assert run("scan", str(tmp_path), "--baseline", str(base), "--fail-on-new-only").returncode == 0


@pytest.mark.parametrize("text, message", [
    ("fail_on: urgent\n", "fail_on"),
    ("colour: blue\n", "'colour' was unexpected"),
    ("disable: [no-such-policy]\n", "disable: unknown policy id(s): no-such-policy"),
    ("severity: {aws-s3-bucket-encrypted: extreme}\n", "severity.aws-s3-bucket-encrypted"),
])
def test_config_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".soc2iac.yaml").write_text(text)
    (tmp_path / "main.tf").write_text(BUCKET.format(name="a"))
    proc = run("scan", str(tmp_path / "main.tf"))
    assert proc.returncode == 2 and message in proc.stderr and ".soc2iac.yaml" in proc.stderr


def test_config_found_upward_enable_and_severity_override(tmp_path: Path) -> None:
    (tmp_path / ".soc2iac.yaml").write_text(
        "enable: [aws-s3-bucket-encrypted]\nseverity: {aws-s3-bucket-encrypted: low}\noutput: {format: [json]}\n")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra/main.tf").write_text(BUCKET.format(name="a"))
    proc = run("scan", str(tmp_path / "infra"))
    doc = json.loads(proc.stdout)  # output format from the config
    assert {f["policy_id"] for f in doc["findings"]} == {"aws-s3-bucket-encrypted"}
    assert doc["findings"][0]["severity"] == "low" and proc.returncode == 0


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BUCKET.format(name="a"))
    j = tmp_path / "out/r.json"
    proc = run("scan", str(tmp_path / "main.tf"), "--format", "json", "--output", str(j), "--format", "text")
    assert proc.returncode == 1 and "Summary by criterion" in proc.stdout
    assert json.loads(j.read_text())["summary"]["failing"] == 1
    bad = run("scan", str(tmp_path / "main.tf"), "--format", "json", "--format", "text")
    assert bad.returncode == 2 and "only one --format can go to standard output" in bad.stderr
    assert "unknown --format 'yaml'" in run("scan", str(tmp_path), "--format", "yaml").stderr


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown", "html"])
def test_every_report_lists_all_waivers(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "main.tf").write_text(BUCKET.format(name="old"))
    (tmp_path / ".soc2iac-exceptions.yaml").write_text(
        "waivers:\n  - policy: aws-s3-bucket-encrypted\n    resources: [aws_s3_bucket.never-there]\n"
        "    reason: decommissioned-bucket-waiver\n    approved_by: cto\n")
    out = run("scan", str(tmp_path), "-f", fmt).stdout
    assert "decommissioned-bucket-waiver" in out and ("unused" in out or "UNUSED" in out)


@pytest.mark.parametrize("address", ['aws_s3_bucket.b[0]', 'module.m["a"].aws_s3_bucket.b', "nginx:server/x/location/~ ^/(a|b)[0-9]+$"])
def test_waiver_by_exact_address_with_brackets(address: str) -> None:
    """Brackets in addresses are glob character classes to fnmatch: the exact address still waives."""
    from soc2iac.result import Finding
    from soc2iac.waivers import Waiver

    finding = Finding(policy_id="aws-s3-bucket-encrypted", title="t", severity="high", criteria=("CC6.1",),
                      verdict="fail", message="m", resource=address, resource_type="aws_s3_bucket",
                      source="terraform", file="main.tf", line=1, remediation="r")
    assert Waiver("aws-s3-bucket-encrypted", (address,), "accepted for the reason given").matches(finding)
    assert not Waiver("aws-s3-bucket-encrypted", (address + "x",), "accepted for the reason given").matches(finding)
    assert Waiver("aws-*", ("*",), "accepted for the reason given").matches(finding)  # globs still work
