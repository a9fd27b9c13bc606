#!/usr/bin/env python3
"""Sources benchmark (a script, not a timed test): our PDF reading against pdftotext,
in the same run, on the same files (default: the 78 Pierrefonds PDFs).

1. pdftotext alone (poppler, one file after the other): the anchor.
2. Page readers alone, raw text: pdfium and pypdf, pages/s.
3. `iter_sources` (read + clean, all cores, no cache), and `read_source` file by file.
4. Optionally (--index) `minutes index` of the same files, cold: time and ratio.
5. Split words against pdftotext's text, per reader, on --split-files files; person
   names split anywhere in the set.
6. Peak memory (RSS) of this process and of the worker processes.

Usage: .venv/bin/python scripts/bench_sources.py [FOLDER] [--no-pypdf] [--index] [--split-files 10]
       .venv/bin/python scripts/bench_sources.py --index-only [--rounds 3]   # the cold-index target, OCR on and off
       .venv/bin/python scripts/bench_sources.py --ocr          # OCR of the scanned pages: CPU, words
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.sources import iter_sources, read_source  # noqa: E402
from indexer.sources.readers import open_pdf  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpus-multi" / "pierrefonds"
_TOKEN = re.compile(r"[^\W\d_]+")


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=False).stdout.decode("utf-8", "replace")


def raw_read(files: list[Path], reader: str) -> tuple[float, int]:
    started, pages = time.perf_counter(), 0
    for path in files:
        pdf = open_pdf(path, reader)
        for number in range(1, pdf.count + 1):
            pdf.page_lines(number)
            pages += 1
        pdf.close()
    return time.perf_counter() - started, pages


def split_words(ours: str, reference: str) -> tuple[int, int, list[str]]:
    """(split words, words, examples): adjacent tokens of `ours` that the reference writes
    as one word, and never as these two words."""
    ref_tokens = [t.lower() for t in _TOKEN.findall(reference)]
    vocab = set(ref_tokens)
    ref_pairs = set(zip(ref_tokens, ref_tokens[1:]))
    splits, examples = 0, []
    tokens = list(_TOKEN.finditer(ours))
    for a, b in zip(tokens, tokens[1:]):
        if ours[a.end():b.start()] != " ":
            continue
        x, y = a.group(0).lower(), b.group(0).lower()
        if x + y in vocab and (x, y) not in ref_pairs:
            splits += 1
            if len(examples) < 8:
                examples.append(f"{a.group(0)} {b.group(0)}")
    return splits, len(tokens), examples


_NAME = re.compile(r"\b(?:Madame|Monsieur|Mme|M\.)\s+((?:[A-ZÉÈ][a-zéèëïçô]+[- ])*)([A-ZÉÈÀÜ][A-ZÉÈÀÜËÏ'-]{2,}(?: [A-ZÉÈÀÜ]{2,})?)\b")


def roster(texts: list[str]) -> set[str]:
    """Surnames in capitals after a civility, as pdftotext reads them."""
    names: Counter[str] = Counter()
    for text in texts:
        names.update(m.group(2) for m in _NAME.finditer(" ".join(text.split())))
    return {n for n, c in names.items() if c >= 2 and len(n) >= 4}


def split_names(text: str, names: set[str]) -> list[str]:
    """Occurrences of a roster name cut by a space ("GEV AERT", "LEMAI TRE"), or of a
    first name cut after its first letter ("M ichel")."""
    found = []
    flat = " ".join(text.split())
    for name in names:
        letters = name.replace(" ", "")
        for cut in range(1, len(letters)):
            piece = letters[:cut] + " " + letters[cut:]
            if piece != name and re.search(rf"(?<![\w-]){re.escape(piece)}(?![\w-])", flat):
                found.append(piece)
    found += re.findall(r"\b(?:Madame|Monsieur)\s+([A-ZÉ] [a-zéè]{2,})\b", flat)
    return found


_HOMES = tempfile.TemporaryDirectory(prefix="bench-sources-")


def fresh_home() -> str:
    """A new, empty MINUTES_HOME: every measure starts cold (no extraction nor OCR cache)."""
    return tempfile.mkdtemp(dir=_HOMES.name)


def cpu() -> float:
    """CPU seconds of this process and of its finished children (workers, pdftotext, tesseract)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def peak_rss() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def timed_index(files: list[Path]) -> tuple[float, float, float, object]:
    """`minutes index` of the files into a new MINUTES_HOME: wall seconds, CPU seconds of this
    process (places records, writes the index) and of the worker processes (read, parse)."""
    from indexer.index import index_paths

    home = fresh_home()
    os.environ["MINUTES_HOME"] = home
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, own = time.perf_counter(), time.process_time()
    summary = index_paths(files, home=Path(home))
    seconds, own = time.perf_counter() - started, time.process_time() - own
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = (after.ru_utime + after.ru_stime) - (kids.ru_utime + kids.ru_stime)
    return seconds, own, workers, summary


