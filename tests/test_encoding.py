"""Decoding mislabelled Chinese pages; 堃 and 镕 lie outside GB2312 (DEPENDENCIES.md)."""

from __future__ import annotations

import codecs

import pytest

from crawler.analysis.encoding import (
    decode_html,
    meta_charset,
    normalise_charset,
    text_needs_redecode,
)

TEXT = "朱镕基与王堃同志：通知公告 2026年11月25日"


def page(meta: str | None) -> str:
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">' if meta else ""
    return f"<html><head>{head}<title>通知公告</title></head><body><p>{TEXT}</p></body></html>"


CASES = [
    # id, page encoding, meta declaration, HTTP header, expected codec
    ("utf8-declared", "utf-8", "utf-8", "utf-8", "utf-8"),
    ("utf8-undeclared", "utf-8", None, None, "utf-8"),
    ("gbk-as-gb2312", "gbk", "gb2312", "gb2312", "gb18030"),
    ("gbk-meta-only", "gbk", "gbk", None, "gb18030"),
    ("gb18030", "gb18030", "gb18030", "GB18030", "gb18030"),
    ("gbk-wrong-header-utf8", "gbk", "gb2312", "utf-8", "gb18030"),
    ("gbk-wrong-header-undeclared", "gbk", None, "utf-8", "gb18030"),
    ("gbk-latin1-header", "gbk", "gbk", "iso-8859-1", "gb18030"),
    ("gbk-undeclared", "gbk", None, None, "gb18030"),
    ("utf8-labelled-gbk", "utf-8", "gb2312", "gbk", "utf-8"),
    ("utf8-wrong-meta", "utf-8", "gb2312", None, "utf-8"),
]


@pytest.mark.parametrize(
    ("page_codec", "meta", "header", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_decode_html(page_codec: str, meta: str | None, header: str | None, expected: str) -> None:
    body = page(meta).encode(page_codec)
    text, codec = decode_html(body, header)
    assert codec == expected
    assert TEXT in text
    assert "\ufffd" not in text


def test_gb2312_codec_alone_would_lose_the_trap_characters() -> None:
    body = TEXT.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    assert decode_html(body, "gb2312")[0] == TEXT


def test_utf8_bom() -> None:
    text, codec = decode_html(codecs.BOM_UTF8 + TEXT.encode("utf-8"), "gbk")
    assert (text, codec) == (TEXT, "utf-8")


def test_ascii_page_keeps_declared_codec() -> None:
    assert decode_html(b"<html>ok</html>", "GBK") == ("<html>ok</html>", "gb18030")


def test_undecodable_bytes_pick_fewest_replacements() -> None:
    body = TEXT.encode("gbk") + b"\xff\xff"
    text, codec = decode_html(body, "utf-8")
    assert codec == "gb18030"
    assert "朱镕基" in text


def test_meta_charset_and_labels() -> None:
    assert meta_charset(b'<meta charset="GB2312">') == "gb18030"
    assert (
        meta_charset(b"<meta http-equiv=Content-Type content='text/html; charset=utf-8'>")
        == "utf-8"
    )
    assert meta_charset(b"<p>none</p>") is None
    assert normalise_charset("x-unknown-charset") is None
    assert normalise_charset(None) is None


def test_text_needs_redecode() -> None:
    gbk = page("gb2312").encode("gbk")
    scrapy_like = gbk.decode("utf-8", "replace")  # a wrong `charset=utf-8` header
    assert text_needs_redecode(scrapy_like)
    latin = page(None).encode("utf-8").decode("cp1252", "replace")
    assert text_needs_redecode(latin)
    assert not text_needs_redecode(page("utf-8"))
    assert not text_needs_redecode("<html>plain ascii</html>")


def test_corpus_pages_are_utf8_whatever_the_label(corpus_dir) -> None:
    paths = sorted(corpus_dir.glob("*/*.html")) + sorted(corpus_dir.glob("*/*.jsp"))
    assert paths
    for path in paths:
        body = path.read_bytes()
        for header in (None, "utf-8", "gbk", "iso-8859-1"):
            text, codec = decode_html(body, header)
            assert codec == "utf-8", (path.name, header)
            assert not text_needs_redecode(text), path.name
