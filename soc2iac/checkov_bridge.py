"""checkov's built-in checks in the SOC 2 report (``scan --with-checkov``).

checkov runs out of process and its JSON output is read: checkov pins bc-python-hcl2, which
installs a ``hcl2`` module of its own over python-hcl2 (soc2iac's HCL reference parser), so the
two cannot share an environment. checkov is found as ``--checkov PATH``, ``$SOC2IAC_CHECKOV``,
``checkov`` on PATH, or the environment ``soc2iac checkov-setup`` creates.

Every result of a check listed in ``policies/_checkov_mapping.yaml`` becomes a finding whose
source is ``checkov``: the check id, checkov's own title, file and line, and the mapped
criteria; passes are findings too. Where the mapping declares a soc2iac policy the same control
(``same_as``) and both judged the same resource, the report keeps one verdict, the soc2iac
finding, naming the checkov check and its result (the stricter verdict wins). checkov's inline
skips (``checkov:skip=ID:reason``) become excepted findings with their reason; soc2iac waivers
apply to checkov findings as to any other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from soc2iac import yaml_load
from soc2iac.errors import Soc2iacError
from soc2iac.result import CriterionEntry, Evidence, Finding, PolicyInfo

MAPPING_FILE = "_checkov_mapping.yaml"
FRAMEWORKS = ("terraform", "terraform_plan", "kubernetes")
TIMEOUT_SECONDS = 1800
_RESULT = {"PASSED": "pass", "FAILED": "fail", "SKIPPED": "excepted"}
_STRICTNESS = {"fail": 0, "unknown": 1, "excepted": 2, "pass": 3}


@dataclass(frozen=True)
class Mapped:
    check_id: str
    criteria: tuple[str, ...]
    area: str
    reason: str
    same_as: tuple[str, ...]
    severity: str  # the mapping's severity_by_area for its area
    family: str = ""
    mappings: tuple[CriterionEntry, ...] = ()  # the family's entries, or the check's own (with a deviation)
    deviation: str = ""


def load_mapping(path: Path | None = None) -> dict[str, Mapped]:
    """The mapping, validated against its JSON Schema (:class:`Soc2iacError` when broken)."""
    import jsonschema
    import yaml

    from soc2iac.policy import builtin_policy_dir

    path = path or builtin_policy_dir() / MAPPING_FILE
    schema_path = Path(__file__).resolve().parent / "schemas" / "checkov_mapping.schema.json"
    try:
        doc = yaml_load.safe_load(path.read_text(encoding="utf-8"))
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise Soc2iacError(f"{path}: cannot read the checkov mapping ({exc})") from None
    error = next(iter(jsonschema.Draft202012Validator(schema).iter_errors(doc)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise Soc2iacError(f"{path}: {where}: {error.message}")
    return {cid: _mapped(cid, e, doc["severity_by_area"][e["area"]], str(path)) for cid, e in doc["checks"].items()}


def _mapped(check_id: str, e: Mapping[str, Any], severity: str, path: str) -> Mapped:
    """One entry: its criteria are its own where it lists them, else its family's."""
    from soc2iac.policy import entries, families

    family = families().get(e["family"])
    if family is None:
        raise Soc2iacError(f"{path}: checks/{check_id}/family: unknown control family {e['family']!r}")
    mappings = entries(e["criteria"]) if "criteria" in e else family.criteria
    return Mapped(check_id, tuple(m.id for m in mappings), e["area"], e["reason"], tuple(e.get("same_as", ())),
                  severity, family.id, mappings, str(e.get("deviation", "")))


