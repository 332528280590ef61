"""What soc2iac writes is safe for terminals and CI logs, and every report gets written (security
cases 8, 9 and 12): control characters, ESC/OSC sequences and BiDi controls from the inputs are
escaped in every format and on stderr; non-UTF-8 file names are shown as \\xNN and crash no reporter;
huge integers are values that cannot be compared; ``--output`` is never written twice, never
through a link, and one failing output does not stop the others; a closed standard output keeps
the input-error lines and the documented exit code."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import soc2iac_cmd
from soc2iac.reporters import FORMATS

FAKE = "x\n::error file=src/app.py,line=1::Fake"
HOSTILE_NAME = FAKE + " \x1b[2J \x1b]8;;https://evil.example/\x07link\x1b]8;;\x07 \u202egnp.exe \x9b31m \x7f"
POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  hostNetwork: true
  containers: [{{name: a, image: a}}]
"""
UNSAFE = ["\x1b", "\x07", "\u202e", "\x9b", "\x7f", "\udcff", "\udcfe"]


def _run(args: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*soc2iac_cmd(), *args], capture_output=True, cwd=cwd, timeout=120, **kw)  # type: ignore[call-overload]


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    (root / "evil.yaml").write_text(POD.format(name=json.dumps(HOSTILE_NAME)), encoding="utf-8")
    # a file whose name is not UTF-8 (bytes ff fe), and one named with a line break and an ESC
    with open(os.fsencode(root) + b"/\xff\xfe.yaml", "w", encoding="utf-8") as handle:
        handle.write(POD.format(name="plain"))
    (root / "bad\n::error::x\x1b[31m.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n")
    return root


def _assert_safe(data: bytes, where: str) -> None:
    text = data.decode("utf-8")  # every output is UTF-8
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), (where, line)  # no workflow command
    for ch in UNSAFE:
        assert ch not in text, (where, repr(ch))


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_escapes_what_the_inputs_say(hostile: Path, tmp_path: Path, fmt: str) -> None:
    dest = tmp_path / f"report.{fmt}"
    proc = _run(["scan", str(hostile), "--no-cache", "-f", fmt, "-o", str(dest)], tmp_path)
    assert proc.returncode == 2, proc.stderr  # the broken file is an input error; nothing crashed
    assert b"internal error" not in proc.stderr and b"Traceback" not in proc.stderr
    _assert_safe(dest.read_bytes(), fmt)
    _assert_safe(proc.stderr, f"{fmt} stderr")
    assert b"::error" in dest.read_bytes() or fmt in ("junit",)  # shown (escaped), not dropped
    shown = dest.read_text(encoding="utf-8")
    assert "\\xff\\xfe.yaml" in shown or "\\\\xff\\\\xfe.yaml" in shown, fmt  # the name's bytes, as \xNN
    stdout = _run(["scan", str(hostile), "--no-cache", "-f", fmt], tmp_path)
    _assert_safe(stdout.stdout + stdout.stderr, f"{fmt} to stdout")


def test_printable_escapes_controls_bidi_and_undecodable_bytes() -> None:
    from soc2iac.text import printable

    assert printable("a\nb\rc") == "a\\nb\\rc"
    assert printable("\x1b[2J") == "\\x1b[2J"
    assert printable("\u202eabc\u2066") == "\\u202eabc\\u2066"
    assert printable(os.fsdecode(b"\xff\xfe.tf")) == "\\xff\\xfe.tf"
    assert printable("tab\tstays") == "tab\tstays"
    assert printable(printable("\x1b\n")) == printable("\x1b\n")  # idempotent
    assert printable("plain ascii and ünïcode") == "plain ascii and ünïcode"


def test_csv_cells_that_start_a_formula_are_quoted(tmp_path: Path) -> None:
    (tmp_path / "=HYPERLINK(1).yaml").write_text(POD.format(name="web"))
    proc = _run(["scan", ".", "--no-cache", "-f", "csv"], tmp_path)
    assert b",'=HYPERLINK(1).yaml," in proc.stdout and b",=HYPERLINK" not in proc.stdout


# -- huge integers -----------------------------------------------------------------------

BIG = "9" * 5000


