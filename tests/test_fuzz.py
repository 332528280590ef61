"""Fuzzing the parsers and the CLI with hypothesis, starting from the shipped fixtures.

Inputs are fixtures mutated at byte and token level (flip, insert, delete, duplicate,
swap; syntax tokens such as ``{``, ``${``, ``&a``, ``---``, NUL), plan documents with
random JSON put at random places, and whole documents drawn from scratch. Properties:

* a parser raises nothing but :class:`InputError` (one line, a file name);
* a scan never raises; a bad file is one input problem (exit 2 on the command line,
  one ``input error`` line each) and the good file scanned beside it keeps its findings.

Everyday runs use modest example counts (the whole file in well under a minute); a long
run: ``pytest tests/test_fuzz.py --hypothesis-profile=long`` or ``SOC2IAC_FUZZ_LONG=1``
(``fuzzing.LONG_FACTOR`` times as many examples; ``-s`` prints how many inputs were tried).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")

from conftest import ROOT
from fuzzing import (
    JSON_VALUES,
    TRIED,
    examples,
    flip_bits,
    json_paths,
    mutated,
    only_input_errors,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from soc2iac.config import Config
from soc2iac.parsers import kubernetes
from soc2iac.parsers.terraform import TerraformLoader, parse_hcl_text
from soc2iac.parsers.terraform_plan import Locator, load_plan_text, parse_plan
from soc2iac.policy import load_policies
from soc2iac.scanner import scan

pytestmark = pytest.mark.slow


def fixtures(pattern: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob(pattern)) if p.stat().st_size < 40_000]


HCL_SEEDS = fixtures("terraform_fixtures/*/*.tf")
YAML_SEEDS = fixtures("k8s_fixtures/*/*.yaml")
PLAN_SEEDS = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("terraform_fixtures/**/*.plan.json"))][:6]


# ---------------------------------------------------------------------------- parsers

@settings(max_examples=examples(500))
@given(mutated(HCL_SEEDS))
def test_hcl_parser_mutated(text: str) -> None:
    TRIED["hcl"] += 1
    only_input_errors(lambda: parse_hcl_text(text, "f.tf"), "f.tf")


@settings(max_examples=examples(200))
@given(mutated(HCL_SEEDS))
def test_terraform_loader_mutated(text: str) -> None:
    """Parse and evaluate a module folder: problems are recorded, nothing is raised."""
    TRIED["terraform-module"] += 1
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "main.tf").write_text(text, encoding="utf-8", errors="surrogatepass")
        loader = TerraformLoader()
        loader.root_resources(Path(folder))
        assert all("\n" not in str(p) for p in loader.diag.problems)


@settings(max_examples=examples(500))
@given(mutated(YAML_SEEDS))
def test_kubernetes_parser_mutated(text: str) -> None:
    TRIED["kubernetes"] += 1
    only_input_errors(lambda: kubernetes.parse_text(text, "f.yaml"), "f.yaml")


@settings(max_examples=examples(300))
@given(st.lists(st.sampled_from(list("{}[]-:?&*!|>,'\"# \n\tab1") + ["- ", "&a ", "*a", "<<"]),
                max_size=300).map("".join))
def test_kubernetes_parser_yaml_soup(text: str) -> None:
    TRIED["yaml-soup"] += 1
    only_input_errors(lambda: kubernetes.parse_text("apiVersion: v1\nkind: ConfigMap\n" + text, "f.yaml"),
                      "f.yaml")


def _plan(text: str) -> None:
    parse_plan(load_plan_text(text, "p.json"), "p.json", Locator(None))


@settings(max_examples=examples(300))
@given(mutated(PLAN_SEEDS))
def test_plan_parser_mutated_text(text: str) -> None:
    TRIED["plan-text"] += 1
    only_input_errors(lambda: _plan(text), "p.json")


@settings(max_examples=examples(300))
@given(st.sampled_from(PLAN_SEEDS), st.lists(st.tuples(st.integers(0, 1 << 16), JSON_VALUES), min_size=1, max_size=4))
def test_plan_parser_random_json_anywhere(seed: str, swaps: list[tuple[int, Any]]) -> None:
    """Structural fuzzing: any value of a plan replaced by any JSON value (type confusion)."""
    TRIED["plan-structure"] += 1
    doc = json.loads(seed)
    for pick, value in swaps:
        paths = json_paths(doc)[1:]
        if not paths:
            break
        path = paths[pick % len(paths)]
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    only_input_errors(lambda: _plan(json.dumps(doc)), "p.json")


# ---------------------------------------------------------------------------- whole scans

GOOD = (ROOT / "k8s_fixtures" / "k8s-pod-no-host-network" / "fail.yaml").read_text(encoding="utf-8")
GOOD_POLICY = "k8s-pod-no-host-network"
_POLICIES: list[Any] = []


def policies() -> list[Any]:
    if not _POLICIES:
        _POLICIES.extend(load_policies([]))
    return _POLICIES


def scan_beside_good(name: str, data: bytes) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "good.yaml").write_text(GOOD, encoding="utf-8")
        sub = root / "bad"
        sub.mkdir()
        (sub / name).write_bytes(data)
        cwd = os.getcwd()
        os.chdir(root)
        try:
            result = scan(["good.yaml", "bad"], policies=policies(), config=Config())
        finally:
            os.chdir(cwd)
    assert all(p.file.startswith("bad") and "\n" not in str(p) for p in result.problems), result.problems
    assert not any("internal error" in p.message for p in result.problems), result.problems
    assert any(f.policy_id == GOOD_POLICY and f.verdict == "fail" and f.file == "good.yaml"
               for f in result.findings)
    return result


@settings(max_examples=examples(150))
@given(mutated(YAML_SEEDS), st.lists(st.integers(0, 1 << 20), max_size=2))
def test_scan_mutated_manifest(text: str, flips: list[int]) -> None:
    TRIED["scan-yaml"] += 1
    scan_beside_good("m.yaml", flip_bits(text, flips))


@settings(max_examples=examples(100))
@given(mutated(HCL_SEEDS), st.lists(st.integers(0, 1 << 20), max_size=2))
def test_scan_mutated_terraform(text: str, flips: list[int]) -> None:
    TRIED["scan-tf"] += 1
    scan_beside_good("main.tf", flip_bits(text, flips))


@settings(max_examples=examples(100))
@given(mutated(PLAN_SEEDS))
def test_scan_mutated_plan(text: str) -> None:
    TRIED["scan-plan"] += 1
    scan_beside_good("x.plan.json", flip_bits(text, []))


@settings(max_examples=examples(40))
@given(st.sampled_from(["m.yaml", "main.tf", "p.json"]), st.data())
def test_cli_bad_file_is_one_line_and_exit_2(name: str, data: st.DataObject) -> None:
    """The command line: exit 2 exactly when there are input problems, one line each, no
    traceback; the good file's findings are in the JSON report."""
    from typer.testing import CliRunner

    from soc2iac.cli import app

    seeds = {"m.yaml": YAML_SEEDS, "main.tf": HCL_SEEDS, "p.json": PLAN_SEEDS}[name]
    text = data.draw(mutated(seeds))
    TRIED["cli"] += 1
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "good.yaml").write_text(GOOD, encoding="utf-8")
        (root / "bad").mkdir()
        (root / "bad" / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        cwd = os.getcwd()
        os.chdir(root)
        try:
            proc = CliRunner().invoke(app, ["scan", "good.yaml", "bad", "-f", "json", "-o", "r.json"],
                                      catch_exceptions=False)
            doc = json.loads((root / "r.json").read_text(encoding="utf-8"))
        finally:
            os.chdir(cwd)
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("soc2iac: input error: bad/")]
    assert len(errors) == len(doc["problems"]) and len(proc.stderr.splitlines()) == len(errors), proc.stderr
    assert proc.exit_code == (2 if doc["problems"] else 1)  # the good file always fails a check
    assert any(f["policy_id"] == GOOD_POLICY and f["file"] == "good.yaml" for f in doc["findings"])


