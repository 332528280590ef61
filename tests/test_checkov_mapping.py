"""The checkov mapping (policies/_checkov_mapping.yaml): schema, criteria, policy links, live check ids.

The registry tests need a Python that can import checkov (it conflicts with our python-hcl2, so
it lives in its own venv): ``$SOC2IAC_CHECKOV_PYTHON``, else the venv of ``$SOC2IAC_CHECKOV``
(as .ci/run sets it), else ``soc2iac checkov-setup``'s, else the benchmark's
``~/.cache/soc2iac-bench/checkov-venv/bin/python`` (``python bench/run.py --setup-checkov``);
without one they skip. ``pytest -s tests/test_checkov_mapping.py`` also prints the registry
checks that look relevant to the mapped areas but are not mapped yet.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from soc2iac import checkov_bridge
from soc2iac.policy import criteria_catalog, policy_files

ROOT = Path(__file__).resolve().parent.parent
MAPPING_PATH = ROOT / "policies" / "_checkov_mapping.yaml"
SCHEMA_PATH = ROOT / "soc2iac" / "schemas" / "checkov_mapping.schema.json"
DEFAULT_CHECKOV_PYTHON = Path.home() / ".cache" / "soc2iac-bench" / "checkov-venv" / "bin" / "python"
MIN_ENTRIES = 150
MAX_REASON_REUSE = 3


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load keeps the last of two equal keys silently; a repeated check id is an error here."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_mapping() -> dict[str, Any]:
    return yaml.load(MAPPING_PATH.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)


MAPPING = _load_mapping()
CHECKS: dict[str, dict[str, Any]] = MAPPING["checks"]
POLICIES = {doc["id"]: doc for doc in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in policy_files(ROOT / "policies"))}


# ------------------------------------------------------------------ the file itself


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def test_mapping_validates_against_schema() -> None:
    validator = Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(MAPPING)]
    assert errors == []


def test_schema_rejects_a_multi_line_reason_and_an_unknown_area() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    head = {"version": 2, "checkov_version": "3.3.30",
            "severity_by_area": {a: "medium" for a in schema["$defs"]["area"]["enum"]}}
    entry = {"family": "encryption-in-transit", "area": "tls", "reason": "A reason that is long enough to pass."}
    assert validator.is_valid({**head, "checks": {"CKV_AWS_2": entry}})
    for bad in ({"reason": "first line of the reason\nsecond line"}, {"reason": "a reason long enough to pass\n"},
                {"area": "encryption"}, {"criteria": ["CC6.7"], "deviation": "old style plain criterion ids"},
                {"criteria": [{"id": "CC6.7", "role": "primary", "focus": "encrypting data in transit",
                               "reason": "A reason without its why."}]},  # criteria without a deviation
                {"extra": 1}):
        doc = {**head, "checks": {"CKV_AWS_2": {**entry, **bad}}}
        assert not validator.is_valid(doc), bad
    assert not validator.is_valid({**head, "checks": {"CKV_AWS_X": entry}})
    # every area needs a severity, and only a known one
    assert not validator.is_valid({**head, "severity_by_area": {"tls": "high"}, "checks": {"CKV_AWS_2": entry}})
    assert not validator.is_valid({**head, "severity_by_area": {**head["severity_by_area"], "tls": "urgent"},
                                   "checks": {"CKV_AWS_2": entry}})


def test_mapping_is_skipped_by_the_policy_loader() -> None:
    assert MAPPING_PATH.name not in {p.name for p in policy_files(MAPPING_PATH.parent)}


def test_mapping_size() -> None:
    assert len(CHECKS) >= MIN_ENTRIES


def test_every_criterion_is_known() -> None:
    known = set(criteria_catalog())
    mapped = checkov_bridge.load_mapping()
    unknown = {cid: sorted(set(m.criteria) - known) for cid, m in mapped.items() if set(m.criteria) - known}
    assert unknown == {}


def test_same_as_names_existing_policies() -> None:
    missing = {cid: sorted(set(e["same_as"]) - set(POLICIES)) for cid, e in CHECKS.items()
               if set(e.get("same_as", [])) - set(POLICIES)}
    assert missing == {}


def test_same_as_policies_are_of_the_same_family() -> None:
    """A check that duplicates a soc2iac policy is the same control: mapped the same way."""
    differ = {f"{cid} ~ {pid}": (e["family"], POLICIES[pid]["family"])
              for cid, e in CHECKS.items() for pid in e.get("same_as", [])
              if pid in POLICIES and e["family"] != POLICIES[pid]["family"]}
    assert differ == {}


def test_reasons_are_specific() -> None:
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    counts = Counter(norm(e["reason"]) for e in CHECKS.values())
    assert {reason: n for reason, n in counts.items() if n > MAX_REASON_REUSE} == {}


# ------------------------------------------------------------------ against checkov's registry

# Runs inside the checkov interpreter. Only imports the registries (no runner, no scan); the
# socket guard makes any attempt to reach the network fail instead of downloading something.
_REGISTRY_SCRIPT = r"""
import json, logging, socket, sys

