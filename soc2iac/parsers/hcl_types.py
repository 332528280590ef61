"""A variable's ``type`` constraint applied to its value, as Terraform converts it.

``type = map(object({ retention = optional(number, 30), kms = optional(string) }))`` turns
``{ a = {} }`` into ``{ a = { retention = 30, kms = null } }``; ``set(string)`` sorts and
de-duplicates; ``number`` turns ``"5"`` into 5. A value the type cannot take is left as it is
(Terraform would reject the configuration; a scanner reads on).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from soc2iac.model import Unknown
from soc2iac.parsers import hcl_values as hv
from soc2iac.parsers.hcl_values import EvalError
from soc2iac.parsers.hcl_syntax import Node

Literal = Callable[[Node], Any]  # evaluates an optional() default


def convert(value: Any, type_node: Node | None, literal: Literal) -> Any:
    """``value`` converted to the type ``type_node`` describes (None: any type)."""
    if type_node is None or isinstance(value, Unknown) or value is None:
        return value
    try:
        return _convert(value, type_node, literal)
    except (EvalError, TypeError, ValueError):
        return value


def _convert(value: Any, node: Node, literal: Literal) -> Any:  # noqa: PLR0911 - one branch per type
    if isinstance(value, Unknown) or value is None:
        return value
    if node[0] == "var":
        name = node[1]
        if name == "string":
            return hv.text(value) if not isinstance(value, (list, Mapping)) else value
        if name == "number":
            return hv.number(value)
        if name == "bool":
            return hv.boolean(value)
        return value  # any
    if node[0] != "call" or not node[2]:
        return value
    kind, args = node[1], node[2]
    if kind in ("list", "set") and isinstance(value, list):
        items = [_convert(v, args[0], literal) for v in value]
        if kind == "set":
            result = hv.to_set(items)
            return items if isinstance(result, Unknown) else result
        return items
    if kind == "map" and isinstance(value, Mapping):
        return {k: _convert(v, args[0], literal) for k, v in value.items()}
    if kind == "tuple" and isinstance(value, list) and args[0][0] == "tuple":
        types = args[0][1]
        return [_convert(v, t, literal) if i < len(types) else v for i, (v, t) in
                enumerate(zip(value, list(types) + [("var", "any")] * len(value)))]
    if kind == "object" and isinstance(value, Mapping) and args[0][0] == "object":
        return _object(value, args[0][1], literal)
    return value


def _object(value: Mapping[str, Any], fields: tuple[tuple[Node, Node], ...], literal: Literal) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key_node, type_node in fields:
        if key_node[0] != "lit":
            continue
        name = str(key_node[1])
        optional = type_node[0] == "call" and type_node[1] == "optional" and type_node[2]
        inner = type_node[2][0] if optional else type_node
        if name in value and value[name] is not None:
            out[name] = _convert(value[name], inner, literal)
        elif optional and len(type_node[2]) > 1:
            out[name] = _convert(literal(type_node[2][1]), inner, literal)
        else:
            out[name] = None
    return out  # attributes the type does not declare are dropped, as Terraform drops them
