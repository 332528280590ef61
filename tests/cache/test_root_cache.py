"""Evaluated Terraform roots are reused from the cache while nothing their evaluation read has
changed (issue 21: warm runs reuse evaluated results; a stale result can never pass)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from soc2iac.cache import Cache
from soc2iac.config import Config
from soc2iac.parsers import terraform
from soc2iac.parsers.hcl_eval import EXPRESSIONS
from soc2iac.policy import load_policies
from soc2iac.reporters import json_report
from soc2iac.scanner import scan

sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402

POLICIES = load_policies()


def _result(paths: list[str], cache: Cache | None) -> str:
    EXPRESSIONS.values.clear()
    EXPRESSIONS.take_requested()
    doc = json.loads(json_report.render(scan(paths, policies=POLICIES, config=Config(), cache=cache),
                                        show_passes=True))
    for key in ("started_at", "finished_at"):
        doc["scan"].pop(key, None)
    return json.dumps(doc, sort_keys=True)


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    corpus.generate_modules(root, 6)
    (root / "examples" / "ex-0001" / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n}\n')
    (root / "examples" / "ex-0002" / "remote.tf").write_text(
        'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n')
    monkeypatch.chdir(tmp_path)
    return root


def _evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = terraform.TerraformLoader.root_resources

    def spy(self: Any, root: Path, only: Any = None) -> Any:
        calls.append(root.name)
        return real(self, root, only)

    monkeypatch.setattr(terraform.TerraformLoader, "root_resources", spy)
    return calls


def test_a_warm_run_reuses_every_root_and_reports_the_same(tree: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cold = _result(["repo"], None)
    doc = json.loads(cold)
    assert doc["problems"] and any("non-local source" in n for n in doc["notices"])  # replayed below
    evaluated = _evaluations(monkeypatch)
    assert _result(["repo"], Cache(tmp_path / "c")) == cold
    assert len(evaluated) == 6
    evaluated.clear()
    cache = Cache(tmp_path / "c")
    assert _result(["repo"], cache) == cold
    assert evaluated == []  # every root came from the cache
    assert cache.stats.hits >= 6


@pytest.mark.parametrize("change", ["edit shared module", "new file in a module", "tfvars", "module appears",
                                    "file becomes a link"])
def test_anything_a_root_read_changes_and_it_is_evaluated_again(tree: Path, tmp_path: Path, change: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tree / "examples" / "ex-0003" / "extra.tf"
    missing.write_text('module "extra" {\n  source = "../../modules/extra"\n}\n')
    cache_dir = tmp_path / "c"
    _result(["repo"], Cache(cache_dir))
    logs = tree / "modules" / "logs"
    if change == "edit shared module":
        main = logs / "main.tf"
        main.write_text(main.read_text().replace("var.default_retention", "3"))
    elif change == "new file in a module":
        (logs / "more.tf").write_text('resource "aws_cloudwatch_log_group" "more" {\n  retention_in_days = 1\n}\n')
    elif change == "tfvars":
        (tree / "examples" / "ex-0000" / "terraform.tfvars").write_text("features = { logs = false, archive = true }\n")
    elif change == "module appears":
        (tree / "modules" / "extra").mkdir()
        (tree / "modules" / "extra" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    else:
        variables = logs / "variables.tf"
        moved = tmp_path / "variables.tf"
        shutil.move(variables, moved)
        variables.symlink_to(moved)  # not followed without --follow-symlinks: the module reads differently
    evaluated = _evaluations(monkeypatch)
    warm = _result(["repo"], Cache(cache_dir))
    assert evaluated  # what changed was seen
    assert warm == _result(["repo"], None)


def test_a_root_holding_a_secret_is_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "main.tf").write_text('resource "aws_db_instance" "db" {\n  password = "Sup3rSecretPassw0rd"\n}\n')
    cache_dir = tmp_path / "c"
    _result(["r"], Cache(cache_dir))
    assert not (cache_dir / "tf-root").exists()
    assert b"Sup3rSecretPassw0rd" not in b"".join(p.read_bytes() for p in cache_dir.rglob("*") if p.is_file())


def test_the_working_directory_is_part_of_the_key(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "c"
    _result(["repo"], Cache(cache_dir))
    monkeypatch.chdir(tree)
    assert _result(["."], Cache(cache_dir)) == _result(["."], None)  # shown paths relative to the new folder
