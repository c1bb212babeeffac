"""Wording dictionary: wrong forms found in context; longer correct words and old dates spared."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.analysis.page import ParsedPage
from crawler.analysis.wording import find_wording, load_dictionary, trie_pattern
from govmon.errors import ConfigError
from govmon.records import Severity, dumps

URL = "http://www.example.gov.cn/art/2026/11/1.html"
AFTER = date(2026, 11, 20)
DICT = load_dictionary()


def wrongs(text: str, pub_date: date | None = AFTER) -> list[str]:
    return [d.text for d in find_wording(text, url=URL, pub_date=pub_date, dictionary=DICT)]


def test_every_entry_cites_a_source_and_has_a_severity() -> None:
    assert len(DICT) > 100
    for entry in DICT.entries:
        assert entry.source and entry.right and entry.wrong != entry.right
        assert entry.severity in (Severity.ORDINARY, Severity.SERIOUS)


def test_outdated_institution_after_the_reform() -> None:
    [det] = find_wording(
        "会议传达了国土资源部有关文件精神。", url=URL, pub_date=AFTER, dictionary=DICT
    )
    assert det.text == "国土资源部" and det.suggestion == "自然资源部"
    assert det.severity is Severity.ORDINARY and "2018" in det.source
    assert det.context == "会议传达了国土资源部有关文件精神。"
    assert '"suggestion": "自然资源部"' in dumps(det)


def test_outdated_name_before_the_reform_is_correct() -> None:
    text = "国家工商行政管理总局、国家卫生和计划生育委员会联合印发通知。"
    assert wrongs(text, date(2017, 6, 1)) == []
    assert wrongs(text, date(2018, 4, 10)) == ["国家卫生和计划生育委员会"]  # 工商 reformed that day
    assert wrongs(text, date(2018, 4, 11)) == ["国家工商行政管理总局", "国家卫生和计划生育委员会"]
    assert wrongs(text, None) == ["国家工商行政管理总局", "国家卫生和计划生育委员会"]


@pytest.mark.parametrize(
    "text",
    [
        "各级文化部门要加强文化部署。",
        "卫生部门和农业部门联合开展检查，做好农业部署。",
        "农业农村部、文化和旅游部、国家卫生健康委员会、自然资源部联合发文。",
        "原农业部、原国土资源部的职责划入新组建的部门。",
        "环境保护部门、监察部门、国土资源部门参加。",
        "企业文化部负责职工活动；医院公共卫生部负责疫情报告。",
        "一贯切实履行职责，预防犯罪。",
        "加强学习进平台建设。",
        "国家市场监督管理总局",
        "市场监督管理局",
    ],
    ids=[
        "文化部门",
        "卫生部门",
        "new-names",
        "原",
        "部门",
        "department-names",
        "贯切/防犯",
        "学习进",
        "new-national",
        "new-local",
    ],
)
def test_longer_correct_words_are_not_flagged(text: str) -> None:
    assert wrongs(text) == []


def test_the_trap_without_guards_would_fire(tmp_path: Path) -> None:
    # The same entry with a suffix that carries no guard is found: the guards do the work.
    assert wrongs("文化部长出席") == ["文化部"]
    assert wrongs("农业部印发通知，文化部门参加") == ["农业部"]


def test_political_expressions_are_serious() -> None:
    found = find_wording("所谓台湾总统讲话", url=URL, pub_date=date(2000, 1, 1), dictionary=DICT)
    assert [(d.text, d.suggestion, d.severity) for d in found] == [
        ("台湾总统", "台湾地区领导人", Severity.SERIOUS)
    ]
    assert wrongs("中华人民共国成立") == ["中华人民共国"]


def test_longest_match_wins_an_overlap() -> None:
    assert wrongs("国家卫计委、中国银保监会") == ["国家卫计委", "中国银保监会"]


def test_typos_and_one_detection_per_form() -> None:
    found = find_wording(
        "按装空调；再按装一台。截止目前，再接再励。",
        url=URL,
        pub_date=AFTER,
        dictionary=DICT,
        attachment="通知.docx",
    )
    assert [(d.text, d.suggestion) for d in found] == [
        ("按装", "安装"),
        ("截止目前", "截至目前"),
        ("再接再励", "再接再厉"),
    ]
    assert all(d.attachment == "通知.docx" for d in found)


def test_right_form_at_the_same_position_is_automatic(tmp_path: Path) -> None:
    own = tmp_path / "province.yaml"
    own.write_text(
        "entries:\n"
        "  - {wrong: 监督管理局, right: 市场监督管理局, severity: ordinary, source: 省规范表}\n",
        encoding="utf-8",
    )
    d = load_dictionary(own, include_default=False)
    assert [
        x.text for x in find_wording("市场监督管理局", url=URL, pub_date=None, dictionary=d)
    ] == []
    assert [x.text for x in find_wording("县监督管理局", url=URL, pub_date=None, dictionary=d)] == [
        "监督管理局"
    ]


def test_site_file_extends_overrides_and_disables(tmp_path: Path) -> None:
    own = tmp_path / "site.yaml"
    own.write_text(
        "groups:\n"
        "  - source: 本市规范地名表\n"
        "    severity: ordinary\n"
        "    entries:\n"
        "      - [绵阳市涪城区人民政付, 绵阳市涪城区人民政府]\n"
        "entries:\n"
        "  - {wrong: 按装, right: 安装（本地）, severity: serious, source: 本地}\n"
        "  - {wrong: 再接再励, disabled: true}\n",
        encoding="utf-8",
    )
    d = load_dictionary(own)
    assert len(d) == len(DICT)  # one added, one removed
    found = find_wording(
        "绵阳市涪城区人民政付：按装；再接再励", url=URL, pub_date=AFTER, dictionary=d
    )
    assert [(x.text, x.suggestion, x.severity.value) for x in found] == [
        ("绵阳市涪城区人民政付", "绵阳市涪城区人民政府", "ordinary"),
        ("按装", "安装（本地）", "serious"),
    ]


@pytest.mark.parametrize(
    "body, message",
    [
        ("entries:\n  - {wrong: a, right: b, severity: ordinary}\n", "missing 'source'"),
        ("entries:\n  - {wrong: a, right: b, severity: grave, source: s}\n", "severity"),
        (
            "entries:\n  - {wrong: a, right: b, severity: ordinary, source: s, typo: 1}\n",
            "unknown key",
        ),
        (
            "entries:\n  - {wrong: a, right: b, severity: ordinary, source: s,"
            " reformed_on: soon}\n",
            "date",
        ),
        ("words: []\n", "expected a mapping"),
    ],
    ids=["no-source", "severity", "unknown-key", "date", "top-level"],
)
def test_bad_files_name_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_dictionary(path, include_default=False)
    assert "bad.yaml" in str(info.value)


def test_corpus_has_few_findings(corpus_dir: Path) -> None:
    for path in corpus_dir.rglob("*"):
        if path.suffix not in (".html", ".jsp"):
            continue
        page = ParsedPage.parse("http://corpus.example.gov.cn/", path.read_text(encoding="utf-8"))
        found = find_wording(
            page.body_text, url=page.url, pub_date=date(2020, 1, 1), dictionary=DICT
        )
        assert [d.text for d in found if d.severity is Severity.SERIOUS] == [], path.name


@given(st.lists(st.text(alphabet="中国银行业监督管理委员会共办公厅政务", min_size=1, max_size=6), min_size=1, max_size=12),
       st.text(alphabet="中国银行业监督管理委员会共办公厅政务 ，。", max_size=80))
def test_trie_pattern_matches_as_the_longest_first_alternation(words: list[str], text: str) -> None:
    """The trie finds the same forms, at the same places, as the alternation of
    the forms sorted longest first, which it replaces for speed."""
    forms = sorted(set(words), key=len, reverse=True)
    reference = re.compile("(" + "|".join(map(re.escape, forms)) + ")")
    trie = re.compile("(" + trie_pattern(forms) + ")")
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in reference.finditer(text)]
