"""Org-wide evidence: many saved JSON results (repositories, plans, clusters, over time) merged
into one model that the merged reports render (soc2iac/reporters/merged.py).

* **Sources.** Each result belongs to a source: ``LABEL=FILE`` names it; otherwise the file name
  without its extension and a trailing date stamp (``payments-2026-03-01T06-00-00Z.json`` and
  ``payments-2026-04-01.json`` are both source ``payments``). Several results of one source are
  runs of it at different times (their ``finished_at``); the same bytes given twice count once.
* **Current state** comes from each source's latest run: its scope (inputs with their SHA-256,
  git commit, cluster identity, policy set), its verdict per criterion, its waivers. Per criterion
  the merged verdict is the worst across sources (FAIL, NOT EVALUATED, PASS, NO RESOURCES IN
  SCOPE, NOT TESTED in that order); the counts add up.
* **Over the period** every run counts: per criterion how many runs were FAIL, and per failing
  check (policy, resource) of a source its *episodes*: first seen failing, fixed (the first later
  run where it did not fail: it passed, was excepted under a waiver, was undecided, or was no
  longer reported, each said as such) and days open; an episode still failing in the source's
  latest run is open. A check already failing in a source's first run was first seen *at or
  before* that run: the report says so rather than claim a start date.

Streaming: a first pass reads each file once for its source and time (and the SHA-256 of its
bytes); a second pass reads the files again source by source in time order, so at most one
document is in memory, plus each source's open failures and the report's own rows. A file that
changed between the passes is an error. Each document is checked against the shipped result
schema with its findings set aside (one schema validation of 100,000 findings would dominate a
1,000-file merge), and every finding's fields the merge reads are checked by type.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from soc2iac.errors import Soc2iacError
from soc2iac.result import WaiverInfo
from soc2iac.summary import COUNTED, CRITERION_VERDICTS
from soc2iac.text import squashed

MERGED_SCHEMA_VERSION = "1.0"
# worst first: the merged verdict of a criterion is the first of these any source has
ORDER = CRITERION_VERDICTS
_STAMP = re.compile(r"[-_.]?\d{4}-?\d{2}-?\d{2}(?:[T_-]?\d{2}[-:]?\d{2}(?:[-:]?\d{2}(?:\.\d+)?)?)?Z?$")


@dataclass(frozen=True)
class Run:
    source: str
    file: str
    finished_at: str
    sha256: str
    tool_version: str
    by_verdict: dict[str, int]
    failing: int
    fail_on: str


@dataclass(frozen=True)
class SourceScope:
    """A source as its latest run saw it."""

    label: str
    runs: tuple[Run, ...]
    inputs: tuple[tuple[str, str], ...]  # (path, sha256) as the result recorded them
    inputs_sha256: str  # one digest over the sorted (path, sha256) pairs: equal inputs, equal digest
    resources_scanned: int
    policy_set_sha256: str
    git_commit: str
    git_dirty: bool
    cluster: tuple[tuple[str, str], ...]
    problems: int


@dataclass(frozen=True)
class CriterionRow:
    id: str
    title: str
    verdict: str
    counts: dict[str, int]
    by_source: tuple[tuple[str, str], ...]  # (source, its latest verdict)
    runs: int
    runs_failing: int


@dataclass(frozen=True)
class WaiverRow:
    """One waiver as the sources declare it (``origin`` the first source's) and the sources that do;
    ``waiver.matched`` adds up their matches."""

    waiver: WaiverInfo
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Episode:
    source: str
    policy_id: str
    resource: str
    title: str
    severity: str
    first_seen: str
    since_first_run: bool  # failing already in the source's first run: first seen at or before it
    fixed_at: str  # "" while open
    fixed_by: str  # passes, excepted, undecided, not reported; "" while open
    last_seen: str  # the last run it failed in
    days_open: float  # to fixed_at, or to the source's latest run while open

    @property
    def open(self) -> bool:
        return not self.fixed_at


@dataclass(frozen=True)
class Merged:
    period: tuple[str, str]
    sources: tuple[SourceScope, ...]
    criteria: tuple[CriterionRow, ...]
    waivers: tuple[WaiverRow, ...]
    timeline: tuple[Episode, ...]
    notices: tuple[str, ...] = field(default=())
    problems: tuple[str, ...] = field(default=())  # results given but not read (file: why): not merged

    @property
    def runs(self) -> int:
        return sum(len(s.runs) for s in self.sources)


# --------------------------------------------------------------------------- inputs


def label_of(path: Path) -> str:
    """A result file's default source label: its name without extension(s) and date stamp."""
    stem = path.name[: -len(".json")] if path.name.endswith(".json") else path.stem
    label = _STAMP.sub("", stem)
    return label or path.parent.name or stem


def expand(arguments: Iterable[str]) -> list[tuple[str, Path]]:
    """(source label, file) for each argument: ``FILE``, ``LABEL=FILE``, or a folder (its ``*.json``
    files, recursively, each labelled by its name)."""
    out: list[tuple[str, Path]] = []
    for arg in arguments:
        label = ""
        path = Path(arg)
        if not path.exists() and "=" in arg:
            label, _, rest = arg.partition("=")
            path = Path(rest)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not files:
                raise Soc2iacError(f"{path}: no *.json result files in this folder")
            out.extend((label or label_of(p), p) for p in files)
        elif path.exists():
            out.append((label or label_of(path), path))
        else:
            raise Soc2iacError(f"{path}: no such file")
    if not out:
        raise Soc2iacError("no result files given")
    return out


def _read(path: Path) -> tuple[bytes, dict[str, Any]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Soc2iacError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Soc2iacError(f"{path}: not JSON: {squashed(exc, 160)}") from None
    if not isinstance(doc, dict):
        raise Soc2iacError(f"{path}: not a soc2iac result document: the top level is not an object")
    return data, doc


def _finished(path: Path, doc: dict[str, Any]) -> str:
    scan = doc.get("scan")
    when = scan.get("finished_at") if isinstance(scan, dict) else None
    if not isinstance(when, str):
        raise Soc2iacError(f"{path}: not a soc2iac result document: no scan/finished_at")
    try:
        _time(when)
    except ValueError:
        raise Soc2iacError(f"{path}: scan/finished_at is not a date-time: {squashed(when, 60)!r}") from None
    return when


def _time(when: str) -> datetime:
    return datetime.fromisoformat(when.replace("Z", "+00:00"))


_FINDING_FIELDS = (("policy_id", str), ("title", str), ("severity", str), ("verdict", str), ("resource", str),
                   ("change", str))


def _check(path: Path, doc: dict[str, Any]) -> None:
    """The shipped result schema on everything but the findings; the findings' fields merge reads
    by type (a schema pass over every finding would dominate the merge's time)."""
    from soc2iac.reporters.load import validate

    findings = doc.get("findings")
    if not isinstance(findings, list):
        raise Soc2iacError(f"{path}: not a soc2iac result document: findings is not a list")
    try:
        validate({**doc, "findings": []})
    except Soc2iacError as exc:
        raise Soc2iacError(f"{path}: {exc}") from None
    for i, f in enumerate(findings):
        if not isinstance(f, dict):
            raise Soc2iacError(f"{path}: not a soc2iac result document: at findings/{i}: not an object")
        for name, kind in _FINDING_FIELDS:
            if not isinstance(f.get(name, ""), kind) or (name != "change" and name not in f):
                raise Soc2iacError(f"{path}: not a soc2iac result document: at findings/{i}/{name}: "
                                   "missing or not a string")
        if f["verdict"] not in COUNTED:
            raise Soc2iacError(f"{path}: not a soc2iac result document: at findings/{i}/verdict: "
                               f"{squashed(f['verdict'], 40)!r} is not one of {', '.join(COUNTED)}")


# --------------------------------------------------------------------------- merge


@dataclass(frozen=True)
class _Entry:
    label: str
    path: Path
    finished_at: str
    when: datetime
    sha256: str


def _index(items: Sequence[tuple[str, Path]], notices: list[str], problems: list[str]) -> dict[str, list[_Entry]]:
    """Pass 1: each file's source and time, and its shape checked; the same bytes twice count once.
    A file that is not a readable result is a problem (named in the report, not merged); the
    others are merged."""
    by_source: dict[str, list[_Entry]] = {}
    seen: dict[str, Path] = {}
    for label, path in items:
        try:
            data, doc = _read(path)
            when = _finished(path, doc)
            _check(path, doc)
        except Soc2iacError as exc:
            problems.append(str(exc))
            continue
        digest = hashlib.sha256(data).hexdigest()
        del data, doc
        if digest in seen:
            notices.append(f"{path}: the same result as {seen[digest]}; counted once")
            continue
        seen[digest] = path
        by_source.setdefault(label, []).append(_Entry(label, path, when, _time(when), digest))
    for entries in by_source.values():
        entries.sort(key=lambda e: (e.when, str(e.path)))
    return by_source


class _Timeline:
    """One source's failing checks over its runs, in time order."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.open: dict[tuple[str, str], dict[str, Any]] = {}
        self.closed: list[Episode] = []
        self.first_run = ""

    def run(self, when: str, findings: list[dict[str, Any]]) -> None:
        self.first_run = self.first_run or when
        state: dict[tuple[str, str], str] = {}
        about: dict[tuple[str, str], dict[str, Any]] = {}
        for f in findings:
            if f.get("change"):
                continue  # a plan's change findings: the after-change finding stands for the check
            key = (f["policy_id"], f["resource"])
            rank = _RANK[f["verdict"]]
            if key not in state or rank < _RANK[state[key]]:
                state[key] = f["verdict"]
                about[key] = f
        for key, episode in list(self.open.items()):
            now = state.get(key)
            if now == "fail":
                episode["last_seen"] = when
                continue
            del self.open[key]
            self.closed.append(self._episode(key, episode, when, _FIXED_BY[now]))
        for key, verdict in state.items():
            if verdict == "fail" and key not in self.open:
                f = about[key]
                self.open[key] = {"first_seen": when, "last_seen": when, "title": f["title"],
                                  "severity": f["severity"], "since_first_run": when == self.first_run}

    def _episode(self, key: tuple[str, str], e: dict[str, Any], fixed_at: str, fixed_by: str,
                 until: str = "") -> Episode:
        end = fixed_at or until
        days = (_time(end) - _time(e["first_seen"])).total_seconds() / 86400
        return Episode(self.source, key[0], key[1], e["title"], e["severity"], e["first_seen"], e["since_first_run"],
                       fixed_at, fixed_by, e["last_seen"], round(days, 2))

    def episodes(self, latest: str) -> list[Episode]:
        return self.closed + [self._episode(k, e, "", "", until=latest) for k, e in self.open.items()]


_RANK = {"fail": 0, "unknown": 1, "excepted": 2, "pass": 3}
_FIXED_BY = {"pass": "passes", "excepted": "excepted", "unknown": "undecided", None: "not reported"}


def merge(items: Sequence[tuple[str, Path]]) -> Merged:
    """Merge saved results, ``(source label, file)`` each (see :func:`expand`)."""
    notices: list[str] = []
    problems: list[str] = []
    by_source = _index(items, notices, problems)
    if not by_source:
        raise Soc2iacError(f"no result could be read ({problems[0]}{f'; +{len(problems) - 1} more' if len(problems) > 1 else ''})")
    sources: list[SourceScope] = []
    criteria: dict[str, dict[str, Any]] = {}
    waivers: dict[tuple[Any, ...], dict[str, Any]] = {}
    timeline: list[Episode] = []
    for label in sorted(by_source):
        entries = by_source[label]
        track = _Timeline(label)
        runs: list[Run] = []
        latest: dict[str, Any] = {}
        for entry in entries:
            data, doc = _read(entry.path)
            if hashlib.sha256(data).hexdigest() != entry.sha256:
                raise Soc2iacError(f"{entry.path}: changed while being merged")
            del data
            summary = doc["summary"]
            runs.append(Run(label, str(entry.path), entry.finished_at, entry.sha256, doc["tool"]["version"],
                            dict(summary["by_verdict"]), summary["failing"], summary["fail_on"]))
            for cid, row in summary["by_criterion"].items():
                slot = criteria.setdefault(cid, {"runs": 0, "runs_failing": 0, "latest": {}})
                slot["runs"] += 1
                slot["runs_failing"] += row["verdict"] == "FAIL"
            track.run(entry.finished_at, doc["findings"])
            latest = {k: doc[k] for k in ("scan", "summary", "waivers", "problems")}
            del doc
        scan, summary = latest["scan"], latest["summary"]
        digests = tuple(sorted(scan.get("input_digests", {}).items()))
        sources.append(SourceScope(
            label=label, runs=tuple(runs), inputs=digests,
            inputs_sha256=hashlib.sha256("".join(f"{p}\0{d}\n" for p, d in digests).encode("utf-8",
                                                                                          "surrogateescape")).hexdigest(),
            resources_scanned=scan["resources_scanned"], policy_set_sha256=scan.get("policy_set_sha256", ""),
            git_commit=scan.get("git_commit", ""), git_dirty=bool(scan.get("git_dirty", False)),
            cluster=tuple((str(k), str(v)) for k, v in scan.get("cluster", {}).items()),
            problems=len(latest["problems"]),
        ))
        for cid, row in summary["by_criterion"].items():
            criteria[cid]["latest"][label] = row
        for w in latest["waivers"]:
            key = (w["policy"], tuple(w["resources"]), w["reason"], w["approved_by"], w["ticket"], w["expires"],
                   w["status"])
            slot = waivers.setdefault(key, {"sources": [], "matched": 0, "origin": w["origin"]})
            slot["sources"].append(label)
            slot["matched"] += w["matched"]
        timeline.extend(track.episodes(entries[-1].finished_at))
    all_runs = [r for s in sources for r in s.runs]
    period = (min(r.finished_at for r in all_runs), max(r.finished_at for r in all_runs)) if all_runs else ("", "")
    return Merged(
        period=period, sources=tuple(sources), criteria=tuple(_criteria(criteria)),
        waivers=tuple(WaiverRow(WaiverInfo(k[0], k[1], k[2], k[3], k[4], k[5], v["origin"], k[6], v["matched"]),
                                 tuple(v["sources"]))
                      for k, v in sorted(waivers.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2]))),
        timeline=tuple(sorted(timeline, key=lambda e: (not e.open, _severity_rank(e.severity), e.source,
                                                       e.policy_id, e.resource, e.first_seen))),
        notices=tuple(notices), problems=tuple(problems),
    )


def _criteria(criteria: dict[str, dict[str, Any]]) -> Iterator[CriterionRow]:
    from soc2iac.policy import criteria_catalog
    from soc2iac.result import criterion_sort_key

    catalog = criteria_catalog()
    ids = [c for c in catalog if c in criteria] + sorted((c for c in criteria if c not in catalog),
                                                          key=criterion_sort_key)
    for cid in ids:
        latest = criteria[cid]["latest"]
        verdicts = [row["verdict"] for row in latest.values()]
        verdict = next((v for v in ORDER if v in verdicts), "NOT TESTED")
        counts = {k: sum(int(row.get(k, 0)) for row in latest.values()) for k in COUNTED}
        yield CriterionRow(cid, catalog.get(cid, "(not in the criteria catalog)"), verdict, counts, tuple(sorted((s, row["verdict"]) for s, row in latest.items())),
                           criteria[cid]["runs"], criteria[cid]["runs_failing"])


def _severity_rank(severity: str) -> int:
    from soc2iac.severity import SEVERITIES

    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