def anchor_run(files: list[Path]) -> tuple[float, float]:
    """pdftotext of every file, one after the other: (wall, CPU) seconds."""
    started, cpu_started = time.perf_counter(), cpu()
    for path in files:
        pdftotext(path)
    return time.perf_counter() - started, cpu() - cpu_started


def index_only(files: list[Path], anchor: float, anchor_cpu: float, rounds: int = 1) -> int:
    """`minutes index`, cold, with OCR (as configured) then without, `rounds` times, each run between
    two anchor runs and compared with their mean (the machine's speed drifts: ratios in one run)."""
    import statistics

    anchors = [(anchor, anchor_cpu)]
    runs: dict[str, list] = {}
    configured = os.environ.get("MINUTES_OCR")
    for _ in range(rounds):
        for label, ocr in (("OCR as configured", configured), ("MINUTES_OCR=0", "0")):
            if ocr is None:
                os.environ.pop("MINUTES_OCR", None)
            else:
                os.environ["MINUTES_OCR"] = ocr
            seconds, own, workers, summary = timed_index(files)
            anchors.append(anchor_run(files))
            mean = (anchors[-2][0] + anchors[-1][0]) / 2
            mean_cpu = (anchors[-2][1] + anchors[-1][1]) / 2
            runs.setdefault(label, []).append((seconds / mean, seconds, own, workers, (own + workers) / mean_cpu))
            print(f"minutes index, cold, {label}: {summary.sessions} sessions, {summary.units} units in {seconds:.2f} s "
                  f"= x{seconds / mean:.2f} pdftotext (anchor {mean:.2f} s, mean of the runs around it); CPU: "
                  f"indexing process {own:.2f} s, workers {workers:.2f} s (x{(own + workers) / mean_cpu:.2f} pdftotext's)")
    for label, measured in runs.items():
        ratio = statistics.median(m[0] for m in measured)
        verdict = "OK" if ratio <= 3 else "TROP LENT"
        print(f"minutes index, cold, {label}, median of {len(measured)}: x{ratio:.2f} pdftotext — target ≤ 3×: "
              f"{verdict} (runs: {', '.join(f'x{m[0]:.2f}' for m in measured)}; wall median "
              f"{statistics.median(m[1] for m in measured):.2f} s, CPU median x{statistics.median(m[4] for m in measured):.2f})")
    me, kids = peak_rss()
    print(f"peak RSS: indexing process {me:.0f} MB, largest worker {kids:.0f} MB")
    return 0


def scanned_pages(files: list[Path]) -> list[tuple[Path, int]]:
    """(file, page) of every page that minutes sends to OCR."""
    from indexer.sources.pdf import extract_range

    out = []
    for path in files:
        pdf = open_pdf(path)
        try:
            raw = extract_range(pdf, range(1, pdf.count + 1), "tesseract", ocr_later=True)
        finally:
            pdf.close()
        out += [(path, n) for n, _, how in raw if how == "ocr-later"]
    return out


