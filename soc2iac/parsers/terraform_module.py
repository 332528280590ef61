"""One instantiation of a Terraform module folder, expanded into instances as Terraform does.

``count`` and ``for_each`` (on resources, data sources and module calls) are evaluated in the
module's scope: a zero count or an empty for_each creates nothing (no resource, no verdict);
a known one creates one instance per index or key, addressed as Terraform addresses them
(``aws_s3_bucket.this[0]``, ``module.logs["audit"].aws_cloudwatch_log_group.this``), with
``count.index``, ``each.key`` and ``each.value`` bound in its attributes. A count or for_each
that cannot be known statically gives one resource at the block's address whose per-instance
values are unknown, saying so. Every instance keeps its block's file and lines.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from soc2iac.model import NO_ORIGINS, Location, Ref, Resource, Unknown
from soc2iac.parsers import comment_markers, inside_tree
from soc2iac.parsers import hcl_values as hv
from soc2iac.parsers.hcl_eval import META_KEYS, Exprs, ModuleObject, Scope, from_raw
from soc2iac.parsers.hcl_syntax import Node
from soc2iac.parsers.hcl_types import convert
from soc2iac.versions import ProviderVersions

SOURCE = "terraform"
MAX_MODULE_DEPTH = 16
_CALL_ARGUMENTS = ("source", "version", "providers", "depends_on", "count", "for_each")

Blocks = Iterator[tuple["HclFile", str, dict[str, Any]]]


class HclFile(Protocol):
    """A parsed ``.tf`` file (:class:`soc2iac.parsers.terraform.HclFile`)."""

    path: Path

    @property
    def lines(self) -> list[str]: ...

    @property
    def exprs(self) -> Exprs | None: ...

    def attribute_lines(self, start: int, end: int) -> dict[str, int]: ...


class ModuleDir(Protocol):
    """A module folder's files (:class:`soc2iac.parsers.terraform.ModuleDir`)."""

    path: Path

    def blocks(self, kind: str) -> Blocks: ...

    def typed_blocks(self, kind: str) -> Iterator[tuple[HclFile, str, str, dict[str, Any]]]: ...

    def module_calls(self) -> Blocks: ...

    def locals_nodes(self) -> dict[str, Node]: ...

    def required_providers(self) -> Iterator[tuple[HclFile, dict[str, Any]]]: ...


class Loader(Protocol):
    """What an instance asks of the loader (:class:`soc2iac.parsers.terraform.TerraformLoader`)."""

    declared: bool

    def module_dir(self, path: Path) -> ModuleDir: ...

    def shown(self, path: Path) -> str: ...

    def notice(self, text: str) -> None: ...

    def depends_on(self, path: Path) -> None: ...

    def unread(self, at: str, source: str) -> None: ...

    def installed_module(self, root: Path, key: str) -> Path | None: ...

    def locked_providers(self, root: Path) -> Mapping[str, tuple[str, str]]: ...


def node_of(f: HclFile, block: Mapping[str, Any], key: str) -> Node:
    """The syntax tree of attribute ``key`` of ``block``: read from the source, else from python-hcl2."""
    exprs = f.exprs
    start = block.get("__start_line__")
    if exprs is not None and isinstance(start, int):
        found = exprs.get(start, {}).get(key)
        if found is not None:
            return found
    return from_raw(block.get(key))


def instance_key(key: int | str | None) -> str:
    """``[0]``, ``["audit"]`` or nothing, as in Terraform's addresses."""
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return "[" + json.dumps(key, ensure_ascii=False) + "]"


