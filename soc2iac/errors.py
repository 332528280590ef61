"""The one error type the CLI catches, and the per-file input problem record."""

from __future__ import annotations

from dataclasses import dataclass


class Soc2iacError(Exception):
    """A usage or configuration problem; the CLI prints it on one line and exits 2."""


@dataclass(frozen=True)
class InputProblem:
    """A file that could not be read or parsed. The scan goes on without it."""

    file: str
    message: str
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class InputError(Exception):
    """Raised by a parser for one bad file; turned into an :class:`InputProblem`."""

    def __init__(self, file: str, message: str, line: int = 0) -> None:
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        self.problem = InputProblem(file=file, message=message, line=line)
