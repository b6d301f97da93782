"""Server time of every page of the demo clinic, as each persona reaches it by following links.

    make bench      (or: python benchmarks/load/pages.py --repeat 5)
    python benchmarks/load/pages.py --source /path/to/an/older/checkout/src   # the same pages, older code

The demo clinic is seeded on a fresh home and served by `reeducate run` (the helpers of
server.py). Each persona logs in through the log-in form and, from its home ("/"), follows every
same-site link (``a href``) breadth first: every page it can reach by clicking, each once. The log-out
button, static files and downloads (an attachment, or anything but HTML and SVG) are left out; the
SVG plots a page shows (``img src``) are timed too, as "plots", apart from the pages. After that
crawl, which is also every address's warm-up, each address is requested ``--repeat`` times more,
one request at a time and without following redirects; a page's time is the median of those, on the
client over localhost (the server's own figure too when it sends a ``Server-Timing`` ``total``).

Printed: per persona, each address with its status, median and first view (ms); then, for the whole
site and for the plots, the number of addresses, the median of their medians and the worst address with
its time, and the same of their first views (the warm-up: a plot is drawn then if it is ever drawn). Timings are of this machine, with the client on the same cores as the server.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import seed, serving  # noqa: E402

from reeducate.clinic.demo import DEMO_PASSWORD  # noqa: E402

PERSONAS = ("pt@riverside.example", "pta@riverside.example", "dc@riverside.example", "desk@riverside.example",
            "admin@riverside.example", "dorothy.brown@riverside.example")
#: Addresses never requested: the log-out (a form's action, never a page) and static files.
SKIPPED = re.compile(r"^/(logout|static/)")
#: Addresses that answer a file to save (raw recordings, X12, PDFs, FHIR JSON), known by their ending.
DOWNLOADS = re.compile(r"/(raw|x12|document|superbill|fhir|eligibility-request)$|\.(pdf|csv|txt|json|mp4)$")
SHOWN = ("text/html", "image/svg+xml")


class _Links(HTMLParser):
    """The ``a href`` and ``img src`` values of one HTML page, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        elif tag == "img" and found.get("src"):
            self.images.append(str(found["src"]))


def same_site(base: str, link: str) -> str | None:
    """``link`` (as written on the page at path ``base``) as a same-site path with its query, or None
    for another site, a fragment on the same page, a mailto: and the like, or an address never timed."""
    if link.startswith("#"):
        return None
    target = urlsplit(urljoin(base, link))
    if target.scheme not in ("", "http", "https") or (target.netloc and target.netloc != urlsplit(base).netloc):
        return None
    path = target.path + (f"?{target.query}" if target.query else "")
    if not target.path.startswith("/") or SKIPPED.match(target.path) or DOWNLOADS.search(target.path):
        return None
    return path


def links(base: str, html: str) -> tuple[list[str], list[str]]:
    """The pages (``a href``) and SVG plots (``img src`` ending .svg) of ``html``, each once, in order."""
    parser = _Links()
    parser.feed(html)
    pages = [p for p in (same_site(base, h) for h in parser.hrefs) if p]
    plots = [p for p in (same_site(base, s) for s in parser.images) if p and p.split("?")[0].endswith(".svg")]
    return list(dict.fromkeys(pages)), list(dict.fromkeys(plots))


@dataclass
class Timed:
    """One address as a persona reached it: its status and the times of its requests (s)."""

    path: str
    status: int
    plot: bool
    first: float
    times: list[float]
    server: list[float]

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.times)


