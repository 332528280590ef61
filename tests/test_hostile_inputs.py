"""Hostile inputs: each scan ends within a time bound and a memory bound (an address-space
limit on the subprocess), with a one-line input error (exit 2) or a notice for the bad
file, no traceback, and the findings of the good file scanned beside it."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, soc2iac_cmd

MEMORY_LIMIT = 1536 * 1024 * 1024  # address space of the scanning process
GOOD_POD = (ROOT / "k8s_fixtures" / "k8s-pod-no-host-network" / "fail.yaml").read_text(encoding="utf-8")
GOOD_POLICY = "k8s-pod-no-host-network"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(*args: str, cwd: Path, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    proc = subprocess.run([*soc2iac_cmd(), "scan", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, preexec_fn=_limit_memory)
    return proc, time.monotonic() - started


def scan_json(tmp_path: Path, *args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out = tmp_path / "result.json"
    proc, _ = run(*args, "-f", "json", "-o", str(out), cwd=tmp_path, timeout=timeout)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return proc, json.loads(out.read_text(encoding="utf-8"))


def with_good_file(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir(exist_ok=True)
    (tree / "good.yaml").write_text(GOOD_POD, encoding="utf-8")
    return tree


def good_file_failed(doc: dict[str, Any]) -> bool:
    return any(f["policy_id"] == GOOD_POLICY and f["verdict"] == "fail" and f["file"].endswith("good.yaml")
               for f in doc["findings"])


def error_lines(proc: subprocess.CompletedProcess[str], name: str) -> list[str]:
    return [ln for ln in proc.stderr.splitlines() if name in ln]


def assert_one_input_error(tmp_path: Path, name: str, *, expect: str | None,
                           timeout: float = 60) -> dict[str, Any]:
    """Scan ``tree`` (the bad file ``name`` and a good manifest): exit 2, one line naming the
    bad file, the good file still reported. ``expect`` is soc2iac's own wording; None where
    either soc2iac or a parsing library may be the layer that stops the input (the library's
    message is its own and changes between releases: PyYAML 6.0.4 stops deep flow nesting
    itself), so only soc2iac's behaviour is asserted."""
    started = time.monotonic()
    proc, doc = scan_json(tmp_path, "tree", timeout=timeout)
    assert time.monotonic() - started < timeout
    assert proc.returncode == 2, proc.stderr
    lines = error_lines(proc, name)
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"soc2iac: input error: tree/{name}"), lines[0]
    assert expect is None or expect in lines[0], lines[0]
    assert [p["file"] for p in doc["problems"]] == [f"tree/{name}"]
    assert good_file_failed(doc)
    return doc


# ---------------------------------------------------------------------------- YAML alias bombs

