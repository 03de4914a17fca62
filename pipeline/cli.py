"""Command line: argparse subcommands that call the core and print. With `cli_tools` (models, git,
serve, users) and `console` (where output goes), the only modules that print.

Exit codes are decided in one place: 0 fine, 1 quality gate failed, 2 usage or configuration
error, 3 model missing (with --require-models) or bad model file, 4 source error, 5 catalog error,
6 another run holds the lock, 7 an edition was withheld by the publish policy, 8 the machine
refused (permission denied, disk full, a folder where a file belongs, stdout on a full device),
70 internal error, 130 interrupted. Each error is one line on stderr; no traceback reaches the
user. Output goes through `console.print_out`, so a failing stdout is an error naming `<stdout>`
(exit 8).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__, cli_tools
from .config import Config, load_config
from .console import (
    EXIT_OK,
    Console,
    console_for,
    flush_stdout,
    print_out,
    tqdm_progress,
)
from .environment import (
    environment_error,
    project_root,
    report_target,
    sqlite_environment_error,
)
from .errors import ConfigError, PipelineError

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

Command = Callable[[argparse.Namespace, Config], int]


def _languages(args: argparse.Namespace, config: Config) -> list[str]:
    wanted = list(dict.fromkeys(getattr(args, "lang", None) or []))  # `--lang cs --lang cs`: once
    for language in wanted:
        if language not in config.target_languages:
            raise ConfigError(
                f"--lang {language}: not a configured target language "
                f"({', '.join(config.target_languages)})"
            )
    return list(wanted) or list(config.target_languages)


# --- commands ------------------------------------------------------------------------------------


def cmd_extract(args: argparse.Namespace, config: Config) -> int:
    from .files import project_lock
    from .stages import RunLog, extract, load_documents

    log = RunLog()
    with project_lock(config.state_dir, wait=args.wait):
        extract(config, load_documents(config, args.documents), log)
    _report_files(console_for(args), log)
    return EXIT_OK


def cmd_update(args: argparse.Namespace, config: Config) -> int:
    from .files import project_lock
    from .stages import RunLog, load_documents, update

    log = RunLog()
    languages = _languages(args, config)
    with project_lock(config.state_dir, wait=args.wait):
        update(config, load_documents(config, args.documents), languages, log)
    _report_files(console_for(args), log)
    return EXIT_OK


def _add_ray_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ray-address",
        metavar="ADDRESS",
        help="the Ray cluster of engine ray (default: RAY_ADDRESS, else a local Ray; "
        "docs/cluster.md)",
    )


def _use_ray_address(args: argparse.Namespace) -> None:
    """--ray-address is RAY_ADDRESS for this run (the ray engine and Ray itself read it)."""
    if getattr(args, "ray_address", None):
        os.environ["RAY_ADDRESS"] = args.ray_address


def cmd_build(args: argparse.Namespace, config: Config) -> int:
    from .build import BuildOptions, run_build
    from .files import project_lock
    from .run_report import write_report

    console = console_for(args)
    _use_ray_address(args)
    options = BuildOptions(
        documents=args.documents or None,
        languages=_languages(args, config),
        check_only=args.check,
        require_models=args.require_models,
        engine=args.engine,
        progress=None if args.check else tqdm_progress(args),
        offline=args.offline,
        download_progress=None if args.check else tqdm_progress(args, unit="B"),
    )
    report_path = None if args.report is None else report_target(args.report, config)
    with project_lock(config.state_dir, wait=args.wait):
        report = run_build(config, options)
    if report_path is not None:
        write_report(report_path, report)
    for installed in report.models_installed:
        console.info(f"installed {installed}")
    for warning in report.warnings:
        console.warning(warning)
    for withheld in report.withheld:
        console.warning(withheld)
    if args.check:
        for path in report.written:
            console.info(f"would change {path}")
    console.summary(report.summary(), report=report.as_json())
    if args.check and report.written:
        return 1
    if report.gate_failed:
        console.error("quality gate failed: error-level findings in reviewed entries")
        return 1
    if report.withheld:
        from .errors import EditionWithheldError

        return EditionWithheldError.exit_code
    return EXIT_OK


def cmd_status(args: argparse.Namespace, config: Config) -> int:
    """Units and words per review state; reads only PO files (no Argos import)."""
    from .review.effort import effort_by_language
    from .review.status import collect_status, format_status, status_json

    languages = _languages(args, config)
    rows = collect_status(config, languages, args.documents)
    if args.json:
        effort = effort_by_language(config, languages, args.documents)
        print_out(json.dumps(status_json(rows, effort, languages), ensure_ascii=False, indent=2))
    else:
        print_out(format_status(rows, languages))
    return EXIT_OK


def cmd_review(args: argparse.Namespace, config: Config) -> int:
    """Interactive review in the terminal, or the bilingual HTML report with --report."""
    import os

    from .errors import ConfigError
    from .mt_cache import open_cache_for_lookup
    from .review.report import write_report
    from .review.session import review_queue
    from .review.terminal import Terminal, run_review

    console = console_for(args)
    if args.language not in config.target_languages:
        raise ConfigError(
            f"{args.language}: not a configured target language "
            f"({', '.join(config.target_languages)})"
        )
    documents = [args.document] if args.document else []
    lookup = open_cache_for_lookup(config)  # the engine's scores, kept in the MT cache
    scorer = None if lookup is None else lookup.score
    if args.report:
        path = write_report(config, args.language, documents, order=args.order, scorer=scorer)
        if lookup is not None:
            lookup.close()
        console.info(f"wrote {config.relative(path)}")
        return EXIT_OK
    items = review_queue(config, args.language, documents, scorer=scorer, order=args.order)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or None
    terminal = Terminal(sys.stdin, sys.stdout, editor)
    summary = run_review(config, args.language, items, terminal, scorer=scorer)
    if lookup is not None:
        lookup.close()
    console.info(summary.line())
    return EXIT_OK


def cmd_check(args: argparse.Namespace, config: Config) -> int:
    """Quality findings of every catalog (docs/checks.md); exit 1 when one is an error."""
    from .catalog import read_catalog
    from .checks.catalog import check_catalog
    from .checks.glossary import load_glossary
    from .checks.msgfmt import msgfmt_findings
    from .layout import document_format, glossary_path, po_path
    from .model import Severity
    from .review.catalogs import pick_documents

    languages = _languages(args, config)
    documents = pick_documents(config, languages, args.documents)
    glossary_file = glossary_path(config)
    glossary = load_glossary(glossary_file) if glossary_file.exists() else None
    findings = []
    catalogs = 0
    for language in languages:
        for document in documents:
            path = po_path(config, language, document)
            if not path.exists():
                continue
            catalogs += 1
            shown = config.relative(path)
            catalog = read_catalog(path, display=shown)
            findings += msgfmt_findings(path, shown)
            findings += check_catalog(
                catalog,
                language,
                glossary=glossary,
                display=shown,
                source_format=document_format(config, document),
            )
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    if args.json:
        fields = ("file", "line", "severity", "check", "message", "msgid", "language")
        rows = [{key: getattr(f, key) for key in fields} for f in findings]
        print_out(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for f in findings:
            msgid = f.msgid if len(f.msgid) <= 60 else f.msgid[:59] + "…"
            shown_id = f" [{json.dumps(msgid, ensure_ascii=False)}]" if f.msgid else ""
            print_out(f"{f.file}:{f.line}: {f.severity.value}: {f.check}: {f.message}{shown_id}")
    console_for(args).summary(
        f"{len(findings)} finding(s), {errors} error(s), in {catalogs} catalog(s)",
        findings=len(findings),
        errors=errors,
        catalogs=catalogs,
    )
    return 1 if errors else EXIT_OK


def cmd_translate(args: argparse.Namespace, config: Config) -> int:
    """Extract, update and machine-translate the catalogs; languages without a model are skipped."""
    from .build import BuildOptions, run_translate
    from .files import project_lock

    console = console_for(args)
    _use_ray_address(args)
    options = BuildOptions(
        documents=args.documents or None,
        languages=_languages(args, config),
        engine=args.engine,
        progress=tqdm_progress(args),
    )
    with project_lock(config.state_dir, wait=args.wait):
        report = run_translate(config, options)
    for warning in report.warnings:
        console.warning(warning)
    for path in report.written:
        console.info(f"wrote {path}")
    console.summary(
        report.summary(),
        from_cache=report.total("from_cache"),
        engine_calls=report.total("engine_calls"),
        missing_models=report.missing_models,
    )
    return EXIT_OK


def _report_files(console: Console, log: Any) -> None:
    for path in log.written:
        console.info(f"wrote {path}")
    console.info(f"{len(log.written)} file(s) written, {len(log.unchanged)} unchanged")


# --- parser --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline",
        description="Translate English documents into reviewed editions through gettext PO files.",
    )
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    parser.add_argument(
        "--project", type=Path, default=None, help="project folder (default: found from here up)"
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    common.add_argument(
        "--log-format", choices=("text", "json"), default="text", help="format of stderr messages"
    )
    docs = argparse.ArgumentParser(add_help=False)
    docs.add_argument("documents", nargs="*", metavar="DOC", help="document names (default: all)")
    langs = argparse.ArgumentParser(add_help=False)
    langs.add_argument(
        "--lang", action="append", metavar="L", help="only this target language (repeatable)"
    )
    locking = argparse.ArgumentParser(add_help=False)
    locking.add_argument(
        "--wait", action="store_true", help="wait for another run to finish instead of failing"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("extract", parents=[common, docs, locking], help="write locales/<doc>.pot")
    p.set_defaults(handler=cmd_extract)
    p = sub.add_parser(
        "update",
        parents=[common, docs, langs, locking],
        help="merge templates into locales/<lang>/<doc>.po (msgmerge semantics)",
    )
    p.set_defaults(handler=cmd_update)
    p = sub.add_parser(
        "build",
        parents=[common, docs, langs, locking],
        help="extract, update, translate, check and write the editions",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 and list what a build would change",
    )
    p.add_argument(
        "--report", metavar="FILE", help="also write the run report here (the folder must exist)"
    )
    p.add_argument(
        "--require-models",
        action="store_true",
        help="exit 3 instead of skipping machine translation when a model is missing",
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="do not fetch missing models from Argos's package index (also PIPELINE_OFFLINE=1)",
    )
    p.add_argument(
        "--engine", metavar="NAME", help="override the configuration (an installed engine)"
    )
    _add_ray_address(p)
    p.set_defaults(handler=cmd_build)
    p = sub.add_parser(
        "status",
        parents=[common, docs, langs],
        help="units and words in each review state, per document and language",
    )
    p.add_argument(
        "--json", action="store_true", help="print JSON, with post-editing effort per language"
    )
    p.set_defaults(handler=cmd_status)
    p = sub.add_parser(
        "review",
        parents=[common],
        help="review machine, edited and stale entries in the terminal, or write an HTML report",
    )
    p.add_argument("language", metavar="LANG", help="target language to review")
    p.add_argument("document", nargs="?", metavar="DOC", help="only this document")
    p.add_argument(
        "--report", action="store_true", help="write output/review/LANG.html instead of asking"
    )
    p.add_argument(
        "--order",
        choices=("file", "confidence"),
        default="file",
        help="file: document and file order (default); confidence: least confident machine "
        "output first, entries without a score last",
    )
    p.set_defaults(handler=cmd_review)
    p = sub.add_parser(
        "check",
        parents=[common, docs, langs],
        help="quality findings (numbers, terms, script, punctuation, MT damage, msgfmt)",
    )
    p.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    p.set_defaults(handler=cmd_check)
    p = sub.add_parser(
        "translate",
        parents=[common, docs, langs, locking],
        help="fill the catalogs with Argos machine translation (marked fuzzy, cached)",
    )
    p.add_argument(
        "--engine", metavar="NAME", help="override the configuration (an installed engine)"
    )
    _add_ray_address(p)
    p.set_defaults(handler=cmd_translate)
    cli_tools.add_parsers(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code instead of exiting, so tests can call it."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    console = console_for(args)
    root: Path | None = None
    config: Config | None = None
    try:
        standalone: Callable[[argparse.Namespace], int] | None = getattr(args, "standalone", None)
        if standalone is not None:  # needs no project (git runs merge drivers at the repo top)
            code = standalone(args)
            flush_stdout()
            return code
        root = project_root(args.project)
        config = load_config(root)
        handler: Command = args.handler
        code = handler(args, config)
        flush_stdout()
        return code
    except PipelineError as error:
        console.error(error.one_line())
        return error.exit_code
    except KeyboardInterrupt:
        console.error("interrupted; files are either as before or fully written")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # the machine refused: one line naming the path, exit 8
        failure = environment_error(error, root)
        console.error(failure.one_line())
        return failure.exit_code
    except Exception as error:  # the last line of defence against tracebacks
        cache = None if config is None else config.relative(config.cache_dir)
        refused = sqlite_environment_error(error, cache)  # SQLite: disk full, read-only, ...
        if refused is not None:
            console.error(refused.one_line())
            return refused.exit_code
        console.error(f"internal error: {type(error).__name__}: {error} (please report this)")
        return EXIT_INTERNAL


def run() -> None:
    """Console-script entry point.

    When stdout refused the output, the rest of it is sent to /dev/null, so the interpreter's own
    flush at exit does not print a second error after `main`'s one line.
    """
    code = main()
    try:
        sys.stdout.flush()
    except OSError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(code)