def _no_network(*args, **kwargs):
    raise OSError("network access is disabled while listing the checkov registry")

socket.socket.connect = _no_network
socket.socket.connect_ex = _no_network
socket.create_connection = _no_network
socket.getaddrinfo = _no_network
logging.disable(logging.CRITICAL)

from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.kubernetes.checks.resource.registry import registry as k8s_registry
from checkov.terraform.checks.data.registry import data_registry
from checkov.terraform.checks.module.registry import module_registry
from checkov.terraform.checks.provider.registry import provider_registry
from checkov.terraform.checks.resource.registry import resource_registry
from checkov.version import version

checks = {}

def add(check_id, name, framework, entities):
    entry = checks.setdefault(check_id, {"name": name, "frameworks": [], "entities": []})
    if framework not in entry["frameworks"]:
        entry["frameworks"].append(framework)
    entry["entities"] = sorted(set(entry["entities"]) | set(entities or ()))

registries = [("terraform", r) for r in (resource_registry, data_registry, provider_registry, module_registry)]
for framework, registry in registries + [("kubernetes", k8s_registry)]:
    for group in (registry.checks, registry.wildcard_checks):
        for entity_checks in list(group.values()):
            for check in entity_checks:
                add(check.id, check.name, framework, check.supported_entities)
for framework in ("terraform", "kubernetes"):
    graph = get_graph_checks_registry(framework)
    graph.load_checks()
    for check in graph.checks:
        add(check.id, check.name, framework, check.resource_types)

