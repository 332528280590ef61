"""Fuzzing the parsers and the CLI with hypothesis, starting from the shipped fixtures.

Inputs are fixtures mutated at byte and token level (flip, insert, delete, duplicate,
swap; syntax tokens such as ``{``, ``${``, ``&a``, ``---``, NUL), plan documents with
random JSON put at random places, and whole documents drawn from scratch. Properties:

* a parser raises nothing but :class:`InputError` (one line, a file name);
* a scan never raises; a bad file is one input problem (exit 2 on the command line,
  one ``input error`` line each) and the good file scanned beside it keeps its findings.

Everyday runs use modest example counts (the whole file in well under a minute); a long
run: ``pytest tests/test_fuzz.py --hypothesis-profile=long`` or ``SOC2IAC_FUZZ_LONG=1``
(:data:`LONG_FACTOR` times as many examples; ``-s`` prints how many inputs were tried).
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import ROOT  # noqa: E402
from soc2iac.config import Config  # noqa: E402
from soc2iac.errors import InputError  # noqa: E402
from soc2iac.parsers import kubernetes  # noqa: E402
from soc2iac.parsers.terraform import TerraformLoader, parse_hcl_text  # noqa: E402
from soc2iac.parsers.terraform_plan import Locator, load_plan_text, parse_plan  # noqa: E402
from soc2iac.policy import load_policies  # noqa: E402
from soc2iac.scanner import scan  # noqa: E402

LONG = os.environ.get("SOC2IAC_FUZZ_LONG") == "1" or settings.get_current_profile_name() == "long"
LONG_FACTOR = 25
TRIED: Counter[str] = Counter()


def examples(n: int) -> int:
    return n * LONG_FACTOR if LONG else n


@atexit.register
def _report() -> None:  # pragma: no cover - a note for long runs
    if TRIED and LONG:
        sys.stderr.write("fuzz inputs tried: " + ", ".join(f"{k}={v}" for k, v in sorted(TRIED.items()))
                         + f", total={sum(TRIED.values())}\n")


def fixtures(pattern: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob(pattern)) if p.stat().st_size < 40_000]


HCL_SEEDS = fixtures("terraform_fixtures/*/*.tf")
YAML_SEEDS = fixtures("k8s_fixtures/*/*.yaml")
PLAN_SEEDS = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("terraform_fixtures/**/*.plan.json"))][:6]
SYNTAX = ["{", "}", "[", "]", "(", ")", '"', "'", "${", "%{", "}", "<<EOF\n", "\nEOF\n", "#", "//", "/*", "*/",
          "=", ":", ",", "?", "-", "- ", "---\n", "...\n", "&a ", "*a", "<<: *a", "!!binary ", "!tag ", "|",
          ">", "\t", "\n", "\r\n", "\x00", "\ufeff", "\u2028", "é", "\\", "null", "true", "1e999",
          "apiVersion: v1\n", "kind: Pod\n", "resource ", "module ", "dynamic ", "for_each", "count",
          "local.", "var.", "\"format_version\"", "[" * 60, "{" * 60]


def _mutate(text: str, ops: list[tuple[int, int, int, str]]) -> str:
    for kind, a, b, token in ops:
        n = len(text)
        i, j = (a % (n + 1), b % (n + 1)) if n else (0, 0)
        i, j = min(i, j), max(i, j)
        if kind == 0:  # insert a syntax token
            text = text[:i] + token + text[i:]
        elif kind == 1:  # delete a range (short)
            text = text[:i] + text[i + (j - i) % 64:]
        elif kind == 2 and n:  # flip one character
            text = text[:i] + chr((ord(text[i % n]) ^ (1 << (b % 7))) or 1) + text[i + 1:]
        elif kind == 3:  # duplicate a range
            text = text[:j] + text[i:i + (j - i) % 256] + text[j:]
        elif kind == 4:  # swap two ranges of lines
            lines = text.split("\n")
            if len(lines) > 1:
                x, y = a % len(lines), b % len(lines)
                lines[x], lines[y] = lines[y], lines[x]
                text = "\n".join(lines)
        elif kind == 5:  # truncate
            text = text[:i]
    return text


def mutated(seeds: list[str]) -> st.SearchStrategy[str]:
    op = st.tuples(st.integers(0, 5), st.integers(0, 1 << 20), st.integers(0, 1 << 20), st.sampled_from(SYNTAX))
    return st.builds(_mutate, st.sampled_from(seeds), st.lists(op, min_size=1, max_size=8))


def only_input_errors(call: Callable[[], Any], shown: str) -> None:
    """``call()`` either succeeds or raises :class:`InputError` naming ``shown`` on one line."""
    try:
        call()
    except InputError as exc:
        assert exc.problem.file == shown
        assert "\n" not in str(exc.problem), str(exc.problem)


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


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, here + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, here + (i,))
    return out


@settings(max_examples=examples(300))
@given(st.sampled_from(PLAN_SEEDS), st.lists(st.tuples(st.integers(0, 1 << 16), JSON_VALUES), min_size=1, max_size=4))
def test_plan_parser_random_json_anywhere(seed: str, swaps: list[tuple[int, Any]]) -> None:
    """Structural fuzzing: any value of a plan replaced by any JSON value (type confusion)."""
    TRIED["plan-structure"] += 1
    doc = json.loads(seed)
    for pick, value in swaps:
        paths = _paths(doc)[1:]
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


def _bytes(text: str, flips: list[int]) -> bytes:
    data = bytearray(text.encode("utf-8", "surrogatepass"))
    for f in flips:
        if data:
            data[f % len(data)] ^= 1 << (f % 8)
    return bytes(data)


@settings(max_examples=examples(150))
@given(mutated(YAML_SEEDS), st.lists(st.integers(0, 1 << 20), max_size=2))
def test_scan_mutated_manifest(text: str, flips: list[int]) -> None:
    TRIED["scan-yaml"] += 1
    scan_beside_good("m.yaml", _bytes(text, flips))


@settings(max_examples=examples(100))
@given(mutated(HCL_SEEDS), st.lists(st.integers(0, 1 << 20), max_size=2))
def test_scan_mutated_terraform(text: str, flips: list[int]) -> None:
    TRIED["scan-tf"] += 1
    scan_beside_good("main.tf", _bytes(text, flips))


@settings(max_examples=examples(100))
@given(mutated(PLAN_SEEDS))
def test_scan_mutated_plan(text: str) -> None:
    TRIED["scan-plan"] += 1
    scan_beside_good("x.plan.json", _bytes(text, []))


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
