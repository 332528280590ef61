"""Every format renders the one summary model (soc2iac.summary): the per-criterion verdicts and
counts read back from JSON, SARIF, JUnit, CSV, Markdown and HTML are the same."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from soc2iac import checkov_bridge
from soc2iac.config import Config
from soc2iac.policy import load_policies
from soc2iac.reporters import renderer
from soc2iac.result import ScanResult
from soc2iac.scanner import scan

ROOT = Path(__file__).resolve().parents[2]
Counts = dict[str, tuple[int, int, int, int]]  # criterion -> (pass, fail, unknown, excepted), checks only


def _json(result: ScanResult) -> tuple[dict[str, str], Counts]:
    by = json.loads(renderer("json")(result, fail_on="high"))["summary"]["by_criterion"]
    return ({c: v["verdict"] for c, v in by.items()},
            {c: (v["pass"], v["fail"], v["unknown"], v["excepted"]) for c, v in by.items() if v["policies"] or
             v["pass"] + v["fail"] + v["unknown"] + v["excepted"]})


def _json_supporting(result: ScanResult) -> Counts:
    by = json.loads(renderer("json")(result, fail_on="high"))["summary"]["by_criterion"]
    return {c: (s["pass"], s["fail"], s["unknown"], s["excepted"]) for c, v in by.items()
            if (s := v.get("supporting")) and sum(s.values())}


def _sarif(result: ScanResult) -> dict[str, str]:
    run = json.loads(renderer("sarif")(result, fail_on="high"))["runs"][0]
    return {c: v["verdict"] for c, v in run["properties"]["by_criterion"].items()}


def _junit(result: ScanResult) -> tuple[dict[str, str], dict[str, tuple[int, int, int]]]:
    root = ET.fromstring(renderer("junit")(result, fail_on="high"))
    verdicts, counts = {}, {}
    for suite in root.iter("testsuite"):
        prop = suite.find("properties/property[@name='verdict']")
        if prop is None:
            continue  # input problems, waivers
        cid = suite.get("name", "").split(" ", 1)[0]
        verdicts[cid] = prop.get("value", "")
        tests, failures, skipped = (int(suite.get(k, "0")) for k in ("tests", "failures", "skipped"))
        counts[cid] = (tests - failures - skipped, failures, skipped)
    return verdicts, counts


def _csv(result: ScanResult, role: str = "primary") -> Counts:
    out: dict[str, list[int]] = {}
    order = ("pass", "fail", "unknown", "excepted")
    for row in csv.DictReader(io.StringIO(renderer("csv")(result, fail_on="high"))):
        if row["record"] != "check":
            continue  # scope, notices, input problems
        assert row["reason"], row  # every row says why the check bears on its criterion
        if row["role"] == role:
            out.setdefault(row["criterion"], [0, 0, 0, 0])[order.index(row["verdict"])] += 1
    return {c: (p, f, u, e) for c, (p, f, u, e) in out.items()}


def _markdown(result: ScanResult) -> tuple[dict[str, str], Counts]:
    verdicts, counts = {}, {}
    for line in renderer("markdown")(result, fail_on="high").splitlines():
        m = re.match(r"^\| \[?([A-Z]+\d\.\d)\]?(?:\([^)]*\))? \| [^|]* \| \*\*([A-Z ]+)\*\* \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|",
                     line)
        if m:
            verdicts[m[1]] = m[2]
            counts[m[1]] = (int(m[3]), int(m[4]), int(m[5]), int(m[6]))
    return verdicts, counts


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td" and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _html(result: ScanResult) -> tuple[dict[str, str], Counts]:
    page = renderer("html")(result, fail_on="high")
    table = page[page.index("Verdict per Trust Services Criterion"):]
    table = table[:table.index("</table>")]
    parser = _Rows()
    parser.feed(table)
    verdicts, counts = {}, {}
    for row in parser.rows:
        if len(row) == 9 and re.match(r"^[A-Z]+\d\.\d$", row[0]):
            verdicts[row[0]] = row[2]
            counts[row[0]] = tuple(int(x) for x in row[3:7])
    return verdicts, counts  # type: ignore[return-value]


_SUPPORTING = re.compile(r"Supporting checks: (\d+) pass, (\d+) fail, (\d+) unknown, (\d+) excepted "
                         r"\(shown apart; they do not decide the verdict\)\.")


def _markdown_supporting(result: ScanResult) -> Counts:
    out: Counts = {}
    cid = ""
    for line in renderer("markdown")(result, fail_on="high").splitlines():
        head = re.match(r"^### ([A-Z]+\d\.\d) ", line)
        cid = head[1] if head else cid
        m = _SUPPORTING.fullmatch(line)
        if m:
            out[cid] = (int(m[1]), int(m[2]), int(m[3]), int(m[4]))
    return out


def _html_supporting(result: ScanResult) -> Counts:
    page = renderer("html")(result, fail_on="high")
    out: Counts = {}
    for block in re.findall(r'id="criterion-[^"]*" aria-labelledby="h-criterion-[^"]*">.*?</(?:section|details)>',
                            page, re.S):
        cid = re.search(r'<h3 id="h-criterion-[^"]*"><span>([A-Z]+\d\.\d) ', block)
        m = _SUPPORTING.search(block)
        if cid and m:
            out[cid[1]] = (int(m[1]), int(m[2]), int(m[3]), int(m[4]))
    return out


def _scans() -> list[tuple[str, ScanResult]]:
    policies = load_policies()
    fixtures = scan(["terraform_fixtures", "k8s_fixtures", "gateway_fixtures"], policies=policies, config=Config())
    plan = scan(["terraform_fixtures/_plans", "terraform_fixtures/plan-control-removed/fail.plan.json"],
                policies=policies, config=Config())
    return [("shipped fixtures", fixtures), ("plans", plan), ("live cluster", _cluster(policies))]


def _cluster(policies: list) -> ScanResult:
    """A live audit against the stand-in API server, Roles forbidden (kinds not collected give
    "not evaluated" verdicts beside the decided ones)."""
    import sys
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from k8s_standin import StandIn
    from test_cluster import FAST, cluster_objects

    from soc2iac.cluster.command import run_cluster

    server = StandIn(objects=cluster_objects(), tls=False, forbidden={"roles", "rolebindings"}).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return run_cluster(kubeconfig=server.write_kubeconfig(Path(tmp) / "kubeconfig"), context=None,
                               namespaces=(), all_namespaces=True, exclude_namespaces=(), policies=policies,
                               config=Config(), quiet=True, page_size=100, max_retries=1, **FAST)
    finally:
        server.stop()


@pytest.mark.parametrize(("name", "result"), _scans(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_format_gives_the_same_verdicts_and_counts(name: str, result: ScanResult) -> None:
    verdicts, counts = _json(result)
    assert verdicts and any(v == "FAIL" for v in verdicts.values())
    assert _sarif(result) == verdicts
    md_verdicts, md_counts = _markdown(result)
    html_verdicts, html_counts = _html(result)
    assert md_verdicts == verdicts and html_verdicts == verdicts
    with_checks = {c: n for c, n in counts.items() if sum(n)}
    assert {c: n for c, n in md_counts.items() if sum(n)} == with_checks
    assert {c: n for c, n in html_counts.items() if sum(n)} == with_checks
    assert _csv(result) == with_checks
    supporting = _json_supporting(result)
    assert _csv(result, "supporting") == supporting
    assert _markdown_supporting(result) == supporting and _html_supporting(result) == supporting
    junit_verdicts, junit_counts = _junit(result)
    assert junit_verdicts == {c: verdicts[c] for c in with_checks}
    assert junit_counts == {c: (p, f, u + e) for c, (p, f, u, e) in with_checks.items()}


def test_plan_changes_count_under_cc81_everywhere() -> None:
    (_, plan), = [s for s in _scans() if s[0] == "plans"]
    verdicts, counts = _json(plan)
    assert verdicts["CC8.1"] == "FAIL" and counts["CC8.1"][1] >= 1
    text = renderer("text")(plan, fail_on="high")
    assert re.search(r"^  CC8\.1\s+FAIL\s+\d+\s+[1-9]", text, re.MULTILINE), text[-2000:]


def _with_checkov() -> ScanResult:
    """A scan merged with checkov's mapped results (as `scan --with-checkov` makes it)."""
    import dataclasses

    from soc2iac.result import Evidence, Finding, PolicyInfo

    (_, base), = [s for s in _scans() if s[0] == "plans"]
    theirs = Finding("CKV_AWS_35", "Ensure CloudTrail logs are encrypted at rest using KMS CMKs", "medium",
                     ("CC7.2", "CC6.1"), "fail", "checkov CKV_AWS_35 failed: CloudTrail KMS",
                     "aws_cloudtrail.main", "aws_cloudtrail", "checkov", "main.tf", 18,
                     "Set kms_key_id.", (Evidence("", 18, "CloudTrail log encryption"),))
    mapped = checkov_bridge.load_mapping()["CKV_AWS_35"]
    info = PolicyInfo("CKV_AWS_35", theirs.title, "medium", theirs.criteria, "checkov", family=mapped.family,
                      mappings=mapped.mappings)
    return dataclasses.replace(base, findings=[*base.findings, theirs], policies=[*base.policies, info])


