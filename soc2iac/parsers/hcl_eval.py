"""Static evaluation of Terraform expressions, as Terraform evaluates them at plan time.

Expressions come as syntax trees (:mod:`soc2iac.parsers.hcl_syntax`, read from the source
text). They evaluate to concrete values where Terraform itself knows them before apply
(literals, variables with a value, locals, module outputs, ``count.index``, ``each.key``,
``each.value``, the functions of :mod:`soc2iac.parsers.hcl_functions`) and to
:class:`Unknown` otherwise, with the reason and the resources it mentions. References to
resources become :class:`Ref` values, addressed by instance (``aws_s3_bucket.this[0]``).

A part of a value may be unknown while the rest is known (a list of two resource ids has a
known length); an expression Terraform would reject raises :class:`EvalError` inside, which
``try()`` and ``can()`` catch, and becomes an Unknown at the attribute it was evaluated for.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from soc2iac.model import CAUSE_EVALUATOR, Ref, Unknown
from soc2iac.parsers import hcl_functions as fn
from soc2iac.parsers import hcl_values as hv
from soc2iac.parsers.hcl_values import EvalError, first_unknown, refs_of, unknown
from soc2iac.parsers.hcl_syntax import HclSyntaxError, Node, parse_file, parse_template

__all__ = ["EXPRESSIONS", "META_KEYS", "EvalError", "ModuleObject", "Scope", "first_unknown", "from_raw", "refs_of"]

META_KEYS = ("__start_line__", "__end_line__")
_NOT_RESOURCE_ROOTS = {"var", "local", "module", "each", "count", "path", "self", "terraform", "data"}
Exprs = Mapping[int, Mapping[str, Node]]  # a file's expressions: block start line -> attribute -> tree


class ModuleObject:
    """A module instance as a value: its outputs, each evaluated only when asked for."""

    def __init__(self, address: str, output: Callable[[str], Any], names: Callable[[], list[str]]) -> None:
        self.address = address
        self._output = output
        self._names = names

    def get(self, name: str) -> Any:
        if name not in self._names():
            raise EvalError(f"{self.address} has no output {name}")
        return self._output(name)

    def materialize(self) -> dict[str, Any]:
        return {name: concrete(self._output(name)) for name in sorted(self._names())}


class Resolver(Protocol):
    """What the module instance around a scope knows: its module calls and resource blocks."""

    def module_value(self, name: str) -> Any: ...

    def resource_value(self, mode: str, rtype: str, name: str) -> Any: ...


def concrete(value: Any) -> Any:
    """``value`` with module objects turned into maps of their outputs."""
    if isinstance(value, ModuleObject):
        return value.materialize()
    if isinstance(value, list) and any(isinstance(v, ModuleObject) for v in value):
        return [concrete(v) for v in value]
    if isinstance(value, dict) and any(isinstance(v, ModuleObject) for v in value.values()):
        return {k: concrete(v) for k, v in value.items()}
    return value


def from_raw(raw: Any) -> Node:
    """The tree of a python-hcl2 value (used where the source text could not be read again)."""
    if isinstance(raw, str):
        if "${" in raw or "%{" in raw:
            try:
                return parse_template(raw)
            except (HclSyntaxError, RecursionError):
                return ("lit", Unknown("expression is not evaluated statically", cause=CAUSE_EVALUATOR))
        return ("lit", raw)
    if isinstance(raw, list):
        return ("tuple", tuple(from_raw(v) for v in raw))
    if isinstance(raw, Mapping):
        return ("object", tuple((from_raw(k), from_raw(v)) for k, v in raw.items() if k not in META_KEYS))
    return ("lit", raw)


class Scope:
    """What names mean inside one module instance (and, bound, inside one resource instance,
    one ``for`` iteration or one dynamic block)."""

    def __init__(self, *, prefix: str, variables: Mapping[str, Any], locals_nodes: Mapping[str, Node],
                 resolver: Resolver | None = None) -> None:
        self.prefix = prefix
        self.variables = variables
        self.bindings: dict[str, Any] = {}
        self._locals_nodes = locals_nodes
        self._locals: dict[str, Any] = {}
        self._in_progress: set[str] = set()
        self._resolver = resolver
        self._base = self

    def bind(self, **names: Any) -> Scope:
        """This scope with more names (each, count, a for variable, a dynamic iterator); locals shared."""
        child = copy.copy(self)
        child.bindings = {**self.bindings, **names}
        return child

    # -- entry points -------------------------------------------------------
    def evaluate(self, node: Node) -> Any:
        """The value of ``node``; what Terraform would reject is an Unknown saying why."""
        try:
            return concrete(self.value(node))
        except EvalError as exc:
            return Unknown(f"invalid expression: {exc}", cause=CAUSE_EVALUATOR)

    def evaluate_block(self, raw: Mapping[str, Any], exprs: Exprs | None) -> dict[str, Any]:
        """A block body: attributes, nested blocks, and ``dynamic`` blocks expanded where their
        ``for_each`` is known (empty: no block; unknown: Unknown)."""
        nodes = _nodes_of(raw, exprs)
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key in META_KEYS or key == "dynamic":
                continue
            if _is_block_list(value):
                out[key] = [self.evaluate_block(b, exprs) for b in value]
            else:
                out[key] = self.evaluate(nodes.get(key) or from_raw(value))
        dynamic = raw.get("dynamic")
        for entry in dynamic if isinstance(dynamic, list) else []:
            if not isinstance(entry, Mapping):
                continue  # a malformed block (e.g. extra labels) is not a dynamic block
            for label, spec in entry.items():
                if label in META_KEYS or not isinstance(spec, Mapping):
                    continue
                blocks = self._dynamic(label, spec, exprs)
                existing = out.get(label)
                if blocks == [] and existing is None:
                    continue  # no block at all: the attribute stays absent
                if isinstance(blocks, Unknown) or isinstance(existing, Unknown):
                    out[label] = blocks if isinstance(blocks, Unknown) else existing
                else:
                    out[label] = (existing if isinstance(existing, list) else []) + blocks
        return out

    def _dynamic(self, label: str, spec: Mapping[str, Any], exprs: Exprs | None) -> list[dict[str, Any]] | Unknown:
        nodes = _nodes_of(spec, exprs)
        for_each = self.evaluate(nodes.get("for_each") or from_raw(spec.get("for_each")))
        if isinstance(for_each, Unknown):
            return unknown(f"dynamic block {label}: for_each is not known statically ({for_each.reason})", for_each)
        if not isinstance(for_each, (list, dict)):
            return Unknown(f"dynamic block {label}: for_each is not a collection")
        iterator = label
        node = nodes.get("iterator")
        if node is not None and node[0] == "var":
            iterator = node[1]
        elif isinstance(spec.get("iterator"), str):
            iterator = spec["iterator"].strip("${} ")
        items = sorted(for_each.items()) if isinstance(for_each, dict) else list(enumerate(for_each))
        contents = spec.get("content")
        content = contents[0] if isinstance(contents, list) and contents and isinstance(contents[0], Mapping) else {}
        return [self.bind(**{iterator: {"key": k, "value": v}}).evaluate_block(content, exprs) for k, v in items]

    # -- expressions ----------------------------------------------------------
    def value(self, node: Node) -> Any:  # noqa: PLR0911 - one branch per kind of expression
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "paren":
            return self.value(node[1])
        if kind in ("var", "attr", "index"):
            return self._traversal(node)
        if kind == "tpl":
            return self._template(node[1])
        if kind == "call":
            return self._call(node[1], node[2], node[3])
        if kind == "tuple":
            return [concrete(self.value(item)) for item in node[1]]
        if kind == "object":
            return self._object(node[1])
        if kind == "cond":
            return self._conditional(node[1], node[2], node[3])
        if kind == "bin":
            return self._binary(node[1], node[2], node[3])
        if kind == "not":
            inner = self.value(node[1])
            return inner if isinstance(inner, Unknown) else not hv.boolean(inner)
        if kind == "neg":
            inner = self.value(node[1])
            return inner if isinstance(inner, Unknown) else -hv.number(inner)
        if kind == "for":
            return self._for(*node[1:])
        if kind == "splat":
            return self._splat(node[1], node[2])
        raise EvalError(f"unsupported expression {kind}")

    def _traversal(self, node: Node) -> Any:
        kind = node[0]
        if kind == "var":
            return self._root(node[1])
        if kind == "attr":
            base = node[1]
            if base[0] == "var" and base[1] not in self.bindings:
                special = self._named(base[1], node[2])
                if special is not _NOT_SPECIAL:
                    return special
            if (base[0] == "attr" and base[1] == ("var", "data") and "data" not in self.bindings
                    and self._resolver is not None):
                return self._resolver.resource_value("data", base[2], node[2])
            return get_attr(self.value(base), node[2])
        return get_index(self.value(node[1]), self.value(node[2]))

    def _root(self, name: str) -> Any:
        if name in self.bindings:
            return self.bindings[name]
        if name in ("each", "count"):
            return Unknown(f"`{name}` is used outside a resource or module with {name if name == 'count' else 'for_each'}")
        return Unknown(f"`{name}` is not evaluated statically", cause=CAUSE_EVALUATOR)

    def _named(self, root: str, name: str) -> Any:
        """``var.x``, ``local.x``, ``module.x``, ``aws_x.y``: values by name, not by attribute."""
        if root == "var":
            if name not in self.variables:
                return Unknown(f"undeclared variable var.{name}")
            return self.variables[name]
        if root == "local":
            return self._base.local(name)
        if root == "module":
            return self._resolver.module_value(name) if self._resolver else Unknown(f"module.{name} is not scanned", cause=CAUSE_EVALUATOR)
        if root in ("path", "terraform", "self"):
            return Unknown(f"`{root}.{name}` is only known at plan time")
        if root not in _NOT_RESOURCE_ROOTS and "_" in root:
            if self._resolver is not None:
                return self._resolver.resource_value("managed", root, name)
            return Ref(reason=f"{root}.{name} is known after apply", address=f"{self.prefix}{root}.{name}")
        return _NOT_SPECIAL

    def local_node(self, name: str) -> Node | None:
        """The expression of ``local.name`` (None: not declared)."""
        return self._locals_nodes.get(name)

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name not in self._locals_nodes:
            return Unknown(f"undeclared local.{name}")
        if name in self._in_progress:
            return Unknown(f"local.{name} refers to itself")
        self._in_progress.add(name)
        try:
            value = self.evaluate(self._locals_nodes[name])
        finally:
            self._in_progress.discard(name)
        self._locals[name] = value
        return value

    def _template(self, parts: tuple[Node, ...]) -> Any:
        values: list[Any] = []
        for part in parts:
            if part[0] == "lit" and isinstance(part[1], str):
                values.append(part[1])
            elif part[0] == "tif":
                test = self.value(part[1])
                values.append(test if isinstance(test, Unknown) else
                              self._template(part[2][1] if hv.boolean(test) else part[3][1]))
            elif part[0] == "tfor":
                values.append(self._template_for(*part[1:]))
            else:
                values.append(self.value(part))
        missing = [v for v in values if isinstance(v, Unknown)]
        literal = " ".join(p[1] for p in parts if p[0] == "lit" and isinstance(p[1], str))
        if missing:
            # no literal text of the template is quoted: it may hold a secret
            reason = f"a string template with {missing[0].reason}"
            if all(isinstance(v, Ref) for v in missing):  # "${aws_s3_bucket.x.arn}/logs": derived from x
                first = missing[0]
                assert isinstance(first, Ref)
                others = tuple(dict.fromkeys(a for v in missing for a in refs_of(v) if a != first.address))
                return Ref(reason=reason, address=first.address, refs=others, literal=literal)
            return Unknown(reason, refs=tuple(dict.fromkeys(a for v in missing for a in refs_of(v))), literal=literal)
        if any(isinstance(v, (list, dict, ModuleObject)) for v in values):
            raise EvalError("a collection cannot be interpolated into a string")
        return "".join(hv.text(v) for v in values)

    def _template_for(self, key_var: str | None, value_var: str, collection: Node, body: Node) -> Any:
        items = self._items(self.value(collection))
        if isinstance(items, Unknown):
            return items
        out = []
        for k, v in items:
            names = {value_var: v, **({key_var: k} if key_var else {})}
            piece = self.bind(**names)._template(body[1])
            if isinstance(piece, Unknown):
                return piece
            out.append(piece)
        return "".join(out)

    def _object(self, items: tuple[tuple[Node, Node], ...]) -> Any:
        out: dict[str, Any] = {}
        for key_node, value_node in items:
            key = self.value(key_node)
            if isinstance(key, Unknown):
                return unknown(key.reason, key)
            out[hv.text(key)] = concrete(self.value(value_node))
        return out

    def _conditional(self, test_node: Node, then: Node, other: Node) -> Any:
        test = self.value(test_node)
        if isinstance(test, Unknown):
            return unknown(test.reason, test, self.evaluate(then), self.evaluate(other))
        return self.value(then if hv.boolean(test) else other)

    def _binary(self, op: str, left_node: Node, right_node: Node) -> Any:
        left, right = concrete(self.value(left_node)), concrete(self.value(right_node))
        if op in ("&&", "||"):
            decided = op == "||"  # the operand value that decides alone
            for side in (left, right):
                if not isinstance(side, Unknown) and hv.boolean(side) is decided:
                    return decided
            for side in (left, right):
                if isinstance(side, Unknown):
                    return unknown(side.reason, left, right)
            return not decided
        if op in ("==", "!="):
            if first_unknown(left) is not None or first_unknown(right) is not None:
                u = first_unknown(left) or first_unknown(right)
                assert u is not None
                return unknown(u.reason, left, right)
            return _equal(left, right) is (op == "==")
        for side in (left, right):
            if isinstance(side, Unknown):
                return unknown(side.reason, left, right)
        a, b = hv.number(left), hv.number(right)
        if op in (">", ">=", "<", "<="):
            return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]
        if op in ("/", "%") and b == 0:
            raise EvalError("division by zero")
        result = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                  "%": lambda: a - b * int(a / b)}[op]()
        return hv.normal_number(result) if isinstance(result, float) else result

    def _items(self, collection: Any) -> list[tuple[Any, Any]] | Unknown:
        if isinstance(collection, Unknown):
            return unknown(collection.reason, collection)
        if isinstance(collection, list):
            return list(enumerate(collection))
        if isinstance(collection, Mapping):
            return [(k, collection[k]) for k in sorted(collection)]
        if isinstance(collection, ModuleObject):
            return [(k, v) for k, v in sorted(collection.materialize().items())]
        raise EvalError(f"a for expression over a {hv.type_name(collection)}")

    def _for(self, is_object: bool, key_var: str | None, value_var: str, collection: Node, key_node: Node | None,
             value_node: Node, condition: Node | None, grouping: bool) -> Any:
        items = self._items(self.value(collection))
        if isinstance(items, Unknown):
            return items
        tuple_out: list[Any] = []
        object_out: dict[str, Any] = {}
        for k, v in items:
            scope = self.bind(**{value_var: v, **({key_var: k} if key_var else {})})
            if condition is not None:
                keep = scope.value(condition)
                if isinstance(keep, Unknown):
                    return unknown(keep.reason, keep)
                if not hv.boolean(keep):
                    continue
            item = concrete(scope.value(value_node))
            if not is_object:
                tuple_out.append(item)
                continue
            assert key_node is not None
            key = scope.value(key_node)
            if isinstance(key, Unknown):
                return unknown(key.reason, key)
            key = hv.text(key)
            if grouping:
                object_out.setdefault(key, []).append(item)
            elif key in object_out:
                raise EvalError(f"duplicate key {key!r} in a for expression (use ... to group)")
            else:
                object_out[key] = item
        return object_out if is_object else tuple_out

    def _splat(self, source: Node, ops: tuple[Node, ...]) -> Any:
        base = self.value(source)
        if isinstance(base, Unknown) and not isinstance(base, Ref):
            return base
        items = [] if base is None else base if isinstance(base, list) else [base]
        keys = [self.value(op[1]) if op[0] == "index" else op[1] for op in ops]
        out = []
        for item in items:
            for op, key in zip(ops, keys):
                item = get_attr(item, key) if op[0] == "attr" else get_index(item, key)
            out.append(concrete(item))
        return out

    def _call(self, name: str, arg_nodes: tuple[Node, ...], expand: bool) -> Any:
        if name == "try":
            for node in arg_nodes:
                try:
                    value = concrete(self.value(node))
                except EvalError:
                    continue  # Terraform's try() skips an argument that fails to evaluate
                if isinstance(value, Ref):  # an attribute of an instance that exists: it is the value
                    return value
                missing = first_unknown(value)
                if missing is not None:  # it might still fail once known: try() is unknown
                    return unknown(f"try() of {missing.reason}", value)
                return value
            raise EvalError("try() found no argument that evaluates without errors")
        if name == "can":
            if len(arg_nodes) != 1:
                raise EvalError("can() takes one argument")
            try:
                value = concrete(self.value(arg_nodes[0]))
            except EvalError:
                return False
            missing = first_unknown(value)
            return True if missing is None else unknown(f"can() of {missing.reason}", value)
        args = [concrete(self.value(node)) for node in arg_nodes]
        if name == "coalesce":
            return _coalesce(args)
        return fn.call(name, args, expand=expand)


_NOT_SPECIAL = object()


def _coalesce(args: list[Any]) -> Any:
    """The first argument that is neither null nor "" (an unknown one before it: unknown)."""
    for value in args:
        if isinstance(value, Unknown):
            return unknown(f"coalesce() of {value.reason}", value)
        if value is not None and value != "":
            return value
    raise EvalError("coalesce() has no argument that is not null or empty")


def get_attr(value: Any, name: str) -> Any:
    if isinstance(value, ModuleObject):
        return value.get(name)
    if isinstance(value, Ref):
        return Ref(reason=value.reason, address=value.address, refs=value.refs,
                   attribute=".".join(filter(None, [value.attribute, name])))
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Mapping):
        if name in value:
            return value[name]
        raise EvalError(f"no attribute {name!r}")
    if value is None:
        raise EvalError(f"attribute {name!r} of a null value")
    raise EvalError(f"attribute {name!r} of a {hv.type_name(value)}")


def get_index(value: Any, key: Any) -> Any:
    if isinstance(key, Unknown):
        return unknown(key.reason, value, key)
    if isinstance(value, (ModuleObject, Mapping)) or (isinstance(value, Unknown) and not isinstance(value, Ref)):
        if isinstance(value, Unknown):
            return value
        if isinstance(key, (list, Mapping)) or key is None:
            raise EvalError("a map index must be a string")
        return get_attr(value, hv.text(key))
    if isinstance(value, Ref):  # a list index (a nested block's) is not part of the attribute path
        step = "" if hv.is_number(key) else hv.text(key)
        return Ref(reason=value.reason, address=value.address, refs=value.refs,
                   attribute=".".join(filter(None, [value.attribute, step])))
    if isinstance(value, list):
        i = hv.number(key)
        if not isinstance(i, int) or not 0 <= i < len(value):
            raise EvalError(f"index {key} is out of range (length {len(value)})")
        return value[i]
    if value is None:
        raise EvalError("an index of a null value")
    raise EvalError(f"an index of a {hv.type_name(value)}")


def _equal(a: Any, b: Any) -> bool:
    """Terraform's ==: no conversion between types (1 == "1" and true == 1 are false)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if hv.is_number(a) or hv.is_number(b):
        return hv.is_number(a) and hv.is_number(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _nodes_of(raw: Mapping[str, Any], exprs: Exprs | None) -> Mapping[str, Node]:
    start = raw.get("__start_line__")
    if exprs is None or not isinstance(start, int):
        return {}
    return exprs.get(start, {})


def _is_block_list(value: Any) -> bool:
    """python-hcl2 gives nested blocks as lists of dicts carrying line metadata."""
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, Mapping) and "__start_line__" in v for v in value)


class ExpressionMemo:
    """Each file's parsed expressions (:func:`hcl_syntax.parse_file`) by the file's text, shared by
    every evaluation in this process; None for a text this reader does not accept (its values
    then come from python-hcl2's rendering). ``requested`` lists the texts asked for since the
    last :meth:`take_requested`, so the Terraform loader can keep them in the parse cache."""

    LIMIT = 20_000  # files; a long-lived process starts over past this

    def __init__(self) -> None:
        self.values: dict[str, Exprs | None] = {}
        self.requested: list[str] = []

    def parse(self, text: str, stored: Callable[[], Any] | None = None) -> Exprs | None:
        """The expressions of ``text``; ``stored()`` may supply an earlier parse (from the cache)."""
        self.requested.append(text)
        if text in self.values:
            return self.values[text]
        if len(self.values) >= self.LIMIT:
            self.values.clear()
        found = stored() if stored is not None else None
        if not isinstance(found, dict):
            try:
                found = parse_file(text)
            except (HclSyntaxError, RecursionError):
                found = None
        self.values[text] = found
        return found

    def take_requested(self) -> list[str]:
        requested, self.requested = self.requested, []
        return requested


EXPRESSIONS = ExpressionMemo()
