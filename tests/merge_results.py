"""Generated saved results for `soc2iac merge` tests and bench/merge_scale.py: real policies, real
documents (written by the JSON reporter, so they validate and their summaries agree)."""
from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from pathlib import Path

from soc2iac.reporters.json_report import render
from soc2iac.result import Finding, PolicyInfo, ScanResult, Scope, WaiverInfo

START = datetime(2026, 1, 1, 6, 0, tzinfo=timezone.utc)


@functools.lru_cache(maxsize=1)
def policies() -> tuple[PolicyInfo, ...]:
    from soc2iac.policy import load_policies

    return tuple(PolicyInfo(p.id, p.title, p.severity, tuple(p.criteria)) for p in load_policies()[:20])


def stamp(day: float) -> str:
    return (START + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")


def finding(policy: PolicyInfo, resource: str, verdict: str, *, source: str = "terraform") -> Finding:
    return Finding(policy_id=policy.id, title=policy.title, severity=policy.severity, criteria=policy.criteria,
                   verdict=verdict, message=f"{verdict} for {resource}", resource=resource,  # type: ignore[arg-type]
                   resource_type="aws_s3_bucket", source=source, file="main.tf", line=1, remediation="fix it")


def document(findings: list[Finding], day: float, *, waivers: tuple[WaiverInfo, ...] = (),
             cluster: tuple[tuple[str, str], ...] = (), inputs: tuple[tuple[str, str], ...] = ()) -> str:
    when = stamp(day)
    result = ScanResult(findings=findings, policies=list(policies()), inputs=[p for p, _ in inputs],
                        scope=Scope(inputs=inputs, policy_set_sha256="a" * 64, cluster=cluster),
                        resources_scanned=len({f.resource for f in findings}), waivers=list(waivers),
                        tool_version="0.1.0", started_at=when, finished_at=when)
    return render(result, fail_on="high")


def scale_corpus(folder: Path, sources: int, runs: int, checks: int) -> list[Path]:
    """``sources`` x ``runs`` dated result files of ``checks`` findings each. Check k of a source
    fails from run k % runs on for a while (fixed some runs later, or still failing), so the timeline has
    open and fixed episodes."""
    pols = policies()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for s in range(sources):
        for r in range(runs):
            found = []
            for k in range(checks):
                start, length = k % runs, 1 + (k * 7 + s) % (runs + 2)
                fails = (k % 4 == 0) and start <= r < start + length
                found.append(finding(pols[k % len(pols)], f"aws_s3_bucket.b{k}", "fail" if fails else "pass"))
            path = folder / f"repo-{s:03d}-{stamp(r * 7)[:10]}.json"
            path.write_text(document(found, r * 7, inputs=((f"repo-{s}/main.tf", f"{s:064x}"),)))
            written.append(path)
    return written
