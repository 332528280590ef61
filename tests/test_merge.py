"""`soc2iac merge`: many saved results, one evidence report, and a timeline of failing checks."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, soc2iac_cmd
from merge_results import document, finding, policies, scale_corpus, stamp

from soc2iac.errors import Soc2iacError
from soc2iac.merge import expand, label_of, merge
from soc2iac.reporters.merged import render, to_document
from soc2iac.result import WaiverInfo


def _pol(i: int = 0):  # type: ignore[no-untyped-def]
    return policies()[i]


@pytest.fixture
def story(tmp_path: Path) -> Path:
    """Source `payments` (three runs, days 0, 4, 9) and a cluster (one run, day 9).

    payments: A fails, fails, passes (fixed day 9); B passes, fails, fails (open since day 4);
    C fails, then is no longer reported (day 4); D fails on day 4, excepted on day 9."""
    p = _pol(0)
    runs = {
        0: [finding(p, "A", "fail"), finding(p, "B", "pass"), finding(p, "C", "fail")],
        4: [finding(p, "A", "fail"), finding(p, "B", "fail"), finding(p, "D", "fail")],
        9: [finding(p, "A", "pass"), finding(p, "B", "fail"), finding(p, "D", "excepted")],
    }
    waiver = WaiverInfo(p.id, ("D",), "accepted until migration", "ciso", "SEC-1", "2026-12-31", "waivers.yaml",
                        "applied", 1)
    for day, found in runs.items():
        text = document(found, day, waivers=(waiver,) if day == 9 else (),
                        inputs=(("main.tf", f"{day:064x}"),))
        (tmp_path / f"payments-{stamp(day)[:10]}.json").write_text(text)
    cluster = document([finding(p, "prod/default/Pod/x", "pass", source="cluster")], 9, waivers=(waiver,),
                       cluster=(("server", "https://10.0.0.1"), ("context", "in-cluster")))
    (tmp_path / "prod-cluster-2026-01-10T06-00-00Z.json").write_text(cluster)
    return tmp_path


def test_labels_drop_date_stamps() -> None:
    assert label_of(Path("payments-2026-03-01T06-00-00Z.json")) == "payments"
    assert label_of(Path("payments_20260301.json")) == "payments"
    assert label_of(Path("x/2026-03-01.json")) == "x"
    assert label_of(Path("soc2iac.json")) == "soc2iac"


def test_timeline_first_seen_fixed_and_open(story: Path) -> None:
    m = merge(expand([str(story)]))
    assert [s.label for s in m.sources] == ["payments", "prod-cluster"]
    assert [len(s.runs) for s in m.sources] == [3, 1]
    got = {(t.source, t.resource): t for t in m.timeline}
    assert set(got) == {("payments", r) for r in "ABCD"}
    a, b, c, d = (got[("payments", r)] for r in "ABCD")
    assert (a.first_seen, a.since_first_run, a.fixed_at, a.fixed_by, a.days_open) == (stamp(0), True, stamp(9), "passes", 9)
    assert a.last_seen == stamp(4)
    assert (b.first_seen, b.since_first_run, b.open, b.days_open) == (stamp(4), False, True, 5)
    assert (c.fixed_at, c.fixed_by, c.days_open) == (stamp(4), "not reported", 4)
    assert (d.first_seen, d.fixed_by, d.days_open) == (stamp(4), "excepted", 5)
    assert m.timeline[0] is b  # open episodes first
    assert m.period == (stamp(0), stamp(9))


def test_reopened_check_is_a_second_episode(tmp_path: Path) -> None:
    p = _pol(0)
    for day, verdict in ((0, "pass"), (1, "fail"), (2, "pass"), (3, "fail")):
        (tmp_path / f"svc-{stamp(day)[:10]}.json").write_text(document([finding(p, "A", verdict)], day))
    m = merge(expand([str(tmp_path)]))
    assert [(t.first_seen, t.fixed_at) for t in m.timeline] == [(stamp(3), ""), (stamp(1), stamp(2))]


def test_criteria_scope_and_waivers_across_sources(story: Path) -> None:
    m = merge(expand([str(story)]))
    p = _pol(0)
    first = p.criteria[0]
    row = next(c for c in m.criteria if c.id == first)
    assert row.verdict == "FAIL"  # payments still fails B
    assert dict(row.by_source) == {"payments": "FAIL", "prod-cluster": "PASS"}
    assert row.counts == {"pass": 2, "fail": 1, "unknown": 0, "excepted": 1}  # latest runs only
    assert (row.runs, row.runs_failing) == (4, 3)
    untested = next(c for c in m.criteria if c.id == "CC1.1")
    assert untested.verdict == "NOT TESTED"
    payments = m.sources[0]
    assert payments.inputs == (("main.tf", f"{9:064x}"),)  # the latest run's scope
    assert dict(m.sources[1].cluster)["context"] == "in-cluster"
    assert len(m.waivers) == 1 and m.waivers[0].sources == ("payments", "prod-cluster")
    assert m.waivers[0].waiver.matched == 2


def test_current_verdict_is_the_latest_run_not_the_last_file_given(story: Path) -> None:
    files = sorted(story.glob("payments-*.json"), reverse=True)  # newest first on the command line
    m = merge(expand(str(f) for f in files))
    assert m.sources[0].runs[-1].finished_at == stamp(9)
    assert m.sources[0].inputs == (("main.tf", f"{9:064x}"),)


def test_explicit_labels_and_duplicates(story: Path) -> None:
    day0 = next(story.glob("payments-2026-01-01.json"))
    m = merge(expand([f"billing={day0}", str(day0)]))
    assert [s.label for s in m.sources] == ["billing"]
    assert len(m.notices) == 1 and "counted once" in m.notices[0]


@pytest.mark.parametrize("content, message", [
    ("{", "not JSON"),
    ("[]", "top level is not an object"),
    ('{"scan": {"finished_at": "yesterday"}}', "not a date-time"),
    ('{"scan": {"finished_at": "2026-01-01T00:00:00Z"}, "findings": []}', "not a soc2iac result document"),
])
def test_bad_files_are_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(Soc2iacError, match=message) as err:
        merge(expand([str(bad)]))
    assert str(bad) in str(err.value) and "\n" not in str(err.value)


def test_a_bad_file_beside_good_ones_is_named_and_the_rest_merged(story: Path) -> None:
    """As a scan goes on past a bad file: the report names what was not read, the others merge,
    and the command exits 2 (an input problem) after writing the report."""
    from typer.testing import CliRunner

    from soc2iac.cli import app

    (story / "truncated.json").write_text('{"scan": {"finished_at": "2026-01-01T00:00:00Z"')
    m = merge(expand([str(story)]))
    assert m.runs == 4 and len(m.problems) == 1
    assert "truncated.json: not JSON" in m.problems[0]
    assert "## Not read (1): not merged" in render(m, "markdown")
    assert "Not read (1)" in render(m, "html") and to_document(m)["problems"] == list(m.problems)
    out = CliRunner().invoke(app, ["merge", str(story)])
    assert out.exit_code == 2
    assert "# SOC 2 evidence across sources" in out.stdout and "truncated.json: not JSON" in out.stdout


def test_a_finding_with_a_wrong_field_is_refused(tmp_path: Path) -> None:
    doc = json.loads(document([finding(_pol(0), "A", "fail")], 0))
    doc["findings"][0]["verdict"] = "maybe"
    (tmp_path / "x.json").write_text(json.dumps(doc))
    with pytest.raises(Soc2iacError, match="findings/0/verdict"):
        merge(expand([str(tmp_path / "x.json")]))


def test_reports_escape_and_json_validates(story: Path, tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator
    from importlib import resources

    hostile = "<script>alert(1)</script>\x1b[31m|x"
    (story / "evil.json").write_text(document([finding(_pol(0), hostile, "fail")], 2))
    m = merge(expand([str(story)]))
    schema = json.loads(resources.files("soc2iac.schemas").joinpath("merged.schema.json").read_text())
    doc = json.loads(render(m, "json"))
    Draft202012Validator(schema).validate(doc)
    assert doc == to_document(m)
    html = render(m, "html")
    assert "<script>" not in html and "\x1b" not in html and "&lt;script&gt;" in html
    md = render(m, "markdown")
    assert "\x1b" not in md and "\\<script\\>" in md and "\\|x" in md


@pytest.mark.slow
def test_cli_merge_writes_reports_and_exits_on_open_fails(story: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run([*soc2iac_cmd(), "merge", str(story), "-f", "json", "-o", str(out / "e.json"),
                           "-f", "html", "-o", str(out / "e.html"), "-f", "markdown"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    high = _pol(0).severity in ("critical", "high")
    assert proc.returncode == (1 if high else 0), proc.stderr
    assert "# SOC 2 evidence across sources" in proc.stdout
    assert json.loads((out / "e.json").read_text())["runs"] == 4
    assert (out / "e.html").read_text().startswith("<!DOCTYPE html>")
    bad = subprocess.run([*soc2iac_cmd(), "merge", str(tmp_path / "nope.json")], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "nope.json: no such file" in bad.stderr


def test_generated_corpus_has_open_fixed_and_reopened_episodes(tmp_path: Path) -> None:
    files = scale_corpus(tmp_path, sources=3, runs=6, checks=40)
    m = merge(expand(str(f) for f in files))
    assert m.runs == 18 and len(m.sources) == 3
    assert any(t.open for t in m.timeline) and any(not t.open for t in m.timeline)
    by_check: dict[tuple[str, str, str], int] = {}
    for t in m.timeline:
        by_check[(t.source, t.policy_id, t.resource)] = by_check.get((t.source, t.policy_id, t.resource), 0) + 1
    assert all(n == 1 for n in by_check.values())  # the corpus's fails are single stretches
    for t in m.timeline:
        if not t.open:
            assert t.fixed_by == "passes" and t.days_open > 0