def ocr_quality(files: list[Path], reference: dict[Path, str]) -> int:
    """OCR of the set's scanned pages at the resolution minutes chooses, at twice the scan's and at 300 dpi:
    tesseract CPU, words, and the share of them that are words of the set's text layers
    (pdftotext): a misread word is seldom a word of the corpus."""
    from indexer.sources import ocr

    binary = ocr.tesseract()
    if binary is None:
        print("OCR: tesseract (fra) absent, or MINUTES_OCR=0")
        return 1
    vocab = {w.lower() for text in reference.values() for w in _TOKEN.findall(text)}
    pages = scanned_pages(files)
    print(f"OCR: {len(pages)} scanned pages: " + ", ".join(f"{p.name} p. {n}" for p, n in pages))
    chosen = {}
    for label in ("chosen by minutes", "twice the scan's", "fixed"):
        used, words, known = 0.0, 0, 0
        for path, number in pages:
            pdf = open_pdf(path)
            try:
                scanned = pdf.scan_dpi(number)
                dpi = {"fixed": 300, "twice the scan's": round(2 * (scanned or 150))}.get(label) \
                    or ocr.render_dpi(scanned)
                pixels, width, height = pdf.render_gray(number, dpi)
            finally:
                pdf.close()
            chosen.setdefault(label, set()).add(dpi)
            before = cpu()
            text = ocr._tesseract(ocr.pgm(pixels, width, height), binary, 600)
            used += cpu() - before
            tokens = [t.lower() for t in _TOKEN.findall(text)]
            words, known = words + len(tokens), known + sum(t in vocab for t in tokens)
        dpis = "/".join(str(d) for d in sorted(chosen[label]))
        print(f"OCR at {dpis} dpi ({label}): tesseract CPU {used:.2f} s, {words} words, {known} of them "
              f"({100 * known / max(1, words):.1f} %) words of the set's text layers")
    library_against_command(pages, binary)
    return 0


