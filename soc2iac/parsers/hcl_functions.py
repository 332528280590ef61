"""Terraform's built-in functions over statically known values.

An argument that is wholly unknown makes the result unknown (its reason and the resources it
mentions carried on). A function marked *structural* still answers when only the inside of a
collection is unknown, as Terraform does: ``length([unknown, 1])`` is 2, ``keys()`` of a map
with unknown values is known. A function misused (wrong type, index out of range) raises
:class:`EvalError`, which ``try()`` and ``can()`` catch, as in Terraform. Impure functions
(``timestamp()``, ``uuid()``, ``file()``) are not evaluated: their result is unknown.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from soc2iac.model import CAUSE_APPLY, CAUSE_EVALUATOR, Unknown
from soc2iac.parsers.hcl_values import (
    EvalError,
    as_list,
    as_map,
    as_text,
    boolean,
    first_unknown,
    normal_number,
    number,
    text,
    to_set,
    type_name,
    unknown,
)


# ---------------------------------------------------------------------------
# the functions
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Function:
    call: Callable[..., Any]
    structural: bool = False  # answers when only the inside of a collection argument is unknown


def _length(value: Any) -> Any:
    if isinstance(value, (list, Mapping)):
        return len(value)
    if isinstance(value, str):
        return len(value)
    raise EvalError(f"length() of a {type_name(value)}")


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    m = as_map(mapping, "lookup")
    k = as_text(key, "lookup")
    if k in m:
        return m[k]
    if default:
        return default[0]
    raise EvalError(f"lookup() found no key {k!r} and has no default")


def _merge(*args: Any) -> Any:
    out: dict[str, Any] = {}
    for a in args:
        if a is None:
            continue
        out.update(as_map(a, "merge"))
    return out


def _concat(*args: Any) -> Any:
    return [item for a in args for item in as_list(a, "concat")]


def _flatten(value: Any) -> Any:
    out: list[Any] = []

    def walk(items: list[Any]) -> Unknown | None:
        for item in items:
            if isinstance(item, Unknown):
                return item
            if isinstance(item, list):
                found = walk(item)
                if found is not None:
                    return found
            else:
                out.append(item)
        return None

    found = walk(as_list(value, "flatten"))
    if found is not None:
        return unknown(f"flatten() of a list with an element not known statically ({found.reason})", value)
    return out


def _contains(collection: Any, value: Any) -> Any:
    items = as_list(collection, "contains")
    if value in [i for i in items if not isinstance(i, Unknown)] and not isinstance(value, Unknown):
        return True
    u = first_unknown([value, *items])
    if u is not None:
        return unknown(f"contains() with a value not known statically ({u.reason})", collection, value)
    return False


def _element(items: Any, index: Any) -> Any:
    lst = as_list(items, "element")
    if not lst:
        raise EvalError("element() of an empty list")
    i = int(number(index))
    if i < 0:
        raise EvalError("element() with a negative index")
    return lst[i % len(lst)]


def _slice(items: Any, start: Any, end: Any) -> Any:
    lst = as_list(items, "slice")
    a, b = int(number(start)), int(number(end))
    if not 0 <= a <= b <= len(lst):
        raise EvalError("slice() indices out of range")
    return lst[a:b]


def _keys(value: Any) -> Any:
    return sorted(as_map(value, "keys"))


def _values(value: Any) -> Any:
    m = as_map(value, "values")
    return [m[k] for k in sorted(m)]


def _zipmap(keys: Any, values: Any) -> Any:
    ks, vs = as_list(keys, "zipmap"), as_list(values, "zipmap")
    if len(ks) != len(vs):
        raise EvalError("zipmap() of lists of different lengths")
    u = first_unknown(ks)
    if u is not None:
        return unknown(f"zipmap() with keys not known statically ({u.reason})", ks)
    return {text(k): v for k, v in zip(ks, vs)}


def _coalescelist(*args: Any) -> Any:
    for a in args:
        if isinstance(a, Unknown):
            return unknown(f"coalescelist() of {a.reason}", a)
        if as_list(a, "coalescelist"):
            return a
    raise EvalError("coalescelist() of empty lists only")


def _compact(items: Any) -> Any:
    lst = as_list(items, "compact")
    u = first_unknown(lst)
    if u is not None:
        return unknown(f"compact() of {u.reason}", lst)
    return [text(i) for i in lst if i is not None and i != ""]


def _one(items: Any) -> Any:
    lst = as_list(items, "one")
    if len(lst) > 1:
        raise EvalError("one() of a list with more than one element")
    return lst[0] if lst else None


def _all_any(name: str, want: bool) -> Callable[[Any], Any]:
    def call(items: Any) -> Any:
        lst = as_list(items, name)
        if any(not isinstance(i, Unknown) and i is not None and boolean(i) is want for i in lst):
            return want
        u = first_unknown(lst)
        if u is not None:
            return unknown(f"{name}() of {u.reason}", lst)
        return not want

    return call


def _distinct(items: Any) -> Any:
    lst = as_list(items, "distinct")
    u = first_unknown(lst)
    if u is not None:
        return unknown(f"distinct() of {u.reason}", lst)
    out: list[Any] = []
    for i in lst:
        if i not in out:
            out.append(i)
    return out


def _format(fmt: Any, *args: Any) -> Any:
    spec = as_text(fmt, "format")
    values = iter(args)

    def one(m: re.Match[str]) -> str:
        verb = m.group(2)
        if verb == "%":
            return "%"
        try:
            value = next(values)
        except StopIteration:
            raise EvalError("format() with too few arguments") from None
        if verb == "d":
            return f"%{m.group(1)}d" % int(number(value))
        if verb in "fFeEgG":
            return f"%{m.group(1)}{verb}" % float(number(value))
        if verb == "q":
            return json.dumps(text(value))
        if verb in "sv":
            shown = json.dumps(value, separators=(",", ":")) if isinstance(value, (list, Mapping)) else text(value)
            return f"%{m.group(1)}s" % shown if m.group(1) else shown
        if verb == "t":
            return text(boolean(value))
        if verb in "xX":
            return f"%{m.group(1)}{verb}" % int(number(value))
        raise EvalError(f"format() verb %{verb} is not evaluated statically")

    return re.sub(r"%([-+ #0-9.]*)([a-zA-Z%])", one, spec)


def _replace(value: Any, search: Any, repl: Any) -> Any:
    s, pattern, r = as_text(value, "replace"), as_text(search, "replace"), as_text(repl, "replace")
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        return re.sub(pattern[1:-1], re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", r), s)
    return s.replace(pattern, r)


def _split(sep: Any, value: Any) -> Any:
    s, d = as_text(value, "split"), as_text(sep, "split")
    return s.split(d) if d else list(s)


def _join(sep: Any, *lists: Any) -> Any:
    return as_text(sep, "join").join(text(i) for lst in lists for i in as_list(lst, "join"))


def _range(*args: Any) -> Any:
    nums = [number(a) for a in args]
    if not 1 <= len(nums) <= 3:
        raise EvalError("range() takes one to three numbers")
    start, end, step = (0, nums[0], 1) if len(nums) == 1 else (nums[0], nums[1], nums[2] if len(nums) == 3 else 1)
    if step == 0:
        raise EvalError("range() with a step of zero")
    out: list[Any] = []
    value = start
    while (value < end if step > 0 else value > end) and len(out) <= 1024:
        out.append(normal_number(value))
        value += step
    if len(out) > 1024:
        raise EvalError("range() of more than 1024 numbers")
    return out


def _index(items: Any, value: Any) -> Any:
    lst = as_list(items, "index")
    if value in lst:
        return lst.index(value)
    raise EvalError("index() found no such element")


def _tostring(value: Any) -> Any:
    return None if value is None else as_text(value, "tostring")


def _tolist(value: Any) -> Any:
    return as_list(value, "tolist")


def _toset(value: Any) -> Any:
    return to_set(as_list(value, "toset"))


def _tomap(value: Any) -> Any:
    return dict(as_map(value, "tomap"))


_GO_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _jsonencode(value: Any) -> Any:
    """JSON as Terraform (Go) writes it: compact, UTF-8, with <, > and & escaped."""
    out = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return "".join(_GO_JSON_ESCAPES.get(c, c) for c in out) if any(c in out for c in _GO_JSON_ESCAPES) else out


def _jsondecode(value: Any) -> Any:
    try:
        return _normal_json(json.loads(as_text(value, "jsondecode")))
    except ValueError as exc:
        raise EvalError(f"jsondecode() of invalid JSON: {exc}") from None


def _normal_json(value: Any) -> Any:
    if isinstance(value, float):
        return normal_number(value)
    if isinstance(value, list):
        return [_normal_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal_json(v) for k, v in value.items()}
    return value


def _string(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return fn(*(as_text(a, name) if i == 0 else a for i, a in enumerate(args)))

    return call


def _minmax(pick: Callable[..., Any], name: str) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if not args:
            raise EvalError(f"{name}() of nothing")
        return pick(number(a) for a in args)

    return call


def _set_op(name: str, op: Callable[[list[Any], list[Any]], list[Any]]) -> Callable[..., Any]:
    def call(first: Any, *rest: Any) -> Any:
        out = as_list(first, name)
        for r in rest:
            out = op(out, as_list(r, name))
        return to_set(out)

    return call


def _setproduct(*sets: Any) -> Any:
    out: list[list[Any]] = [[]]
    for s in sets:
        out = [row + [item] for row in out for item in as_list(s, "setproduct")]
    return out if sets else []


def _transpose(value: Any) -> Any:
    out: dict[str, list[str]] = {}
    for key, items in as_map(value, "transpose").items():
        for item in as_list(items, "transpose"):
            out.setdefault(text(item), []).append(key)
    return {k: sorted(v) for k, v in sorted(out.items())}


def _matchkeys(values: Any, keys: Any, searchset: Any) -> Any:
    vs, ks, wanted = as_list(values, "matchkeys"), as_list(keys, "matchkeys"), as_list(searchset, "matchkeys")
    if len(vs) != len(ks):
        raise EvalError("matchkeys() of lists of different lengths")
    return [v for v, k in zip(vs, ks) if k in wanted]


def _network(cidr: Any) -> Any:
    try:
        return ipaddress.ip_network(as_text(cidr, "cidr"), strict=False)
    except ValueError:
        raise EvalError("not a CIDR prefix") from None


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    net = _network(prefix)
    size = net.prefixlen + int(number(newbits))
    step = 2 ** (net.max_prefixlen - size)
    index = int(number(netnum))
    if size > net.max_prefixlen or not 0 <= index < 2 ** int(number(newbits)):
        raise EvalError("cidrsubnet() out of range")
    return str(ipaddress.ip_network((int(net.network_address) + index * step, size)))


def _cidrsubnets(prefix: Any, *newbits: Any) -> Any:
    net = _network(prefix)
    out: list[str] = []
    start = int(net.network_address)
    for bits in newbits:
        size = net.prefixlen + int(number(bits))
        step = 2 ** (net.max_prefixlen - size)
        start = -(-start // step) * step  # aligned to the subnet's own size
        sub = ipaddress.ip_network((start, size))
        if not sub.subnet_of(net):
            raise EvalError("cidrsubnets() ran out of address space")
        out.append(str(sub))
        start += step
    return out


def _cidrhost(prefix: Any, hostnum: Any) -> Any:
    net = _network(prefix)
    n = int(number(hostnum))
    if not -net.num_addresses <= n < net.num_addresses:
        raise EvalError("cidrhost() out of range")
    return str(net.network_address + (n if n >= 0 else net.num_addresses + n))


FUNCTIONS: dict[str, Function] = {
    "length": Function(_length, structural=True),
    "keys": Function(_keys, structural=True),
    "values": Function(_values, structural=True),
    "lookup": Function(_lookup, structural=True),
    "merge": Function(_merge, structural=True),
    "concat": Function(_concat, structural=True),
    "flatten": Function(_flatten, structural=True),
    "distinct": Function(_distinct, structural=True),
    "toset": Function(_toset, structural=True),
    "tolist": Function(_tolist, structural=True),
    "tomap": Function(_tomap, structural=True),
    "coalescelist": Function(_coalescelist, structural=True),
    "compact": Function(_compact, structural=True),
    "contains": Function(_contains, structural=True),
    "element": Function(_element, structural=True),
    "slice": Function(_slice, structural=True),
    "zipmap": Function(_zipmap, structural=True),
    "one": Function(_one, structural=True),
    "alltrue": Function(_all_any("alltrue", False), structural=True),
    "anytrue": Function(_all_any("anytrue", True), structural=True),
    "reverse": Function(lambda v: list(reversed(as_list(v, "reverse"))), structural=True),
    "chunklist": Function(lambda v, n: [as_list(v, "chunklist")[i:i + int(number(n))]
                                        for i in range(0, len(v), max(1, int(number(n))))], structural=True),
    "setunion": Function(_set_op("setunion", lambda a, b: a + b)),
    "setintersection": Function(_set_op("setintersection", lambda a, b: [x for x in a if x in b])),
    "setsubtract": Function(_set_op("setsubtract", lambda a, b: [x for x in a if x not in b])),
    "index": Function(_index),
    "sort": Function(lambda v: sorted(text(i) for i in as_list(v, "sort"))),
    "sum": Function(lambda v: normal_number(sum(number(i) for i in as_list(v, "sum")))),
    "format": Function(_format),
    "formatlist": Function(lambda fmt, *lists: [_format(fmt, *row) for row in zip(*(as_list(x, "formatlist") for x in lists))]),
    "join": Function(_join),
    "split": Function(_split),
    "replace": Function(_replace),
    "lower": Function(_string(str.lower, "lower")),
    "upper": Function(_string(str.upper, "upper")),
    "title": Function(_string(str.title, "title")),
    "trimspace": Function(_string(str.strip, "trimspace")),
    "trim": Function(lambda s, cut: as_text(s, "trim").strip(as_text(cut, "trim"))),
    "trimprefix": Function(lambda s, p: as_text(s, "trimprefix").removeprefix(as_text(p, "trimprefix"))),
    "trimsuffix": Function(lambda s, p: as_text(s, "trimsuffix").removesuffix(as_text(p, "trimsuffix"))),
    "startswith": Function(lambda s, p: as_text(s, "startswith").startswith(as_text(p, "startswith"))),
    "endswith": Function(lambda s, p: as_text(s, "endswith").endswith(as_text(p, "endswith"))),
    "strrev": Function(_string(lambda s: s[::-1], "strrev")),
    "substr": Function(lambda s, o, n: _substr(as_text(s, "substr"), int(number(o)), int(number(n)))),
    "regex": Function(lambda p, s: _regex(as_text(p, "regex"), as_text(s, "regex"))),
    "regexall": Function(lambda p, s: [m.group() for m in re.finditer(as_text(p, "regexall"), as_text(s, "regexall"))]),
    "jsonencode": Function(_jsonencode),
    "jsondecode": Function(_jsondecode),
    "base64encode": Function(lambda s: base64.b64encode(as_text(s, "base64encode").encode()).decode()),
    "base64decode": Function(lambda s: base64.b64decode(as_text(s, "base64decode")).decode("utf-8", "replace")),
    "md5": Function(lambda s: hashlib.md5(as_text(s, "md5").encode()).hexdigest()),  # noqa: S324 - Terraform's md5()
    "sha1": Function(lambda s: hashlib.sha1(as_text(s, "sha1").encode()).hexdigest()),  # noqa: S324 - Terraform's sha1()
    "sha256": Function(lambda s: hashlib.sha256(as_text(s, "sha256").encode()).hexdigest()),
    "range": Function(_range),
    "min": Function(_minmax(min, "min")),
    "max": Function(_minmax(max, "max")),
    "abs": Function(lambda n: abs(number(n))),
    "ceil": Function(lambda n: math.ceil(number(n))),
    "floor": Function(lambda n: math.floor(number(n))),
    "signum": Function(lambda n: (number(n) > 0) - (number(n) < 0)),
    "pow": Function(lambda a, b: normal_number(float(number(a)) ** float(number(b)))),
    "parseint": Function(lambda s, base: int(as_text(s, "parseint"), int(number(base)))),
    "setproduct": Function(_setproduct, structural=True),
    "transpose": Function(_transpose),
    "matchkeys": Function(_matchkeys, structural=True),
    "cidrsubnet": Function(_cidrsubnet),
    "cidrsubnets": Function(_cidrsubnets),
    "cidrhost": Function(_cidrhost),
    "cidrnetmask": Function(lambda p: str(_network(p).netmask)),
    "sensitive": Function(lambda v: v, structural=True),  # the value; only its display is hidden
    "nonsensitive": Function(lambda v: v, structural=True),
    "strcontains": Function(lambda s, sub: as_text(sub, "strcontains") in as_text(s, "strcontains")),
    "basename": Function(lambda p: as_text(p, "basename").rstrip("/").rsplit("/", 1)[-1]),
    "dirname": Function(lambda p: as_text(p, "dirname").rsplit("/", 1)[0] if "/" in as_text(p, "dirname") else "."),
    "urlencode": Function(lambda s: urllib.parse.quote(as_text(s, "urlencode"), safe="-._~")),
    "tostring": Function(_tostring),
    "tonumber": Function(lambda v: None if v is None else number(v)),
    "tobool": Function(lambda v: None if v is None else boolean(v)),
}


def _substr(s: str, offset: int, length: int) -> str:
    if offset < 0:
        offset += len(s)
    return s[offset:] if length < 0 else s[offset:offset + length]


def _regex(pattern: str, s: str) -> Any:
    m = re.search(pattern, s)
    if m is None:
        raise EvalError("regex() did not match")
    if m.groupdict():
        return m.groupdict()
    if m.groups():
        return list(m.groups())
    return m.group()


_KNOWN_ONLY_WHEN_RUN = frozenset({"timestamp", "plantimestamp", "uuid", "bcrypt"})  # new values each run


def call(name: str, args: list[Any], *, expand: bool = False) -> Any:
    """Call the function ``name``; Unknown when it is not one evaluated here or an argument is unknown."""
    fn = FUNCTIONS.get(name)
    if fn is None:
        cause = CAUSE_APPLY if name in _KNOWN_ONLY_WHEN_RUN else CAUSE_EVALUATOR
        return unknown(f"function {name}() is not evaluated statically", args, cause=cause)
    if expand:
        if not args or isinstance(args[-1], Unknown):
            return unknown(f"{name}() of expanded arguments not known statically", args)
        args = [*args[:-1], *as_list(args[-1], name)]
    for a in args:
        u = a if isinstance(a, Unknown) else (None if fn.structural else first_unknown(a))
        if u is not None:
            return unknown(f"{name}() of {u.reason}", args)
    try:
        return fn.call(*args)
    except EvalError:
        raise
    except (TypeError, ValueError, OverflowError, IndexError, KeyError, re.error) as exc:
        raise EvalError(f"{name}() failed: {type(exc).__name__}") from None
