"""Operator commands: ``python -m studio.cli grant alice 5000``, ``balance alice``,
``add-user alice --name "Alice" --email a@example.com`` (password from stdin)."""
from __future__ import annotations

import argparse
import getpass
import logging
import sys

from studio import config, credits, users
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = config.load()
    db = connect(settings.db_path, settings.busy_timeout)
    try:
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
