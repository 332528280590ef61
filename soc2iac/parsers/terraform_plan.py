"""``terraform show -json`` plan documents -> resources before and after the change.

The *after* world is ``planned_values`` (root and nested child modules), with
every value Terraform knows only after apply (``after_unknown``) and every
``sensitive`` value replaced by :class:`Unknown`: never a pass, never printed.
The *before* world is what ``resource_changes`` says each resource was. Both
use the same :class:`Resource` model as HCL source, so the same policies run.

Plans carry no source positions; when the HCL that produced the plan is at hand
(``repo_root``), each resource points at its block's file and line, found by
address (``module.logs.aws_s3_bucket.this[0]`` -> ``module.logs.aws_s3_bucket.this``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soc2iac.errors import InputError
from soc2iac.model import Location, Ref, Resource, Unknown
from soc2iac.parsers import MAX_DEPTH, as_list, as_mapping, bounded_int, current_repo_root, nesting_depth
from soc2iac.parsers.registry import Parsed

SOURCE = "terraform-plan"
NO_CHANGE = ("no-op", "read")
_KEY = r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]'  # an instance key: [0] or ["name"]
_INDEX = re.compile(_KEY)
_MODULE_PREFIX = re.compile(rf"^(?:module\.[A-Za-z_][\w-]*(?:{_KEY})?\.)*")
_REFERENCE = re.compile(rf"^((?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)({_KEY})?")

# what an expression refers to: the resource address in its module (with its key when literal),
# and "each.key" or "count.index" when the key is the referring instance's own
Reference = tuple[str, str]

AFTER_APPLY = Unknown("known only after apply")
SENSITIVE = Unknown("a sensitive value (not shown)")


@dataclass
class Plan:
    scope: str = ""  # the plan file, as shown: the scope of its resources
    after: list[Resource] = field(default_factory=list)
    before: list[Resource] = field(default_factory=list)
    actions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # address -> actions

    @property
    def changed(self) -> set[str]:
        return {a for a, acts in self.actions.items() if any(x not in NO_CHANGE for x in acts)}


def looks_like_plan(text: str) -> bool:
    head = text[:4096]
    return '"format_version"' in head and ('"terraform_version"' in head or '"planned_values"' in text)


def detect(path: Path, text: str) -> bool:
    """A ``terraform show -json`` document (registry entry ``terraform-plan``), by content."""
    return path.suffix.lower() == ".json" and looks_like_plan(text)


def parse_text(text: str, shown: str, path: Path) -> Parsed:
    """The plan's after-world as resources, with the plan's change record; every malformation,
    truncation included, is an input error."""
    try:
        plan = parse_plan(load_plan_text(text, shown), shown, Locator(current_repo_root() or path.parent))
    except RecursionError:
        raise InputError(shown, "malformed Terraform plan JSON: nested too deeply") from None
    return Parsed(plan.after, plan)


def is_plan(doc: Any) -> bool:
    return isinstance(doc, Mapping) and "format_version" in doc and (
        "planned_values" in doc or "resource_changes" in doc)


def load_plan_text(text: str, shown: str) -> dict[str, Any]:
    """The plan document; :class:`InputError` (with line) when it is truncated or malformed."""
    try:
        doc = json.loads(text, parse_int=bounded_int)
    except json.JSONDecodeError as exc:
        raise InputError(shown, f"malformed Terraform plan JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise InputError(shown, "malformed Terraform plan JSON: nested too deeply") from None
    if nesting_depth(doc) > MAX_DEPTH:
        raise InputError(shown, f"malformed Terraform plan JSON: nested more than {MAX_DEPTH} levels")
    if not is_plan(doc):
        raise InputError(shown, "not a Terraform plan (no format_version/planned_values)")
    return dict(doc)


class Locator:
    """Maps plan addresses to the HCL blocks that declare them, below ``repo_root``."""

    def __init__(self, repo_root: Path | None) -> None:
        self._blocks: dict[str, Resource] = {}
        if repo_root is None or not repo_root.is_dir() or not any(repo_root.glob("*.tf")):
            return
        from soc2iac.parsers.terraform import TerraformLoader

        loader = TerraformLoader(declared=True)
        for res in loader.root_resources(repo_root):  # instances of one block share its lines
            self._blocks.setdefault(_INDEX.sub("", res.address), res)

    def find(self, address: str) -> Resource | None:
        return self._blocks.get(_INDEX.sub("", address))


def parse_plan(doc: Mapping[str, Any], shown: str, locator: Locator) -> Plan:
    plan = Plan(scope=shown)
    refs = _config_references(as_mapping(doc.get("configuration")).get("root_module"), "")
    changes = {str(rc.get("address")): rc for rc in as_list(doc.get("resource_changes")) if isinstance(rc, Mapping)}
    for rc in changes.values():
        change = as_mapping(rc.get("change"))
        plan.actions[str(rc.get("address"))] = tuple(str(a) for a in as_list(change.get("actions")))
    seen_after: set[str] = set()
    for item in _module_resources(as_mapping(doc.get("planned_values")).get("root_module")):
        address = str(item.get("address"))
        change = as_mapping(as_mapping(changes.get(address)).get("change"))
        attrs = _mask(item.get("values"), change.get("after_unknown"), change.get("after_sensitive"))
        if not change:  # only sensitive_values to go by
            attrs = _mask(item.get("values"), None, item.get("sensitive_values"))
        plan.after.append(_resource(item, attrs, shown, locator, refs, plan.actions.get(address, ())))
        seen_after.add(address)
    for key, rc in changes.items():
        if not rc.get("address") or not rc.get("type"):
            continue
        change = as_mapping(rc.get("change"))
        actions = plan.actions.get(str(key), ())
        if change.get("before") is not None:
            attrs = _mask(change.get("before"), None, change.get("before_sensitive"))
            plan.before.append(_resource(rc, attrs, shown, locator, refs, actions))
        if key not in seen_after and change.get("after") is not None and "delete" not in actions[-1:]:
            attrs = _mask(change.get("after"), change.get("after_unknown"), change.get("after_sensitive"))
            plan.after.append(_resource(rc, attrs, shown, locator, refs, actions))
    # data sources already read live in prior_state; they belong to both worlds
    for item in _module_resources(as_mapping(as_mapping(doc.get("prior_state")).get("values")).get("root_module")):
        if item.get("mode") == "data" and str(item.get("address")) not in seen_after:
            res = _resource(item, _mask(item.get("values"), None, item.get("sensitive_values")), shown, locator)
            plan.after.append(res)
            plan.before.append(res)
    return plan


def _module_resources(module: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(module, Mapping):
        return
    for item in as_list(module.get("resources")):
        if isinstance(item, Mapping) and item.get("address") and item.get("type"):
            yield item
    for child in as_list(module.get("child_modules")):
        yield from _module_resources(child)


def _resource(item: Mapping[str, Any], attrs: dict[str, Any], shown: str, locator: Locator,
              refs: Mapping[str, Mapping[str, Reference]] | None = None, actions: tuple[str, ...] = ()) -> Resource:
    address = str(item["address"])
    if refs:
        targets = {path: _target(address, ref) for path, ref in refs.get(_INDEX.sub("", address), {}).items()}
        attrs = _with_refs(attrs, targets, "")
    rtype = str(item["type"])
    if item.get("mode") == "data":
        rtype = f"data.{rtype}"
    block = locator.find(address)
    location = block.location if block is not None else Location(shown)  # no line: the plan file itself
    return Resource(
        source=SOURCE, type=rtype, name=str(item.get("name", "")), address=address, attributes=attrs,
        location=location, lines=dict(block.lines) if block is not None else {}, scope=shown, actions=actions,
    )


def _mask(values: Any, unknown: Any, sensitive: Any) -> Any:
    """``values`` with unknown and sensitive paths replaced; provider-filled empties as unset."""
    if sensitive is True:
        return SENSITIVE
    if unknown is True:
        return AFTER_APPLY
    if isinstance(values, Mapping):
        out: dict[str, Any] = {}
        keys = list(values) + [k for k in as_mapping(unknown) if k not in values]
        for k in keys:
            sub = _mask(values.get(k), _at(unknown, k), _at(sensitive, k))
            if sub is not None:
                out[str(k)] = sub
        return out
    if isinstance(values, list):
        if not values:
            return None
        return [_mask(v, _at(unknown, i), _at(sensitive, i)) for i, v in enumerate(values)]
    if values == "":
        return None  # the provider's "not set" for optional computed strings
    return values




def _at(tree: Any, key: Any) -> Any:
    if isinstance(tree, Mapping):
        return tree.get(key)
    if isinstance(tree, list) and isinstance(key, int) and key < len(tree):
        return tree[key]
    return None


_NOT_RESOURCES = {"var", "local", "module", "each", "count", "path", "self", "terraform"}


def _config_references(module: Any, prefix: str) -> dict[str, dict[str, Reference]]:
    """block address (no instance keys) -> {attribute path -> what it refers to}, from the plan's
    ``configuration`` (where Terraform keeps what each expression refers to)."""
    out: dict[str, dict[str, Reference]] = {}
    if not isinstance(module, Mapping):
        return out
    for res in as_list(module.get("resources")):
        if isinstance(res, Mapping) and res.get("address"):
            paths: dict[str, Reference] = {}
            _expression_refs(res.get("expressions"), "", paths)
            out[prefix + str(res["address"])] = paths
    for name, call in as_mapping(module.get("module_calls")).items():
        if isinstance(call, Mapping):
            out.update(_config_references(call.get("module"), f"{prefix}module.{name}."))
    return out


def _expression_refs(expr: Any, here: str, paths: dict[str, Reference]) -> None:
    if isinstance(expr, Mapping):
        references = expr.get("references")
        if isinstance(references, list):
            target = next((t for t in map(_resource_of, references) if t), None)
            if target:
                # aws_x.this[each.key]: Terraform lists aws_x.this and each.key; the instance is
                # the referring instance's own key
                same_key = next((r for r in ("each.key", "count.index") if r in references), "")
                paths[here] = (target, "" if _INDEX.search(target) else same_key)
            return
        for key, sub in expr.items():
            _expression_refs(sub, f"{here}.{key}" if here else str(key), paths)
    elif isinstance(expr, list):
        for i, sub in enumerate(expr):
            _expression_refs(sub, f"{here}[{i}]", paths)


def _resource_of(reference: Any) -> str | None:
    """The resource (instance, when its key is literal) a reference names; None for var.x and such."""
    m = _REFERENCE.match(str(reference))
    if m is None:
        return None
    first = m.group(1).split(".")[0]
    if first == "data":
        m = re.match(rf"^(data\.[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)({_KEY})?", str(reference))
        return m.group(0) if m else None
    if first in _NOT_RESOURCES or "_" not in first:
        return None
    return m.group(0)


def _target(address: str, ref: Reference) -> str:
    """The address a reference of the resource instance at ``address`` resolves to: in the same
    module instance, and with the referring instance's own key for ``[each.key]``/``[count.index]``."""
    prefix = _MODULE_PREFIX.match(address)
    module = prefix.group(0) if prefix else ""
    target, same_key = ref
    if same_key:
        own = re.search(rf"({_KEY})$", address)
        if own is not None and (own.group(1)[1] == '"') == (same_key == "each.key"):
            target += own.group(1)
    return module + target


def _with_refs(value: Any, refs: Mapping[str, str], here: str) -> Any:
    """Unknown values whose expression refers to a resource become :class:`Ref` to it."""
    if isinstance(value, Unknown) and not isinstance(value, Ref) and here in refs and value is not SENSITIVE:
        return Ref(reason=value.reason, address=refs[here])
    if isinstance(value, Mapping):
        return {k: _with_refs(v, refs, f"{here}.{k}" if here else k) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_refs(v, refs, f"{here}[{i}]") for i, v in enumerate(value)]
    return value
