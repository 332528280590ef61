"""A tree-sitter fast path producing exactly what python-hcl2 7.x produces.

:func:`parse_body` parses HCL with ``tree-sitter-hcl`` (C, fast) and renders the
concrete syntax tree into the very dict ``hcl2.loads(normalize(text), with_meta=True)``
returns: the same keys in the same order, the same ``__start_line__`` /
``__end_line__`` meta, and expressions spelled as python-hcl2's lark transformer
spells them (``"${a ? True : null}"``, ``"${[for k , v in m : v]}"``, ...).

Python-hcl2 is the reference. Its transformer builds every value bottom-up
from intermediate Python values (strings that keep their quotes, ints,
floats, ``True``/``None``, lists, dicts) and then formats them with ``str()``
or its own ``to_tf_inline``; this module computes the same intermediate values
from the tree-sitter tree. Python-hcl2's grammar also differs from
tree-sitter's: it has no operator precedence (every chain nests to the right),
it admits line breaks and comments only at some places, it lexes ``-1`` as one
number. Where the two could disagree, or the input has a syntax error, or a
construct has not been verified, :class:`Unsupported` is raised and the caller
must fall back to python-hcl2; this module never returns a different answer.

``tree_sitter`` is imported on first use only.
"""

from __future__ import annotations

import json
import re
import threading
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from soc2iac.parsers import MAX_DEPTH, nesting_depth
from soc2iac.parsers.hcl_prepass import normalize

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

__all__ = ["Unsupported", "parse_body"]


class Unsupported(Exception):
    """The fast path cannot vouch for its answer here: use python-hcl2 instead."""


# ---------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------
_local = threading.local()  # tree_sitter.Parser objects are not shared between threads


def _parser() -> Parser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        import tree_sitter
        import tree_sitter_hcl

        parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
        _local.parser = parser
    return parser


def parse_body(text: str) -> dict[str, Any]:
    """``text`` (a ``.tf``/``.tfvars`` file) as python-hcl2 7.x would load it.

    Applies :func:`normalize` as :func:`soc2iac.parsers.terraform.parse_hcl_text`
    does. Raises :class:`Unsupported` for anything it cannot render exactly,
    including all invalid input (so python-hcl2 words the error).
    """
    if not text.strip():
        return {}
    text = normalize(text)
    if not text.endswith("\n"):
        text += "\n"
    try:
        src = text.encode("utf-8")
    except UnicodeEncodeError:
        raise Unsupported("text is not encodable as UTF-8") from None
    tree = _parser().parse(src)
    root = tree.root_node
    if root.has_error:
        raise Unsupported("syntax error (tree-sitter)")
    try:
        body = _Renderer(src).file(root)
    except RecursionError:
        raise Unsupported("nested too deeply") from None
    if nesting_depth(body) > MAX_DEPTH:
        raise Unsupported("nested too deeply")
    return body


# ---------------------------------------------------------------------------
# python-hcl2's value helpers (same behaviour as its DictTransformer)
# ---------------------------------------------------------------------------
_TYPE_KEYWORDS = frozenset({"bool", "number", "string"})
_INTERPOLATED_KEY = re.compile(r".*?(\${).*}.*")
_INLINE_INTERPOLATION = re.compile(r"\$\{(.*)}")


def _unescape(value: str) -> str:
    """python-hcl2's escape processing: five plain replacements, in this order."""
    return (value.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t")
            .replace('\\"', '"').replace("\\\\", "\\"))


def _strip_quotes(value: str) -> str:
    if value.startswith('"') and value.endswith('"'):
        return _unescape(value[1:-1])
    return value


