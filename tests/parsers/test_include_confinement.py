"""Hostile configs (issue "nothing written outside, nothing leaked", case 3): an nginx ``include``
is read only inside the scanned tree (the folders named, a named file's folder, ``--include-root``).
One leading outside is never read and never quoted: a notice names the include, and directives it
could set are unknown, as for any include the scan cannot read."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import soc2iac_cmd
from soc2iac.config import Config
from soc2iac.parsers import nginx
from soc2iac.policy import load_policies
from soc2iac.scanner import scan

TOKEN = "ghp_" + "Z" * 36  # a GitHub token's form: redaction would catch it, so the test also checks its tail
TAIL = "Z" * 30


def _tree(root: Path, include: str) -> Path:
    (root / "outside").mkdir(parents=True)
    (root / "outside" / ".git-credentials").write_text(f"https://user:{TOKEN}@github.com\n")
    (root / "outside" / "evil.conf").write_text(f"server {{ listen 81; {TOKEN} }}\n")
    scanned = root / "repo" / "nginx"
    scanned.mkdir(parents=True)
    (scanned / "nginx.conf").write_text(f"http {{\n    include {include};\n    server {{ listen 80; }}\n}}\n")
    return scanned


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*soc2iac_cmd(), "scan", *args, "--no-cache"], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.mark.parametrize("include", ["../../outside/.git-credentials", "../../outside/*.conf",
                                     "/etc/../../../outside/.git-credentials"])
def test_an_include_leaving_the_tree_is_never_read_nor_quoted(tmp_path: Path, include: str) -> None:
    scanned = _tree(tmp_path, include)
    from typer.testing import CliRunner

    from soc2iac.cli import app
    from soc2iac.reporters import FORMATS

    for fmt in FORMATS:
        out = CliRunner().invoke(app, ["scan", str(scanned), "-f", fmt, "--no-cache"])
        assert out.exit_code == 0, out.output  # no input problem: nothing outside was parsed
        assert TAIL not in out.output, fmt
    doc = json.loads(_run([str(scanned), "-f", "json"], tmp_path).stdout)
    (notice,) = [n for n in doc["notices"] if "outside the scanned folder" in n]
    assert "nginx.conf:2" in notice and "--include-root" in notice
    assert not doc["problems"]
    unknown = [f for f in doc["findings"] if f["verdict"] == "unknown"]
    assert unknown and all("unresolved include" in f["message"] for f in unknown)


def test_a_symbolic_link_in_the_tree_to_a_file_outside_is_refused(tmp_path: Path) -> None:
    scanned = _tree(tmp_path, "snippets/creds.conf")
    (scanned / "snippets").mkdir()
    os.symlink(tmp_path / "outside" / ".git-credentials", scanned / "snippets" / "creds.conf")
    proc = _run([str(scanned), "-f", "json"], tmp_path)
    assert proc.returncode == 0 and TAIL not in proc.stdout + proc.stderr
    assert any("include snippets/creds.conf leads outside" in n for n in json.loads(proc.stdout)["notices"])


def test_the_files_outside_are_not_even_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scanned = _tree(tmp_path, "../../outside/*")
    opened: list[Path] = []
    real = nginx.read_source

    def spy(path: Path, shown: str, **kw: object) -> str:
        opened.append(Path(path).resolve())
        return real(path, shown, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(nginx, "read_source", spy)
    nginx._load_main_cached.cache_clear()
    result = scan([str(scanned)], policies=load_policies(), config=Config())
    assert not result.problems
    assert all(p.is_relative_to(scanned.resolve()) for p in opened), opened


def test_include_root_widens_the_tree(tmp_path: Path) -> None:
    scanned = _tree(tmp_path, "../../outside/evil.conf")
    proc = _run([str(scanned), "-f", "json", "--include-root", str(tmp_path / "outside")], tmp_path)
    doc = json.loads(proc.stdout)
    assert not [n for n in doc["notices"] if "outside the scanned folder" in n]
    assert doc["problems"]  # the trusted user asked for it: the folder is read (and evil.conf is bad nginx)


def test_a_named_file_may_include_files_of_its_own_folder(tmp_path: Path) -> None:
    scanned = _tree(tmp_path, "conf.d/*.conf")
    (scanned / "conf.d").mkdir()
    (scanned / "conf.d" / "a.conf").write_text("server { listen 8080; }\n")
    doc = json.loads(_run([str(scanned / "nginx.conf"), "-f", "json"], tmp_path).stdout)
    assert not doc["notices"] and not doc["problems"]
    assert any(":8080" in f["resource"] for f in doc["findings"])  # conf.d/a.conf was read


def test_a_fragment_is_not_read_through_an_nginx_conf_above_the_tree(tmp_path: Path) -> None:
    main = tmp_path / "nginx.conf"
    main.write_text(f"http {{\n    ssl_protocols TLSv1.2;\n    include conf.d/*.conf;\n    {TOKEN}\n}}\n")
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "a.conf").write_text("server { listen 443 ssl; }\n")
    nginx._load_main_cached.cache_clear()
    inside = scan([str(tmp_path / "conf.d")], policies=load_policies(), config=Config())
    assert not inside.problems  # the broken main file above was not read
    nginx._load_main_cached.cache_clear()
    widened = scan([str(tmp_path / "conf.d")], policies=load_policies(), config=Config(), include_roots=[tmp_path])
    assert widened.problems == [] or all(TAIL not in str(p) for p in widened.problems)


def _module_tree(root: Path) -> Path:
    outside = root / "outside" / "mod"
    outside.mkdir(parents=True)
    (outside / "main.tf").write_text('resource "aws_s3_bucket" "leak" {\n  bucket = "from-outside"\n}\n')
    scanned = root / "repo" / "live"
    scanned.mkdir(parents=True)
    (scanned / "main.tf").write_text('module "m" {\n  source = "../../outside/mod"\n}\n')
    return scanned


def test_a_terraform_module_source_leaving_the_tree_is_not_read(tmp_path: Path) -> None:
    """A local module source is a reference the config follows: confined like an include."""
    scanned = _module_tree(tmp_path)
    doc = json.loads(_run([str(scanned), "-f", "json", "--show-passes"], tmp_path).stdout)
    (notice,) = [n for n in doc["notices"] if "outside the scanned folder" in n]
    assert "main.tf:1" in notice and "module.m" in notice and "--include-root" in notice
    assert not any("leak" in f["resource"] for f in doc["findings"])
    widened = json.loads(_run([str(scanned), "-f", "json", "--show-passes", "--include-root",
                               str(tmp_path / "outside")], tmp_path).stdout)
    assert any(f["resource"] == "module.m.aws_s3_bucket.leak" for f in widened["findings"])
    assert not [n for n in widened["notices"] if "outside the scanned folder" in n]
