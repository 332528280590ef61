"""Policies are data: one YAML file per policy, validated by a JSON Schema."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from soc2iac import yaml_load
from soc2iac.errors import Soc2iacError
from soc2iac.result import CriterionEntry

from soc2iac.severity import SEVERITIES  # noqa: E402,F401 - policies are validated against it


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    severity: str
    criteria: tuple[str, ...]
    area: str
    applies_to: Mapping[str, Any]
    check: Mapping[str, Any]
    description: str
    remediation: str
    references: tuple[str, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    file: str = ""
    family: str = ""
    mappings: tuple[CriterionEntry, ...] = ()  # the criteria as entries (``criteria`` keeps the ids)
    deviation: str = ""  # why the criteria differ from the family's

    @property
    def kind(self) -> str:
        return str(self.check["kind"])

    @property
    def types(self) -> list[str]:
        """The resource types it applies to: ``applies_to.types``, and with ``terraform_counterparts``
        the Terraform ``kubernetes_*`` types of those kinds (listed once, in the gateway data)."""
        types = [str(t) for t in self.applies_to["types"]]
        if self.applies_to.get("terraform_counterparts"):
            from soc2iac.gateway_data import terraform_types_of

            types += [t for t in terraform_types_of(types) if t not in types]
        return types


@dataclass(frozen=True)
class PolicyProblem:
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def builtin_policy_dir() -> Path:
    """The shipped policy pack: ``soc2iac/policies`` when installed, else the repo's ``policies/``."""
    here = Path(__file__).resolve().parent
    installed = here / "policies"
    if installed.is_dir() and any(installed.glob("*.yaml")):
        return installed
    return here.parent / "policies"


