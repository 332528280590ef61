"""HCL native syntax as Terraform reads it: every attribute's expression, parsed from the source.

python-hcl2 (and the tree-sitter renderer that matches it) give the structure of a file, but
they render expressions back to text, and lossily: ``toset(["a-b", "c"])`` comes out as
``toset([a-b, c])``. So the expressions are read again here, from the file's own text, into
small syntax trees made of tuples (picklable, hence cacheable)::

    ("lit", value)                      literal: str, int, float, bool or None
    ("tpl", parts)                      string template; parts are nodes, ("tif", cond, then, else)
                                        and ("tfor", key, value, collection, body)
    ("var", name)                       a root name: var, local, module, each, aws_s3_bucket, ...
    ("attr", node, name)  ("index", node, key)  ("splat", node, ops)
    ("call", name, args, expand_last)   ("tuple", items)   ("object", ((key, value), ...))
    ("cond", test, then, else)  ("bin", op, left, right)  ("not", x)  ("neg", x)
    ("for", is_object, key_var, value_var, collection, key, value, condition, grouping)

:func:`parse_file` returns, for every block (by its first line, as python-hcl2's
``__start_line__``) and for the file's top-level attributes (line 0, a ``.tfvars`` file), its
attributes' trees. :class:`HclSyntaxError` for text this reader does not accept.
"""

from __future__ import annotations

import re
from typing import Any

Node = tuple[Any, ...]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",), ("&&",), ("==", "!="), (">=", "<=", ">", "<"), ("+", "-"), ("*", "/", "%"))
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
MAX_NESTING = 200  # brackets, calls and templates inside each other


class HclSyntaxError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def parse_file(text: str) -> dict[int, dict[str, Node]]:
    """Block start line (0: top level) -> attribute name -> expression tree."""
    out: dict[int, dict[str, Node]] = {}
    _Parser(text).body(out, 0, close=False)
    return out


def parse_expression(text: str) -> Node:
    """One expression (the whole text)."""
    p = _Parser(text)
    p.nl.append(False)
    node = p.expr()
    p.skip()
    if p.i < p.n:
        p.fail("unexpected text after the expression")
    return node


def parse_template(text: str) -> Node:
    """A template given without its quotes and already unescaped (python-hcl2's string values)."""
    p = _Parser(text)
    return _template_node(p.template_parts(end="", escapes=False))


