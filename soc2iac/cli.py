"""Command line. Commands are thin: options -> core call -> render -> exit code.

Exit codes: 0 nothing failing at or above the threshold, 1 failing findings,
2 usage, configuration or input errors, or a report that could not be written
(a reader closing standard output early is none: the code is the scan's). Only
this module writes files and picks the exit code; nothing below it prints.
Everything written is escaped for terminals and CI logs (soc2iac.text.printable).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from collections.abc import Iterable
from typing import Any, NoReturn, Optional

import typer

from soc2iac import __version__
from soc2iac.reporters import FORMATS
from soc2iac.severity import SEVERITIES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="soc2iac",
    help="SOC 2 policy-as-code checks for Terraform, Kubernetes and gateway configs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
policies_app = typer.Typer(help="List, show and validate policies.", no_args_is_help=True)
app.add_typer(policies_app, name="policies")


Severity = Enum("Severity", {name: name for name in SEVERITIES}, type=str)  # type: ignore[misc]


def _die(message: str) -> NoReturn:
    _err(f"soc2iac: error: {message}")
    raise typer.Exit(EXIT_ERROR)


def _err(line: str) -> None:
    """One line on standard error, safe for a terminal or CI log (text from files is escaped)."""
    from soc2iac.text import printable

    typer.echo(printable(line), err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"soc2iac {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """SOC 2 policy-as-code checks for infrastructure code."""


FORMAT_HELP = f"Output format, repeatable, paired in order with --output ({', '.join(FORMATS)})."


@app.command()
def scan(
    paths: list[str] = typer.Argument(..., help="Files or folders to scan; '-' reads standard input (manifests, plan JSON or a gateway config; Terraform source with --stdin-format terraform)."),
    formats: list[str] = typer.Option([], "--format", "-f", help=FORMAT_HELP),
    outputs: list[Path] = typer.Option([], "--output", "-o", help="Write the matching --format here (repeatable)."),
    fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Exit 1 when a check at or above this severity fails [default: high]."),
    policy_dirs: list[Path] = typer.Option([], "--policies", help="Extra policy folder (repeatable)."),
    config_file: Optional[Path] = typer.Option(None, "--config", help="Config file [default: .soc2iac.yaml found upward from the first path]."),
    var_files: list[Path] = typer.Option([], "--var-file", help="Terraform variable file (repeatable)."),
    show_passes: bool = typer.Option(False, "--show-passes", help="Also list passing and excepted checks (text)."),
    explain: bool = typer.Option(False, "--explain", help="Text: say per failing check why it bears on each criterion (role, point of focus, reason), and per criterion what the checks cover."),
    changes_only: bool = typer.Option(False, "--changes-only", help="For plans: report only resources the plan changes."),
    repo_root: Optional[Path] = typer.Option(None, "--repo-root", help="For plans: folder with the Terraform source, for file:line [default: the plan's folder]."),
    waiver_file: Optional[Path] = typer.Option(None, "--waivers", help="Waiver register [default: .soc2iac-exceptions.yaml found upward]."),
    no_inline_waivers: bool = typer.Option(False, "--no-inline-waivers", help="Ignore inline waivers (comments, annotations)."),
    baseline_file: Optional[Path] = typer.Option(None, "--baseline", help="A previous JSON result: mark fails new or existing, list fixed ones."),
    fail_on_new_only: bool = typer.Option(False, "--fail-on-new-only", help="With --baseline: exit 1 only for new fails."),
    fail_on_unknown: bool = typer.Option(False, "--fail-on-unknown", help="Also exit 1 when a check at or above --fail-on could not be decided (a coverage gate for CI and live audits)."),
    max_file_size: str = typer.Option("20MiB", "--max-file-size", help="Larger files are skipped as input errors: bytes, or a number with KiB, MiB or GiB."),
    follow_symlinks: bool = typer.Option(False, "--follow-symlinks", help="Follow symbolic links met in folders (by default they are skipped with a notice)."),
    include_roots: list[Path] = typer.Option([], "--include-root", help="Folder outside the scanned paths that config includes (nginx `include`, Terraform local module `source`) may read (repeatable) [default: none: only the folders named, and a named file's folder]."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Parse cache folder [default: $SOC2IAC_CACHE_DIR, else $XDG_CACHE_HOME/soc2iac, else ~/.cache/soc2iac]."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the parse and policy caches (also: SOC2IAC_NO_CACHE=1)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Parse in this many processes when the scan is big enough [default: the number of cores]."),
    with_checkov: bool = typer.Option(False, "--with-checkov", help="Also run checkov's built-in checks and report those mapped to SOC 2 criteria."),
    checkov_bin: Optional[str] = typer.Option(None, "--checkov", help="The checkov executable [default: $SOC2IAC_CHECKOV, checkov on PATH, or `soc2iac checkov-setup`'s]."),
    stdin_format: Optional[str] = typer.Option(None, "--stdin-format", help="Read '-' as this input format: terraform (HCL, as a one-file root module), terraform-plan, kubernetes-manifests, kong, envoy, nginx or traefik [default: detected by content; HCL is refused without it]."),
) -> None:
    """Scan Terraform (source and plans), Kubernetes manifests and stdin; report verdicts by SOC 2 criterion."""
    from soc2iac.config import find_config, first_path, load_config
    from soc2iac.errors import Soc2iacError
    from soc2iac.parsers import parse_size
    from soc2iac.policy import load_policies
    from dataclasses import replace

    from soc2iac.cache import using
    from soc2iac.parallel import default_jobs
    from soc2iac.scanner import scan as run_scan
    from soc2iac.waivers import find_register, load_register

    try:
        try:
            size_limit = parse_size(max_file_size)
        except ValueError as exc:
            raise Soc2iacError(f"--max-file-size: {exc}") from None
        start = first_path(paths)
        config = load_config(find_config(config_file, start))
        if fail_on_new_only and baseline_file is None:
            raise Soc2iacError("--fail-on-new-only needs --baseline (new fails are new against a baseline)")
        targets = _targets(formats or list(config.formats) or _from_extensions(outputs), outputs)
        cache, cache_notice = _open_cache(cache_dir, no_cache)
        with using(cache, off=no_cache):
            available = load_policies([*map(Path, config.policy_dirs), *policy_dirs])
        policies = config.select(available)
        register = load_register(find_register(waiver_file or (Path(config.waivers) if config.waivers else None), start))
        baseline = _read_json(baseline_file) if baseline_file else None
        threshold = fail_on.value if fail_on else (config.fail_on or "high")
        if stdin_format is not None:
            from soc2iac.parsers.registry import stdin_formats

            if stdin_format not in stdin_formats():
                raise Soc2iacError(f"--stdin-format: unknown format {stdin_format!r} (one of {', '.join(stdin_formats())})")
            if "-" not in paths:
                raise Soc2iacError("--stdin-format needs '-' among the paths (it says how standard input is read)")
        stdin_text = sys.stdin.read() if "-" in paths else None
        checkov = None
        if with_checkov or checkov_bin:
            from soc2iac.checkov_bridge import find_checkov

            checkov = find_checkov(checkov_bin)
        result = run_scan(
            paths, policies=policies, config=config,
            var_files=[*map(Path, config.var_files), *var_files], stdin_text=stdin_text,
            repo_root=repo_root, changes_only=changes_only, register=register,
            inline_waivers=config.inline_waivers and not no_inline_waivers, baseline=baseline,
            max_file_size=size_limit, follow_symlinks=follow_symlinks, cache=cache,
            jobs=jobs if jobs is not None else default_jobs(), checkov=checkov, include_roots=include_roots,
            known_policies=frozenset(p.id for p in available), stdin_format=stdin_format,
        )
        if cache_notice:
            result = replace(result, notices=[cache_notice, *result.notices])
        failed = _emit(result, targets, fail_on=threshold, show_passes=show_passes or config.show_passes,
                       explain=explain)
    except Soc2iacError as exc:
        _die(str(exc))
    _exit(result, "input error", threshold, new_only=fail_on_new_only, unknown=fail_on_unknown, failed=failed)


@app.command()
def report(
    result_file: Path = typer.Argument(..., help="A JSON result written by `soc2iac scan --format json`."),
    formats: list[str] = typer.Option([], "--format", "-f", help=FORMAT_HELP),
    outputs: list[Path] = typer.Option([], "--output", "-o", help="Write the matching --format here (repeatable)."),
    fail_on: Severity = typer.Option(Severity("high"), "--fail-on", help="Threshold shown in the report."),
    explain: bool = typer.Option(False, "--explain", help="Text: say why each failing check bears on its criteria."),
) -> None:
    """Render a saved JSON result in other formats (e.g. an HTML evidence report)."""
    from soc2iac.errors import Soc2iacError
    from soc2iac.reporters.load import from_document

    try:
        result = from_document(_read_json(result_file))
        failed = _emit(result, _targets(formats or ["text"], outputs), fail_on=fail_on.value, show_passes=False,
                       explain=explain)
    except Soc2iacError as exc:
        _die(str(exc))
    for line in failed:
        _err(f"soc2iac: error: {line}")
    if failed:
        raise typer.Exit(EXIT_ERROR)


@app.command()
def merge(
    results: list[str] = typer.Argument(..., help="Saved JSON results (`scan`/`cluster --format json`), folders of "
                                        "them, or LABEL=FILE to name a result's source."),
    formats: list[str] = typer.Option([], "--format", "-f", help="markdown (default), json or html."),
    outputs: list[Path] = typer.Option([], "--output", "-o", help="Write the matching --format here (repeatable)."),
    fail_on: Severity = typer.Option(Severity("high"), "--fail-on",
                                     help="Exit 1 while a check at or above this severity is still failing."),
) -> None:
    """Combine results from many repositories, plans and clusters, over time, into one evidence report."""
    from soc2iac.errors import Soc2iacError
    from soc2iac.merge import expand, merge as merge_results
    from soc2iac.reporters.merged import FORMATS as MERGED_FORMATS, render
    from soc2iac.severity import at_least

    try:
        targets = _targets(formats or ["markdown"], outputs, MERGED_FORMATS)
        merged = merge_results(expand(results))
    except Soc2iacError as exc:
        _die(str(exc))
    failed = [problem for fmt, out in targets if (problem := _write(render(merged, fmt), out))]
    for line in failed:
        _err(f"soc2iac: error: {line}")
    for problem in merged.problems:  # the report names them too
        _err(f"soc2iac: input error: {problem}")
    if failed or merged.problems:
        raise typer.Exit(EXIT_ERROR)
    still = [t for t in merged.timeline if t.open and t.severity in SEVERITIES and at_least(t.severity, fail_on.value)]
    raise typer.Exit(EXIT_FINDINGS if still else EXIT_OK)


def _targets(formats: list[str], outputs: list[Path], known: Iterable[str] = FORMATS) -> list[tuple[str, Optional[Path]]]:
    """Each --output belongs to the --format written before it (``-f sarif -o r.sarif -f text``)."""
    from soc2iac.errors import Soc2iacError

    known = tuple(known)
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise Soc2iacError(f"unknown --format {unknown[0]!r} (choose from {', '.join(known)})")
    if len(outputs) > len(formats):
        raise Soc2iacError("more --output than --format options")
    slots = _output_slots(sys.argv[1:], len(formats), len(outputs))
    pairs = [(fmt, outputs[slots.index(i)] if i in slots else None) for i, fmt in enumerate(formats)]
    from soc2iac.reporters import EXTENSIONS

    for fmt, out in pairs:
        meant = EXTENSIONS.get(out.suffix.lower()) if out is not None else None
        if meant is not None and meant != fmt:
            raise Soc2iacError(f"--output {out} is a {meant} file name but its --format is {fmt} "
                               f"(use --format {meant}, or another file name)")
    if sum(1 for _, out in pairs if out is None) > 1:
        raise Soc2iacError("only one --format can go to standard output; give the others an --output")
    seen: dict[Path, Path] = {}
    for out in outputs:
        real = out.resolve()
        if real in seen:
            raise Soc2iacError(f"--output {out} is given twice (also as {seen[real]}): one report would overwrite "
                               "the other")
        seen[real] = out
    return pairs


def _from_extensions(outputs: list[Path]) -> list[str]:
    """With no --format: text on standard output, or each --output's format from its extension."""
    from soc2iac.errors import Soc2iacError
    from soc2iac.reporters import EXTENSIONS

    if not outputs:
        return ["text"]
    unknown = [str(o) for o in outputs if o.suffix.lower() not in EXTENSIONS]
    if unknown:
        raise Soc2iacError(f"--output {unknown[0]}: give its --format (the extension names none of "
                           f"{', '.join(sorted(EXTENSIONS))})")
    return [EXTENSIONS[o.suffix.lower()] for o in outputs]