def _data_text(name: str) -> str:
    return resources.files("soc2iac.data").joinpath(name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def criteria_catalog() -> dict[str, str]:
    """Trust Services Criteria id -> short title."""
    return {str(k): str(v) for k, v in yaml_load.safe_load(_data_text("criteria.yaml")).items()}


@dataclass(frozen=True)
class Family:
    """A kind of control and the one SOC 2 mapping its policies and checkov checks share."""

    id: str
    title: str
    covers: str
    criteria: tuple[CriterionEntry, ...]


@functools.lru_cache(maxsize=1)
def families() -> dict[str, Family]:
    """Control families (soc2iac/data/families.yaml) by id."""
    doc = yaml_load.safe_load(_data_text("families.yaml"))
    return {str(fid): Family(str(fid), f["title"], f["covers"], entries(f["criteria"])) for fid, f in doc.items()}


@functools.lru_cache(maxsize=1)
def left_to_other_evidence() -> dict[str, str]:
    """Per criterion some family maps: what soc2iac's checks leave to other evidence
    (soc2iac/data/coverage.yaml)."""
    return {str(k): str(v) for k, v in yaml_load.safe_load(_data_text("coverage.yaml")).items()}


def coverage_line(criterion: str, family_ids: Iterable[str]) -> str:
    """One line on what the given families' checks cover for a criterion and what they leave to
    other evidence (the families the scanned policies belong to)."""
    known = families()
    covered = [known[f] for f in dict.fromkeys(family_ids) if f in known]
    primary = [f.covers for f in covered if any(e.id == criterion and e.primary for e in f.criteria)]
    supporting = [f.covers for f in covered if any(e.id == criterion and not e.primary for e in f.criteria)]
    parts = []
    if primary:
        parts.append("soc2iac checks that " + "; ".join(primary))
    if supporting:
        parts.append(("as supporting evidence, that " if primary else "soc2iac checks, as supporting evidence only, that ")
                     + "; ".join(supporting))
    left = left_to_other_evidence().get(criterion, "Everything; no automated check tests it.")
    return (", and, ".join(parts) + ". " if parts else "") + f"Left to other evidence: {left[0].lower()}{left[1:]}"


def entries(items: Iterable[Mapping[str, Any]]) -> tuple[CriterionEntry, ...]:
    return tuple(CriterionEntry(str(e["id"]), str(e["role"]), str(e["focus"]).strip(), str(e["reason"]).strip())
                 for e in items)


OLD_STYLE_CRITERIA = ("criteria: plain ids are the old format; write each criterion as an entry "
                      "{id, role: primary|supporting, focus, reason} and name the policy's family "
                      "(soc2iac/data/families.yaml: `soc2iac criteria --explain ID` shows a family's entries to start from)")


def family_deviation(family: str, given: Iterable[tuple[str, str]], explained: bool) -> str | None:
    """The problem with an entry's (criterion, role) pairs against its family's, or None: a
    difference must be explained (``deviation``), and an explanation must explain something."""
    known = families().get(family)
    if known is None:
        return f"family: unknown control family {family!r} (known: {', '.join(sorted(families()))})"
    want = {(e.id, e.role) for e in known.criteria}
    have = set(given)
    if want == have:
        return "deviation: the criteria are the family's, nothing to explain: remove it" if explained else None
    if explained:
        return None
    diff = [f"+{c} {r}" for c, r in sorted(have - want)] + [f"-{c} {r}" for c, r in sorted(want - have)]
    return (f"criteria: differ from family {family!r} ({', '.join(diff)}) without a `deviation` saying why")


@functools.lru_cache(maxsize=1)
def reference_groups() -> dict[str, list[dict[str, str]]]:
    return dict(yaml_load.safe_load(_data_text("groups.yaml")))


@functools.lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    """The policy schema, with ``applies_to.source`` limited to the input registry's selectors."""
    from soc2iac.parsers.registry import selectors

    text = resources.files("soc2iac.schemas").joinpath("policy.schema.json").read_text(encoding="utf-8")
    schema = dict(json.loads(text))
    schema["properties"]["applies_to"]["properties"]["source"]["enum"] = selectors()
    return schema


@functools.lru_cache(maxsize=1)
def _validators() -> tuple[Any, dict[str, Any]]:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    from soc2iac.checks import KINDS

    schema = policy_schema()
    res = Resource.from_contents(schema)
    registry = Registry().with_resources([("policy.schema.json", res), (schema["$id"], res)])
    main = Draft202012Validator(schema, registry=registry)
    kinds = {name: Draft202012Validator(dict(kind.SCHEMA), registry=registry) for name, kind in KINDS.items()}
    return main, kinds


def _where(error: Any) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return path.lstrip(".") or "(top level)"


def validate_document(doc: Any, file: str, *, expected_id: str | None = None) -> list[PolicyProblem]:
    """Every schema, kind and criteria problem of one policy document."""
    main, kinds = _validators()
    if not isinstance(doc, Mapping):
        return [PolicyProblem(file, "a policy must be a YAML mapping")]
    problems = [
        PolicyProblem(file, f"{_where(e)}: {e.message}")
        for e in sorted(main.iter_errors(doc), key=lambda e: list(e.absolute_path))
    ]
    if expected_id is not None and doc.get("id") != expected_id:
        problems.append(PolicyProblem(file, f"id: {doc.get('id')!r} must equal the file name {expected_id!r}"))
    problems += [PolicyProblem(file, m) for m in _criteria_problems(doc)]
    if any(isinstance(c, str) for c in doc.get("criteria") or []):  # one clear line, not one per id
        problems = [PolicyProblem(file, OLD_STYLE_CRITERIA)] + [
            p for p in problems if not p.message.startswith("criteria") and "'family'" not in p.message]
    check = doc.get("check")
    if isinstance(check, Mapping):
        kind = check.get("kind")
        if kind not in kinds:
            problems.append(PolicyProblem(file, f"check.kind: unknown check kind {kind!r} (known: {', '.join(sorted(kinds))})"))
        else:
            params = {k: v.get("default") for k, v in (doc.get("parameters") or {}).items() if isinstance(v, Mapping)}
            try:
                resolved = substitute(check, params)
            except Soc2iacError as exc:
                problems.append(PolicyProblem(file, f"check: {exc}"))
            else:
                for e in kinds[kind].iter_errors(resolved):
                    problems.append(PolicyProblem(file, f"check.{_where(e)}: {e.message}"))
    applies = doc.get("applies_to")
    if isinstance(applies, Mapping) and isinstance(applies.get("referenced_by"), str):
        if applies["referenced_by"] not in reference_groups():
            problems.append(PolicyProblem(file, f"applies_to.referenced_by: unknown group {applies['referenced_by']!r}"))
    return problems


def _criteria_problems(doc: Mapping[str, Any]) -> list[str]:
    catalog = criteria_catalog()
    items = [c for c in doc.get("criteria") or [] if isinstance(c, Mapping)]
    out = [f"criteria: unknown Trust Services Criterion {c['id']!r}" for c in items
           if isinstance(c.get("id"), str) and c["id"] not in catalog]
    ids = [c.get("id") for c in items]
    roles = [c.get("role") for c in items]
    if items and "primary" not in roles:
        out.append("criteria: no entry is primary, so no check of this policy would decide a criterion")
    elif "supporting" in roles and roles.index("supporting") < len(roles) - roles[::-1].index("primary") - 1:
        out.append("criteria: list the primary entries first (a finding is reported under its first criterion)")
    out += [f"criteria: {i!r} is listed twice" for i in sorted({i for i in ids if ids.count(i) > 1}, key=str)]
    if isinstance(doc.get("family"), str) and items and all(isinstance(c.get("role"), str) for c in items):
        problem = family_deviation(doc["family"], ((str(c.get("id")), c["role"]) for c in items),
                                   bool(doc.get("deviation")))
        if problem:
            out.append(problem)
    return out


def substitute(value: Any, params: Mapping[str, Any]) -> Any:
    """Replace every ``{param: name}`` in ``value`` with the parameter's value."""
    if isinstance(value, Mapping):
        if set(value) == {"param"}:
            name = value["param"]
            if name not in params:
                raise Soc2iacError(f"parameter {name!r} is not declared")
            return params[name]
        return {k: substitute(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, params) for v in value]
    return value


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Rejects duplicate mapping keys, which PyYAML would silently collapse."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 - safe loader
    except (OSError, UnicodeDecodeError) as exc:
        raise Soc2iacError(f"{path}: cannot read policy: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise Soc2iacError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None


def policy_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))