class _Parser:
    def __init__(self, src: str) -> None:
        self.s = src
        self.i = 0
        self.n = len(src)
        self.nl: list[bool] = [True]  # whether a newline ends what is being read (per bracket level)

    # -- characters -------------------------------------------------------
    def line(self) -> int:
        return self.s.count("\n", 0, self.i) + 1

    def fail(self, message: str) -> Any:
        raise HclSyntaxError(message, self.line())

    def skip(self) -> None:
        """Spaces and comments; newlines too where they do not end anything."""
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c in " \t\r":
                self.i += 1
            elif c == "\n":
                if self.nl[-1]:
                    return
                self.i += 1
            elif c == "#" or s.startswith("//", self.i):
                end = s.find("\n", self.i)
                self.i = n if end < 0 else end
            elif s.startswith("/*", self.i):
                end = s.find("*/", self.i + 2)
                if end < 0:
                    self.fail("unclosed comment")
                self.i = end + 2
            else:
                return

    def skip_lines(self) -> None:
        while True:
            self.skip()
            if self.i < self.n and self.s[self.i] == "\n":
                self.i += 1
            else:
                return

    def peek(self, text: str) -> bool:
        return self.s.startswith(text, self.i)

    def expect(self, text: str) -> None:
        self.skip()
        if not self.peek(text):
            self.fail(f"expected {text!r}")
        self.i += len(text)

    def ident(self) -> str:
        m = _IDENT.match(self.s, self.i)
        if m is None:
            self.fail("expected a name")
        assert m is not None
        self.i = m.end()
        return m.group()

    def keyword(self, word: str) -> bool:
        """Whether the next word is ``word`` (and consume it)."""
        self.skip()
        m = _IDENT.match(self.s, self.i)
        if m is not None and m.group() == word:
            self.i = m.end()
            return True
        return False

    def push(self, newlines_end: bool) -> None:
        if len(self.nl) > MAX_NESTING:
            self.fail("nested too deeply")
        self.nl.append(newlines_end)

    # -- bodies -------------------------------------------------------------
    def body(self, out: dict[int, dict[str, Node]], key: int, *, close: bool) -> None:
        attrs = out.setdefault(key, {})
        while True:
            self.skip_lines()
            if self.i >= self.n:
                if close:
                    self.fail("unclosed block")
                return
            if close and self.peek("}"):
                self.i += 1
                return
            start = self.line()
            name = self.ident()
            self.skip()
            if self.peek("=") and not self.peek("=="):
                self.i += 1
                attrs[name] = self.expr()
            else:
                while True:
                    self.skip()
                    if self.peek('"'):
                        self.i += 1
                        self.template_parts(end='"', escapes=True)
                        self.i += 1
                    elif _IDENT.match(self.s, self.i):
                        self.ident()
                    else:
                        break
                self.expect("{")
                if len(self.nl) > MAX_NESTING:
                    self.fail("nested too deeply")
                self.nl.append(True)
                self.body(out, start, close=True)
                self.nl.pop()
            self.skip()
            if self.i < self.n and not self.peek("\n") and not (close and self.peek("}")):
                self.fail("expected a new line after an attribute or block")

    # -- expressions --------------------------------------------------------
    def expr(self) -> Node:
        test = self.binary(0)
        self.skip()
        if self.peek("?"):
            self.i += 1
            then = self.expr()
            self.expect(":")
            return ("cond", test, then, self.expr())
        return test

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            self.skip()
            op = next((o for o in _LEVELS[level] if self.peek(o)), None)
            if op is None:
                return left
            self.i += len(op)
            left = ("bin", op, left, self.binary(level + 1))

    def unary(self) -> Node:
        self.skip()
        if self.peek("!") and not self.peek("!="):
            self.i += 1
            return ("not", self.unary())
        if self.peek("-"):
            self.i += 1
            inner = self.unary()
            if inner[0] == "lit" and isinstance(inner[1], (int, float)) and not isinstance(inner[1], bool):
                return ("lit", -inner[1])
            return ("neg", inner)
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            save = self.i
            self.skip()
            if self.peek(".") and not self.peek("..."):
                self.i += 1
                self.skip()
                if self.peek("*"):
                    self.i += 1
                    node = ("splat", node, self.splat_ops())
                elif self.i < self.n and self.s[self.i].isdigit():
                    m = re.compile(r"[0-9]+").match(self.s, self.i)
                    assert m is not None
                    self.i = m.end()
                    node = ("index", node, ("lit", int(m.group())))
                else:
                    node = ("attr", node, self.ident())
            elif self.peek("["):
                self.i += 1
                self.push(False)
                self.skip()
                if self.peek("*"):
                    self.i += 1
                    self.expect("]")
                    self.nl.pop()
                    node = ("splat", node, self.splat_ops())
                    continue
                key = self.expr()
                self.expect("]")
                self.nl.pop()
                node = ("index", node, key)
            else:
                self.i = save
                return node

    def splat_ops(self) -> tuple[Node, ...]:
        ops: list[Node] = []
        while True:
            save = self.i
            self.skip()
            if self.peek(".") and not self.peek("...") and _IDENT.match(self.s, self.i + 1):
                self.i += 1
                ops.append(("attr", self.ident()))
            elif self.peek("[") and not re.match(r"\[\s*\*", self.s[self.i:self.i + 8]):
                self.i += 1
                self.push(False)
                key = self.expr()
                self.expect("]")
                self.nl.pop()
                ops.append(("index", key))
            else:
                self.i = save
                return tuple(ops)

    def primary(self) -> Node:
        self.skip()
        if self.i >= self.n:
            self.fail("expected an expression")
        c = self.s[self.i]
        if c.isdigit():
            m = _NUMBER.match(self.s, self.i)
            assert m is not None
            self.i = m.end()
            text = m.group()
            return ("lit", int(text) if m.group(1) is None and m.group(2) is None else float(text))
        if c == '"':
            self.i += 1
            parts = self.template_parts(end='"', escapes=True)
            self.i += 1
            return _template_node(parts)
        if self.peek("<<"):
            return self.heredoc()
        if c == "(":
            self.i += 1
            self.push(False)
            inner = self.expr()
            self.expect(")")
            self.nl.pop()
            return ("paren", inner)
        if c == "[":
            return self.tuple_cons()
        if c == "{":
            return self.object_cons()
        name = self.ident()
        if name in ("true", "false"):
            return ("lit", name == "true")
        if name == "null":
            return ("lit", None)
        while self.peek("::"):  # provider::aws::arn_parse(...)
            self.i += 2
            name += "::" + self.ident()
        save = self.i
        self.skip()
        if self.peek("("):
            return self.call(name)
        self.i = save
        return ("var", name)

    def call(self, name: str) -> Node:
        self.i += 1
        self.push(False)
        args: list[Node] = []
        expand = False
        self.skip()
        while not self.peek(")"):
            args.append(self.expr())
            self.skip()
            if self.peek("..."):
                self.i += 3
                expand = True
                self.skip()
            if not self.peek(","):
                break
            self.i += 1
            self.skip()
        self.expect(")")
        self.nl.pop()
        return ("call", name, tuple(args), expand)

    def tuple_cons(self) -> Node:
        self.i += 1
        self.push(False)
        if self.keyword("for"):
            return self.for_expr(is_object=False)
        items: list[Node] = []
        self.skip()
        while not self.peek("]"):
            items.append(self.expr())
            self.skip()
            if not self.peek(","):
                break
            self.i += 1
            self.skip()
        self.expect("]")
        self.nl.pop()
        return ("tuple", tuple(items))

    def object_cons(self) -> Node:
        self.i += 1
        self.push(True)
        self.skip_lines()
        if self.keyword("for"):
            self.nl[-1] = False
            return self.for_expr(is_object=True)
        items: list[tuple[Node, Node]] = []
        while True:
            self.skip_lines()
            if self.peek("}"):
                break
            key = self.expr()
            if key[0] == "var":  # a bare name is the key itself; (name) is an expression
                key = ("lit", key[1])
            elif key[0] == "paren":
                key = key[1]
            self.skip()
            if self.peek("=") and not self.peek("=="):
                self.i += 1
            elif self.peek(":"):
                self.i += 1
            else:
                self.fail("expected '=' in an object")
            items.append((key, self.expr()))
            self.skip()
            if self.peek(","):
                self.i += 1
            elif not self.peek("\n") and not self.peek("}"):
                self.fail("expected ',' or a new line in an object")
        self.i += 1
        self.nl.pop()
        return ("object", tuple(items))

    def for_head(self) -> tuple[str | None, str, Node]:
        """``k, v in collection`` (or ``v in collection``) after ``for``: key and value names, collection."""
        self.skip()
        first = self.ident()
        second = None
        self.skip()
        if self.peek(","):
            self.i += 1
            self.skip()
            second = self.ident()
        if not self.keyword("in"):
            self.fail("expected 'in' after 'for'")
        key_var, value_var = (first, second) if second is not None else (None, first)
        return key_var, value_var, self.expr()

    def for_expr(self, *, is_object: bool) -> Node:
        key_var, value_var, collection = self.for_head()
        self.expect(":")
        key = None
        if is_object:
            key = self.expr()
            self.expect("=>")
        value = self.expr()
        self.skip()
        grouping = False
        if is_object and self.peek("..."):
            self.i += 3
            grouping = True
        condition = self.expr() if self.keyword("if") else None
        self.expect("}" if is_object else "]")
        self.nl.pop()
        return ("for", is_object, key_var, value_var, collection, key, value, condition, grouping)

    # -- templates ----------------------------------------------------------
    def heredoc(self) -> Node:
        m = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n").match(self.s, self.i)
        if m is None:
            self.fail("invalid heredoc")
        assert m is not None
        flush, marker = m.group(1) == "-", m.group(2)
        start = m.end()
        end_line = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*\r?$", re.MULTILINE).search(self.s, start)
        if end_line is None:
            self.fail(f"heredoc {marker} is not closed")
        assert end_line is not None
        body = self.s[start:end_line.start()]
        self.i = end_line.end()
        if flush:
            lines = body.split("\n")
            indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
            cut = min(indents) if indents else 0
            body = "\n".join(ln[cut:] for ln in lines)
        sub = _Parser(body)
        return _template_node(sub.template_parts(end="", escapes=False))

    def template_parts(self, *, end: str, escapes: bool) -> list[Any]:
        """Template tokens up to ``end`` (not consumed; "" reads to the end of the text)."""
        s = self.s
        tokens: list[Any] = []
        text: list[str] = []

        def flush() -> None:
            if text:
                tokens.append(["lit", "".join(text)])
                text.clear()

        while True:
            if self.i >= self.n:
                if end:
                    self.fail("unclosed string")
                break
            c = s[self.i]
            if end and c == end:
                break
            if end and c == "\n":
                self.fail("new line in a quoted string")
            if escapes and c == "\\":
                text.append(self.escape())
            elif s.startswith("$${", self.i) or s.startswith("%%{", self.i):
                text.append(s[self.i + 1 : self.i + 3])
                self.i += 3
            elif s.startswith("${", self.i) or s.startswith("%{", self.i):
                flush()
                tokens.append(self.template_sequence(directive=c == "%"))
            else:
                text.append(c)
                self.i += 1
        flush()
        return tokens

    def escape(self) -> str:
        nxt = self.s[self.i + 1 : self.i + 2]
        if nxt in _ESCAPES:
            self.i += 2
            return _ESCAPES[nxt]
        width = {"u": 4, "U": 8}.get(nxt)
        digits = self.s[self.i + 2 : self.i + 2 + width] if width else ""
        if width and re.fullmatch(r"[0-9A-Fa-f]+", digits) and len(digits) == width:
            self.i += 2 + width
            return chr(int(digits, 16))
        return self.fail("invalid escape sequence")

    def template_sequence(self, *, directive: bool) -> list[Any]:
        self.i += 2
        strip_left = self.peek("~")
        if strip_left:
            self.i += 1
        self.push(False)
        if not directive:
            token: list[Any] = ["interp", self.expr()]
        else:
            self.skip()
            word = self.ident()
            if word == "if":
                token = ["if", self.expr()]
            elif word == "for":
                token = ["for", *self.for_head()]
            elif word in ("else", "endif", "endfor"):
                token = [word]
            else:
                self.fail(f"unknown template directive {word}")
        self.skip()
        strip_right = self.peek("~")
        if strip_right:
            self.i += 1
        self.expect("}")
        self.nl.pop()
        return [*token, strip_left, strip_right]