def find_checkov(explicit: str | None = None) -> str:
    """The checkov executable to run, or :class:`Soc2iacError` saying how to get one."""
    if explicit:  # named on the command line: that one or none
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise Soc2iacError(f"--checkov {explicit}: not an executable file")
    candidates = [os.environ.get("SOC2IAC_CHECKOV"), shutil.which("checkov"), str(default_venv() / "bin" / "checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise Soc2iacError("--with-checkov: checkov not found; run `soc2iac checkov-setup` (installs checkov "
                       "in its own environment), or put checkov on PATH, or give --checkov PATH")


def default_venv() -> Path:
    from soc2iac.cache import default_root

    return default_root() / "checkov-venv"


def setup(venv: Path | None = None, version: str | None = None) -> Path:
    """Install checkov in its own virtual environment (``soc2iac checkov-setup``); its executable."""
    import sys

    venv = venv or default_venv()
    version = version or _mapped_version()
    python = venv / "bin" / "python"
    try:
        if not python.is_file():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, text=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"checkov=={version}"], check=True,
                       capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise Soc2iacError(f"checkov-setup: {(detail.strip().splitlines() or ['failed'])[-1][:200]}") from None
    return venv / "bin" / "checkov"


def _mapped_version() -> str:
    """The checkov release the mapping's ids were checked against."""
    import yaml

    from soc2iac.policy import builtin_policy_dir

    doc = yaml_load.safe_load((builtin_policy_dir() / MAPPING_FILE).read_text(encoding="utf-8"))
    return str(doc.get("checkov_version", "3.3.30"))


def run_checkov(executable: str, paths: Sequence[str]) -> list[dict[str, Any]]:
    """checkov's JSON reports for ``paths`` (folders in one run, files in another)."""
    folders = [p for p in paths if p != "-" and Path(p).is_dir()]
    files = [p for p in paths if p != "-" and Path(p).is_file()]
    reports: list[dict[str, Any]] = []
    for flag, group in (("-d", folders), ("-f", files)):
        if not group:
            continue
        args = [executable]
        for item in group:
            args += [flag, item]
        # (not --quiet: it drops passed checks from the JSON, and passes are evidence too)
        args += ["--framework", *FRAMEWORKS, "--output", "json", "--compact", "--skip-download"]
        env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}  # no call home for its own mapping
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise Soc2iacError(f"--with-checkov: running {executable} failed: {exc}") from None
        if done.returncode not in (0, 1):
            last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
            raise Soc2iacError(f"--with-checkov: checkov exited {done.returncode}: {last}")
        for report in parse_output(done.stdout):
            report["soc2iac_roots"] = group if flag == "-d" else []
            reports.append(report)
    return reports