def log_in(client: httpx.Client, email: str, password: str) -> None:
    """Log in through the log-in form, as a browser does (its CSRF token, then the session cookie)."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    reply = client.post("/login", data={"email": email, "password": password,
                                        "csrf_token": token.group(1) if token else ""})
    if reply.status_code != 303:
        raise RuntimeError(f"{email} could not log in: {reply.status_code}")


def _server_ms(reply: httpx.Response) -> float | None:
    """The ``total`` duration of a ``Server-Timing`` header (ms), if the server sends one."""
    found = re.search(r"total;dur=([\d.]+)", reply.headers.get("server-timing", ""))
    return float(found.group(1)) if found else None


def _request(client: httpx.Client, path: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    reply = client.get(path)
    return reply, time.perf_counter() - started


def crawl(client: httpx.Client, max_addresses: int, variants: int) -> dict[str, Timed]:
    """Every address reachable by links from "/" (at most ``max_addresses``), each requested once.

    A path is followed with at most ``variants`` different queries: a calendar links each day to the
    next, without end, and one day's page costs what another's does.
    """
    found: dict[str, Timed] = {}
    queue: deque[tuple[str, bool]] = deque([("/", False)])
    seen = {"/"}
    queries: Counter[str] = Counter()
    while queue and len(found) < max_addresses:
        path, plot = queue.popleft()
        reply, first = _request(client, path)
        kind = reply.headers.get("content-type", "").split(";")[0]
        if reply.status_code < 300 and (kind not in SHOWN or "attachment" in reply.headers.get("content-disposition", "")):
            continue  # a download found by its answer
        found[path] = Timed(path, reply.status_code, plot, first, [], [])
        if reply.is_redirect:
            onward = [p for p in [same_site(str(reply.url), reply.headers["location"])] if p]
            plots: list[str] = []
        elif kind == "text/html":
            onward, plots = links(str(reply.url), reply.text)
        else:
            onward, plots = [], []
        for target, is_plot in [*((p, False) for p in onward), *((p, True) for p in plots)]:
            path_only = target.split("?")[0]
            if target not in seen and (target == path_only or queries[path_only] < variants):
                seen.add(target)
                queries[path_only] += target != path_only
                queue.append((target, is_plot))
    return found


def time_persona(url: str, email: str, password: str, repeat: int, max_addresses: int = 2000,
                 variants: int = 3) -> list[Timed]:
    """``email``'s reachable addresses, each timed ``repeat`` times after the crawl's warm-up."""
    with httpx.Client(base_url=url, timeout=60, follow_redirects=False) as client:
        log_in(client, email, password)
        found = crawl(client, max_addresses, variants)
        for timed in found.values():
            for _ in range(repeat):
                reply, took = _request(client, timed.path)
                timed.times.append(took)
                server = _server_ms(reply)
                if server is not None:
                    timed.server.append(server)
    return list(found.values())


def summary(name: str, rows: list[Timed]) -> str:
    """Addresses answered 2xx/3xx, the median of their medians and the worst one, in one line."""
    answered = [row for row in rows if row.status < 400]
    if not answered:
        return f"{name:<28} none"
    worst = max(answered, key=lambda row: row.median_ms)
    first = max(answered, key=lambda row: row.first)
    return (f"{name:<20} {len(answered):>5} addresses  median {statistics.median(r.median_ms for r in answered):7.1f} ms"
            f"  worst {worst.median_ms:7.1f} ms {worst.path}\n{'':<20} first views: median "
            f"{1000 * statistics.median(r.first for r in answered):7.1f} ms  worst {1000 * first.first:7.1f} ms {first.path}")


def report(email: str, rows: list[Timed]) -> None:
    print(f"\n{email}: {len(rows)} addresses")
    for row in sorted(rows, key=lambda r: (r.plot, r.path)):
        server = f"  (server {statistics.median(row.server):.1f} ms)" if row.server else ""
        print(f"  {'plot' if row.plot else 'page'} {row.status:>3} {row.median_ms:8.1f} ms  (first {1000 * row.first:7.1f} ms)"
              f"  {row.path}{server}")
    refused = [row for row in rows if row.status >= 400]
    if refused:
        print(f"  ! {len(refused)} linked addresses answered an error: "
              + ", ".join(f"{r.path} {r.status}" for r in refused))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="Timed requests per address after the warm-up.")
    parser.add_argument("--max-addresses", type=int, default=2000, help="Crawl at most this many per persona.")
    parser.add_argument("--variants", type=int, default=3,
                        help="Queries followed per path (a calendar's days: one is as costly as another).")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="The demo log-ins' password (of --source's demo).")
    parser.add_argument("--personas", nargs="+", default=list(PERSONAS), help="The log-ins to crawl as.")
    parser.add_argument("--source", type=Path, help="Serve the code of this src folder instead (e.g. an older checkout).")
    args = parser.parse_args()
    label = f"the code in {args.source}" if args.source else "this checkout"
    print(f"Pages: {label}; each address's median of {args.repeat} sequential requests after a warm-up")
    every: list[Timed] = []
    with tempfile.TemporaryDirectory(prefix="reeducate-pages-") as folder:
        home = Path(folder)
        database = f"sqlite:///{home / 'reeducate.sqlite3'}"
        seed(database, home, args.source)
        with serving(database, home, args.source) as served:
            url = served.url
            for email in args.personas:
                rows = time_persona(url, email, args.password, args.repeat, args.max_addresses, args.variants)
                report(email, rows)
                every += rows
    print()
    print(summary("whole site: pages", [r for r in every if not r.plot]))
    print(summary("whole site: plots", [r for r in every if r.plot]))


if __name__ == "__main__":
    main()
