"""The `minutes` command line: a thin shell over the library.

Every command prints one clear line and exits with status 2 on bad input; it never
shows a traceback to the user.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .config import SERVER_THREADS
from .sources import SourceError

EXIT_BAD_INPUT = 2


def cmd_parse(args: argparse.Namespace) -> int:
    from .parse import parse_file
    from .render import record_as_text

    record = parse_file(args.file)
    for warning in record.warnings:
        print(f"attention : {args.file}: {warning}", file=sys.stderr)
    if args.json:  # the text output ends with the same line
        from .parse.coverage import quality_line

        print(f"{args.file}: {quality_line(record)}", file=sys.stderr)
    if args.json:
        print(record.to_json(indent=1))
    else:
        print(record_as_text(record))
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .index import index_paths

    summary = index_paths([Path(p) for p in args.paths] or None, progress=not args.quiet)
    for warning in summary.warnings:
        print(f"attention : {warning}", file=sys.stderr)
    for error in summary.errors:
        print(f"erreur : {error}", file=sys.stderr)
    print(json.dumps(summary.to_dict(), ensure_ascii=False) if args.json else summary.line())
    return EXIT_BAD_INPUT if summary.errors else 0


#: the CLI's link templates for hits (`Hit.link`): the paths of the pages `minutes serve` gives
SEARCH_LINKS = {"session": "/seances/{session}", "speech": "/seances/{session}#{anchor}",
                "item": "/seances/{session}#point-{item}", "deliberation": "/deliberations/{number}",
                "report": "/deliberations/{number}#r{passage}", "table": "/deliberations/{number}/tableau-{table}",
                "wish": "/voeux/{session}/{wish}"}


def cmd_search(args: argparse.Namespace) -> int:
    import html
    import re

    from .search import search
    from .search.filters import cli_filters

    filters = cli_filters(args)
    result = search(args.query, filters=filters, page=args.page, per_page=args.limit, sort=args.sort,
                    facets=not args.no_facets)
    if args.json:
        from urllib.parse import quote

        for hit in result.hits:
            hit.url = hit.link(SEARCH_LINKS, lambda v: quote(v, safe="!$&'()*+,/:;=@"))
        print(result.to_json())
        return 0
    if result.notice:
        print(f"note : {result.notice}")
    if result.suggestion:
        print(f"Vouliez-vous dire : {result.suggestion} ?")
    print(f"{result.total} résultat(s) — page {result.page}/{result.pages}")
    for n, hit in enumerate(result.hits, start=(result.page - 1) * result.per_page + 1):
        who = hit.speaker + (f" ({hit.group})" if hit.group else "") if hit.speaker else (hit.title or hit.group)
        where = hit.item_title or hit.item
        page = f", p. {hit.page}" if hit.page else ""
        print(f"{n:3d}. [{hit.date}] {hit.kind} — {who} — {where}{page}  {hit.id}")
        text = re.sub(r"</?mark>", lambda m: "]" if m.group().startswith("</") else "[", hit.snippet)
        print(f"     {html.unescape(text)}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .answer import ask

    answer = ask(args.question)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
        return 0
    if answer.notice:
        print(f"note : {answer.notice}")
    print(answer.answer)
    for c in answer.citations or answer.leads:
        who = f"{c.speaker} — " if c.speaker else ""
        print(f"  [{c.date}] {who}{c.item}  {c.url}\n    « {c.quote} »")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .answer import ask, evaluate, read_questions, report
    from .sources import SourceError

    path = Path(args.file)
    if not path.is_file():
        raise SourceError(f"{path} : fichier introuvable ; donnez un TSV (id, question, expect_regex ou NOT_FOUND, note)")
    rows = read_questions(path)
    if not rows:
        raise SourceError(f"{path} : aucune question lue ; colonnes attendues : id, question, expect_regex, note")
    import time

    from .answer import knowledge

    started = time.perf_counter()
    knowledge(None, rows[0].question)  # build the per-session cache once, so times are per question
    print(f"préparation de l'index : {time.perf_counter() - started:.1f} s")
    summary = report(evaluate(rows, ask))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from webapp.serve import serve  # the CLI is the shell over both the library and the web app

    if not 0 < args.port < 65536:
        raise SourceError(f"port {args.port} : donnez un numéro entre 1 et 65535")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise SourceError(f"--workers {args.workers} : donnez un nombre de processus entre 1 et 64")
    try:
        serve(host=args.host, port=args.port, threads=args.threads, workers=args.workers)
    except OSError as exc:
        raise SourceError(f"{args.host}:{args.port} : impossible d'écouter ({exc.strerror or exc}) ; "
                          "choisissez un autre port avec --port") from exc
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minutes", description="Rechercher et interroger les procès-verbaux de séances.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="découper un procès-verbal (PDF ou texte) et afficher le relevé")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("index", help="indexer des procès-verbaux (par défaut : corpus/)")
    p.add_argument("paths", nargs="*", help="fichiers ou dossiers (PDF, .txt, .md)")
    p.add_argument("--json", action="store_true", help="résumé en JSON")
    p.add_argument("--quiet", action="store_true", help="sans barre de progression")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="rechercher dans les séances indexées")
    p.add_argument("query", help='requête : mots, "expression", OR, -mot, préfixe*, mot~, orateur:…, type:…')
    p.add_argument("--json", action="store_true", help="sortie JSON")
    from .search.filters import add_cli_options

    add_cli_options(p)  # one repeatable option per filter of the library's table (--orateur, --type …)
    p.add_argument("--limit", type=int, default=10, help="résultats par page (max 100)")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--sort", choices=("relevance", "date", "date_asc"), default="relevance")
    p.add_argument("--no-facets", action="store_true", help="sans comptage par facette")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="poser une question en français sur les séances indexées")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="évaluer les réponses sur un fichier de questions (TSV)")
    p.add_argument("file", help="TSV : id, question, expect_regex ou NOT_FOUND, note")
    p.add_argument("--json", action="store_true", help="résumé en JSON en plus")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="servir le site web (construit l'index s'il n'existe pas)")
    p.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (défaut : 8000)")
    p.add_argument("--threads", type=int, default=SERVER_THREADS,
                   help=f"fils de traitement par processus (défaut : {SERVER_THREADS})")
    p.add_argument("--workers", type=int, default=None,
                   help="processus serveurs partageant l'index (défaut : un par cœur)")
    p.set_defaults(func=cmd_serve)
    return parser


def _terminate(signum: int, frame: object) -> None:
    from .pipeline import Terminated

    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("index", "parse"):  # SIGTERM (kill, a service manager) ends the run as Ctrl-C does
        import signal

        signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.func(args)
    except SourceError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        from .pipeline import Interrupted, Terminated

        after = " ; l'index précédent reste utilisable, relancez la commande pour terminer" \
            if args.command == "index" else ""
        if isinstance(exc, Interrupted):
            after = " ; l'index est à jour"
        print(f"interrompu{after}", file=sys.stderr)
        terminated = isinstance(exc, Terminated) or getattr(exc, "terminated", False)
        return 143 if terminated else 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user ($MINUTES_DEBUG=1 shows it)
        if os.environ.get("MINUTES_DEBUG"):
            raise
        target = getattr(args, "file", None) or getattr(args, "path", None) or args.command
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        print(f"erreur : {target} : erreur inattendue ({type(exc).__name__} : {detail}) ; "
              "vérifiez le fichier, ou relancez avec MINUTES_DEBUG=1 pour le détail", file=sys.stderr)
        return EXIT_BAD_INPUT


def run() -> None:
    """The `minutes` command: `main`, then, for a command that ran in this process only, the process
    ends without tearing down its interpreter (freeing a run's objects one by one took 0.06-0.14 s
    after adding one session, for memory the system takes back at once); its output flushed first.
    `serve` ends normally (its worker processes are stopped by its own shutdown)."""
    if sys.argv[1:2] == ["serve"]:
        sys.exit(main())
    from . import config

    config.ENDS_BY_EXIT = True
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a reader that left (`minutes search … | head`)
        pass
    os._exit(code)


if __name__ == "__main__":
    run()
