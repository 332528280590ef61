"""scan --with-checkov (issue 9): checkov's results by SOC 2 criterion, merged with soc2iac's.

Unit tests use checkov's JSON shape; the end-to-end test runs the real checkov (out of process:
checkov's bc-python-hcl2 would replace python-hcl2 in a shared environment), found through
``SOC2IAC_CHECKOV``, ``soc2iac checkov-setup``'s environment, the bench's, or PATH; skipped with
a message where there is none.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from soc2iac import checkov_bridge
from soc2iac.catalog import criteria_text
from soc2iac.cli import app
from soc2iac.policy import load_policies
from soc2iac.result import Evidence, Finding

MAPPING = checkov_bridge.load_mapping()


def _item(check_id: str, result: str, resource: str, file: str, lines: tuple[int, int] = (1, 5),
          **extra: Any) -> dict[str, Any]:
    return {"check_id": check_id, "check_name": f"title of {check_id}", "check_result": {"result": result, **extra},
            "resource": resource, "file_path": "/" + file, "file_abs_path": str(ROOT / file),
            "file_line_range": list(lines), "guideline": f"https://docs.example/{check_id}"}


def _report(*items: dict[str, Any], check_type: str = "terraform") -> dict[str, Any]:
    buckets: dict[str, list[Any]] = {"passed_checks": [], "failed_checks": [], "skipped_checks": []}
    for item in items:
        buckets[{"PASSED": "passed_checks", "FAILED": "failed_checks", "SKIPPED": "skipped_checks"}[
            item["check_result"]["result"]]].append(item)
    return {"check_type": check_type, "results": {**buckets, "parsing_errors": []}, "summary": {}}


def test_output_forms() -> None:
    one = _report(_item("CKV_AWS_19", "PASSED", "aws_s3_bucket.a", "main.tf"))
    assert checkov_bridge.parse_output(json.dumps(one)) == [one]
    assert checkov_bridge.parse_output(json.dumps([one, one])) == [one, one]
    assert checkov_bridge.parse_output("") == []
    # checkov prints an empty-scan summary object without results: nothing to report
    assert checkov_bridge.parse_output(json.dumps({"passed": 0, "failed": 0})) == []


def test_results_become_findings_with_criteria_locations_and_skips() -> None:
    report = _report(
        _item("CKV_AWS_19", "FAILED", "aws_s3_bucket.a", "main.tf", (3, 9)),
        _item("CKV_AWS_19", "PASSED", "aws_s3_bucket.b", "main.tf", (11, 20)),
        _item("CKV_AWS_19", "SKIPPED", "aws_s3_bucket.c", "main.tf", (22, 30), suppress_comment="public assets"),
        _item("CKV_AWS_999999", "FAILED", "aws_x.y", "main.tf"),  # not mapped: left out, with a notice
    )
    findings, infos, notices = checkov_bridge.findings_of([{**report, "soc2iac_roots": [str(ROOT)]}], MAPPING)
    assert [(f.verdict, f.resource, f.line) for f in findings] == [
        ("fail", "aws_s3_bucket.a", 3), ("pass", "aws_s3_bucket.b", 11), ("excepted", "aws_s3_bucket.c", 22)]
    assert all(f.source == "checkov" and f.criteria == ("CC6.1", "C1.1") and f.file == "main.tf" for f in findings)
    assert findings[0].title == "title of CKV_AWS_19" and findings[0].severity == "high"
    assert findings[2].exception == "checkov:skip: public assets"
    assert [i.id for i in infos] == ["CKV_AWS_19"]
    assert len(notices) == 1 and "1 checkov check(s)" in notices[0]


def _own(policy: str, verdict: str, resource: str, file: str, source: str = "terraform") -> Finding:
    return Finding(policy_id=policy, title="t", severity="high", criteria=("CC6.1",), verdict=verdict,  # type: ignore[arg-type]
                   message="m", resource=resource, resource_type="aws_s3_bucket", source=source, file=file,
                   line=1, remediation="r", evidence=(Evidence("x", 1, "e"),))


def test_same_control_on_the_same_resource_is_one_verdict() -> None:
    own = [_own("aws-s3-bucket-encrypted", "pass", "aws_s3_bucket.a", "main.tf"),
           _own("aws-s3-bucket-encrypted", "pass", "aws_s3_bucket.b", "main.tf")]
    theirs, _, _ = checkov_bridge.findings_of([_report(
        _item("CKV_AWS_19", "FAILED", "aws_s3_bucket.a", "main.tf", (4, 8)),   # disagrees: the fail wins
        _item("CKV_AWS_19", "PASSED", "aws_s3_bucket.b", "main.tf"),          # agrees
        _item("CKV_AWS_19", "PASSED", "aws_s3_bucket.z", "other.tf"),         # no soc2iac verdict: kept
    )], MAPPING)
    merged, joined = checkov_bridge.merge(own, theirs, MAPPING)
    assert joined == 2 and len(merged) == 3
    a, b, z = merged
    assert (a.policy_id, a.verdict, a.line) == ("aws-s3-bucket-encrypted", "fail", 4)
    assert "checkov CKV_AWS_19" in a.message and a.evidence[-1].message.startswith("also checkov CKV_AWS_19")
    assert b.verdict == "pass" and "also checkov CKV_AWS_19" in b.evidence[-1].message
    assert (z.policy_id, z.source) == ("CKV_AWS_19", "checkov")


def test_kubernetes_names_match_across_the_two_spellings() -> None:
    check = next(cid for cid, m in MAPPING.items() if cid.startswith("CKV_K8S") and m.same_as)
    policy = MAPPING[check].same_as[0]
    own = [_own(policy, "pass", "shop/Deployment/web", "k.yaml", source="kubernetes"),
           _own(policy, "pass", "ClusterRole/admin", "k.yaml", source="kubernetes")]
    theirs, _, _ = checkov_bridge.findings_of([_report(
        _item(check, "FAILED", "Deployment.shop.web", "k.yaml"), check_type="kubernetes")], MAPPING)
    merged, joined = checkov_bridge.merge(own, theirs, MAPPING)
    assert joined == 1 and merged[0].verdict == "fail" and len(merged) == 2


def test_criteria_with_checkov_lists_both_sources() -> None:
    text = criteria_text(load_policies([]), checkov={cid: m.criteria for cid, m in MAPPING.items()})
    cc67 = text.split("CC6.7", 1)[1].split("\nCC", 1)[0]
    assert "checkov CKV_AWS_2\n" in cc67 + "\n" and "policies, " in cc67.splitlines()[0]
    out = CliRunner().invoke(app, ["criteria", "--with-checkov"])
    assert out.exit_code == 0 and "checkov CKV_AWS_19" in out.output


def test_missing_checkov_is_a_one_line_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = CliRunner().invoke(app, ["scan", "terraform_fixtures", "--checkov", str(tmp_path / "nope")])
    assert out.exit_code == 2
    assert out.output.strip().count("\n") == 0 and "not an executable file" in out.output


def test_everyday_scan_never_imports_checkov_or_the_bridge(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = ("import sys; from soc2iac.cli import main; sys.argv=['soc2iac','scan','terraform_fixtures','-f','json',"
            "'-o','/dev/null']\ntry:\n main()\nexcept SystemExit: pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('checkov') or m == 'soc2iac.checkov_bridge'))")
    import subprocess

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def _checkov() -> str | None:
    for candidate in (os.environ.get("SOC2IAC_CHECKOV"), str(checkov_bridge.default_venv() / "bin" / "checkov"),
                      str(Path.home() / ".cache" / "soc2iac-bench" / "checkov-venv" / "bin" / "checkov"),
                      shutil.which("checkov")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def test_real_checkov_on_the_shipped_fixtures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    executable = _checkov()
    if executable is None:
        pytest.skip("checkov not installed: `soc2iac checkov-setup` or SOC2IAC_CHECKOV=/path/to/checkov "
                    "runs this test (.ci/run sets it up)")
    monkeypatch.chdir(ROOT)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["scan", "terraform_fixtures", "k8s_fixtures", "--with-checkov",
                                      "--checkov", executable, "-f", "json", "-o", str(out)])
    assert result.exit_code == 1, result.output
    doc = json.loads(out.read_text())
    theirs = [f for f in doc["findings"] if f["source"] == "checkov"]
    assert {f["verdict"] for f in theirs} >= {"pass", "fail"}
    assert any(f["policy_id"].startswith("CKV_K8S_") and f["resource_type"] == "Deployment" for f in theirs)
    # Kubernetes overlaps are joined too (soc2iac's ns/Kind/name and checkov's Kind.ns.name)
    assert any("also checkov CKV_K8S_" in e["message"] for f in doc["findings"] if f["source"] == "kubernetes"
               for e in f["evidence"])
    assert any(f["policy_id"].startswith("CKV_AWS_") for f in theirs)
    for f in theirs:
        assert f["criteria"] and f["file"] and f["line"] > 0 and f["title"], f
        assert not f["file"].startswith("/") and (ROOT / f["file"]).is_file(), f
    # a known overlap: S3 encryption in soc2iac's fixture is judged once, naming both
    bucket = [f for f in doc["findings"] if f["file"] == "terraform_fixtures/aws-s3-bucket-encrypted/fail.tf"
              and f["policy_id"] in ("aws-s3-bucket-encrypted", "CKV_AWS_19")]
    assert [f["policy_id"] for f in bucket if f["verdict"] == "fail"].count("aws-s3-bucket-encrypted") >= 1
    assert not [f for f in bucket if f["policy_id"] == "CKV_AWS_19"], bucket
    assert any("also checkov CKV_AWS_19" in e["message"] for f in bucket for e in f["evidence"])
    policies = {p["id"] for p in doc["scan"]["policies"]}
    assert {f["policy_id"] for f in theirs} <= policies


def test_fake_checkov_through_the_cli_with_a_soc2iac_waiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole --with-checkov path without checkov: a stand-in executable prints checkov's JSON
    (two -d folders: two JSON values in a row). A soc2iac waiver excepts a checkov finding, a
    checkov:skip becomes an exception, and an overlapping check joins soc2iac's verdict."""
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    plain = next(cid for cid, m in MAPPING.items() if not m.same_as and cid.startswith("CKV_AWS_"))
    reports = [_report({**_item(plain, "FAILED", "aws_sqs_queue.q", "main.tf"), "file_abs_path": "/not/there/main.tf"},
                       _item("CKV_AWS_27", "FAILED", "aws_sqs_queue.q", "main.tf")),
               _report(_item(plain, "SKIPPED", "aws_sqs_queue.r", "main.tf", suppress_comment="dev only"))]
    fake = tmp_path / "checkov"
    fake.write_text("#!" + sys.executable + "\nimport json, sys\n"
                    "assert '-d' in sys.argv and '--quiet' not in sys.argv\n"
                    f"print(json.dumps({reports[0]!r}), json.dumps([{reports[1]!r}]), sep='\\n')\n")
    fake.chmod(0o755)
    (tmp_path / ".soc2iac-exceptions.yaml").write_text(
        f"waivers:\n  - policy: {plain}\n    resources: [aws_sqs_queue.q]\n"
        "    reason: queue holds only public events\n    approved_by: security@example.com\n")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, ["scan", "infra", "--checkov", str(fake), "-f", "json"])
    assert out.exit_code in (0, 1), out.output
    doc = json.loads(out.stdout)
    theirs = {f["resource"]: f for f in doc["findings"] if f["policy_id"] == plain}
    assert set(theirs) == {"aws_sqs_queue.q", "aws_sqs_queue.r"}
    assert theirs["aws_sqs_queue.q"]["verdict"] == "excepted"  # the soc2iac waiver
    assert theirs["aws_sqs_queue.q"]["file"] == "infra/main.tf"  # found under the scanned folder
    assert theirs["aws_sqs_queue.q"]["criteria"] == list(MAPPING[plain].criteria)
    assert theirs["aws_sqs_queue.r"]["exception"] == "checkov:skip: dev only"
    # CKV_AWS_27 is the same control as aws-sqs-queue-encrypted: one verdict, naming both
    assert not [f for f in doc["findings"] if f["policy_id"] == "CKV_AWS_27"]
    (own,) = [f for f in doc["findings"] if f["policy_id"] == "aws-sqs-queue-encrypted"]
    assert own["verdict"] == "fail" and "also checkov CKV_AWS_27" in own["evidence"][-1]["message"]
