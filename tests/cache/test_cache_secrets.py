"""No secret value in clear in the parse cache (security case 11): CI uploads the cache folder.
A file that may hold a secret literal is not cached; verdicts are identical with and without
cache, cold and warm, on the redaction-canary fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soc2iac.cache import Cache
from soc2iac.config import Config
from soc2iac.policy import load_policies
from soc2iac.reporters import json_report
from soc2iac.scanner import scan
from test_redaction_canaries import CANARIES, forms, plant


def _verdicts(paths: list[str], cache: Cache | None) -> str:
    doc = json.loads(json_report.render(scan(paths, policies=load_policies(), config=Config(), cache=cache)))
    return json.dumps({k: doc[k] for k in ("findings", "problems", "notices")}, sort_keys=True)


@pytest.fixture()
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "logs"\n}\n')
    (clean / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n"
                                    "  containers: [{name: a, image: a}]\n")
    return [*plant(tmp_path), "clean"]


def test_no_canary_in_the_cache_and_verdicts_unchanged(planted: list[str], tmp_path: Path) -> None:
    reference = _verdicts(planted, None)
    root = tmp_path / "cache"
    cold, warm = Cache(root), Cache(root)
    assert _verdicts(planted, cold) == reference
    assert _verdicts(planted, warm) == reference
    assert cold.stats.writes > 0 and warm.stats.hits > 0  # the files without secrets are cached
    assert cold.stats.kept_out > 0
    stored = b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())
    leaks = [name for name, canary in CANARIES.items() for form in forms(canary)
             if form.encode() in stored or form.encode("utf-16-le") in stored]
    assert not leaks, f"in the cache: {leaks}"


@pytest.mark.parametrize("text", [
    'resource "aws_db_instance" "d" {\n  password = "Pw-in-clear-123"\n}\n',
    'variable "api_token" {\n  default = "tok-in-clear-123"\n}\n',
    "kind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\ndata:\n  api_token: tok-in-clear-123\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: a\n"
    "    env:\n    - name: DB_PASSWORD\n      value: pw-in-clear-123\n",
])
def test_a_file_with_a_secret_literal_is_not_cached(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    name = "main.tf" if text.startswith(("resource", "variable")) else "m.yaml"
    (tmp_path / name).write_text(text)
    cache = Cache(tmp_path / "cache")
    assert _verdicts([name], cache) == _verdicts([name], None)
    assert b"in-clear-123" not in b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())


def test_references_and_secret_free_files_are_still_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text('resource "aws_db_instance" "d" {\n  password = var.db_password\n'
                                      '  password_length = 16\n}\nvariable "db_password" {\n  type = string\n}\n')
    cold = Cache(tmp_path / "cache")
    _verdicts(["main.tf"], cold)
    assert cold.stats.kept_out == 0 and cold.stats.writes > 0
