"""Notices written from a stored three-week history, compared with golden files.

Regenerate the expected files with ``GOVMON_UPDATE_GOLDEN=1 pytest
tests/test_notices_golden.py`` and read the diff before committing it: the
golden files are what a clerk would send.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selectolax.lexbor import LexborHTMLParser
from test_notices_sample import FORMULAS, NOTICE_AT, XSS_IMG, XSS_SCRIPT, build_sample

from govmon.config import MonitorConfig, Office
from govmon.notices.build import write_notices
from govmon.notices.docx import docx_text
from govmon.store.repo import Store

GOLDEN = Path(__file__).resolve().parent / "golden" / "notices"
UPDATE = os.environ.get("GOVMON_UPDATE_GOLDEN") == "1"
ALL = ["html", "docx", "xlsx", "json"]


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path} is missing: run with GOVMON_UPDATE_GOLDEN=1 and review it")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs (GOVMON_UPDATE_GOLDEN=1 to accept)"


def html_text(html: str) -> str:
    body = LexborHTMLParser(html).body
    assert body is not None
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in body.text(separator="\n").splitlines())
    return "\n".join(line for line in lines if line) + "\n"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = build_sample(f"sqlite:///{tmp_path}/g.db")
    yield s
    s.close()


@pytest.fixture
def written(store: Store, tmp_path: Path) -> dict[str, Path]:
    paths = write_notices(None, period="week", as_of=NOTICE_AT[48], profile=None, formats=ALL,
                          out_dir=tmp_path / "notices", units=("0201", "0202"), store=store)
    return {p.name: p for p in paths}


def test_file_layout(written: dict[str, Path], tmp_path: Path) -> None:
    assert sorted(written) == sorted(
        [f"2026-W48-week.{ext}" for ext in ALL] + [f"2026-W48-week-unit-{u}.{ext}" for ext in ALL
                                                   for u in ("0201", "0202")])
    assert {p.parent for p in written.values()} == {tmp_path / "notices" / "2026-W48"}


@pytest.mark.parametrize("stem", ["2026-W48-week", "2026-W48-week-unit-0201"])
def test_golden_json_html_docx(written: dict[str, Path], stem: str) -> None:
    data = json.loads(written[f"{stem}.json"].read_text(encoding="utf-8"))
    assert data["schema"] == "govmon.notice/1"
    check_golden(f"{stem}.json", written[f"{stem}.json"].read_text(encoding="utf-8"))
    check_golden(f"{stem}.html.txt", html_text(written[f"{stem}.html"].read_text(encoding="utf-8")))
    check_golden(f"{stem}.docx.txt", docx_text(written[f"{stem}.docx"].read_bytes()))


def test_region_figures(written: dict[str, Path]) -> None:
    data = json.loads(written["2026-W48-week.json"].read_text(encoding="utf-8"))
    s = data["summary"]
    assert data["title"] == "关于2026年第48周全区政府网站监测情况的通报"
    assert (s["sites"], s["scored"], s["vetoed"], s["qualified"]) == (4, 4, 1, 3)
    assert s["average"] == pytest.approx((98.8 + 99.5 + 99.8 + 0.0) / 4, abs=0.01)
    # 504 counted probes (blocked probes and re-probes left out), 10 failures.
    assert (s["probes"], s["probe_failures"]) == (504, 10)
    # W47 named: portal dead link a, portal tags, edu blank column → tags and blank fixed.
    assert s["rectification"] == {"previous": 3, "resolved": 2, "rate": pytest.approx(2 / 3)}
    # The town's homepage was last updated on 2026-11-10: not in week 48.
    assert (s["homepages_checked"], s["homepages_updated"], s["columns"], s["columns_updated"]) == (4, 3, 10, 4)
    assert s["blank_columns"] == 1
    assert [lv["label"] for lv in s["by_level"]] == ["门户网站", "部门网站", "乡镇（街道）网站"]
    statuses = {(p["rule"], p["evidence"]): p["status_label"] for p in data["problems"]}
    assert statuses[("NAT-D-LINKS", "http://www.qx.example.gov.cn/xxgk/a.pdf")] == "持续16天未整改"
    assert statuses[("NAT-D-FOOTER", "http://wjj.qx.example.gov.cn/")] == "整改后再次出现"
    assert data["warnings"][0]["rule"] == "NAT-D-SEARCH"  # unknown: listed, never counted
    ranks = {row["name"]: (row["rank"], row["rank_change"]) for row in data["sites"]}
    assert ranks["青溪区城关镇人民政府"] == (4, -3)


def test_unit_notice_holds_only_its_problems(written: dict[str, Path]) -> None:
    data = json.loads(written["2026-W48-week-unit-0201.json"].read_text(encoding="utf-8"))
    assert data["title"].endswith("（区教育局）")
    assert {p["unit"] for p in data["problems"]} == {"0201"}
    assert [s["name"] for s in data["sites"]] == ["青溪区教育局"]
    assert data["sites"][0]["rank"] == 2  # its rank in the whole region
    assert [u["unit"] for u in data["units"]] == ["0201"]


def test_unit_problem_on_another_units_site(written: dict[str, Path]) -> None:
    """The health bureau maintains a portal column: that problem is in its notice, the portal is
    listed beside its own site, and its figures count its own site only."""
    data = json.loads(written["2026-W48-week-unit-0202.json"].read_text(encoding="utf-8"))
    assert sorted((p["site"], p["rule"]) for p in data["problems"]) == [
        ("青溪区人民政府", "NAT-D-OTHER-COLS"), ("青溪区卫生健康局", "NAT-D-FOOTER")]
    assert [s["name"] for s in data["sites"]] == ["青溪区卫生健康局", "青溪区人民政府"]
    assert data["summary"]["sites"] == 1
    region = json.loads(written["2026-W48-week.json"].read_text(encoding="utf-8"))
    units = {u["unit"]: (u["deductions"], u["total"]) for u in region["units"]}
    assert units["0202"] == (2, 99.8) and units["0101"] == (1, 98.8)


def test_html_escapes_crawled_text(written: dict[str, Path]) -> None:
    for name in ("2026-W48-week.html", "2026-W48-week-unit-0201.html"):
        html = written[name].read_text(encoding="utf-8")
        assert "<script>" not in html.lower().replace("<script>alert", "") or XSS_SCRIPT not in html
        assert XSS_SCRIPT not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        tree = LexborHTMLParser(html)
        assert tree.css("script") == []
        assert tree.css("img") == []
        assert all(not a.attributes.get("href", "").lower().startswith("javascript") for a in tree.css("a"))
        # The text a person reads is the payload itself, shown, not run.
        assert XSS_SCRIPT in html_text(html) and XSS_IMG in html_text(html)
        assert "default-src 'none'" in html


def test_xlsx_cells_are_inert(written: dict[str, Path]) -> None:
    path = written["2026-W48-week.xlsx"]
    wb = load_workbook(path)
    assert wb.sheetnames == ["单项否决", "扣分问题", "预警及待核实", "已整改", "网站得分与排名", "单位得分与排名"]
    texts: list[str] = []
    numbers: list[float] = []
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws.column_dimensions["A"].width and ws.column_dimensions["A"].width > 0
        for row in ws.iter_rows(min_row=2, values_only=True):
            texts += [v for v in row if isinstance(v, str)]
            numbers += [v for v in row if isinstance(v, (int, float)) and not isinstance(v, bool)]
    for payload in FORMULAS:
        assert "'" + payload in texts, payload
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)
    assert -0.2 in numbers and -100.0 in numbers  # real negative numbers stay numbers
    # openpyxl would have stored a leading "=" as a formula: none is in the file.
    with zipfile.ZipFile(path) as z:
        assert not any("<f>" in z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    deductions = wb["扣分问题"]
    header = [c.value for c in deductions[1]]
    assert header[:4] == ["序号", "单位编码", "单位", "网站"]
    assert deductions.max_row == 1 + 7


def test_docx_cells_are_inert(written: dict[str, Path]) -> None:
    text = docx_text(written["2026-W48-week.docx"].read_bytes())
    cells = [c.strip() for line in text.splitlines() for c in line.split(" | ")]
    for payload in FORMULAS:
        assert "'" + payload in cells, payload
    plain_number = re.compile(r"^[+-]?\d+(\.\d+)?%?$")
    assert not any(c.startswith(("=", "+", "-", "@")) and not plain_number.match(c) for c in cells)
    assert "青溪区教育局：'=HYPERLINK" in text


def test_docx_layout(written: dict[str, Path]) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    doc = Document(str(written["2026-W48-week.docx"]))
    title = doc.paragraphs[0]
    assert title.text == "关于2026年第48周全区政府网站监测情况的通报"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = title.runs[0]
    assert run.font.size.pt == 22
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    texts = [p.text for p in doc.paragraphs]
    for heading in ("一、总体情况", "二、存在的主要问题", "三、下一步工作要求", "附件1", "附件2"):
        assert heading in texts
    assert texts[1] == "各镇人民政府、街道办事处，区级各部门："
    assert "政务公开办公室" in texts and "2026年11月30日" in texts
    # a table per unit with problems in 附件1, then the two ranking tables, then the rectified ones
    assert len(doc.tables) == 4 + 2 + 1
    assert doc.tables[0].rows[0].cells[0].text == "序号"
    cell = doc.tables[0].rows[1].cells[1].paragraphs[0]
    assert cell.style.name == "表格文字" and cell.style.font.size.pt == 10.5
    assert cell.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    footer = doc.sections[0].footer.paragraphs[0]
    assert "PAGE" in footer._p.xml and footer.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_config_office_and_unknown_format(store: Store, tmp_path: Path) -> None:
    from govmon.errors import ConfigError

    config = MonitorConfig(office=Office(name="青溪区政务服务数据管理局", region="全区",
                                         addressees="各有关单位："))
    paths = write_notices(config, period="fortnight", as_of=NOTICE_AT[48], profile="national-2019",
                          formats=["json"], out_dir=tmp_path / "n", units=(), store=store)
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    assert paths[0].name == "2026-W47-W48-fortnight.json"
    assert data["office"] == "青溪区政务服务数据管理局" and data["addressees"] == "各有关单位："
    assert data["title"] == "关于2026年第47—48周全区政府网站监测情况的通报"
    # The fortnight before (W45–46) named W46's 4 problems: dead link b and the blank columns are
    # fixed by W48; dead link a and the footer (fixed in W47, back in W48) are not.
    assert data["summary"]["rectification"]["previous"] == 4
    assert data["summary"]["rectification"]["resolved"] == 2
    assert data["previous_period_id"] == "2026-W45-W46"
    with pytest.raises(ConfigError, match="pdf"):
        write_notices(None, period="week", as_of=NOTICE_AT[48], profile=None, formats=["pdf"],
                      out_dir=tmp_path / "n", units=(), store=store)


def test_history_is_kept(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "notices"
    first = {}
    for week in (46, 47, 48):
        for p in write_notices(None, period="week", as_of=NOTICE_AT[week], profile=None, formats=["json", "html"],
                               out_dir=out, units=(), store=store):
            first[p] = p.read_bytes()
    again = write_notices(None, period="week", as_of=NOTICE_AT[48], profile=None, formats=["json", "html"],
                          out_dir=out, units=(), store=store)
    assert [p.name for p in again] == ["2026-W48-week-r2.json", "2026-W48-week-r2.html"]
    assert all(p.read_bytes() == content for p, content in first.items())
    assert sorted(d.name for d in out.iterdir()) == ["2026-W46", "2026-W47", "2026-W48"]
    assert not [p for p in out.rglob(".tmp-*")]


def test_life_cycle_across_three_stored_weeks(store: Store, tmp_path: Path) -> None:
    rates = {}
    for week in (46, 47, 48):
        [path] = write_notices(None, period="week", as_of=NOTICE_AT[week], profile=None, formats=["json"],
                               out_dir=tmp_path, units=(), store=store)
        data = json.loads(path.read_text(encoding="utf-8"))
        rect = data["summary"]["rectification"]
        rates[week] = (rect["previous"], rect["resolved"], data["summary"]["new"], data["summary"]["persisting"],
                       len(data["resolved"]))
    # W46: nothing before; 4 problems (2 dead links, blank columns, footer), all new.
    assert rates[46] == (0, 0, 4, 0, 0)
    # W47: of those 4, dead link b and the footer are fixed; tags is new; a and the blank columns persist.
    assert rates[47] == (4, 2, 1, 2, 2)
    # W48: of W47's 3 (a, tags, blank), tags and blank are fixed; a persists; 7 new (footer back,
    # stale column, the health bureau's portal column, 3 hostile typos, availability veto).
    assert rates[48] == (3, 2, 7, 1, 2)


def test_store_is_opened_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/env.db"
    build_sample(url).close()
    monkeypatch.setenv("GOVMON_DATABASE_URL", url)
    paths = write_notices(None, period="week", as_of=NOTICE_AT[48], profile=None, formats=["json"],
                          out_dir=tmp_path / "o", units=())
    assert json.loads(paths[0].read_text(encoding="utf-8"))["summary"]["sites"] == 4


def test_cli_notice_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from govmon.cli import main

    url = f"sqlite:///{tmp_path}/cli.db"
    build_sample(url).close()
    monkeypatch.setenv("GOVMON_DATABASE_URL", url)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["notice", "--config", str(tmp_path / "absent.yaml"), "--as-of", "2026-11-30",
                                       "--format", "json,xlsx", "-o", str(out), "--unit", "0301"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(out / "2026-W48" / name) for name in (
        "2026-W48-week.json", "2026-W48-week.xlsx", "2026-W48-week-unit-0301.json", "2026-W48-week-unit-0301.xlsx")]


def test_empty_store_and_unscored_site(tmp_path: Path) -> None:
    """No data yet is a notice with zeros and dashes, in every format, not a crash."""
    with Store.open(f"sqlite:///{tmp_path}/e.db") as store:
        paths = write_notices(None, period="week", as_of=NOTICE_AT[48], profile=None, formats=ALL,
                              out_dir=tmp_path / "empty", units=("0101",), store=store)
        assert len(paths) == 8
        data = json.loads(paths[3].read_text(encoding="utf-8"))
        assert data["summary"]["sites"] == 0 and data["summary"]["average"] is None
        store.upsert_site(url="http://new.example.gov.cn/", name="新网站", unit_code="0101", level="department")
        paths = write_notices(None, period="week", as_of=NOTICE_AT[48], profile=None, formats=ALL,
                              out_dir=tmp_path / "one", units=(), store=store)
    data = json.loads(paths[3].read_text(encoding="utf-8"))
    assert (data["summary"]["sites"], data["summary"]["scored"]) == (1, 0)
    assert data["sites"][0]["rank"] is None
    assert "1个网站本期无监测数据" in docx_text(paths[1].read_bytes())
    assert "未评分" in html_text(paths[0].read_text(encoding="utf-8"))


def test_unknown_time_zone_is_a_config_error(store: Store, tmp_path: Path) -> None:
    from govmon.config import Schedule
    from govmon.errors import ConfigError

    config = MonitorConfig(schedule=Schedule(timezone="Mars/Olympus"))
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        write_notices(config, period="week", as_of=NOTICE_AT[48], profile=None, formats=["json"],
                      out_dir=tmp_path, units=(), store=store)


def test_notices_dir(tmp_path: Path) -> None:
    from govmon.config import Schedule
    from govmon.notices.build import notices_dir

    assert notices_dir(None) == Path(os.environ["GOVMON_HOME"]) / "notices"
    config = MonitorConfig(schedule=Schedule(notices_dir=str(tmp_path / "n")))
    assert notices_dir(config) == tmp_path / "n"
