"""Link extraction and canonical URLs, on the peer link checkers' test pages and on
edge cases of Chinese government sites.

Each peer page is pretended to be served at ``http://127.0.0.1:8080/<case>/<file>``;
the expected absolute URLs below were worked out by reading each page.

Debatable cases and the choice made (the peers differ):
- ``linkinator/malformed`` (``href="//////"``): a browser cannot resolve it (empty
  host), so it has no address to check; it is skipped, linkinator reports it broken.
- ``lychee/TEST_HTML5_MALFORMED_LINKS``: ``https;//example.com/…`` has no scheme (``;``)
  and so is a *relative* path on the site, checked there as a browser would open it;
  ``https://example]org/…`` has a forbidden host character and is skipped.
- ``lychee/TEST_HTML5_CUSTOM_ELEMENTS``: ``href``/``src``/``cite`` of unknown
  elements are not links a browser follows or fetches: none extracted (lychee does).
- ``lychee/TEST_VERBATIM``: plain-text URLs in ``pre``/``code`` are not links; only
  the ``<a>`` inside ``<pre>`` counts (lychee extracts them with ``--include-verbatim``).
- ``linkinator/twittercard``: Open Graph / Twitter ``meta`` URLs are metadata no visitor
  opens: none extracted.
- ``linkinator/css``: ``url(...)`` in ``<style>``/``style=`` is not extracted (only the
  ``<link rel=stylesheet>`` and the ``<a>``); linkinator does so with ``--check-css``.
- ``linkinator/prefetch`` and ``lychee/TEST_HTML5_MINIFIED``: ``dns-prefetch`` and
  ``preconnect`` name an origin, not a resource (fonts.gstatic.com answers 404 at /):
  skipped.  Other ``<link>`` relations (canonical, home, icon) are kept.
- ``linkinator/metarefresh``: a browser follows only the first refresh, but every
  declared refresh URL is a link the page states, so all three are checked.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.analysis.links import (
    InvalidURL,
    PageLink,
    canonical_url,
    extract_links,
    is_attachment,
    link_occurrences,
    resolve_url,
    srcset_urls,
)
from crawler.analysis.page import ParsedPage
from govmon.records import Element

A, IMG, SCRIPT, LINK, IFRAME = Element.A, Element.IMG, Element.SCRIPT, Element.LINK, Element.IFRAME
H = "http://127.0.0.1:8080"

#: (fixture path, expected (url, element) in document order)
CASES: list[tuple[str, list[tuple[str, Element]]]] = [
    (
        "linkinator/basetag/absolute.html",
        [("http://another.example.invalid/ok", A), ("http://another.example.invalid/broken", A)],
    ),
    ("linkinator/basetag/empty-base.html", [(f"{H}/basetag/ok", A), (f"{H}/basetag/broken", A)]),
    (
        "linkinator/basetag/relative-dot-folder.html",
        [(f"{H}/basetag/anotherBase/ok", A), (f"{H}/basetag/anotherBase/broken", A)],
    ),
    (
        "linkinator/basetag/relative-folder.html",
        [(f"{H}/basetag/anotherBase/ok", A), (f"{H}/basetag/anotherBase/broken", A)],
    ),
    # base "anotherBase" is a page in /basetag/, so links resolve in /basetag/
    ("linkinator/basetag/relative-page.html", [(f"{H}/basetag/ok", A), (f"{H}/basetag/broken", A)]),
    (
        "linkinator/basetag/relative-to-root.html",
        [(f"{H}/anotherBase/ok", A), (f"{H}/anotherBase/broken", A)],
    ),
    ("linkinator/basic/index.html", [("http://example.invalid/", A)]),
    ("linkinator/broke/index.html", [("http://example.invalid/", A)]),
    (
        "linkinator/css/index.html",
        [(f"{H}/css/styles.css", LINK), ("http://example.invalid/regular-link", A)],
    ),
    ("linkinator/css/external-test.html", [("http://example.invalid/styles.css", LINK)]),
    (
        "linkinator/image/index.html",
        [
            (f"{H}/image/missing.png", IMG),
            (f"{H}/image/boo.jpg", IMG),
            (f"{H}/image/missing.jpg", IMG),
        ],
    ),
    ("linkinator/malformed/index.html", []),
    (
        "linkinator/metarefresh/index.html",
        [
            ("http://example.invalid/redirected", A),
            ("http://example.invalid/delayed", A),
            ("http://example.invalid/uppercase", A),
        ],
    ),
    ("linkinator/nested/doll1/index.html", [("http://example.invalid/doll1", A)]),
    ("linkinator/nested/doll2/index.html", [("http://example.invalid/doll2", A)]),
    (
        "linkinator/picture/index.html",
        [(f"{H}/picture/image.webp", IMG), (f"{H}/picture/image.jpeg", IMG)],
    ),
    ("linkinator/prefetch/index.html", [("http://example.invalid/site.css", LINK)]),
    ("linkinator/protocols/index.html", []),
    (
        "linkinator/relative/index.html",
        [(f"{H}/relative/ohai.html", A), (f"{H}/relative/nested/index.html", A)],
    ),
    ("linkinator/relative/nested/index.html", [(f"{H}/relative/nested/nested.html", A)]),
    (
        "linkinator/repeated-broken-link/pageA.html",
        [("http://example.invalid/broken123", A), ("http://example.invalid/broken456", A)],
    ),
    (
        "linkinator/repeated-broken-link/pageB.html",
        [("http://example.invalid/broken123", A), ("http://example.invalid/broken789", A)],
    ),
    ("linkinator/scripts/index.html", [(f"{H}/scripts/script.js", SCRIPT)]),
    (
        "linkinator/srcset/index.html",
        [(f"{H}/srcset/_site/foo.html", IMG), (f"{H}/srcset/_site/bar.html", IMG)],
    ),
    ("linkinator/twittercard/index.html", []),
    ("lychee/LINK_PERIOD.html", [("https://www.example.com/smth.", A)]),
    (
        "lychee/TEST.html",
        [("https://endler.dev/2020/rust-compile-times/", A), ("https://hello-rust.show/10/", A)],
    ),
    (
        "lychee/TEST_DATA_URIS.html",
        [("http://www.w3.org/2000/svg", A), ("http://localhost/assets/img/bg-water.webp", A)],
    ),
    ("lychee/TEST_EMAIL_QUERY_PARAMS.html", []),
    (
        "lychee/TEST_HTML5.html",
        [
            ("https://example.com/head/home", LINK),
            (f"{H}/lychee/images/icon.png", LINK),
            ("https://example.com/css/style_full_url.css", LINK),
            (f"{H}/lychee/css/style_relative_url.css", LINK),
            (f"{H}/lychee/js/script.js", SCRIPT),
            ("https://example.com/body/a", A),
            ("https://example.com/body/div_empty_a", A),
        ],
    ),
    ("lychee/TEST_HTML5_CUSTOM_ELEMENTS.html", []),
    ("lychee/TEST_HTML5_LOWERCASE_DOCTYPE.html", [("https://example.com/body/a", A)]),
    (
        "lychee/TEST_HTML5_MALFORMED_LINKS.html",
        [(f"{H}/lychee/https;//example.com/malformed_one", A), ("https://example.com/valid", A)],
    ),
    (
        "lychee/TEST_HTML5_MINIFIED.html",
        [
            ("https://example.com/", LINK),
            ("https://example.com/favicon.ico", LINK),
            ("https://example.com/docs/", A),
            ("https://example.com/forum", A),
        ],
    ),
    ("lychee/TEST_HTTP.html", [("http://example.com/", A)]),
    ("lychee/TEST_VERBATIM.html", [("http://www.example.com/pre/a", A)]),
]


def _served_at(rel: str) -> str:
    if rel.startswith("linkinator/"):
        rel = rel.removeprefix("linkinator/")
    return f"{H}/{rel}"


@pytest.mark.parametrize(("rel", "expected"), CASES, ids=[c[0] for c in CASES])
def test_peer_fixture(
    peer_fixtures_dir: Path, rel: str, expected: list[tuple[str, Element]]
) -> None:
    html = (peer_fixtures_dir / rel).read_text(encoding="utf-8")
    links = extract_links(ParsedPage.parse(_served_at(rel), html))
    assert [(link.url, link.element) for link in links] == expected


def test_every_peer_page_has_a_case(peer_fixtures_dir: Path) -> None:
    pages = {
        str(p.relative_to(peer_fixtures_dir))
        for p in peer_fixtures_dir.rglob("*.html")
        # the targets of other pages' links, with no links of their own
        if p.parent.name != "_site" and p.name not in ("ohai.html", "nested.html")
    }
    assert pages == {c[0] for c in CASES}


def test_link_occurrences_across_pages(peer_fixtures_dir: Path) -> None:
    """linkinator's repeated-broken-link case: one URL carried by two pages."""
    pages = []
    for name in ("pageA.html", "pageB.html"):
        url = f"{H}/repeated-broken-link/{name}"
        html = (peer_fixtures_dir / "linkinator/repeated-broken-link" / name).read_text()
        pages.append((url, extract_links(ParsedPage.parse(url, html))))
    assert link_occurrences(pages) == {
        "http://example.invalid/broken123": [
            (f"{H}/repeated-broken-link/pageA.html", A),
            (f"{H}/repeated-broken-link/pageB.html", A),
        ],
        "http://example.invalid/broken456": [(f"{H}/repeated-broken-link/pageA.html", A)],
        "http://example.invalid/broken789": [(f"{H}/repeated-broken-link/pageB.html", A)],
    }


