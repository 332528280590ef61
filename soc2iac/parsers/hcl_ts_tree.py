"""The tree-sitter parse of an HCL file, shared by the two readers of its tree.

:mod:`soc2iac.parsers.hcl_treesitter` renders the tree into python-hcl2's dict,
:mod:`soc2iac.parsers.hcl_ts_syntax` into hcl_syntax's expression trees. Both raise
:class:`Unsupported` where they cannot vouch for an exact answer. ``tree_sitter`` is
imported on first use only.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from typing import TYPE_CHECKING

from soc2iac.parsers.hcl_prepass import normalize

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

__all__ = ["Unsupported", "comment_marks", "parse_tree", "prepared", "without_comments"]

COMMENT = "comment"
_COMMENT_START = re.compile(rb"#|//|/\*")


class Unsupported(Exception):
    """The fast path cannot vouch for its answer here: use the reference parser instead."""


_local = threading.local()  # tree_sitter.Parser objects are not shared between threads


def _parser() -> Parser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        import tree_sitter
        import tree_sitter_hcl

        parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
        _local.parser = parser
    return parser


def prepared(text: str) -> bytes:
    """What python-hcl2 is given (:func:`normalize`, a final line break), as UTF-8."""
    text = normalize(text)
    if not text.endswith("\n"):
        text += "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise Unsupported("text is not encodable as UTF-8") from None


def parse_tree(src: bytes) -> Node:
    """The root of tree-sitter's tree of ``src`` (syntax errors included)."""
    return _parser().parse(src).root_node


def comment_marks(src: bytes) -> list[int]:
    """Where a comment may start in ``src`` (a superset: strings may hold ``#`` too)."""
    return [m.start() for m in _COMMENT_START.finditer(src)]


def without_comments(node: Node, marks: list[int]) -> list[Node]:
    """``node``'s children without comments; a comment at either edge is not accounted for:
    refuse. ``marks`` (:func:`comment_marks`) spares the look at nodes no comment can be in."""
    children = node.children
    i = bisect_left(marks, node.start_byte)
    if i == len(marks) or marks[i] >= node.end_byte or not any(c.type == COMMENT for c in children):
        return children
    if children[0].type == COMMENT or children[-1].type == COMMENT:
        raise Unsupported(f"comment at the edge of {node.type}")
    return [c for c in children if c.type != COMMENT]
