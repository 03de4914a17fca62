"""Commands around the build: Argos models, git's PO merge driver, and the browser review
(`serve`, `users`). Part of the command line, like `cli`, which registers these parsers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .config import Config
from .console import EXIT_OK, console_for, print_out, tqdm_progress
from .errors import ConfigError


def cmd_git_merge(args: argparse.Namespace) -> int:
    """Git's merge driver: merge a PO file's three versions entry by entry into %A."""
    from .git_merge import merge_files

    shown = args.path or str(args.ours)
    if merge_files(args.base, args.ours, args.theirs, shown):
        console_for(args).warning(
            f"{shown}: entries translated differently on both sides keep ours, marked fuzzy, "
            "with theirs in a `# merge: theirs:` comment"
        )
    return EXIT_OK


def cmd_git_setup(args: argparse.Namespace, config: Config) -> int:
    """Write the .gitattributes lines and the git config of the PO merge driver."""
    from .git_merge import setup

    console = console_for(args)
    for line in setup(config.root):
        console.info(line)
    console.summary("PO files in this repository merge with `pipeline git-merge`")
    return EXIT_OK


def cmd_models_list(args: argparse.Namespace, config: Config) -> int:
    """Installed Argos packages, and the configured language pairs that have none."""
    from .engines.argos_install import list_models

    listing = list_models(config.source_language, config.target_languages)
    for package in listing.packages:
        pair = f"{package.from_code}→{package.to_code}"
        print_out(f"{pair}\t{package.name} {package.version}\t{package.path}")
    packages, missing = listing.packages, listing.missing
    if missing:
        console_for(args).warning(
            "no Argos model for "
            + ", ".join(f"{config.source_language}→{language}" for language in missing)
            + f"; run `pipeline models install --online {' '.join(missing)}` "
            "or `pipeline models install FILE.argosmodel`"
        )
    state = f"{len(missing)} configured pair(s) without a model" if missing else "none missing"
    console_for(args).summary(f"{len(packages)} package(s) installed; {state}", missing=missing)
    return EXIT_OK


def cmd_models_install(args: argparse.Namespace, config: Config) -> int:
    """Install .argosmodel files (checked first), or fetch packages through Argos's index."""
    from .engines.argos_install import install_models

    console = console_for(args)
    installed = install_models(
        args.files,
        args.online,
        config.source_language,
        config.target_languages,
        max_unpacked_mb=config.models_max_unpacked_mb,
        bars=tqdm_progress(args, unit="B"),
    )
    for package in installed:
        console.info(
            f"installed {package.from_code}→{package.to_code}: {package.name} "
            f"{package.version} in {package.path}"
        )
    console.summary(f"{len(installed)} model(s) installed")
    return EXIT_OK


def cmd_users(args: argparse.Namespace, config: Config) -> int:
    """Reviewers of `pipeline serve`, kept in the state folder (pipeline/serve/users.py)."""
    from .serve.users import add_user, load_users, remove_user, users_path

    console = console_for(args)
    if args.users_command == "list":
        for user in load_users(config).values():
            print_out(f"{user.name}: {', '.join(user.languages)}")
        return EXIT_OK
    if args.users_command == "remove":
        remove_user(config, args.name)
        console.info(f"removed {args.name} from {config.relative(users_path(config))}")
        return EXIT_OK
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise ConfigError("the passwords differ; nothing was changed")
    user = add_user(config, args.name, args.lang or [], password, replace=args.replace)
    console.info(f"{user.name} may review {', '.join(user.languages)}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    """Review in the browser (pipeline/serve/), served by uvicorn until Ctrl+C."""
    import socket

    import uvicorn

    from .serve.app import create_app
    from .serve.users import load_users

    console = console_for(args)
    if not load_users(config):
        console.warning("no reviewers yet: add one with `pipeline users add NAME --lang L`")
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:  # a port in use: one line, exit 8
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((args.host, args.port))
    console.info(f"serving http://{args.host}:{args.port}/ (Ctrl+C stops)")
    uvicorn.run(
        create_app(config),
        host=args.host,
        port=args.port,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_level="warning" if args.quiet else "info",
        server_header=False,
    )
    return EXIT_OK


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The subcommands of this module, added to `cli`'s parser."""
    p = sub.add_parser("models", help="list or install Argos translation models")
    models = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    q = models.add_parser(
        "list", parents=[common], help="installed packages and configured pairs without one"
    )
    q.set_defaults(handler=cmd_models_list)
    q = models.add_parser(
        "install",
        parents=[common],
        help="install FILE.argosmodel (checked first), or --online [LANG...] via Argos's index",
    )
    q.add_argument("files", nargs="*", type=Path, metavar="FILE.argosmodel")
    q.add_argument(
        "--online",
        nargs="*",
        metavar="LANG",
        default=None,
        help="download from Argos's package index (default: every configured language)",
    )
    q.set_defaults(handler=cmd_models_install)
    p = sub.add_parser(
        "git-merge",
        parents=[common],
        help="git merge driver: merge PO files entry by entry (see `git-setup`)",
    )
    p.add_argument("base", type=Path, metavar="BASE", help="%%O: the common ancestor")
    p.add_argument("ours", type=Path, metavar="OURS", help="%%A: ours; the result goes here")
    p.add_argument("theirs", type=Path, metavar="THEIRS", help="%%B: theirs")
    p.add_argument("path", nargs="?", default="", metavar="PATH", help="%%P: the file's name")
    p.set_defaults(standalone=cmd_git_merge)
    p = sub.add_parser(
        "git-setup", parents=[common], help="use `pipeline git-merge` for PO files in this repo"
    )
    p.set_defaults(handler=cmd_git_setup)
    p = sub.add_parser("serve", parents=[common], help="review in the browser (docs/review-web.md)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-Proto/-For from --forwarded-allow-ips (behind a TLS proxy)",
    )
    p.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        metavar="IPS",
        help="the proxy's addresses, comma-separated (default 127.0.0.1)",
    )
    p.set_defaults(handler=cmd_serve)
    p = sub.add_parser("users", help="reviewers of `pipeline serve` (kept in the state folder)")
    users = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    q = users.add_parser("add", parents=[common], help="add a reviewer for some languages")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--lang", action="append", metavar="L", help="a language they may change")
    q.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
    )
    q.add_argument("--replace", action="store_true", help="change an existing reviewer")
    q.set_defaults(handler=cmd_users)
    q = users.add_parser("list", parents=[common], help="reviewers and their languages")
    q.set_defaults(handler=cmd_users)
    q = users.add_parser("remove", parents=[common], help="remove a reviewer")
    q.add_argument("name", metavar="NAME")
    q.set_defaults(handler=cmd_users)
