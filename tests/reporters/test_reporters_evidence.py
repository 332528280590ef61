"""Evidence reports (Markdown, HTML), CSV, and reading a saved JSON result back.

Golden files live in tests/golden/; regenerate them with SOC2IAC_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import copy
import csv
import importlib.util
import io
import json
import os
import random
import re
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

from soc2iac.errors import InputProblem, Soc2iacError
from soc2iac.policy import criteria_catalog
from soc2iac.reporters import FORMATS, csv_report, html, markdown, renderer
from soc2iac.reporters.json_report import to_document
from soc2iac.reporters.load import from_document, load_file
from soc2iac.result import Finding, PolicyInfo, ScanResult, Scope

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
SHA = "0123456789abcdef" * 4


def _finding(policy: PolicyInfo, verdict: str, resource: str, file: str, line: int, message: str,
             **kw: object) -> Finding:
    base = dict(policy_id=policy.id, title=policy.title, severity=policy.severity, criteria=policy.criteria,
                verdict=verdict, message=message, resource=resource, resource_type=resource.split(".")[0],
                source="terraform", file=file, line=line, remediation=policy.remediation)
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


S3 = PolicyInfo("aws-s3-bucket-encrypted", "S3 buckets declare server-side encryption at rest", "high",
                ("CC6.1", "C1.1"), "encryption", "Unencrypted buckets | leak data.",
                "Add an aws_s3_bucket_server_side_encryption_configuration.", ("https://example.invalid/s3",))
TRAIL = PolicyInfo("aws-cloudtrail-multi-region", "CloudTrail trails record events in all AWS Regions", "high",
                   ("CC7.2",), "logging", "", "Set is_multi_region_trail = true.")
TLS = PolicyInfo("aws-lb-listener-tls12", "Load balancer listeners require TLS 1.2 or later", "medium",
                 ("CC6.7",), "transport", "", "Use ELBSecurityPolicy-TLS13-1-2-2021-06.")
LOGS = PolicyInfo("aws-cloudwatch-log-group-retention", "CloudWatch log groups keep logs long enough", "medium",
                  ("CC7.2", "CC7.3"), "logging", "", "Set retention_in_days to at least 365.")
PRIV = PolicyInfo("k8s-pod-no-privileged", "Pods do not run privileged containers", "high", ("CC6.8",),
                  "workload", "", "Drop privileged: true.")


def sample_result() -> ScanResult:
    """Every case: a fail, an excepted, an unknown, passes, a plan regression, an input problem, a notice."""
    findings = [
        _finding(S3, "fail", "aws_s3_bucket.data", "main.tf", 3, "no encryption | configured for aws_s3_bucket.data"),
        _finding(S3, "pass", "aws_s3_bucket.logs", "main.tf", 12, "AES256 via aws_s3_bucket_server_side_encryption"),
        _finding(TRAIL, "excepted", "aws_cloudtrail.main", "trail.tf", 1, "is_multi_region_trail is false",
                 exception="Single-region by design: every workload runs in eu-west-1 (RISK-42, approved)"),
        _finding(TLS, "unknown", "aws_lb_listener.https", "lb.tf", 5,
                 "ssl_policy cannot be known statically: variable tls_policy has no default and no value"),
        _finding(LOGS, "pass", "aws_cloudwatch_log_group.audit", "logs.tf", 1, "retention_in_days is 400"),
        _finding(S3, "fail", "aws_s3_bucket.data", "main.tf", 3,
                 "this plan weakens the control: server_side_encryption AES256 → unset",
                 criteria=("CC6.1", "C1.1", "CC8.1"), change="regression"),
    ]
    return ScanResult(
        findings=findings,
        problems=[InputProblem("broken.tf", "unexpected token '}'", 7)],
        notices=["--var-file staging.tfvars: variable region is not declared"],
        inputs=["main.tf", "trail.tf", "lb.tf", "logs.tf", "plan.json"],
        policies=[S3, TRAIL, TLS, LOGS, PRIV],
        scope=Scope(
            inputs=(("main.tf", SHA), ("trail.tf", SHA[::-1]), ("lb.tf", SHA), ("logs.tf", SHA), ("plan.json", SHA)),
            policy_set_sha256="f" * 64, git_commit="a" * 40, git_dirty=True,
            cluster=(("context", "prod-eu"), ("server", "10.0.0.1:6443"), ("version", "v1.30.2")),
        ),
        resources_scanned=5,
        changed={"aws_s3_bucket.data", "aws_s3_bucket.logs"},
        tool_version="9.9.9",
        started_at="2026-01-02T03:04:05Z",
        finished_at="2026-01-02T03:04:07Z",
    )


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SOC2IAC_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"{path} missing: run with SOC2IAC_UPDATE_GOLDEN=1"
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from the golden file (SOC2IAC_UPDATE_GOLDEN=1)"


@pytest.mark.parametrize("fmt,name", [("markdown", "evidence.md"), ("html", "evidence.html"), ("csv", "evidence.csv"),
                                      ("text", "report.txt"), ("json", "report.json")])
def test_golden(fmt: str, name: str) -> None:
    _golden(name, renderer(fmt)(sample_result(), fail_on="high"))


@pytest.mark.parametrize("fmt", ["markdown", "html", "csv"])
def test_registered_and_deterministic(fmt: str) -> None:
    assert fmt in FORMATS
    result = sample_result()
    shuffled = sample_result()
    random.Random(7).shuffle(shuffled.findings)
    assert renderer(fmt)(result) == renderer(fmt)(sample_result()) == renderer(fmt)(shuffled)


def test_verdict_per_criterion() -> None:
    ev = markdown.evidence(sample_result())
    by_id = {s.id: s for s in ev.sections}
    assert [s.id for s in ev.sections] == list(criteria_catalog())
    assert by_id["CC6.1"].verdict == markdown.FAIL
    assert by_id["C1.1"].verdict == markdown.FAIL
    assert by_id["CC8.1"].verdict == markdown.FAIL  # the plan regression
    assert by_id["CC6.7"].verdict == markdown.NOT_EVALUATED
    assert by_id["CC7.2"].verdict == markdown.PASS  # a pass and an excepted
    assert by_id["CC7.3"].verdict == markdown.PASS
    assert by_id["CC6.8"].verdict == markdown.NO_RESOURCES and "no scanned resource" in by_id["CC6.8"].reason
    assert by_id["P8.1"].verdict == markdown.NOT_TESTED and by_id["P8.1"].reason.startswith("no automated check")
    # the regression counts under CC8.1 only; its after-state fail stands for CC6.1 and C1.1
    assert by_id["CC6.1"].counts == {"pass": 1, "fail": 1, "unknown": 0, "excepted": 0}
    assert by_id["CC8.1"].counts == {"pass": 0, "fail": 1, "unknown": 0, "excepted": 0}
    untested = sum(1 for s in ev.sections if not s.policies)
    assert ev.verdicts == {"FAIL": 3, "NOT EVALUATED": 1, "PASS": 2, "NO RESOURCES IN SCOPE": len(ev.sections) - 6 - untested,
                           "NOT TESTED": untested}
    assert ev.failing == 2


def test_markdown_content_and_tables() -> None:
    md = markdown.render(sample_result(), fail_on="high")
    assert "- **Failing at or above severity `high`**: 2" in md
    assert "`" + "a" * 40 + "` (uncommitted changes)" in md
    assert "Single-region by design" in md and "broken.tf" in md and "`prod-eu`" in md
    assert "no encryption \\| configured" in md  # pipes in text cells are escaped
    for block in re.split(r"\n(?!\|)", md):
        lines = [ln for ln in block.splitlines() if ln.startswith("|")]
        cells = {len(re.findall(r"(?<!\\)\|", ln)) for ln in lines}
        assert len(cells) <= 1, f"ragged table: {lines[:3]}"


class _Checker(HTMLParser):
    VOID = {"meta", "br", "col", "img", "hr", "input", "link", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a and a["id"]:
            self.ids.append(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'} at {self.getpos()}")
            return
        self.stack.pop()


def _check_html(text: str) -> _Checker:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, f"unclosed: {checker.stack}"
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert len(checker.ids) == len(set(checker.ids)), "duplicate ids"
    for href in checker.hrefs:
        if href.startswith("#"):
            assert href[1:] in checker.ids, f"dangling anchor {href}"
    return checker


def test_html_well_formed_self_contained_accessible() -> None:
    page = html.render(sample_result(), fail_on="high")
    checker = _check_html(page)
    tags = [t for t, _ in checker.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    assert not any("src" in a for _, a in checker.tags)
    lowered = page.lower()
    for needle in ("<script", "<link", "src=", "@import", "url(", "@font-face"):
        assert needle not in lowered, needle
    assert "@media print" in page and "table-header-group" in page
    # every table has a caption and column headers with scope
    assert tags.count("table") == tags.count("caption") == tags.count("thead")
    assert all(a.get("scope") in ("col", "rowgroup") for t, a in checker.tags if t == "th")
    assert "(uncommitted changes)" in page and "prod-eu" in page and "RISK-42" in page
    assert "unexpected token &#x27;}&#x27;" in page
    assert "2 failing at or above severity <code>high</code>" in page


HOSTILE = "<script>alert(1)</script>"


def _hostile_result() -> ScanResult:
    r = sample_result()
    evil = replace(r.findings[0], resource=HOSTILE, message=f"bad {HOSTILE} | =cmd", file=f"{HOSTILE}.tf",
                   criteria=(*r.findings[0].criteria, f'"{HOSTILE}'),
                   exception="", remediation=f'"><img src=x onerror=alert(1)> {HOSTILE}')
    waived = replace(r.findings[2], exception=f"waived {HOSTILE}", resource="=HYPERLINK(\"http://x\")")
    r.findings = [evil, waived, *r.findings[3:]]
    r.problems = [InputProblem(f"{HOSTILE}.yaml", HOSTILE)]
    r.notices = [HOSTILE]
    r.policies = [replace(S3, title=HOSTILE, references=("javascript:alert(1)", "https://ok.example/x\"y")),
                  *r.policies[1:]]
    r.scope = replace(r.scope, cluster=(("context", HOSTILE),))
    return r


def test_html_escapes_everything() -> None:
    page = html.render(_hostile_result())
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert 'href="https://ok.example/x&quot;y"' in page
    _check_html(page)


def test_markdown_escapes_hostile_text() -> None:
    md = markdown.render(_hostile_result())
    raw = [ln for ln in md.splitlines() if HOSTILE in ln]
    for ln in raw:  # a raw tag may appear only inside a code span
        outside = re.sub(r"(`+)(.*?)\1", "", ln)
        assert "<script>" not in outside, ln
    assert "bad \\<script\\>alert(1)\\</script\\> \\| =cmd" in md


def test_csv_rows() -> None:
    text = csv_report.render(sample_result())
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == csv_report.HEADER
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    # fail on 2 criteria, pass on 2, excepted 1, unknown 1, pass 2, regression 1 (CC8.1 only)
    assert len(body) == 9
    assert [r["criterion"] for r in body] == ["CC6.1", "CC6.1", "CC6.7", "CC7.2", "CC7.2", "CC7.3", "CC8.1",
                                              "C1.1", "C1.1"]
    fail = [r for r in body if r["verdict"] == "fail" and not r["change"]]
    assert {r["criterion"] for r in fail} == {"CC6.1", "C1.1"}
    assert fail[0]["line"] == "3" and fail[0]["file"] == "main.tf" and fail[0]["resource"] == "aws_s3_bucket.data"
    assert fail[0]["message"] == "no encryption | configured for aws_s3_bucket.data"
    waived = next(r for r in body if r["verdict"] == "excepted")
    assert waived["exception"].startswith("Single-region by design") and waived["criterion"] == "CC7.2"
    change = next(r for r in body if r["change"])
    assert change == {**change, "criterion": "CC8.1", "change": "regression", "verdict": "fail"}
    assert all(r["criterion_title"] == criteria_catalog()[r["criterion"]] for r in body)


def test_csv_neutralises_formulas() -> None:
    rows = list(csv.reader(io.StringIO(csv_report.render(_hostile_result()))))
    cells = [c for r in rows for c in r]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(c[:1] in "=+-@" for c in cells if c)


@pytest.fixture(scope="module")
def real_document() -> dict[str, object]:
    from soc2iac.config import Config
    from soc2iac.policy import load_policies
    from soc2iac.scanner import scan

    result = scan(["terraform_fixtures"], policies=load_policies(), config=Config(), repo_root=None)
    return to_document(result)


def test_round_trip_real_scan(real_document: dict[str, object]) -> None:
    doc = json.loads(json.dumps(real_document))  # as read back from a file
    assert to_document(from_document(doc)) == real_document
    assert doc["summary"]["plan_changes"]  # type: ignore[index]  # the fixtures carry a plan
    again = from_document(doc)
    for fmt in ("markdown", "html", "csv", "text"):
        assert renderer(fmt)(again)


def test_round_trip_hand_built() -> None:
    r = sample_result()
    doc = to_document(r, fail_on="medium")
    assert to_document(from_document(doc), fail_on="medium") == doc


def test_load_file(tmp_path: Path, real_document: dict[str, object]) -> None:
    good = tmp_path / "r.json"
    good.write_text(json.dumps(real_document), encoding="utf-8")
    result, fail_on = load_file(good)
    assert fail_on == "high" and to_document(result) == real_document
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope", encoding="utf-8")
    with pytest.raises(Soc2iacError, match=r"bad\.json:2: not JSON"):
        load_file(bad)


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d["findings"][0].__setitem__("verdict", "maybe"), "at findings/0/verdict: 'maybe' is not one of"),
    (lambda d: d.pop("findings"), "at (top level): 'findings' is a required property"),
    (lambda d: d["scan"].__setitem__("extra", 1), "at scan: Additional properties are not allowed"),
    (lambda d: d.__setitem__("schema_version", "1.0"), "at schema_version: '2.1' was expected"),
    (lambda d: d["summary"].__setitem__("failing", 0), "summary/failing does not match the findings"),
])
def test_from_document_rejects(real_document: dict[str, object], mutate: object, expected: str) -> None:
    doc = copy.deepcopy(real_document)
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(Soc2iacError) as info:
        from_document(doc)
    message = str(info.value)
    assert "\n" not in message and len(message) <= 300
    assert expected in message


def _tool() -> ModuleType:
    path = ROOT / "tests" / "tools" / "render_html_screenshot.py"
    spec = importlib.util.spec_from_file_location("render_html_screenshot", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_png_decoder_on_a_tiny_png(tmp_path: Path) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(bytes([f]) + bytes(row) for f, row in [(0, [0, 0, 0, 255, 255, 255]), (2, [10, 10, 10, 0, 0, 0])])
    png = tmp_path / "t.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    width, height, bpp, rows = _tool().decode_png(png)
    assert (width, height, bpp) == (2, 2, 3)
    assert rows == [bytes([0, 0, 0, 255, 255, 255]), bytes([10, 10, 10, 255, 255, 255])]


def test_html_screenshot(tmp_path: Path) -> None:
    tool = _tool()
    if tool.find_chromium() is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium) - HTML not rendered")
    page = tmp_path / "report.html"
    page.write_text(html.render(sample_result()), encoding="utf-8")
    png, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    tool.screenshot(page, png)
    stats = tool.png_stats(png)
    assert (stats["width"], stats["height"]) == (1280, 2400)
    assert png.stat().st_size > 20_000
    assert stats["variance"] > 100, stats  # not blank
    assert stats["distinct"] > 20, stats  # text and coloured badges, not one flat colour
    assert 0.002 < stats["dark_fraction"] < 0.3, stats  # dark text on a light page
    assert stats["mean"] > 200, stats  # no dark background
    tool.print_pdf(page, pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert tool.pdf_pages(pdf) >= 2  # summary, then each tested criterion from a new page
