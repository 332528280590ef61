"""Provider versions as Terraform reads them: version numbers, version constraints
(``~> 2.99``, ``>= 3.0, < 4.0``), and which versions a set of constraints admits.

Terraform's constraint language (https://developer.hashicorp.com/terraform/language/expressions/version-constraints):
``=``/no operator (exactly), ``!=``, ``>``, ``>=``, ``<``, ``<=``, and ``~>`` (only the rightmost
component may grow: ``~> 2.99`` is ``>= 2.99, < 3.0``; ``~> 2.99.1`` is ``>= 2.99.1, < 2.100``).
Every constraint of every module must hold. A ``!=`` excludes one release: it never empties
a range here (the admitted range is kept whole, which can only widen what is admitted).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Version = tuple[int, int, int]

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$")
_CONSTRAINT = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$")


def parse_version(text: str) -> Version | None:
    m = _VERSION.match(text.strip())
    if not m:
        return None
    return int(m[1]), int(m[2] or 0), int(m[3] or 0)


def shown(version: Version) -> str:
    return ".".join(map(str, version))


@dataclass(frozen=True)
class Range:
    """Versions ``low`` (inclusive unless ``low_open``) up to ``high`` (exclusive unless
    ``high_closed``); None: unbounded."""

    low: Version | None = None
    low_open: bool = False
    high: Version | None = None
    high_closed: bool = False

    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high and (self.low_open or not self.high_closed))

    def meet(self, other: Range) -> Range:
        low, low_open = self.low, self.low_open
        if other.low is not None and (low is None or other.low > low or (other.low == low and other.low_open)):
            low, low_open = other.low, other.low_open
        high, high_closed = self.high, self.high_closed
        if other.high is not None and (high is None or other.high < high or (other.high == high and not other.high_closed)):
            high, high_closed = other.high, other.high_closed
        return Range(low, low_open, high, high_closed)

    def overlaps(self, low: Version | None, high: Version | None) -> bool:
        """Whether some version ``low <= v < high`` is in this range."""
        return not self.meet(Range(low, False, high, False)).empty()


class ConstraintError(ValueError):
    pass


def constraint_range(text: str) -> Range:
    """The versions one constraint string admits (its comma-separated parts all hold)."""
    out = Range()
    for part in text.split(","):
        if not part.strip():
            continue
        m = _CONSTRAINT.match(part)
        version = parse_version(m[2]) if m else None
        if m is None or version is None:
            raise ConstraintError(f"not a version constraint: {part.strip()!r}")
        op = m[1] or "="
        given = len(m[2].lstrip("v").split("-")[0].split("+")[0].split("."))
        if op == "~>":
            if given <= 1:
                upper: Version = (version[0] + 1, 0, 0)  # ~> 2 is treated as ~> 2.0
            elif given == 2:
                upper = (version[0] + 1, 0, 0)
            else:
                upper = (version[0], version[1] + 1, 0)
            out = out.meet(Range(version, False, upper, False))
        elif op == "=":
            out = out.meet(Range(version, False, version, True))
        elif op == ">=":
            out = out.meet(Range(low=version))
        elif op == ">":
            out = out.meet(Range(low=version, low_open=True))
        elif op == "<=":
            out = out.meet(Range(high=version, high_closed=True))
        elif op == "<":
            out = out.meet(Range(high=version))
        # "!=" excludes one release: the range stays whole
    return out


@dataclass(frozen=True)
class ProviderVersions:
    """What a Terraform configuration says about one provider's version: the constraints of the
    modules (as written, with where: ``("~> 2.99", "main.tf:5")``) and the version
    ``.terraform.lock.hcl`` selected."""

    constraints: tuple[tuple[str, str], ...] = ()
    locked: str = ""
    lock_file: str = ""

    def admitted(self) -> Range:
        """The versions these constraints admit (the locked one only, when there is a lock)."""
        locked = parse_version(self.locked) if self.locked else None
        if locked is not None:
            return Range(locked, False, locked, True)
        out = Range()
        for text, _where in self.constraints:
            try:
                out = out.meet(constraint_range(text))
            except ConstraintError:
                continue  # Terraform rejects it; what it would admit is not narrowed here
        return out

    def basis(self) -> str:
        """Where the admitted versions come from, for a finding's message."""
        if self.locked:
            return f"{self.lock_file or '.terraform.lock.hcl'} selects {self.locked}"
        if self.constraints:
            return "required_providers admits " + ", ".join(f"{text!r} ({where})" for text, where in self.constraints)
        return "no version constraint"


@dataclass(frozen=True)
class Segment:
    """A product default that holds for versions ``low <= v < high``."""

    low: Version | None
    high: Version | None
    default: object
    note: str = field(default="")


def segments(current: object, current_note: str, earlier: Iterable[Mapping[str, object]]) -> list[Segment]:
    """Segments from ``earlier`` (``{below, default, note}``, any order) and the current default,
    which holds from the highest ``below`` on."""
    entries = sorted(((parse_version(str(e["below"])) or (0, 0, 0), e) for e in earlier), key=lambda x: x[0])
    out: list[Segment] = []
    low: Version | None = None
    for below, entry in entries:
        out.append(Segment(low, below, entry.get("default"), str(entry.get("note") or f"before {shown(below)}")))
        low = below
    out.append(Segment(low, None, current, current_note))
    return out
