"""Primary and supporting checks (issue 19): a criterion's verdict follows its primary checks; a
supporting check's failure is shown apart and never turns the criterion FAIL; every format carries
the reason a check bears on each criterion."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

from soc2iac.reporters import renderer
from soc2iac.reporters.load import from_document
from soc2iac.result import CriterionEntry, Finding, PolicyInfo, ScanResult
from soc2iac.summary import FAIL, NOT_TESTED, PASS, evidence

LOG_KEY = PolicyInfo(
    "aws-cloudtrail-kms-encrypted", "CloudTrail trails encrypt log files with a KMS key", "medium", ("CC6.1", "CC7.2"),
    family="log-encryption",
    mappings=(CriterionEntry("CC6.1", "primary", "restricting who can read recorded activity",
                             "A managed key limits reading logs to principals the key policy allows."),
              CriterionEntry("CC7.2", "supporting", "keeping monitoring records protected",
                             "Encryption alone does not show that anomalies are detected.")))
TRAIL = PolicyInfo(
    "aws-cloudtrail-multi-region", "CloudTrail trails record events in all AWS Regions", "high", ("CC7.2",),
    family="audit-logging",
    mappings=(CriterionEntry("CC7.2", "primary", "recording security-relevant events for monitoring",
                             "Without these logs, activity in other Regions leaves no record."),))
DISK = PolicyInfo(
    "aws-ebs-volume-encrypted", "EBS volumes are encrypted", "high", ("CC6.1", "C1.1"), family="encryption-at-rest",
    mappings=(CriterionEntry("CC6.1", "primary", "protecting stored information assets with encryption",
                             "Encrypted storage can only be read by principals allowed to use the key."),
              CriterionEntry("C1.1", "supporting", "protecting confidential information while it is kept",
                             "Encryption protects confidential data, but which data is confidential is left open.")))


def _f(p: PolicyInfo, verdict: str, resource: str, line: int) -> Finding:
    return Finding(p.id, p.title, p.severity, p.criteria, verdict, f"{resource}: {verdict}",  # type: ignore[arg-type]
                   resource, resource.split(".")[0], "terraform", "main.tf", line, "Fix it.")


def _result() -> ScanResult:
    return ScanResult(
        findings=[_f(LOG_KEY, "fail", "aws_cloudtrail.main", 3), _f(TRAIL, "pass", "aws_cloudtrail.main", 3),
                  _f(DISK, "pass", "aws_ebs_volume.data", 9), _f(DISK, "fail", "aws_ebs_volume.tmp", 14)],
        problems=[], notices=[], inputs=["main.tf"], policies=[LOG_KEY, TRAIL, DISK], resources_scanned=3,
        tool_version="9.9.9", started_at="2026-01-02T03:04:05Z", finished_at="2026-01-02T03:04:05Z")


def test_a_supporting_failure_does_not_fail_the_criterion() -> None:
    sections = {s.id: s for s in evidence(_result()).sections}
    cc72 = sections["CC7.2"]  # the trail records everywhere; only its (supporting) encryption failed
    assert cc72.verdict == PASS and cc72.counts["fail"] == 0 and cc72.counts["pass"] == 1
    assert cc72.supporting_counts == {"pass": 0, "fail": 1, "unknown": 0, "excepted": 0}
    assert [f.policy_id for f in cc72.supporting] == ["aws-cloudtrail-kms-encrypted"]
    assert "1 supporting check (1 failed) shown apart: they do not decide it" in cc72.reason
    assert [(p.id, p.role) for p in cc72.policies] == [("aws-cloudtrail-multi-region", "primary"),
                                                       ("aws-cloudtrail-kms-encrypted", "supporting")]
    assert sections["CC6.1"].verdict == FAIL  # where encryption is primary, its failure decides
    c11 = sections["C1.1"]  # only supporting checks: not shown to hold or to fail
    assert c11.verdict == NOT_TESTED and c11.basis == "supporting checks only" and c11.detailed
    assert "Left to other evidence: identifying which information is confidential" in c11.coverage


def test_json_carries_roles_and_reasons_and_reads_back() -> None:
    doc = json.loads(renderer("json")(_result()))
    assert doc["schema_version"] == "2.1"
    cc72 = doc["summary"]["by_criterion"]["CC7.2"]
    assert cc72["verdict"] == "PASS" and cc72["fail"] == 0 and cc72["supporting"]["fail"] == 1
    assert cc72["checks"][1] == {"policy": "aws-cloudtrail-kms-encrypted", "role": "supporting",
                                 "focus": "keeping monitoring records protected",
                                 "reason": "Encryption alone does not show that anomalies are detected."}
    assert cc72["coverage"].startswith("soc2iac checks that components produce audit, access or flow logs")
    first = doc["findings"][0]
    assert first["policy_id"] == "aws-cloudtrail-kms-encrypted" and first["supporting_criteria"] == ["CC7.2"]
    policy = next(p for p in doc["scan"]["policies"] if p["id"] == "aws-cloudtrail-kms-encrypted")
    assert policy["family"] == "log-encryption" and policy["criteria_entries"][1]["role"] == "supporting"
    again = from_document(doc)  # validates, and the summary agrees with the findings
    assert renderer("json")(again) == renderer("json")(_result())
    assert renderer("markdown")(again) == renderer("markdown")(_result())


def test_a_schema_2_0_document_still_renders() -> None:
    doc = json.loads(renderer("json")(_result()))
    doc["schema_version"] = "2.0"
    for p in doc["scan"]["policies"]:
        p.pop("family"), p.pop("criteria_entries")
    for f in doc["findings"]:
        f.pop("supporting_criteria", None)
    for c in doc["summary"]["by_criterion"].values():
        for key in ("supporting", "coverage", "checks"):
            c.pop(key, None)
    doc["summary"]["by_criterion"]["CC7.2"].update(verdict="FAIL", fail=1)  # every check was primary then
    doc["summary"]["by_criterion"]["C1.1"].update(verdict="FAIL", fail=1, **{"pass": 1})
    again = from_document(doc)
    assert {s.id: s.verdict for s in evidence(again).sections}["CC7.2"] == FAIL


def test_sarif_junit_csv_markdown_and_html_carry_the_reasons() -> None:
    result = _result()
    sarif = json.loads(renderer("sarif")(result))["runs"][0]
    rule = next(r for r in sarif["tool"]["driver"]["rules"] if r["id"] == "aws-cloudtrail-kms-encrypted")
    assert rule["properties"]["soc2-criteria-entries"][1]["role"] == "supporting"
    assert "CC7.2 (supporting, keeping monitoring records protected)" in rule["help"]["text"]
    assert sarif["properties"]["by_criterion"]["CC7.2"]["verdict"] == "PASS"

    junit = ET.fromstring(renderer("junit")(result))
    suite = next(s for s in junit.iter("testsuite") if s.get("name", "").startswith("CC7.2 "))
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["verdict"] == "PASS" and props["supporting"] == "1 fail" and suite.get("failures") == "0"
    assert props["supporting:aws-cloudtrail-kms-encrypted"].startswith("keeping monitoring records protected: ")
    assert "coverage" in props

    rows = list(csv.DictReader(io.StringIO(renderer("csv")(result))))
    row = next(r for r in rows if r["criterion"] == "CC7.2" and r["policy_id"] == "aws-cloudtrail-kms-encrypted")
    assert row["role"] == "supporting" and row["reason"] == "Encryption alone does not show that anomalies are detected."

    md = renderer("markdown")(result)
    assert "#### Supporting checks (shown apart; they do not decide the verdict)" in md
    assert ("Why it matters for CC6.1: *restricting who can read recorded activity*: A managed key limits reading "
            "logs to principals the key policy allows.") in md
    assert "#### Supporting checks that failed or were not decided (they do not decide the verdict)" in md

    page = renderer("html")(result)
    assert "<strong>Why it matters for CC6.1:</strong> <em>restricting who can read recorded activity</em>" in page
    assert '<details class="criterion" id="criterion-c11"' in page  # supporting only: collapsed
    assert "1 check passed: the evidence, per policy and resource" in page


def test_text_explains_when_asked() -> None:
    plain = renderer("text")(_result())
    assert "why:" not in plain
    explained = renderer("text")(_result(), explain=True)
    assert "why: CC7.2 (supporting, keeping monitoring records protected): Encryption alone" in explained
