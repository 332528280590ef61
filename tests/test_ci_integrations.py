"""The GitHub Action (action.yml) and the GitLab CI template run here, step by step.

Each `run:` step's shell commands run locally as the runner would run them (GitHub: `bash
--noprofile --norc -eo pipefail`; GitLab: the job's lines in one bash with errexit), with the
`${{ }}` expressions of the step's `env:` substituted from the inputs and earlier step outputs.
The install steps install this checkout into a fresh venv offline (tests/venvs.py); `uses:` steps
(setup-python, upload-sarif) cannot run here, so the test checks what they would be given.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from venvs import fresh_venv, offline_pip_env

pytestmark = pytest.mark.slow

FIXTURES = " ".join(str(ROOT / f) for f in ("terraform_fixtures", "k8s_fixtures", "gateway_fixtures"))
EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def _need_backend() -> None:
    import importlib.util
    if importlib.util.find_spec("setuptools") is None or importlib.util.find_spec("build") is None:
        pytest.skip("the offline install needs the dev extra: pip install -c requirements/test.txt '.[dev]'")


# --- GitHub composite action -------------------------------------------------------------------------

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


class Runner:
    """Runs the composite action's `run:` steps in order, as GitHub would."""

    def __init__(self, bindir: Path, workspace: Path, inputs: dict[str, str]) -> None:
        declared = ACTION["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, unknown
        self.inputs = {k: str(v.get("default", "")) for k, v in declared.items()} | inputs
        self.bindir, self.workspace = bindir, workspace
        self.outputs: dict[str, dict[str, str]] = {}

    def value(self, expr: str) -> str:
        head, _, rest = expr.partition(".")
        if head == "inputs":
            return self.inputs[rest]
        if expr == "github.action_path":
            return str(ROOT)
        if head == "steps":
            step, _, name = rest.partition(".outputs.")
            return self.outputs.get(step, {}).get(name, "")
        raise AssertionError(f"expression the test does not know: {expr}")

    def substitute(self, text: str) -> str:
        return EXPR.sub(lambda m: self.value(m.group(1)), text)

    def run(self, step: dict[str, Any]) -> int:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach scripts through env only (no injection)"
        output = self.workspace / f"output-{step['id']}"
        output.write_text("")
        env = {**offline_pip_env(), "PATH": f"{self.bindir}{os.pathsep}{os.environ['PATH']}",
               "GITHUB_OUTPUT": str(output), "NO_COLOR": "1"}
        env |= {k: self.substitute(str(v)) for k, v in step.get("env", {}).items()}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=self.workspace, env=env, capture_output=True, text=True, timeout=600)
        self.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        self.last = proc
        return proc.returncode

    def steps(self, kind: str) -> list[dict[str, Any]]:
        return [s for s in ACTION["runs"]["steps"] if kind in s]


@pytest.fixture(scope="module")
def action_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The action's install step, run once into a fresh venv."""
    _need_backend()
    where = tmp_path_factory.mktemp("action")
    bindir = fresh_venv(where)
    runner = Runner(bindir, where, {})
    install = next(s for s in runner.steps("run") if s["id"] == "install")
    assert runner.run(install) == 0, runner.last.stderr[-3000:]
    assert (bindir / "soc2iac").exists()
    return bindir


def _run_action(bindir: Path, workspace: Path, inputs: dict[str, str]) -> Runner:
    runner = Runner(bindir, workspace, inputs)
    workspace.mkdir(exist_ok=True)
    runner.codes = {}  # type: ignore[attr-defined]
    for step in runner.steps("run"):
        if step["id"] == "install":
            continue
        runner.codes[step["id"]] = runner.run(step)  # type: ignore[attr-defined]
    return runner


def test_action_is_composite_with_the_documented_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "format", "fail-on", "baseline", "upload-sarif"} <= set(ACTION["inputs"])
    uses = [s["uses"] for s in ACTION["runs"]["steps"] if "uses" in s]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    upload = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    # it must run after a failing scan, and only when asked
    assert "always()" in upload["if"] and "inputs.upload-sarif == 'true'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"


