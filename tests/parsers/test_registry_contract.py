"""The contract every input-registry entry keeps (soc2iac.parsers.registry).

For each format that reads files: a good file gives resources of the entry's source; a malformed
file of that format is one input error naming the file and its line (never a traceback), and the
good files beside it are still scanned; the report does not depend on the order of the paths.
Adding a format means adding its samples here: the first test fails until it has them.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import soc2iac_cmd
from soc2iac.parsers import registry

# entry name -> (file name, good text, malformed text)
SAMPLES: dict[str, tuple[str, str, str]] = {
    "terraform": ("main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n',
                  'resource "aws_s3_bucket" "b" {\n'),
    "kong": ("kong.yaml", '_format_version: "3.0"\nservices:\n  - name: a\n    url: http://a:80\n',
             '_format_version: "3.0"\nservices:\n  - name: a\n    url: [http://x\n'),
    "envoy": ("envoy.yaml", "static_resources:\n  listeners:\n    - name: l\n      address: {socket_address: "
                            "{address: 0.0.0.0, port_value: 80}}\n      filter_chains: []\n",
              "static_resources:\n  listeners:\n    - name: l\n      address: {socket_address: {port_value: 80\n"),
    "nginx": ("nginx.conf", "events {}\nhttp {\n  server {\n    listen 80;\n  }\n}\n",
              "http {\n  server {\n    listen 80;\n"),
    "traefik": ("traefik.toml", '[entryPoints]\n  [entryPoints.web]\n    address = ":80"\n',
                "[entryPoints\n  [entryPoints.web]\n"),
    "terraform-plan": ("plan.json", "", '{"format_version": "1.2", "terraform_version": "1.11.4", "planned_values": {'),
    "kubernetes-manifests": ("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n",
                             "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n"),
}
FILE_ENTRIES = [e for e in registry.ENTRIES if e.suffixes]
PLAN = Path(__file__).resolve().parents[2] / "terraform_fixtures/aws-ebs-volume-encrypted/fail.plan.json"


def test_every_file_format_has_samples() -> None:
    assert sorted(e.name for e in FILE_ENTRIES) == sorted(SAMPLES)


def _good(name: str) -> tuple[str, str]:
    file, good, _ = SAMPLES[name]
    return file, good or PLAN.read_text()


def _scan(cwd: Path, *paths: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    proc = subprocess.run([*soc2iac_cmd(), "scan", *paths, "--format", "json", "--show-passes", "--no-cache"],
                          cwd=cwd, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, json.loads(proc.stdout)


@pytest.mark.parametrize("entry", FILE_ENTRIES, ids=lambda e: e.name)
def test_good_file_gives_resources_of_its_source(entry: registry.Entry, tmp_path: Path) -> None:
    file, text = _good(entry.name)
    folder = tmp_path / "good"
    folder.mkdir()
    (folder / file).write_text(text)
    detected = registry.grouped_entry(folder / file) or registry.detect(folder / file, text)
    assert detected is entry
    proc, doc = _scan(tmp_path, "good")
    assert proc.returncode in (0, 1) and not doc["problems"], proc.stderr
    assert doc["scan"]["resources_scanned"] >= 1
    assert {f["source"] for f in doc["findings"]} <= {entry.source}


@pytest.mark.parametrize("entry", FILE_ENTRIES, ids=lambda e: e.name)
def test_malformed_file_is_one_input_error_and_the_rest_is_scanned(entry: registry.Entry, tmp_path: Path) -> None:
    file, _, bad = SAMPLES[entry.name]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / file).write_text(bad)
    good = tmp_path / "good"  # another format's good file beside it
    good.mkdir()
    other = "kubernetes-manifests" if entry.name != "kubernetes-manifests" else "terraform"
    good_file, good_text = _good(other)
    (good / good_file).write_text(good_text)
    proc, doc = _scan(tmp_path, "bad", "good")
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if f"bad/{file}" in ln]
    assert len(lines) == 1 and re.match(rf"soc2iac: input error: bad/{re.escape(file)}:\d+: ", lines[0]), proc.stderr
    assert [p["file"] for p in doc["problems"]] == [f"bad/{file}"]
    assert doc["scan"]["resources_scanned"] >= 1  # the good file was still read


def test_report_does_not_depend_on_path_order(tmp_path: Path) -> None:
    names = []
    for name in SAMPLES:
        file, text = _good(name)
        (tmp_path / name).mkdir()
        (tmp_path / name / file).write_text(text)
        names.append(name)
    runs = [_scan(tmp_path, *order)[1] for order in (names, list(reversed(names)))]
    for doc in runs:
        for key in ("started_at", "finished_at"):
            doc["scan"].pop(key, None)
    assert runs[0] == runs[1]