def validate_directory(directory: Path) -> tuple[int, list[PolicyProblem]]:
    files = policy_files(directory)
    problems: list[PolicyProblem] = []
    for path in files:
        try:
            doc = _read_yaml(path)
        except Soc2iacError as exc:
            problems.append(PolicyProblem(str(path), str(exc).split(": ", 1)[-1]))
            continue
        problems.extend(validate_document(doc, str(path), expected_id=path.stem))
    return len(files), problems


def load_directory(directory: Path) -> list[Policy]:
    if not directory.is_dir():
        raise Soc2iacError(f"{directory}: policy directory not found")
    return [load_file(path) for path in policy_files(directory)]


def load_file(path: Path) -> Policy:
    """One validated policy file; :class:`Soc2iacError` naming the file and field otherwise."""
    doc = _read_yaml(path)
    problems = validate_document(doc, str(path), expected_id=path.stem)
    if problems:
        more = f" (+{len(problems) - 1} more; run `soc2iac policies validate {path.parent}`)" if len(problems) > 1 else ""
        raise Soc2iacError(f"{problems[0]}{more}")
    return _policy(doc, str(path))


def _policy(doc: Mapping[str, Any], file: str) -> Policy:
    return Policy(
        id=doc["id"], title=doc["title"], severity=doc["severity"], criteria=tuple(c["id"] for c in doc["criteria"]),
        area=doc["area"], applies_to=doc["applies_to"], check=doc["check"],
        description=doc["description"].strip(), remediation=doc["remediation"].strip(),
        references=tuple(doc.get("references") or ()), parameters=doc.get("parameters") or {},
        file=file, family=doc["family"], mappings=entries(doc["criteria"]),
        deviation=" ".join(str(doc.get("deviation") or "").split()),
    )


def load_policies(extra_dirs: Iterable[Path] = (), *, include_builtin: bool = True) -> list[Policy]:
    """The built-in pack plus users' directories; a duplicate id is an error."""
    policies: list[Policy] = []
    if include_builtin:
        policies.extend(_builtin())
    for d in extra_dirs:
        policies.extend(load_directory(Path(d)))
    seen: dict[str, str] = {}
    for p in policies:
        if p.id in seen:
            raise Soc2iacError(f"{p.file}: policy id {p.id!r} is already defined in {seen[p.id]}")
        seen[p.id] = p.file
    return policies


@functools.lru_cache(maxsize=1)
def _builtin() -> tuple[Policy, ...]:
    """The shipped pack. It ships compiled (:data:`COMPILED`: the validated documents and the
    SHA-256 of everything validation read), so a run whose pack files match loads it without
    YAML or jsonschema. An edited pack (a developer's checkout) is validated, once per content:
    a cache entry keyed by that digest and the tool version, authenticated with the user's cache
    key, skips the work next time. A missing or corrupt entry is rebuilt."""
    directory = builtin_policy_dir()
    files = policy_files(directory)
    compiled = _compiled(files)
    if compiled is not None:
        return compiled
    entry = _cache_entry(files)
    secret = _cache_secret(entry)
    if entry is not None and secret is not None:
        cached = _read_entry(entry, secret, files)
        if cached is not None:
            return cached
    policies = tuple(load_directory(directory))
    if entry is not None and secret is not None:
        text = json.dumps([_document(p) for p in policies])
        _write_atomic(entry, _seal(secret, entry, text) + "\n" + text)
    return policies


def _cache_secret(entry: Path | None) -> bytes | None:
    """The key that authenticates the pack's cache entry (as the parse cache's); None: no caching."""
    from soc2iac.cache import KeyProblem, secret_key, where_key_is_unsafe

    if entry is None or where_key_is_unsafe(entry.parent):
        return None
    try:
        return secret_key()
    except KeyProblem:
        return None


def _seal(secret: bytes, entry: Path, text: str) -> str:
    from soc2iac.cache import seal

    return seal(secret, entry.name.encode(), text.encode("utf-8")).hex()


