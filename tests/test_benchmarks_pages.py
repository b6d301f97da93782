"""The page benchmark's crawler (benchmarks/load/pages.py) finds what a persona can click, and only that;
the benchmark itself runs in `make bench`, never here."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.support import load_benchmark


@pytest.fixture(scope="module")
def pages() -> ModuleType:
    return load_benchmark("load/pages.py")


PAGE = """
<a href="/patients/7">Dorothy Brown</a> <a href="/patients/7#visits">again</a>
<a href="notes?x=1">relative</a> <a href="https://example.org/x">elsewhere</a> <a href="mailto:a@b.c">mail</a>
<a href="/static/app.css">style</a> <a href="/balance-trials/3/raw">raw file</a>
<a href="/visits/4/note/document">PDF</a> <a href="#top">top</a>
<form action="/logout" method="post"><button>Log out</button></form> <a href="/logout">out</a>
<img src="/episodes/2/progress/berg.svg" alt="Berg"> <img src="/static/logo.png" alt="">
"""


def test_it_follows_same_site_links_and_keeps_plots_apart(pages: ModuleType) -> None:
    found, plots = pages.links("http://127.0.0.1:8000/visits/4/", PAGE)

    assert found == ["/patients/7", "/visits/4/notes?x=1"]
    assert plots == ["/episodes/2/progress/berg.svg"]


def test_it_leaves_out_log_out_static_files_downloads_and_other_sites(pages: ModuleType) -> None:
    base = "http://127.0.0.1:8000/"
    assert [pages.same_site(base, link) for link in
            ("/logout", "/static/app.css", "/movement-recordings/2/raw", "/claims/3/x12",
             "https://example.org/", "mailto:a@b.c")] == [None] * 6
