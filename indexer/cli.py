"""The `minutes` command line: a thin shell over the library.

Every command prints one clear line and exits with status 2 on bad input; it never
shows a traceback to the user.
"""

from __future__ import annotations

import argparse
import json
import sys

from .sources import SourceError

EXIT_BAD_INPUT = 2


def cmd_parse(args: argparse.Namespace) -> int:
    from .parse import parse_file
    from .render import record_as_text

    record = parse_file(args.file)
    for warning in record.warnings:
        print(f"attention : {args.file}: {warning}", file=sys.stderr)
    if args.json:
        print(record.to_json(indent=1))
    else:
        print(record_as_text(record))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minutes", description="Rechercher et interroger les procès-verbaux de séances.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="découper un procès-verbal (PDF ou texte) et afficher le relevé")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_parse)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SourceError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
