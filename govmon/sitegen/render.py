"""HTML of a Chinese government portal: header, navigation, lists, articles, footers.

Pure string building (``html.escape`` on every generated text); the builder decides
what goes on which page, this module only decides how it looks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from govmon.records import Element, FooterMarker
from govmon.sitegen.model import ConacStyle, DateFormat, ListStyle

CONAC_SHOW = "https://bszs.conac.cn/sitename?method=show&id=0B8C2F7E1A2D4E5F"
CONAC_LOADER = "https://dcs.conac.cn/js/23/000/0000/60429971/CA230000000604299710004.js"
JIUCUO_JS = "https://zfwzgl.www.gov.cn/exposure/jiucuo.js"
JIUCUO_PAGE = "https://zfwzgl.www.gov.cn/exposure/jiucuo.html"
ICP_URL = "https://beian.miit.gov.cn/"
POLICE_URL = "https://www.beian.gov.cn/portal/registerSystemInfo?recordcode={code}"

SITE_TAGS = ("SiteName", "SiteDomain", "SiteIDCode")
COLUMN_TAGS = ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType")
ARTICLE_TAGS = (
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Author",
    "Description",
    "Image",
    "Url",
)


def clock(minute: int) -> str:
    """A deterministic office-hours time of day for an entry."""
    return f"{8 + minute % 10:02d}:{minute % 60:02d}"


def fmt_date(d: date, style: DateFormat, minute: int = 0) -> str:
    """A date as list pages write it."""
    if style is DateFormat.ISO:
        return d.isoformat()
    if style is DateFormat.SLASH:
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style is DateFormat.DOT:
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style is DateFormat.CHINESE:
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style is DateFormat.MONTH_DAY:
        return f"[{d.month:02d}-{d.day:02d}]"
    if style is DateFormat.DAY_MONTH:
        return f"{d.day:02d}/{d.month:02d}"
    if style is DateFormat.ISO_BRACKET:
        return f"[{d.isoformat()}]"
    if style is DateFormat.ISO_TIME:
        return f"{d.isoformat()} {clock(minute)}"
    if style is DateFormat.CHINESE_BRACKET:
        return f"（{d.year}年{d.month}月{d.day}日）"
    raise ValueError(style)


@dataclass(frozen=True, slots=True)
class Link:
    """A link-bearing element to put on a page."""

    element: Element
    url: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """One list entry: an article (or an undated item)."""

    title: str
    url: str
    date: date | None
    minute: int = 0


@dataclass(slots=True)
class Site:
    """Site-wide facts every page repeats."""

    name: str
    sponsor: str
    domain: str
    site_code: str
    icp: str
    police: str
    police_code: str
    charset: str
    conac_style: ConacStyle
    site_code_label: str = "网站标识码"
    jiucuo_link: bool = False
    nav: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (name, url)
    cache: dict[tuple[str, str | None], str] = field(default_factory=dict)


def esc(text: str) -> str:
    return escape(text, quote=True)


def head(
    site: Site, title: str, metas: Sequence[tuple[str, str]], charset: str | None = None
) -> str:
    cs = charset or site.charset
    if cs.lower() == "utf-8":
        decl = '<meta charset="utf-8">'
    else:
        decl = f'<meta http-equiv="Content-Type" content="text/html; charset={cs}">'
    meta_html = "\n".join(f'<meta name="{esc(n)}" content="{esc(v)}">' for n, v in metas)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        f'{decl}\n<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"<title>{esc(title)}</title>\n{meta_html}\n"
        '<link rel="stylesheet" type="text/css" href="/css/style.css">\n'
        '<script type="text/javascript" src="/js/common.js"></script>\n'
    )


def header(site: Site, current: str | None = None) -> str:
    """The page header (cached per site and current nav item: it repeats on every page)."""
    cache = site.cache
    key = ("header", current)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _header(site, current)
    return found


def _header(site: Site, current: str | None) -> str:
    on = ' class="on"'
    items = "".join(
        f'<li{on if url == current else ""}><a href="{esc(url)}">{esc(name)}</a></li>'
        for name, url in site.nav
    )
    return (
        '<div class="top"><div class="w1200"><span class="welcome">欢迎访问'
        f"{esc(site.name)}门户网站</span></div></div>\n"
        '<div class="header"><div class="w1200">'
        f'<a href="/" class="logo"><img src="/images/logo.png" alt="{esc(site.name)}">'
        f'<h1 class="site-name">{esc(site.name)}</h1></a>'
        '<form class="search" action="/search" method="get">'
        '<input type="text" name="q" placeholder="请输入关键字"><button type="submit">搜索</button>'
        "</form></div></div>\n"
        f'<div class="nav"><ul class="w1200"><li><a href="/">首页</a></li>{items}</ul></div>\n'
    )


def breadcrumb(trail: Sequence[tuple[str, str]]) -> str:
    parts = ['<a href="/">首页</a>'] + [f'<a href="{esc(u)}">{esc(n)}</a>' for n, u in trail]
    return f'<div class="position">当前位置：{" &gt; ".join(parts)}</div>\n'


def extra_links(links: Iterable[Link], title: str = "相关链接") -> str:
    """Links planted by the builder (dead ones, benign ones, padding)."""
    out: list[str] = []
    anchors: list[str] = []
    for link in links:
        url = esc(link.url)
        if link.element is Element.A:
            label = esc(link.text or "链接")
            anchors.append(f'<li><a href="{url}" target="_blank">{label}</a></li>')
        elif link.element is Element.IMG:
            out.append(f'<img src="{url}" alt="{esc(link.text)}" width="120" height="80">')
        elif link.element is Element.SCRIPT:
            out.append(f'<script type="text/javascript" src="{url}"></script>')
        elif link.element is Element.LINK:
            out.append(f'<link rel="stylesheet" type="text/css" href="{url}">')
        elif link.element is Element.IFRAME:
            out.append(f'<iframe src="{url}" width="300" height="120" frameborder="0"></iframe>')
    html = ""
    if anchors:
        html += f'<div class="related"><h3>{esc(title)}</h3><ul>{"".join(anchors)}</ul></div>\n'
    if out:
        html += '<div class="media">' + "".join(out) + "</div>\n"
    return html


def footer_html(site: Site, markers: Iterable[FooterMarker], jiucuo: bool) -> str:
    """The footer with the given markers in their real forms."""
    have = set(markers)
    rows: list[str] = []
    if FooterMarker.SPONSOR in have:
        rows.append(f"<p>主办单位：{esc(site.sponsor)}　承办单位：县大数据中心</p>")
    if FooterMarker.CONTACT in have:
        rows.append(
            "<p>联系电话：0816-1234567　电子邮箱：zwgk@moumou.gov.cn　"
            '地址：某某县政府路1号　<a href="/lxwm/">联系我们</a></p>'
        )
    line: list[str] = []
    if FooterMarker.SITE_CODE in have:
        line.append(f"{esc(site.site_code_label)}：{esc(site.site_code)}")
    if FooterMarker.ICP in have:
        line.append(f'<a href="{ICP_URL}" target="_blank">{esc(site.icp)}</a>')
    if FooterMarker.POLICE in have:
        url = esc(POLICE_URL.format(code=site.police_code))
        line.append(
            f'<a href="{url}" target="_blank"><img src="/images/beian.png" alt="">'
            f"{esc(site.police)}</a>"
        )
    if line:
        rows.append("<p>" + "　".join(line) + "</p>")
    badges: list[str] = []
    if FooterMarker.CONAC in have:
        if site.conac_style is ConacStyle.BADGE:
            badges.append(
                f'<a href="{esc(CONAC_SHOW)}" target="_blank">'
                '<img src="/images/red.png" alt="党政机关" width="55" height="68"></a>'
            )
        else:
            badges.append(
                '<span id="_ideConac"></span>'
                f'<script type="text/javascript" src="{esc(CONAC_LOADER)}"></script>'
            )
    if jiucuo and site.jiucuo_link:
        # the older form: a linked image to the national 找错 page
        href = esc(f"{JIUCUO_PAGE}?site_code={site.site_code}&url=http://{site.domain}/")
        badges.append(
            f'<a href="{href}" target="_blank">'
            '<img src="/images/jiucuo.png" alt="我为政府网站找错"></a>'
        )
    elif jiucuo:
        badges.append(
            f'<script id="_jiucuo_" sitecode="{esc(site.site_code)}" src="{JIUCUO_JS}"></script>'
        )
    if badges:
        rows.append('<div class="badges">' + "".join(badges) + "</div>")
    return '<div class="footer"><div class="w1200">' + "\n".join(rows) + "</div></div>\n"


def footer_script_tag() -> str:
    """A footer written by a shared script: a static reader sees nothing of it."""
    return (
        '<div class="footer" id="footer"></div>\n'
        '<script type="text/javascript" src="/js/footer.js"></script>\n'
    )


def entry_list(entries: Sequence[Entry], style: ListStyle, fmt: DateFormat) -> str:
    def when(e: Entry) -> str:
        return fmt_date(e.date, fmt, e.minute) if e.date else ""

    if style is ListStyle.UL:
        items = "".join(
            f'<li><a href="{esc(e.url)}" target="_blank" title="{esc(e.title)}">{esc(e.title)}</a>'
            + (f'<span class="date">{when(e)}</span>' if e.date else "")
            + "</li>\n"
            for e in entries
        )
        return f'<ul class="list">\n{items}</ul>\n'
    if style is ListStyle.TABLE:
        rows = "".join(
            f'<tr><td class="title"><a href="{esc(e.url)}" target="_blank">{esc(e.title)}</a></td>'
            f'<td class="date">{when(e)}</td></tr>\n'
            for e in entries
        )
        return (
            '<table class="list-table" width="100%" cellspacing="0">\n'
            f"<tr><th>标题</th><th>发布日期</th></tr>\n{rows}</table>\n"
        )
    items = "".join(
        f'<div class="news-item"><a href="{esc(e.url)}" target="_blank">{esc(e.title)}</a>'
        + (f"<em>{when(e)}</em>" if e.date else "")
        + "</div>\n"
        for e in entries
    )
    return f'<div class="news-list">\n{items}</div>\n'


def pagination(page: int, pages: int, total: int) -> str:
    """TRS-style paging: index.html, index_1.html, ... with 共N条 and 下一页."""
    if pages <= 1:
        return f'<div class="page">共{total}条</div>\n'

    def href(k: int) -> str:
        return "index.html" if k == 0 else f"index_{k}.html"

    parts = [f"共{total}条　第{page + 1}/{pages}页"]
    if page > 0:
        parts.append(f'<a href="{href(0)}">首页</a>')
        parts.append(f'<a href="{href(page - 1)}">上一页</a>')
    if page < pages - 1:
        parts.append(f'<a href="{href(page + 1)}">下一页</a>')
        parts.append(f'<a href="{href(pages - 1)}">尾页</a>')
    return '<div class="page">' + "　".join(parts) + "</div>\n"


def page(
    site: Site,
    *,
    title: str,
    metas: Sequence[tuple[str, str]],
    body: str,
    footer: str,
    current_nav: str | None = None,
    charset: str | None = None,
) -> str:
    return (
        head(site, title, metas, charset)
        + "</head>\n<body>\n"
        + header(site, current_nav)
        + '<div class="main w1200">\n'
        + body
        + "</div>\n"
        + footer
        + "</body>\n</html>\n"
    )


def article_body(
    title: str,
    pub: date | None,
    source: str,
    paras: Sequence[str],
    *,
    minute: int = 0,
    content_html: str = "",
) -> str:
    info = []
    if pub is not None:
        info.append(f"发布时间：{pub.isoformat()} {clock(minute)}")
    info.append(f"来源：{esc(source)}")
    info.append('<a href="javascript:window.print()">打印本页</a>')
    text = "".join(f"<p>{esc(p)}</p>\n" for p in paras) + content_html
    return (
        f'<div class="article"><h1 class="title">{esc(title)}</h1>\n'
        f'<div class="info">{"　".join(info)}</div>\n'
        f'<div class="content" id="zoom">\n{text}</div></div>\n'
    )


WAF_412 = (
    "<!DOCTYPE html><html><head>"
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta http-equiv="Pragma" content="no-cache"><meta http-equiv="Expires" content="0">'
    "<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};"
    '$_ts.nsd=48201;$_ts.cd="qrcdrrAlDGRrqqAlDGclqqqlDGqfrrAlDGqlqqAlDGq";</script>'
    '<script type="text/javascript" r=\'m\' charset="utf-8" '
    'src="/4QbVtADbnLVIc/c.FxJzG50F.8a3cce5.js"></script>'
    "</head><body></body></html>"
)

WAF_521 = (
    "<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')"
    "+('e')+('a')+('r')+('a')+('n')+('c')+('e')+('=')+(+new Date()/1000)+"
    "'|0|2bOgp8bdWk5b7f%3D;max-age=3600;path=/';"
    "location.href=location.pathname+location.search</script></body></html>"
)

SOFT_404 = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面不存在</title></head>'
    '<body><div class="error"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>'
    '<p><a href="/">返回首页</a></p></div></body></html>'
)
