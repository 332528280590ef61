"""Static evaluation of Terraform expressions as python-hcl2 7.x renders them.

python-hcl2 gives literal strings as plain text and every expression as
``"${...}"``. This module turns those into concrete values where Terraform
itself could know them before apply (literals, variables with a value,
locals, module outputs, a few pure functions) and into :class:`Unknown`
otherwise. References to resources become :class:`Ref` values.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from soc2iac.model import Ref, Unknown

_TRAVERSAL = re.compile(r"^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\]|\[\*\]|\.\*)*$")
_TRAVERSAL_PART = re.compile(r"\.?([A-Za-z_][\w-]*)|\[(\d+)\]|\[\"([^\"]*)\"\]|\[\*\]|\.\*")
_CALL = re.compile(r"^([a-z][a-z0-9_]*)\((.*)\)$", re.DOTALL)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
# A resource traversal anywhere in an expression: aws_s3_bucket.logs.id, data.aws_x.y
_RESOURCE_REF = re.compile(
    r"(?<![\w.\-\"])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.([A-Za-z_][\w-]*))?"
)
_NOT_RESOURCE_ROOTS = {"var", "local", "module", "each", "count", "path", "self", "terraform"}

META_KEYS = ("__start_line__", "__end_line__")
_LOCAL_REF = re.compile(r"(?<![\w.])local\.([A-Za-z_][\w-]*)")


def interpolations(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of each top-level ``${...}`` in ``text``."""
    spans: list[tuple[int, int]] = []
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            return spans
        if start > 0 and text[start - 1] == "$":  # $${ is an escaped literal
            i = start + 2
            continue
        depth, j, quote = 0, start + 1, False
        while j < len(text):
            ch = text[j]
            if quote:
                if ch == "\\":
                    j += 1
                elif ch == '"':
                    quote = False
            elif ch == '"':
                quote = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(text):
            return spans
        spans.append((start, j + 1))
        i = j + 1


def resource_refs(text: str) -> list[tuple[str, str]]:
    """``(address, attribute)`` of every resource or data traversal in ``text``."""
    found = []
    for span_start, span_end in interpolations(text):
        expr = text[span_start + 2 : span_end - 1]
        for m in _RESOURCE_REF.finditer(expr):
            data, rtype, name, attr = m.groups()
            if rtype in _NOT_RESOURCE_ROOTS:
                continue
            found.append((f"{'data.' if data else ''}{rtype}.{name}", attr or ""))
    return found


class ExpressionMemo:
    """Parsed expression texts, shared by every evaluation (parsed values are never mutated).

    ``requested`` lists the texts asked for since the last :meth:`take_requested`, so the
    Terraform loader can keep them with the file whose blocks needed them (in the parse cache)
    and seed them back on the next run.
    """

    LIMIT = 200_000  # entries; a long-lived process starts over past this

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.requested: list[str] = []

    def parse(self, expr: str) -> Any:
        self.requested.append(expr)
        try:
            return self.values[expr]
        except KeyError:
            pass
        if len(self.values) >= self.LIMIT:
            self.values.clear()
        value = self.values[expr] = _parse_hcl_text(expr)
        return value

    def seed(self, values: Mapping[str, Any]) -> None:
        self.values.update(values)

    def take_requested(self) -> list[str]:
        requested, self.requested = self.requested, []
        return requested


EXPRESSIONS = ExpressionMemo()


def _parse_hcl_value(expr: str) -> Any:
    """Parse an HCL expression text into python-hcl2's value form (memoised)."""
    return EXPRESSIONS.parse(expr)


def _parse_hcl_text(expr: str) -> Any:
    import hcl2

    try:
        return hcl2.loads(f"__v = {expr}\n")["__v"]
    except Exception:  # noqa: BLE001 - anything python-hcl2 rejects is simply not evaluated
        return Unknown(f"expression `{_short(expr)}` is not evaluated statically")


_STRING_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _short(expr: str, width: int = 60) -> str:
    """An expression as reasons quote it: one line, shortened, string literals that
    could be secrets (long, or in a known secret format) redacted."""
    from soc2iac.redact import looks_secret, redact

    def hide(m: re.Match[str]) -> str:
        text = m.group(1)
        return redact(text) if len(text) >= 16 or looks_secret(text) else m.group(0)

    expr = _STRING_LITERAL.sub(hide, " ".join(expr.split()))
    return expr if len(expr) <= width else expr[: width - 3] + "..."