def test_action_scan_fails_on_fixtures_and_writes_sarif_and_json(action_bin: Path, tmp_path: Path) -> None:
    runner = _run_action(action_bin, tmp_path / "ws", {"paths": FIXTURES})
    assert runner.outputs["scan"]["exit-code"] == "1"
    assert runner.codes == {"scan": 0, "verdict": 1}  # type: ignore[attr-defined]
    assert "soc2iac exited 1" in runner.last.stdout
    sarif = json.loads((tmp_path / "ws" / runner.inputs["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    result = json.loads((tmp_path / "ws" / runner.inputs["json-file"]).read_text())
    assert result["summary"] and result["findings"]


def test_action_baseline_new_only_passes_when_nothing_is_new(action_bin: Path, tmp_path: Path) -> None:
    first = _run_action(action_bin, tmp_path / "ws", {"paths": FIXTURES, "json-file": "previous.json"})
    assert first.outputs["scan"]["exit-code"] == "1"
    again = _run_action(action_bin, tmp_path / "ws", {"paths": FIXTURES, "baseline": "previous.json",
                                                      "fail-on-new-only": "true", "format": "markdown"})
    assert again.outputs["scan"]["exit-code"] == "0"
    assert again.codes["verdict"] == 0  # type: ignore[attr-defined]
    assert again.inputs["fail-on"] == "high"


def test_action_inputs_cannot_inject_commands(action_bin: Path, tmp_path: Path) -> None:
    runner = _run_action(action_bin, tmp_path / "ws", {"paths": "$(touch pwned) `touch pwned2`"})
    assert not (tmp_path / "ws" / "pwned").exists() and not (tmp_path / "ws" / "pwned2").exists()
    assert runner.outputs["scan"]["exit-code"] == "2"
    assert runner.codes["verdict"] == 2  # type: ignore[attr-defined]


# --- GitLab CI template -----------------------------------------------------------------------------------

TEMPLATE = yaml.safe_load((ROOT / "ci" / "gitlab" / "soc2iac.gitlab-ci.yml").read_text())[".soc2iac"]


def _gitlab(lines: list[str], workspace: Path, variables: dict[str, str], bindir: Path) -> subprocess.CompletedProcess[str]:
    env = {**offline_pip_env(), "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    env |= {k: str(v) for k, v in TEMPLATE["variables"].items()} | variables
    return subprocess.run(["bash", "-e", "-c", "\n".join(lines)], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def gitlab_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_backend()
    where = tmp_path_factory.mktemp("gitlab")
    bindir = fresh_venv(where)
    proc = _gitlab(TEMPLATE["before_script"], where, {"SOC2IAC_INSTALL": str(ROOT)}, bindir)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return bindir


def test_gitlab_template_reports_junit_and_keeps_evidence(gitlab_bin: Path, tmp_path: Path) -> None:
    proc = _gitlab(TEMPLATE["script"], tmp_path, {"SOC2IAC_PATHS": FIXTURES}, gitlab_bin)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert TEMPLATE["artifacts"]["when"] == "always"
    junit = TEMPLATE["artifacts"]["reports"]["junit"]
    assert (tmp_path / junit).read_text().startswith("<?xml")
    for kept in TEMPLATE["artifacts"]["paths"]:
        assert (tmp_path / kept).stat().st_size > 0, kept
    json.loads((tmp_path / "soc2iac.json").read_text())


def test_gitlab_template_baseline_new_only(gitlab_bin: Path, tmp_path: Path) -> None:
    assert _gitlab(TEMPLATE["script"], tmp_path, {"SOC2IAC_PATHS": FIXTURES}, gitlab_bin).returncode == 1
    (tmp_path / "soc2iac.json").rename(tmp_path / "previous.json")
    proc = _gitlab(TEMPLATE["script"], tmp_path, {"SOC2IAC_PATHS": FIXTURES, "SOC2IAC_BASELINE": "previous.json",
                                                  "SOC2IAC_FAIL_ON_NEW_ONLY": "true"}, gitlab_bin)
    assert proc.returncode == 0, proc.stderr[-2000:]