def _output_slots(argv: list[str], n_formats: int, n_outputs: int) -> list[int]:
    """For each --output in order, the index of the --format it follows on the command line."""
    slots: list[int] = []
    current = -1
    for token in argv:
        name = token.split("=", 1)[0]
        if name in ("--format", "-f") or (token.startswith("-f") and len(token) > 2 and not token.startswith("--")):
            current += 1
        elif name in ("--output", "-o") or (token.startswith("-o") and len(token) > 2 and not token.startswith("--")):
            slots.append(current)
    valid = len(slots) == n_outputs and all(0 <= s < n_formats for s in slots) and len(set(slots)) == len(slots)
    return slots if valid else list(range(n_outputs))  # config-given formats: pair in order


def _emit(result: Any, targets: list[tuple[str, Optional[Path]]], **options: object) -> list[str]:
    """Every report written, each whatever became of the others; what could not be written, one
    line each. Text from the inputs is escaped for terminals and CI logs first (every format)."""
    from soc2iac.reporters import chunk_renderer
    from soc2iac.result import printable_result

    shown = printable_result(result)
    failed = []
    for fmt, out in targets:
        problem = _write(chunk_renderer(fmt)(shown, **options), out)
        if problem:
            failed.append(problem)
    return failed


def _exit(result: Any, what: str, threshold: str, *, new_only: bool = False, unknown: bool = False,
          failed: Iterable[str] = ()) -> NoReturn:
    """One line per problem (``what``: input or collection error) and per report not written, then
    the documented exit code: 2 for any of them, 1 for fails at or above the threshold (with
    ``unknown``: also undecided checks at or above it, one line saying how many), else 0."""
    from soc2iac.text import printable

    for p in result.problems:
        _err(f"soc2iac: {what}: {printable(str(p))}")
    failed = list(failed)
    for line in failed:
        _err(f"soc2iac: error: {line}")
    if result.problems or failed:
        raise typer.Exit(EXIT_ERROR)
    undecided = result.undecided(threshold) if unknown else []
    if undecided:
        _err(f"soc2iac: {len(undecided)} check(s) at or above '{threshold}' could not be decided "
             "(--fail-on-unknown)")
    failing = result.failing(threshold, new_only=new_only)
    raise typer.Exit(EXIT_FINDINGS if failing or undecided else EXIT_OK)


