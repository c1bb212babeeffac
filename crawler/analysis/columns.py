"""Column list pages, homepage freshness and the column aggregator.

Per page (pure functions of a :class:`ParsedPage`): :func:`analyse_listing`
finds the dated entries, pagination, blank markers and name candidates of a
list page; :func:`navigation` the homepage's first-level menu;
:func:`homepage_facts` the homepage's newest dated item.  At the end of a
crawl, :func:`build_columns` folds the pages of each list into one
``ColumnDetection`` and the homepage into a ``HomepageDetection``.

Stale and blank columns are what vetoes are made of, so every guess here
leans towards "not seen" rather than "blank": a list filled by JavaScript is
reported as unobservable (:func:`unknown_columns`), never as blank, and a blank
marker counts only when no dated entry sits beside it.

Two shapes follow issue 3 and the generated portals' ground truth.  A channel's
front page (新闻中心, 政务公开: blocks of its sub-columns' latest entries, each
under a "更多" link) is a column in the CMS sense, reported with class
``other`` and the newest entry it shows; classed by its name it would count
its sub-columns' entries twice under the news/notice rules.  A list whose
entries carry no date at all (领导信息) is blank, provided its container calls
itself a list and nothing date-like sits beside the links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.analysis.classify import KeywordTable, classify, default_keywords
from crawler.analysis.dates import find_dates, find_split_date, iter_dates, parse_date
from crawler.analysis.page import ParsedPage, squash
from govmon.records import (
    ColumnClass,
    ColumnDetection,
    HomepageDetection,
    UnknownDetection,
    UnknownReason,
)

#: How many entry dates a ColumnDetection keeps (newest first).
MAX_DATES = 200
#: An item longer than this is a block of prose, not a list entry.
MAX_ITEM_TEXT = 300
_NESTED_LISTS = frozenset({"ul", "ol", "table", "dl"})

# --------------------------------------------------------------------------
# Records of this analyser (internal to the crawler, not detections)
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ListEntry:
    """One entry of a list: its title, absolute URL (None for script links) and date."""

    title: str
    url: str | None
    date: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class NameCandidates:
    """Where a column's name may be read, in the order names are preferred
    (after the homepage navigation text, which only the aggregator knows)."""

    column_name: str | None = None
    breadcrumb: str | None = None
    heading: str | None = None
    title: str | None = None

    def ordered(self) -> list[str]:
        return [n for n in (self.column_name, self.breadcrumb, self.heading, self.title) if n]


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """What one page says as a (possible) column list page.

    ``entries`` are the items of the page's main list; ``page_dates`` the dates
    of every dated item anywhere on the page (newest first), which is what the
    homepage rule and the second-level check look at.  ``blank`` is an observed
    blank (a 暂无信息 marker or an empty list container, and no entry);
    ``scripted`` means the list is filled by JavaScript the crawler does not
    run, so its content is unknown, not blank.  ``is_article`` and
    ``published`` (PubDate meta or the 发布时间 label) describe article pages,
    whose date counts for a navigation-only homepage's second level.
    ``pagination`` holds the absolute URLs of the list's other pages (pager
    links, and the next page of a TRS ``createPageHTML`` script) for the
    spider to follow.  ``hub`` marks a channel's front page (新闻中心, 政务公开):
    several lists, each under a "more" link to its own column; its entries
    are the latest entries of those sub-columns.
    """

    url: str
    is_list: bool = False
    is_article: bool = False
    entries: tuple[ListEntry, ...] = ()
    newest: date | None = None
    page_dates: tuple[date, ...] = ()
    published: date | None = None
    blank: bool = False
    blank_marker: str | None = None
    scripted: bool = False
    has_pagination: bool = False
    pagination: tuple[str, ...] = ()
    total_entries: int | None = None
    total_pages: int | None = None
    names: NameCandidates = field(default_factory=NameCandidates)
    hub: bool = False

    @property
    def dated_entries(self) -> int:
        return sum(1 for e in self.entries if e.date is not None)


@dataclass(frozen=True, slots=True, kw_only=True)
class NavLink:
    """A first-level navigation link of the homepage."""

    text: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HomeFacts:
    """The homepage's dated items: the newest, how many, and whether the
    homepage is only a portal of links (no dated item at all)."""

    url: str
    newest: date | None = None
    dated_items: int = 0
    navigation_only: bool = False
    links: int = 0


# --------------------------------------------------------------------------
# Patterns (compiled once)
# --------------------------------------------------------------------------

_BLANK = re.compile(
    r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|新闻|公告|文件|资料)"
    r"|(?:没有|无)(?:相关|符合条件的)?(?:信息|数据|记录|内容)(?!公开)"
    r"|(?:栏目|页面|内容)(?:正在)?(?:建设|更新|维护)中"
)
_BLANK_QUICK = ("暂无", "没有", "无相关", "无符合", "建设中", "更新中", "维护中")
_HAS_DIGIT = re.compile(r"[0-9０-９]")
_WEEKDAY = re.compile(r"星期[一二三四五六日天]|今天是|今日是")
_ARTICLE_MARK = re.compile(
    r"(?:发布时间|发布日期|发文日期|成文日期|信息来源|来源|作者|浏览次数|点击数|阅读次数|访问次数|字号)\s*[:：]"
)
_PUBLISHED = (
    re.compile(r"(?:发布时间|发布日期|发文日期|发表时间|公告时间|更新时间)\s*[:：]?\s*(.{6,24})"),
    re.compile(r"(?:日期|时间)\s*[:：]\s*(.{6,24})"),
)
_PAGER_TEXT = re.compile(
    # words only: a bare ">>" is as often a "more" link to another column
    r"^(?:下一页|下页|上一页|上页|尾页|末页|最后一页|后一页|前一页|next|prev|previous|last)$",
    re.IGNORECASE,
)
# Checked on the last path segment and on the query separately: cheap on
# pages with hundreds of links.
_PAGER_WORDS = ("下一页", "下页", "上一页", "上页", "尾页", "末页", "最后一页", "后一页", "前一页",
                "next", "prev", "last")
_PAGER_WORD_SELECTOR = ", ".join(f'a:lexbor-contains("{w}" i)' for w in _PAGER_WORDS)
_PAGER_FILE = re.compile(r"(?:index|list|default|more|news)_\d+\.\w+$", re.IGNORECASE)
_PAGER_QUERY = re.compile(
    r"(?:^|&)(?:page|pageno|pageindex|pagenum|page_no|curpage|currentpage|pn|p)=\d+", re.IGNORECASE
)
_PAGER_BODY = re.compile(r"共\s*(?:有\s*)?\d+\s*[条页]|第\s*\d+\s*/\s*\d+\s*页|第\s*\d+\s*页")
_PAGER_SCRIPT_WORDS = ("createPageHTML", "countPage", "pageCount", "PageCount", "<totalrecord>")
_TOTAL_ENTRIES = re.compile(r"共\s*(?:有\s*)?(\d+)\s*条")
#: List containers that may be found empty; decorative divs (list_line,
#: listbg) are only trusted when they are the main list box by id.
_EMPTY_LIST_SELECTOR = (
    'ul[class*="list"], ul[id*="list"], ol[class*="list"], tbody[id*="list"], '
    'table[class*="list"], div[id*="list"], div[class*="list-con"], div[class*="listcon"], '
    'div[class*="list_con"], div[class*="news-list"], div[class*="news_list"], '
    'div[class*="newslist"]'
)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)
_TOTAL_SCRIPT_WORDS = (
    "<totalrecord>",
    "countnum",
    "recordCount",
    "RecordCount",
    "totalRecord",
    "TotalRecord",
    "totalCount",
    "TotalCount",
)
_NUMBER_AFTER = re.compile(r"\s*[=:>]?\s*[\"']?(\d+)")
_TOTAL_PAGES = re.compile(r"共\s*(\d+)\s*页|第\s*\d+\s*/\s*(\d+)\s*页")
_TOTAL_PAGES_SCRIPT = re.compile(r"createPageHTML\s*\(\s*[\"']?(\d+)|countPage\s*=\s*(\d+)")
_TRS_PAGER = re.compile(
    r"createPageHTML\s*\(\s*[\"']?(\d+)[\"']?\s*,\s*[\"']?(\d+)[\"']?\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
#: Marks of a list rendered in the browser (searched as plain substrings).
_SCRIPT_LIST_WORDS = (
    "$.ajax",
    "$.get",
    "$.post",
    "fetch(",
    "XMLHttpRequest",
    "axios.",
    "template(",
    "laypage",
    "layui.",
)
#: Client-side templates in the markup itself (Vue, Angular, art-template).
_TEMPLATE_MARKS = ("v-for=", "{{", "ng-repeat")
_CRUMB_MARK = re.compile(
    r"^.*?(?:当前位置|您现在的位置|您的位置|现在的位置|所在位置|当前栏目|位置)\s*(?:是)?\s*[:：]?\s*"
)
_CRUMB_SPLIT = re.compile(r"\s*(?:-+>|—+>|=>|>+|＞+|»|›|→|/|\\|\|)\s*")
_CRUMB_SKIP = {
    "首页",
    "网站首页",
    "主页",
    "正文",
    "详情",
    "内容",
    "列表",
    "文章",
    "正文内容",
    "详细内容",
    "当前位置",
}
_CRUMB_SELECTOR = (
    '[class*="crumb"], [id*="crumb"], [class*="Crumb"], [class*="location"], [id*="location"], '
    '[class*="position"], [id*="position"], [class*="weizhi"], [id*="weizhi"], [class*="dqwz"], '
    '[id*="dqwz"], [class*="mbx"], [id*="mbx"], [class*="bread"], [class*="Location"], '
    '[class*="Position"]'
)
_TITLE_SPLIT = re.compile(r"\s*(?:--|——|—|–|_|\||｜|-)\s*")
_SITE_LIKE = re.compile(r"(?:人民政府|政府|门户网站|网站|政府网|信息网|委员会|厅|局|办公室)$")
_HEADING_CLEAN = re.compile(
    r"(?:更多|more|MORE|More)?\s*(?:>>|》|»|>|\+)+\s*$|\s*(?:更多|more)\s*$"
)
_NAV_SELECTOR = (
    'nav, [class*="nav"], [id*="nav"], [class*="Nav"], [id*="Nav"], [class*="menu"], [id*="menu"], '
    '[class*="Menu"], [id*="Menu"], [class*="daohang"], [id*="daohang"]'
)
_NAV_SKIP_CLASS = re.compile(
    r"foot|bottom|sub|child|second|drop|erji|\bej|crumb|position|location|page", re.IGNORECASE
)
_HOME_TEXT = {"首页", "网站首页", "返回首页", "主页", "门户首页", "本站首页"}
_FIRST_PAGE = re.compile(r"/(index|default)\.(?:s?html?|jsp|php|aspx?)$", re.IGNORECASE)
_PAGE_NUMBERED = re.compile(
    r"/(?:(index|default)|(list|more|news))_(\d+)\.(s?html?|jsp|php|aspx?)$", re.IGNORECASE
)
_PAGE_PARAMS = {
    "page",
    "pageno",
    "pageindex",
    "pagenum",
    "page_no",
    "curpage",
    "currentpage",
    "pn",
    "p",
}


# --------------------------------------------------------------------------
# Item extraction
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Item:
    """A list-like element: li/tr/dd/dt, or the block around a dated link.

    Only its text and date are computed for every item; title and URL are
    computed for the main list's items alone (most items of a page are menu
    entries that never need them)."""

    node: LexborNode
    group: int
    order: int
    text: str
    when: date | None
    anchor: LexborNode | None
    anchor_text: str
    weekday: bool = False

    def entry(self, page: ParsedPage, as_of: date) -> ListEntry:
        title = squash(self.anchor_text) if self.anchor is not None else squash(self.text)
        if self.anchor is not None:
            attr = (self.anchor.attributes.get("title") or "").strip()
            if attr and (title.endswith(("...", "…")) or len(attr) > len(title)):
                title = attr
        if self.when is not None:
            for d, s, e in iter_dates(title, as_of=as_of):
                if d == self.when and (s <= 1 or e >= len(title) - 1):
                    title = squash(title[:s] + " " + title[e:]).strip(" []【】()（）")
                    break
        href = self.anchor.attributes.get("href") if self.anchor is not None else None
        return ListEntry(title=title, url=_entry_url(page, href), date=self.when)


_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def clean_name(name: str) -> str:
    """A column name as shown: whitespace squashed, and none between Chinese
    characters (menus space out 要 闻 and break 政府信息 公开指南)."""
    return _CJK_GAP.sub("", squash(name))


def _text(node: LexborNode) -> str:
    return squash(node.text(deep=True, separator=" "))


def _entry_url(page: ParsedPage, href: str | None) -> str | None:
    href = (href or "").strip()
    if (
        not href
        or href.startswith("#")
        or href.lower().startswith(("javascript:", "mailto:", "tel:"))
    ):
        return None
    return page.resolve(href)


def _make_item(
    node: LexborNode, anchors: list[LexborNode], group: int, order: int, as_of: date
) -> _Item | None:
    """An item for a list-like node, or None for an empty or decorative one.

    The date is read outside the title link (a date inside a title is the
    subject of the entry, not its publication); failing that, at the start or
    end of the link text (``<a><span>title</span><em>2026-11-25</em></a>``).
    """
    text = node.text(deep=True, separator=" ")
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_ITEM_TEXT:
        return None
    anchor: LexborNode | None = None
    anchor_text = ""
    for a in anchors:
        t = a.text(deep=True, separator=" ")
        if len(t.strip()) > len(anchor_text.strip()):
            anchor, anchor_text = a, t
    found: date | None = None
    if _HAS_DIGIT.search(text) is not None:
        if anchor is not None:
            dates = find_dates(text.replace(anchor_text, " ", 1), as_of=as_of)
            if dates:
                found = max(dates)
            else:
                inner = anchor_text.strip()
                for d, s, e in iter_dates(inner, as_of=as_of):
                    if s <= 1 or e >= len(inner) - 1:
                        found = d
        else:
            dates = find_dates(text, as_of=as_of)
            found = max(dates) if dates else None
        if found is None:
            outside = text.replace(anchor_text, " ", 1) if anchor is not None else text
            found = find_split_date(outside, as_of=as_of)
    if anchor is None and (found is None or len(stripped) < 8):
        return None  # an undated, unlinked line is a header or a separator
    weekday = found is not None and _WEEKDAY.search(text) is not None
    return _Item(
        node=node,
        group=group,
        order=order,
        text=text,
        when=found,
        anchor=anchor,
        anchor_text=anchor_text,
        weekday=weekday,
    )


def _collect(tree: LexborHTMLParser, as_of: date, items: list[_Item]) -> None:
    """Append the list-like items of one tree: li/tr/dd/dt elements, and for
    div lists the element around each dated link that is not in such an item."""
    in_items: set[int] = set()
    for node in tree.css("li, tr, dd, dt"):
        # one walk of the item's subtree (cheaper than two css() calls)
        anchors = []
        nested = False
        for d in node.traverse():
            tag = d.tag
            if tag == "a":
                anchors.append(d)
                in_items.add(d.mem_id)
            elif tag in _NESTED_LISTS:
                nested = True
        if nested:
            continue  # a menu item holding a sub-list: its leaves are the items
        parent = node.parent
        if parent is None:
            continue
        item = _make_item(node, anchors, parent.mem_id, len(items), as_of)
        if item is not None:
            items.append(item)
    for a in tree.css("a"):
        if a.mem_id in in_items:
            continue
        block = a.parent
        if block is None or block.tag in ("body", "html"):
            continue
        own = a.text(deep=True).strip()
        # <div class=title><a>..</a></div><div class=date>..</div>: climb once.
        if block.text(deep=True).strip() == own:
            upper = block.parent
            if upper is None or upper.tag in ("body", "html"):
                continue
            block = upper
        anchors = [x for x in block.traverse() if x.tag == "a" and x.text(deep=True).strip()]
        if len(anchors) > 1:
            # a block of several links is a container; a link that holds its
            # own date (<a><span>title</span><span>date</span></a>) is an entry
            if _HAS_DIGIT.search(own) is None:
                continue
            block, anchors = a, [a]
        parent = block.parent
        if parent is None:
            continue
        item = _make_item(block, anchors, parent.mem_id, len(items), as_of)
        if item is not None and item.when is not None:
            items.append(item)  # undated blocks of links are navigation, not lists


def _datastore(page: ParsedPage) -> LexborHTMLParser | None:
    """The entries of a Hanweb (大汉) list, which ships them as CDATA records in
    ``<script type="text/xml"><datastore>`` for its pager script to render."""
    cached = page._cache.get("datastore")
    if cached is not None:
        return cached if isinstance(cached, LexborHTMLParser) else None
    tree: LexborHTMLParser | None = None
    if "<datastore" in page.html or "<DATASTORE" in page.html:
        records = _RECORD.findall(_scripts(page))
        if records:
            tree = LexborHTMLParser("<html><body>" + "".join(records) + "</body></html>")
    page._cache["datastore"] = tree if tree is not None else False
    return tree


def _items(page: ParsedPage, as_of: date) -> list[_Item]:
    """Every list-like item of the page, Hanweb datastore records included."""
    cache_key = f"list_items:{as_of.isoformat()}"
    cached = page._cache.get(cache_key)
    if isinstance(cached, list):
        return cached
    items: list[_Item] = []
    _collect(page.tree, as_of, items)
    store = _datastore(page)
    if store is not None:
        _collect(store, as_of, items)
    page._cache[cache_key] = items
    return items


def _main_list(items: list[_Item]) -> tuple[list[_Item], bool]:
    """The items of the page's main list: the group with most dated items plus
    its sibling groups (lists split into several <ul> of five); and whether
    the page is a portal of several lists, none dominant (a channel's front
    page, whose lists are columns of their own)."""
    groups: dict[int, list[_Item]] = {}
    for it in items:
        groups.setdefault(it.group, []).append(it)
    best: int | None = None
    best_key = (0, 0, 0)
    for gid, members in groups.items():
        dated = sum(1 for m in members if m.when is not None and not m.weekday)
        key = (dated, len(members), -members[0].order)
        if dated and key > best_key:
            best, best_key = gid, key
    if best is None:
        return [], False
    main_parent = groups[best][0].node.parent
    grand = main_parent.parent if main_parent is not None else None
    chosen = {best}
    if grand is not None and main_parent is not None:
        for gid, members in groups.items():
            p = members[0].node.parent
            if (
                gid not in chosen
                and p is not None
                and p.tag == main_parent.tag
                and p.parent is not None
                and p.parent.mem_id == grand.mem_id
                and any(m.when is not None for m in members)
            ):
                chosen.add(gid)
    main = [it for it in items if it.group in chosen and not it.weekday]
    main_dated = sum(1 for it in main if it.when is not None)
    others = [
        n
        for gid, members in groups.items()
        if gid not in chosen
        and (n := sum(1 for m in members if m.when is not None and not m.weekday)) >= 2
    ]
    portal = len(others) >= 2 and main_dated < 2 * max(others)
    return main, portal


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------


def _breadcrumb(page: ParsedPage) -> str | None:
    node: LexborNode | None = None
    best_len = 10_000
    for cand in page.tree.css(_CRUMB_SELECTOR):
        t = _text(cand)
        if t and len(t) < best_len and len(t) <= 200:
            node, best_len = cand, len(t)
    if node is None and "位置" in page.html:
        for cand in page.tree.css(':lexbor-contains("位置")'):
            if cand.tag in ("script", "style", "title", "head", "html", "body"):
                continue
            t = _text(cand)
            if t and len(t) < best_len and len(t) <= 200:
                node, best_len = cand, len(t)
        # the marker often sits in its own <span>; the crumb is its parent
        if node is not None and not _CRUMB_SPLIT.search(_CRUMB_MARK.sub("", _text(node))):
            parent = node.parent
            if parent is not None and len(_text(parent)) <= 200:
                node = parent
    if node is None:
        return None
    text = _CRUMB_MARK.sub("", _text(node), count=1)
    parts = [p.strip(" :：") for p in _CRUMB_SPLIT.split(text)]
    if len(parts) == 1:
        # separators drawn by CSS: <ol class=breadcrumb><li>..</li><li>..</li>
        pieces = [_text(li) for li in node.css("li")] or [_text(a) for a in node.css("a")]
        if len(pieces) >= 2:
            parts = [p.strip(" :：") for p in pieces]
    parts = [p for p in parts if p and p not in _CRUMB_SKIP]
    if not parts:
        return None
    last = parts[-1]
    return last if len(last) <= 30 else None  # cleaned by the caller


def _is_inside(node: LexborNode, container: LexborNode) -> bool:
    cur: LexborNode | None = node
    for _ in range(40):
        if cur is None:
            return False
        if cur.mem_id == container.mem_id:
            return True
        cur = cur.parent
    return False


def _heading(main_node: LexborNode | None, titles: set[str]) -> str | None:
    """A short heading near the main list (h1–h4 first, then *title* classes)."""
    if main_node is None:
        return None
    cur = main_node.parent
    for _ in range(5):
        if cur is None or cur.tag in ("body", "html"):
            return None
        for selector in (
            "h1, h2, h3, h4",
            '[class*="title"], [class*="tit"], [class*="Title"], [class*="lmmc"]',
        ):
            for cand in cur.css(selector):
                if _is_inside(cand, main_node):
                    continue
                t = clean_name(_HEADING_CLEAN.sub("", _text(cand)))
                if 2 <= len(t) <= 20 and t not in titles:
                    return t
        cur = cur.parent
    return None


def _title_name(page: ParsedPage) -> str | None:
    site = (page.meta("SiteName") or "").strip()
    parts = [p for p in _TITLE_SPLIT.split(page.title) if p]
    for p in parts:
        if p == site or (_SITE_LIKE.search(p) and len(parts) > 1):
            continue
        return clean_name(p) if len(p) <= 30 else None
    return None


# --------------------------------------------------------------------------
# Pagination, blank, article
# --------------------------------------------------------------------------


def _scripts(page: ParsedPage) -> str:
    """The text of the page's inline scripts, where pagers and Ajax lists live
    (searching them, not the whole HTML, keeps the regexes cheap)."""
    cached = page._cache.get("inline_scripts")
    if isinstance(cached, str):
        return cached
    text = "\n".join(n.text() for n in page.tree.css("script") if "src" not in n.attributes)
    page._cache["inline_scripts"] = text
    return text


def _pager_href(href: str) -> bool:
    """Whether a link goes to another page of a list (index_2.html, ?page=2)."""
    path, _, query = href.partition("?")
    tail = path.rsplit("/", 1)[-1]
    if "_" in tail and _PAGER_FILE.search(tail) is not None:
        return True
    return bool(query) and _PAGER_QUERY.search(query) is not None


def _script_number(scripts: str, words: tuple[str, ...]) -> int | None:
    """The number assigned after the first of ``words`` found in the scripts."""
    for word in words:
        at = scripts.find(word)
        if at >= 0:
            m = _NUMBER_AFTER.match(scripts, at + len(word))
            if m is not None:
                return int(m.group(1))
    return None


def _pagination(page: ParsedPage) -> tuple[bool, tuple[str, ...], int | None, int | None]:
    """(has a pager, URLs of the other pages, total entries, total pages)."""
    links: list[str] = []
    pager_seen = False
    # An anchor's text costs a walk of its subtree: lexbor finds in C the few
    # anchors that contain a pager word, and only those are read.
    worded = {a.mem_id for a in page.tree.css(_PAGER_WORD_SELECTOR)}
    for a in page.tree.css("a"):
        href = (a.attributes.get("href") or "").strip()
        if _pager_href(href) or (a.mem_id in worded and _PAGER_TEXT.match(a.text(deep=True, strip=True))):
            pager_seen = True  # even a javascript:goPage(2) pager says "list"
            url = _entry_url(page, href)
            if url and url != page.url and url not in links:
                links.append(url)
    body = page.body_text
    html = _scripts(page)
    trs = _TRS_PAGER.search(html)
    if trs is not None:
        count, current, name, ext = int(trs.group(1)), int(trs.group(2)), trs.group(3), trs.group(4)
        if current + 1 < count:
            url = page.resolve(f"{name}_{current + 1}.{ext}")
            if url not in links:
                links.append(url)
    has = (
        pager_seen
        or bool(links)
        or _PAGER_BODY.search(body) is not None
        or any(word in html for word in _PAGER_SCRIPT_WORDS)
    )
    m = _TOTAL_ENTRIES.search(body)
    total_entries = int(m.group(1)) if m else _script_number(html, _TOTAL_SCRIPT_WORDS)
    total_pages: int | None = None
    m = _TOTAL_PAGES.search(body) or _TOTAL_PAGES_SCRIPT.search(html)
    if m is not None:
        total_pages = int(next(g for g in m.groups() if g))
    return has, tuple(links), total_entries, total_pages


def _blank_marker(page: ParsedPage) -> str | None:
    if not any(mark in page.html for mark in _BLANK_QUICK):
        return None
    m = _BLANK.search(page.body_text)
    return m.group(0) if m else None


def _empty_container(page: ParsedPage) -> bool:
    return any(not _text(node) and node.css_first("a, img") is None
               for node in page.tree.css(_EMPTY_LIST_SELECTOR))


def _has_article_meta(page: ParsedPage) -> bool:
    return bool((page.meta("ArticleTitle") or "").strip() or (page.meta("PubDate") or "").strip())


def _prose(page: ParsedPage) -> int:
    """Characters of paragraph text outside list items: the body of an article
    or of a single-page column (机构职能, 概况), which no list page has much of."""
    cached = page._cache.get("prose")
    if isinstance(cached, int):
        return cached
    total = sum(len(_text(p)) for p in page.tree.css("p"))
    total -= sum(len(_text(p)) for p in page.tree.css("li p, dd p"))
    page._cache["prose"] = total
    return total


def _content_kind(page: ParsedPage, main: list[_Item]) -> tuple[bool, bool]:
    """(is an article, is a page of content): either one is no list page.

    An article says so in its meta tags (ArticleTitle, PubDate) or with
    发布时间/来源-style labels over a long body; a single-page column has the
    long body without the labels.  "Long" is measured against the text of the
    page's main list, so a list with a paragraph of introduction stays a list.
    """
    if (page.meta("ArticleTitle") or "").strip() or (page.meta("PubDate") or "").strip():
        return True, True
    prose = _prose(page)
    listed = sum(len(it.anchor_text.strip() or it.text.strip()) for it in main)
    if prose < 300 or prose <= 2 * listed:
        return False, False
    labelled = _ARTICLE_MARK.search(page.body_text) is not None
    return labelled, labelled or prose >= 500


def _published(page: ParsedPage, as_of: date) -> date | None:
    value = page.meta("PubDate")
    if value:
        found = parse_date(value, as_of=as_of)
        if found is not None:
            return found
    for pattern in _PUBLISHED:
        m = pattern.search(page.body_text)
        if m is not None:
            found = parse_date(m.group(1), as_of=as_of)
            if found is not None:
                return found
    return None


_MORE_TEXT = re.compile(r"^(?:查看)?(?:更多|more)\s*(?:>>|》|»|>|\+|＞|\.\.\.)*$|^(?:>>|»|\+)$", re.I)
#: A list container names itself so (ul.list, div#newslist, tbody#list).
_LIST_CLASS = re.compile(r"list", re.IGNORECASE)


def _more_links(page: ParsedPage) -> list[LexborNode]:
    """The "更多>>" links of a page (each heads one block of a channel page)."""
    out = []
    for a in page.tree.css("a[href]"):
        text = a.text(deep=True, strip=True) or (a.attributes.get("title") or "").strip()
        if text and len(text) <= 8 and _MORE_TEXT.match(text) and _entry_url(page, a.attributes.get("href")):
            out.append(a)
    return out


def _hub_groups(page: ParsedPage, items: list[_Item], main: list[_Item]) -> list[int]:
    """The item groups of a channel front page, or [] when the page is none.

    A group belongs to a block when the nearest enclosing element that holds a
    "more" link holds exactly one, outside the list itself.  The page is a hub
    when two or more blocks lead to different URLs and its main (most dated)
    list is one of them: a column's list page has a pager, not a "more" link,
    so sidebars with "more" links do not make it a hub.
    """
    mores = _more_links(page)
    if len(mores) < 2:
        return []
    groups: dict[int, LexborNode] = {}
    for it in items:
        if it.anchor is not None and it.group not in groups and it.node.parent is not None:
            groups[it.group] = it.node.parent
    found: dict[int, str] = {}
    for gid, container in groups.items():
        cur = container.parent
        for _ in range(3):
            if cur is None or cur.tag in ("body", "html"):
                break
            inside = [
                m for m in mores if _is_inside(m, cur) and not _is_inside(m, container)
            ]
            if len(inside) == 1:
                found[gid] = _entry_url(page, inside[0].attributes.get("href")) or ""
                break
            if inside:
                break  # several blocks' links: climbed above one block
            cur = cur.parent
    if len(set(found.values())) < 2:
        return []
    if main and main[0].group not in found:
        return []
    return list(found)


def _undated_list(page: ParsedPage, items: list[_Item]) -> list[_Item]:
    """The items of a list whose entries carry no date at all (a blank column
    in the sense of the indicators), or [].

    Only a container that calls itself a list (class or id with "list") and
    whose items all link somewhere counts, so menus and link bars stay out;
    an item with digits beside its link may hold a date in a form not
    understood, and then the list is not claimed.
    """
    groups: dict[int, list[_Item]] = {}
    for it in items:
        groups.setdefault(it.group, []).append(it)
    best: list[_Item] = []
    for members in groups.values():
        parent = members[0].node.parent
        if parent is None or len(members) <= len(best):
            continue
        cls = f"{parent.attributes.get('class') or ''} {parent.attributes.get('id') or ''}"
        if not _LIST_CLASS.search(cls):
            continue
        ok = True
        for m in members:
            href = m.anchor.attributes.get("href") if m.anchor is not None else None
            if m.when is not None or _entry_url(page, href) is None:
                ok = False
                break
            if _HAS_DIGIT.search(m.text.replace(m.anchor_text, " ", 1)) is not None:
                ok = False
                break
        if ok:
            best = members
    return best


# --------------------------------------------------------------------------
# Public per-page analysers
# --------------------------------------------------------------------------


def analyse_listing(page: ParsedPage, *, as_of: date) -> Listing:
    """What the page says as a column list page (see :class:`Listing`).

    A page is a list page when its main list has 3+ dated entries, or at least
    one with pagination or a column name (ColumnName meta, breadcrumb), or when
    it shows a blank marker / empty list container or a script-filled list with
    such evidence.  Article pages (ArticleTitle/PubDate meta, or 发布时间-style
    labels over a long body), single-page columns (a long body of text) and a
    channel's front page of several equal lists without a pager never are.
    """
    items = _items(page, as_of)
    main, portal = _main_list(items)
    has_pager, pager_links, total_entries, total_pages = _pagination(page)
    is_article, is_content = _content_kind(page, main)
    column_name = clean_name(page.meta("ColumnName") or "") or None
    breadcrumb = clean_name(_breadcrumb(page) or "") or None
    named = column_name is not None or breadcrumb is not None
    labelled = _ARTICLE_MARK.search(page.body_text) is not None
    hub_groups = (
        _hub_groups(page, items, main) if named and not is_content and not has_pager else []
    )
    undated: list[_Item] = []
    if hub_groups:
        chosen = set(hub_groups)
        main = [it for it in items if it.group in chosen and not it.weekday]
    elif not main and not is_content and not labelled and (named or has_pager):
        undated = _undated_list(page, items)
        main = undated
    entries = tuple(it.entry(page, as_of) for it in main)
    dated = [e.date for e in entries if e.date is not None]
    page_dates = tuple(
        sorted((it.when for it in items if it.when and not it.weekday), reverse=True)
    )
    main_node = main[0].node.parent if main else None
    heading = _heading(main_node, {e.title for e in entries}) if not hub_groups else None
    names = NameCandidates(
        column_name=column_name, breadcrumb=breadcrumb, heading=heading, title=_title_name(page)
    )
    # a page with a body of text is content, however empty its lists
    marker = _blank_marker(page) if not entries and not is_content else None
    empty = not entries and not is_content and _empty_container(page)
    # A visible 暂无信息 is trusted; an empty container is only blank when no
    # script could be filling it.
    scripted = (
        not entries
        and marker is None
        and (
            any(word in _scripts(page) for word in _SCRIPT_LIST_WORDS)
            or any(m in page.html for m in _TEMPLATE_MARKS)
        )
    )
    # A list of entries none of which carries a date is blank too (issue 3).
    blank = not dated and (
        bool(undated) or (not entries and (marker is not None or (empty and not scripted)))
    )
    if hub_groups:
        is_list = True
        blank = bool(entries) and not dated
    elif has_pager and len(dated) >= 3 and not _has_article_meta(page):
        # A paged list of dated entries is a list page even under a long
        # introduction or sidebar text; articles have no pager of dated items.
        is_list = True
    elif is_content or (portal and not has_pager):
        is_list = False
    elif len(dated) >= 3:
        is_list = True
    elif dated:
        # One or two dated items make a list only when they link somewhere:
        # an article's 发布时间 line or a reply's 答复时间 row is no entry.
        linked = any(e.url is not None for e in entries if e.date is not None)
        is_list = has_pager or (named and linked and not labelled)
    elif blank or (scripted and empty):
        is_list = has_pager or named or total_entries == 0
    else:
        is_list = has_pager and bool(entries)
    if not is_list:
        blank = False
        scripted = False
    return Listing(
        url=page.url,
        is_list=is_list,
        is_article=is_article,
        entries=entries,
        newest=max(dated) if dated else None,
        page_dates=page_dates,
        published=_published(page, as_of) if is_article else None,
        blank=blank,
        blank_marker=marker if blank else None,
        scripted=scripted,
        has_pagination=has_pager,
        pagination=pager_links,
        total_entries=total_entries,
        total_pages=total_pages,
        names=names,
        hub=bool(hub_groups),
    )


def _nav_ok_class(node: LexborNode) -> bool:
    cls = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
    return not _NAV_SKIP_CLASS.search(cls)


def _first_level(anchor: LexborNode, container: LexborNode) -> bool:
    """True when the link is not inside a sub-menu of the container."""
    lis = 0
    cur = anchor.parent
    while cur is not None and cur.mem_id != container.mem_id:
        if cur.tag == "li":
            lis += 1
            if lis > 1:
                return False
        elif cur.tag in ("ul", "ol", "div", "dl") and not _nav_ok_class(cur):
            return False
        cur = cur.parent
    return True


def navigation(page: ParsedPage) -> list[NavLink]:
    """The homepage's first-level navigation links (text, absolute URL).

    Menu containers (``<nav>``, class/id with nav/menu/daohang) outside the
    footer, first-level links only; without such a container, the first bar
    of four or more short links.  Links to the homepage itself are left out.
    """
    home = _page_key(page.url)
    candidates = [n for n in page.tree.css(_NAV_SELECTOR) if _nav_ok_class(n)]
    ids = {n.mem_id for n in candidates}
    tops = []
    for n in candidates:
        cur = n.parent
        nested = False
        while cur is not None:
            if cur.mem_id in ids:
                nested = True
                break
            if not _nav_ok_class(cur) and cur.tag not in ("html", "body"):
                nested = True  # inside a footer or a sub-menu
                break
            cur = cur.parent
        if not nested:
            tops.append(n)
    links: list[NavLink] = []
    seen: set[str] = set()

    def add(a: LexborNode) -> None:
        text = _text(a) or (a.attributes.get("title") or "").strip()
        href = a.attributes.get("href") or ""
        url = _entry_url(page, href)
        if not url or not text or len(text) > 16 or text in _HOME_TEXT:
            return
        if text.isdigit() or _PAGER_TEXT.match(text) or _pager_href(href):
            return  # a pager, not a menu
        if not url.startswith(("http://", "https://")) or _page_key(url) == home:
            return
        key = _page_key(url)
        if key not in seen:
            seen.add(key)
            links.append(NavLink(text=clean_name(text), url=url))

    for container in tops:
        first = [a for a in container.css("a") if _first_level(a, container)]
        short = [a for a in first if 0 < len(_text(a)) <= 16]
        if len(short) < 3:
            continue
        for a in short:
            add(a)
    if links:
        return links
    for ul in page.tree.css("ul, div"):
        children = [c for c in ul.iter() if c.tag in ("li", "a")]
        if len(children) < 4:
            continue
        anchors: list[LexborNode] = []
        for c in children:
            found = c if c.tag == "a" else c.css_first("a")
            if found is None or not 0 < len(_text(found)) <= 16:
                break
            anchors.append(found)
        else:
            for a in anchors:
                add(a)
            if len(links) >= 3:
                return links
            links.clear()
            seen.clear()
    return links


def homepage_facts(page: ParsedPage, *, as_of: date) -> HomeFacts:
    """Newest dated item of the homepage and whether it has any (NAT-V-HOME)."""
    dates = [it.when for it in _items(page, as_of) if it.when is not None and not it.weekday]
    links = sum(1 for a in page.tree.css("a[href]") if _entry_url(page, a.attributes.get("href")))
    return HomeFacts(
        url=page.url,
        newest=max(dates) if dates else None,
        dated_items=len(dates),
        navigation_only=not dates,
        links=links,
    )


# --------------------------------------------------------------------------
# The aggregator
# --------------------------------------------------------------------------


def _page_key(url: str) -> str:
    """A URL as compared across pages: no scheme, no fragment, index.html = /."""
    p = urlsplit(url.strip())
    path = _FIRST_PAGE.sub("/", p.path or "/")
    query = f"?{p.query}" if p.query else ""
    return f"{p.netloc.lower()}{path}{query}"


def fold_key(url: str) -> tuple[str, int]:
    """The key of a list's first page and this page's number (0 for the first):
    index_3.html, list_3.html and ?page=3 fold into their first page."""
    p = urlsplit(url.strip())
    path = p.path or "/"
    number = 0
    m = _PAGE_NUMBERED.search(path)
    if m is not None:
        number = int(m.group(3))
        head = path[: m.start()]
        path = f"{head}/" if m.group(1) else f"{head}/{m.group(2)}.{m.group(4)}"
    path = _FIRST_PAGE.sub("/", path)
    params = []
    for k, v in parse_qsl(p.query, keep_blank_values=True):
        if k.lower() in _PAGE_PARAMS and v.isdigit():
            number = max(number, int(v))
        else:
            params.append((k, v))
    query = f"?{urlencode(sorted(params))}" if params else ""
    return f"{p.netloc.lower()}{path}{query}", number


def _directory(key: str) -> str:
    return key.split("?", 1)[0].rsplit("/", 1)[0]


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _groups(lists: Mapping[str, Listing], home_key: str) -> dict[str, list[tuple[int, Listing]]]:
    """List pages grouped by column: numbered pages and pager links fold together."""
    uf = _Union()
    keyed: dict[str, tuple[str, int]] = {}
    for url in lists:
        keyed[url] = fold_key(url)
        uf.find(keyed[url][0])
    for url, listing in lists.items():
        own = keyed[url][0]
        for link in listing.pagination:
            other = fold_key(link)[0]
            if other in uf.parent and other != home_key and _directory(other) == _directory(own):
                uf.union(own, other)
    groups: dict[str, list[tuple[int, Listing]]] = {}
    for url, listing in lists.items():
        root = uf.find(keyed[url][0])
        groups.setdefault(root, []).append((keyed[url][1], listing))
    for root, members in groups.items():
        members.sort(key=lambda m: (m[0], len(m[1].url)))
        # /tzgg/ and /tzgg/index.html are one page crawled twice
        seen: set[str] = set()
        unique = []
        for number, listing in members:
            key = _page_key(listing.url)
            if key not in seen:
                seen.add(key)
                unique.append((number, listing))
        groups[root] = unique
    return groups


def _dedupe_dates(pages: Iterable[Listing]) -> list[date]:
    seen: set[tuple[str | None, str, date]] = set()
    dates: list[date] = []
    for listing in pages:
        for e in listing.entries:
            if e.date is None:
                continue
            key = (e.url, e.title, e.date) if e.url else (None, e.title, e.date)
            if key in seen:
                continue
            seen.add(key)
            dates.append(e.date)
    dates.sort(reverse=True)
    return dates[:MAX_DATES]


def build_columns(
    listings: Mapping[str, Listing],
    *,
    home_url: str,
    nav: Sequence[NavLink],
    parents: Mapping[str, str],
    as_of: date,
    keywords: KeywordTable | None = None,
) -> tuple[HomepageDetection, list[ColumnDetection]]:
    """Fold the crawl's list pages into columns and judge nothing.

    ``listings`` maps each crawled page URL to its :func:`analyse_listing`
    result; ``parents`` maps a page URL to the page it was discovered from.
    Columns filled by script and otherwise empty are left out here: report
    them with :func:`unknown_columns`.  ``as_of`` bounds second-level dates.
    """
    table = keywords or default_keywords()
    home_key = _page_key(home_url)
    # One page under two URLs (/x/ and /x/index.html, the pager's 首页 link)
    # keeps the parent it was first found from: a later one would be its own
    # next page, and the column would become its own parent.
    parent_of: dict[str, str] = {}
    for k, v in parents.items():
        parent_of.setdefault(_page_key(k), v)
    nav_text: dict[str, str] = {}
    for link in nav:
        nav_text.setdefault(fold_key(link.url)[0], link.text)
        nav_text.setdefault(_page_key(link.url), link.text)

    lists = {
        url: listing
        for url, listing in listings.items()
        if listing.is_list
        and _page_key(url) != home_key
        and not (listing.scripted and not listing.entries)
    }
    groups = _groups(lists, home_key)
    column_of: dict[str, str] = {}
    for members in groups.values():
        first_url = members[0][1].url
        for _, listing in members:
            column_of[_page_key(listing.url)] = first_url

    #: (folder key, first page URL) of the columns whose list is a folder (/x/)
    folder_columns = [
        (root, members[0][1].url)
        for root, members in groups.items()
        if root.endswith("/") and "?" not in root and root.count("/") > 1
    ]
    columns: list[ColumnDetection] = []
    for root, members in groups.items():
        pages = [m[1] for m in members]
        first = pages[0]
        keys = {root} | {_page_key(p.url) for p in pages}
        linked_from_home = any(
            _page_key(parent_of.get(_page_key(p.url), "")) == home_key for p in pages
        )
        in_nav = next((nav_text[k] for k in keys if k in nav_text), None)
        # A column inside another column's folder (/xwzx/yw/ under /xwzx/) is
        # its sub-column, whatever links the homepage holds to it ("more"
        # links of homepage blocks lead straight to second-level columns).
        enclosing = max(
            (
                (len(other), members_first)
                for other, members_first in folder_columns
                if other != root and root.startswith(other)
            ),
            default=None,
        )
        if in_nav is not None:
            level = 1
        elif enclosing is not None:
            level = 2
        else:
            level = 1 if linked_from_home else 2
        parent: str | None = enclosing[1] if enclosing is not None and level == 2 else None
        if level == 2 and parent is None:
            # the nearest column above it, else the page it was found on
            direct = parent_of.get(_page_key(first.url))
            cur = direct
            for _ in range(20):
                if cur is None or _page_key(cur) == home_key:
                    break
                owner = column_of.get(_page_key(cur))
                if owner is not None and owner != first.url:
                    parent = owner
                    break
                cur = parent_of.get(_page_key(cur))
            parent = parent or direct
        candidates = first.names.ordered()
        name = in_nav or (candidates[0] if candidates else _url_tail(first.url))
        hub = any(p.hub for p in pages)
        # A channel's front page aggregates its sub-columns, which are judged
        # on their own: called by its name (新闻中心 reads as news) it would
        # count the same entries twice under the class rules.
        column_class = ColumnClass.OTHER if hub else classify(name, table)
        if column_class is ColumnClass.OTHER and not hub:
            for alt in (first.names.column_name, first.names.breadcrumb, first.names.heading):
                if alt and alt != name:
                    c = classify(alt, table)
                    if c is not ColumnClass.OTHER:
                        column_class = c
                        break
        dates = _dedupe_dates(pages)
        total = next((p.total_entries for p in pages if p.total_entries is not None), None)
        columns.append(
            ColumnDetection(
                url=first.url,
                name=name,
                column_class=column_class,
                level=level,
                entries=len(first.entries),
                newest=dates[0] if dates else None,
                blank=all(p.dated_entries == 0 for p in pages) and any(p.blank for p in pages),
                parent=parent,
                dates=tuple(dates),
                total_entries=total,
                list_pages=len(pages),
            )
        )
    columns.sort(key=lambda c: (c.level, c.url))
    nav_keys = {_page_key(link.url) for link in nav}
    return _homepage(listings, home_url, home_key, parent_of, nav_keys, as_of), columns


def _homepage(
    listings: Mapping[str, Listing],
    home_url: str,
    home_key: str,
    parent_of: Mapping[str, str],
    nav_keys: set[str],
    as_of: date,
) -> HomepageDetection:
    """NAT-V-HOME's facts; the second level is every page linked from the
    homepage (found there first, or in its navigation)."""
    home = next((lst for url, lst in listings.items() if _page_key(url) == home_key), None)
    if home is None:
        return HomepageDetection(url=home_url)
    dates = home.page_dates
    navigation_only = not dates
    second_newest: date | None = None
    second_pages = 0
    if navigation_only:
        for url, listing in listings.items():
            key = _page_key(url)
            if key == home_key:
                continue
            if key not in nav_keys and _page_key(parent_of.get(key, "")) != home_key:
                continue
            second_pages += 1
            seen = [
                d for d in (*listing.page_dates, listing.published) if d is not None and d <= as_of
            ]
            if seen and (second_newest is None or max(seen) > second_newest):
                second_newest = max(seen)
    return HomepageDetection(
        url=home_url,
        newest=dates[0] if dates else None,
        navigation_only=navigation_only,
        dated_items=len(dates),
        second_level_newest=second_newest,
        second_level_pages=second_pages,
    )


def unknown_columns(listings: Mapping[str, Listing], *, home_url: str) -> list[UnknownDetection]:
    """List pages whose list is filled by JavaScript and shows nothing in the
    static HTML: unobservable (reason ``script``), never blank."""
    home_key = _page_key(home_url)
    return [
        UnknownDetection(
            url=url, reason=UnknownReason.SCRIPT, detail="column list filled by script"
        )
        for url, listing in listings.items()
        if listing.is_list
        and listing.scripted
        and not listing.entries
        and _page_key(url) != home_key
    ]


def _url_tail(url: str) -> str:
    """A last-resort name: the list's folder or file name."""
    key = fold_key(url)[0].split("?", 1)[0].rstrip("/")
    return key.rsplit("/", 1)[-1] or url
