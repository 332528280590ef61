"""A file's body and its expression trees from one tree-sitter parse.

:func:`parse` parses a ``.tf``/``.tfvars`` text once with tree-sitter-hcl and derives from
that one tree both python-hcl2's dict (:func:`soc2iac.parsers.hcl_treesitter.render`) and
the expression trees :func:`soc2iac.parsers.hcl_syntax.parse_file` reads from the text
(block start line -> attribute name -> tree, in hcl_syntax's tuples).

hcl_syntax stays the reference. The builder here follows its grammar, not tree-sitter's:
operator chains are flattened and regrouped with hcl_syntax's precedence (tree-sitter nests
``a ? b : c ? d : e`` to the left), strings are read with its escapes, ``$${`` and strip
markers, and a line break or comment is accepted only where hcl_syntax's reader skips it
(inside brackets anywhere; in a body or an object only where it does not end the attribute
or item). Where the two could differ (a syntax error, text normalized for python-hcl2,
unusual white space, deep nesting hcl_syntax might not get through, a construct not
verified) :class:`Unsupported` is raised and the caller leaves the expressions to
hcl_syntax; this module never returns a different answer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from soc2iac.parsers import hcl_treesitter
from soc2iac.parsers.hcl_syntax import HclSyntaxError, _template_node
from soc2iac.parsers.hcl_treesitter import _Conditional as _Cond  # "? then :" in a flattened chain
from soc2iac.parsers.hcl_ts_tree import COMMENT as _COMMENT
from soc2iac.parsers.hcl_ts_tree import Unsupported, comment_marks, parse_tree, prepared, without_comments

if TYPE_CHECKING:
    from tree_sitter import Node as TsNode

    from soc2iac.parsers.hcl_syntax import Node

__all__ = ["Unsupported", "expressions", "parse"]

Exprs = dict[int, dict[str, "Node"]]

# hcl_syntax calls itself about a dozen times per nested expression; the scan evaluates far
# below the recursion limit, but stay well clear of where it could fail (and then say None)
MAX_LEVEL = 24
MAX_BLOCKS = 50  # nested blocks
_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_-]*")
_IDENT_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_FUNCTION = re.compile(rb"[A-Za-z_][A-Za-z0-9_-]*(?:::[A-Za-z_][A-Za-z0-9_-]*)*")
_NUMBER = re.compile(rb"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_LEGACY_INDEX = re.compile(rb"\.([0-9]+)")
# white space tree-sitter skips and hcl_syntax does not (a carriage return alone included)
_ODD_SPACE = re.compile(rb"\r(?!\n)|[\x0b\x0c\x1c-\x1f]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]"
                        rb"|\xe2\x81\x9f|\xe3\x80\x80|\xef\xbb\xbf")
_QUOTED_SPECIAL = re.compile(rb'[\\$%\n"]')
_HEREDOC_SPECIAL = re.compile(rb"[$%]")
_HEREDOC_HEAD = re.compile(rb"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_ESCAPES = {ord("n"): "\n", ord("r"): "\r", ord("t"): "\t", ord('"'): '"', ord("\\"): "\\"}
_HEX = re.compile(rb"[0-9A-Fa-f]+")
_PRECEDENCE = {"||": 0, "&&": 1, "==": 2, "!=": 2, ">=": 3, "<=": 3, ">": 3, "<": 3,
               "+": 4, "-": 4, "*": 5, "/": 5, "%": 5}
_SEQUENCES = frozenset({"template_interpolation", "template_if_intro", "template_else_intro", "template_if_end",
                        "template_for_start", "template_for_end"})
_DIRECTIVE_WORDS = {"template_if_intro": "if", "template_else_intro": "else", "template_if_end": "endif",
                    "template_for_start": "for", "template_for_end": "endfor"}
_WRAPPED = {"quoted_template": "template", "heredoc_template": "heredoc", "tuple": "tuple_cons",
            "object": "object_cons", "for_tuple_expr": "for_expr", "for_object_expr": "for_expr"}


def parse(text: str) -> tuple[dict[str, Any] | None, Exprs | None]:
    """python-hcl2's body and hcl_syntax's expressions of ``text``, from one tree-sitter parse
    where the text needs no normalizing for python-hcl2 (two otherwise). None for either the
    fast path cannot vouch for. ImportError when tree-sitter is not installed."""
    if not text.strip():
        return None, None
    try:
        src = prepared(text)
    except Unsupported:
        return None, None
    root = parse_tree(src)
    body: dict[str, Any] | None
    try:
        body = hcl_treesitter.render(src, root)
    except Exception:  # noqa: BLE001 - Unsupported, or anything unexpected: python-hcl2 decides
        body = None
    try:
        raw = text.encode("utf-8")
        if len(src) - len(raw) not in (0, 1) or not src.startswith(raw):
            src = raw + b"\n"  # normalize() changed the text: hcl_syntax reads the original
            root = parse_tree(src)
        return body, expressions(src, root)
    except Exception:  # noqa: BLE001 - Unsupported, or anything unexpected: hcl_syntax decides
        return body, None


def expressions(src: bytes, root: TsNode) -> Exprs:
    """hcl_syntax's :func:`~soc2iac.parsers.hcl_syntax.parse_file` of ``src`` from its tree."""
    if root.has_error:
        raise Unsupported("syntax error (tree-sitter)")
    if _ODD_SPACE.search(src):
        raise Unsupported("white space hcl_syntax does not skip")
    try:
        return _Builder(src).file(root)
    except RecursionError:
        raise Unsupported("nested too deeply") from None