def test_same_url_once_first_element_wins() -> None:
    page = ParsedPage.parse(
        "http://www.example.gov.cn/",
        '<link rel="icon" href="/a.png"><a href="/a.png#x">图</a><a href="a.png">again</a>',
    )
    assert extract_links(page) == [PageLink(url="http://www.example.gov.cn/a.png", element=LINK)]


def test_texts_attachments_and_elements() -> None:
    page = ParsedPage.parse(
        "http://www.example.gov.cn/zwgk/index.html",
        """<map><area href="/map1.html" alt="地图"></map>
        <a href="./P020201119.PDF">  关于 印发\n通知 </a>
        <a href="files/表格.xlsx?v=1">附件</a>
        <a href="down.jsp?file=a.pdf">下载</a>
        <img src="/logo.png" alt="标志">
        <iframe src="https://v.example.gov.cn/player"></iframe>
        <video><source src="/v.mp4"></video>""",
    )
    got = [(link.url, link.element, link.attachment, link.text) for link in extract_links(page)]
    assert got == [
        ("http://www.example.gov.cn/map1.html", A, False, "地图"),
        ("http://www.example.gov.cn/zwgk/P020201119.PDF", A, True, "关于 印发 通知"),
        ("http://www.example.gov.cn/zwgk/files/%E8%A1%A8%E6%A0%BC.xlsx?v=1", A, True, "附件"),
        ("http://www.example.gov.cn/zwgk/down.jsp?file=a.pdf", A, False, "下载"),
        ("http://www.example.gov.cn/logo.png", IMG, False, "标志"),
        ("https://v.example.gov.cn/player", IFRAME, False, ""),
        ("http://www.example.gov.cn/v.mp4", IMG, False, ""),
    ]


