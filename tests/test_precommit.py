"""The pre-commit hook, run by the real pre-commit framework from this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

FAILING = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n}\n'
FIXED = FAILING + (
    'resource "aws_s3_bucket_server_side_encryption_configuration" "data" {\n'
    '  bucket = aws_s3_bucket.data.id\n  rule {\n    apply_server_side_encryption_by_default {\n'
    '      sse_algorithm     = "aws:kms"\n      kms_master_key_id = var.logs_key\n    }\n  }\n}\n')


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.slow
def test_hook_blocks_a_failing_commit_and_passes_the_fix(tmp_path: Path) -> None:
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed (pip install '.[dev]')")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0 or not (ROOT / ".pre-commit-hooks.yaml").is_file():
        pytest.skip("this checkout is not a git repository with the hook definition")
    repo = tmp_path / "infra"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head.stdout.strip()}\n    hooks:\n      - id: soc2iac\n")
    (repo / "variables.tf").write_text('variable "logs_key" {}\n')
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PATH": os.environ.get("PATH", "")}
    installed = subprocess.run([str(pre_commit), "install"], cwd=repo, capture_output=True, text=True, env=env)
    assert installed.returncode == 0, installed.stderr
    (repo / "main.tf").write_text(FAILING)
    git(repo, "add", ".")
    hook_env = {**env, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    blocked = subprocess.run(["git", "commit", "-m", "logs"], cwd=repo, capture_output=True, text=True,
                             env=hook_env, timeout=900)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "soc2iac" in output and "aws-s3-bucket-encrypted" in output and "main.tf:1" in output
    (repo / "main.tf").write_text(FIXED)
    git(repo, "add", ".")
    passed = subprocess.run(["git", "commit", "-m", "logs"], cwd=repo, capture_output=True, text=True,
                            env=hook_env, timeout=900)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