def _open_cache(cache_dir: Optional[Path], no_cache: bool) -> tuple[Any, str | None]:
    """The parse cache to use (None: off) and a notice when a cache folder cannot be used."""
    from soc2iac.cache import Cache, disabled_by_environment

    if no_cache or disabled_by_environment():
        return None, None
    return Cache.open(cache_dir)


def _read_json(path: Path) -> dict:
    import json

    from soc2iac.errors import Soc2iacError

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise Soc2iacError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise Soc2iacError(f"{path}: not a JSON document ({exc})") from None
    if not isinstance(doc, dict):
        raise Soc2iacError(f"{path}: not a soc2iac JSON result")
    return doc


def _write(report: str | Iterable[str], output: Optional[Path]) -> str | None:
    """Write one report; None, or why it could not be written. A reader that closes standard
    output early (``| head``) is not an error: the rest is dropped, the exit code is the scan's.
    A file is written to a temporary file beside it, then renamed into place (no half report is
    left; the rename replaces a name and never follows a link); an ``--output`` that is a
    symbolic link is refused."""
    pieces = [report] if isinstance(report, str) else report
    if output is None:
        try:
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.flush()
        except BrokenPipeError:
            _stdout_closed()
        return None
    try:
        _write_file(pieces, output)
    except OSError as exc:
        return f"{output}: cannot write report: {exc.strerror or exc}"
    return None


