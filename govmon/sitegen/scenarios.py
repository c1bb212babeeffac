"""Named portal specs: the sites every test, the demo and the benchmarks run against.

Each scenario is ``(as_of, *, seed=0, external_base=None) -> PortalSpec``; ages are
days before ``as_of`` and chosen away from the rule boundaries (a news column 13
days old is fresh under the 2-week rule, 15 days old is stale).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from govmon.records import ColumnClass as C
from govmon.records import Element, FooterMarker
from govmon.sitegen.model import (
    Benign,
    BenignLink,
    BlankForm,
    ColumnSpec,
    ConacStyle,
    DateFormat,
    Fault,
    LinkFault,
    ListStyle,
    PortalSpec,
    TrapKind,
)

Scenario = Callable[..., PortalSpec]


def _col(slug: str, name: str, cls: C, **kw: object) -> ColumnSpec:
    return ColumnSpec(slug=slug, name=name, column_class=cls, **kw)  # type: ignore[arg-type]


def _hub(slug: str, name: str, **kw: object) -> ColumnSpec:
    return ColumnSpec(slug=slug, name=name, column_class=C.OTHER, hub=True, **kw)  # type: ignore[arg-type]


def standard_columns() -> list[ColumnSpec]:
    """Every column class, with fresh, stale and blank ones (below every veto line)."""
    F = DateFormat
    S = ListStyle
    return [
        _hub("xwzx", "新闻中心"),
        _col(
            "yw",
            "要闻",
            C.NEWS,
            parent="xwzx",
            newest_age=1,
            interval=1.5,
            count=24,
            on_homepage=True,
            date_format=F.ISO,
        ),
        _col(
            "gzdt",
            "工作动态",
            C.NEWS,
            parent="xwzx",
            newest_age=0,
            interval=1,
            count=40,
            on_homepage=True,
            date_format=F.MONTH_DAY,
            per_page=20,
        ),
        _col(
            "xzdt",
            "乡镇动态",
            C.NEWS,
            parent="xwzx",
            newest_age=20,
            interval=6,
            count=10,
            date_format=F.SLASH,
            list_style=S.TABLE,
        ),
        _col(
            "bmdt",
            "部门动态",
            C.NEWS,
            parent="xwzx",
            newest_age=13,
            interval=4,
            count=12,
            date_format=F.ISO_TIME,
            list_style=S.DIV,
        ),
        _col(
            "tzgg",
            "通知公告",
            C.NOTICE,
            newest_age=3,
            interval=7,
            count=18,
            on_homepage=True,
            date_format=F.ISO_BRACKET,
        ),
        _col(
            "zcwj",
            "政策文件",
            C.POLICY,
            newest_age=40,
            interval=30,
            count=8,
            date_format=F.CHINESE,
            list_style=S.TABLE,
        ),
        _hub("zwgk", "政务公开"),
        _col(
            "gsgg",
            "公示公告",
            C.NOTICE,
            parent="zwgk",
            newest_age=9,
            interval=10,
            count=6,
            date_format=F.DOT,
        ),
        _col(
            "gfxwj",
            "规范性文件",
            C.POLICY,
            parent="zwgk",
            newest_age=200,
            interval=40,
            count=5,
            date_format=F.CHINESE_BRACKET,
        ),
        _col(
            "zcjd", "政策解读", C.INTERPRETATION, parent="zwgk", newest_age=35, interval=30, count=6
        ),
        _col(
            "rsxx",
            "人事信息",
            C.PERSONNEL,
            parent="zwgk",
            newest_age=60,
            interval=45,
            count=5,
            date_format=F.DAY_MONTH,
            footer_missing=(FooterMarker.ICP, FooterMarker.POLICE),
        ),
        _col(
            "ghjh",
            "规划计划",
            C.PLANNING,
            parent="zwgk",
            newest_age=120,
            interval=90,
            count=4,
            list_style=S.DIV,
            tags_missing=("ColumnDescription", "ColumnKeywords"),
        ),
        _col(
            "czyjs",
            "财政预决算",
            C.FINANCE,
            parent="zwgk",
            newest_age=50,
            interval=30,
            count=6,
            list_style=S.TABLE,
        ),
        _col("tjsj", "统计数据", C.STATISTICS, parent="zwgk", blank=BlankForm.NO_INFO),
        _col(
            "sjfb",
            "数据发布",
            C.DATA_RELEASE,
            parent="zwgk",
            newest_age=25,
            interval=30,
            count=5,
            date_format=F.SLASH,
        ),
        _hub("zjmm", "走进某某"),
        _col("jgzn", "机构职能", C.OVERVIEW, parent="zjmm", newest_age=300, interval=10, count=2),
        _col(
            "ldxx",
            "领导信息",
            C.OVERVIEW,
            parent="zjmm",
            blank=BlankForm.UNDATED,
            count=4,
            footer_script=True,
        ),
        _hub("bsfw", "办事服务"),
        _col(
            "bszn",
            "办事指南",
            C.SERVICE,
            parent="bsfw",
            newest_age=30,
            interval=20,
            count=6,
            tags_missing=("ArticleTitle", "PubDate"),
        ),
        _col(
            "bstj",
            "办事统计",
            C.SERVICE_STATS,
            parent="bsfw",
            newest_age=20,
            interval=30,
            count=4,
            no_jiucuo=True,
        ),
        _hub("hdjl", "互动交流"),
        _col("xzxx", "县长信箱", C.INTERACTION, parent="hdjl", newest_age=2, interval=9, count=15),
        _col(
            "zxzx",
            "在线咨询",
            C.INTERACTION,
            parent="hdjl",
            newest_age=5,
            interval=4,
            count=10,
            date_format=F.ISO_TIME,
        ),
        _col("zjdc", "征集调查", C.SURVEY, parent="hdjl", blank=BlankForm.EMPTY_LIST),
        _col("cjwt", "常见问题", C.FAQ, parent="hdjl", newest_age=70, interval=40, count=3),
    ]


def standard_faults() -> tuple[LinkFault, ...]:
    """A few dead links of each kind and element, on the homepage and elsewhere."""
    E = Element
    return (
        LinkFault(fault=Fault.NOT_FOUND, element=E.A, where="home"),
        LinkFault(fault=Fault.NOT_FOUND, element=E.IMG, where="home"),
        LinkFault(fault=Fault.NOT_FOUND, element=E.A, where="tzgg"),
        LinkFault(fault=Fault.NOT_FOUND, element=E.SCRIPT, where="zcwj"),
        LinkFault(fault=Fault.NOT_FOUND, element=E.LINK, where="gzdt"),
        LinkFault(fault=Fault.NOT_FOUND, element=E.A, where="all", external=True),
        LinkFault(fault=Fault.SERVER_ERROR, element=E.A, where="home", external=True),
        LinkFault(fault=Fault.SERVER_ERROR, element=E.IFRAME, where="zcjd", external=True),
        LinkFault(fault=Fault.GONE, element=E.A, where="rsxx", external=True),
        LinkFault(fault=Fault.TIMEOUT, element=E.A, where="xzdt", external=True),
        LinkFault(fault=Fault.CONNECT, element=E.A, where="home", external=True),
        LinkFault(fault=Fault.REDIRECT_LOOP, element=E.A, where="gsgg", external=True),
        LinkFault(fault=Fault.SOFT_404, element=E.A, where="czyjs", external=True),
    )


def standard_benign() -> tuple[BenignLink, ...]:
    return (
        BenignLink(kind=Benign.BLOCKED, where="home"),
        BenignLink(kind=Benign.HEAD_405, where="home"),
        BenignLink(kind=Benign.HEAD_405, where="yw", external=False),
        BenignLink(kind=Benign.REDIRECT, where="home"),
        BenignLink(kind=Benign.TRANSIENT, where="home"),
        BenignLink(kind=Benign.REDIRECT, where="tzgg", external=False),
        BenignLink(kind=Benign.MAILTO, where="home"),
        BenignLink(kind=Benign.TEL, where="hdjl"),
        BenignLink(kind=Benign.JAVASCRIPT, where="home"),
        BenignLink(kind=Benign.ANCHOR, where="home"),
    )


def standard(as_of: date, *, seed: int = 0, external_base: str | None = None) -> PortalSpec:
    """UTF-8, all classes, fresh/stale/blank columns, dead links of every kind."""
    return PortalSpec(
        name="standard",
        as_of=as_of,
        seed=seed,
        external_base=external_base,
        columns=tuple(standard_columns()),
        faults=standard_faults(),
        benign=standard_benign(),
        interp_pairs=True,
        content_safety=True,
        board=True,
        guides=True,
    )


def gbk(as_of: date, *, seed: int = 0, external_base: str | None = None) -> PortalSpec:
    """The standard portal served as GBK, with a lying header and a gb2312 trap page."""
    return dataclasses.replace(
        standard(as_of, seed=seed, external_base=external_base),
        name="gbk",
        encoding="gbk",
        lying_header=True,
        gb2312_extension=True,
        conac_style=ConacStyle.SCRIPT,
        site_code_label="网站识别码",
        jiucuo_link=True,
    )


def navigation_only(as_of: date, *, seed: int = 0, external_base: str | None = None) -> PortalSpec:
    """The homepage is a tile portal without dates; freshness is on second-level pages."""
    cols = [dataclasses.replace(c, on_homepage=False) for c in standard_columns()]
    return PortalSpec(
        name="navigation_only",
        as_of=as_of,
        seed=seed,
        external_base=external_base,
        columns=tuple(cols),
        navigation_only=True,
        faults=standard_faults()[:4],
    )


def waf(as_of: date, *, seed: int = 0, external_base: str | None = None) -> PortalSpec:
    """Pages behind 瑞数 (412) and 加速乐 (521): they must yield unknowns only."""
    cols = []
    for c in standard_columns():
        if c.slug == "zcwj" or c.slug == "gsgg":  # a whole first-level list behind the WAF
            c = dataclasses.replace(c, waf_list=True)
        elif c.slug == "tzgg":
            c = dataclasses.replace(c, waf_articles=3)
        cols.append(c)
    return PortalSpec(
        name="waf",
        as_of=as_of,
        seed=seed,
        external_base=external_base,
        columns=tuple(cols),
        waf_521=True,
        benign=(
            BenignLink(kind=Benign.BLOCKED, where="home"),
            BenignLink(kind=Benign.BLOCKED, where="all"),
        ),
    )


def traps(as_of: date, *, seed: int = 0, external_base: str | None = None) -> PortalSpec:
    """Crawl traps: an endless calendar, jsessionid and sid URLs, growing query strings."""
    return PortalSpec(
        name="traps",
        as_of=as_of,
        seed=seed,
        external_base=external_base,
        columns=tuple(standard_columns()),
        traps=tuple(TrapKind),
    )


def _aged(
    cols: list[ColumnSpec], ages: dict[str, int], blanks: dict[str, BlankForm]
) -> list[ColumnSpec]:
    out = []
    for c in cols:
        if c.slug in blanks:
            c = dataclasses.replace(c, blank=blanks[c.slug], count=3)
        elif c.slug in ages:
            c = dataclasses.replace(c, newest_age=ages[c.slug], blank=None)
            if c.date_format in (DateFormat.MONTH_DAY, DateFormat.DAY_MONTH):
                c = dataclasses.replace(c, date_format=DateFormat.ISO)
        out.append(c)
    return out


def veto_columns(as_of: date, *, seed: int = 0, external_base: str | None = None) -> PortalSpec:
    """Over every column veto line: ≥5 stale news/notice/policy, ≥5 blank, homepage stale.

    Stale (NAT-V-COLS-A): 要闻 20 d, 工作动态 30 d, 乡镇动态 20 d, 部门动态 16 d
    (news > 2 weeks); 通知公告 200 d and 政策文件 250 d (first level, > 6 months).
    Blank (NAT-V-COLS-C): 统计数据, 征集调查, 领导信息 (as standard) + 财政预决算,
    规划计划, 数据发布.  Homepage newest: 20 days (通知公告 and news blocks all stale)."""
    ages = {"yw": 20, "gzdt": 30, "xzdt": 20, "bmdt": 16, "tzgg": 200, "zcwj": 250}
    blanks = {
        "czyjs": BlankForm.NO_INFO,
        "ghjh": BlankForm.EMPTY_LIST,
        "sjfb": BlankForm.UNDATED,
    }
    return PortalSpec(
        name="veto_columns",
        as_of=as_of,
        seed=seed,
        external_base=external_base,
        homepage_footer_missing=(FooterMarker.POLICE, FooterMarker.CONTACT),
        columns=tuple(_aged(standard_columns(), ages, blanks)),
    )


def near_veto(as_of: date, *, seed: int = 0, external_base: str | None = None) -> PortalSpec:
    """Just below each veto line but past the commercial warning lines.

    4 stale news/notice/policy columns (veto at 5): 乡镇动态 20 d, 部门动态 16 d,
    通知公告 200 d, 政策文件 250 d; 4 blank columns (warning > 2, veto 5): 统计数据,
    征集调查, 领导信息, 财政预决算; 7 stale columns overall (warning > 6, veto 10): the 4
    above plus 规范性文件 200 d, 人事信息 400 d, 规划计划 400 d; homepage newest 12 days
    (warning 10, veto 14)."""
    ages = {
        "yw": 12,
        "gzdt": 12,
        "xzdt": 20,
        "bmdt": 16,
        "tzgg": 200,
        "zcwj": 250,
        "gfxwj": 200,
        "rsxx": 400,
        "ghjh": 400,
    }
    blanks = {"czyjs": BlankForm.NO_INFO}
    cols = _aged(standard_columns(), ages, blanks)
    cols = [dataclasses.replace(c, interval=1) if c.slug in ("yw", "gzdt") else c for c in cols]
    return PortalSpec(
        name="near_veto",
        as_of=as_of,
        seed=seed,
        external_base=external_base,
        columns=tuple(cols),
    )


def big(
    as_of: date, *, n_pages: int = 5000, seed: int = 0, external_base: str | None = None
) -> PortalSpec:
    """The benchmark portal: ≥ ``n_pages`` pages of 20–40 KB, ~60 links each, ~2% dead."""
    F = DateFormat
    names = [
        ("yw", "要闻", C.NEWS),
        ("gzdt", "工作动态", C.NEWS),
        ("xzdt", "乡镇动态", C.NEWS),
        ("bmdt", "部门动态", C.NEWS),
        ("tzgg", "通知公告", C.NOTICE),
        ("gsgg", "公示公告", C.NOTICE),
        ("zcwj", "政策文件", C.POLICY),
        ("gfxwj", "规范性文件", C.POLICY),
        ("zcjd", "政策解读", C.INTERPRETATION),
        ("rsxx", "人事信息", C.PERSONNEL),
        ("ghjh", "规划计划", C.PLANNING),
        ("czzj", "财政资金", C.FINANCE),
        ("tjsj", "统计数据", C.STATISTICS),
        ("jggk", "机构概况", C.OVERVIEW),
        ("ldxx", "领导信箱", C.INTERACTION),
        ("bszn", "办事指南", C.SERVICE),
        ("bstj", "办事统计", C.SERVICE_STATS),
        ("sjfb", "数据发布", C.DATA_RELEASE),
        ("zjdc", "征集调查", C.SURVEY),
        ("cjwt", "常见问题", C.FAQ),
    ]
    per_page = 20
    # pages = home + contact + hub + per column (entries + list pages)
    per_col = max(1, -(-(n_pages - 3) // len(names)))
    count = max(1, per_col - -(-per_col // (per_page + 1)))
    formats = list(F)
    cols: list[ColumnSpec] = [_hub("zwgk", "政务公开")]
    for i, (slug, name, cls) in enumerate(names):
        fmt = formats[i % len(formats)]
        interval = 0.5 if cls is C.NEWS else 1.0
        if fmt in (F.MONTH_DAY, F.DAY_MONTH) and count * interval > 300:
            fmt = F.ISO
        cols.append(
            _col(
                slug,
                name,
                cls,
                parent="zwgk" if i >= 4 else None,
                count=count,
                newest_age=i % 5,
                interval=interval,
                per_page=per_page,
                date_format=fmt,
                list_style=list(ListStyle)[i % 3],
                on_homepage=i < 4,
            )
        )
    return PortalSpec(
        name="big",
        as_of=as_of,
        seed=seed,
        external_base=external_base,
        columns=tuple(cols),
        article_bytes=(20_000, 40_000),
        links_per_page=60,
        dead_ratio=0.02,
        faults=standard_faults()[:3],
    )


def demo(as_of: date, *, seed: int = 0, external_base: str | None = None) -> PortalSpec:
    """The portal ``govmon audit`` serves when given no URL."""
    return dataclasses.replace(standard(as_of, seed=seed, external_base=external_base), name="demo")


SCENARIOS: dict[str, Scenario] = {
    "standard": standard,
    "gbk": gbk,
    "navigation_only": navigation_only,
    "waf": waf,
    "traps": traps,
    "veto_columns": veto_columns,
    "near_veto": near_veto,
    "big": big,
    "demo": demo,
}