class ModuleInstance:
    """One instantiation of a module directory at an address prefix."""

    def __init__(self, loader: Loader, mod: ModuleDir, *, prefix: str, inputs: Mapping[str, Any],
                 depth: int, only_files: set[Path] | None = None, stack: tuple[Path, ...] = (),
                 arg_origins: Mapping[str, tuple[str, ...]] | None = None, root: Path | None = None,
                 key: str = "", providers: Mapping[str, ProviderVersions] | None = None) -> None:
        self.loader = loader
        self.root = root if root is not None else mod.path  # the root module folder (``terraform init`` ran there)
        self.key = key  # Terraform's module key: the call names from the root, dot-joined ("vpc.subnets")
        # variable -> where the callers set it ("file:line" of the module arguments, nearest first)
        self.arg_origins: Mapping[str, tuple[str, ...]] = arg_origins or {}
        self._locals_vars: dict[str, tuple[str, ...]] = {}
        self.mod = mod
        self.prefix = prefix
        self.depth = depth
        self.only_files = only_files
        self.stack = stack + (mod.path.resolve(),)
        self._calls = {label: (f, body) for f, label, body in mod.module_calls()}
        self._blocks = {("data" if data else "managed", rtype, name): (f, body)
                        for data in (False, True)
                        for f, rtype, name, body in mod.typed_blocks("data" if data else "resource")}
        self._outputs = {label: (f, body) for f, label, body in mod.blocks("output")}
        self._children: dict[str, tuple[Any, list[tuple[Any, ModuleInstance]]] | None] = {}
        self._expansions: dict[tuple[str, str, str], Any] = {}
        self._output_values: dict[str, Any] = {}
        self.variable_decls = {label: (f, body) for f, label, body in mod.blocks("variable")}
        literal = Scope(prefix=prefix, variables={}, locals_nodes={})
        variables: dict[str, Any] = {}
        for name, (f, body) in self.variable_decls.items():
            given = inputs.get(name, _ABSENT)
            if given is None and _not_nullable(literal, f, body):
                given = _ABSENT  # nullable = false: null means the default
            if given is not _ABSENT:
                value = given
            elif "default" in body:
                value = literal.evaluate(node_of(f, body, "default"))  # defaults are literals
            else:
                value = Unknown(f"variable {name} has no default and no value")
            type_node = node_of(f, body, "type") if "type" in body else None
            variables[name] = convert(value, type_node, literal.evaluate)
        self.scope = Scope(prefix=prefix, variables=variables, locals_nodes=mod.locals_nodes(), resolver=self)
        self.providers = self._provider_versions(providers)

    def _selected(self, f: HclFile) -> bool:
        return self.only_files is None or f.path.resolve() in self.only_files

    # -- count and for_each -------------------------------------------------
    def expansion(self, what: tuple[str, str, str], f: HclFile, body: Mapping[str, Any]) -> Any:
        """The instances of a block: ``[(key, bindings)]``, None without count and for_each, or Unknown."""
        if what in self._expansions:
            return self._expansions[what]
        self._expansions[what] = Unknown(f"the count or for_each of {what[2]} depends on itself")
        found = self._expand(f, body)
        self._expansions[what] = found
        return found

    def _expand(self, f: HclFile, body: Mapping[str, Any]) -> Any:
        if "count" in body:
            count = self.scope.evaluate(node_of(f, body, "count"))
            if isinstance(count, Unknown):
                return hv.unknown(f"count is not known statically ({count.reason})", count)
            try:
                n = hv.number(count)
            except hv.EvalError:
                return Unknown(f"count is not a number ({hv.type_name(count)})")
            if not isinstance(n, int) or n < 0:
                return Unknown("count is not a whole number of zero or more")
            return [(i, {"count": {"index": i}}) for i in range(n)]
        if "for_each" in body:
            each = self.scope.evaluate(node_of(f, body, "for_each"))
            if isinstance(each, Unknown):
                return hv.unknown(f"for_each is not known statically ({each.reason})", each)
            if isinstance(each, Mapping):
                return [(k, {"each": {"key": k, "value": each[k]}}) for k in sorted(each)]
            if isinstance(each, list):
                keys = hv.to_set(each)
                if isinstance(keys, Unknown):
                    return hv.unknown(f"for_each is not known statically ({keys.reason})", keys)
                if not all(isinstance(k, str) for k in keys):
                    return Unknown("for_each is a set of values other than strings")
                return [(k, {"each": {"key": k, "value": k}}) for k in keys]
            return Unknown(f"for_each is a {hv.type_name(each)}, not a map or a set")
        return None

    @staticmethod
    def _unknown_bindings(found: Unknown, address: str) -> dict[str, Any]:
        u = Unknown(f"the instances of {address} cannot be told apart: {found.reason}", refs=found.refs)
        return {"count": {"index": u}, "each": {"key": u, "value": u}}

    # -- references -----------------------------------------------------------
    def resource_value(self, mode: str, rtype: str, name: str) -> Any:
        """``aws_x.y`` as a value: a Ref, a list or a map of them (count, for_each)."""
        base = f"{self.prefix}{'data.' if mode == 'data' else ''}{rtype}.{name}"
        block = self._blocks.get((mode, rtype, name))
        if block is None:
            return Ref(reason=f"{base} is known after apply", address=base)
        found = self.expansion((mode, rtype, name), *block)
        if found is None:
            return Ref(reason=f"{base} is known after apply", address=base)
        if isinstance(found, Unknown):
            return Unknown(f"the instances of {base} are not known statically ({found.reason})", refs=(base,))
        refs = [(k, Ref(reason=f"{base}{instance_key(k)} is known after apply", address=base + instance_key(k)))
                for k, _ in found]
        return dict(refs) if "count" not in block[1] else [r for _, r in refs]

    def module_value(self, name: str) -> Any:
        """``module.x`` as a value: a module object, a list or a map of them (count, for_each)."""
        made = self.children(name)
        if made is None:
            return Unknown(f"module.{name} is not scanned")
        found, children = made
        objects = [(k, ModuleObject(child.prefix.rstrip("."), child.output, child.output_names)) for k, child in children]
        if found is None:
            return objects[0][1]
        if isinstance(found, Unknown):
            return Unknown(f"the instances of module.{name} are not known statically ({found.reason})")
        return [o for _, o in objects] if "count" in self._calls[name][1] else dict(objects)

    def output_names(self) -> list[str]:
        return list(self._outputs)

    def output(self, name: str) -> Any:
        if name not in self._output_values:
            self._output_values[name] = Unknown(f"output {name} refers to itself")
            f, body = self._outputs[name]
            self._output_values[name] = self.scope.evaluate(node_of(f, body, "value"))
        return self._output_values[name]

    # -- module calls -----------------------------------------------------------
    def children(self, name: str) -> tuple[Any, list[tuple[Any, ModuleInstance]]] | None:
        """The expansion of module call ``name`` and its instances; None when it is not scanned."""
        if name in self._children:
            return self._children[name]
        self._children[name] = None  # guards against cycles while being built
        call = self._calls.get(name)
        if call is None:
            return None
        f, body = call
        found = self.expansion(("module", "", name), f, body)
        if found == []:
            return None  # statically never instantiated
        target = self._target(name, f, body)
        if target is None:
            return None
        if found is None or isinstance(found, Unknown):
            bindings = {} if found is None else self._unknown_bindings(found, f"{self.prefix}module.{name}")
            instances: list[tuple[Any, dict[str, Any]]] = [(None, bindings)]
        else:
            instances = found
        made = []
        arguments = [k for k in body if k not in META_KEYS and k not in _CALL_ARGUMENTS]
        origins = self._argument_origins(f, body, arguments)
        for key, bindings in instances:
            scope = self.scope.bind(**bindings)
            inputs = {k: scope.evaluate(node_of(f, body, k)) for k in arguments}
            made.append((key, ModuleInstance(
                self.loader, self.loader.module_dir(target), prefix=f"{self.prefix}module.{name}{instance_key(key)}.",
                inputs=inputs, depth=self.depth + 1, stack=self.stack, arg_origins=origins, root=self.root,
                key=f"{self.key}.{name}" if self.key else name, providers=self.providers)))
        self._children[name] = (found, made)
        return self._children[name]

    # -- provider versions -------------------------------------------------------
    def _provider_versions(self, inherited: Mapping[str, ProviderVersions] | None) -> dict[str, ProviderVersions]:
        """The callers' provider constraints with this module's ``required_providers`` added; in a
        root module, the versions ``.terraform.lock.hcl`` selected."""
        out = dict(inherited) if inherited is not None else {
            name: ProviderVersions(locked=version, lock_file=shown)
            for name, (version, shown) in self.loader.locked_providers(self.root).items()}
        for f, body in self.mod.required_providers():
            where = f"{self.loader.shown(f.path)}:{body.get('__start_line__', 0)}"
            for name, spec in body.items():
                if name in META_KEYS:
                    continue
                version = spec.get("version") if isinstance(spec, Mapping) else spec
                source = spec.get("source") if isinstance(spec, Mapping) else None
                key = source.rsplit("/", 1)[-1] if isinstance(source, str) and source else name
                if isinstance(version, str) and version.strip():
                    had = out.get(key, ProviderVersions())
                    out[key] = dataclasses.replace(had, constraints=had.constraints + ((version.strip(), where),))
        return out

    # -- where values were set ---------------------------------------------------
    def _argument_origins(self, f: HclFile, body: Mapping[str, Any], arguments: list[str]
                          ) -> dict[str, tuple[str, ...]]:
        """Each argument of a module call: its own line, then where the variables it uses were set."""
        start = int(body.get("__start_line__", 0) or 0)
        lines = f.attribute_lines(start, int(body.get("__end_line__", start) or start)) if start else {}
        shown = self.loader.shown(f.path)
        out = {}
        for k in arguments:
            here = (f"{shown}:{lines[k]}",) if k in lines else ()
            out[k] = tuple(dict.fromkeys(here + self._origins(node_of(f, body, k), f, body)))
        return out

    def _origins(self, node: Node, f: HclFile, body: Mapping[str, Any]) -> tuple[str, ...]:
        """Where the module arguments that ``node`` depends on (through variables, locals and
        ``each``/``count`` of the block's for_each) were set; () in a root module. A conditional
        whose test is known follows the branch taken only."""
        if not self.arg_origins:
            return ()
        names = self._variables_of(node)
        if "each" in _roots_used(node) and "for_each" in body:
            names += [n for n in self._variables_of(node_of(f, body, "for_each")) if n not in names]
        return tuple(dict.fromkeys(at for name in names for at in self.arg_origins.get(name, ())))

    def _variables_of(self, node: Node) -> list[str]:
        """The variables ``node`` uses, through locals, in order of first use."""
        names: dict[str, None] = {}
        for root, name in _names_used(node, self._taken):
            for var in ([name] if root == "var" else self._local_vars(name)):
                names.setdefault(var)
        return list(names)

    def _taken(self, test: Node) -> bool | None:
        found = self.scope.evaluate(test)
        return found if isinstance(found, bool) else None

    def _local_vars(self, name: str) -> tuple[str, ...]:
        """The variables a local depends on, through other locals."""
        if name not in self._locals_vars:
            self._locals_vars[name] = ()  # a cycle adds nothing
            node = self.scope.local_node(name)
            self._locals_vars[name] = tuple(self._variables_of(node)) if node is not None else ()
        return self._locals_vars[name]

    def _block_origins(self, f: HclFile, body: Mapping[str, Any], top: Mapping[str, Any], path: str = ""
                       ) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for key, value in body.items():
            if key in META_KEYS or key == "dynamic" or (not path and key in ("count", "for_each")):
                continue
            here = f"{path}.{key}" if path else key
            if isinstance(value, list) and value and all(isinstance(b, Mapping) for b in value):
                for i, block in enumerate(value):
                    out.update(self._block_origins(f, block, top, f"{here}[{i}]"))
            else:
                found = self._origins(node_of(f, body, key), f, top)
                if found:
                    out[here] = found
        return out

    def _target(self, name: str, f: HclFile, body: Mapping[str, Any]) -> Path | None:
        source = body.get("source")
        where = f"{self.loader.shown(f.path)}:{body.get('__start_line__', 0)}"
        if not isinstance(source, str) or not (source.startswith("./") or source.startswith("../")):
            installed = self.loader.installed_module(self.root, f"{self.key}.{name}" if self.key else name)
            if installed is None:
                self.loader.notice(f"{where}: module.{name} has a non-local source ({source}) and no "
                                   "`terraform init` copy of it in .terraform/modules; its resources are not scanned")
                self.loader.unread(where, str(source))
                return None
            target = installed
        else:
            target = Path(os.path.normpath(self.mod.path / source))  # the same path whatever the call order
        self.loader.depends_on(target)  # whether it exists is part of what the root read
        if not target.is_dir():
            self.loader.notice(f"{where}: module.{name} source {source} not found")
            self.loader.unread(where, str(source))
            return None
        if not inside_tree(target):  # a module leading out of the scanned tree is a config reading outside it
            self.loader.notice(f"{where}: module.{name} source {source} leads outside the scanned folder; "
                               "not read (`scan --include-root DIR` allows a folder)")
            self.loader.unread(where, str(source))
            return None
        if target.resolve() in self.stack or self.depth >= MAX_MODULE_DEPTH:
            self.loader.notice(f"{where}: module.{name} is nested too deep or recursive; not followed")
            return None
        return target

    # -- resources ------------------------------------------------------------
    def resources(self) -> Iterator[Resource]:
        for data in (False, True):
            for f, rtype, name, body in self.mod.typed_blocks("data" if data else "resource"):
                if self._selected(f):
                    yield from self._instances(f, rtype, name, body, data=data)
        for f, label, body in self.mod.blocks("provider"):
            if self._selected(f):
                alias = body.get("alias")
                address = f"{self.prefix}provider.{label}" + (f".{alias}" if isinstance(alias, str) else "")
                yield self._make(f, "provider", label, address, body, self.scope.evaluate_block(body, f.exprs))
        for name, (f, body) in self.variable_decls.items():
            if self._selected(f):
                attrs = self.scope.evaluate_block(body, f.exprs)
                attrs["value"] = self.scope.variables.get(name)
                yield self._make(f, "variable", name, f"{self.prefix}var.{name}", body, attrs)
        for f, label, _body in self.mod.module_calls():
            if self._selected(f):
                made = self.children(label)
                for _key, child in made[1] if made is not None else ():
                    yield from child.resources()

    def _instances(self, f: HclFile, rtype: str, name: str, body: dict[str, Any], *, data: bool) -> Iterator[Resource]:
        full_type = f"data.{rtype}" if data else rtype
        address = f"{self.prefix}{full_type}.{name}"
        found = self.expansion(("data" if data else "managed", rtype, name), f, body)
        if found is None or isinstance(found, Unknown):
            scope = self.scope if found is None else self.scope.bind(**self._unknown_bindings(found, address))
            yield self._make(f, full_type, name, address, body, scope.evaluate_block(body, f.exprs))
        elif not found:
            if self.loader.declared:  # never created, but a plan's deleted instances are located by it
                yield self._make(f, full_type, name, address, body, self.scope.evaluate_block(body, f.exprs))
        else:
            for key, bindings in found:
                attrs = self.scope.bind(**bindings).evaluate_block(body, f.exprs)
                yield self._make(f, full_type, name, address + instance_key(key), body, attrs)

    def _make(self, f: HclFile, rtype: str, name: str, address: str, body: Mapping[str, Any],
              attrs: dict[str, Any]) -> Resource:
        start = int(body.get("__start_line__", 0) or 0)
        end = int(body.get("__end_line__", start) or start)
        lines = f.attribute_lines(start, end) if start else {}
        dynamic = body.get("dynamic")
        for i, entry in enumerate(dynamic if isinstance(dynamic, list) else []):  # a dynamic block's label -> its line
            for label in entry if isinstance(entry, Mapping) else ():
                if label not in META_KEYS and f"dynamic[{i}]" in lines:
                    lines.setdefault(label, lines[f"dynamic[{i}]"])
        origins = self._block_origins(f, body, body) if self.arg_origins else NO_ORIGINS
        return Resource(source=SOURCE, type=rtype, name=name, address=address, attributes=attrs,
                        location=Location(self.loader.shown(f.path), start, end), lines=lines,
                        comments=comment_markers(f.lines, start, end) if start else (), providers=self.providers,
                        origins=origins or NO_ORIGINS)


