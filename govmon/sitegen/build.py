"""Turn a :class:`PortalSpec` into a servable portal and its ground truth.

Pages are rendered lazily (``Portal.resources`` is a mapping that renders on
access), so a 5,000-page portal costs little memory.  The ground truth is
computed from the same page plans the renderer uses: every link of every page is
classified (fine, dead, benign, unfetchable) at build time, and a link to a
missing resource that the spec did not ask for is a bug that fails the build.
"""

from __future__ import annotations

import random
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from govmon.records import ColumnClass, Element, FooterMarker, LinkError, PageType, UnknownReason
from govmon.sitegen import features, render, text, traps
from govmon.sitegen.model import (
    YEARLESS,
    Benign,
    BenignLinkTruth,
    BlankForm,
    CharsetTruth,
    ColumnSpec,
    ColumnTruth,
    DateFormat,
    DeadLinkTruth,
    Fault,
    GroundTruth,
    HomepageTruth,
    ListStyle,
    PageTruth,
    PortalSpec,
    TrapTruth,
    UnknownTruth,
)
from govmon.sitegen.render import Entry, Link

ALL_MARKERS = tuple(FooterMarker)
#: Hosts that real portals link in their footers and that no test may contact.
UNFETCHABLE_HOSTS = (
    "bszs.conac.cn",
    "dcs.conac.cn",
    "zfwzgl.www.gov.cn",
    "beian.miit.gov.cn",
    "www.beian.gov.cn",
)
#: Where nothing listens: connecting is refused (port 1, tcpmux, is never served here).
CONNECT_REFUSED = "http://127.0.0.1:1"
GB2312_TRAP_TITLE = "关于王堃、李镕同志任职的通知"
FRIEND_SITES = ("中国政府网", "四川省人民政府", "某某市人民政府")
_CACHE_SIZE = 256

_LINK_RE = re.compile(
    r"<(a|img|script|link|iframe)\b[^>]*?\s(?:href|src)=\"([^\"]*)\"", re.IGNORECASE
)
_FILLER = "\x00FILLER\x00"
_FILLER_PARA = 100  # characters per filler paragraph
_FILLER_WRAP = '<div class="text">{}</div>\n'


@dataclass(frozen=True, slots=True)
class Resource:
    """One answer of the portal: body bytes, status and headers."""

    body: bytes
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def links_in(html: str) -> list[tuple[Element, str]]:
    """The link-bearing elements of generated HTML (a, img, script, link, iframe)."""
    return [(_ELEMENTS[m.group(1).lower()], _unescape(m.group(2))) for m in _LINK_RE.finditer(html)]


_ELEMENTS = {e.value: e for e in Element}


def _unescape(url: str) -> str:
    if "&" not in url:
        return url
    return url.replace("&amp;", "&").replace("&quot;", '"').replace("&#x27;", "'")


def normalise(path: str) -> str:
    """A request path as stored: no fragment, and a directory means its index.html."""
    path = path.split("#", 1)[0] or "/"
    base, sep, query = path.partition("?")
    if base.endswith("/"):
        base += "index.html"
    return base + sep + query


class Resources(Mapping[str, Resource]):
    """Path (with query) → :class:`Resource`, rendering pages on access.

    Iteration lists every stored page and asset; trap URLs (endless by design)
    answer lookups but are not listed."""

    def __init__(self) -> None:
        self._static: dict[str, Resource] = {}
        self._lazy: dict[str, Callable[[], Resource]] = {}
        self._dynamic: list[Callable[[str], Resource | None]] = []
        #: recently rendered pages (a GET is often followed by a HEAD or a re-check)
        self._cache: OrderedDict[str, Resource] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, path: str, resource: Resource) -> None:
        self._static[normalise(path)] = resource

    def add_lazy(self, path: str, make: Callable[[], Resource]) -> None:
        self._lazy[normalise(path)] = make

    def add_dynamic(self, resolver: Callable[[str], Resource | None]) -> None:
        self._dynamic.append(resolver)

    def __getitem__(self, path: str) -> Resource:
        key = normalise(path)
        found = self._static.get(key)
        if found is not None:
            return found
        make = self._lazy.get(key)
        if make is not None:
            with self._lock:
                cached = self._cache.get(key)
                if cached is not None:
                    self._cache.move_to_end(key)
                    return cached
            made = make()
            with self._lock:
                self._cache[key] = made
                if len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
            return made
        for resolver in self._dynamic:
            res = resolver(path.split("#", 1)[0])
            if res is not None:
                return res
        raise KeyError(path)

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        key = normalise(path)
        if key in self._static or key in self._lazy:
            return True
        return any(r(path.split("#", 1)[0]) is not None for r in self._dynamic)

    def __iter__(self) -> Iterator[str]:
        yield from self._static
        yield from self._lazy

    def __len__(self) -> int:
        return len(self._static) + len(self._lazy)