def _fn_merge(*args: Any) -> Any:
    out: dict[str, Any] = {}
    for a in args:
        if not isinstance(a, Mapping):
            return Unknown("merge() of a non-map")
        out.update(a)
    return out


def _fn_concat(*args: Any) -> Any:
    out: list[Any] = []
    for a in args:
        if not isinstance(a, list):
            return Unknown("concat() of a non-list")
        out.extend(a)
    return out


def _one_string(fn: Callable[[str], Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if len(args) != 1 or not isinstance(args[0], str):
            return Unknown("string function of a non-string")
        return fn(args[0])

    return call


def _fn_tonumber(value: Any) -> Any:
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value) if "." in value else int(value)
    return Unknown("tonumber() of a non-number")


def _fn_lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if not isinstance(mapping, Mapping):
        return Unknown("lookup() of a non-map")
    if key in mapping:
        return mapping[key]
    return default[0] if default else Unknown(f"lookup() found no key {key!r}")


def _fn_format(fmt: Any, *args: Any) -> Any:
    if not isinstance(fmt, str) or re.search(r"%(?![sdv%])", fmt):
        return Unknown("format() with verbs other than %s, %d, %v")
    values = iter(args)
    try:
        return re.sub(r"%([sdv%])", lambda m: "%" if m.group(1) == "%" else _template_text(next(values)), fmt)
    except StopIteration:
        return Unknown("format() with too few arguments")


# Pure functions whose result is known when their arguments are.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lookup": _fn_lookup,
    "length": lambda v: len(v) if isinstance(v, (list, dict, str)) else Unknown("length() of a scalar"),
    "contains": lambda coll, v: v in coll if isinstance(coll, list) else Unknown("contains() of a non-list"),
    "join": lambda sep, items: sep.join(_template_text(i) for i in items),
    "element": lambda items, i: items[int(i) % len(items)] if isinstance(items, list) and items else Unknown("element() of an empty list"),
    "keys": lambda m: sorted(m) if isinstance(m, Mapping) else Unknown("keys() of a non-map"),
    "values": lambda m: [m[k] for k in sorted(m)] if isinstance(m, Mapping) else Unknown("values() of a non-map"),
    "min": lambda *v: min(v), "max": lambda *v: max(v),
    "format": _fn_format,
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":")),
    "jsondecode": _one_string(json.loads),
    "merge": _fn_merge,
    "concat": _fn_concat,
    "lower": _one_string(str.lower),
    "upper": _one_string(str.upper),
    "trimspace": _one_string(str.strip),
    "tostring": lambda v: v if isinstance(v, str) else json.dumps(v),
    "tonumber": _fn_tonumber,
    "tobool": lambda v: v if isinstance(v, bool) else Unknown("tobool() of a non-bool"),
    "tolist": lambda v: list(v) if isinstance(v, list) else Unknown("tolist() of a non-list"),
    "toset": lambda v: list(v) if isinstance(v, list) else Unknown("toset() of a non-list"),
    "tomap": lambda v: dict(v) if isinstance(v, Mapping) else Unknown("tomap() of a non-map"),
}


