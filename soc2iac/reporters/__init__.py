"""Reporters are pure functions of the scan result, looked up by format name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

# format name -> module with `render(result, **options) -> str`
FORMATS: dict[str, str] = {
    "text": "soc2iac.reporters.text",
    "json": "soc2iac.reporters.json_report",
    "markdown": "soc2iac.reporters.markdown",
    "html": "soc2iac.reporters.html",
    "csv": "soc2iac.reporters.csv_report",
    "sarif": "soc2iac.reporters.sarif",
    "junit": "soc2iac.reporters.junit",
}


# file extension -> the format it means (an --output whose extension names another format is an error;
# with no --format at all, each --output's extension chooses its format)
EXTENSIONS: dict[str, str] = {
    ".txt": "text", ".json": "json", ".md": "markdown", ".html": "html", ".htm": "html", ".csv": "csv",
    ".sarif": "sarif", ".xml": "junit",
}


def renderer(fmt: str) -> Callable[..., Any]:
    return importlib.import_module(FORMATS[fmt]).render


def chunk_renderer(fmt: str) -> Callable[..., Iterable[str]]:
    """The format's ``render_chunks`` (the same text in pieces, for big results) or ``render``'s
    text as one piece."""
    module = importlib.import_module(FORMATS[fmt])
    chunks = getattr(module, "render_chunks", None)
    if chunks is not None:
        return chunks
    return lambda result, **options: [module.render(result, **options)]