def _template_node(tokens: list[Any]) -> Node:
    """Fold template tokens (strip markers applied) into one node."""
    for n, tok in enumerate(tokens):
        if tok[0] == "lit":
            continue
        if tok[-2] and n > 0 and tokens[n - 1][0] == "lit":
            tokens[n - 1][1] = tokens[n - 1][1].rstrip()
        if tok[-1] and n + 1 < len(tokens) and tokens[n + 1][0] == "lit":
            tokens[n + 1][1] = tokens[n + 1][1].lstrip()
    parts, rest = _fold(tokens, 0, ())
    if rest != len(tokens):
        raise HclSyntaxError(f"unexpected template directive {tokens[rest][0]}", 0)
    if not parts:
        return ("lit", "")
    if len(parts) == 1 and parts[0][0] == "lit":
        return parts[0]
    if len(parts) == 1 and parts[0][0] not in ("tif", "tfor"):
        return parts[0]  # "${x}" alone is x itself, not its text
    return ("tpl", tuple(parts))


def _fold(tokens: list[Any], i: int, stops: tuple[str, ...]) -> tuple[list[Node], int]:
    parts: list[Node] = []
    while i < len(tokens):
        tok = tokens[i]
        kind = tok[0]
        if kind in stops:
            return parts, i
        if kind == "lit":
            if tok[1]:
                parts.append(("lit", tok[1]))
            i += 1
        elif kind == "interp":
            parts.append(tok[1])
            i += 1
        elif kind == "if":
            then, i = _fold(tokens, i + 1, ("else", "endif"))
            other: list[Node] = []
            if i < len(tokens) and tokens[i][0] == "else":
                other, i = _fold(tokens, i + 1, ("endif",))
            if i >= len(tokens):
                raise HclSyntaxError("%{if} without %{endif}", 0)
            parts.append(("tif", tok[1], ("tpl", tuple(then)), ("tpl", tuple(other))))
            i += 1
        elif kind == "for":
            body, i = _fold(tokens, i + 1, ("endfor",))
            if i >= len(tokens):
                raise HclSyntaxError("%{for} without %{endfor}", 0)
            parts.append(("tfor", tok[1], tok[2], tok[3], ("tpl", tuple(body))))
            i += 1
        else:
            return parts, i
    return parts, i
