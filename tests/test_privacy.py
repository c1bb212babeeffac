"""Privacy leaks: real-looking numbers are found, masked and digested; look-alikes are not."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crawler.analysis.page import ParsedPage
from crawler.analysis.privacy import (
    _ID_WORDS,
    _NOT_PERSONAL,
    _label,
    digest,
    find_privacy,
    find_privacy_in_attachment,
    find_privacy_in_page,
    id_check_char,
    is_bank_card,
    is_legacy_id,
    is_person_name,
    is_resident_id,
    luhn_ok,
    mask_text,
)
from govmon.records import PrivacyType, dumps

TODAY = date(2026, 11, 25)
URL = "http://www.example.gov.cn/art/2026/11/1.html"


def make_id(first17: str) -> str:
    return first17 + id_check_char(first17)


def make_card(prefix: str, length: int) -> str:
    body = prefix + ("2718281828459045" * 2)[: length - len(prefix) - 1]
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("unreachable")


ID = make_id("51070319900307123")
ID_X = next(
    make_id(f"11010519850215{n:03d}"[:17])
    for n in range(1000)
    if id_check_char(f"11010519850215{n:03d}"[:17]) == "X"
)
CARD = make_card("622202", 19)


def test_check_digit_reference_values() -> None:
    # GB 11643's published example.
    assert id_check_char("11010519491231002") == "X"
    assert is_resident_id("11010519491231002X", today=TODAY)
    assert not is_resident_id("110105194912310021", today=TODAY)


@pytest.mark.parametrize(
    "number, ok",
    [
        (ID, True),
        (ID_X, True),
        (ID_X.lower(), True),
        (make_id("99070319900307123"), False),  # no such province
        (make_id("51070319901307123"), False),  # month 13
        (make_id("51070318990307123"), False),  # born before 1900
        (make_id("51070320270307123"), False),  # born in the future
        (ID[:-1] + str((int(ID[-1]) + 1) % 10) if ID[-1] != "X" else ID[:-1] + "0", False),
    ],
    ids=["valid", "check-x", "check-x-lower", "region", "month", "1899", "future", "bad-check"],
)
def test_resident_id_rules(number: str, ok: bool) -> None:
    assert is_resident_id(number, today=TODAY) is ok


def test_legacy_and_cards() -> None:
    assert is_legacy_id("510703900307123", today=TODAY)
    assert not is_legacy_id("510703901307123", today=TODAY)
    assert is_bank_card(CARD)
    assert is_bank_card(make_card("4", 16))
    assert not is_bank_card(make_card("4", 18))  # Visa is 16 digits here
    assert not is_bank_card(make_card("7", 16))  # unknown issuer
    assert not is_bank_card(CARD[:-1] + str((int(CARD[-1]) + 1) % 10))  # Luhn fails


def test_id_in_text_is_found_masked_and_digested() -> None:
    text = f"2026年城乡低保名单：张三，身份证号{ID}，家住某村。"
    [det] = find_privacy(text, url=URL, today=TODAY)
    assert det.type is PrivacyType.ID_CARD
    assert det.excerpt == ID[:6] + "********" + ID[-4:]
    assert det.digest == digest(ID) and len(det.digest) == 16
    assert not det.possible and det.attachment is None
    assert "张三" in det.context and ID not in det.context
    assert ID not in repr(det) and ID not in dumps(det)


def test_digest_follows_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    first = digest(ID)
    monkeypatch.setenv("GOVMON_PRIVACY_KEY", "another key")
    assert digest(ID) != first
    assert digest(ID_X.lower()) == digest(ID_X)


def test_x_check_digit_and_fullwidth_digits() -> None:
    full = ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    found = find_privacy(f"身份证：{ID_X}；另一人：{full}", url=URL, today=TODAY)
    assert [d.excerpt for d in found] == [
        ID_X[:6] + "********" + ID_X[-4:],
        ID[:6] + "********" + ID[-4:],
    ]


def test_same_number_twice_is_one_detection() -> None:
    assert len(find_privacy(f"{ID} 与 {ID}", url=URL, today=TODAY)) == 1


@pytest.mark.parametrize(
    "text",
    [
        f"{ID[:6]}********{ID[-4:]}",  # masked
        "138****5678",
        f"9{ID}",  # inside a longer run
        f"{ID}7",
        f"订单号：{ID}",
        f"统一社会信用代码：{ID}",
        f"http://www.example.gov.cn/doc/{ID}.html",
        f"file_{ID}",
        f"0.{ID}",
        "川府发〔2026〕12号",
        "联系电话：0816-1234567，服务热线12345，传真0816-2345678",
        "网站标识码5107000001 蜀ICP备05012345号 川公网安备51070302000123号",
        "510703900307123",  # a legacy ID without a keyword or people context
        f"流水号{CARD}",
        CARD,  # a card number with no card word nearby
        "联系人：王五 13812345678",  # a mobile outside a list of people
    ],
    ids=[
        "masked-id",
        "masked-mobile",
        "longer-run-before",
        "longer-run-after",
        "order",
        "credit-code",
        "url",
        "identifier",
        "decimal",
        "doc-number",
        "office-phones",
        "site-codes",
        "legacy-bare",
        "serial-card",
        "bare-card",
        "single-contact",
    ],
)
def test_look_alikes_are_not_reported(text: str) -> None:
    assert find_privacy(text, url=URL, today=TODAY) == []


def test_cards_with_a_card_word_or_people_context() -> None:
    [det] = find_privacy(f"银行卡号：{CARD}", url=URL, today=TODAY)
    assert det.type is PrivacyType.BANK_CARD and det.excerpt == CARD[:6] + "*" * 9 + CARD[-4:]
    grouped = " ".join(CARD[i : i + 4] for i in range(0, 19, 4))
    [det] = find_privacy(f"账号 {grouped}", url=URL, today=TODAY)
    assert det.digest == digest(CARD)
    assert (
        find_privacy(CARD, url=URL, people_context=True, today=TODAY)[0].type
        is PrivacyType.BANK_CARD
    )


def test_legacy_id_with_keyword() -> None:
    [det] = find_privacy("身份证号码：510703900307123", url=URL, today=TODAY)
    assert det.type is PrivacyType.ID_CARD and det.excerpt == "510703*****7123"


def test_mobiles_only_in_people_context() -> None:
    text = "姓名\t联系电话\n张三\t13812345678\n李四\t13987654321"
    assert find_privacy(text, url=URL, today=TODAY) == []
    found = find_privacy_in_attachment(text, url=URL, attachment="名单.xlsx", today=TODAY)
    assert [d.excerpt for d in found] == ["138****5678", "139****4321"]
    assert all(d.possible and d.attachment == "名单.xlsx" for d in found)


def test_person_names() -> None:
    assert is_person_name("张三") and is_person_name("欧阳娜娜") and is_person_name(" 李小明 ")
    assert not is_person_name("办公室") and not is_person_name("张家村委")
    assert not is_person_name("联系电话") and not is_person_name("Zhang")


def test_page_table_of_people_reports_mobiles_as_possible() -> None:
    html = f"""<html><body>
    <h1>2026年临时救助对象公示</h1>
    <table><tr><th>序号</th><th>姓名</th><th>身份证号</th><th>联系电话</th></tr>
    <tr><td>1</td><td>张三</td><td>{ID}</td><td>13812345678</td></tr>
    <tr><td>2</td><td>李四</td><td>{ID[:6]}********{ID[-4:]}</td><td>139****4321</td></tr></table>
    <table><tr><th>科室</th><th>电话</th></tr>
    <tr><td>办公室</td><td>0816-1234567</td></tr><tr><td>值班室</td><td>13700001111</td></tr></table>
    <script>var secret = "{make_id("11010519800101001")}";</script>
    </body></html>"""
    found = find_privacy_in_page(ParsedPage.parse(URL, html), today=TODAY)
    assert sorted((d.type.value, d.excerpt, d.possible) for d in found) == [
        ("id_card", ID[:6] + "********" + ID[-4:], False),
        ("mobile", "138****5678", True),
    ]


def test_page_list_of_people() -> None:
    html = """<ul><li>张三 13812345678</li><li>李四 13987654321</li></ul>
    <ul><li>咨询电话 13700001111</li></ul><p>联系人：王五，13600002222</p>"""
    found = find_privacy_in_page(ParsedPage.parse(URL, html), today=TODAY)
    assert sorted(d.excerpt for d in found) == ["138****5678", "139****4321"]


def test_page_gate_passes_grouped_cards_and_skips_footer_numbers() -> None:
    """A card written in groups of four is found on a page with no other long
    number (the old gate, a run of 11 digits, skipped such a page); a footer's
    14-digit 公网安备 number and 10-digit site code alone are no candidate."""
    footer = "网站标识码：5107030001 川公网安备 51070302000123号"
    grouped = " ".join(CARD[i:i + 4] for i in range(0, 16, 4)) + " " + CARD[16:]
    html = f"<p>退款账户 银行卡号：{grouped}</p><p>网站标识码：5107030001</p>"
    found = find_privacy_in_page(ParsedPage.parse(URL, html), today=TODAY)
    assert [d.type.value for d in found] == ["bank_card"]
    assert find_privacy_in_page(ParsedPage.parse(URL, f"<p>{footer}</p>"), today=TODAY) == []
    assert find_privacy(footer, url=URL, today=TODAY) == []  # what the gate saves is a scan


def test_context_masks_neighbouring_numbers() -> None:
    other = make_id("11010519800101001")
    masked = mask_text(f"a {other} b 13812345678 c")
    assert other not in masked and "13812345678" not in masked


# --------------------------------------------------------------------------
# False positives: the real corpus and generated look-alike pages
# --------------------------------------------------------------------------


def test_no_findings_on_the_real_corpus(corpus_dir: Path) -> None:
    pages = [p for p in corpus_dir.rglob("*") if p.is_file() and p.suffix in (".html", ".jsp")]
    assert len(pages) >= 10
    for path in pages:
        page = ParsedPage.parse("http://corpus.example.gov.cn/", path.read_text(encoding="utf-8"))
        found = find_privacy_in_page(page, today=TODAY)
        # Report only the count and file name: never print a number.
        assert not found, f"{len(found)} privacy finding(s) in {path.name}"


LENGTHS = [12, 14, 15, 16, 17, 18, 19, 20, 22]


def _lookalike_page(rng: random.Random) -> str:
    year = rng.randint(2000, 2026)
    rows = []
    for i in range(40):
        rows.append(
            f"<tr><td>{i + 1}</td><td>川府办发〔{year}〕{rng.randint(1, 200)}号</td>"
            f"<td>{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}</td>"
            f"<td>0816-{rng.randint(1000000, 9999999)}</td>"
            f"<td>订单号{rng.randint(10**17, 10**18 - 1)}</td>"
            f"<td>流水号{rng.randint(10**15, 10**19 - 1)}</td>"
            f"<td>{''.join(rng.choice('0123456789') for _ in range(rng.choice(LENGTHS)))}</td>"
            f"<td>{rng.randint(10**17, 10**18 - 1)}{rng.randint(1, 9)}</td>"
            f"<td>{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            f"{rng.randint(10**9, 10**10 - 1)}</td>"
            f"<td>12345 | 12315 | 400-810-{rng.randint(1000, 9999)}</td></tr>"
        )
    return (
        "<html><body><h1>政务公开</h1><table><tr><th>序号</th><th>文号</th><th>日期</th>"
        "<th>电话</th><th>订单</th><th>流水</th><th>编码</th><th>长号</th><th>批次</th><th>热线</th></tr>"
        + "".join(rows)
        + "</table></body></html>"
    )


def test_no_findings_on_generated_lookalike_pages() -> None:
    rng = random.Random(20261125)
    for n in range(50):
        page = ParsedPage.parse(f"http://gen.example.gov.cn/{n}.html", _lookalike_page(rng))
        found = find_privacy_in_page(page, today=TODAY)
        assert not found, f"{len(found)} finding(s) on generated page {n}"


# --------------------------------------------------------------------------
# No full number escapes: fields, reprs, JSON, logs
# --------------------------------------------------------------------------


def test_no_full_number_escapes_any_detector(caplog: pytest.LogCaptureFixture) -> None:
    import io
    import json
    import logging

    from openpyxl import Workbook

    from crawler.analysis.attachments import AttachmentLimits, extract_text
    from crawler.analysis.hidden import find_hidden_links, load_spam
    from crawler.analysis.wording import find_wording, load_dictionary
    from govmon.records import to_dict

    ids = [make_id("11010519491231002"), ID, ID_X, make_id("44030619881212456")]
    cards = [CARD, make_card("4", 16), make_card("5412", 16)]
    mobiles = ["13812345678", "15900001111"]
    secrets = ids + cards + mobiles
    caplog.set_level(logging.DEBUG)
    grouped = " ".join(cards[2][i : i + 4] for i in range(0, 16, 4))

    html = f"""<html><head><title>救助对象公示</title></head><body>
    <p>按装公示：身份证号{ids[0]}，银行卡号{cards[0]}，原国土资源部文件。</p>
    <p>截止目前，{ids[1]}再接再励{ids[2]}</p>
    <table><tr><th>姓名</th><th>身份证号</th><th>银行账号</th><th>电话</th></tr>
    <tr><td>张三</td><td>{ids[3]}</td><td>{cards[1]}</td><td>{mobiles[0]}</td></tr>
    <tr><td>李四</td><td>{ids[0]}</td><td>账号 {grouped}</td><td>{mobiles[1]}</td></tr></table>
    <div style="display:none"><a href="http://spam.example/">百家乐 {ids[1]}</a></div>
    </body></html>"""
    page = ParsedPage.parse(URL, html)
    detections: list[object] = []
    detections += find_privacy_in_page(page, today=TODAY)
    detections += find_hidden_links(
        page, site_hosts=frozenset({"www.example.gov.cn"}), spam=load_spam()
    )
    detections += find_wording(
        page.body_text, url=URL, pub_date=TODAY, dictionary=load_dictionary()
    )

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "银行卡号", "联系电话"])
    for i, number in enumerate(ids):
        sheet.append([f"王{i}", number, cards[i % 3], mobiles[i % 2]])
    out = io.BytesIO()
    book.save(out)
    good = extract_text(
        out.getvalue(), filename="名单.xlsx", content_type=None, limits=AttachmentLimits()
    )
    detections += find_privacy_in_attachment(
        good.text, url=URL, attachment=good.filename, today=TODAY
    )
    detections += find_wording(
        good.text, url=URL, pub_date=TODAY, dictionary=load_dictionary(), attachment=good.filename
    )
    # Corrupt and oversize attachments full of numbers: their reasons must not quote content.
    junk = ("\n".join(secrets)).encode()
    bad = [
        extract_text(b"PK\x03\x04" + junk, filename="坏.xlsx", content_type=None),
        extract_text(b"%PDF-1.4\n" + junk, filename="坏.pdf", content_type=None),
        extract_text(
            junk * 10, filename="大.pdf", content_type=None, limits=AttachmentLimits(max_bytes=100)
        ),
    ]
    unknowns = [b.unknown(URL) for b in bad]

    kinds = {type(d).__name__ for d in detections}
    assert {"PrivacyDetection", "HiddenLinkDetection", "WordingDetection"} <= kinds
    privacy = [d for d in detections if type(d).__name__ == "PrivacyDetection"]
    assert {d.digest for d in privacy} >= {digest(n) for n in ids + cards + mobiles}  # type: ignore[attr-defined]
    assert all(u is not None for u in unknowns)

    haystack = "\n".join(
        [caplog.text]
        + [repr(d) for d in detections]
        + [json.dumps(to_dict(d), ensure_ascii=False) for d in detections]
        + [repr(b) for b in bad[:2]]
        + [b.detail for b in bad]
        + [json.dumps(to_dict(u), ensure_ascii=False) for u in unknowns if u is not None]
    ).replace(" ", "")
    leaked = [n for n in secrets if n in haystack or n.lower() in haystack]
    # Name how many leaked, never which: the assertion message must not leak either.
    assert len(leaked) == 0, f"{len(leaked)} full number(s) escaped into fields, JSON or logs"


def test_grouped_card_right_after_a_hanzi() -> None:
    grouped = " ".join(CARD[i : i + 4] for i in range(0, 19, 4))
    [det] = find_privacy(f"银行卡号{grouped}。", url=URL, today=TODAY)
    assert det.type is PrivacyType.BANK_CARD


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------


_PROVINCES = sorted(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)
_FILLER = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from(list("，。、：；（）\u3000 \n\t")),
    ),
    max_size=30,
)


@st.composite
def _valid_ids(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(_PROVINCES))
    rest = draw(st.integers(0, 9999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    seq = draw(st.integers(0, 999))
    return make_id(f"{province:02d}{rest:04d}{born:%Y%m%d}{seq:03d}")


@settings(max_examples=200, deadline=None)
@given(number=_valid_ids(), before=_FILLER, after=_FILLER)
def test_any_valid_id_in_any_chinese_text_is_found_masked(
    number: str, before: str, after: str
) -> None:
    # ...unless the random words right before it happen to label it as something
    # else (…备案, …编号: a registration number, by design not personal data)
    label = _label(before + number, len(before))
    assume(not _NOT_PERSONAL.search(label) or _ID_WORDS.search(label))
    found = find_privacy(f"{before}{number}{after}", url=URL, today=TODAY)
    assert [d.digest for d in found] == [digest(number)]
    assert found[0].excerpt == number[:6] + "*" * 8 + number[-4:]
    assert number not in dumps(found[0])


@settings(max_examples=200, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=20, max_size=40), before=_FILLER)
def test_long_digit_runs_are_never_numbers(digits: str, before: str) -> None:
    # Runs longer than any personal number are codes, whatever digits they hold.
    assert find_privacy(f"{before}{digits}", url=URL, today=TODAY, people_context=True) == []


def test_only_the_label_right_before_a_number_counts() -> None:
    # An order number in the previous cell does not make the next cell's ID an order number.
    [det] = find_privacy(f"订单号20261125\t{ID}", url=URL, today=TODAY)
    assert det.type is PrivacyType.ID_CARD
    assert find_privacy(f"张三 订单号：{ID}", url=URL, today=TODAY) == []
