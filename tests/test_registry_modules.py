"""Registry and remote modules: read from the folders ``terraform init`` lists in
``.terraform/modules/modules.json``; without it, every report lists the module calls not read."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run

ROOT = """module "logs" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "~> 4.0"
  bucket  = "acme-logs"
}

module "remote" {
  source = "git::https://example.com/modules.git//vpc?ref=v1"
}
"""

BUCKET_MODULE = """variable "bucket" {
  type = string
}

module "policy" {
  source = "./modules/policy"
  bucket = var.bucket
}

resource "aws_s3_bucket" "this" {
  bucket = var.bucket
}
"""

POLICY_MODULE = """variable "bucket" {
  type = string
}

resource "aws_cloudwatch_log_group" "this" {
  name              = var.bucket
  kms_key_id        = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  retention_in_days = length(var.bucket)
}
"""


def _root(tmp_path: Path, *, manifest: list[dict] | None) -> Path:
    root = tmp_path / "live"
    root.mkdir()
    (root / "main.tf").write_text(ROOT)
    installed = root / ".terraform" / "modules" / "logs"
    (installed / "modules" / "policy").mkdir(parents=True)
    (installed / "main.tf").write_text(BUCKET_MODULE)
    (installed / "modules" / "policy" / "main.tf").write_text(POLICY_MODULE)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "main.tf").write_text('resource "aws_s3_bucket" "stray" {\n  bucket = "stray"\n}\n')
    if manifest is not None:
        (root / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": manifest}))
    return root


MANIFEST = [
    {"Key": "", "Source": "", "Dir": "."},
    {"Key": "logs", "Source": "registry.terraform.io/terraform-aws-modules/s3-bucket/aws", "Version": "4.1.2",
     "Dir": ".terraform/modules/logs"},
    {"Key": "logs.policy", "Source": "./modules/policy", "Dir": ".terraform/modules/logs/modules/policy"},
    # a manifest is not trusted: a folder outside .terraform/modules is not followed
    {"Key": "remote", "Source": "git::https://example.com/modules.git//vpc?ref=v1", "Dir": "../elsewhere"},
]


def test_modules_installed_by_terraform_init_are_read(tmp_path: Path) -> None:
    _root(tmp_path, manifest=MANIFEST)
    doc = json.loads(run("scan", "live", "-f", "json", cwd=tmp_path).stdout)
    by = {(f["policy_id"], f["resource"]): f for f in doc["findings"]}
    assert by[("aws-s3-bucket-encrypted", "module.logs.aws_s3_bucket.this")]["verdict"] == "fail"
    assert by[("aws-s3-bucket-encrypted", "module.logs.aws_s3_bucket.this")]["file"] == \
        "live/.terraform/modules/logs/main.tf"
    (kept,) = [f for f in doc["findings"] if f["resource"] == "module.logs.module.policy.aws_cloudwatch_log_group.this"
               and f["policy_id"] == "aws-cloudwatch-log-group-retention"]
    assert kept["verdict"] == "fail" and kept["set_at"] == [
        "live/.terraform/modules/logs/main.tf:7", "live/main.tf:4"]
    assert not any("stray" in f["resource"] for f in doc["findings"])
    assert doc["scan"]["unread_modules"] == [
        {"at": "live/main.tf:7", "source": "git::https://example.com/modules.git//vpc?ref=v1"}]
    assert not any("module.logs " in n for n in doc["notices"])


def test_without_terraform_init_every_report_lists_the_calls_not_read(tmp_path: Path) -> None:
    _root(tmp_path, manifest=None)
    doc = json.loads(run("scan", "live", "-f", "json", cwd=tmp_path).stdout)
    assert not any(f["resource"].startswith("module.logs") for f in doc["findings"])
    assert doc["scan"]["unread_modules"] == [
        {"at": "live/main.tf:1", "source": "terraform-aws-modules/s3-bucket/aws"},
        {"at": "live/main.tf:7", "source": "git::https://example.com/modules.git//vpc?ref=v1"}]
    assert any("module.logs has a non-local source" in n for n in doc["notices"])
    text = run("scan", "live", cwd=tmp_path).stdout
    assert "Module calls not read (2)" in text and "  live/main.tf:1  terraform-aws-modules/s3-bucket/aws" in text
    for fmt, needle in (("markdown", "Terraform module calls not read"), ("html", "Terraform module calls not read"),
                        ("sarif", '"unread_modules"')):
        out = run("scan", "live", "-f", fmt, cwd=tmp_path).stdout
        assert needle in out and "terraform-aws-modules/s3-bucket/aws" in out, fmt


def test_a_broken_manifest_is_a_notice(tmp_path: Path) -> None:
    root = _root(tmp_path, manifest=None)
    (root / ".terraform" / "modules" / "modules.json").write_text("{ nope")
    proc = run("scan", "live", "-f", "json", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert any("modules.json: not valid JSON" in n for n in doc["notices"]), doc["notices"]
    assert len(doc["scan"]["unread_modules"]) == 2


def test_calls_not_read_are_listed_when_roots_are_evaluated_in_workers(tmp_path: Path) -> None:
    """Many roots with --jobs are evaluated in forked workers: what they could not read comes back."""
    for i in range(18):  # above PARALLEL_MIN_ROOTS
        (tmp_path / f"r{i:02d}").mkdir()
        (tmp_path / f"r{i:02d}" / "main.tf").write_text(ROOT)
    doc = json.loads(run("scan", ".", "-f", "json", "--jobs", "2", "--no-cache", cwd=tmp_path).stdout)
    assert len(doc["scan"]["unread_modules"]) == 36
    assert {"at": "r17/main.tf:7", "source": "git::https://example.com/modules.git//vpc?ref=v1"} in \
        doc["scan"]["unread_modules"]
