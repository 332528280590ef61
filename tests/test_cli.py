"""The installed `soc2iac` command, run as a subprocess the way users run it."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, soc2iac_cmd


def run(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*soc2iac_cmd(), *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120)


def result_schema() -> dict:
    return json.loads(resources.files("soc2iac.schemas").joinpath("result.schema.json").read_text())


def test_scan_of_shipped_fixtures_fails_and_groups_by_criterion() -> None:
    proc = run("scan", "terraform_fixtures", "k8s_fixtures")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert "CC6.1  Logical access" in out and "CC6.6  Access from outside" in out
    assert "FAIL" in out and "fix:" in out and "Summary by criterion" in out
    assert "Traceback" not in proc.stderr


def test_json_output_is_valid_against_the_shipped_schema(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = run("scan", "terraform_fixtures", "k8s_fixtures", "--format", "json", "--output", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    doc = json.loads(out.read_text())
    jsonschema.Draft202012Validator(result_schema()).validate(doc)
    verdicts = {f["verdict"] for f in doc["findings"]}
    assert {"pass", "fail"} <= verdicts
    assert doc["summary"]["failing"] == sum(
        1 for f in doc["findings"] if f["verdict"] == "fail" and f["severity"] in ("critical", "high"))


def test_malformed_file_is_one_line_other_files_still_scanned_exit_2(tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n')
    (tmp_path / "good.tf").write_text('resource "aws_s3_bucket" "plain" {\n  bucket = "b"\n}\n')
    proc = run("scan", str(tmp_path), "--format", "json")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if "bad.tf" in ln]
    assert len(errors) == 1 and "invalid HCL" in errors[0]
    doc = json.loads(proc.stdout)
    assert any(f["policy_id"] == "aws-s3-bucket-encrypted" and f["verdict"] == "fail" for f in doc["findings"])
    assert doc["problems"][0]["file"].endswith("bad.tf")


def test_missing_path_is_exit_2() -> None:
    proc = run("scan", "does/not/exist")
    assert proc.returncode == 2 and "does/not/exist: no such file or directory" in proc.stderr


def test_stdin_manifests_like_helm_template() -> None:
    manifest = (ROOT / "k8s_fixtures/k8s-service-not-nodeport/fail.yaml").read_text()
    proc = run("scan", "-", "--format", "json", stdin=manifest)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    (fail,) = [f for f in doc["findings"] if f["verdict"] == "fail" and f["policy_id"] == "k8s-service-not-nodeport"]
    assert fail["file"] == "<stdin>" and fail["resource"] == "shop/Service/web-nodeport"


def test_stdin_plan_json_is_read_as_a_plan() -> None:
    """`terraform show -json tf.plan | soc2iac scan -` (was silently read as manifests: 0 resources, exit 0)."""
    plan = (ROOT / "terraform_fixtures/aws-ebs-volume-encrypted/fail.plan.json").read_text()
    proc = run("scan", "-", "--format", "json", stdin=plan)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["scan"]["inputs"] == ["<stdin>"] and doc["summary"]["by_verdict"]["fail"] >= 1
    assert {f["source"] for f in doc["findings"]} == {"terraform-plan"}


@pytest.mark.parametrize("text", ['resource "aws_s3_bucket" "b" {}\n', "", "just: some\nyaml: here\n"])
def test_stdin_that_gives_nothing_is_an_input_error(text: str) -> None:
    """Asked to read standard input and nothing came of it: exit 2 and one line, never a silent pass."""
    proc = run("scan", "-", stdin=text)
    assert proc.returncode == 2, proc.stdout
    lines = [ln for ln in proc.stderr.splitlines() if "<stdin>" in ln]
    assert len(lines) == 1 and lines[0].startswith("soc2iac: input error: <stdin>"), proc.stderr


HCL = """variable "retention" {
  default = 7
}