@dataclass(slots=True)
class Portal:
    """A generated portal: what to serve and what a monitor must find there."""

    spec: PortalSpec
    resources: Resources
    truth: GroundTruth

    def html_pages(self) -> list[str]:
        """URLs (site-relative) of the HTML pages the truth describes."""
        return [p.url for p in self.truth.pages]


# --------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Col:
    spec: ColumnSpec
    index: int
    path: str
    level: int
    parent: _Col | None
    entries: list[Entry] = field(default_factory=list)
    children: list[_Col] = field(default_factory=list)
    list_urls: list[str] = field(default_factory=list)
    blocked_articles: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.spec.name

    def pages_of_list(self) -> list[list[Entry]]:
        per = max(self.spec.per_page, 1)
        if not self.entries:
            return [[]]
        return [self.entries[i : i + per] for i in range(0, len(self.entries), per)]


@dataclass(frozen=True, slots=True)
class _Plan:
    kind: str  # home, list, hub, article, contact
    col: _Col | None = None
    number: int = 0  # list page number or entry index


_STATUS = {
    Fault.NOT_FOUND: (LinkError.HTTP, 404),
    Fault.SERVER_ERROR: (LinkError.HTTP, 500),
    Fault.GONE: (LinkError.HTTP, 410),
    Fault.TIMEOUT: (LinkError.TIMEOUT, None),
    Fault.CONNECT: (LinkError.CONNECT, None),
    Fault.REDIRECT_LOOP: (LinkError.REDIRECT_LOOP, None),
    Fault.SOFT_404: (LinkError.SOFT_404, 200),
}
_EXT = {
    Element.A: ".html",
    Element.IMG: ".jpg",
    Element.SCRIPT: ".js",
    Element.LINK: ".css",
    Element.IFRAME: ".html",
}
_COLUMN_TYPE = {
    ColumnClass.NEWS: "工作动态",
    ColumnClass.NOTICE: "通知公告",
    ColumnClass.POLICY: "政策文件",
    ColumnClass.INTERPRETATION: "政策解读",
    ColumnClass.SERVICE: "办事服务",
    ColumnClass.INTERACTION: "互动交流",
}