_ABSENT = object()


def _names_used(node: Any, taken: Callable[[Node], bool | None]) -> Iterator[tuple[str, str]]:
    """``("var", name)`` and ``("local", name)`` for the names an expression tree mentions; of a
    conditional whose test ``taken`` knows, only the branch taken."""
    if not isinstance(node, tuple) or not node:
        return
    if node[0] == "attr" and node[1] in (("var", "var"), ("var", "local")) and isinstance(node[2], str):
        yield node[1][1], node[2]
        return
    if node[0] == "cond" and len(node) == 4:
        chosen = taken(node[1])
        if chosen is not None:
            yield from _names_used(node[2] if chosen else node[3], taken)
            return
    for part in node[1:] if isinstance(node[0], str) else node:  # a node, or a tuple of nodes
        if isinstance(part, tuple):
            yield from _names_used(part, taken)


def _roots_used(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, tuple) and n:
            if n[0] == "var" and len(n) == 2 and isinstance(n[1], str):
                found.add(n[1])
            else:
                stack.extend(p for p in (n[1:] if isinstance(n[0], str) else n) if isinstance(p, tuple))
    return found


def _not_nullable(scope: Scope, f: HclFile, body: Mapping[str, Any]) -> bool:
    return "nullable" in body and scope.evaluate(node_of(f, body, "nullable")) is False
