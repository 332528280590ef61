#!/usr/bin/env python3
"""Print the resolved versions of what soc2iac's results depend on (run by .ci/run first).

A red run on a new machine then shows at once which library or tool moved. Missing ones
print as 'not installed' rather than failing: the test run says what that breaks.
"""

from __future__ import annotations

import shutil
import subprocess
from importlib import metadata

LIBRARIES = ("python-hcl2", "lark", "tree-sitter", "tree-sitter-hcl", "PyYAML", "jsonschema", "typer",
             "kubernetes", "crossplane", "moto", "botocore", "pytest", "hypothesis")


def terraform_version() -> str:
    exe = shutil.which("terraform")
    if not exe:
        return "not on PATH"
    try:
        out = subprocess.run([exe, "version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"does not run ({exc})"
    return out.splitlines()[0] if out else "no version output"


def main() -> None:
    print("versions:")
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "not installed"
        print(f"  {name:<16} {version}")
    print(f"  {'terraform':<16} {terraform_version()}")


if __name__ == "__main__":
    main()
