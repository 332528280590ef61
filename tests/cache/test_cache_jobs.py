"""Parse cache and parallel parsing (issue 7): results identical with and without cache and with
1 or 2 jobs; corrupt, foreign and concurrent cache entries are never trusted blindly."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from soc2iac import engine, parallel
from soc2iac.parsers import terraform_folders
from soc2iac.cache import MAGIC, Cache, using
from soc2iac.config import Config
from soc2iac.parsers.hcl_eval import EXPRESSIONS
from soc2iac.policy import load_policies
from soc2iac.reporters import json_report
from soc2iac.scanner import scan

sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402  (bench/corpus.py: the deterministic benchmark corpus)

FIXTURES = ["terraform_fixtures", "k8s_fixtures", "gateway_fixtures"]




@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Big enough that --jobs 2 really starts workers (more than parallel.MIN_PARALLEL_BYTES)."""
    root = tmp_path_factory.mktemp("corpus")
    corpus.generate_terraform(root / "terraform", 40, 320_000)
    corpus.generate_kubernetes(root / "kubernetes", 400)
    return root


def _result(paths: list[str], cache: Cache | None, jobs: int) -> str:
    """The JSON result without its timestamps, scanned as by a new process (no expression parsed yet)."""
    EXPRESSIONS.values.clear()
    EXPRESSIONS.take_requested()
    policies = load_policies([])
    result = scan(paths, policies=policies, config=Config(), cache=cache, jobs=jobs)
    doc = json.loads(json_report.render(result))
    for key in ("started_at", "finished_at"):
        doc.get("scan", {}).pop(key, None)
    return json.dumps(doc, sort_keys=True)


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".tmp-"))


def _paths(big: Path) -> list[str]:
    return [str(big), *(str(ROOT / f) for f in FIXTURES)]


def _spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, record: Any) -> list[Any]:
    """Wrap ``owner.name``; the returned list gets ``record(result)`` for each call."""
    calls: list[Any] = []
    real = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls.append(record(result))
        return result

    monkeypatch.setattr(owner, name, wrapper)
    return calls


@pytest.mark.slow
def test_same_result_with_and_without_cache_and_with_one_or_two_jobs(
        big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    paths = _paths(big)
    parsed_by_workers = _spy(monkeypatch, parallel, "prefetch", lambda n: n)
    forked = _spy(monkeypatch, engine, "_evaluate_forked", lambda found: found is not None)
    roots_forked = _spy(monkeypatch, terraform_folders, "_roots_forked", lambda found: found is not None)
    # the corpus is small: lower the thresholds so policies and Terraform roots go to workers too
    monkeypatch.setattr(engine, "PARALLEL_MIN_RESOURCES", 100)
    monkeypatch.setattr(terraform_folders, "PARALLEL_MIN_ROOTS", 2)
    reference = _result(paths, None, 1)
    assert not forked
    runs = {
        "cache cold, 1 job": (Cache(tmp_path / "c1"), 1),
        "cache warm, 1 job": (Cache(tmp_path / "c1"), 1),
        "cache cold, 2 jobs": (Cache(tmp_path / "c2"), 2),
        "cache warm, 2 jobs": (Cache(tmp_path / "c2"), 2),
        "no cache, 2 jobs": (None, 2),
    }
    for name, (cache, jobs) in runs.items():
        assert _result(paths, cache, jobs) == reference, name
        if name.startswith("cache warm"):
            assert cache is not None and cache.stats.hits > 0, (name, cache.stats)
            # every file's parse came from the cache (files whose blocks needed no expression
            # parsing have no expression entry, and roots reading a file that may hold a secret
            # are not cached evaluated: those are the only misses)
            assert set(cache.stats.missed) <= {"hcl-expressions", "tf-root"}, (name, cache.stats)
    # workers really parsed (cold runs), and a warm run did not start them at all
    assert parsed_by_workers[0] > 40 and parsed_by_workers[1] == 0 and parsed_by_workers[2] > 40, parsed_by_workers
    assert forked == [True, True, True]  # the three 2-job runs evaluated policies in workers
    assert roots_forked == [True, True, True]  # ... and Terraform root modules
    assert '"fail"' in reference and '"pass"' in reference


def test_an_edited_file_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text('resource "aws_cloudwatch_log_group" "a" {\n  retention_in_days = 7\n}\n')
    cache = Cache(tmp_path / "cache")
    before = _result(["main.tf"], cache, 1)
    (tmp_path / "main.tf").write_text('resource "aws_cloudwatch_log_group" "a" {\n  retention_in_days = 400\n}\n')
    after = _result(["main.tf"], cache, 1)
    assert after == _result(["main.tf"], None, 1) != before


def test_input_errors_are_cached_and_reported_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.tf").write_text('resource "aws_s3_bucket" "b" {\n  acl = \n}\n')
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
    cache = Cache(tmp_path / "cache")
    cold = _result(["bad.tf", "bad.yaml"], cache, 1)
    warm = _result(["bad.tf", "bad.yaml"], cache, 1)
    assert cold == warm == _result(["bad.tf", "bad.yaml"], None, 1)
    assert cache.stats.hits >= 2
    problems = {p["file"] for p in json.loads(cold)["problems"]}
    assert problems == {"bad.tf", "bad.yaml"}


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty", "other-key", "foreign-class"])
def test_damaged_entries_are_ignored_and_rebuilt(damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    paths = [str(ROOT / f) for f in FIXTURES]
    reference = _result(paths, None, 1)
    root = tmp_path / "cache"
    _result(paths, Cache(root), 1)
    entries = [p for p in _entries(root) if p.parent.parent != root]  # every parse entry (not the policy pack)
    # a file's expressions are stored with its body ("hcl"); only a file whose expressions were
    # left to hcl_syntax has an "hcl-expressions" entry of its own
    namespaces = {p.parent.parent.name for p in entries}
    assert {"hcl", "kubernetes", "tf-root"} <= namespaces <= {"hcl", "hcl-expressions", "kubernetes", "tf-root"}
    marker = tmp_path / "executed"
    for i, entry in enumerate(entries):
        data = entry.read_bytes()
        if damage == "garbage":
            entry.write_bytes(os.urandom(200))
        elif damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "flipped":
            entry.write_bytes(data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:])
        elif damage == "empty":
            entry.write_bytes(b"")
        elif damage == "other-key":  # a sound entry moved under another name
            other = entries[(i + 1) % len(entries)]
            entry.write_bytes(other.read_bytes() if other != entry else b"")
        else:  # checksum right, but a payload that would run code when unpickled
            payload = pickle.dumps((b"k", _Boom(str(marker))))
            entry.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)
    cache = Cache(root)
    assert _result(paths, cache, 1) == reference
    assert cache.stats.rejected >= len(entries) // 2 and cache.stats.writes > 0  # (files sharing a text share an entry)
    assert not marker.exists()
    rebuilt = Cache(root)
    assert _result(paths, rebuilt, 1) == reference
    assert rebuilt.stats.rejected == 0 and rebuilt.stats.hits > 0