# ---------------------------------------------------------------------------- cache tampering

TF_GOOD = (ROOT / "terraform_fixtures" / "aws-cloudwatch-log-group-retention" / "fail.tf")
_TAMPER_REFERENCE: dict[str, str] = {}


def _verdicts(paths: list[str], cache: Any) -> str:
    from soc2iac.reporters import json_report

    doc = json.loads(json_report.render(scan(paths, policies=policies(), config=Config(), cache=cache)))
    return json.dumps({k: doc[k] for k in ("findings", "problems")}, sort_keys=True)


def _tampered(data: bytes, how: str, at: int, other: bytes) -> bytes:
    import hashlib
    import pickle

    from soc2iac.cache import MAGIC

    if how == "flip" and data:
        return data[:at % len(data)] + bytes([data[at % len(data)] ^ (1 + at % 255)]) + data[at % len(data) + 1:]
    if how == "truncate":
        return data[:at % (len(data) + 1)]
    if how == "extend":
        return data + bytes(at % 64)
    if how == "swap":  # another entry's bytes under this name
        return other
    if how == "forge":  # what anyone can compute: the magic, a SHA-256, any allowed payload
        payload = pickle.dumps((b"k" * 32, ("ok", [], 0)))
        return MAGIC + hashlib.sha256(payload).digest() + payload
    return data


