"""Real gateway configurations from public projects, read from fetched git mirrors, never copied here.

``tests/real_configs/expectations.yaml`` lists each configuration: the repository, the commit,
the paths (one configuration may be several files, scanned together as the project applies
them), what a reviewer expects (policy, resource, verdict) and a note. This script extracts the
files of an entry from a mirror (``<root>/<owner>+<name>/repo``, a bare git directory as the
``fetch`` tool leaves it; root from ``SOC2IAC_MIRRORS``, default ``/work/.mirror``) into a
temporary folder, keeping their repository paths, and scans them.

    python tests/tools/real_configs.py            # every entry: expectations met or not
    python tests/tools/real_configs.py --survey NAME  # every verdict soc2iac gives on NAME

``tests/test_real_configs.py`` runs the same comparison and skips an entry whose mirror or commit
is absent, saying so.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = ROOT / "tests" / "real_configs" / "expectations.yaml"


@dataclass(frozen=True)
class Expect:
    policy: str
    resource: str
    verdict: str


@dataclass(frozen=True)
class Entry:
    name: str
    product: str
    repo: str
    commit: str
    paths: tuple[str, ...]
    expect: tuple[Expect, ...]
    note: str = ""
    scan: tuple[str, ...] = field(default=())  # sub-paths to scan (default: everything extracted)


def mirrors() -> Path:
    return Path(os.environ.get("SOC2IAC_MIRRORS", "/work/.mirror"))


def git_dir(repo: str) -> Path:
    return mirrors() / repo.replace("/", "+") / "repo"


def load(path: Path = EXPECTATIONS) -> list[Entry]:
    import yaml

    out = []
    for doc in yaml.safe_load(path.read_text(encoding="utf-8")):
        out.append(Entry(
            name=doc["name"], product=doc["product"], repo=doc["repo"], commit=doc["commit"],
            paths=tuple(doc["paths"]), note=doc.get("note", ""), scan=tuple(doc.get("scan") or ()),
            expect=tuple(Expect(e["policy"], e["resource"], e["verdict"]) for e in doc["expect"])))
    return out


def missing(entry: Entry) -> str | None:
    """Why ``entry`` cannot be extracted here, or None."""
    where = git_dir(entry.repo)
    if not where.is_dir():
        return f"mirror of {entry.repo} absent ({where}); fetch it to run this entry"
    probe = subprocess.run(["git", "-C", str(where), "cat-file", "-e", f"{entry.commit}^{{commit}}"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        return f"commit {entry.commit[:12]} not in the mirror of {entry.repo}"
    return None


def extract(entry: Entry, dest: Path) -> list[Path]:
    """Write the entry's files under ``dest`` at their repository paths; the paths to scan."""
    import io
    import tarfile

    git = ["git", "-C", str(git_dir(entry.repo))]
    for rel in entry.paths:
        if rel.endswith("/"):  # a folder: every file under it
            tar = subprocess.run([*git, "archive", entry.commit, rel], capture_output=True, check=True).stdout
            with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
                archive.extractall(dest, filter="data")
            continue
        blob = subprocess.run([*git, "show", f"{entry.commit}:{rel}"], capture_output=True, check=True).stdout
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    return [dest / s for s in entry.scan] if entry.scan else [dest]


def findings(entry: Entry, dest: Path) -> list[Any]:
    from soc2iac.config import Config
    from soc2iac.policy import load_policies
    from soc2iac.scanner import scan

    targets = extract(entry, dest)
    result = scan([str(t) for t in targets], policies=load_policies(), config=Config())
    return list(result.findings)


def resource_name(resource: str, dest: Path) -> str:
    """A finding's resource without the temporary folder (nginx and Traefik name resources by
    file, shown absolute or relative to the working folder)."""
    return re.sub(rf"[^\s]*{re.escape(dest.name)}/", "", resource)


def compare(entry: Entry, found: Sequence[Any], dest: Path) -> list[str]:
    """What the reviewer expects and soc2iac does not give (empty: all met)."""
    seen: dict[tuple[str, str], set[str]] = {}
    for f in found:
        seen.setdefault((f.policy_id, resource_name(f.resource, dest)), set()).add(f.verdict)
    out = []
    for e in entry.expect:
        got = seen.get((e.policy, e.resource), set())
        if e.verdict == "none":  # nothing to judge: no verdict at all
            if got:
                out.append(f"{e.policy} on {e.resource}: expected no verdict, got {sorted(got)}")
        elif e.verdict not in got:
            out.append(f"{e.policy} on {e.resource}: expected {e.verdict}, got {sorted(got) or 'nothing'}")
    return out


def run(entries: Sequence[Entry]) -> Iterator[tuple[Entry, str | None, list[str]]]:
    for entry in entries:
        why = missing(entry)
        if why:
            yield entry, why, []
            continue
        with tempfile.TemporaryDirectory(prefix="soc2iac-real-") as tmp:
            yield entry, None, compare(entry, findings(entry, Path(tmp)), Path(tmp))


def _survey(entry: Entry) -> None:
    with tempfile.TemporaryDirectory(prefix="soc2iac-real-") as tmp:
        for f in sorted(findings(entry, Path(tmp)), key=lambda f: (f.policy_id, f.resource)):
            print(f"{f.verdict:8} {f.policy_id:45} {resource_name(f.resource, Path(tmp)):50} {f.message[:160]}")


def main(argv: Sequence[str]) -> int:
    entries = load()
    if argv[:1] == ["--survey"]:
        for entry in entries:
            if entry.name in argv[1:]:
                _survey(entry)
        return 0
    bad = 0
    counts: dict[str, int] = {}
    for entry, skipped, misses in run(entries):
        counts[entry.product] = counts.get(entry.product, 0) + 1
        status = f"skipped: {skipped}" if skipped else ("ok" if not misses else "MISSED")
        print(f"{entry.name:45} {status}")
        for m in misses:
            print(f"    {m}")
        bad += bool(misses)
    print("configs per product: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
