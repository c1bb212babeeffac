"""The site-search probe (NAT-D-SEARCH): search the titles of 4 published
articles, one request at a time, and check each is on the first result page and
whether results are grouped by category.

A search that fails, is blocked by a WAF or answers a page that shows neither
results nor a "no result" message is unknown (``found=None``): a search engine
the probe could not use is not a search engine that finds nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit

import httpx

from crawler.analysis.encoding import decode_html
from crawler.analysis.labels import has_inner, in_chrome
from crawler.analysis.page import ParsedPage, squash
from crawler.analysis.searchbox import SearchForm
from crawler.analysis.waf import challenge_reason
from govmon.records import SearchDetection

__all__ = ["check_search", "grouped_results", "result_titles", "sample_titles", "title_found"]

log = logging.getLogger(__name__)

_PUNCT = re.compile(r"[\s\u3000《》〈〉“”\"'‘’（）()【】\[\]、，,。.:：;；!！?？·—…-]+")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…+|\.{2,})\s*$")
#: Words a results page uses, with or without hits (found nothing is a real answer).
_RESULTS_PAGE = re.compile(
    r"共找到|找到\s*\d+\s*条|共\s*\d+\s*条|相关结果|搜索结果|检索结果|未找到|没有找到|无相关|"
    r"查询结果|暂无|0\s*条|找不到"
)
#: A group heading: a column name with a count (要闻（18）) or a category tab.
_GROUP_HEADING = re.compile(r"^[\u4e00-\u9fa5A-Za-z]{2,12}\s*[（(]\s*\d+\s*[)）]$")
_CATEGORY_WORDS = re.compile(
    r"^(?:全部|政策文件|政策解读|办事指南|办事服务|新闻动态|新闻|要闻|通知公告|政务公开|信息公开|"
    r"互动交流|解读|文件|服务|栏目|图片|视频|动态|公告|政策|互动|其他)\s*(?:[（(]\s*\d+\s*[)）])?$"
)
_GROUP_CLASS = re.compile(r"group|categor|classify|fenlei|lanmu|(?:^|[-_\s])tabs?(?:$|[-_\s])", re.I)
_MIN_PREFIX = 8


def _norm(text: str) -> str:
    return _PUNCT.sub("", text).lower()


def sample_titles(titles: Sequence[str], *, n: int = 4, seed: int = 0) -> list[str]:
    """``n`` distinct non-empty titles, chosen with ``seed`` from the sorted set so
    the same crawl gives the same sample whatever order titles arrived in."""
    pool = sorted({t.strip() for t in titles if t and t.strip()})
    return random.Random(seed).sample(pool, min(n, len(pool)))


def result_titles(page: ParsedPage) -> list[str]:
    """Texts (and title attributes) of the result page's links outside its header,
    navigation and footer: the query echoed in 搜索“X” is not a hit."""
    out: list[str] = []
    body = page.tree.body
    if body is None:
        return out
    for a in body.css("a[href]"):
        if in_chrome(a):
            continue
        for text in (squash(a.text()), squash(a.attributes.get("title") or "")):
            if text:
                out.append(text)
    return out


def title_found(title: str, candidates: Sequence[str]) -> bool:
    """Whether a result link is the title: equal after normalising (spaces,
    punctuation, highlight markup), or a truncated prefix (…) of 8+ characters."""
    want = _norm(title)
    if not want:
        return False
    for text in candidates:
        got = _norm(text)
        if got == want:
            return True
        if _ELLIPSIS.search(text):
            prefix = _norm(_ELLIPSIS.sub("", text))
            if len(prefix) >= _MIN_PREFIX and want.startswith(prefix):
                return True
    return False


def grouped_results(page: ParsedPage) -> bool:
    """Whether results are shown by category: two or more group headings with a
    count (要闻（18）), elements classed as groups/tabs holding category names, or
    a tab bar of category names (全部 | 政策文件 | 办事指南 …)."""
    body = page.tree.body
    if body is None:
        return False
    headings = [
        squash(n.text())
        for n in body.css("h2, h3, h4, h5, dt, .title, .hd, span, a, li")
        if not in_chrome(n) and not has_inner(n, "div, ul, li, table")
    ]
    if sum(1 for h in headings if _GROUP_HEADING.match(h)) >= 2:
        return True
    # one group is still a grouping when the page marks it as one (div.search-group
    # with the heading 办事指南（1）): a query can match a single category
    for node in body.css("[class], [id]"):
        cls = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if not _GROUP_CLASS.search(cls) or in_chrome(node):
            continue
        for h in node.css("h2, h3, h4, h5, dt, .title, .hd"):
            text = squash(h.text())
            if _GROUP_HEADING.match(text) or _CATEGORY_WORDS.match(text):
                return True
    for node in body.css("ul, div, ol, nav"):
        if in_chrome(node):
            continue
        names = [squash(c.text()) for c in node.iter() if c.tag in ("li", "a", "span", "div", "button")]
        hits = [n for n in names if _CATEGORY_WORDS.match(n)]
        if len(hits) >= 3 and (any(h.startswith("全部") for h in hits) or len(hits) >= 4):
            return True
        cls = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _GROUP_CLASS.search(cls) and len(hits) >= 2:
            return True
    return False


async def _fetch(form: SearchForm, query: str, client: httpx.AsyncClient) -> tuple[str, ParsedPage | None, str | None]:
    """The results page for ``query`` (GET, or POST for POST forms) or why not."""
    url = form.url_for(query)
    try:
        if form.method == "POST":
            assert form.action is not None
            codec = "gb18030" if form.charset.lower() in ("gb2312", "gbk", "gb18030") else "utf-8"
            data = urlencode(form.params(query), encoding=codec)
            action = form.action
            resp = await client.post(
                action,
                content=data.encode("ascii"),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        else:
            resp = await client.get(url)
    except httpx.HTTPError as exc:
        return url, None, f"{type(exc).__name__}: {exc}"
    text, _ = decode_html(resp.content, resp.charset_encoding)
    blocked = challenge_reason(resp.status_code, dict(resp.headers), text[:8192])
    if blocked:
        return url, None, blocked
    if resp.status_code != 200:
        return url, None, f"HTTP {resp.status_code}"
    return url, ParsedPage.parse(str(resp.url), text), None


async def check_search(
    form: SearchForm,
    titles: Sequence[str],
    *,
    client: httpx.AsyncClient,
    n: int = 4,
    seed: int = 0,
    delay: float = 1.0,
    site_url: str | None = None,
) -> list[SearchDetection]:
    """Search ``n`` seeded-random titles of published articles, one at a time
    with ``delay`` seconds between requests.

    Each detection has ``url`` = ``site_url`` (default: the search action, so the
    same site gives the same identity across runs), ``query`` = the title,
    ``search_url`` = the GET URL run, ``found`` True/False (None: blocked, failed,
    no usable form, or a page that is not a results page) and ``grouped`` (None
    when it cannot be seen: no page, or no result to group)."""
    chosen = sample_titles(titles, n=n, seed=seed)
    where = site_url or form.action or ""
    if not form.usable:
        return [SearchDetection(url=where, query=q, search_url=None) for q in chosen]
    out: list[SearchDetection] = []
    for k, query in enumerate(chosen):
        if k and delay > 0:
            await asyncio.sleep(delay)
        url, page, why = await _fetch(form, query, client)
        if page is None:
            log.info("search %s for %r: no results page (%s)", urlsplit(url).netloc, query, why)
            out.append(SearchDetection(url=where, query=query, search_url=url))
            continue
        found: bool | None = title_found(query, result_titles(page))
        grouped: bool | None = grouped_results(page)
        if not found:
            if not _RESULTS_PAGE.search(page.body_text):
                found = None  # neither hits nor a results message: script-rendered?
            if not grouped:
                grouped = None  # nothing to group
        out.append(SearchDetection(url=where, query=query, search_url=url, found=found, grouped=grouped))
    return out
