"""Column classification by the keyword table of config/keywords/columns.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.analysis.classify import build_table, classify, load_keywords
from crawler.analysis.page import ParsedPage
from govmon.errors import ConfigError
from govmon.records import ColumnClass as C


@pytest.fixture(scope="module")
def table():
    return load_keywords()


NAMES = [
    ("工作动态", C.NEWS),
    ("今日要闻", C.NEWS),
    ("部门动态", C.NEWS),
    ("财政动态", C.NEWS),  # tie 动态/财政: 004 counts any …动态 as news
    ("政策动态", C.NEWS),
    ("通知公告", C.NOTICE),
    ("公示公告", C.NOTICE),
    ("公告公示", C.NOTICE),
    ("政策文件", C.POLICY),
    ("规范性文件", C.POLICY),
    ("市政府文件", C.POLICY),
    ("法律法规", C.POLICY),
    ("部门规章制度", C.POLICY),
    ("政策解读", C.INTERPRETATION),
    ("政策文件解读", C.INTERPRETATION),
    ("计划规划解读", C.PLANNING),  # as 004 lists it
    ("统计分析解读", C.STATISTICS),
    ("年度工作计划", C.PLANNING),
    ("中长期规划", C.PLANNING),
    ("任前公示", C.PERSONNEL),
    ("人事任免公示", C.PERSONNEL),
    ("招考信息", C.PERSONNEL),
    ("人事信息", C.PERSONNEL),
    ("财政预决算", C.FINANCE),
    ("三公经费", C.FINANCE),
    ("专项资金", C.FINANCE),
    ("统计数据", C.STATISTICS),
    ("统计年鉴", C.STATISTICS),
    ("机构简介", C.OVERVIEW),
    ("领导信息", C.OVERVIEW),
    ("机构职能", C.OVERVIEW),
    ("县情概况", C.OVERVIEW),
    ("政民互动", C.INTERACTION),
    ("县长信箱", C.INTERACTION),
    ("在线咨询", C.INTERACTION),
    ("留言统计", C.INTERACTION),
    ("网上办事", C.SERVICE),
    ("便民服务", C.SERVICE),
    ("办事统计", C.SERVICE_STATS),
    ("办件公示", C.SERVICE_STATS),
    ("数据发布", C.DATA_RELEASE),
    ("统计数据发布", C.DATA_RELEASE),
    ("数据开放", C.DATA_RELEASE),
    ("意见征集", C.SURVEY),
    ("网上调查", C.SURVEY),
    ("常见问题", C.FAQ),
    ("热点问答", C.FAQ),
    ("政府信息公开指南", C.OTHER),
    ("领导活动", C.OTHER),
    ("", C.OTHER),
    ("通 知 公 告", C.NOTICE),  # spaced-out names
    ("ＦＡＱ常见问题", C.FAQ),
]


@pytest.mark.parametrize(("name", "expected"), NAMES, ids=[n or "empty" for n, _ in NAMES])
def test_classify_names(table, name: str, expected: C) -> None:
    assert classify(name, table) is expected


def test_default_table_is_used_without_argument() -> None:
    assert classify("通知公告") is C.NOTICE


CORPUS = [
    # file, meta, expected class
    (
        "src__main__webapp__WEB-INF__views__affairs__gkzn.jsp",
        "ColumnName",
        C.OTHER,
    ),  # 政府信息公开指南
    ("src__main__webapp__WEB-INF__views__affairs__gkzn.jsp", "ColumnType", C.OTHER),  # 信息公开指南
    (
        "src__main__webapp__WEB-INF__views__affairs__details.jsp",
        "ColumnType",
        C.POLICY,
    ),  # 政策文件，信息公开
    (
        "src__main__webapp__WEB-INF__views__affairs__index.jsp",
        "ColumnType",
        C.POLICY,
    ),  # 信息公开，政策文件
    (
        "src__main__webapp__WEB-INF__views__affairs__index.jsp",
        "ColumnName",
        C.OTHER,
    ),  # 邯郸市政府信息公开
]


@pytest.mark.parametrize(
    ("name", "meta", "expected"), CORPUS, ids=[f"{c[0][30:]}-{c[1]}" for c in CORPUS]
)
def test_corpus_meta_values(corpus_dir: Path, table, name: str, meta: str, expected: C) -> None:
    path = corpus_dir / "kevin3691__renmin" / name
    page = ParsedPage.parse("http://hdzfxxgk.hd.gov.cn/", path.read_text(encoding="utf-8"))
    value = page.meta(meta)
    assert value
    assert classify(value, table) is expected


ARTICLE_COLUMNS = {
    "要闻": C.NEWS,
    "工作动态": C.NEWS,
    "媒体聚焦": C.NEWS,
    "各地动态": C.NEWS,
    "图文报道": C.NEWS,
    "教育新闻": C.NEWS,
    "陕西要闻": C.NEWS,
    "上海要闻": C.NEWS,
    "重点关注": C.OTHER,
    "基础教育": C.OTHER,
    "市县": C.OTHER,
}


def test_corpus_article_column_names(corpus_dir: Path, table) -> None:
    """The ColumnName values of the corpus article pages (mostly news columns)."""
    seen = {}
    for path in sorted(corpus_dir.glob("mhxqwer__*/index.html")):
        page = ParsedPage.parse("http://example.invalid/", path.read_text(encoding="utf-8"))
        name = page.meta("ColumnName")
        if name:
            seen[name] = classify(name, table)
    assert seen == ARTICLE_COLUMNS


def test_unknown_class_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "kw.yaml"
    bad.write_text("classes:\n  news: [动态]\n  gossip: [八卦]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"kw\.yaml.*classes\.gossip.*gossip"):
        load_keywords(bad)


def test_unknown_priority_entry(tmp_path: Path) -> None:
    bad = tmp_path / "kw.yaml"
    bad.write_text("priority: [newz]\nclasses:\n  news: [动态]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"priority.*newz"):
        load_keywords(bad)


def test_duplicate_keyword_across_classes_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"already in classes\.news"):
        build_table({"classes": {"news": ["动态"], "notice": ["动态"]}}, "x.yaml")


def test_bad_shapes() -> None:
    with pytest.raises(ConfigError, match="must be a list"):
        build_table({"classes": {"news": "动态"}}, "x.yaml")
    with pytest.raises(ConfigError, match="unknown key"):
        build_table({"classes": {"news": ["动态"]}, "extra": 1}, "x.yaml")
    with pytest.raises(ConfigError, match="non-empty"):
        build_table({"classes": {"news": [""]}}, "x.yaml")


def test_user_table_with_priority_decides_ties(tmp_path: Path) -> None:
    path = tmp_path / "kw.yaml"
    path.write_text(
        "priority: [finance, news]\nclasses:\n  news: [动态]\n  finance: [财政]\n", encoding="utf-8"
    )
    assert classify("财政动态", load_keywords(path)) is C.FINANCE


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_keywords(tmp_path / "absent.yaml")
