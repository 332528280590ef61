"""Packages: the wheel and sdist that `python -m build` makes install and work outside the clone.

The wheel is built offline (``--no-isolation``: the backend from this environment), installed with
``--no-deps --no-index`` into a fresh venv that borrows this environment's dependencies
(tests/venvs.py), and the README's fixture scan runs from a folder outside the source tree: the policy
pack, schemas and data must come from the installed package.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from soc2iac import __version__
from conftest import ROOT, soc2iac_cmd
from venvs import clean_env, fresh_venv, offline_pip_env

pytestmark = pytest.mark.slow

FIXTURES = ("terraform_fixtures", "k8s_fixtures", "gateway_fixtures")


def _need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed: pip install -c requirements/test.txt '.[dev]'")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need("build")
    out = tmp_path_factory.mktemp("dist")
    # sdist first, then the wheel built from the unpacked sdist (build's default): proves the sdist
    # carries everything the wheel needs.
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return out


def _one(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def test_version_comes_from_one_place(dist: Path) -> None:
    wheel = _one(dist, "*.whl")
    sdist = _one(dist, "*.tar.gz")
    assert wheel.name == f"soc2iac-{__version__}-py3-none-any.whl"
    assert sdist.name == f"soc2iac-{__version__}.tar.gz"
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(f"soc2iac-{__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata


def test_wheel_carries_package_data(dist: Path) -> None:
    with zipfile.ZipFile(_one(dist, "*.whl")) as zf:
        names = set(zf.namelist())
    for folder, src in (("soc2iac/policies", ROOT / "policies"), ("soc2iac/schemas", ROOT / "soc2iac" / "schemas"),
                        ("soc2iac/data", ROOT / "soc2iac" / "data")):
        shipped = {p.name for p in src.iterdir() if p.suffix in (".yaml", ".json")}
        assert shipped, src
        missing = {n for n in shipped if f"{folder}/{n}" not in names}
        assert not missing, f"{folder}: {sorted(missing)}"


def test_twine_check_passes(dist: Path) -> None:
    _need("twine")
    files = [str(p) for p in sorted(dist.iterdir())]
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def _venv_with(wheel: Path, where: Path) -> Path:
    bindir = fresh_venv(where)
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                   check=True, timeout=300, env=offline_pip_env())
    return bindir / "python"


def test_installed_wheel_scans_fixtures_outside_the_clone(dist: Path, tmp_path: Path) -> None:
    python = _venv_with(_one(dist, "*.whl"), tmp_path)
    bindir = python.parent
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = clean_env()
    where = subprocess.run([str(python), "-c", "import soc2iac, sys; print(soc2iac.__file__)"], cwd=outside,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).resolve().is_relative_to((tmp_path / "venv").resolve()), where

    exe = bindir / "soc2iac"
    version = subprocess.run([str(exe), "--version"], cwd=outside, env=env, capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.strip() == f"soc2iac {__version__}", version

    paths = [str(ROOT / f) for f in FIXTURES]
    installed = subprocess.run([str(exe), "scan", *paths, "--format", "json"], cwd=outside, env=env,
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 1, installed.stderr[-2000:]
    got = json.loads(installed.stdout)
    # The clone's run of the same scan: the installed package finds the same policies and verdicts.
    clone = subprocess.run([*soc2iac_cmd(), "scan", *paths, "--format", "json"], cwd=outside,
                           env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600)
    want = json.loads(clone.stdout)
    assert got["findings"], "the installed package found no policies"
    assert got["findings"] == want["findings"]
    assert got["summary"] == want["summary"]
    # policies listing and the HTML report (its styles and scripts are package data too)
    listing = subprocess.run([str(exe), "policies", "list"], cwd=outside, env=env, capture_output=True, text=True)
    assert listing.returncode == 0
    assert len(listing.stdout.splitlines()) >= len(list((ROOT / "policies").glob("[a-z]*.yaml")))
    html = subprocess.run([str(exe), "scan", str(ROOT / "k8s_fixtures"), "--format", "html"], cwd=outside,
                          env=env, capture_output=True, text=True, timeout=600)
    assert html.returncode == 1 and "<html" in html.stdout.lower()