def _is_dollar(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("${") and value.endswith("}")


def _dollar(value: Any) -> Any:
    """A value as an attribute, tuple item or object value holds it."""
    if not isinstance(value, str) or _is_dollar(value):
        return value
    if value.startswith('"') and value.endswith('"'):
        return _unescape(value[1:-1])
    if value in _TYPE_KEYWORDS:
        return value
    return "${" + value + "}"


def _undollar(value: str) -> str:
    return value[2:-1] if _is_dollar(value) else value


def _null(value: Any) -> Any:
    return "null" if value is None else value


def _inline(value: Any) -> str:
    """A value spelled inside a larger expression (python-hcl2's ``to_tf_inline``)."""
    if isinstance(value, dict):
        return _INLINE_INTERPOLATION.sub(lambda m: m.group(0).replace('\\"', '"'), json.dumps(value))
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "None"
    raise Unsupported(f"unexpected value type {type(value).__name__}")


def _number(text: str) -> Any:
    """An int_lit / float_lit token sequence (``text`` may start with ``-``)."""
    if not _NUMBER.fullmatch(text):
        raise Unsupported("number spelling")
    if "." in text or "e" in text or "E" in text:
        return _dollar(text) if "e" in text else float(text)
    return int(text)


def _binary(left: Any, op: str, right: Any) -> str:
    return _undollar(_inline(left)) + " " + op + " " + _inline(_null(right))


def _conditional(cond: Any, then: Any, other: Any) -> str:
    return f"{_null(cond)} ? {_null(then)} : {_null(other)}"


# ---------------------------------------------------------------------------
# lexical checks
# ---------------------------------------------------------------------------
_NAME = re.compile(rb"[a-zA-Z_][a-zA-Z0-9_-]*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_PROVIDER_FUNC = re.compile(rb"[a-zA-Z_][a-zA-Z0-9_-]*::[a-zA-Z_][a-zA-Z0-9_-]*::[a-zA-Z_][a-zA-Z0-9_-]*")
# what python-hcl2 skips between two tokens where its grammar admits new_line_or_comment
_LOOSE = re.compile(rb"(?:[ \t\n]+|#[^\n]*\n|//[^\n]*\n|/\*.*?\*/)*", re.DOTALL)
# python-hcl2's heredoc terminals and the transformer's patterns applied to their text
_HEREDOC_TOKEN = re.compile(r"<<([a-zA-Z][a-zA-Z0-9._-]+)\n?(?:.|\n)*?\n\s*\1\n")
_HEREDOC_TRIM_TOKEN = re.compile(r"<<-([a-zA-Z][a-zA-Z0-9._-]+)\n?(?:.|\n)*?\n\s*\1\n")
_HEREDOC_BODY = re.compile(r"<<([a-zA-Z][a-zA-Z0-9._-]+)\n([\s\S]*)\1", re.DOTALL)
_HEREDOC_TRIM_BODY = re.compile(r"<<-([a-zA-Z][a-zA-Z0-9._-]+)\n([\s\S]*)\1", re.DOTALL)
_ESCAPED_INTERPOLATION = re.compile(rb"\$\$\{[^}]*\}")

_BINARY_OPS = frozenset({"==", "!=", "<", ">", "<=", ">=", "-", "*", "/", "%", "&&", "||", "+"})
_POSTFIX = frozenset({"get_attr", "index", "splat"})
_COMMENT = "comment"
# python-hcl2 hits RecursionError around 490 tree levels (e.g. 246 chained ".a", 165 nested calls);
# the estimate in _Renderer.level over-counts about twice
_MAX_LEVEL = 250


class _Conditional:
    """``? then :`` in a flattened operator chain."""

    __slots__ = ("then",)

    def __init__(self, then: Any) -> None:
        self.then = then


class _Renderer:
    """Renders one tree-sitter tree; ``src`` is the UTF-8 text it was parsed from."""

    def __init__(self, src: bytes) -> None:
        self.src = src
        self.level = 0  # a bound on how deep python-hcl2's tree gets at this point

    def descend(self, levels: int) -> None:
        """python-hcl2 (lark's recursive transformer) fails on deep trees: keep well clear of that."""
        self.level += levels
        if self.level > _MAX_LEVEL:
            raise Unsupported("nested too deeply")

    # -- helpers ----------------------------------------------------------
    def text(self, node: Node) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8")

    def tight(self, left: Node, right: Node) -> None:
        """Only blanks between the two tokens: python-hcl2 admits no line break here."""
        gap = self.src[left.end_byte:right.start_byte]
        if gap and gap.strip(b" \t"):
            raise Unsupported("line break or comment where python-hcl2 admits none")

    def loose(self, start: int, end: int) -> None:
        """Blanks, line breaks and comments are all fine between ``start`` and ``end``."""
        if end > start and not _LOOSE.fullmatch(self.src, start, end):
            raise Unsupported("unexpected characters between tokens")

    def after_line_break(self, pos: int) -> bool:
        """Whether only blanks separate ``pos`` from a preceding line break or comment."""
        src = self.src
        pos -= 1
        while pos >= 0 and src[pos] in (0x20, 0x09):
            pos -= 1
        return pos >= 0 and (src[pos] == 0x0A or src[pos - 1:pos + 1] == b"*/")

    @staticmethod
    def kids(node: Node) -> list[Node]:
        """Children without comments; a comment at either edge is not accounted for: refuse."""
        children = node.children
        if not any(c.type == _COMMENT for c in children):
            return children
        if children[0].type == _COMMENT or children[-1].type == _COMMENT:
            raise Unsupported(f"comment at the edge of {node.type}")
        return [c for c in children if c.type != _COMMENT]

    def name(self, node: Node) -> str:
        if node.type != "identifier":
            raise Unsupported(f"{node.type} where an identifier is expected")
        raw = self.src[node.start_byte:node.end_byte]
        if not _NAME.fullmatch(raw):
            raise Unsupported("identifier python-hcl2 does not lex")
        return raw.decode("ascii")

    # -- bodies -----------------------------------------------------------
    def file(self, root: Node) -> dict[str, Any]:
        bodies = [c for c in root.children if c.type != _COMMENT]
        if not bodies:
            self.loose(0, len(self.src))
            return {}
        if len(bodies) != 1 or bodies[0].type != "body":
            raise Unsupported("unexpected top level")
        body = bodies[0]
        self.loose(0, body.start_byte)
        self.loose(body.end_byte, len(self.src))
        return self.body(body)

    def body(self, node: Node) -> dict[str, Any]:
        result: dict[str, Any] = {}
        attributes: set[str] = set()
        pos = node.start_byte
        for child in node.children:
            if child.type == _COMMENT:
                continue
            self.loose(pos, child.start_byte)
            pos = child.end_byte
            if child.type == "attribute":
                key, value = self.attribute(child)
                if key in result:
                    raise Unsupported("attribute defined twice")  # python-hcl2 raises
                result[key] = value
                attributes.add(key)
            elif child.type == "block":
                key, value = self.block(child)
                if key in attributes:
                    raise Unsupported("block named like an attribute")
                result.setdefault(key, []).append(value)
            else:
                raise Unsupported(f"{child.type} in a body")
        self.loose(pos, node.end_byte)
        return result

    def attribute(self, node: Node) -> tuple[str, Any]:
        kids = self.kids(node)
        if len(kids) != 3 or kids[1].type != "=":
            raise Unsupported("attribute shape")
        self.tight(kids[0], kids[1])
        self.tight(kids[1], kids[2])
        return self.name(kids[0]), _dollar(self.expr(kids[2]))

    def block(self, node: Node) -> tuple[str, Any]:
        self.descend(3)
        try:
            return self._block(node)
        finally:
            self.level -= 3

    def _block(self, node: Node) -> tuple[str, Any]:
        kids = self.kids(node)
        if kids[-1].type != "block_end" or len(kids) < 3:
            raise Unsupported("block shape")
        kind = self.name(kids[0])
        labels: list[str] = []
        i = 1
        while kids[i].type in ("identifier", "string_lit"):
            self.tight(kids[i - 1], kids[i])
            labels.append(self.name(kids[i]) if kids[i].type == "identifier" else _strip_quotes(self.template(kids[i])))
            i += 1
        if kids[i].type != "block_start":
            raise Unsupported("block shape")
        self.loose(kids[i - 1].end_byte, kids[i].start_byte)
        rest = kids[i + 1:]
        if len(rest) == 2 and rest[0].type == "body":
            self.loose(kids[i].end_byte, rest[0].start_byte)
            self.loose(rest[0].end_byte, rest[1].start_byte)
            result = self.body(rest[0])
        elif len(rest) == 1:
            self.loose(kids[i].end_byte, rest[0].start_byte)
            result = {}
        else:
            raise Unsupported("block shape")
        result.update({"__start_line__": node.start_point[0] + 1, "__end_line__": kids[-1].end_point[0] + 1})
        value: Any = result
        for label in reversed(labels):
            value = {label: value}
        return kind, value

    # -- expressions: operator chains ------------------------------------
    def expr(self, node: Node) -> Any:
        """The value python-hcl2 builds for an expression (before ``_dollar``)."""
        items: list[Any] = []
        self.descend(4)
        try:
            self.flatten([node], items)
        finally:
            self.level -= 4
        # python-hcl2's grammar has no precedence: a chain nests to the right,
        # and ``?`` binds the operand just before it
        value = items[-1]
        for i in range(len(items) - 3, -1, -2):
            sep = items[i + 1]
            if isinstance(sep, _Conditional):
                value = _conditional(items[i], sep.then, value)
            else:
                value = _binary(items[i], sep, value)
        return value

    def flatten(self, seq: list[Node], out: list[Any]) -> None:
        """Append operand, operator, operand ... of the chain ``seq`` spells to ``out``."""
        if len(seq) == 1:
            node = seq[0]
            kind = node.type
            if kind in ("expression", "operation"):
                self.flatten(self.kids(node), out)
                return
            if kind == "binary_operation":
                kids = self.kids(node)
                ops = [i for i, c in enumerate(kids) if not c.is_named and c.type in _BINARY_OPS]
                if len(ops) != 1 or ops[0] in (0, len(kids) - 1):
                    raise Unsupported("binary operation shape")
                k = ops[0]
                self.descend(2)
                try:
                    self.flatten(kids[:k], out)
                    self.tight(kids[k - 1], kids[k])
                    self.loose(kids[k].end_byte, kids[k + 1].start_byte)
                    out.append(kids[k].type)
                    self.flatten(kids[k + 1:], out)
                finally:
                    self.level -= 2
                return
            if kind == "conditional":
                kids = self.kids(node)
                if len(kids) != 5 or kids[1].type != "?" or kids[3].type != ":":
                    raise Unsupported("conditional shape")
                self.descend(2)
                try:
                    self.flatten(kids[:1], out)
                    self.tight(kids[0], kids[1])
                    for a, b in pairwise(kids[1:]):
                        self.loose(a.end_byte, b.start_byte)
                    out.append(_Conditional(self.expr(kids[2])))
                    self.flatten(kids[4:], out)
                finally:
                    self.level -= 2
                return
            if kind == "unary_operation":
                out.append(self.unary(node))
                return
        out.append(self.term(seq))

    def unary(self, node: Node) -> Any:
        kids = self.kids(node)
        op, seq = kids[0], kids[1:]
        if op.type not in ("-", "!") or not seq:
            raise Unsupported("unary operation shape")
        self.tight(op, seq[0])
        if len(seq) == 1 and seq[0].type in ("operation", "conditional", "expression"):
            raise Unsupported("unary operand is not a simple term")  # python-hcl2: op expr_term
        first = self.src[seq[0].start_byte:seq[0].start_byte + 1]
        if op.type == "-" and first.isdigit():
            if seq[0].start_byte != op.end_byte:
                pass  # "- 1": python-hcl2 renders the unary operation "-1"
            elif len(seq) != 1 or seq[0].type != "literal_value" or seq[0].children[0].type != "numeric_lit":
                raise Unsupported("negative number followed by more")
            elif not self.after_line_break(op.start_byte):
                return _number("-" + self.text(seq[0]))  # "-1" is one NEGATIVE_DECIMAL token there
            # right after a line break or comment python-hcl2 lexes "-" alone: a unary operation
        return op.type + _inline(_null(self.term(seq)))

    # -- expressions: terms -----------------------------------------------
    def term(self, seq: list[Node]) -> Any:
        """An expr_term: a primary or a parenthesised expression, then postfix operators."""
        paren = seq[0].type == "("
        if paren and (len(seq) < 3 or seq[2].type != ")"):
            raise Unsupported("parenthesis shape")
        rest = seq[3:] if paren else seq[1:]
        # python-hcl2 nests two tree levels per postfix operator (and per splat part)
        levels = 2 * sum(len(n.children[0].children) if n.type == "splat" else 1 for n in rest)
        self.descend(levels)
        try:
            if paren:
                self.loose(seq[0].end_byte, seq[1].start_byte)
                self.loose(seq[1].end_byte, seq[2].start_byte)
                base: Any = "(" + str(self.expr(seq[1])) + ")"
                last = seq[2]
            else:
                if rest and seq[0].type == "literal_value" and seq[0].children[0].type == "numeric_lit":
                    raise Unsupported("postfix operator on a number")  # "1.a": python-hcl2 fails
                base = self.primary(seq[0])
                last = seq[0]
            if not rest:
                return base
            parts = [str(base)]
            for node in rest:
                if node.type not in _POSTFIX:
                    raise Unsupported(f"{node.type} after an expression term")
                self.tight(last, node)
                parts.append(self.postfix(node))
                last = node
            return "".join(parts)
        finally:
            self.level -= levels

    def postfix(self, node: Node) -> str:
        kind = node.type
        if kind == "get_attr":
            kids = self.kids(node)
            if len(kids) != 2 or kids[0].type != ".":
                raise Unsupported("attribute access shape")
            self.tight(kids[0], kids[1])
            return "." + self.name(kids[1])
        if kind == "index":
            (inner,) = self.kids(node)
            kids = self.kids(inner)
            if inner.type == "legacy_index":
                raw = self.src[inner.start_byte:inner.end_byte]
                if not re.fullmatch(rb"\.[0-9]+", raw):
                    raise Unsupported("legacy index spelling")
                return "[" + chr(raw[1]) + "]"  # python-hcl2 keeps the first digit only
            if inner.type != "new_index" or len(kids) != 3 or kids[0].type != "[" or kids[2].type != "]":
                raise Unsupported("index shape")
            self.loose(kids[0].end_byte, kids[1].start_byte)
            self.loose(kids[1].end_byte, kids[2].start_byte)
            return f"[{self.expr(kids[1])}]"
        # splat
        (inner,) = self.kids(node)
        kids = self.kids(inner)
        lead = {"attr_splat": ".*", "full_splat": "[*]"}.get(inner.type)
        if lead is None or kids[0].type != lead or self.text(kids[0]) != lead:
            raise Unsupported("splat shape")
        parts = [lead]
        for prev, nxt in pairwise(kids):
            if nxt.type not in ("get_attr", "index"):
                raise Unsupported("splat shape")
            self.tight(prev, nxt)
            parts.append(self.postfix(nxt))
        return "".join(parts)

    def primary(self, node: Node) -> Any:
        kind = node.type
        if kind == "variable_expr":
            (ident,) = self.kids(node)
            name = self.name(ident)
            return {"true": True, "false": False, "null": None}.get(name, name)
        if kind == "literal_value":
            (lit,) = self.kids(node)
            if lit.type == "numeric_lit":
                return _number(self.text(lit))
            if lit.type == "bool_lit":
                return {"true": True, "false": False}[self.text(lit)]
            if lit.type == "null_lit":
                return None
            if lit.type == "string_lit":
                return self.template(lit)
            raise Unsupported(f"literal {lit.type}")
        if kind == "template_expr":
            (inner,) = self.kids(node)
            if inner.type == "quoted_template":
                return self.template(inner)
            if inner.type == "heredoc_template":
                return self.heredoc(inner)
            raise Unsupported(f"template {inner.type}")
        if kind == "collection_value":
            (inner,) = self.kids(node)
            if inner.type == "tuple":
                return self.tuple(inner)
            if inner.type == "object":
                return self.object(inner)
            raise Unsupported(f"collection {inner.type}")
        if kind == "function_call":
            return self.call(node)
        if kind == "for_expr":
            (inner,) = self.kids(node)
            return self.for_expr(inner)
        raise Unsupported(f"expression term {kind}")

    # -- collections --------------------------------------------------------
    def tuple(self, node: Node) -> list[Any]:
        kids = self.kids(node)
        if kids[0].type != "tuple_start" or kids[-1].type != "tuple_end":
            raise Unsupported("tuple shape")
        out: list[Any] = []
        expect_item = True
        for prev, child in pairwise(kids):
            self.loose(prev.end_byte, child.start_byte)
            if child.type == "expression" and expect_item:
                out.append(_dollar(self.expr(child)))
                expect_item = False
            elif child.type == "," and not expect_item:
                expect_item = True
            elif child.type != "tuple_end":
                raise Unsupported("tuple shape")
        return out

    def object(self, node: Node) -> dict[str, Any]:
        kids = self.kids(node)
        if kids[0].type != "object_start" or kids[-1].type != "object_end":
            raise Unsupported("object shape")
        result: dict[str, Any] = {}
        prev = kids[0]
        for child in kids[1:]:
            if child.type == "," and prev.type == "object_elem":
                self.tight(prev, child)  # object_elem COMMA: nothing may come between
            elif child.type in ("object_elem", "object_end"):
                self.loose(prev.end_byte, child.start_byte)
                if child.type == "object_elem":
                    result.update(self.object_elem(child))
            else:
                raise Unsupported("object shape")
            prev = child
        return result

    def object_elem(self, node: Node) -> dict[str, Any]:
        kids = self.kids(node)
        if len(kids) != 3 or kids[1].type not in ("=", ":"):
            raise Unsupported("object element shape")
        self.tight(kids[0], kids[1])
        self.tight(kids[1], kids[2])
        key = self.object_key(kids[0])
        if not _INTERPOLATED_KEY.match(key):
            key = _strip_quotes(key)
        return {key: _dollar(self.expr(kids[2]))}

    def object_key(self, node: Node) -> str:
        """python-hcl2's object_elem_key: a name, number, string, ``a.b`` or ``(expression)``."""
        if node.type != "expression":
            raise Unsupported("object key shape")
        kids = self.kids(node)
        if kids[0].type == "(":
            if len(kids) != 3 or kids[2].type != ")":
                raise Unsupported("object key shape")
            self.tight(kids[0], kids[1])
            self.tight(kids[1], kids[2])
            inner = self.expr(kids[1])
            if not isinstance(inner, str):
                raise Unsupported("object key expression is not a string")  # python-hcl2 fails
            return _dollar("(" + inner + ")")
        head = kids[0]
        if head.type == "variable_expr":
            parts = [self.name(self.kids(head)[0])]
            for prev, nxt in pairwise(kids):
                if nxt.type != "get_attr":
                    raise Unsupported("object key shape")
                self.tight(prev, nxt)
                parts.append(self.postfix(nxt))
            return "".join(parts)
        if len(kids) != 1:
            raise Unsupported("object key shape")
        if head.type == "literal_value":
            (lit,) = self.kids(head)
            if lit.type in ("bool_lit", "null_lit"):
                return self.text(lit)
            if lit.type == "numeric_lit":
                return str(_number(self.text(lit)))
            if lit.type == "string_lit":
                return self.template(lit)
        if head.type == "template_expr":
            (inner,) = self.kids(head)
            if inner.type == "quoted_template":
                return self.template(inner)
        raise Unsupported(f"object key {head.type}")

    # -- calls and for expressions -------------------------------------------
    def call(self, node: Node) -> str:
        kids = self.kids(node)
        if len(kids) < 3 or kids[0].type != "identifier" or kids[1].type != "(" or kids[-1].type != ")":
            raise Unsupported("function call shape")
        raw = self.src[kids[0].start_byte:kids[0].end_byte]
        if _PROVIDER_FUNC.fullmatch(raw):  # provider::name::function
            fname = raw.decode("ascii")
        else:
            fname = self.name(kids[0])
        self.tight(kids[0], kids[1])
        args: list[str] = []
        inner = kids[2:-1]
        if len(inner) > 1 or (inner and inner[0].type != "function_arguments"):
            raise Unsupported("function call shape")
        if inner:
            self.loose(kids[1].end_byte, inner[0].start_byte)
            self.loose(inner[0].end_byte, kids[-1].start_byte)
            items = self.kids(inner[0])
            for i, item in enumerate(items):
                if item.type == "expression":
                    if i % 2:
                        raise Unsupported("function arguments shape")
                    if i:
                        self.loose(items[i - 1].end_byte, item.start_byte)
                    args.append(_inline(_null(self.expr(item))))
                elif item.type in (",", "ellipsis") and i % 2:
                    if i == len(items) - 1:  # trailing "," or "...": python-hcl2 drops it
                        self.tight(items[i - 1], item)
                    elif item.type == "ellipsis":
                        raise Unsupported("ellipsis before the last argument")
                    else:
                        self.loose(items[i - 1].end_byte, item.start_byte)
                else:
                    raise Unsupported("function arguments shape")
        else:
            self.loose(kids[1].end_byte, kids[-1].start_byte)
        return f"{fname}({', '.join(args)})"

    def for_intro(self, node: Node) -> str:
        kids = self.kids(node)
        kinds = [c.type for c in kids]
        if kinds == ["for", "identifier", "in", "expression", ":"]:
            names = [self.name(kids[1])]
        elif kinds == ["for", "identifier", ",", "identifier", "in", "expression", ":"]:
            self.tight(kids[1], kids[2])
            self.tight(kids[2], kids[3])
            names = [self.name(kids[1]), ",", self.name(kids[3])]
        else:
            raise Unsupported("for intro shape")
        self.loose(kids[0].end_byte, kids[1].start_byte)
        for a, b in zip(kids[-4:], kids[-3:]):
            self.loose(a.end_byte, b.start_byte)
        return " ".join(["for", *names, "in", _inline(self.expr(kids[-2])), ":"])

    def for_cond(self, node: Node) -> str:
        kids = self.kids(node)
        if [c.type for c in kids] != ["if", "expression"]:
            raise Unsupported("for condition shape")
        self.loose(kids[0].end_byte, kids[1].start_byte)
        return "if " + _inline(self.expr(kids[1]))

    def for_expr(self, node: Node) -> str:
        kids = self.kids(node)
        for a, b in pairwise(kids):
            if b.type == "=>":
                self.tight(a, b)  # no line break before "=>" in python-hcl2's grammar
            else:
                self.loose(a.end_byte, b.start_byte)
        kinds = [c.type for c in kids]
        words: list[str] = []
        if node.type == "for_tuple_expr":
            if kinds[:3] != ["tuple_start", "for_intro", "expression"] or kinds[-1] != "tuple_end":
                raise Unsupported("for expression shape")
            words += [self.for_intro(kids[1]), _inline(self.expr(kids[2]))]
            tail = kids[3:-1]
            opener, closer = "[", "]"
        elif node.type == "for_object_expr":
            if (kinds[:5] != ["object_start", "for_intro", "expression", "=>", "expression"]
                    or kinds[-1] != "object_end"):
                raise Unsupported("for expression shape")
            words += [self.for_intro(kids[1]), _inline(self.expr(kids[2])), "=>", _inline(self.expr(kids[4]))]
            tail = kids[5:-1]
            if tail and tail[0].type == "ellipsis":
                words.append("...")
                tail = tail[1:]
            opener, closer = "{", "}"
        else:
            raise Unsupported(f"for expression {node.type}")
        if tail:
            if len(tail) != 1 or tail[0].type != "for_cond":
                raise Unsupported("for expression shape")
            words.append(self.for_cond(tail[0]))
        return opener + " ".join(words) + closer

    # -- strings --------------------------------------------------------------
    def template(self, node: Node) -> str:
        """A quoted string as python-hcl2 keeps it: quotes, escapes and ``${...}`` as written."""
        children = node.children
        if (len(children) < 2 or children[0].type != "quoted_template_start"
                or children[-1].type != "quoted_template_end"):
            raise Unsupported("string shape")
        interpolations: dict[int, Node] = {}
        stack = list(children[1:-1])
        while stack:
            child = stack.pop()
            if child.type == "template_interpolation":
                interpolations[child.start_byte] = child
            elif child.child_count:
                stack.extend(child.children)
        # re-lex the raw text as python-hcl2's STRING_CHARS / ESCAPED_INTERPOLATION / "${"
        src = self.src
        pos, end = children[0].end_byte, children[-1].start_byte
        out: list[str] = ['"']
        chunk = pos
        while pos < end:
            ch = src[pos]
            if ch == 0x24 and src.startswith(b"$${", pos):  # $
                m = _ESCAPED_INTERPOLATION.match(src, pos, end)
                if m is None:
                    raise Unsupported("string python-hcl2 does not lex")
                for start in [k for k in interpolations if pos <= k < m.end()]:
                    del interpolations[start]  # "$$${x}": tree-sitter's interpolation is escaped text to python-hcl2
                pos = m.end()
            elif ch == 0x24 and src.startswith(b"${", pos):
                interp = interpolations.pop(pos, None)
                if interp is None:
                    raise Unsupported("string python-hcl2 does not lex")
                out.append(src[chunk:pos].decode("utf-8"))
                out.append("${" + str(self.interpolation(interp)) + "}")
                pos = chunk = interp.end_byte
            elif ch == 0x5C:  # backslash: an escape takes the next character (not a line break)
                if pos + 1 >= end or src[pos + 1] == 0x0A:
                    raise Unsupported("string python-hcl2 does not lex")
                pos += 2
            elif ch == 0x22:  # a quote python-hcl2 would take as the end of the string
                raise Unsupported("quote inside a template directive")
            else:
                pos += 1
        if interpolations:
            raise Unsupported("interpolation python-hcl2 does not see")
        out.append(src[chunk:end].decode("utf-8"))
        out.append('"')
        return "".join(out)

    def interpolation(self, node: Node) -> Any:
        kids = self.kids(node)
        if (len(kids) != 3 or self.text(kids[0]) != "${" or self.text(kids[2]) != "}"
                or kids[1].type != "expression"):
            raise Unsupported("interpolation shape (strip markers?)")
        self.tight(kids[0], kids[1])
        self.tight(kids[1], kids[2])
        return self.expr(kids[1])

    def heredoc(self, node: Node) -> str:
        """python-hcl2 lexes a heredoc as one token ending with the line break after its marker."""
        start, end = node.start_byte, node.end_byte
        if self.src[end:end + 1] != b"\n":
            raise Unsupported("heredoc end")
        token = self.src[start:end + 1].decode("utf-8")
        trim = token.startswith("<<-")
        m = (_HEREDOC_TRIM_TOKEN if trim else _HEREDOC_TOKEN).match(token)
        if m is None or m.end() != len(token):
            raise Unsupported("heredoc python-hcl2 delimits differently")
        body = (_HEREDOC_TRIM_BODY if trim else _HEREDOC_BODY).match(token)
        if body is None:
            raise Unsupported("heredoc python-hcl2 rejects")
        content = body.group(2).rstrip("\n\t ")
        if trim:
            lines = content.split("\n")
            indent = min(len(line) - len(line.lstrip(" ")) for line in lines)
            content = "\n".join(line[indent:] for line in lines)
        return '"' + content + '"'