class Scope:
    """What names mean inside one module instance."""

    def __init__(
        self,
        *,
        prefix: str,
        variables: Mapping[str, Any],
        locals_raw: Mapping[str, Any],
        module_output: Callable[[str, str], Any],
    ) -> None:
        self.prefix = prefix
        self.variables = variables
        self._locals_raw = locals_raw
        self._locals: dict[str, Any] = {}
        self._in_progress: set[str] = set()
        self._module_output = module_output
        self.iterators: dict[str, dict[str, Any]] = {}

    def with_iterator(self, name: str, key: Any, value: Any) -> Scope:
        """This scope plus a dynamic-block iterator ``name.key`` / ``name.value`` (locals shared)."""
        child = copy.copy(self)
        child.iterators = {**self.iterators, name: {"key": key, "value": value}}
        return child

    # -- values -----------------------------------------------------------
    def evaluate(self, raw: Any) -> Any:
        """Evaluate python-hcl2 output (scalars, lists, dicts) recursively."""
        if isinstance(raw, str):
            return self._string(raw)
        if isinstance(raw, list):
            return [self.evaluate(v) for v in raw]
        if isinstance(raw, Mapping):
            return {k: self.evaluate(v) for k, v in raw.items() if k not in META_KEYS}
        return raw

    def evaluate_block(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """A block body: attributes, nested blocks, and ``dynamic`` blocks expanded
        where their ``for_each`` is known (empty: no block; unknown: Unknown)."""
        out = {k: (self.evaluate_blocks(v) if _is_block_list(v) else self.evaluate(v))
               for k, v in raw.items() if k not in META_KEYS and k != "dynamic"}
        dynamic = raw.get("dynamic")
        for entry in dynamic if isinstance(dynamic, list) else []:
            if not isinstance(entry, Mapping):
                continue  # a malformed block (e.g. extra labels) is not a dynamic block
            for label, spec in entry.items():
                if label in META_KEYS or not isinstance(spec, Mapping):
                    continue
                blocks = self._dynamic(label, spec)
                existing = out.get(label)
                if blocks == [] and existing is None:
                    continue  # no block at all: the attribute stays absent
                if isinstance(blocks, Unknown) or isinstance(existing, Unknown):
                    out[label] = blocks if isinstance(blocks, Unknown) else existing
                else:
                    out[label] = (existing if isinstance(existing, list) else []) + blocks
        return out

    def evaluate_blocks(self, raw: list[Any]) -> list[Any]:
        return [self.evaluate_block(b) for b in raw]

    def _dynamic(self, label: str, spec: Mapping[str, Any]) -> list[dict[str, Any]] | Unknown:
        for_each = self.evaluate(spec.get("for_each"))
        if isinstance(for_each, Unknown):
            return Unknown(f"dynamic block {label}: for_each is not known statically", refs=tuple(refs_of(for_each)))
        if not isinstance(for_each, (list, dict)):
            return Unknown(f"dynamic block {label}: for_each is not a collection")
        raw_iterator = spec.get("iterator")
        iterator = raw_iterator.strip("${} ") if isinstance(raw_iterator, str) else label
        items = list(for_each.items()) if isinstance(for_each, dict) else list(enumerate(for_each))
        content = (spec.get("content") or [{}])[0]
        return [self.with_iterator(iterator, k, v).evaluate_block(content) for k, v in items]

    def _string(self, text: str) -> Any:
        spans = interpolations(text)
        if not spans:
            return text.replace("$${", "${")
        if len(spans) == 1 and spans[0] == (0, len(text)):
            return self.expression(text[2:-1])
        parts: list[str] = []
        last = 0
        values = [self.expression(text[start + 2 : end - 1]) for start, end in spans]
        unknown = [v for v in values if isinstance(v, Unknown)]
        if unknown:
            # no literal text of the template is quoted: it may hold a secret
            reason = f"a string template with {unknown[0].reason}"
            if all(isinstance(v, Ref) for v in unknown):  # "${aws_s3_bucket.x.arn}/logs": derived from x
                first = unknown[0]
                assert isinstance(first, Ref)
                return Ref(reason=reason, address=first.address,
                           refs=tuple(dict.fromkeys(a for v in unknown for a in refs_of(v) if a != first.address)),
                           literal=_literal_text(text, spans))
            return Unknown(reason, refs=tuple(dict.fromkeys(a for v in unknown for a in refs_of(v))),
                           literal=_literal_text(text, spans))
        for (start, end), value in zip(spans, values):
            parts.append(text[last:start])
            if isinstance(value, (list, dict)):
                return Unknown(f"template `{_short(text)}` interpolates a collection")
            parts.append(_template_text(value))
            last = end
        parts.append(text[last:])
        return "".join(parts)

    def expression(self, expr: str) -> Any:
        expr = expr.strip()
        # python-hcl2 7.x writes true/false/null inside expressions as True/False/None
        if expr in ("true", "True"):
            return True
        if expr in ("false", "False"):
            return False
        if expr in ("null", "None"):
            return None
        if _NUMBER.match(expr):
            return float(expr) if any(c in expr for c in ".eE") else int(expr)
        if len(expr) >= 2 and expr[0] == expr[-1] == '"' and '"' not in expr[1:-1].replace('\\"', ""):
            return self._string(json.loads(expr) if "\\" in expr else expr[1:-1])
        if _TRAVERSAL.match(expr):
            return self._traversal(expr)
        if expr.startswith("(") and expr.endswith(")") and _balanced(expr[1:-1]):
            return self.expression(expr[1:-1])
        call = _CALL.match(expr)
        if call and _balanced(call.group(2)):
            return self._call(call.group(1), call.group(2))
        if expr[:1] in "[{":
            parsed = _parse_hcl_value(expr)
            if not isinstance(parsed, str):  # a collection literal
                return self.evaluate(parsed)
        conditional = self._conditional(expr)
        if conditional is not None:
            return conditional
        return Unknown(f"expression `{_short(expr)}` is not evaluated statically", refs=self._refs_in(expr))

    def _refs_in(self, expr: str) -> tuple[str, ...]:
        """Resource addresses an expression mentions, directly or through locals."""
        found = [self.prefix + address for address, _ in resource_refs("${" + expr + "}")]
        for name in _LOCAL_REF.findall(expr):
            found.extend(refs_of(self._local(name)))
        return tuple(dict.fromkeys(found))

    def _conditional(self, expr: str) -> Any:
        """``cond ? a : b`` (and ``==``, ``!=``, ``!``, ``&&``, ``||`` in cond) when cond is known."""
        q = _top_level(expr, "?")
        if q < 0:
            return None
        c = _top_level(expr, ":", start=q + 1)
        if c < 0:
            return None
        test = self._boolean(expr[:q])
        if isinstance(test, bool):
            return self.expression(expr[q + 1 : c] if test else expr[c + 1 :])
        return Unknown(f"condition `{_short(expr[:q])}` is not known statically", refs=self._refs_in(expr))

    def _boolean(self, expr: str) -> Any:
        expr = expr.strip()
        for op in ("||", "&&"):
            cut = _top_level(expr, op)
            if cut >= 0:
                left, right = self._boolean(expr[:cut]), self._boolean(expr[cut + len(op) :])
                if isinstance(left, bool) and isinstance(right, bool):
                    return (left or right) if op == "||" else (left and right)
                if op == "||" and True in (left, right):
                    return True
                if op == "&&" and False in (left, right):
                    return False
                return Unknown("boolean of unknown values")
        for op in ("==", "!="):
            cut = _top_level(expr, op)
            if cut >= 0:
                left, right = self.expression(expr[:cut]), self.expression(expr[cut + 2 :])
                if first_unknown(left) is not None or first_unknown(right) is not None:
                    return Unknown("comparison of unknown values")
                return (left == right) if op == "==" else (left != right)
        if expr.startswith("!"):
            inner = self._boolean(expr[1:])
            return (not inner) if isinstance(inner, bool) else inner
        if expr.startswith("(") and expr.endswith(")") and _balanced(expr[1:-1]):
            return self._boolean(expr[1:-1])
        return self.expression(expr)

    def _call(self, name: str, args_text: str) -> Any:
        if name in ("coalesce", "try"):
            return self._first_of(name, args_text)
        fn = FUNCTIONS.get(name)
        if fn is None:
            return Unknown(f"function call {name}() is not evaluated statically", refs=self._refs_in(args_text))
        raw_args = _parse_hcl_value(f"[{args_text}]")
        if not isinstance(raw_args, list):
            return Unknown(f"arguments of {name}() are not evaluated statically", refs=self._refs_in(args_text))
        args = [self.evaluate(a) for a in raw_args]
        for a in args:
            unknown = first_unknown(a)
            if unknown is not None:
                return Unknown(f"{name}() of {unknown.reason}", refs=self._refs_in(args_text))
        try:
            return fn(*args)
        except (TypeError, ValueError) as exc:
            return Unknown(f"{name}() failed statically: {exc}")

    def _first_of(self, name: str, args_text: str) -> Any:
        """coalesce(): first argument not null or ""; try(): first that does not fail.
        An unknown argument before the answer makes the result unknown."""
        raw_args = _parse_hcl_value(f"[{args_text}]")
        if not isinstance(raw_args, list):
            return Unknown(f"arguments of {name}() are not evaluated statically", refs=self._refs_in(args_text))
        for raw in raw_args:
            value = self.evaluate(raw)
            if name == "try" and isinstance(value, Unknown) and " has no element " in value.reason:
                continue  # Terraform's try() skips an argument that fails to evaluate
            if isinstance(value, Unknown):
                return Unknown(f"{name}() of {value.reason}", refs=self._refs_in(args_text))
            if name == "try" or value not in (None, ""):
                return value
        return Unknown(f"{name}() has no usable argument")

    def _traversal(self, expr: str) -> Any:
        parts: list[str | int] = []
        for m in _TRAVERSAL_PART.finditer(expr):
            name, index, key = m.groups()
            if name is not None:
                parts.append(name)
            elif index is not None:
                parts.append(int(index))
            elif key is not None:
                parts.append(key)
            else:
                parts.append("*")
        root = parts[0]
        if root in self.iterators:
            return _index(self.iterators[str(root)], parts[1:], expr)
        if root == "var" and len(parts) >= 2:
            name = str(parts[1])
            if name not in self.variables:
                return Unknown(f"undeclared variable var.{name}")
            return _index(self.variables[name], parts[2:], expr)
        if root == "local" and len(parts) >= 2:
            return _index(self._local(str(parts[1])), parts[2:], expr)
        if root == "module" and len(parts) >= 3:
            value = self._module_output(str(parts[1]), str(parts[2]))
            return _index(value, parts[3:], expr)
        if root == "data" and len(parts) >= 3:
            address = f"{self.prefix}data.{parts[1]}.{parts[2]}"
            attribute = ".".join(str(p) for p in parts[3:] if not isinstance(p, int) and p != "*")
            return Ref(reason=f"data source attribute {expr}", address=address, attribute=attribute)
        if root in _NOT_RESOURCE_ROOTS:
            return Unknown(f"`{expr}` is only known at plan time")
        if len(parts) >= 2 and "_" in str(root):
            address = f"{self.prefix}{root}.{parts[1]}"
            attribute = ".".join(str(p) for p in parts[2:] if not isinstance(p, int) and p != "*")
            return Ref(reason=f"{expr} is known after apply", address=address, attribute=attribute)
        return Unknown(f"`{expr}` is not evaluated statically")

    def _local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name not in self._locals_raw:
            return Unknown(f"undeclared local.{name}")
        if name in self._in_progress:
            return Unknown(f"local.{name} refers to itself")
        self._in_progress.add(name)
        try:
            value = self.evaluate(self._locals_raw[name])
        finally:
            self._in_progress.discard(name)
        self._locals[name] = value
        return value


def _template_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _balanced(text: str) -> bool:
    depth = 0
    quote = False
    prev = ""
    for ch in text:
        if quote:
            if ch == '"' and prev != "\\":
                quote = False
        elif ch == '"':
            quote = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
        prev = ch
    return depth == 0


def _index(value: Any, parts: list[str | int], expr: str) -> Any:
    for part in parts:
        if isinstance(value, Ref):
            return Ref(reason=value.reason, address=value.address,
                       attribute=".".join(filter(None, [value.attribute, str(part)])))
        if isinstance(value, Unknown):
            return value
        if part == "*":
            return Unknown(f"splat `{expr}` is not evaluated statically")
        if isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value):
            value = value[part]
        elif isinstance(value, Mapping) and str(part) in value:
            value = value[str(part)]
        else:
            return Unknown(f"`{expr}` has no element {part}")
    return value


