"""Operator commands: ``python -m studio.cli grant alice 5000``, ``balance alice``,
``add-user alice --name "Alice" --email a@example.com`` (password from stdin), ``check`` (the
start-up checks, with the fix for each problem) and ``sweep`` (finish interrupted deletions,
remove orphan audio and stale previews)."""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys

from studio import config, credits, health, storage, users
from studio.db import connect
from studio.errors import StudioError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio.cli", description="Audio studio operator commands")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grant", help="add credits to a user (a negative amount removes them)")
    g.add_argument("user")
    g.add_argument("amount", type=int)
    b = sub.add_parser("balance", help="show a user's credits")
    b.add_argument("user")
    a = sub.add_parser("add-user", help="add a team-mode login to the users file (password read from stdin)")
    a.add_argument("user")
    a.add_argument("--name", default=None)
    a.add_argument("--email", default=None)
    sub.add_parser("check", help="run the start-up checks (data folder, database, users file, audio store)")
    w = sub.add_parser("sweep", help="finish interrupted deletions, remove orphan audio and stale previews")
    w.add_argument("--min-age", type=float, default=None,
                   help="leave unreferenced objects younger than this many seconds (default: sweep_min_age)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        settings = config.load()
    except ValueError as error:
        print(f"error: the configuration is invalid: {error}", file=sys.stderr)
        return 2
    try:
        if args.command == "check":
            health.check(settings, storage.from_settings(settings))
            print("ok: data folder, database, users file and audio store are ready")
            return 0
        if args.command == "sweep":
            from studio.core import Studio

            studio = Studio(settings, sweep_at_start=False)
            try:
                report = studio.sweep(min_age=args.min_age)
            finally:
                studio.shutdown()
            print(json.dumps(report.as_dict()))
            return 1 if report.storage_error else 0
        db = connect(settings.db_path, settings.busy_timeout)
        if args.command == "grant":
            new = credits.grant(db, args.user, args.amount, settings.starting_credits)
            print(f"{args.user}: {new:,} credits")
        elif args.command == "balance":
            credits.ensure_user(db, args.user, settings.starting_credits)
            print(f"{args.user}: {credits.balance(db, args.user):,} credits")
        elif args.command == "add-user":
            password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
            users.add_user(settings.users_file, args.user, password, name=args.name, email=args.email)
            print(f"added {args.user} to {settings.users_file}")
    except StudioError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
