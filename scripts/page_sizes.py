"""Page sizes as a user meets them: height in px at 1280 and 390 px wide, bytes of HTML.

    .venv/bin/python scripts/page_sizes.py http://127.0.0.1:8765 [--shots test-artifacts/archive] [PATH ...]

Without paths, a fixed list of page kinds of an archive index is measured (the first
session, person and deliberation found through the JSON twins).  Prints one TSV line per
page: path, bytes, height at 1280, height at 390, horizontal overflow at 390.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (a local server)
        return response.read()


def default_paths(base: str) -> list[str]:
    paths = ["/", "/recherche?q=budget", "/chronologie", "/seances", "/elus", "/deliberations"]
    sessions = json.loads(fetch(base + "/seances.json"))
    first = sessions["years"][0]["sessions"]
    if first:
        paths.append(first[0]["url"])
    biggest = max((s for y in sessions["years"] for s in y["sessions"]), key=lambda s: s["speeches"], default=None)
    if biggest:
        paths.append(biggest["url"])
    persons = json.loads(fetch(base + "/elus.json"))["persons"]
    if persons:
        paths.append(max(persons, key=lambda p: p["speeches"])["url"])
    delibs = json.loads(fetch(base + "/deliberations.json"))["deliberations"]
    if delibs:
        paths.append(delibs[0]["url"])
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--shots", default="")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    base = args.base.rstrip("/")
    paths = args.paths or default_paths(base)
    shots = Path(args.shots) if args.shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    print("path\tbytes\tpx_1280\tpx_390\toverflow_390")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        for path in paths:
            size = len(fetch(base + path))
            heights = []
            overflow = 0
            for width in (1280, 390):
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(base + path)
                heights.append(page.evaluate("() => document.documentElement.scrollHeight"))
                if width == 390:
                    overflow = page.evaluate(
                        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if shots:
                    name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "accueil"
                    page.screenshot(path=str(shots / f"{name[:80]}-{width}.png"), full_page=heights[-1] < 12000)
                context.close()
            print(f"{path}\t{size}\t{heights[0]}\t{heights[1]}\t{overflow}")
            sys.stdout.flush()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
