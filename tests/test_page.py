"""The shared parsed page: its body text is the visible text, however computed."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from crawler.analysis.encoding import decode_html
from crawler.analysis.page import ParsedPage, squash, visible_body_text, visible_text

PAGE = """<html><head><title>标题</title><style>.a{color:red}</style>
<script>var notice = "脚本里的字";</script></head>
<body><div>动态要闻<script>document.write("写出的字")</script></div>
<noscript>请开启脚本</noscript><template><p>模板里的字</p></template>
<p>正文&nbsp;内容</p><style>p{}</style></body></html>"""


def test_body_text_leaves_out_what_a_visitor_never_sees() -> None:
    page = ParsedPage.parse("http://example.gov.cn/", PAGE)
    assert page.body_text == "动态要闻 正文 内容"
    # the shared tree is not touched: other analysers still see the scripts
    assert len(page.tree.css("script")) == 2 and page.tree.css_first("noscript") is not None


def test_body_text_of_a_page_without_body() -> None:
    assert visible_body_text(LexborHTMLParser("")) == ""


def test_clone_and_reparse_agree_on_the_corpus(corpus_dir: Path) -> None:
    """The clone-and-strip path gives exactly the text of the serialise-and-parse
    one on every real page of the corpus."""
    pages = sorted(p for p in corpus_dir.rglob("*") if p.is_file() and p.suffix in (".html", ".htm", ".jsp", ".shtml"))
    assert pages
    for path in pages:
        html, _ = decode_html(path.read_bytes(), None)
        tree = LexborHTMLParser(html)
        expected = visible_text(tree.body) if tree.body is not None else ""
        assert visible_body_text(tree) == expected, path.name
        assert visible_body_text(tree, keep_tree=False) == expected, path.name


@given(st.text(alphabet=st.sampled_from([*"ab 文\t\n\r\x0b\x0c\x1c\x1f\x85\u200b\u2028\ufeff", "\u3000", "\xa0", "\u2003"])))
def test_squash_collapses_whitespace_as_the_regex_did(text: str) -> None:
    """Every analyser compares squashed text: the split-based squash must give
    what ``\\s+`` -> one space, stripped, gave (full-width and no-break spaces
    included; a zero-width space is not whitespace for either)."""
    assert squash(text) == re.sub(r"\s+", " ", text).strip()