def parse_output(text: str) -> list[dict[str, Any]]:
    """checkov's ``-o json``: a report object or a list of them (one per framework), and one such
    value per ``-d`` folder, printed one after the other."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    at = min([i for i in (text.find("["), text.find("{")) if i >= 0], default=len(text))
    while at < len(text):
        try:
            value, at = decoder.raw_decode(text, at)
        except ValueError as exc:
            raise Soc2iacError(f"--with-checkov: checkov's output is not JSON ({exc})") from None
        values.append(value)
        while at < len(text) and text[at].isspace():
            at += 1
    items = [v for value in values for v in (value if isinstance(value, list) else [value])]
    return [d for d in items if isinstance(d, dict) and isinstance(d.get("results"), dict)]


def findings_of(reports: Iterable[Mapping[str, Any]], mapping: Mapping[str, Mapped]
                ) -> tuple[list[Finding], list[PolicyInfo], list[str]]:
    """Mapped checkov results as findings, the checks that produced them, and notices."""
    findings: list[Finding] = []
    titles: dict[str, str] = {}
    unmapped: set[str] = set()
    for report in reports:
        results = report.get("results", {})
        for bucket in ("failed_checks", "passed_checks", "skipped_checks"):
            for item in results.get(bucket) or []:
                check_id = str(item.get("check_id", ""))
                entry = mapping.get(check_id)
                if entry is None:
                    unmapped.add(check_id)
                    continue
                finding = _finding(item, entry, str(report.get("check_type", "")), report.get("soc2iac_roots") or [])
                if finding is not None:
                    titles.setdefault(check_id, finding.title)
                    findings.append(finding)
    infos = [PolicyInfo(cid, titles[cid], mapping[cid].severity, mapping[cid].criteria, mapping[cid].area,
                        mapping[cid].reason, family=mapping[cid].family, mappings=mapping[cid].mappings)
             for cid in sorted(titles)]
    notices = [f"--with-checkov: {len(unmapped)} checkov check(s) with results are not mapped to SOC 2 criteria "
               f"(not reported; policies/{MAPPING_FILE} lists the mapped ones)"] if unmapped else []
    return findings, infos, notices


def _finding(item: Mapping[str, Any], entry: Mapped, check_type: str, roots: Sequence[str]) -> Finding | None:
    result = item.get("check_result") or {}
    verdict = _RESULT.get(str(result.get("result", "")))
    if verdict is None:
        return None
    lines = item.get("file_line_range") or [0, 0]
    line = int(lines[0]) if isinstance(lines, list) and lines and isinstance(lines[0], int) else 0
    title = str(item.get("check_name") or entry.check_id)
    resource = str(item.get("resource_address") or item.get("resource") or "")
    parts = str(item.get("resource") or "").split(".")
    # Kubernetes: Kind.namespace.name; Terraform: [module.x.]type.name
    resource_type = parts[0] if check_type == "kubernetes" else (parts[-2] if len(parts) >= 2 else "")
    exception = ""
    if verdict == "excepted":
        exception = f"checkov:skip: {result.get('suppress_comment') or 'no reason given'}"
    return Finding(
        policy_id=entry.check_id, title=title, severity=entry.severity, criteria=entry.criteria,
        verdict=verdict,  # type: ignore[arg-type]
        message=f"checkov {entry.check_id} {str(result.get('result', '')).lower()}: {title}",
        resource=resource, resource_type=resource_type, source="checkov", file=_shown(item, roots), line=line,
        remediation=str(item.get("guideline") or f"Make the resource meet checkov {entry.check_id} ({title}); an "
                                                  f"accepted risk is recorded with checkov:skip={entry.check_id}:<reason> "
                                                  "or a soc2iac waiver."),
        evidence=(Evidence("", line, entry.reason),), exception=exception,
    )


def _shown(item: Mapping[str, Any], roots: Sequence[str]) -> str:
    """A file as soc2iac shows files (relative to the working directory when inside it).
    checkov's ``file_abs_path`` is not always absolute or right (Kubernetes repeats the folder), so
    the path relative to the scanned folder is tried under each folder given."""
    from soc2iac.parsers.terraform import display_path

    relative = str(item.get("file_path", "")).lstrip("/")
    candidates = [Path(str(item.get("file_abs_path") or ""))] + [Path(r) / relative for r in roots]
    for candidate in candidates:
        if candidate.is_file():
            return display_path(candidate.resolve())
    return relative


def merge(own: Sequence[Finding], theirs: Sequence[Finding], mapping: Mapping[str, Mapped]
          ) -> tuple[list[Finding], int]:
    """soc2iac's findings and checkov's, one verdict where the mapping declares the same control on
    the same resource (the soc2iac finding, naming the checkov check; the stricter verdict)."""
    by_key = {(f.policy_id, _norm(f), f.file): i for i, f in enumerate(own)}
    merged = list(own)
    kept: list[Finding] = []
    joined = 0
    for f in theirs:
        target = next((by_key[k] for p in mapping[f.policy_id].same_as
                       if (k := (p, _norm(f), f.file)) in by_key), None)
        if target is None:
            kept.append(f)
            continue
        joined += 1
        mine = merged[target]
        note = Evidence("", f.line, f"also checkov {f.policy_id} ({f.title}): {f.verdict}")
        if _STRICTNESS[f.verdict] < _STRICTNESS[mine.verdict]:
            mine = replace(mine, verdict=f.verdict, message=f"{mine.message}; checkov {f.policy_id}: {f.verdict}",
                           line=f.line or mine.line, exception=f.exception or mine.exception)
        merged[target] = replace(mine, evidence=(*mine.evidence, note))
    return merged + kept, joined


def _norm(f: Finding) -> str:
    """One spelling of a resource for both tools: Terraform addresses are the same; Kubernetes
    objects are ``ns/Kind/name`` in soc2iac and ``Kind.ns.name`` (``default`` namespace) in checkov."""
    if f.source in ("kubernetes", "cluster"):
        parts = f.resource.split("/")
        if len(parts) == 3:
            return f"{parts[1]}.{parts[0]}.{parts[2]}"
        if len(parts) == 2:
            return f"{parts[0]}.default.{parts[1]}"
    return f.resource