class _Builder:
    def __init__(self, spec: PortalSpec) -> None:
        self.spec = spec
        self.as_of = spec.as_of
        self.seed = spec.seed
        self.ext = spec.external_base.rstrip("/") if spec.external_base else None
        self.cols: list[_Col] = []
        self.by_slug: dict[str, _Col] = {}
        self.plans: dict[str, _Plan] = {}  # page url -> plan (200 HTML pages)
        self.blocked: dict[str, int] = {}  # page url -> 412/521
        self.extras: dict[str, list[Link]] = {}
        self.dead: dict[str, tuple[Fault, Element, bool]] = {}  # url -> fault, element, internal
        self.benign: dict[str, Benign] = {}
        self.charset_of: dict[str, tuple[str, str]] = {}  # url -> (meta charset, header charset)
        self.title_override: dict[str, str] = {}
        self.pad: dict[str, int] = {}  # page url -> number of padding links
        self.site = render.Site(
            name=spec.site_name,
            sponsor=spec.sponsor,
            domain=spec.domain,
            site_code=spec.site_code,
            icp=spec.icp,
            police=spec.police,
            police_code=spec.police_code,
            charset=spec.encoding,
            conac_style=spec.conac_style,
            site_code_label=spec.site_code_label,
            jiucuo_link=spec.jiucuo_link,
        )
        self.resources = Resources()
        self.bpc = len("中".encode(spec.encoding))  # bytes per Chinese character
        self._classified: dict[str, str] = {}
        self.titles: set[str] = set()
        #: feature hooks (features.py): article content, notes under it, whole bodies
        self.content_html: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}
        self.body_override: dict[str, str] = {}
        self.extra_pages: dict[str, tuple[str, str]] = {}  # url -> (title, body html)
        self.files: dict[str, tuple[bytes, str]] = {}  # path -> (body, content type)
        self.feature_truth: dict[str, Any] = {}
        self.fine_special: set[str] = set()  # special-route URLs that answer 200
        self.prose_off: set[str] = set()  # articles whose content_html is all they say
        self._footers: dict[int, tuple[str, bool, bool]] = {}

    # -- structure ---------------------------------------------------------

    def columns(self) -> None:
        for i, cs in enumerate(self.spec.columns):
            parent = self.by_slug.get(cs.parent) if cs.parent else None
            if cs.parent and parent is None:
                raise ValueError(f"column {cs.slug}: parent {cs.parent} must come first")
            path = (parent.path if parent else "/") + cs.slug + "/"
            col = _Col(spec=cs, index=i, path=path, level=2 if parent else 1, parent=parent)
            if parent is not None:
                parent.children.append(col)
            key = f"{cs.parent}/{cs.slug}" if cs.parent else cs.slug
            self.by_slug[key] = col
            self.by_slug.setdefault(cs.slug, col)
            self.cols.append(col)
            self._entries(col)

    def _entries(self, col: _Col) -> None:
        cs = col.spec
        if cs.hub or cs.blank in (BlankForm.NO_INFO, BlankForm.EMPTY_LIST):
            return
        for i in range(max(cs.count, 1 if cs.blank else 0)):
            rng = text.rng_for(self.seed, "entry", col.path, i)
            title = self._unique_title(rng, cs.column_class.value)
            ident = 1000 + col.index * 100000 + i
            if cs.blank is BlankForm.UNDATED:
                col.entries.append(Entry(title, f"{col.path}content_{ident}.html", None))
                continue
            d = self.as_of - timedelta(days=cs.newest_age + round(i * cs.interval))
            url = f"{col.path}{d:%Y%m}/t{d:%Y%m%d}_{ident}.html"
            col.entries.append(Entry(title, url, d, minute=rng.randint(0, 59)))
        if cs.date_format in YEARLESS and col.entries and col.entries[-1].date is not None:
            oldest = col.entries[-1].date
            if (self.as_of - oldest).days > 330:
                raise ValueError(
                    f"column {cs.name}: year-less dates ({cs.date_format}) need every entry "
                    f"within 330 days of as_of; the oldest is {oldest}"
                )

    def _unique_title(self, rng: random.Random, kind: str) -> str:
        """Titles are unique across the portal (search tests look them up)."""
        for _ in range(8):
            title = text.title(rng, kind)
            if title not in self.titles:
                break
        k = 2
        while title in self.titles:
            title = f"{text.title(rng, kind)}（{k}）"
            k += 1
        self.titles.add(title)
        return title

    def retitle(self, col: _Col, i: int, title: str) -> None:
        """Give entry ``i`` of ``col`` a new title (on its list and its page)."""
        e = col.entries[i]
        col.entries[i] = Entry(title, e.url, e.date, e.minute)
        self.title_override[e.url] = title
        self.titles.add(title)

    def pages(self) -> None:
        self.plans["/"] = _Plan("home")
        self.plans["/lxwm/"] = _Plan("contact")
        for col in self.cols:
            cs = col.spec
            if cs.hub:
                col.list_urls = [col.path]
                self.plans[col.path] = _Plan("hub", col)
                continue
            n_lists = len(col.pages_of_list())
            col.list_urls = [col.path] + [f"{col.path}index_{k}.html" for k in range(1, n_lists)]
            for k, url in enumerate(col.list_urls):
                if cs.waf_list:
                    self.blocked[url] = 412
                else:
                    self.plans[url] = _Plan("list", col, k)
            if cs.waf_list:
                continue
            for i, entry in enumerate(col.entries):
                if cs.waf_articles and i >= len(col.entries) - cs.waf_articles:
                    self.blocked[entry.url] = 412
                    col.blocked_articles.add(entry.url)
                else:
                    self.plans[entry.url] = _Plan("article", col, i)
        articles = [u for u, p in self.plans.items() if p.kind == "article"]
        if self.spec.waf_521 and len(articles) > 2:
            url = articles[2]
            del self.plans[url]
            self.blocked[url] = 521
        if self.spec.lying_header and articles:
            self.charset_of[articles[0]] = (self.spec.encoding, "utf-8")
        if self.spec.gb2312_extension:
            personnel = [
                c for c in self.cols if c.spec.column_class is ColumnClass.PERSONNEL and c.entries
            ]
            target = personnel[0] if personnel else next(c for c in self.cols if c.entries)
            self.retitle(target, 0, GB2312_TRAP_TITLE)
            self.charset_of[target.entries[0].url] = ("gb2312", "gb2312")

    def nav(self) -> None:
        self.site.nav = tuple((c.name, c.path) for c in self.cols if c.level == 1)

    # -- planted links -----------------------------------------------------

    def _where(self, where: str) -> list[str]:
        if where == "home":
            return ["/"]
        if where == "all":
            return list(self.plans)
        col = self.by_slug.get(where)
        if col is None:
            raise ValueError(f"unknown placement {where!r}")
        out = [u for u in col.list_urls[:1] if u in self.plans]
        out += [e.url for e in col.entries[:1] if e.url in self.plans]
        return out

    def _base(self, external: bool) -> tuple[str, bool]:
        if external and self.ext:
            return self.ext, False
        return "", True

    def plant(self) -> None:
        for n, lf in enumerate(self.spec.faults):
            base, internal = self._base(lf.external)
            name = f"f{n}{_EXT[lf.element]}"
            if lf.fault is Fault.NOT_FOUND:
                url = (
                    f"/uploads/202401/P020240115{n:06d}{_EXT[lf.element]}"
                    if internal
                    else f"{base}/_status/404/{name}"
                )
            elif lf.fault is Fault.SERVER_ERROR:
                url = f"{base}/_status/500/{name}"
            elif lf.fault is Fault.GONE:
                url = f"{base}/_status/410/{name}"
            elif lf.fault is Fault.TIMEOUT:
                url = f"{base}/_delay/60/{name}"
            elif lf.fault is Fault.CONNECT:
                url, internal = f"{CONNECT_REFUSED}/{name}", False
            elif lf.fault is Fault.REDIRECT_LOOP:
                url = f"{base}/_loop/a?n={n}"
            else:
                url = f"{base}/_soft404/{name}"
            self.dead[url] = (lf.fault, lf.element, internal)
            label = f"{'外部' if not internal else ''}链接{n + 1}"
            for page in self._where(lf.where):
                self.extras.setdefault(page, []).append(Link(lf.element, url, label))
        for n, bl in enumerate(self.spec.benign):
            base, _internal = self._base(bl.external)
            kind = bl.kind
            url = {
                Benign.BLOCKED: f"{base}/_waf412/b{n}.html",
                Benign.HEAD_405: f"{base}/_head405/b{n}.html",
                Benign.REDIRECT: f"{base}/_redirect/3?n={n}",
                Benign.TRANSIENT: f"{base}/_flaky/1/b{n}.html",
                Benign.MAILTO: "mailto:xzxx@moumou.gov.cn",
                Benign.TEL: "tel:0816-1234567",
                Benign.JAVASCRIPT: "javascript:void(0);",
                Benign.ANCHOR: "#top",
            }[kind]
            self.benign[url] = kind
            for page in self._where(bl.where):
                self.extras.setdefault(page, []).append(Link(Element.A, url, f"服务{n + 1}"))
        if self.ext:  # 友情链接 to "other government sites" that work
            home = self.extras.setdefault("/", [])
            for n, name in enumerate(FRIEND_SITES):
                home.append(Link(Element.A, f"{self.ext}/_status/200/gov{n}.html", name))
        for trap in self.spec.traps:
            home = self.extras.setdefault("/", [])
            home.append(Link(Element.A, traps.ENTRY[trap], traps.LABEL[trap]))
        if self.spec.links_per_page:
            self._pad()

    def _pad(self) -> None:
        """Fill each page to ``links_per_page`` with 相关文章, some of them dead."""
        ratio = self.spec.dead_ratio
        fallback = next((c.entries for c in self.cols if c.entries), [])
        for n, (url, plan) in enumerate(self.plans.items()):
            have = len(links_in(self._skeleton(url, plan)))
            want = self.spec.links_per_page - have
            if want <= 0:
                continue
            rng = text.rng_for(self.seed, "pad", url)
            expected = self.spec.links_per_page * ratio
            n_dead = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            n_dead = min(n_dead, want)
            col = plan.col
            pool = col.entries if col and col.entries else fallback
            links: list[Link] = []
            for k in range(want - n_dead):
                e = pool[(plan.number + 1 + k * 7) % len(pool)]
                if e.url in self.plans:
                    links.append(Link(Element.A, e.url, e.title))
                else:
                    links.append(Link(Element.A, "/", "返回首页"))
            for k in range(n_dead):
                element = Element.IMG if rng.random() < 0.2 else Element.A
                dead = f"/uploads/old/{n}_{k}{_EXT[element]}"
                self.dead[dead] = (Fault.NOT_FOUND, element, True)
                links.insert(rng.randint(0, len(links)), Link(element, dead, "附件"))
            self.extras.setdefault(url, []).extend(links)

    # -- rendering ---------------------------------------------------------

    def _footer_markers(self, col: _Col | None, home: bool) -> tuple[FooterMarker, ...]:
        missing = set(self.spec.homepage_footer_missing if home else ())
        if col is not None:
            missing |= set(col.spec.footer_missing)
            if col.parent is not None:
                missing |= set(col.parent.spec.footer_missing)
        return tuple(m for m in ALL_MARKERS if m not in missing)

    def _footer(self, col: _Col | None, home: bool = False) -> tuple[str, bool, bool]:
        """Footer html, whether it is observable, whether it has the 找错 entry."""
        key = -2 if home else (col.index if col is not None else -1)
        found = self._footers.get(key)
        if found is None:
            found = self._footers[key] = self._make_footer(col, home)
        return found

    def _make_footer(self, col: _Col | None, home: bool) -> tuple[str, bool, bool]:
        if col is not None and col.spec.footer_script:
            return render.footer_script_tag(), False, False
        jiucuo = not (col is not None and col.spec.no_jiucuo)
        return render.footer_html(self.site, self._footer_markers(col, home), jiucuo), True, jiucuo

    def _metas(self, col: _Col | None, article: Entry | None, url: str) -> list[tuple[str, str]]:
        spec = self.spec
        metas = [
            ("SiteName", spec.site_name),
            ("SiteDomain", spec.domain),
            ("SiteIDCode", spec.site_code),
        ]
        if col is not None:
            cs = col.spec
            metas += [
                ("ColumnName", cs.name),
                ("ColumnDescription", cs.description or f"{spec.site_name}{cs.name}栏目"),
                ("ColumnKeywords", cs.name),
                ("ColumnType", _COLUMN_TYPE.get(cs.column_class, cs.name)),
            ]
        if article is not None:
            metas += [
                ("ArticleTitle", article.title),
                (
                    "PubDate",
                    f"{article.date} {render.clock(article.minute)}" if article.date else "",
                ),
                ("ContentSource", spec.sponsor),
                ("Keywords", col.spec.name if col else ""),
                ("Author", spec.sponsor),
                ("Description", article.title),
                ("Image", f"http://{spec.domain}/images/logo.png"),
                ("Url", f"http://{spec.domain}{url}"),
            ]
            if article.date is None:
                metas = [m for m in metas if m[0] != "PubDate"]
        skip = set(col.spec.tags_missing) if col is not None else set()
        return [m for m in metas if m[0] not in skip]

    def _trail(self, col: _Col) -> list[tuple[str, str]]:
        trail = [(col.name, col.path)]
        if col.parent is not None:
            trail.insert(0, (col.parent.name, col.parent.path))
        return trail

    def _skeleton(self, url: str, plan: _Plan) -> str:
        """The page's HTML with a placeholder where filler text goes."""
        extras = self.extras.get(url, [])
        kind, col = plan.kind, plan.col
        filler = _FILLER if self.spec.article_bytes[1] else ""
        charset = self.charset_of.get(url, (None, None))[0]
        if kind == "home":
            return self._home(extras, filler)
        if kind == "contact":
            body = (
                render.breadcrumb([("联系我们", "/lxwm/")])
                + '<div class="article"><h1 class="title">联系我们</h1><div class="content">'
                + f"<p>主办单位：{render.esc(self.spec.sponsor)}</p><p>联系电话：0816-1234567</p>"
                + "<p>地址：某某县政府路1号</p></div></div>\n"
                + filler
                + render.extra_links(extras)
            )
            footer, _, _ = self._footer(None)
            return render.page(
                self.site,
                title=f"联系我们_{self.spec.site_name}",
                metas=self._metas(None, None, url),
                body=body,
                footer=footer,
            )
        assert col is not None
        footer, _, _ = self._footer(col)
        if kind == "hub":
            return self._hub(col, url, extras, filler, footer)
        if kind == "list":
            lists = col.pages_of_list()
            entries = lists[plan.number]
            cs = col.spec
            if cs.blank is BlankForm.NO_INFO:
                listing = '<div class="list-box"><p class="no-data">暂无信息</p></div>\n'
            else:
                listing = render.entry_list(entries, cs.list_style, cs.date_format)
            body = (
                render.breadcrumb(self._trail(col))
                + '<div class="column-title"><h2>'
                + render.esc(cs.name)
                + "</h2></div>\n"
                + listing
                + render.pagination(plan.number, len(lists), len(col.entries))
                + filler
                + render.extra_links(extras)
            )
            return render.page(
                self.site,
                title=f"{cs.name}_{self.spec.site_name}",
                metas=self._metas(col, None, url),
                body=body,
                footer=footer,
                current_nav=(col.parent or col).path,
            )
        if kind == "extra":
            title, inner = self.extra_pages[url]
            body = render.breadcrumb(self._trail(col)) + inner + filler + render.extra_links(extras)
            return render.page(
                self.site,
                title=f"{title}_{self.spec.site_name}",
                metas=self._metas(col, None, url),
                body=body,
                footer=footer,
                current_nav=(col.parent or col).path,
            )
        entry = col.entries[plan.number]
        title = self.title_override.get(url, entry.title)
        rng = text.rng_for(self.seed, "article", url)
        article = self.body_override.get(url)
        if article is None:
            article = render.article_body(
                title,
                entry.date,
                self.spec.sponsor,
                [] if url in self.prose_off else text.paragraphs(rng, rng.randint(3, 6)),
                minute=entry.minute,
                content_html=self.content_html.get(url, ""),
            )
        body = (
            render.breadcrumb(self._trail(col))
            + article
            + "".join(self.notes.get(url, ()))
            + filler
            + render.extra_links(extras)
        )
        return render.page(
            self.site,
            title=f"{title}_{self.spec.site_name}",
            metas=self._metas(col, entry, url),
            body=body,
            footer=footer,
            current_nav=(col.parent or col).path,
            charset=charset,
        )

    def _home_blocks(self) -> list[tuple[_Col, list[Entry]]]:
        if self.spec.navigation_only:
            return []
        return [(c, c.entries[:6]) for c in self.cols if c.spec.on_homepage and not c.spec.waf_list]

    def _home(self, extras: list[Link], filler: str) -> str:
        spec = self.spec
        parts = ['<a name="top"></a>']
        if spec.navigation_only:
            tiles = "".join(
                f'<li><a href="{render.esc(c.path)}"><img src="/images/icon.png" alt="">'
                f"<span>{render.esc(c.name)}</span></a></li>"
                for c in self.cols
                if c.level == 1
            )
            parts.append(f'<div class="portal-nav"><ul>{tiles}</ul></div>\n')
        for c, entries in self._home_blocks():
            listing = (
                render.entry_list(entries, ListStyle.UL, c.spec.date_format)
                if entries and entries[0].date
                else '<p class="no-data">暂无信息</p>'
            )
            parts.append(
                f'<div class="home-block"><div class="hd"><h3>{render.esc(c.name)}</h3>'
                f'<a class="more" href="{render.esc(c.path)}">更多&gt;&gt;</a></div>'
                f"{listing}</div>\n"
            )
        footer, _, _ = self._footer(None, home=True)
        return render.page(
            self.site,
            title=spec.site_name,
            metas=self._metas(None, None, "/"),
            body="".join(parts) + filler + render.extra_links(extras, "友情链接"),
            footer=footer,
        )

    def _hub_blocks(self, col: _Col) -> list[tuple[_Col, list[Entry]]]:
        return [(c, [] if c.spec.waf_list else c.entries[:5]) for c in col.children]

    def _hub(self, col: _Col, url: str, extras: list[Link], filler: str, footer: str) -> str:
        parts = [render.breadcrumb([(col.name, col.path)])]
        for child, entries in self._hub_blocks(col):
            if (entries and entries[0].date) or entries:
                listing = render.entry_list(entries, ListStyle.UL, DateFormat.ISO)
            else:
                listing = '<p class="no-data">暂无信息</p>' if not child.spec.waf_list else ""
            parts.append(
                f'<div class="sub-block"><div class="hd"><h3>{render.esc(child.name)}</h3>'
                f'<a class="more" href="{render.esc(child.path)}">更多&gt;&gt;</a></div>'
                f"{listing}</div>\n"
            )
        return render.page(
            self.site,
            title=f"{col.name}_{self.spec.site_name}",
            metas=self._metas(col, None, url),
            body="".join(parts) + filler + render.extra_links(extras),
            footer=footer,
            current_nav=col.path,
        )

    def _filler_for(self, url: str, skeleton_bytes: int) -> tuple[int, int]:
        """(paragraphs, bytes) of filler text that bring the page into its size range."""
        lo, hi = self.spec.article_bytes
        if not hi:
            return 0, 0
        rng = text.rng_for(self.seed, "size", url)
        target = rng.randint(lo + 500, hi - 500)
        para_bytes = _FILLER_PARA * self.bpc + 8
        wrap = len(_FILLER_WRAP.format(""))
        n = max(0, (target - skeleton_bytes - wrap) // para_bytes)
        return n, (n * para_bytes + wrap) if n else 0

    def render(self, url: str, plan: _Plan) -> str:
        html = self._skeleton(url, plan)
        if _FILLER not in html:
            return html
        skel_bytes = len(html.encode(self.spec.encoding, "replace")) - len(_FILLER)
        n, _ = self._filler_for(url, skel_bytes)
        rng = text.rng_for(self.seed, "filler", url)
        need = n * _FILLER_PARA
        chunks: list[str] = []
        have = 0
        while have < need:
            s = "".join(text.paragraphs(rng, 1))
            chunks.append(s)
            have += len(s)
        flat = "".join(chunks)
        paras = "".join(
            f"<p>{flat[i * _FILLER_PARA : (i + 1) * _FILLER_PARA]}</p>\n" for i in range(n)
        )
        return html.replace(_FILLER, _FILLER_WRAP.format(paras) if n else "")

    def resource_for(self, url: str) -> Resource:
        plan = self.plans[url]
        html = self.render(url, plan)
        meta_cs, header_cs = self.charset_of.get(url, (self.spec.encoding, self.spec.encoding))
        body = html.encode("gb18030" if meta_cs.lower() in ("gb2312", "gbk") else meta_cs)
        return Resource(
            body=body,
            headers=(("Content-Type", f"text/html; charset={header_cs}"),),
        )

    # -- assembly ----------------------------------------------------------

    def register(self) -> None:
        res = self.resources
        for url in self.plans:
            res.add_lazy(url, _bind(self.resource_for, url))
        for url, status in self.blocked.items():
            if status == 412:
                res.add(
                    url,
                    Resource(
                        body=render.WAF_412.encode("utf-8"),
                        status=412,
                        headers=(
                            ("Content-Type", "text/html; charset=utf-8"),
                            ("Set-Cookie", "FSSBBIl1UgzbN7NO=5b1Ghx0g; Path=/; HttpOnly"),
                        ),
                    ),
                )
            else:
                res.add(
                    url,
                    Resource(
                        body=render.WAF_521.encode("utf-8"),
                        status=521,
                        headers=(("Content-Type", "text/html"), ("Server", "jiasule-WAF")),
                    ),
                )
        for path, body, ctype in _assets(self):
            res.add(path, Resource(body=body, headers=(("Content-Type", ctype),)))
        for path, (body, ctype) in self.files.items():
            res.add(path, Resource(body=body, headers=(("Content-Type", ctype),)))
        if self.spec.search:
            res.add_dynamic(features.search_resolver(self))
        for kind in self.spec.traps:
            res.add_dynamic(traps.RESOLVERS[kind](self))

    def truth(self) -> GroundTruth:
        dead_pages: dict[str, list[str]] = {}
        benign_pages: dict[str, tuple[Benign, Element, list[str]]] = {}
        unfetchable: set[str] = set()
        pages: list[PageTruth] = []
        blocked_links: set[str] = set()
        for url, plan in self.plans.items():
            skeleton = self._skeleton(url, plan)
            found = links_in(skeleton)
            for element, href in found:
                target = self._classify(url, element, href)
                if target == "dead":
                    dead_pages.setdefault(self._abs_key(url, href), []).append(url)
                elif target == "unfetchable":
                    unfetchable.add(href)
                elif target.startswith("benign:"):
                    key = self._abs_key(url, href)
                    kind = Benign(target.split(":", 1)[1])
                    if kind is Benign.BLOCKED:
                        blocked_links.add(key)
                    entry = benign_pages.setdefault(key, (kind, element, []))
                    if url not in entry[2]:
                        entry[2].append(url)
            pages.append(self._page_truth(url, plan, skeleton, len(found)))
        dead = []
        for key, on in dead_pages.items():
            fault, element, internal = self.dead[key]
            error, status = _STATUS[fault]
            on_pages = tuple(dict.fromkeys(on))
            dead.append(
                DeadLinkTruth(
                    url=key,
                    error=error,
                    status=status,
                    element=element,
                    on_pages=on_pages,
                    on_homepage="/" in on_pages,
                    internal=internal,
                    fault=fault,
                )
            )
        benign = [
            BenignLinkTruth(url=k, kind=v[0], element=v[1], on_pages=tuple(v[2]))
            for k, v in benign_pages.items()
        ]
        unknown = [
            UnknownTruth(
                url=u,
                reason=UnknownReason.BLOCKED,
                status=s,
                detail="瑞数 412 challenge" if s == 412 else "加速乐 521 challenge",
            )
            for u, s in self.blocked.items()
        ]
        charsets = [
            CharsetTruth(
                url=u,
                actual="gbk" if m.lower() in ("gb2312", "gbk") else m,
                header_charset=h,
                meta_charset=m,
                must_contain=self.title_override.get(u) or self._title_of(u),
            )
            for u, (m, h) in self.charset_of.items()
        ]
        return GroundTruth(
            scenario=self.spec.name,
            as_of=self.as_of,
            site_name=self.spec.site_name,
            site_code=self.spec.site_code,
            domain=self.spec.domain,
            encoding=self.spec.encoding,
            homepage=self._homepage_truth(),
            columns=tuple(self._column_truth(c) for c in self.cols),
            dead_links=tuple(dead),
            benign_links=tuple(benign),
            pages=tuple(pages),
            unknown=tuple(unknown),
            traps=tuple(
                TrapTruth(kind=k, entry=traps.ENTRY[k], pattern=traps.PATTERN[k])
                for k in self.spec.traps
            ),
            charsets=tuple(charsets),
            external_unfetchable=tuple(sorted(unfetchable)),
            unfetchable_hosts=UNFETCHABLE_HOSTS,
            external_base=self.ext,
            **self.feature_truth,
        )

    def _title_of(self, url: str) -> str:
        plan = self.plans[url]
        assert plan.col is not None
        return plan.col.entries[plan.number].title

    def _abs_key(self, page: str, href: str) -> str:
        if (href.startswith("/") and not href.startswith("//")) or href.startswith("#"):
            return href
        if "://" in href or ":" in href.split("/", 1)[0]:
            return href
        return urljoin(page, href)

    def _classify(self, page: str, element: Element, href: str) -> str:
        """fine | dead | unfetchable | benign:<kind>; raises on a link to nowhere."""
        key = self._abs_key(page, href)
        found = self._classified.get(key)
        if found is None:
            found = self._classified[key] = self._classify_key(page, href)
        return found

    def _classify_key(self, page: str, href: str) -> str:
        lowered = href.lower()
        for prefix, kind in (
            ("mailto:", Benign.MAILTO),
            ("tel:", Benign.TEL),
            ("javascript:", Benign.JAVASCRIPT),
        ):
            if lowered.startswith(prefix):
                return f"benign:{kind.value}"
        if href.startswith("#"):
            return f"benign:{Benign.ANCHOR.value}"
        key = self._abs_key(page, href)
        if key in self.dead:
            return "dead"
        if key in self.benign:
            return f"benign:{self.benign[key].value}"
        if key in self.fine_special:
            return "fine"
        parts = urlsplit(key)
        if parts.scheme in ("http", "https"):
            if parts.hostname in UNFETCHABLE_HOSTS:
                return "unfetchable"
            if self.ext and key.startswith(self.ext):
                return "fine"
            raise ValueError(f"page {page} links {href}, which is neither planned nor local")
        if normalise(key) in self.blocked or key in self.blocked:
            return f"benign:{Benign.BLOCKED.value}"
        if key not in self.resources:
            raise ValueError(f"page {page} links {href} ({key}), which does not exist")
        return "fine"

    def _page_truth(self, url: str, plan: _Plan, skeleton: str, n_links: int) -> PageTruth:
        col = plan.col
        home = plan.kind == "home"
        _, observable, jiucuo = self._footer(col, home=home)
        scripted = col is not None and col.spec.footer_script
        markers = ALL_MARKERS if scripted else self._footer_markers(col, home)
        entry = col.entries[plan.number] if plan.kind == "article" and col else None
        metas = self._metas(col if plan.kind != "contact" else None, entry, url)
        page_type = {
            "home": PageType.HOME,
            "list": PageType.COLUMN,
            "hub": PageType.COLUMN,
            "article": PageType.CONTENT,
            "extra": PageType.CONTENT,
        }.get(plan.kind, PageType.OTHER)
        if home:
            title = self.spec.site_name
        elif plan.kind == "contact":
            title = f"联系我们_{self.spec.site_name}"
        elif plan.kind == "extra":
            title = f"{self.extra_pages[url][0]}_{self.spec.site_name}"
        elif entry is not None:
            title = f"{self.title_override.get(url, entry.title)}_{self.spec.site_name}"
        else:
            assert col is not None
            title = f"{col.name}_{self.spec.site_name}"
        skel_bytes = len(skeleton.encode(self.spec.encoding, "replace"))
        if _FILLER in skeleton:
            skel_bytes -= len(_FILLER)
            skel_bytes += self._filler_for(url, skel_bytes)[1]
        meta_cs = self.charset_of.get(url, (self.spec.encoding, ""))[0]
        return PageTruth(
            url=url,
            page_type=page_type,
            title=title,
            column=col.path if col else None,
            footer_markers=markers,
            footer_observable=observable,
            jiucuo=jiucuo,
            meta_tags=tuple(n for n, _ in metas),
            pub_date=entry.date if entry and url not in self.body_override else None,
            links=n_links,
            bytes=skel_bytes,
            encoding=meta_cs,
        )

    def _column_truth(self, col: _Col) -> ColumnTruth:
        cs = col.spec
        if cs.hub:
            shown = [e for _, es in self._hub_blocks(col) for e in es]
            dates = sorted((e.date for e in shown if e.date), reverse=True)
            first = shown
        else:
            dates = [e.date for e in col.entries if e.date]
            first = col.pages_of_list()[0]
        dated_first = [e for e in first if e.date]
        return ColumnTruth(
            url=col.path,
            name=cs.name,
            column_class=cs.column_class,
            level=col.level,
            parent=col.parent.path if col.parent else None,
            newest=dates[0] if dates else None,
            blank=not dates and not cs.waf_list,
            blank_form=cs.blank,
            entries=len(first),
            dated_entries=len(dated_first),
            total_entries=len(shown) if cs.hub else len(col.entries),
            list_pages=tuple(col.list_urls),
            dates=tuple(dates),
            date_format=DateFormat.ISO if cs.hub else cs.date_format,
            list_style=ListStyle.UL if cs.hub else cs.list_style,
            hub=cs.hub,
            observable=not cs.waf_list,
        )

    def _homepage_truth(self) -> HomepageTruth:
        shown = [e for _, es in self._home_blocks() for e in es if e.date]
        second = [c for c in self.cols if c.level == 1 and not c.spec.waf_list]
        newest_second: list[date] = []
        for c in second:
            t = self._column_truth(c)
            if t.newest is not None:
                newest_second.append(t.newest)
        return HomepageTruth(
            url="/",
            newest=max((e.date for e in shown if e.date), default=None),
            navigation_only=self.spec.navigation_only,
            dated_items=len(shown),
            second_level_newest=max(newest_second, default=None),
            second_level_pages=tuple(c.path for c in second),
        )

    def build(self) -> Portal:
        self.columns()
        self.pages()
        features.apply(self)
        self.nav()
        self.register()
        self.plant()
        return Portal(spec=self.spec, resources=self.resources, truth=self.truth())


def _bind(fn: Callable[[str], Resource], url: str) -> Callable[[], Resource]:
    return lambda: fn(url)


def build_portal(spec: PortalSpec) -> Portal:
    """The portal of ``spec``: deterministic in the spec (seed included)."""
    return _Builder(spec).build()


# --------------------------------------------------------------------------
# Static assets
# --------------------------------------------------------------------------

#: The smallest valid PNG (1x1, transparent).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
_CSS = "body{font-family:'Microsoft YaHei',SimSun;margin:0}.w1200{width:1200px;margin:0 auto}\n"
_JS = "/* common.js */ function setTab(n){return n;}\n"


def _assets(b: _Builder) -> list[tuple[str, bytes, str]]:
    footer = render.footer_html(b.site, ALL_MARKERS, True).replace("\n", " ")
    js = "document.write('" + footer.replace("'", "\\'") + "');\n"
    return [
        ("/css/style.css", _CSS.encode(), "text/css"),
        ("/js/common.js", _JS.encode(), "application/javascript"),
        ("/js/footer.js", js.encode(b.spec.encoding, "replace"), "application/javascript"),
        ("/images/logo.png", PNG, "image/png"),
        ("/images/red.png", PNG, "image/png"),
        ("/images/beian.png", PNG, "image/png"),
        ("/images/icon.png", PNG, "image/png"),
        ("/images/jiucuo.png", PNG, "image/png"),
        ("/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain"),
    ]