@pytest.mark.parametrize("name,text", [
    ("plan.json", json.dumps({"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {
        "root_module": {"resources": [{"address": "aws_cloudwatch_log_group.a", "mode": "managed",
                                       "type": "aws_cloudwatch_log_group", "name": "a",
                                       "values": {"retention_in_days": 0}}]}}}).replace('"retention_in_days": 0',
                                                                                      f'"retention_in_days": {BIG}')),
    ("main.tf", f'resource "aws_cloudwatch_log_group" "a" {{\n  retention_in_days = {BIG}\n}}\n'),
    ("traefik.toml", f'[entryPoints.web]\naddress = ":80"\n[entryPoints.web.transport.respondingTimeouts]\n'
                     f"readTimeout = {BIG}\n"),
])
def test_huge_integers_give_no_internal_error(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    proc = _run(["scan", name, "--no-cache", "-f", "json"], tmp_path)
    assert b"internal error" not in proc.stderr and b"please report" not in proc.stderr, proc.stderr
    assert b"set_int_max_str_digits" not in proc.stderr + proc.stdout
    if name == "plan.json":  # read, and the value is one that cannot be compared, with the reason
        doc = json.loads(proc.stdout)
        (f,) = [f for f in doc["findings"] if f["policy_id"] == "aws-cloudwatch-log-group-retention"]
        assert f["verdict"] == "unknown" and "more than 4300 digits" in f["message"]
    else:  # the parsing library converts integers itself: a one-line input error naming the reason
        assert proc.returncode == 2 and b"more than 4300 digits" in proc.stderr


# -- outputs -----------------------------------------------------------------------------

@pytest.fixture()
def pod(tmp_path: Path) -> Path:
    (tmp_path / "pod.yaml").write_text(POD.format(name="web"))
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n")
    return tmp_path


def test_the_same_output_twice_is_a_usage_error(pod: Path) -> None:
    proc = _run(["scan", "pod.yaml", "--no-cache", "-f", "json", "-o", "r.out", "-f", "sarif", "-o", "./r.out"], pod)
    assert proc.returncode == 2 and b"given twice" in proc.stderr
    assert not (pod / "r.out").exists()


def test_an_output_that_is_a_symbolic_link_is_refused_and_the_others_are_written(pod: Path) -> None:
    target = pod / "elsewhere.json"
    os.symlink(target, pod / "link.json")
    proc = _run(["scan", "pod.yaml", "--no-cache", "-f", "json", "-o", "link.json", "-f", "text", "-o", "r.txt"], pod)
    assert proc.returncode == 2 and b"link.json: cannot write report: it is a symbolic link" in proc.stderr
    assert not target.exists() and (pod / "link.json").is_symlink()
    assert b"hostNetwork" in (pod / "r.txt").read_bytes()


def test_a_failing_output_does_not_stop_the_others_and_the_exit_code_says_so(pod: Path) -> None:
    (pod / "blocker").write_text("a file where a folder should be")
    proc = _run(["scan", "pod.yaml", "--no-cache", "-f", "json", "-o", "blocker/r.json", "-f", "sarif", "-o",
                 "r.sarif", "-f", "text"], pod)
    assert proc.returncode == 2, proc.stderr
    assert b"blocker/r.json: cannot write report" in proc.stderr
    assert json.loads((pod / "r.sarif").read_text())["runs"]
    assert b"hostNetwork" in proc.stdout  # standard output too
    assert not [p for p in pod.iterdir() if p.name.endswith(".tmp")]  # no temporary file left


def test_a_report_replaces_a_file_whole(pod: Path) -> None:
    (pod / "r.json").write_text("old " * 100_000)
    proc = _run(["scan", "pod.yaml", "--no-cache", "-f", "json", "-o", "r.json"], pod)
    assert proc.returncode == 1  # the Pod fails; bad.yaml is not named
    json.loads((pod / "r.json").read_text())


def test_a_closed_standard_output_keeps_the_input_error_lines(pod: Path) -> None:
    cmd = " ".join([*soc2iac_cmd(), "scan", ".", "--no-cache", "-f", "json"])
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; {cmd} | head -c 10 >/dev/null; echo \"rc=${{PIPESTATUS[0]}}\""],
                          capture_output=True, cwd=pod, timeout=120)
    assert b"soc2iac: input error: bad.yaml" in proc.stderr, proc.stderr
    assert b"BrokenPipe" not in proc.stderr and b"internal error" not in proc.stderr
    assert b"rc=2" in proc.stdout  # the documented code: an input error