def test_frameset() -> None:
    page = ParsedPage.parse(
        "http://www.example.gov.cn/zwgk/",
        '<html><frameset cols="20%,*"><frame src="left.html">'
        '<frame src="/main.html"></frameset></html>',
    )
    assert [(link.url, link.element) for link in extract_links(page)] == [
        ("http://www.example.gov.cn/zwgk/left.html", IFRAME),
        ("http://www.example.gov.cn/main.html", IFRAME),
    ]


def test_ignored_schemes_and_empty_references() -> None:
    page = ParsedPage.parse(
        "http://www.example.gov.cn/a/",
        """<a href="javascript:void(0);">x</a><a href="JavaScript:;">x</a><a href="#">x</a>
        <a href="#top">x</a><a href="">x</a><a>x</a><a href="tel:12345">x</a>
        <a href="mailto:a@b.cn">x</a><a href="irc://x/y">x</a><a href="ftp://x/y">x</a>
        <img src=""><img src="data:image/gif;base64,R0lGOD">
        <a href=" http://www.example.gov.cn/ok.html ">ok</a>""",
    )
    assert [link.url for link in extract_links(page)] == ["http://www.example.gov.cn/ok.html"]


def test_government_site_quirks() -> None:
    page = ParsedPage.parse(
        "http://www.example.gov.cn/xxgk/zcwj/index.html",
        r"""<a href="..\..\gzdt\index.html">backslashes</a>
        <a href="../../../../">above the root</a>
        <a href="http://WWW.Example.GOV.CN:80/xxgk/./a/../b.html">noisy</a>
        <a href="/新闻/a.html">raw</a><a href="/%e6%96%b0%e9%97%bb/a.html">encoded</a>
        <a href="search.jsp?q=政府 公开&amp;page=2">query</a>
        <a href="//cdn.example.gov.cn/x.js">scheme-relative</a>
        <a href="http:same.html">scheme-only</a>
        <a href="http://北京市人民政府.政务/">idn</a>""",
    )
    assert [link.url for link in extract_links(page)] == [
        "http://www.example.gov.cn/gzdt/index.html",
        "http://www.example.gov.cn/",
        "http://www.example.gov.cn/xxgk/b.html",
        "http://www.example.gov.cn/%E6%96%B0%E9%97%BB/a.html",
        "http://www.example.gov.cn/xxgk/zcwj/search.jsp?q=%E6%94%BF%E5%BA%9C%20%E5%85%AC%E5%BC%80&page=2",
        "http://cdn.example.gov.cn/x.js",
        "http://www.example.gov.cn/xxgk/zcwj/same.html",
        "http://" + "北京市人民政府.政务".encode("idna").decode() + "/",
    ]


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://Example.GOV.cn:80", "http://example.gov.cn/"),
        ("https://example.gov.cn:443/a#frag", "https://example.gov.cn/a"),
        ("https://example.gov.cn:8443/a?b=2&a=1", "https://example.gov.cn:8443/a?b=2&a=1"),
        ("http://example.gov.cn/新闻/a.html", "http://example.gov.cn/%E6%96%B0%E9%97%BB/a.html"),
        (
            "http://example.gov.cn/%e6%96%b0%e9%97%bb/a.html",
            "http://example.gov.cn/%E6%96%B0%E9%97%BB/a.html",
        ),
        (
            'http://example.gov.cn/a b/"x"?q=a b\'c',
            "http://example.gov.cn/a%20b/%22x%22?q=a%20b%27c",
        ),
        ("http://example.gov.cn/a/./b/../c/", "http://example.gov.cn/a/c/"),
        ("http://example.gov.cn/a?", "http://example.gov.cn/a?"),
        ("http:///example.gov.cn/a", "http://example.gov.cn/a"),  # browsers skip extra slashes
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("http://user@example.gov.cn/", "http://user@example.gov.cn/"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


@pytest.mark.parametrize(
    "url",
    [
        "//////",
        "http://",
        "http://:80/",
        "https://example]org/x",
        "http://a.cn:99999/",
        "http://a b.cn/",
    ],
)
def test_invalid_urls_raise(url: str) -> None:
    with pytest.raises(InvalidURL):
        canonical_url(url)


def test_relative_or_other_scheme_is_not_canonical() -> None:
    with pytest.raises(InvalidURL):
        canonical_url("/a/b")
    with pytest.raises(InvalidURL):
        canonical_url("mailto:a@b.cn")
    assert resolve_url("mailto:a@b.cn", "http://a.cn/") is None


def test_srcset_parsing() -> None:
    assert srcset_urls("a.jpg 1x, b.jpg?x=1,2 2x,c.jpg") == ["a.jpg", "b.jpg?x=1,2", "c.jpg"]
    assert srcset_urls("a.jpg 100w (x, y), b.jpg") == ["a.jpg", "b.jpg"]
    assert srcset_urls("data:image/png;base64,AA,BB 1x") == ["data:image/png;base64,AA,BB"]
    assert srcset_urls(" , ") == []


def test_is_attachment() -> None:
    assert is_attachment("http://a.cn/f/x.OFD")
    assert is_attachment("http://a.cn/f/x.wps?download=1")
    assert not is_attachment("http://a.cn/f.pdf/view")
    assert not is_attachment("http://a.cn/down.jsp?f=x.pdf")


def test_corpus_pages_extract(corpus_dir: Path) -> None:
    """Real pages: every URL is canonical and no ignored scheme slips through."""
    total = 0
    for path in sorted(corpus_dir.rglob("*")):
        if path.suffix in (".md", ".tsv") or not path.is_file():
            continue
        html = path.read_text(encoding="utf-8", errors="replace")
        links = extract_links(ParsedPage.parse("http://www.example.gov.cn/a/b/index.html", html))
        for link in links:
            assert link.url.startswith(("http://", "https://"))
            assert canonical_url(link.url) == link.url
        assert len({link.url for link in links}) == len(links)
        total += len(links)
    assert total > 500


_PATH_CHARS = st.sampled_from(list("abcXYZ019-_./ ~") + list("新闻政府公开中国"))


@given(path=st.text(_PATH_CHARS, max_size=30), query=st.text(_PATH_CHARS, max_size=15))
@settings(max_examples=300, deadline=None)
def test_canonical_is_idempotent_and_encoding_blind(path: str, query: str) -> None:
    # (a trailing "&end" keeps the URL from ending in spaces, which browsers strip)
    raw = f"http://WWW.Example.gov.cn:80/{path}?{query}&end"
    encoded = f"http://www.example.gov.cn/{quote(path, safe='/~')}?{quote(query, safe='/~')}&end"
    once = canonical_url(raw)
    assert canonical_url(once) == once
    assert canonical_url(encoded) == once
    assert once.isascii()


@pytest.mark.parametrize("element", list(Element))
def test_a_link_survives_the_trip_to_the_crawl_process(element: Element) -> None:
    """Links travel from the analysis worker as pickles (PageLink is a named
    tuple, cheaper to rebuild than a frozen dataclass)."""
    link = PageLink(url="http://www.example.gov.cn/新闻/a.pdf", element=element, attachment=True, text="通知")
    again = pickle.loads(pickle.dumps(link, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == link
    assert again.element is element