resource "aws_cloudwatch_log_group" "audit" {
  name              = "audit"
  retention_in_days = var.retention
}
"""


def test_piped_hcl_is_refused_with_a_pointer_to_the_flag() -> None:
    proc = run("scan", "-", stdin=HCL)
    assert proc.returncode == 2, proc.stdout
    lines = [ln for ln in proc.stderr.splitlines() if "<stdin>" in ln]
    assert lines == ["soc2iac: input error: <stdin>: standard input looks like Terraform source (HCL); to read it "
                     "as a one-file root module, pass --stdin-format terraform"]


def test_stdin_format_terraform_reads_hcl_as_a_one_file_root() -> None:
    proc = run("scan", "-", "--stdin-format", "terraform", "--format", "json", stdin=HCL)
    doc = json.loads(proc.stdout)
    retention = [f for f in doc["findings"] if f["policy_id"] == "aws-cloudwatch-log-group-retention"]
    assert [(f["verdict"], f["file"], f["line"]) for f in retention] == [("fail", "<stdin>", 7)]
    assert "7 days" in retention[0]["message"]  # the variable's default, evaluated as Terraform does
    assert "soc2iac-stdin" not in proc.stdout + proc.stderr  # the temporary folder is never shown


def test_stdin_format_other_formats_and_usage_errors() -> None:
    manifest = (ROOT / "k8s_fixtures/k8s-service-not-nodeport/fail.yaml").read_text()
    proc = run("scan", "-", "--stdin-format", "kubernetes-manifests", "--format", "json", stdin=manifest)
    assert any(f["file"] == "<stdin>" for f in json.loads(proc.stdout)["findings"])
    proc = run("scan", "-", "--stdin-format", "cobol", stdin=manifest)
    assert proc.returncode == 2 and "--stdin-format: unknown format 'cobol' (one of terraform," in proc.stderr
    proc = run("scan", str(ROOT / "k8s_fixtures/k8s-service-not-nodeport"), "--stdin-format", "terraform")
    assert proc.returncode == 2 and "--stdin-format needs '-' among the paths" in proc.stderr


def test_fail_on_threshold_and_config_parameters_and_exceptions(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text('resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = 90\n'
                  '  kms_key_id        = aws_kms_key.logs.arn\n}\n')
    # medium-severity fail: not failing at the default 'high' threshold, failing at 'medium'
    assert run("scan", str(tf)).returncode == 0
    assert run("scan", str(tf), "--fail-on", "medium").returncode == 1
    cfg = tmp_path / "c.yaml"
    cfg.write_text("fail_on: medium\nparameters:\n  aws-cloudwatch-log-group-retention: {min_days: 30}\n")
    assert run("scan", str(tf), "--config", str(cfg)).returncode == 0
    (tmp_path / ".soc2iac-exceptions.yaml").write_text(
        "waivers:\n  - policy: aws-cloudwatch-log-group-retention\n    resources: [aws_cloudwatch_log_group.g]\n"
        "    reason: archived to S3 Glacier after 90 days\n    approved_by: security@acme.example\n"
        "    ticket: SEC-42\n    expires: 2999-01-01\n")
    cfg.write_text("fail_on: medium\n")
    proc = run("scan", str(tf), "--config", str(cfg), "--format", "json")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    (f,) = [f for f in doc["findings"] if f["policy_id"] == "aws-cloudwatch-log-group-retention"]
    assert f["verdict"] == "excepted" and f["exception"].startswith("archived to S3 Glacier after 90 days")
    assert doc["waivers"][0]["status"] == "applied" and doc["waivers"][0]["ticket"] == "SEC-42"


def test_bad_config_is_one_line_exit_2(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("parameters:\n  aws-cloudwatch-log-group-retention: {no_such: 1}\n")
    proc = run("scan", "terraform_fixtures", "--config", str(cfg))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "no parameter 'no_such'" in proc.stderr


def test_user_policies_and_validate(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    (good / "acme-buckets-tagged.yaml").write_text(
        "id: acme-buckets-tagged\ntitle: Buckets carry an owner tag\nseverity: low\nfamily: secret-storage\n"
        "criteria:\n  - {id: CC6.1, role: primary, focus: protecting the credentials that grant access,\n"
        "     reason: An owner tag names who reviews access to the bucket.}\n"
        "area: encryption-at-rest\napplies_to: {source: terraform, types: [aws_s3_bucket]}\n"
        "check: {kind: condition, condition: {path: tags.Owner, op: exists}}\n"
        "description: Every bucket names an owner for access reviews.\nremediation: Add tags.Owner.\n")
    proc = run("scan", "terraform_fixtures/aws-s3-bucket-encrypted", "--policies", str(good), "--format", "json")
    assert any(f["policy_id"] == "acme-buckets-tagged" for f in json.loads(proc.stdout)["findings"])
    assert run("policies", "validate", str(good)).returncode == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "acme-wrong.yaml").write_text("id: acme-other\ntitle: x\nseverity: urgent\ncriteria: [CC99.1]\n")
    proc = run("policies", "validate", str(bad))
    assert proc.returncode == 2
    out = proc.stdout
    assert "acme-wrong.yaml: severity:" in out and "must equal the file name" in out
    assert "criteria: plain ids are the old format; write each criterion as an entry" in out
    assert run("scan", "terraform_fixtures", "--policies", str(bad)).returncode == 2


def test_policies_list_show_and_criteria() -> None:
    listing = run("policies", "list")
    assert listing.returncode == 0 and "aws-s3-bucket-encrypted" in listing.stdout
    show = run("policies", "show", "aws-s3-bucket-encrypted")
    assert show.returncode == 0 and "Remediation:" in show.stdout and "CC6.1" in show.stdout
    assert run("policies", "show", "nope").returncode == 2
    crit = run("criteria")
    assert crit.returncode == 0 and "CC6.6" in crit.stdout and "k8s-service-not-nodeport" in crit.stdout
    assert "CC1.1" in run("criteria", "--all").stdout


def test_criteria_explain_gives_families_policies_roles_and_reasons() -> None:
    proc = run("criteria", "--explain", "CC7.2")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("CC7.2  System components are monitored")
    assert "family audit-logging" in out and "  primary: recording security-relevant events for monitoring" in out
    assert "family log-encryption" in out and "  supporting: keeping monitoring records protected" in out
    assert "  policy aws-cloudtrail-kms-encrypted" in out and "checkov check(s) with the family's entry" in out
    assert "Left to other evidence: whether anyone reviews the logs" in out
    listing = run("criteria").stdout  # plan regressions of every policy count under CC8.1 (and CC7.1)
    assert "CC8.1  " in listing and "    + every policy's controls a Terraform plan weakens or fixes\n" in listing
    bad = run("criteria", "--explain", "CC6.9")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0 and "unknown Trust Services Criterion" in bad.stderr


def test_version_and_usage_errors() -> None:
    assert run("--version").stdout.startswith("soc2iac ")
    assert run("scan", "x", "--format", "yaml").returncode == 2


def test_help_imports_nothing_heavy() -> None:
    """`soc2iac --help` stays instant: the parsers, yaml, jsonschema and hcl2 load only in commands."""
    code = ("import sys; from soc2iac import cli\n"
            "try:\n    cli.app(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('hcl2', 'lark', 'yaml', 'jsonschema', 'kubernetes', 'checkov', 'soc2iac.engine')"
            " if m in sys.modules]\nprint(heavy)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr


@pytest.mark.parametrize("args", [["scan"], ["policies", "show"]])
def test_missing_arguments_are_usage_errors(args: list[str]) -> None:
    proc = run(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_walked_non_manifests_are_notices_but_broken_manifests_are_errors(tmp_path: Path) -> None:
    (tmp_path / "tsconfig.json").write_text('{\n  // comment\n  "compilerOptions": {"strict": true,}\n}\n')
    (tmp_path / "tpl.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
                                       "  labels: {{- include \"x\" . | nindent 4 }}\n")
    (tmp_path / "main.tf.json").write_text('{"resource": {}}')
    proc = run("scan", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    notices = " ".join(json.loads(proc.stdout)["notices"])
    assert "not a Kubernetes manifest" in notices and "unrendered Helm" in notices and "Terraform JSON" in notices
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: [1,\n")
    proc = run("scan", str(tmp_path))
    assert proc.returncode == 2 and "broken.yaml:4: invalid YAML" in proc.stderr


def test_a_broken_sibling_of_a_named_file_is_a_notice(tmp_path: Path) -> None:
    """pre-commit passes only staged files: an unstaged broken neighbour must not fail the commit."""
    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n')
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "ok" {\n  bucket = "b"\n}\n')
    named = run("scan", str(tmp_path / "main.tf"), "--format", "json")
    assert named.returncode == 1, named.stderr  # the named file's own high finding
    assert any("broken.tf" in n and "context" in n for n in json.loads(named.stdout)["notices"])
    assert run("scan", str(tmp_path)).returncode == 2  # scanning the folder: it is an input
    assert run("scan", str(tmp_path / "broken.tf")).returncode == 2  # naming it: an input


def test_references_resolve_within_their_own_root_module(tmp_path: Path) -> None:
    """prod/ and staging/ both declare aws_s3_bucket.data; only staging encrypts it. Before scopes,
    staging's configuration (a reference to aws_s3_bucket.data) also 'encrypted' prod's bucket."""
    bucket = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-%s-data"\n}\n'
    sse = ('resource "aws_s3_bucket_server_side_encryption_configuration" "data" {\n'
           '  bucket = aws_s3_bucket.data.id\n  rule {\n    apply_server_side_encryption_by_default {\n'
           '      sse_algorithm = "aws:kms"\n    }\n  }\n}\n')
    for env in ("prod", "staging"):
        (tmp_path / env).mkdir()
        (tmp_path / env / "main.tf").write_text(bucket % env + (sse if env == "staging" else ""))
    doc = json.loads(run("scan", str(tmp_path), "--format", "json").stdout)
    verdicts = {(f["file"].split("/")[-2], f["resource"]): f["verdict"] for f in doc["findings"]
                if f["policy_id"] == "aws-s3-bucket-encrypted"}
    # the address repeats across the two roots: each finding names its root
    assert verdicts == {("prod", f"{tmp_path / 'prod'}:aws_s3_bucket.data"): "fail",
                        ("staging", f"{tmp_path / 'staging'}:aws_s3_bucket.data"): "pass"}


@pytest.mark.parametrize(("args", "expect"), [
    (["-f", "text", "-o", "OUT/r.json"], "is a json file name but its --format is text"),
    (["-o", "OUT/r.weird"], "give its --format"),
    (["--fail-on-new-only"], "--fail-on-new-only needs --baseline"),
])
def test_usage_that_cannot_mean_what_was_asked_is_an_error(args: list[str], expect: str, tmp_path: Path) -> None:
    proc = run("scan", "k8s_fixtures/k8s-service-not-nodeport",
               *[a.replace("OUT", str(tmp_path)) for a in args])
    assert proc.returncode == 2 and expect in proc.stderr and "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_output_extension_chooses_the_format_when_none_is_given(tmp_path: Path) -> None:
    proc = run("scan", "k8s_fixtures/k8s-service-not-nodeport", "-o", str(tmp_path / "r.json"),
               "-o", str(tmp_path / "r.sarif"))
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads((tmp_path / "r.json").read_text())["schema_version"]
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"


def test_waivers_naming_no_known_policy_are_errors(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        '# soc2iac:ignore=aws-cloudwatch-log-group-retentoin reason="typo"\n'
        'resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = 7\n}\n')
    (tmp_path / ".soc2iac-exceptions.yaml").write_text(
        "waivers:\n  - policy: no-such-policy\n    resources: ['*']\n    reason: a reason long enough\n    approved_by: a\n"
        "  - policy: aws-cloudwatch-*\n    resources: ['*']\n    reason: a glob that names real ones\n"
        "    approved_by: a\n")
    proc = run("scan", ".", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "names no known policy" in ln]
    assert len(lines) == 2, proc.stderr
    assert any(ln.startswith("soc2iac: input error: main.tf:") and "retentoin" in ln for ln in lines)
    assert any(".soc2iac-exceptions.yaml:2" in ln and "no-such-policy" in ln for ln in lines)


def test_fail_on_unknown_is_a_coverage_gate(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "days" {}\nresource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = var.days\n}\n')
    plain = run("scan", ".", cwd=tmp_path)
    gated = run("scan", ".", "--fail-on-unknown", "--fail-on", "low", cwd=tmp_path)
    assert plain.returncode == 0
    assert gated.returncode == 1 and "could not be decided (--fail-on-unknown)" in gated.stderr


def test_scope_names_what_was_given_and_gave_nothing(tmp_path: Path) -> None:
    """An empty folder, YAML that is no Kubernetes object: each is named in the report, and a scan
    that read no resource says so (before: '0 resource(s)', exit 0, not a word)."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "values.yaml").write_text("replicas: 3\nimage: web\n")
    proc = run("scan", "empty", "y", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    notices = json.loads(proc.stdout)["notices"]
    assert any(n.startswith("empty: no file in it") for n in notices)
    assert any(n.startswith("y/values.yaml: read as kubernetes-manifests, but it holds no resource") for n in notices)
    assert "no resource was read from the inputs: nothing was checked" in notices
