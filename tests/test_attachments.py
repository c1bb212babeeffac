"""Attachment text extraction: every format built here, leaks found, bad files bounded."""

from __future__ import annotations

import csv
import io
import itertools
import shutil
import struct
import zipfile
from datetime import date

import docx
import pytest
from openpyxl import Workbook
from pypdf import PdfWriter

from crawler.analysis import attachments
from crawler.analysis.attachments import AttachmentLimits, extract_text
from crawler.analysis.privacy import find_privacy, find_privacy_in_attachment, id_check_char
from govmon.records import PrivacyType, UnknownReason

TODAY = date(2026, 11, 25)
URL = "http://www.example.gov.cn/art/2026/11/2.html"
ID = "11010519491231002X"  # GB 11643's own example: valid check digit
ID2 = "51070319900307123" + id_check_char("51070319900307123")
HEADER = ("序号", "姓名", "身份证号", "救助类别", "联系电话")
ROWS = [
    ("1", "张三", ID, "城乡低保", "13812345678"),
    ("2", "李四", ID2, "特困供养", "13987654321"),
]
MASKED_ROWS = [
    ("1", "张三", ID[:6] + "********" + ID[-4:], "城乡低保", "138****5678"),
]


def roster(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [HEADER, *rows]


# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------


def build_xlsx(rows: list[tuple[str, ...]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "低保名单"
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_docx(rows: list[tuple[str, ...]]) -> bytes:
    document = docx.Document()
    document.add_paragraph("关于2026年第四季度救助对象的公示")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("公示期：7天。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text uses a Type0 font with a ToUnicode map (CID = code point)."""
    chars = sorted({ch for line in lines for ch in line})
    content = (
        "BT /F1 10 Tf\n"
        + "".join(
            f"1 0 0 1 40 {800 - 14 * i} Tm <{''.join(f'{ord(ch):04X}' for ch in line)}> Tj\n"
            for i, line in enumerate(lines)
        )
        + "ET"
    )
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange <0000> <FFFF> "
        f"endcodespacerange {len(chars)} beginbfchar "
        + " ".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chars)
        + " endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(content.encode())} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        "/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _record(rtype: int, data: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def _biff_string(text: str, lenlen: int) -> bytes:
    encoded = text.encode("utf-16-le")
    size = struct.pack("<H" if lenlen == 2 else "<B", len(text))
    return size + b"\x01" + encoded


def build_xls(rows: list[tuple[str, ...]], sheet_name: str = "名单") -> bytes:
    """A minimal BIFF8 workbook (BOF, BOUNDSHEET, LABEL cells) in an OLE2 container.

    xlwt is not available, so the file is written by hand: one Workbook stream,
    padded past 4096 bytes so that it lives in regular sectors (no mini stream).
    """
    bof = lambda kind: _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))  # noqa: E731
    eof = _record(0x000A, b"")
    cells = b"".join(
        _record(0x0204, struct.pack("<HHH", r, c, 0) + _biff_string(value, 2))
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
    )
    dims = _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, max(len(r) for r in rows), 0))
    sheet = bof(0x0010) + dims + cells + eof
    boundsheet_len = 4 + 6 + len(_biff_string(sheet_name, 1))
    globals_len = len(bof(5)) + boundsheet_len + len(eof)
    boundsheet = _record(
        0x0085, struct.pack("<IBB", globals_len, 0, 0) + _biff_string(sheet_name, 1)
    )
    stream = bof(5) + boundsheet + eof + sheet
    stream += b"\0" * max(0, 4096 + 512 - len(stream))
    stream += b"\0" * (-len(stream) % 512)
    n_sectors = len(stream) // 512
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fat_sect, end] + [3 + i for i in range(n_sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", free, free, child)
            + b"\0" * 16
            + struct.pack("<I", 0)
            + b"\0" * 16
            + struct.pack("<III", start, size, 0)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 2, len(stream))
    directory += entry("", 0, free, 0, 0) * 2
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIII", 0, 1, 1, 0, 4096, end, 0, end)
        + struct.pack("<I", 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([free] * 108))
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + stream


def build_csv(rows: list[tuple[str, ...]], encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


BUILDERS = {
    "低保名单.xlsx": build_xlsx,
    "救助对象公示.docx": build_docx,
    "名单.xls": build_xls,
    "公示.pdf": lambda rows: build_pdf(["  ".join(r) for r in rows]),
    "名单.csv": lambda rows: build_csv(rows, "gbk"),
    "名单utf8.csv": lambda rows: build_csv(rows, "utf-8"),
    "名单.txt": lambda rows: "\n".join("\t".join(r) for r in rows).encode("gb18030"),
}


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


@pytest.mark.parametrize("filename", list(BUILDERS))
def test_roster_with_a_leak_is_found_and_names_the_attachment(filename: str) -> None:
    data = BUILDERS[filename](roster(ROWS))
    result = extract_text(data, filename=filename, content_type=None, limits=AttachmentLimits())
    assert result.complete, result.detail
    assert "张三" in result.text and "城乡低保" in result.text
    found = find_privacy_in_attachment(
        result.text, url=URL, attachment=result.filename, today=TODAY
    )
    ids = sorted(d.excerpt for d in found if d.type is PrivacyType.ID_CARD)
    assert ids == sorted([ID[:6] + "********" + ID[-4:], ID2[:6] + "********" + ID2[-4:]])
    mobiles = sorted(d.excerpt for d in found if d.type is PrivacyType.MOBILE)
    assert mobiles == ["138****5678", "139****4321"]
    assert all(d.attachment == filename and d.url == URL for d in found)
    assert all(d.possible for d in found if d.type is PrivacyType.MOBILE)


@pytest.mark.parametrize("filename", list(BUILDERS))
def test_masked_roster_has_no_leak(filename: str) -> None:
    data = BUILDERS[filename](roster(MASKED_ROWS))
    result = extract_text(data, filename=filename, content_type=None, limits=AttachmentLimits())
    assert result.complete and "张三" in result.text
    assert find_privacy_in_attachment(result.text, url=URL, attachment=filename, today=TODAY) == []


def test_rows_become_tab_separated_lines() -> None:
    text = extract_text(build_xlsx(roster(ROWS)), filename="a.xlsx", content_type=None).text
    assert text.splitlines()[:2] == ["# 低保名单", "\t".join(HEADER)]
    text = extract_text(build_docx(roster(ROWS)), filename="a.docx", content_type=None).text
    assert "\t".join(ROWS[0]) in text.splitlines()


def test_format_from_magic_bytes_and_content_type() -> None:
    # An xlsx served as "download.do" with a spreadsheet content type, a PDF with no extension.
    r = extract_text(
        build_xlsx(roster(ROWS)),
        filename="download.do",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert r.complete and ID in r.text
    r = extract_text(
        build_pdf(["公示"]), filename="getfile", content_type="application/octet-stream"
    )
    assert r.complete and "公示" in r.text


def test_html_and_rtf_saved_as_doc() -> None:
    html = (
        "<html><body><table><tr><td>张三</td><td>" + ID + "</td></tr></table></body></html>"
    ).encode("gbk")
    r = extract_text(html, filename="名单.doc", content_type="application/msword")
    assert r.complete and f"张三\t{ID}" in r.text
    rtf = (
        rb"{\rtf1\ansi\ansicpg936{\fonttbl{\f0 \'cb\'ce\'cc\'e5;}}\pard \'d5\'c5\'c8\'fd\cell "
        + ID.encode()
        + rb"\row}"
    )
    r = extract_text(rtf, filename="名单.doc", content_type=None)
    assert r.complete and "张三" in r.text and ID in r.text


def test_too_big_is_unknown_without_reading() -> None:
    r = extract_text(
        b"x" * 2048, filename="big.pdf", content_type=None, limits=AttachmentLimits(max_bytes=1024)
    )
    assert r.unknown_reason is UnknownReason.LIMIT and "too big" in r.detail and r.text == ""
    unknown = r.unknown(URL)
    assert (
        unknown is not None
        and unknown.reason is UnknownReason.LIMIT
        and "big.pdf" in unknown.detail
    )


def test_zip_bomb_is_bounded() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document/>" + " " * 200_000)
    r = extract_text(
        out.getvalue(),
        filename="bomb.docx",
        content_type=None,
        limits=AttachmentLimits(max_unzipped_bytes=100_000),
    )
    assert r.unknown_reason is UnknownReason.LIMIT and "unzipped" in r.detail


def test_too_many_pages_keeps_the_first_pages() -> None:
    writer = PdfWriter()
    for _ in range(5):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    r = extract_text(
        out.getvalue(), filename="long.pdf", content_type=None, limits=AttachmentLimits(max_pages=3)
    )
    assert r.unknown_reason is UnknownReason.LIMIT and "too many pages: 5 > 3" in r.detail


def test_too_many_rows_keeps_the_first_rows() -> None:
    rows = [HEADER, *[(str(i), "张三", "", "低保", "") for i in range(30)]]
    r = extract_text(
        build_xlsx(rows), filename="a.xlsx", content_type=None, limits=AttachmentLimits(max_rows=10)
    )
    assert r.unknown_reason is UnknownReason.LIMIT and "too many rows" in r.detail
    assert r.text.count("\n") == 1 + 10


def test_deadline_between_rows() -> None:
    ticks = itertools.count(step=10.0)
    rows = [HEADER, *[(str(i), "张三", "", "低保", "") for i in range(1000)]]
    r = extract_text(
        build_xlsx(rows),
        filename="slow.xlsx",
        content_type=None,
        limits=AttachmentLimits(seconds=25),
        clock=lambda: next(ticks),
    )
    assert r.unknown_reason is UnknownReason.TIMEOUT and "timeout" in r.detail


@pytest.mark.parametrize(
    "filename, data",
    [
        ("bad.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog garbage"),
        ("bad.docx", b"PK\x03\x04 not really a zip"),
        ("bad.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4),
        ("bad.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        ("empty.docx", b""),
    ],
    ids=["pdf", "docx", "xlsx", "xls", "empty"],
)
def test_corrupt_files_are_unknown_not_crashes(filename: str, data: bytes) -> None:
    r = extract_text(data, filename=filename, content_type=None)
    assert r.unknown_reason is UnknownReason.ERROR, r
    assert r.detail.startswith("corrupt")


def test_docx_without_document_part() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("other.xml", "<x/>")
    r = extract_text(out.getvalue(), filename="x.docx", content_type=None)
    assert r.unknown_reason is UnknownReason.ERROR


def test_unsupported_format() -> None:
    r = extract_text(b"\x89PNG\r\n", filename="scan.png", content_type="image/png")
    assert r.unknown_reason is UnknownReason.UNSUPPORTED


def test_doc_without_converters_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments.shutil, "which", lambda name: None)
    r = extract_text(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, filename="a.doc", content_type=None
    )
    assert r.unknown_reason is UnknownReason.UNSUPPORTED and "catdoc" in r.detail


@pytest.mark.skipif(
    not (shutil.which("catdoc") or shutil.which("antiword")),
    reason="needs catdoc or antiword (Debian packages catdoc, antiword)",
)
def test_corrupt_doc_with_converters_is_unknown() -> None:
    # A real .doc cannot be built without Word or LibreOffice; a broken one is checked instead.
    r = extract_text(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, filename="a.doc", content_type=None
    )
    assert r.unknown_reason is UnknownReason.ERROR and "corrupt" in r.detail


def test_gbk_csv_without_people_words_reports_no_mobiles() -> None:
    data = build_csv([("单位", "电话"), ("县政务服务中心", "13700001111")], "gbk")
    r = extract_text(data, filename="电话.csv", content_type="text/csv")
    assert "县政务服务中心" in r.text
    assert find_privacy_in_attachment(r.text, url=URL, attachment="电话.csv", today=TODAY) == []
    assert find_privacy(r.text, url=URL, people_context=True, today=TODAY)[0].possible