@settings(max_examples=examples(40))
@given(st.data())
def test_cache_tampering_never_changes_a_verdict(data: st.DataObject) -> None:
    """Cache contents are untrusted: whatever is done to the entries (and to the policy pack's),
    a scan gives the uncached verdicts and never raises."""
    from soc2iac import policy
    from soc2iac.cache import Cache

    TRIED["cache-tamper"] += 1
    ways = ["flip", "truncate", "extend", "swap", "forge", "keep"]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pod.yaml").write_text(GOOD, encoding="utf-8")
        (root / "tf").mkdir()
        (root / "tf" / "main.tf").write_text(TF_GOOD.read_text(encoding="utf-8"), encoding="utf-8")
        cwd, before = os.getcwd(), os.environ.get("SOC2IAC_CACHE_DIR")
        os.chdir(root)
        os.environ["SOC2IAC_CACHE_DIR"] = str(root / "cache")
        compiled, policy._compiled = policy._compiled, lambda files: None  # type: ignore[assignment]  # the pack as edited: cached
        try:
            paths = ["pod.yaml", "tf"]
            reference = _TAMPER_REFERENCE.setdefault("scan", _verdicts(paths, None))
            pack = policy._builtin.__wrapped__()  # type: ignore[attr-defined]  # writes the pack's entry
            _verdicts(paths, Cache(root / "cache"))
            entries = sorted(p for p in (root / "cache").rglob("*") if p.is_file())
            assert entries
            originals = [p.read_bytes() for p in entries]
            for i, entry in enumerate(entries):
                how = data.draw(st.sampled_from(ways), label=f"{entry.name[:8]}")
                at = data.draw(st.integers(0, 1 << 16))
                entry.write_bytes(_tampered(originals[i], how, at, originals[(i + 1) % len(originals)]))
            assert _verdicts(paths, Cache(root / "cache")) == reference
            assert policy._builtin.__wrapped__() == pack  # type: ignore[attr-defined]
        finally:
            policy._compiled = compiled  # type: ignore[assignment]
            os.chdir(cwd)
            if before is None:
                os.environ.pop("SOC2IAC_CACHE_DIR", None)
            else:
                os.environ["SOC2IAC_CACHE_DIR"] = before