def first_unknown(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        for v in value:
            u = first_unknown(v)
            if u is not None:
                return u
    elif isinstance(value, Mapping):
        for v in value.values():
            u = first_unknown(v)
            if u is not None:
                return u
    return None


def _is_block_list(value: Any) -> bool:
    """python-hcl2 gives nested blocks as lists of dicts carrying line metadata."""
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, Mapping) and "__start_line__" in v for v in value)


def _literal_text(text: str, spans: list[tuple[int, int]]) -> str:
    """The literal parts of a template, interpolations replaced by a space."""
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return " ".join(out)


def refs_of(value: Any) -> list[str]:
    """Addresses a value refers to: a Ref's target, an Unknown's refs, inside collections too."""
    if isinstance(value, Ref):
        return [value.address, *value.refs]
    if isinstance(value, Unknown):
        return list(value.refs)
    if isinstance(value, list):
        return [a for v in value for a in refs_of(v)]
    if isinstance(value, Mapping):
        return [a for v in value.values() for a in refs_of(v)]
    return []


def _top_level(text: str, token: str, start: int = 0) -> int:
    """Index of ``token`` outside strings and brackets, at or after ``start``, else -1.

    For ``:`` it is the colon that closes the conditional whose ``?`` came before
    ``start``: colons of nested conditionals are skipped.
    """
    depth = 0
    quote = False
    nested = 0
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and token == ":" and ch == "?":
            nested += 1
        elif depth == 0 and text.startswith(token, i):
            if token == ":" and nested:
                nested -= 1
            else:
                return i
        i += 1
    return -1