def test_checkov_results_validate_and_agree_across_formats() -> None:
    from soc2iac.reporters.load import from_document

    result = _with_checkov()
    doc = json.loads(renderer("json")(result, fail_on="high"))
    again = from_document(doc)  # schema-valid (checkov ids allowed), summary consistent
    assert any(f.policy_id == "CKV_AWS_35" for f in again.findings)
    test_every_format_gives_the_same_verdicts_and_counts("with checkov", result)


def test_markdown_says_for_each_failing_criterion_which_primary_check_failed_and_why() -> None:
    """Issue 19's acceptance: a reviewer of the shipped fixtures' Markdown report can tell, for
    each failing criterion, which primary check failed and why it matters, without a policy file."""
    (_, fixtures), = [s for s in _scans() if s[0] == "shipped fixtures"]
    md = renderer("markdown")(fixtures, fail_on="high")
    failing = 0
    for block in re.split(r"\n(?=### )", md):
        head = re.match(r"### ([A-Z]+\d\.\d) ", block)
        if not head or "**Verdict: FAIL**" not in block:
            continue
        failing += 1
        groups = re.findall(r"^`([^`]+)` \([a-z]+, primary\): .*\n\nWhy it matters for " + re.escape(head[1])
                            + r": \*[^*]+\*: \S.*\.$", block, re.MULTILINE)
        assert groups and len(groups) == len(re.findall(r"^`[^`]+` \([a-z]+, primary\):", block, re.MULTILINE)), head[1]
        assert "\nCoverage: " in block and "Left to other evidence: " in block
    assert failing >= 5