def _read_entry(entry: Path, secret: bytes, files: list[Path]) -> tuple[Policy, ...] | None:
    """The pack from its cache entry, or None: absent, over the size bound, not authenticated
    (cache contents are untrusted: a CI cache restored from a pull request's run), or not the
    shape this version writes. Any such entry is rebuilt."""
    import hmac

    from soc2iac.cache import read_bounded
    from soc2iac.checks import KINDS

    data = read_bounded(entry, 16 * 1024 * 1024)
    if data is None:
        return None
    tag, _, body = data.partition(b"\n")
    try:
        text = body.decode("utf-8")
        if not hmac.compare_digest(tag, _seal(secret, entry, text).encode()):
            return None
        docs = json.loads(text)
        if not isinstance(docs, list) or len(docs) != len(files):
            return None
        policies = tuple(_policy(doc, str(path)) for doc, path in zip(docs, files))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if any(p.id != Path(p.file).stem or not isinstance(p.check, Mapping) or p.check.get("kind") not in KINDS
           for p in policies):
        return None
    return policies


def _pack_digest(files: list[Path], *, salt: str = "") -> str | None:
    """SHA-256 of what validating ``files`` depends on: the policy schema (with the registry's
    sources), every kind's parameter schema, the criteria and reference-group data, and each
    file's name and bytes. None: a file cannot be read."""
    import hashlib

    from soc2iac.checks import KINDS

    digest = hashlib.sha256(salt.encode())
    digest.update(json.dumps(policy_schema(), sort_keys=True).encode())
    digest.update(json.dumps({k: v.SCHEMA for k, v in KINDS.items()}, sort_keys=True, default=str).encode())
    for name in ("criteria.yaml", "groups.yaml", "families.yaml"):
        digest.update(_data_text(name).encode())
    try:
        for path in files:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def _cache_entry(files: list[Path]) -> Path | None:
    from soc2iac import __version__
    from soc2iac.cache import policy_root

    root = policy_root()
    digest = None if root is None else _pack_digest(files, salt=__version__)
    return None if root is None or digest is None else Path(root) / f"policies-{digest[:32]}.json"


COMPILED = "policy_pack.json"  # in soc2iac/data; written by `python -m soc2iac.catalog --write README.md`


def _compiled(files: list[Path]) -> tuple[Policy, ...] | None:
    """The pack from the shipped compiled file when it was compiled from exactly these files
    (same digest); None otherwise. The file ships inside the package, which the user trusts as
    they trust the code; it is not writable cache storage."""
    try:
        doc = json.loads(_data_text(COMPILED))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("digest") != _pack_digest(files):
        return None
    docs = doc.get("policies")
    if not isinstance(docs, list) or [d.get("id") for d in docs] != [p.stem for p in files]:
        return None
    return tuple(_policy(d, str(path)) for d, path in zip(docs, files))


def compile_pack() -> str:
    """The compiled pack's text: every built-in policy validated (a problem is an error)."""
    files = policy_files(builtin_policy_dir())
    policies = [load_file(path) for path in files]
    return json.dumps({"digest": _pack_digest(files), "policies": [_document(p) for p in policies]},
                      indent=1, sort_keys=True) + "\n"


def compiled_path() -> Path:
    return Path(__file__).resolve().parent / "data" / COMPILED


def _write_atomic(path: Path, text: str) -> None:
    """Best effort: a temporary file renamed into place, so readers never see half an entry."""
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".policies-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError:
        return  # a read-only home is fine: the pack is validated on every run instead


def _document(p: Policy) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": p.id, "title": p.title, "severity": p.severity, "family": p.family,
        "criteria": [{"id": m.id, "role": m.role, "focus": m.focus, "reason": m.reason} for m in p.mappings],
        "area": p.area,
        "applies_to": p.applies_to, "check": p.check, "description": p.description,
        "remediation": p.remediation, "references": list(p.references),
    }
    if p.parameters:
        doc["parameters"] = p.parameters
    if p.deviation:
        doc["deviation"] = p.deviation
    return doc


def resolved_check(policy: Policy, overrides: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """The policy's check with parameter defaults, overridden by the config file."""
    params = {k: v.get("default") for k, v in policy.parameters.items()}
    for k, v in (overrides or {}).items():
        if k not in params:
            raise Soc2iacError(f"config: policy {policy.id} has no parameter {k!r} (has: {', '.join(params) or 'none'})")
        params[k] = v
    check = substitute(copy.deepcopy(dict(policy.check)), params)
    if overrides:
        _, kinds = _validators()
        errors = list(kinds[policy.kind].iter_errors(check))
        if errors:
            raise Soc2iacError(f"config: parameters of {policy.id}: {errors[0].message}")
    return dict(check)