def library_against_command(pages: list[tuple[Path, int]], binary: str, rounds: int = 2) -> None:
    """The chosen resolution's pages read by the tesseract command (as this process does) and by
    its library (as a pool worker does, `sources.tesslib`), alternated: CPU (best round) and text."""
    from indexer.sources import ocr
    from indexer.sources import pdf as pdf_module

    images = []
    for path, number in pages:
        pdf = open_pdf(path)
        try:
            images.append(ocr.page_image(pdf, number))
        finally:
            pdf.close()
    best = {"command": float("inf"), "library": float("inf")}
    texts: dict[str, list[str]] = {}
    try:
        for _ in range(rounds):
            for way in best:
                pdf_module.IN_WORKER = way == "library"
                if way == "library" and ocr._library(binary) is None:
                    print("OCR by the library: not available here (another tesseract on the PATH, or OpenMP loaded)")
                    return
                before = cpu()
                texts[way] = [ocr._tesseract(image, binary, 600) for image in images]
                best[way] = min(best[way], cpu() - before)
    finally:
        pdf_module.IN_WORKER = False
    same = "the same text" if texts["command"] == texts["library"] else "TEXT DIFFERS"
    print(f"OCR of the {len(images)} pages, best of {rounds}: command {best['command']:.2f} s of CPU, library (pool "
          f"workers, loaded once) {best['library']:.2f} s: {same}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--no-pypdf", action="store_true", help="skip the (slow) pypdf reader")
    parser.add_argument("--index", action="store_true", help="also time `minutes index` of the files, cold")
    parser.add_argument("--split-files", type=int, default=10, help="files for the split-word rate")
    parser.add_argument("--index-only", action="store_true",
                        help="only the anchor and `minutes index`, cold, with OCR and without (MINUTES_OCR=0), "
                             "each run between two anchor runs")
    parser.add_argument("--rounds", type=int, default=3, help="with --index-only: runs of each (medians reported)")
    parser.add_argument("--ocr", action="store_true",
                        help="only the OCR of the scanned pages: resolution chosen by minutes against 2x the scan's and 300 dpi")
    args = parser.parse_args(argv)
    files = sorted(args.folder.glob("*.pdf"))
    if not files:
        print(f"{args.folder} : aucun PDF", file=sys.stderr)
        return 2
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}; {len(files)} PDF in {args.folder}")

    started, cpu_started = time.perf_counter(), cpu()
    reference = {path: pdftotext(path) for path in files}
    anchor, anchor_cpu = time.perf_counter() - started, cpu() - cpu_started
    pages = sum(len(read_pages) for read_pages in (t.split("\f")[:-1] or [t] for t in reference.values()))
    print(f"pdftotext (anchor): {pages} pages in {anchor:.2f} s = {pages / anchor:.0f} pages/s "
          f"(CPU {anchor_cpu:.2f} s)")
    if args.index_only:
        return index_only(files, anchor, anchor_cpu, args.rounds)
    if args.ocr:
        return ocr_quality(files, reference)

    for reader in ("pdfium",) + (() if args.no_pypdf else ("pypdf",)):
        seconds, count = raw_read(files, reader)
        print(f"reader {reader}, raw lines, one process: {count} pages in {seconds:.2f} s = "
              f"{count / seconds:.0f} pages/s (x{seconds / anchor:.2f} pdftotext)")

    os.environ["MINUTES_PDF_READER"] = ""
    os.environ["MINUTES_HOME"] = fresh_home()  # no cache of any kind (OCR included)
    started, cpu_started = time.perf_counter(), cpu()
    docs = {}
    for path, result in iter_sources(files, cache=False):
        if isinstance(result, BaseException):
            print(f"  erreur : {result}")
            continue
        docs[path] = result
    seconds, used = time.perf_counter() - started, cpu() - cpu_started
    verdict = "OK" if seconds <= 3 * anchor else "TROP LENT"
    ocr_pages = sum(len(doc.ocr_pages) for doc in docs.values())
    ocr_note = (f", {ocr_pages} scanned pages read by OCR (pdftotext does none: MINUTES_OCR=0 to compare "
                "like with like)" if ocr_pages else ", no OCR")
    print(f"iter_sources (read + clean, {os.environ.get('MINUTES_WORKERS') or os.cpu_count()} workers, "
          f"no cache{ocr_note}): {seconds:.2f} s = x{seconds / anchor:.2f} pdftotext — target ≤ 3×: {verdict}; "
          f"CPU {used:.2f} s = x{used / anchor_cpu:.2f} pdftotext's")
    from indexer.parse import parse_document

    os.environ["MINUTES_HOME"] = fresh_home()
    started = time.perf_counter()
    records = sum(not isinstance(r, BaseException) for _, r in iter_sources(files, cache=False, then=parse_document))
    seconds = time.perf_counter() - started
    verdict = "OK" if seconds <= 3 * anchor else "TROP LENT"
    print(f"iter_sources(then=parse_document) (read + clean + parse in the workers): {records} records in "
          f"{seconds:.2f} s = x{seconds / anchor:.2f} pdftotext — target ≤ 3×: {verdict}")
    os.environ["MINUTES_HOME"] = fresh_home()
    started = time.perf_counter()
    for path in files:
        read_source(path, cache=False, workers=1)
    seconds = time.perf_counter() - started
    print(f"read_source file by file, one process: {seconds:.2f} s = x{seconds / anchor:.2f} pdftotext")

    if args.index:
        from indexer.index import index_paths

        home = fresh_home()
        os.environ["MINUTES_HOME"] = home
        started, cpu_started = time.perf_counter(), cpu()
        summary = index_paths(files, home=Path(home))
        seconds, used = time.perf_counter() - started, cpu() - cpu_started
        verdict = "OK" if seconds <= 3 * anchor else "TROP LENT"
        print(f"minutes index, cold: {summary.sessions} sessions in {seconds:.2f} s = "
              f"x{seconds / anchor:.2f} pdftotext — target ≤ 3×: {verdict}; CPU {used:.2f} s = "
              f"x{used / anchor_cpu:.2f} pdftotext's")

    os.environ["MINUTES_HOME"] = fresh_home()
    sample = files[:: max(1, len(files) // max(1, args.split_files))][: args.split_files]
    for reader in ("pdfium",) + (() if args.no_pypdf else ("pypdf",)):
        os.environ["MINUTES_PDF_READER"] = reader
        splits = words = 0
        examples: list[str] = []
        for path in sample:
            s, w, ex = split_words(read_source(path, cache=False).text, reference[path])
            splits, words = splits + s, words + w
            examples += ex[:2]
        verdict = "OK" if splits <= 0.001 * words else "TROP"
        print(f"split words, {reader}, {len(sample)} files: {splits} of {words} = "
              f"{100 * splits / max(1, words):.3f} % — target ≤ 0.1 %: {verdict}; e.g. {examples[:6]}")
    os.environ["MINUTES_PDF_READER"] = ""

    names = roster(list(reference.values()))
    broken = [(p.name, piece) for p, doc in docs.items() for piece in split_names(doc.text, names)]
    print(f"person names split in the whole set ({len(names)} surnames in the roster): {len(broken)}"
          + (f" e.g. {broken[:8]}" if broken else ""))
    me, kids = peak_rss()
    print(f"peak RSS: this process {me:.0f} MB, largest worker {kids:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