def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", "data:"]
    lines.append('  l0: &l0 [' + ", ".join(['"lol"'] * width) + "]")
    for i in range(1, levels):
        lines.append(f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_bounded(tmp_path: Path) -> None:
    (with_good_file(tmp_path) / "bomb.yaml").write_text(billion_laughs(), encoding="utf-8")
    assert_one_input_error(tmp_path, "bomb.yaml", expect="alias bomb", timeout=30)


def test_yaml_alias_bomb_without_kubernetes_keys_is_bounded_too(tmp_path: Path) -> None:
    text = billion_laughs().replace("apiVersion: v1\nkind: ConfigMap\n", "")
    (with_good_file(tmp_path) / "bomb.yaml").write_text(text, encoding="utf-8")
    proc, doc = scan_json(tmp_path, "tree", timeout=30)
    assert proc.returncode == 1  # not a manifest: a notice, and the good file's fail
    assert any("bomb.yaml" in n and "alias bomb" in n for n in doc["notices"])
    assert good_file_failed(doc)


def test_yaml_alias_cycle(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: &a {x: *a}\n"
    (with_good_file(tmp_path) / "cycle.yaml").write_text(text, encoding="utf-8")
    assert_one_input_error(tmp_path, "cycle.yaml", expect="alias refers to a node that contains it", timeout=30)


# ---------------------------------------------------------------------------- deep nesting

MANIFEST_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: "


@pytest.mark.parametrize(("name", "text", "expect"), [
    # 100,000 levels: soc2iac's limit or the YAML library's own, whichever comes first
    ("flow.yaml", MANIFEST_HEAD + "[" * 100_000 + "]" * 100_000 + "\n", None),
    ("block.yaml", MANIFEST_HEAD + "\n" + "- " * 100_000 + "x\n", None),
    # 450 levels: below the libraries' limits, so soc2iac's own limit must stop it
    ("mid.yaml", MANIFEST_HEAD + "[" * 450 + "]" * 450 + "\n", "nested more than"),
    ("deep.json", '{"apiVersion": "v1", "kind": "ConfigMap", "data": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001,
     "nested more than"),
    ("plan.json", '{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": '
     + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ("plan2.json", '{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": '
     + '{"a": ' * 500 + "1" + "}" * 501, "nested more than"),
])
def test_deeply_nested_documents(tmp_path: Path, name: str, text: str, expect: str | None) -> None:
    (with_good_file(tmp_path) / name).write_text(text, encoding="utf-8")
    assert_one_input_error(tmp_path, name, expect=expect)


@pytest.mark.parametrize(("text", "expect"), [
    ("locals {\n  x = " + "[" * 5000 + "]" * 5000 + "\n}\n", "nested too deeply"),
    ("locals {\n  x = " + "max(" * 3000 + "1" + ")" * 3000 + "\n}\n", "nested too deeply"),
    ("locals {\n  x = " + "+".join(["1"] * 20_000) + "\n}\n", "invalid HCL"),
    ('resource "aws_s3_bucket" "b" {\n' + "a {\n" * 3000 + "}\n" * 3000 + "}\n", "invalid HCL"),
    ("locals {\n" + "".join(f"  l{i} = local.l{i + 1}\n" for i in range(3000))
     + '  l3000 = "x"\n}\nresource "aws_s3_bucket" "b" {\n  bucket = local.l0\n}\n', "nest too deeply"),
])
def test_deeply_nested_hcl(tmp_path: Path, text: str, expect: str) -> None:
    tree = with_good_file(tmp_path)
    (tree / "main.tf").write_text(text, encoding="utf-8")
    proc, doc = scan_json(tmp_path, "tree")
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if "tree" in ln]
    assert len(lines) == 1 and lines[0].startswith("soc2iac: input error: tree") and expect in lines[0], lines
    assert good_file_failed(doc)


# ---------------------------------------------------------------------------- size limit

def test_file_over_the_default_limit_is_skipped_by_name(tmp_path: Path) -> None:
    big = with_good_file(tmp_path) / "big.yaml"
    with big.open("wb") as handle:  # sparse: 21 MiB on paper, nothing written
        handle.truncate(21 * 1024 * 1024)
    doc = assert_one_input_error(tmp_path, "big.yaml", expect="larger than the size limit (21 MiB > 20 MiB")
    assert "--max-file-size" in doc["problems"][0]["message"]


@pytest.mark.parametrize("limit", ["64KiB", "65536", "0.0625MiB"])
def test_max_file_size_option(tmp_path: Path, limit: str) -> None:
    tree = with_good_file(tmp_path)
    (tree / "padded.tf").write_text('resource "aws_s3_bucket" "b" {\n' + "  # padding\n" * 8000 + "}\n", encoding="utf-8")
    out = tmp_path / "r.json"
    proc, _ = run("tree", "--max-file-size", limit, "-f", "json", "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    lines = error_lines(proc, "padded.tf")
    assert len(lines) == 1 and "larger than the size limit (93.8 KiB > 64 KiB;" in lines[0], proc.stderr
    assert good_file_failed(json.loads(out.read_text()))
    proc, _ = run("tree", "--max-file-size", "1MiB", "-f", "json", "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr


def test_bad_max_file_size_is_a_usage_error(tmp_path: Path) -> None:
    with_good_file(tmp_path)
    proc, _ = run("tree", "--max-file-size", "lots", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("soc2iac: error: --max-file-size"), proc.stderr


# ---------------------------------------------------------------------------- binary, NUL, encodings

@pytest.mark.parametrize(("name", "data", "expect"), [
    ("nul.yaml", b"apiVersion: v1\nkind: ConfigMap\x00\n", "binary file"),
    ("nul.tf", b'resource "aws_s3_bucket" "b" {\x00}\n', "binary file"),
    ("image.json", bytes(range(256)) * 64, "not UTF-8"),
    ("latin1.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n".encode("latin-1"), "not UTF-8"),
    ("utf16.tf", 'resource "aws_s3_bucket" "b" {}\n'.encode("utf-16"), "not UTF-8"),
])
def test_binary_and_non_utf8(tmp_path: Path, name: str, data: bytes, expect: str) -> None:
    (with_good_file(tmp_path) / name).write_bytes(data)
    assert_one_input_error(tmp_path, name, expect=expect)


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    (with_good_file(tmp_path) / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD_POD.replace("name: ", "name: bom-", 1).encode())
    proc, doc = scan_json(tmp_path, "tree")
    assert proc.returncode == 1 and not doc["problems"]
    assert {f["file"] for f in doc["findings"] if f["policy_id"] == GOOD_POLICY} == {"tree/good.yaml", "tree/bom.yaml"}


# ---------------------------------------------------------------------------- empty files, FIFOs

def test_empty_files_are_not_errors(tmp_path: Path) -> None:
    tree = with_good_file(tmp_path)
    for name in ("empty.yaml", "empty.json", "empty.tf", "blank.yaml"):
        (tree / name).write_text("" if name != "blank.yaml" else "\n\n   \n", encoding="utf-8")
    proc, doc = scan_json(tmp_path, "tree")
    assert proc.returncode == 1, proc.stderr
    assert not doc["problems"] and good_file_failed(doc)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_named_pipe_does_not_block(tmp_path: Path) -> None:
    tree = with_good_file(tmp_path)
    os.mkfifo(tree / "pipe.yaml")
    proc, doc = scan_json(tmp_path, "tree", timeout=30)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr
    assert good_file_failed(doc)


# ---------------------------------------------------------------------------- symlinks

def symlink_tree(tmp_path: Path) -> Path:
    tree = with_good_file(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(GOOD_POD.replace("name: ", "name: outside-", 1), encoding="utf-8")
    (tree / "out").symlink_to(outside, target_is_directory=True)
    (tree / "outfile.yaml").symlink_to(outside / "secret.yaml")
    (tree / "loop1.yaml").symlink_to(tree / "loop2.yaml")
    (tree / "loop2.yaml").symlink_to(tree / "loop1.yaml")
    (tree / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    sub = tree / "sub"
    sub.mkdir()
    (sub / "up").symlink_to(tree, target_is_directory=True)  # a folder loop
    (sub / "again.yaml").symlink_to(tree / "good.yaml")  # inside the tree
    return tree


def test_symlinks_are_not_followed_by_default(tmp_path: Path) -> None:
    symlink_tree(tmp_path)
    proc, doc = scan_json(tmp_path, "tree", timeout=30)
    assert proc.returncode == 1, proc.stderr  # notices, not errors
    assert doc["scan"]["inputs"] == ["tree/good.yaml"]
    for link in ("tree/out", "tree/outfile.yaml", "tree/loop1.yaml", "tree/loop2.yaml", "tree/dangling.yaml",
                 "tree/sub/up", "tree/sub/again.yaml"):
        assert f"{link}: symbolic link not followed (--follow-symlinks scans it)" in doc["notices"], doc["notices"]
    assert not any("outside" in f["file"] for f in doc["findings"])


def test_follow_symlinks_reads_outside_once_and_cuts_loops(tmp_path: Path) -> None:
    symlink_tree(tmp_path)
    proc, doc = scan_json(tmp_path, "tree", "--follow-symlinks", timeout=30)
    assert proc.returncode == 1, proc.stderr
    # the outside file is reached twice (tree/out/, tree/outfile.yaml): read once; in-tree links not again
    assert doc["scan"]["inputs"] == ["tree/good.yaml", "tree/outfile.yaml"]
    for link in ("tree/loop1.yaml", "tree/loop2.yaml", "tree/dangling.yaml"):
        assert f"{link}: broken symbolic link or link loop; skipped" in doc["notices"]
    files = {f["file"] for f in doc["findings"] if f["policy_id"] == GOOD_POLICY}
    assert files == {"tree/good.yaml", "tree/outfile.yaml"}


def test_symlinked_tf_file_is_not_read_by_default(tmp_path: Path) -> None:
    tree = with_good_file(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n', encoding="utf-8")
    (tree / "tf").mkdir()
    (tree / "tf" / "main.tf").symlink_to(outside / "main.tf")
    proc, doc = scan_json(tmp_path, "tree")
    assert not any(f["source"] == "terraform" for f in doc["findings"])
    assert "tree/tf/main.tf: symbolic link not followed (--follow-symlinks scans it)" in doc["notices"]
    proc, doc = scan_json(tmp_path, "tree", "--follow-symlinks")
    assert any(f["source"] == "terraform" for f in doc["findings"])
    proc, doc = scan_json(tmp_path, "tree/tf/main.tf")  # named on the command line: read
    assert any(f["source"] == "terraform" for f in doc["findings"])


def test_symlink_loop_named_on_the_command_line(tmp_path: Path) -> None:
    tree = symlink_tree(tmp_path)
    proc, _ = run(str(tree / "loop1.yaml"), cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1 and "link loop" in proc.stderr


# ---------------------------------------------------------------------------- unreadable files

@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_and_folder_with_chmod(tmp_path: Path) -> None:
    tree = with_good_file(tmp_path)
    (tree / "locked.yaml").write_text(GOOD_POD, encoding="utf-8")
    (tree / "locked.yaml").chmod(0)
    (tree / "closed").mkdir()
    (tree / "closed" / "x.yaml").write_text(GOOD_POD, encoding="utf-8")
    (tree / "closed").chmod(0)
    try:
        proc, doc = scan_json(tmp_path, "tree")
    finally:
        (tree / "closed").chmod(0o755)
    assert proc.returncode == 2
    assert {p["file"] for p in doc["problems"]} == {"tree/locked.yaml", "tree/closed"}
    assert good_file_failed(doc)


def test_unreadable_file_and_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as the chmod test, for root too: reading the file and listing the folder fail."""
    from soc2iac.config import Config
    from soc2iac.policy import load_policies
    from soc2iac.scanner import scan

    tree = with_good_file(tmp_path)
    (tree / "locked.yaml").write_text(GOOD_POD, encoding="utf-8")
    (tree / "locked.tf").write_text('resource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    (tree / "closed").mkdir()
    (tree / "closed" / "x.yaml").write_text(GOOD_POD, encoding="utf-8")
    real_open, real_scandir = Path.open, os.scandir

    def deny_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name.startswith("locked"):
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    def deny_scandir(path: Any = ".") -> Any:
        if str(path).endswith("closed"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(Path, "open", deny_open)
    monkeypatch.setattr(os, "scandir", deny_scandir)
    monkeypatch.chdir(tmp_path)
    result = scan(["tree"], policies=load_policies([]), config=Config())
    problems = {p.file: p.message for p in result.problems}
    assert set(problems) == {"tree/locked.yaml", "tree/locked.tf", "tree/closed"}, problems
    assert all(m == "cannot read: Permission denied" for m in problems.values())
    assert any(f.policy_id == GOOD_POLICY and f.verdict == "fail" for f in result.findings)


# ---------------------------------------------------------------------------- many files

@pytest.mark.slow
def test_ten_thousand_small_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for i in range(10_000):
        folder = tree / f"d{i % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if i % 2:
            (folder / f"cm{i}.yaml").write_text(
                f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  LOG: info\n", encoding="utf-8")
        else:
            (folder / f"q{i}.tf").write_text(
                f'resource "aws_sqs_queue" "q{i}" {{\n  name = "q{i}"\n}}\n', encoding="utf-8")
    started = time.monotonic()
    proc, doc = scan_json(tmp_path, "tree", timeout=120)
    elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed
    assert proc.returncode in (0, 1) and not doc["problems"]
    assert len(doc["scan"]["inputs"]) == 10_000 and doc["scan"]["resources_scanned"] == 10_000


def test_crashing_parser_is_one_input_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: an unexpected exception in one file's parser is that file's input problem."""
    from soc2iac.config import Config
    from soc2iac.parsers import kubernetes
    from soc2iac.policy import load_policies
    from soc2iac.scanner import scan

    tree = with_good_file(tmp_path)
    (tree / "boom.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n", encoding="utf-8")
    real: Callable[..., Any] = kubernetes.parse_text

    def parse_text(text: str, shown: str, path: Any = None) -> Any:
        if shown.endswith("boom.yaml"):
            raise KeyError("surprise")
        return real(text, shown, path)

    monkeypatch.setattr(kubernetes, "parse_text", parse_text)
    monkeypatch.delenv("SOC2IAC_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    result = scan(["tree"], policies=load_policies([]), config=Config())
    assert [p.file for p in result.problems] == ["tree/boom.yaml"]
    assert "internal error KeyError" in result.problems[0].message
    assert any(f.policy_id == GOOD_POLICY and f.verdict == "fail" for f in result.findings)


def test_policy_files_never_execute_code(tmp_path: Path) -> None:
    """Issue part 5: user policies are data; a YAML tag that would run code is an error naming the file."""
    marker = tmp_path / "pwned"
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "evil.yaml").write_text(
        f"id: evil\ntitle: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    with_good_file(tmp_path)
    proc, _ = run("tree", "--policies", str(policies), cwd=tmp_path)
    assert proc.returncode == 2 and not marker.exists()
    assert len(proc.stderr.splitlines()) == 1 and "evil.yaml" in proc.stderr, proc.stderr
    validate = subprocess.run([*soc2iac_cmd(), "policies", "validate", str(policies)], capture_output=True,
                              text=True, cwd=tmp_path, timeout=60)
    assert validate.returncode == 2 and not marker.exists() and "evil.yaml" in validate.stdout + validate.stderr
