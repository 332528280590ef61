"""Every policy is proved by its fixtures (one table-driven test, Polaris/semgrep style).

Layout: terraform_fixtures/<policy-id>/{pass,fail,unknown}*.tf and
k8s_fixtures/<policy-id>/{pass,fail,unknown}*.yaml. Real `terraform show -json`
plans of those .tf files sit beside them as {pass,fail}.plan.json
(tests/tools/make_plan_fixtures.py makes them): the same policy must fire on
the plan at the lines marked in the .tf, or give unknown where a value is only
known after apply. In a fail fixture, each
line the policy must report carries the marker ``soc2iac-expect: fail``; the
test requires exactly those lines. A pass fixture must give at least one pass
of its policy and no fail or unknown; an unknown fixture at least one unknown
and no fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from soc2iac.config import Config
from soc2iac.parsers.registry import sources_of
from soc2iac.policy import builtin_policy_dir, load_file, load_policies
from soc2iac.scanner import scan

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_ROOTS = {
    "terraform_fixtures": (".tf", ".json"),
    "k8s_fixtures": (".yaml", ".yml"),
    # gateway configs: Kong, Envoy, NGINX, Traefik (markers in YAML/conf/TOML comments)
    "gateway_fixtures": (".yaml", ".yml", ".conf", ".toml"),
}
MARKER = "soc2iac-expect: fail"


def fixture_kind(path: Path) -> str | None:
    """pass / fail / unknown from the file name prefix (``fail_explicit.tf`` is a fail fixture)."""
    return next((k for k in ("pass", "fail", "unknown") if path.name.startswith(k)), None)


def fixture_files() -> list[Path]:
    out = []
    for root, suffixes in FIXTURE_ROOTS.items():
        if not (ROOT / root).is_dir():
            continue
        for policy_dir in sorted((ROOT / root).iterdir()):
            if policy_dir.is_dir() and not policy_dir.name.startswith("_"):
                for f in sorted(policy_dir.iterdir()):
                    if f.suffix in suffixes and fixture_kind(f) and (f.suffix != ".json" or f.name.endswith(".plan.json")):
                        out.append(f)
    return out


FIXTURES = fixture_files()


@pytest.fixture(scope="module")
def policies():
    return load_policies()


def _marked_lines(path: Path) -> set[int]:
    return {i for i, line in enumerate(path.read_text().splitlines(), 1) if MARKER in line}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(fixture: Path) -> None:
    policy_id = fixture.parent.name
    policy_file = builtin_policy_dir() / f"{policy_id}.yaml"
    assert policy_file.is_file(), f"fixture folder {fixture.parent} names no policy"
    policy = load_file(policy_file)
    result = scan([str(fixture)], policies=[policy], config=Config())
    assert not result.problems, f"fixture does not parse: {result.problems}"
    mine = [f for f in result.findings if f.policy_id == policy_id]
    verdicts = {f.verdict for f in mine}
    kind = fixture_kind(fixture)
    if fixture.name.endswith(".plan.json"):
        source = fixture.with_name(fixture.name.replace(".plan.json", ".tf"))
        _check_plan_fixture(kind, source, mine)
        return
    if fixture.suffix == ".tf" and "terraform" not in (sources_of(policy.applies_to["source"]) or {"terraform"}):
        # a plan-only policy: its .tf fixtures are what the plans were made from (and the lines the
        # plan's findings point at); scanned as source, the policy must not fire
        assert not mine, [(f.verdict, f.message) for f in mine]
        return
    if kind == "fail":
        expected = _marked_lines(fixture)
        assert expected, f"{fixture} marks no line with '{MARKER}'"
        got = {f.line for f in mine if f.verdict == "fail"}
        assert got == expected, (
            f"fail lines {sorted(got)} != marked lines {sorted(expected)}; findings: "
            + "; ".join(f"{f.verdict} {f.resource}:{f.line} {f.message}" for f in mine)
        )
    elif kind == "pass":
        assert "pass" in verdicts, f"policy never applied to the pass fixture: {[(f.verdict, f.message) for f in mine]}"
        assert verdicts == {"pass"}, "; ".join(f"{f.verdict} {f.resource}:{f.line} {f.message}" for f in mine)
    else:
        assert "unknown" in verdicts and "fail" not in verdicts, [(f.verdict, f.message) for f in mine]


def _check_plan_fixture(kind: str | None, source: Path, mine: list) -> None:
    assert all(f.source == "terraform-plan" and f.file.endswith(source.name) for f in mine), (
        f"plan findings must point at {source.name}: {[(f.file, f.line) for f in mine]}")
    fails = {f.line for f in mine if f.verdict == "fail"}
    unknown = {f.line for f in mine if f.verdict == "unknown"}
    if kind == "fail":
        marked = _marked_lines(source)
        assert fails, "the policy never fails on the plan"
        assert fails <= marked <= fails | unknown, (fails, unknown, marked)
    else:
        assert not fails and any(f.verdict == "pass" for f in mine), [(f.verdict, f.message) for f in mine]


def test_every_policy_has_pass_and_fail_fixtures(policies) -> None:
    kinds: dict[str, set[str]] = {}
    for f in FIXTURES:
        kinds.setdefault(f.parent.name, set()).add(str(fixture_kind(f)))
    missing = [p.id for p in policies if not {"pass", "fail"} <= kinds.get(p.id, set())]
    assert not missing, f"policies without both pass and fail fixtures: {missing}"


def test_every_fixture_folder_names_a_policy(policies) -> None:
    ids = {p.id for p in policies}
    # folders starting with "_" hold shared fixtures (e.g. real plans) tied to no single policy
    folders = [d for root in FIXTURE_ROOTS if (ROOT / root).is_dir()
               for d in (ROOT / root).iterdir() if d.is_dir() and not d.name.startswith("_")]
    stray = [str(d.relative_to(ROOT)) for d in folders if d.name not in ids]
    assert not stray, f"fixture folders naming no policy: {stray}"