class _Builder:
    def __init__(self, src: bytes) -> None:
        self.src = src
        self.marks = comment_marks(src)
        self.out: Exprs = {}
        self.blocks = 0
        self.in_heredoc = False  # inside a heredoc's template (hcl_syntax reads those from a copy)

    # -- helpers ------------------------------------------------------------
    def newline_first(self, start: int, end: int) -> bool:
        """Whether hcl_syntax's ``skip()`` meets a line break in ``src[start:end]`` (blanks and
        comments) before the next token, where a line break ends what it reads."""
        src = self.src
        if src.find(b"\n", start, end) < 0:
            return False
        i = start
        while i < end:
            c = src[i]
            if c == 0x20 or c == 0x09 or c == 0x0D:
                i += 1
            elif c == 0x0A or c == 0x23 or src.startswith(b"//", i):  # a line comment runs to a line break
                return True
            elif src.startswith(b"/*", i):
                close = src.find(b"*/", i + 2, end)
                if close < 0:
                    raise Unsupported("comment")
                i = close + 2
            else:
                raise Unsupported("unexpected text between tokens")
        return False

    def same_line(self, start: int, end: int, nl: bool) -> None:
        """Between two tokens of one expression: where a line break ends it, none may come."""
        if nl and self.newline_first(start, end):
            raise Unsupported("line break inside an expression (hcl_syntax ends it there)")

    def kids(self, node: TsNode) -> list[TsNode]:
        return without_comments(node, self.marks)

    def name(self, node: TsNode) -> str:
        """An identifier as hcl_syntax lexes it (ASCII, greedy)."""
        if node.type != "identifier":
            raise Unsupported(f"{node.type} where a name is expected")
        self.word_end(node)
        raw = self.src[node.start_byte:node.end_byte]
        if not _IDENT.fullmatch(raw):
            raise Unsupported("name hcl_syntax does not lex")
        return raw.decode("ascii")

    def word_end(self, node: TsNode) -> None:
        """hcl_syntax reads names and keywords greedily: nothing name-like may follow."""
        end = node.end_byte
        if end < len(self.src) and self.src[end] in _IDENT_CHARS:
            raise Unsupported("word continues")

    # -- bodies -------------------------------------------------------------
    def file(self, root: TsNode) -> Exprs:
        self.out[0] = {}
        bodies = [c for c in root.children if c.type != _COMMENT]
        if not bodies:
            return self.out
        if len(bodies) != 1 or bodies[0].type != "body":
            raise Unsupported("unexpected top level")
        self.body(bodies[0], 0)
        return self.out

    def body(self, node: TsNode, key: int) -> None:
        attrs = self.out.setdefault(key, {})
        prev = -1
        for child in node.children:
            kind = child.type
            if kind == _COMMENT:
                continue
            if prev >= 0 and not self.newline_first(prev, child.start_byte):
                raise Unsupported("two body items on one line")
            if kind == "attribute":
                kids = self.kids(child)
                if len(kids) != 3 or kids[1].type != "=":
                    raise Unsupported("attribute shape")
                self.same_line(kids[0].end_byte, kids[1].start_byte, True)
                self.same_line(kids[1].end_byte, kids[2].start_byte, True)
                attrs[self.name(kids[0])] = self.expr(kids[2], True, 0)
            elif kind == "block":
                self.block(child)
            else:
                raise Unsupported(f"{kind} in a body")
            prev = child.end_byte

    def block(self, node: TsNode) -> None:
        kids = [c for c in node.children if c.type != _COMMENT]
        if len(kids) < 3 or kids[-1].type != "block_end":
            raise Unsupported("block shape")
        self.name(kids[0])
        i = 1
        while kids[i].type in ("identifier", "string_lit"):
            self.same_line(kids[i - 1].end_byte, kids[i].start_byte, True)
            if kids[i].type == "identifier":
                self.name(kids[i])
            else:
                self.template(kids[i], 0)  # a label: read, and dropped
            i += 1
        if kids[i].type != "block_start":
            raise Unsupported("block shape")
        self.same_line(kids[i - 1].end_byte, kids[i].start_byte, True)
        rest = kids[i + 1:-1]
        start = kids[0].start_point[0] + 1
        self.blocks += 1
        if self.blocks > MAX_BLOCKS:
            raise Unsupported("blocks nested too deeply")
        if not rest:
            self.out.setdefault(start, {})
        elif len(rest) == 1 and rest[0].type == "body":
            self.body(rest[0], start)
        else:
            raise Unsupported("block shape")
        self.blocks -= 1

    # -- operator chains ----------------------------------------------------
    def expr(self, node: TsNode, nl: bool, level: int) -> Node:
        """hcl_syntax's ``expr()`` of ``node``; ``nl``: a line break ends the expression here."""
        if level > MAX_LEVEL:
            raise Unsupported("nested too deeply")
        items: list[Any] = []
        self.flatten([node], items, nl, level)
        return items[0] if len(items) == 1 else self.fold(items, 0, level)

    def fold(self, items: list[Any], start: int, level: int) -> Node:
        """``binary ? expr : expr`` over the flattened chain from ``start``."""
        for k in range(start + 1, len(items), 2):
            sep = items[k]
            if isinstance(sep, _Cond):
                if level > MAX_LEVEL:
                    raise Unsupported("nested too deeply")
                return ("cond", _binary(items, start, k), sep.then, self.fold(items, k + 1, level + 1))
        return _binary(items, start, len(items))

    def flatten(self, seq: list[TsNode], out: list[Any], nl: bool, level: int) -> None:
        """Append operand, operator, operand ... of the chain ``seq`` spells to ``out``."""
        if len(seq) == 1:
            node = seq[0]
            kind = node.type
            if kind in ("expression", "operation"):
                self.flatten(self.kids(node), out, nl, level)
                return
            if kind == "binary_operation":
                kids = self.kids(node)
                ops = [i for i, c in enumerate(kids) if not c.is_named and c.type in _PRECEDENCE]
                if len(ops) != 1 or ops[0] in (0, len(kids) - 1):
                    raise Unsupported("binary operation shape")
                k = ops[0]
                self.flatten(kids[:k], out, nl, level)
                self.same_line(kids[k - 1].end_byte, kids[k].start_byte, nl)
                self.same_line(kids[k].end_byte, kids[k + 1].start_byte, nl)
                out.append(kids[k].type)
                self.flatten(kids[k + 1:], out, nl, level)
                return
            if kind == "conditional":
                kids = self.kids(node)
                if len(kids) != 5 or kids[1].type != "?" or kids[3].type != ":":
                    raise Unsupported("conditional shape")
                self.flatten(kids[:1], out, nl, level)
                for a, b in zip(kids, kids[1:]):
                    self.same_line(a.end_byte, b.start_byte, nl)
                out.append(_Cond(self.expr(kids[2], nl, level + 1)))
                self.flatten(kids[4:], out, nl, level)
                return
            if kind == "unary_operation":
                out.append(self.unary(node, nl, level, 0))
                return
        out.append(self.term(seq, nl, level))

    def unary(self, node: TsNode, nl: bool, level: int, chain: int) -> Node:
        if chain > MAX_LEVEL:
            raise Unsupported("unary operators nested too deeply")
        kids = self.kids(node)
        op, seq = kids[0].type, kids[1:]
        if op not in ("-", "!") or not seq:
            raise Unsupported("unary operation shape")
        self.same_line(kids[0].end_byte, seq[0].start_byte, nl)
        if len(seq) == 1 and seq[0].type == "operation":
            (inner_op,) = self.kids(seq[0])
            if inner_op.type != "unary_operation":
                raise Unsupported("unary operation shape")
            inner = self.unary(inner_op, nl, level, chain + 1)
        elif len(seq) == 1 and seq[0].type in ("expression", "conditional", "binary_operation", "unary_operation"):
            raise Unsupported("unary operation shape")
        else:
            inner = self.term(seq, nl, level)
        if op == "!":
            return ("not", inner)
        if inner[0] == "lit" and isinstance(inner[1], (int, float)) and not isinstance(inner[1], bool):
            return ("lit", -inner[1])
        return ("neg", inner)

    # -- terms ----------------------------------------------------------------
    def term(self, seq: list[TsNode], nl: bool, level: int) -> Node:
        """A primary or a parenthesised expression, then postfix operators."""
        first = seq[0]
        node: Node
        if first.type == "(":
            if len(seq) < 3 or seq[2].type != ")":
                raise Unsupported("parenthesis shape")
            node = ("paren", self.expr(seq[1], False, level + 1))
            rest, last = seq[3:], seq[2]
        else:
            node = self.primary(first, nl, level)
            rest, last = seq[1:], first
        for post in rest:
            self.same_line(last.end_byte, post.start_byte, nl)
            last = post
            kind = post.type
            if kind == "get_attr":
                node = ("attr", node, self.attr_name(post, nl))
            elif kind == "index":
                node = ("index", node, self.index_key(post, level))
            elif kind == "splat":
                node, ops = self.splat(node, post, nl, level)
                for op in ops:  # what hcl_syntax reads after the splat, not in it
                    node = ("attr", node, op[1]) if op[0] == "attr" else ("index", node, op[1])
            else:
                raise Unsupported(f"{kind} after an expression term")
        return node

    def attr_name(self, node: TsNode, nl: bool) -> str:
        kids = self.kids(node)
        if len(kids) != 2 or kids[0].type != ".":
            raise Unsupported("attribute access shape")
        self.same_line(kids[0].end_byte, kids[1].start_byte, nl)
        return self.name(kids[1])

    def index_key(self, post: TsNode, level: int) -> Node:
        (inner,) = self.kids(post)
        if inner.type == "legacy_index":
            m = _LEGACY_INDEX.fullmatch(self.src, inner.start_byte, inner.end_byte)
            if m is None or len(m.group(1)) > 4000:
                raise Unsupported("legacy index spelling")
            return ("lit", int(m.group(1)))
        kids = self.kids(inner)
        if inner.type != "new_index" or len(kids) != 3 or kids[0].type != "[" or kids[2].type != "]":
            raise Unsupported("index shape")
        return self.expr(kids[1], False, level + 1)

    def splat(self, node: Node, post: TsNode, nl: bool, level: int) -> tuple[Node, list[Node]]:
        """The splat node and the operators after it that hcl_syntax no longer counts as its own."""
        (inner,) = self.kids(post)
        kids = self.kids(inner)
        lead = {"attr_splat": ".*", "full_splat": "[*]"}.get(inner.type)
        if lead is None or kids[0].type != lead or self.src[kids[0].start_byte:kids[0].end_byte] != lead.encode():
            raise Unsupported("splat shape")
        ops: list[Node] = []
        after: list[Node] = []  # from a ". name" or ".0": hcl_syntax's splat has ended, postfix operators follow
        for prev, op in zip(kids, kids[1:]):
            self.same_line(prev.end_byte, op.start_byte, nl)
            if op.type == "get_attr":
                name = self.attr_name(op, nl)
                tight = op.children[0].end_byte == op.children[-1].start_byte
                (ops if tight and not after else after).append(("attr", name))
            elif op.type == "index":
                key = self.index_key(op, level)
                (ops if self.kids(op)[0].type != "legacy_index" and not after else after).append(("index", key))
            else:
                raise Unsupported("splat shape")
        return ("splat", node, tuple(ops)), after

    def primary(self, node: TsNode, nl: bool, level: int) -> Node:
        kind = node.type
        if kind == "variable_expr":
            (ident,) = self.kids(node)
            name = self.name(ident)
            if name in ("true", "false"):
                return ("lit", name == "true")
            return ("lit", None) if name == "null" else ("var", name)
        if kind == "literal_value":
            (lit,) = self.kids(node)
            kind = lit.type
            if kind == "numeric_lit":
                return self.number(lit)
            if kind == "bool_lit" or kind == "null_lit":
                raw = self.src[lit.start_byte:lit.end_byte]
                self.word_end(lit)
                value = {b"true": True, b"false": False, b"null": None}.get(raw, ...)
                if value is ...:
                    raise Unsupported("literal spelling")
                return ("lit", value)
            if kind == "string_lit":
                return self.template(lit, level)
            raise Unsupported(f"literal {kind}")
        if kind == "function_call":
            return self.call(node, nl, level)
        if kind in ("template_expr", "collection_value", "for_expr"):
            (inner,) = self.kids(node)
            method = _WRAPPED.get(inner.type)
            if method is not None:
                return getattr(self, method)(inner, level)
        raise Unsupported(f"expression term {kind}")

    def number(self, node: TsNode) -> Node:
        m = _NUMBER.match(self.src, node.start_byte)
        if m is None or m.end() != node.end_byte or node.end_byte - node.start_byte > 4000:
            raise Unsupported("number spelling")
        text = m.group()
        return ("lit", int(text) if m.group(1) is None and m.group(2) is None else float(text))

    # -- collections, calls, for expressions -----------------------------------
    def not_for(self, node: TsNode) -> None:
        """hcl_syntax takes a first item spelled ``for`` as the start of a for expression."""
        m = _IDENT.match(self.src, node.start_byte)
        if m is not None and m.group() == b"for":
            raise Unsupported("first item named for")

    def tuple_cons(self, node: TsNode, level: int) -> Node:
        kids = self.kids(node)
        if kids[0].type != "tuple_start" or kids[-1].type != "tuple_end":
            raise Unsupported("tuple shape")
        items: list[Node] = []
        expect_item = True
        for child in kids[1:-1]:
            if child.type == "expression" and expect_item:
                if not items:
                    self.not_for(child)
                items.append(self.expr(child, False, level + 1))
                expect_item = False
            elif child.type == "," and not expect_item:
                expect_item = True
            else:
                raise Unsupported("tuple shape")
        return ("tuple", tuple(items))

    def object_cons(self, node: TsNode, level: int) -> Node:
        kids = self.kids(node)
        if kids[0].type != "object_start" or kids[-1].type != "object_end":
            raise Unsupported("object shape")
        items: list[tuple[Node, Node]] = []
        prev: TsNode | None = None  # the element before, while no comma followed it
        for child in kids[1:-1]:
            if child.type == "object_elem":
                if prev is not None and not self.newline_first(prev.end_byte, child.start_byte):
                    raise Unsupported("object elements on one line without a comma")
                items.append(self.object_elem(child, level, first=not items))
                prev = child
            elif child.type == "," and prev is not None:
                self.same_line(prev.end_byte, child.start_byte, True)
                prev = None
            else:
                raise Unsupported("object shape")
        return ("object", tuple(items))

    def object_elem(self, node: TsNode, level: int, *, first: bool) -> tuple[Node, Node]:
        kids = self.kids(node)
        if len(kids) != 3 or kids[1].type not in ("=", ":"):
            raise Unsupported("object element shape")
        if first:
            self.not_for(kids[0])
        self.same_line(kids[0].end_byte, kids[1].start_byte, True)
        self.same_line(kids[1].end_byte, kids[2].start_byte, True)
        key = self.expr(kids[0], True, level + 1)
        if key[0] == "var":  # a bare name is the key itself; (name) is an expression
            key = ("lit", key[1])
        elif key[0] == "paren":
            key = key[1]
        return key, self.expr(kids[2], True, level + 1)

    def call(self, node: TsNode, nl: bool, level: int) -> Node:
        kids = self.kids(node)
        if len(kids) < 3 or kids[0].type != "identifier" or kids[1].type != "(" or kids[-1].type != ")":
            raise Unsupported("function call shape")
        raw = self.src[kids[0].start_byte:kids[0].end_byte]
        if not _FUNCTION.fullmatch(raw) or raw in (b"true", b"false", b"null"):
            raise Unsupported("function name hcl_syntax does not lex")
        self.word_end(kids[0])
        self.same_line(kids[0].end_byte, kids[1].start_byte, nl)
        args: list[Node] = []
        expand = False
        inner = kids[2:-1]
        if len(inner) > 1 or (inner and inner[0].type != "function_arguments"):
            raise Unsupported("function call shape")
        state = "item"  # what may come next: "item", "after" (an item was read), "comma" (after "...")
        for item in self.kids(inner[0]) if inner else ():
            if item.type == "expression" and state == "item":
                args.append(self.expr(item, False, level + 1))
                state = "after"
            elif item.type == "ellipsis" and state == "after":
                expand = True
                state = "comma"
            elif item.type == "," and state in ("after", "comma"):
                state = "item"
            else:
                raise Unsupported("function arguments shape")
        return ("call", raw.decode("ascii"), tuple(args), expand)

    def keyword(self, node: TsNode, word: str) -> None:
        if node.type != word:
            raise Unsupported(f"expected {word}")
        self.word_end(node)

    def for_intro(self, node: TsNode, level: int) -> tuple[str | None, str, Node]:
        kids = self.kids(node)
        kinds = [c.type for c in kids]
        self.keyword(kids[0], "for")
        if kinds == ["for", "identifier", "in", "expression", ":"]:
            names: tuple[str | None, str] = (None, self.name(kids[1]))
        elif kinds == ["for", "identifier", ",", "identifier", "in", "expression", ":"]:
            names = (self.name(kids[1]), self.name(kids[3]))
        else:
            raise Unsupported("for intro shape")
        self.keyword(kids[-3], "in")
        return names[0], names[1], self.expr(kids[-2], False, level + 1)

    def for_expr(self, node: TsNode, level: int) -> Node:
        kids = self.kids(node)
        kinds = [c.type for c in kids]
        is_object = node.type == "for_object_expr"
        if is_object:
            if kinds[:5] != ["object_start", "for_intro", "expression", "=>", "expression"] or kinds[-1] != "object_end":
                raise Unsupported("for expression shape")
            key: Node | None = self.expr(kids[2], False, level + 1)
            value, tail = kids[4], kids[5:-1]
        elif node.type == "for_tuple_expr":
            if kinds[:3] != ["tuple_start", "for_intro", "expression"] or kinds[-1] != "tuple_end":
                raise Unsupported("for expression shape")
            key, value, tail = None, kids[2], kids[3:-1]
        else:
            raise Unsupported(f"for expression {node.type}")
        key_var, value_var, collection = self.for_intro(kids[1], level)
        grouping = False
        if is_object and tail and tail[0].type == "ellipsis":
            grouping, tail = True, tail[1:]
        condition: Node | None = None
        if tail:
            cond = self.kids(tail[0])
            if len(tail) != 1 or tail[0].type != "for_cond" or [c.type for c in cond] != ["if", "expression"]:
                raise Unsupported("for expression shape")
            self.keyword(cond[0], "if")
            condition = self.expr(cond[1], False, level + 1)
        value_node = self.expr(value, False, level + 1)
        return ("for", is_object, key_var, value_var, collection, key, value_node, condition, grouping)

    # -- templates ------------------------------------------------------------
    def template(self, node: TsNode, level: int) -> Node:
        """A quoted string (``string_lit`` or ``quoted_template``)."""
        children = node.children
        if (len(children) < 2 or children[0].type != "quoted_template_start"
                or children[-1].type != "quoted_template_end"):
            raise Unsupported("string shape")
        start, end = children[0].end_byte, children[-1].start_byte
        if _QUOTED_SPECIAL.search(self.src, start, end) is None:  # plain text
            return ("lit", self.src[start:end].decode("utf-8"))
        return self.lex([(start, end)], children[1:-1], quoted=True, level=level)

    def heredoc(self, node: TsNode, level: int) -> Node:
        if self.in_heredoc:
            raise Unsupported("heredoc in a heredoc")
        src = self.src
        head = _HEREDOC_HEAD.match(src, node.start_byte)
        kids = node.children
        if head is None or kids[-1].type != "heredoc_identifier" or len(kids) < 3:
            raise Unsupported("heredoc shape")
        flush, marker = head.group(1) == b"-", head.group(2)
        end_line = re.compile(rb"^([ \t]*)" + re.escape(marker) + rb"[ \t]*\r?$", re.MULTILINE).search(src, head.end())
        if end_line is None or end_line.end(1) != kids[-1].start_byte or kids[-1].end_byte != node.end_byte:
            raise Unsupported("heredoc python-hcl2 and hcl_syntax delimit differently")
        start, end = head.end(), end_line.start()
        segments = [(start, end)]
        if flush:
            lines = src[start:end].decode("utf-8").split("\n")
            indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
            cut = min(indents) if indents else 0
            segments = []
            pos = start
            for n, ln in enumerate(lines):
                size = len(ln.encode("utf-8"))
                line_end = pos + size + (1 if n + 1 < len(lines) else 0)  # with its line break
                segments.append((pos + len(ln[:cut].encode("utf-8")), line_end))
                pos = line_end
        self.in_heredoc = True
        try:
            return self.lex(segments, kids[2:-1], quoted=False, level=level)
        finally:
            self.in_heredoc = False

    def lex(self, segments: list[tuple[int, int]], parts: list[TsNode], *, quoted: bool, level: int) -> Node:
        """hcl_syntax's ``template_parts`` over the text of ``segments``, its ``${`` and ``%{``
        sequences taken from the tree (``parts``: the template's children)."""
        sequences: dict[int, TsNode] = {}
        stack = list(parts)
        while stack:
            child = stack.pop()
            if child.type in _SEQUENCES:
                sequences[child.start_byte] = child
            elif child.type in ("template_directive", "template_if", "template_for"):
                stack.extend(child.children)
        src = self.src
        special = _QUOTED_SPECIAL if quoted else _HEREDOC_SPECIAL
        tokens: list[Any] = []
        text: list[str] = []
        for pos, end in segments:
            while pos < end:
                m = special.search(src, pos, end)
                if m is None:
                    text.append(src[pos:end].decode("utf-8"))
                    break
                j = m.start()
                if j > pos:
                    text.append(src[pos:j].decode("utf-8"))
                c = src[j]
                if c == 0x5C:  # backslash
                    escaped, pos = self.escape(j)
                    text.append(escaped)
                elif c == 0x24 or c == 0x25:  # $ %
                    if src[j + 1:j + 2] == src[j:j + 1] and src[j + 2:j + 3] == b"{":
                        text.append(chr(c) + "{")
                        pos = j + 3
                        sequences.pop(j + 1, None)  # "$$${x}": text to hcl_syntax, read on as such
                    elif src[j + 1:j + 2] == b"{":
                        seq = sequences.pop(j, None)
                        if seq is None or seq.end_byte > end or (c == 0x24) != (seq.type == "template_interpolation"):
                            raise Unsupported("template sequence the tree does not have")
                        if text:
                            tokens.append(["lit", "".join(text)])
                            text.clear()
                        tokens.append(self.sequence(seq, level))
                        pos = seq.end_byte
                    else:
                        text.append(chr(c))
                        pos = j + 1
                else:
                    raise Unsupported("line break or quote in a string")
        if sequences:
            raise Unsupported("template sequence hcl_syntax reads as text")
        if text:
            tokens.append(["lit", "".join(text)])
        try:
            return _template_node(tokens)
        except HclSyntaxError:
            raise Unsupported("template directives do not nest") from None

    def escape(self, pos: int) -> tuple[str, int]:
        src = self.src
        nxt = src[pos + 1] if pos + 1 < len(src) else -1
        if nxt in _ESCAPES:
            return _ESCAPES[nxt], pos + 2
        width = {0x75: 4, 0x55: 8}.get(nxt)  # u U
        if width:
            digits = src[pos + 2:pos + 2 + width]
            if len(digits) == width and _HEX.fullmatch(digits) and int(digits, 16) <= 0x10FFFF:
                return chr(int(digits, 16)), pos + 2 + width
        raise Unsupported("escape hcl_syntax does not read")

    def sequence(self, node: TsNode, level: int) -> list[Any]:
        """One ``${ }`` or ``%{ }`` as hcl_syntax's template token (strip markers last)."""
        kids = self.kids(node)
        if len(kids) < 3 or self.src[kids[0].start_byte:kids[0].end_byte] not in (b"${", b"%{"):
            raise Unsupported("template sequence shape")
        if (kids[-1].type not in ("template_interpolation_end", "template_directive_end")
                or self.src[kids[-1].start_byte:kids[-1].end_byte] != b"}"):
            raise Unsupported("template sequence shape")
        inner = kids[1:-1]
        strip_left = inner[0].type == "strip_marker"
        if strip_left:
            if inner[0].start_byte != kids[0].end_byte:
                raise Unsupported("strip marker after a space")
            inner = inner[1:]
        strip_right = bool(inner) and inner[-1].type == "strip_marker"
        if strip_right:
            inner = inner[:-1]
        kinds = [c.type for c in inner]
        if node.type == "template_interpolation":
            if kinds != ["expression"]:
                raise Unsupported("interpolation shape")
            token: list[Any] = ["interp", self.expr(inner[0], False, level + 1)]
        else:
            word = _DIRECTIVE_WORDS[node.type]
            if not inner or kinds[0] != word:
                raise Unsupported("directive shape")
            self.word_end(inner[0])
            if word == "if" and kinds == ["if", "expression"]:
                token = ["if", self.expr(inner[1], False, level + 1)]
            elif word == "for" and kinds in (["for", "identifier", "in", "expression"],
                                             ["for", "identifier", ",", "identifier", "in", "expression"]):
                self.keyword(inner[-2], "in")
                names = [self.name(inner[1])] + ([self.name(inner[3])] if len(inner) == 6 else [])
                key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
                token = ["for", key_var, value_var, self.expr(inner[-1], False, level + 1)]
            elif word in ("else", "endif", "endfor") and len(kinds) == 1:
                token = [word]
            else:
                raise Unsupported("directive shape")
        return [*token, strip_left, strip_right]


def _binary(items: list[Any], start: int, end: int) -> Node:
    """Operands and operators ``items[start:end]`` grouped as hcl_syntax groups them (by
    precedence, left to right)."""
    operands: list[Node] = [items[start]]
    ops: list[str] = []
    for k in range(start + 1, end, 2):
        op = items[k]
        level = _PRECEDENCE[op]
        while ops and _PRECEDENCE[ops[-1]] >= level:
            right = operands.pop()
            operands.append(("bin", ops.pop(), operands.pop(), right))
        ops.append(op)
        operands.append(items[k + 1])
    while ops:
        right = operands.pop()
        operands.append(("bin", ops.pop(), operands.pop(), right))
    return operands[0]
