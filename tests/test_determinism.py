"""The same inputs give the same report: two runs, files created on disk in a different
order, and paths given on the command line in a different order all produce byte-identical
JSON and SARIF once the timestamps are set aside (``scan.inputs`` is sorted, not in
command-line order)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, soc2iac_cmd

SOURCES = [
    ROOT / "terraform_fixtures" / "tf-no-literal-secrets",
    ROOT / "terraform_fixtures" / "aws-s3-bucket-encrypted",
    ROOT / "terraform_fixtures" / "aws-s3-log-bucket-access-logging",
    ROOT / "terraform_fixtures" / "_plans" / "weakening",
    ROOT / "k8s_fixtures" / "k8s-secret-not-committed",
    ROOT / "k8s_fixtures" / "k8s-pod-no-host-network",
    ROOT / "k8s_fixtures" / "k8s-env-no-literal-secrets",
]
# the timestamp fields; SARIF's automationDetails.id is "soc2iac/<started_at>" (a run id by time)
TIMESTAMPS = re.compile(r'"(started_at|finished_at|startTimeUtc|endTimeUtc)": "[^"]*"')
RUN_ID = re.compile(r'"id": "soc2iac/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"')


def lay_out(root: Path, *, reverse: bool) -> list[str]:
    """Copy the fixtures under ``root/in`` one file at a time, in forward or reverse order
    (directory entries then come back from the file system in a different order)."""
    files = sorted((src, f) for src in SOURCES for f in src.rglob("*") if f.is_file())
    target = root / "in"
    if target.exists():
        shutil.rmtree(target)
    folders = [target / src.parent.name / src.name for src in SOURCES]
    for folder in (reversed(folders) if reverse else folders):
        folder.mkdir(parents=True)
    for src, f in (reversed(files) if reverse else files):
        dest = target / src.parent.name / src.name / f.relative_to(src)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)
    return [str(Path("in") / src.parent.name / src.name) for src in SOURCES]


def scan(root: Path, *paths: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for fmt in ("json", "sarif"):
        dest = root / f"result.{fmt}"
        proc = subprocess.run([*soc2iac_cmd(), "scan", *paths, "-f", fmt, "-o", str(dest)],
                              capture_output=True, text=True, cwd=root, timeout=120)
        assert proc.returncode == 1, proc.stderr
        text = TIMESTAMPS.sub(r'"\1": "<time>"', dest.read_text(encoding="utf-8"))
        out[fmt] = RUN_ID.sub('"id": "soc2iac/<time>"', text)
    return out


@pytest.fixture(scope="module")
def forward(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], dict[str, str]]:
    root = tmp_path_factory.mktemp("determinism")
    paths = lay_out(root, reverse=False)
    return root, paths, scan(root, *paths)


def test_two_runs_are_identical(forward: tuple[Path, list[str], dict[str, str]]) -> None:
    root, paths, first = forward
    assert scan(root, *paths) == first
    doc = json.loads(first["json"])
    assert doc["findings"] and doc["scan"]["inputs"] == sorted(doc["scan"]["inputs"])


def test_order_on_disk_does_not_matter(forward: tuple[Path, list[str], dict[str, str]]) -> None:
    root, paths, first = forward
    lay_out(root, reverse=True)
    try:
        assert scan(root, *paths) == first
    finally:
        lay_out(root, reverse=False)


def test_order_on_the_command_line_does_not_matter(forward: tuple[Path, list[str], dict[str, str]]) -> None:
    root, paths, first = forward
    assert scan(root, *reversed(paths)) == first
    files = sorted(str(p.relative_to(root)) for p in (root / "in").rglob("*")
                   if p.suffix in (".tf", ".yaml", ".json") and "_plans" not in p.parts)
    by_folder = scan(root, *[p for p in paths if "_plans" not in p])
    assert scan(root, *reversed(files)) == scan(root, *files) == by_folder


def test_timestamps_are_the_only_difference(forward: tuple[Path, list[str], dict[str, str]]) -> None:
    root, paths, first = forward
    doc = json.loads(first["json"])
    assert "<time>" in doc["scan"]["started_at"]
    sarif = json.loads(first["sarif"])
    assert all(inv.get("startTimeUtc", "<time>") == "<time>" for run in sarif["runs"] for inv in run["invocations"])
