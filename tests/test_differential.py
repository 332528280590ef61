"""Terraform source is read as Terraform reads it: the plan is the ground truth (STYLE rule 15).

Each root of ``terraform_fixtures/_differential/`` is scanned twice with every built-in policy:
as source (its ``.tf`` files) and as the real plan Terraform made of it (``plan.json`` beside it,
made by ``tests/tools/make_differential_plans.py``). For every (policy, address) the plan
decides (pass or fail):

* the source gives the same verdict (an unknown counts as a disagreement: the plan knew);
* the source never passes where the plan fails;

and the source gives no verdict at all on an address the plan does not create (a phantom:
a resource switched off by count or for_each judged as if it existed). Variables and
providers are not resources of a plan and are left out of that comparison.

Run with ``-s`` to see the agreement figure and every disagreement.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from soc2iac.config import Config
from soc2iac.policy import load_policies
from soc2iac.result import Finding
from soc2iac.scanner import scan

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "terraform_fixtures" / "_differential"
ROOTS = sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name != "modules" and (p / "plan.json").is_file())
NOT_PLANNED = {"variable", "provider"}  # source-only resource types: a plan has none
MIN_AGREEMENT = 0.98
Pair = tuple[str, str]  # (policy id, resource address)


@dataclass
class Comparison:
    root: str
    plan: dict[Pair, str] = field(default_factory=dict)
    source: dict[Pair, str] = field(default_factory=dict)
    planned: set[str] = field(default_factory=set)  # addresses the plan creates

    def decided(self) -> dict[Pair, str]:
        return {k: v for k, v in self.plan.items() if v in ("pass", "fail")}

    def disagreements(self) -> list[tuple[Pair, str, str]]:
        return [(k, v, self.source.get(k, "none")) for k, v in sorted(self.decided().items())
                if self.source.get(k) != v]

    def phantoms(self) -> list[tuple[Pair, str]]:
        return [(k, v) for k, v in sorted(self.source.items()) if k[1] not in self.planned]


def _verdicts(findings: list[Finding]) -> dict[Pair, str]:
    """One verdict per (policy, address): the worst when a policy reports a resource twice."""
    rank = {"fail": 0, "unknown": 1, "excepted": 2, "pass": 3}
    out: dict[Pair, str] = {}
    for f in findings:
        key = (f.policy_id, f.address)
        if key not in out or rank[f.verdict] < rank[out[key]]:
            out[key] = f.verdict
    return out


def compare(root: Path, policies: list) -> Comparison:
    # the roots share ../modules, as registry modules' examples call ../../: the tree the scan may read
    result = scan([str(root)], policies=policies, config=Config(), include_roots=[root.parent])
    assert not result.problems, result.problems
    plan = [f for f in result.findings if f.source == "terraform-plan"]
    # the plan sits beside its source: each instance's finding points at its block's .tf file
    assert all(f.file.endswith(".tf") and f.line for f in plan), [(f.resource, f.location) for f in plan]
    source = [f for f in result.findings if f.source == "terraform" and f.resource_type not in NOT_PLANNED]
    doc = json.loads((root / "plan.json").read_text())
    planned = {str(rc["address"]) for rc in doc.get("resource_changes", [])
               if "create" in rc.get("change", {}).get("actions", []) or rc.get("change", {}).get("actions") == ["no-op"]}
    return Comparison(root.name, _verdicts(plan), _verdicts(source), planned)


@pytest.fixture(scope="module")
def comparisons() -> list[Comparison]:
    policies = load_policies()
    found = [compare(root, policies) for root in ROOTS]
    _summary(found)
    return found


def _summary(found: list[Comparison]) -> None:
    decided = sum(len(c.decided()) for c in found)
    agree = decided - sum(len(c.disagreements()) for c in found)
    phantoms = [(c.root, *p) for c in found for p in c.phantoms()]
    kinds = Counter(f"plan {p} / source {s}" for c in found for _, p, s in c.disagreements())
    print(f"\ndifferential: {len(found)} roots, {decided} (policy, address) pairs decided by the plan, "
          f"{agree} agree ({100 * agree / max(decided, 1):.1f} %); {len(phantoms)} phantom verdicts; "
          + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no disagreement"))
    for c in found:
        for (policy, address), p, s in c.disagreements():
            print(f"  {c.root}: {policy} {address}: plan {p}, source {s}")
    for root, (policy, address), verdict in phantoms:
        print(f"  {root}: phantom {verdict} {policy} {address}")


def test_corpus_is_there() -> None:
    assert len(ROOTS) >= 12, ROOTS


def test_no_phantom_verdicts(comparisons: list[Comparison]) -> None:
    phantoms = [(c.root, *p) for c in comparisons for p in c.phantoms()]
    assert not phantoms, phantoms


def test_source_never_passes_where_the_plan_fails(comparisons: list[Comparison]) -> None:
    wrong = [(c.root, k) for c in comparisons for k, p, s in c.disagreements() if p == "fail" and s == "pass"]
    assert not wrong, wrong


def test_source_gives_the_plans_verdicts(comparisons: list[Comparison]) -> None:
    decided = sum(len(c.decided()) for c in comparisons)
    wrong = [(c.root, *d) for c in comparisons for d in c.disagreements()]
    assert decided > 100, decided
    assert 1 - len(wrong) / decided >= MIN_AGREEMENT, wrong