def _stdout_closed() -> None:
    """Standard output's reader went away: later writes, and the flush at exit, go nowhere."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _write_file(pieces: Iterable[str], output: Path) -> None:
    import errno
    import os
    import stat
    import tempfile

    if output.is_symlink():
        raise OSError(errno.ELOOP, "it is a symbolic link; not followed (name the file it points to)")
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = os.stat(output).st_mode
    except FileNotFoundError:
        mode = stat.S_IFREG
    if stat.S_ISDIR(mode):
        raise OSError(errno.EISDIR, "it is a directory")
    if not stat.S_ISREG(mode):  # a FIFO or a device (/dev/null): written in place, as named
        with output.open("w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
        return
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
        os.replace(tmp, output)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@app.command()
def cluster(
    kubeconfig: Optional[Path] = typer.Option(None, "--kubeconfig", help="Kubeconfig file [default: $KUBECONFIG, ~/.kube/config, or in-cluster]."),
    context: Optional[str] = typer.Option(None, "--context", help="Kubeconfig context [default: the current one]."),
    namespaces: list[str] = typer.Option([], "--namespace", "-n", help="Namespace to audit (repeatable)."),
    all_namespaces: bool = typer.Option(True, "--all-namespaces/--no-all-namespaces", "-A", help="Audit every namespace (default unless -n)."),
    exclude_namespaces: list[str] = typer.Option([], "--exclude-namespace", help="Namespace to skip (repeatable)."),
    formats: list[str] = typer.Option([], "--format", "-f", help=FORMAT_HELP),
    outputs: list[Path] = typer.Option([], "--output", "-o", help="Write the matching --format here (repeatable)."),
    fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Exit 1 when a check at or above this severity fails [default: high]."),
    policy_dirs: list[Path] = typer.Option([], "--policies", help="Extra policy folder (repeatable)."),
    config_file: Optional[Path] = typer.Option(None, "--config", help="Config file [default: .soc2iac.yaml found upward from here]."),
    waiver_file: Optional[Path] = typer.Option(None, "--waivers", help="Waiver register [default: .soc2iac-exceptions.yaml found upward]."),
    show_passes: bool = typer.Option(False, "--show-passes", help="Also list passing and excepted checks (text)."),
    explain: bool = typer.Option(False, "--explain", help="Text: say per failing check why it bears on each criterion (role, point of focus, reason), and per criterion what the checks cover."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display on stderr."),
    fail_on_unknown: bool = typer.Option(False, "--fail-on-unknown", help="Also exit 1 when a check at or above --fail-on could not be decided (a coverage gate for CI and live audits)."),
    snapshot_dir: Optional[Path] = typer.Option(None, "--save-snapshot", help="Also write the collected objects (secrets redacted) as YAML here, to rescan with `soc2iac scan`."),
    timeout: float = typer.Option(600.0, "--timeout", min=1.0, help="Time limit of the collection, in seconds: kinds not read by then are not evaluated."),
) -> None:
    """Audit a live cluster read-only (get/list only; Secrets as metadata only) with the same policies."""
    from soc2iac.cluster.command import run_cluster
    from soc2iac.config import find_config, load_config
    from soc2iac.errors import Soc2iacError
    from soc2iac.policy import load_policies
    from soc2iac.waivers import find_register, load_register

    try:
        config = load_config(find_config(config_file))
        targets = _targets(formats or list(config.formats) or _from_extensions(outputs), outputs)
        available = load_policies([*map(Path, config.policy_dirs), *policy_dirs])
        policies = config.select(available)
        register = load_register(find_register(waiver_file or (Path(config.waivers) if config.waivers else None), None))
        threshold = fail_on.value if fail_on else (config.fail_on or "high")
        result = run_cluster(
            kubeconfig=kubeconfig, context=context, namespaces=namespaces,
            all_namespaces=all_namespaces and not namespaces, exclude_namespaces=exclude_namespaces,
            policies=policies, config=config, quiet=quiet, register=register,
            inline_waivers=config.inline_waivers, snapshot_dir=snapshot_dir, time_limit=timeout,
            known_policies=frozenset(p.id for p in available),
        )
        failed = _emit(result, targets, fail_on=threshold, show_passes=show_passes or config.show_passes,
                       explain=explain)
    except Soc2iacError as exc:
        _die(str(exc))
    _exit(result, "collection error", threshold, unknown=fail_on_unknown, failed=failed)


@policies_app.command("list")
def policies_list(
    policy_dirs: list[Path] = typer.Option([], "--policies", help="Extra policy folder (repeatable)."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the catalog as a Markdown table."),
) -> None:
    """Print the policy catalog."""
    from soc2iac.catalog import catalog_markdown, catalog_text
    from soc2iac.errors import Soc2iacError
    from soc2iac.policy import load_policies

    try:
        policies = load_policies(policy_dirs)
    except Soc2iacError as exc:
        _die(str(exc))
    typer.echo(catalog_markdown(policies) if markdown else catalog_text(policies), nl=False)


@policies_app.command("show")
def policies_show(
    policy_id: str = typer.Argument(..., help="Policy id."),
    policy_dirs: list[Path] = typer.Option([], "--policies", help="Extra policy folder (repeatable)."),
) -> None:
    """Print one policy in full."""
    from soc2iac.catalog import policy_detail
    from soc2iac.errors import Soc2iacError
    from soc2iac.policy import load_policies

    try:
        policies = {p.id: p for p in load_policies(policy_dirs)}
    except Soc2iacError as exc:
        _die(str(exc))
    if policy_id not in policies:
        _die(f"no policy {policy_id!r} (see `soc2iac policies list`)")
    typer.echo(policy_detail(policies[policy_id]), nl=False)


@policies_app.command("validate")
def policies_validate(directory: Path = typer.Argument(..., help="Folder of policy YAML files.")) -> None:
    """Check every policy file of a folder against the schema; errors by file and field."""
    from soc2iac.policy import validate_directory

    if not directory.is_dir():
        _die(f"{directory}: not a directory")
    count, problems = validate_directory(directory)
    for p in problems:
        typer.echo(str(p))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {count} policy file(s)", err=True)
        raise typer.Exit(EXIT_ERROR)
    typer.echo(f"{count} policy file(s) valid")


@policies_app.command("new")
def policies_new(
    policy_id: str = typer.Argument(..., help="The new policy's id (names the compliant state)."),
    kind: str = typer.Option(..., "--kind", help="Check kind (see the README's kinds table)."),
    types: list[str] = typer.Option(..., "--type", help="Resource type or kind it applies to (repeatable)."),
    family: str = typer.Option(..., "--family", help="Control family giving its SOC 2 criteria (soc2iac criteria --families)."),
    area: str = typer.Option(..., "--area", help="Area (tls, encryption-at-rest, audit-logging, ...)."),
    source: str = typer.Option("terraform", "--source", help="Source family or format it applies to."),
    severity: str = typer.Option("medium", "--severity", help="critical, high, medium, low or info."),
    policy_dir: Path = typer.Option(Path("policies"), "--dir", help="Policy folder to write to."),
    root: Path = typer.Option(Path("."), "--fixtures-root", help="Folder holding the *_fixtures folders."),
) -> None:
    """Write a new policy and its pass and fail fixture stubs (the fixture test fails until they prove it)."""
    from soc2iac.errors import Soc2iacError
    from soc2iac.scaffold import files_for, write

    try:
        files = files_for(policy_id, kind=kind, source=source, types=types, family=family, area=area,
                          severity=severity, policy_dir=policy_dir, root=root)
    except Soc2iacError as exc:
        _die(str(exc))
    write(files)
    for path in files:
        typer.echo(f"wrote {path}")


@app.command()
def criteria(
    all_criteria: bool = typer.Option(False, "--all", help="Also list criteria no policy tests."),
    policy_dirs: list[Path] = typer.Option([], "--policies", help="Extra policy folder (repeatable)."),
    with_checkov: bool = typer.Option(False, "--with-checkov", help="Also list the checkov checks mapped to each criterion."),
    explain: Optional[str] = typer.Option(None, "--explain", metavar="ID",
                                          help="One criterion: its families, policies and checkov checks with role, point of focus and reason."),
) -> None:
    """Print, per Trust Services Criterion, the policies that test it."""
    from soc2iac.catalog import criteria_text, explain_text
    from soc2iac.errors import Soc2iacError
    from soc2iac.policy import criteria_catalog, load_policies

    if explain is not None and explain not in criteria_catalog():
        _die(f"--explain {explain}: unknown Trust Services Criterion (soc2iac criteria --all lists them)")
    try:
        policies = load_policies(policy_dirs)
        mapping = None
        if with_checkov or explain is not None:
            from soc2iac.checkov_bridge import load_mapping

            mapping = load_mapping()
    except Soc2iacError as exc:
        _die(str(exc))
    if explain is not None:
        typer.echo(explain_text(explain, policies, mapping), nl=False)
        return
    checkov = {cid: m.criteria for cid, m in mapping.items()} if mapping is not None else None
    typer.echo(criteria_text(policies, include_untested=all_criteria, checkov=checkov), nl=False)


@app.command("checkov-setup")
def checkov_setup(
    venv: Optional[Path] = typer.Option(None, "--venv", help="Where to create it [default: checkov-venv in the cache folder]."),
    version: Optional[str] = typer.Option(None, "--version", help="checkov release [default: the one the mapping was checked against]."),
) -> None:
    """Install checkov in its own environment for `scan --with-checkov` (checkov's bc-python-hcl2
    would replace python-hcl2 if both shared one)."""
    from soc2iac.checkov_bridge import setup
    from soc2iac.errors import Soc2iacError

    try:
        executable = setup(venv, version)
    except Soc2iacError as exc:
        _die(str(exc))
    typer.echo(f"checkov installed: {executable}")


def main() -> None:
    import os

    try:
        app()
    except KeyboardInterrupt:
        typer.echo("soc2iac: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        if os.environ.get("SOC2IAC_DEBUG"):
            raise
        _err(f"soc2iac: internal error: {type(exc).__name__}: {exc} "
             "(set SOC2IAC_DEBUG=1 for details and please report it)")
        sys.exit(EXIT_ERROR)