json.dump({"version": version, "checks": checks}, sys.stdout)
"""


def _checkov_python() -> tuple[str | None, bool]:
    """(interpreter, explicitly configured)."""
    configured = os.environ.get("SOC2IAC_CHECKOV_PYTHON")
    if configured:
        return configured, True
    executable = os.environ.get("SOC2IAC_CHECKOV")  # scan --with-checkov's: the python of its venv
    if executable and (Path(executable).parent / "python").exists():
        return str(Path(executable).parent / "python"), True
    for candidate in (checkov_bridge.default_venv() / "bin" / "python", DEFAULT_CHECKOV_PYTHON):
        if candidate.exists():
            return str(candidate), False
    return None, False


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    python, explicit = _checkov_python()
    if python is None:
        pytest.skip("no checkov installation: set SOC2IAC_CHECKOV_PYTHON to a python that can import checkov, "
                    f"or create {DEFAULT_CHECKOV_PYTHON.parent.parent} with `python bench/run.py --setup-checkov`")
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR", "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        proc = subprocess.run([python, "-c", _REGISTRY_SCRIPT], check=False, capture_output=True, text=True,
                              timeout=180, env=env, cwd=tmp_path_factory.mktemp("checkov-registry"))
    except (OSError, subprocess.TimeoutExpired) as exc:
        if explicit:
            pytest.fail(f"SOC2IAC_CHECKOV_PYTHON={python} could not list the checkov registry: {exc}")
        pytest.skip(f"{python} could not list the checkov registry: {exc}")
    if proc.returncode != 0:
        if not explicit and "No module named 'checkov'" in proc.stderr:
            pytest.skip(f"{python} cannot import checkov")
        pytest.fail(f"listing the checkov registry with {python} failed:\n{proc.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(proc.stdout)
    if data["version"] != MAPPING["checkov_version"]:
        print(f"\nnote: mapping was checked against checkov {MAPPING['checkov_version']}, "
              f"this installation is {data['version']}")
    return data


def test_every_mapped_check_exists_in_checkov(registry: dict[str, Any]) -> None:
    vanished = sorted(set(CHECKS) - set(registry["checks"]))
    assert vanished == [], (f"checkov {registry['version']} has no terraform or kubernetes check with these ids: "
                            f"{', '.join(vanished)}")


def test_same_as_policies_cover_the_check_resource_types(registry: dict[str, Any]) -> None:
    """same_as is for the same resource type: the policy's types meet the check's entities."""
    mismatched = {}
    for cid, entry in CHECKS.items():
        check = registry["checks"].get(cid)
        if check is None:
            continue  # reported by test_every_mapped_check_exists_in_checkov
        for pid in entry.get("same_as", []):
            types = set(POLICIES.get(pid, {}).get("applies_to", {}).get("types", []))
            if types & {"*", "provider"}:  # every resource / every provider block (checkov names the provider)
                continue
            if not types & set(check["entities"]):
                mismatched[f"{cid} ~ {pid}"] = (sorted(check["entities"]), sorted(types))
    assert mismatched == {}


# First matching area wins; deliberately simple and noisy, for finding candidates by eye.
_AREA_HINTS: list[tuple[str, re.Pattern[str]]] = [
    ("tls", re.compile(r"\b(tls|ssl|https|in[ -]?transit|cipher)", re.IGNORECASE)),
    ("encryption-at-rest", re.compile(r"encrypt|\bkms\b|\bcmk\b|customer[ -]managed key|\bcsek\b", re.IGNORECASE)),
    ("secret-storage", re.compile(r"secret|hard[ -]?coded|credential|password|\btoken", re.IGNORECASE)),
    ("log-retention", re.compile(r"retention|retain", re.IGNORECASE)),
    ("audit-logging", re.compile(r"\blog|audit|trail\b", re.IGNORECASE)),
    ("network-exposure", re.compile(r"public|0\.0\.0\.0|internet|ingress|exposed|open to|anonymous", re.IGNORECASE)),
    ("iam-least-privilege", re.compile(r"\biam\b|wildcard|\"\*\"|\(\*\)|privilege|admin|\brbac\b|service account", re.IGNORECASE)),
    ("workload-hardening", re.compile(r"privileged|\broot\b|capabilit|host (process|ipc|network)|seccomp|read-only", re.IGNORECASE)),
    ("backup", re.compile(r"backup|point[ -]in[ -]time|versioning|replication", re.IGNORECASE)),
]


def _hinted_area(name: str) -> str | None:
    return next((area for area, pattern in _AREA_HINTS if pattern.search(name)), None)


def test_report_relevant_unmapped_checks(registry: dict[str, Any]) -> None:
    """Informational (shown with -s): registry checks whose title matches a mapped area."""
    candidates: dict[str, list[str]] = defaultdict(list)
    for cid, check in sorted(registry["checks"].items()):
        if cid in CHECKS:
            continue
        area = _hinted_area(check["name"])
        if area:
            candidates[area].append(f"{cid:<14} [{'/'.join(check['frameworks'])}] {check['name']}")
    total = sum(len(v) for v in candidates.values())
    print(f"\ncheckov {registry['version']}: {len(registry['checks'])} terraform/kubernetes checks, "
          f"{len(CHECKS)} mapped, {total} more look relevant by title:")
    for area, lines in sorted(candidates.items()):
        print(f"  {area} ({len(lines)}):")
        for line in lines:
            print(f"    {line}")
    assert set(candidates) <= {area for area, _ in _AREA_HINTS}