class _Boom:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> Any:
        return (os.system, (f"touch {self.path}",))


def test_two_processes_writing_the_same_cache_at_once(big: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "shared"
    cmd = [sys.executable, "-m", "soc2iac", "scan", str(big), "-f", "json", "--cache-dir", str(cache_dir), "-j", "1"]
    procs = [subprocess.Popen([*cmd, "-o", str(tmp_path / f"out{i}.json")], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for i in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 1, err  # findings, no error
    outputs = []
    for i in range(2):
        doc = json.loads((tmp_path / f"out{i}.json").read_text())
        for key in ("started_at", "finished_at"):
            doc.get("scan", {}).pop(key, None)
        outputs.append(doc)
    assert outputs[0] == outputs[1]
    assert not [p for p in cache_dir.rglob(".tmp-*")]  # no temporary file left behind
    cache = Cache(cache_dir)
    for entry in _entries(cache_dir):
        if entry.parent.parent.name in ("hcl", "kubernetes"):
            assert cache.get(entry.parent.parent.name, bytes.fromhex(entry.parent.name + entry.name)) is not None


def test_cli_cache_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from soc2iac.cli import app

    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    cache_dir = tmp_path / "c"
    out = runner.invoke(app, ["scan", "terraform_fixtures", "--no-cache", "-f", "json"])
    assert out.exit_code == 1, out.output
    out2 = runner.invoke(app, ["scan", "terraform_fixtures", "--cache-dir", str(cache_dir), "-f", "json", "-j", "2"])
    assert out2.exit_code == 1
    assert [p for p in _entries(cache_dir) if p.parent.parent.name == "hcl"]
    strip = lambda text: {k: v for k, v in json.loads(text).items() if k != "scan"}  # noqa: E731
    assert strip(out.stdout) == strip(out2.stdout)
    bad = runner.invoke(app, ["scan", "terraform_fixtures", "--jobs", "0"])
    assert bad.exit_code == 2


def test_a_cache_folder_others_can_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from soc2iac.cli import app

    monkeypatch.chdir(ROOT)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    cache, why = Cache.open(shared)
    assert cache is None and why is not None and "writable by other users" in why
    out = CliRunner().invoke(app, ["scan", "k8s_fixtures", "--cache-dir", str(shared)])
    assert out.exit_code == 1
    assert "writable by other users" in out.output
    assert not _entries(shared)


def test_memory_only_cache_hands_worker_results_over(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    cache = Cache(None)
    with using(cache):
        folders = {p.parent: None for p in (big / "terraform").rglob("*.tf")}  # every .tf of each folder
        parsed = parallel.prefetch({"terraform": folders}, [], cache=cache, jobs=2, max_bytes=1 << 20)
    texts = {p.read_text() for p in (big / "terraform").rglob("*.tf")}
    assert parsed == len(cache.memo) == len(texts)  # each distinct text parsed once
