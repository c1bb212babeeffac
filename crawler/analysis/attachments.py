"""Extract text from attachments (PDF, Word, Excel, CSV, text) within size, page, row, time bounds.

Leaked ID numbers are most often in attachments: a 低保 roster in .xls, a
公示 list in .docx or .pdf.  Attachments are untrusted input, so every format
is read with bounds (bytes, uncompressed zip size, pages, rows, characters and
a deadline checked between pages and rows) and every failure becomes an
``unknown_reason`` instead of an exception: a corrupt or huge attachment says
nothing about the site's privacy.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from xml.etree import ElementTree

from govmon.records import UnknownDetection, UnknownReason

log = logging.getLogger(__name__)

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachmentLimits:
    """Bounds on reading one attachment."""

    max_bytes: int = 10 * 1024 * 1024
    #: Total uncompressed size allowed inside a .docx/.xlsx (zip bombs).
    max_unzipped_bytes: int = 100 * 1024 * 1024
    max_pages: int = 200
    max_rows: int = 50_000
    max_chars: int = 5_000_000
    seconds: float = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachmentText:
    """What could be read of an attachment.

    ``unknown_reason`` is None when the whole attachment was read.  When it is
    set, ``text`` holds what was read before the bound was hit (possibly
    nothing) and ``detail`` says which bound or error.
    """

    filename: str
    #: The extracted text holds any personal numbers in full: kept out of repr
    #: so that logging the record never leaks them; never store or log it.
    text: str = field(default="", repr=False)
    unknown_reason: UnknownReason | None = None
    detail: str = ""
    pages: int | None = None

    @property
    def complete(self) -> bool:
        return self.unknown_reason is None

    def unknown(self, url: str) -> UnknownDetection | None:
        """The ``unknown`` detection for an attachment that could not be fully read."""
        if self.unknown_reason is None:
            return None
        return UnknownDetection(
            url=url, reason=self.unknown_reason, detail=f"attachment {self.filename}: {self.detail}"
        )


class _Stop(Exception):
    """A bound was hit; carries what was read so far."""

    def __init__(self, reason: UnknownReason, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _Budget:
    def __init__(self, limits: AttachmentLimits, clock: Clock):
        self.limits = limits
        self.clock = clock
        self.deadline = clock() + limits.seconds
        self.chars = 0

    def tick(self) -> None:
        if self.clock() > self.deadline:
            raise _Stop(UnknownReason.TIMEOUT, f"timeout: more than {self.limits.seconds:g} s")

    def remaining(self) -> float:
        return max(0.0, self.deadline - self.clock())

    def add(self, parts: list[str], text: str) -> None:
        self.chars += len(text)
        if self.chars > self.limits.max_chars:
            raise _Stop(
                UnknownReason.LIMIT, f"too much text: more than {self.limits.max_chars} characters"
            )
        parts.append(text)


# --------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _kind(data: bytes, filename: str, content_type: str | None) -> str:
    """The format to read, from magic bytes first, then the extension, then the type."""
    ext = PurePosixPath(filename.lower().split("?")[0]).suffix.lstrip(".")
    ctype = (content_type or "").split(";")[0].strip().lower()
    if data.startswith(b"%PDF") or ext == "pdf" or ctype == "application/pdf":
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if ext in ("xlsx", "xlsm", "et") or "spreadsheet" in ctype:
            return "xlsx"
        if ext in ("docx", "doc", "wps") or "wordprocessing" in ctype:
            return "docx"
        return ext or "zip"
    if data.startswith(_OLE):
        if ext in ("xls", "et") or "excel" in ctype:
            return "xls"
        return "doc"
    if data.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    head = data[:2048].lower()
    if ext in ("doc", "wps", "xls") and (b"<html" in head or b"mime-version" in head):
        return "html"  # Word/Excel "documents" that are HTML or MHT saved with a .doc name
    if ext in ("csv", "txt", "xlsx", "docx", "xls", "doc", "wps"):
        return ext
    if ctype in ("text/csv",):
        return "csv"
    if ctype.startswith("text/plain"):
        return "txt"
    return ext or ctype or "unknown"


def decode_text(data: bytes) -> str:
    """Decode a Chinese text file: BOM, then UTF-8, then GB18030 (a superset of GBK/GB2312)."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _pdf(data: bytes, budget: _Budget, parts: list[str]) -> int:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:
                raise _Stop(UnknownReason.UNSUPPORTED, "encrypted PDF") from exc
        pages = len(reader.pages)
        for i in range(min(pages, budget.limits.max_pages)):
            budget.tick()
            try:
                budget.add(parts, (reader.pages[i].extract_text() or "") + "\n")
            except FileNotDecryptedError as exc:
                raise _Stop(UnknownReason.UNSUPPORTED, "encrypted PDF") from exc
        if pages > budget.limits.max_pages:
            raise _Stop(
                UnknownReason.LIMIT,
                f"too many pages: {pages} > {budget.limits.max_pages} (first pages read)",
            )
    return pages


def _check_zip(data: bytes, budget: _Budget) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    total = sum(info.file_size for info in archive.infolist())
    if total > budget.limits.max_unzipped_bytes:
        raise _Stop(
            UnknownReason.LIMIT,
            f"too big unzipped: {total} bytes > {budget.limits.max_unzipped_bytes}",
        )
    return archive


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(data: bytes, budget: _Budget, parts: list[str]) -> None:
    archive = _check_zip(data, budget)
    names = [
        n
        for n in archive.namelist()
        if n == "word/document.xml"
        or n.startswith(("word/header", "word/footer"))
        or n in ("word/footnotes.xml", "word/endnotes.xml")
    ]
    if "word/document.xml" not in names:
        raise _Stop(UnknownReason.ERROR, "corrupt: no word/document.xml")
    for name in names:
        with archive.open(name) as stream:
            line: list[str] = []
            in_cell = 0
            for n, (event, elem) in enumerate(
                ElementTree.iterparse(stream, events=("start", "end"))
            ):
                if n % 2000 == 0:
                    budget.tick()
                tag = elem.tag
                if event == "start":
                    if tag == f"{_W}tc":
                        in_cell += 1
                    continue
                if tag == f"{_W}t" and elem.text:
                    line.append(elem.text)
                elif tag == f"{_W}tab":
                    line.append("\t")
                elif tag in (f"{_W}br", f"{_W}cr"):
                    line.append(" " if in_cell else "\n")
                elif tag == f"{_W}tc":
                    in_cell -= 1
                    if line and line[-1] == " ":
                        line.pop()
                    line.append("\t")
                elif tag == f"{_W}p" and in_cell:
                    line.append(" ")
                elif tag in (f"{_W}p", f"{_W}tr"):
                    budget.add(parts, "".join(line).rstrip("\t ") + "\n")
                    line = []
                    elem.clear()
            if line:
                budget.add(parts, "".join(line) + "\n")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e20:
        # Excel stores long numbers as floats; ID numbers typed as numbers lose
        # their last digits anyway, but do not add a spurious ".0".
        return str(int(value))
    return str(value)


def _rows_out(
    rows: Iterator[tuple[object, ...]], budget: _Budget, parts: list[str], count: list[int]
) -> None:
    """Rows as tab-separated lines; empty rows skipped (a sheet may claim a million of them)
    but still under the deadline, non-empty ones counted against ``max_rows``."""
    for seen, row in enumerate(rows, start=1):
        if seen % 200 == 0:
            budget.tick()
        line = "\t".join(_cell(v) for v in row).rstrip("\t")
        if not line.strip():
            continue
        count[0] += 1
        if count[0] > budget.limits.max_rows:
            raise _Stop(
                UnknownReason.LIMIT,
                f"too many rows: more than {budget.limits.max_rows} (first rows read)",
            )
        budget.add(parts, line + "\n")


def _xlsx(data: bytes, budget: _Budget, parts: list[str]) -> None:
    from openpyxl import load_workbook

    _check_zip(data, budget)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        count = [0]
        for sheet in book.worksheets:
            budget.tick()
            budget.add(parts, f"# {sheet.title}\n")
            _rows_out(sheet.iter_rows(values_only=True), budget, parts, count)
    finally:
        book.close()


def _xls(data: bytes, budget: _Budget, parts: list[str]) -> None:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    try:
        count = [0]
        for index in range(book.nsheets):
            budget.tick()
            sheet = book.sheet_by_index(index)
            budget.add(parts, f"# {sheet.name}\n")
            rows = (tuple(sheet.row_values(r)) for r in range(sheet.nrows))
            _rows_out(rows, budget, parts, count)
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _csv(data: bytes, budget: _Budget, parts: list[str]) -> None:
    text = decode_text(data)
    rows = (tuple(r) for r in csv.reader(io.StringIO(text, newline="")))
    _rows_out(rows, budget, parts, [0])


def _txt(data: bytes, budget: _Budget, parts: list[str]) -> None:
    budget.add(parts, decode_text(data))


def _html(data: bytes, budget: _Budget, parts: list[str]) -> None:
    from selectolax.lexbor import LexborHTMLParser

    from crawler.analysis.page import visible_text

    text = decode_text(data)
    if "quoted-printable" in text[:4096].lower():
        import quopri

        text = decode_text(quopri.decodestring(data))
    tree = LexborHTMLParser(text)
    for row in tree.css("tr"):
        cells = [c for c in row.iter() if c.tag in ("td", "th")]
        if cells:
            row.replace_with("\t".join(visible_text(c).strip() for c in cells) + "\n")
    budget.add(parts, visible_text(tree.body or tree.root))


_RTF_HEX = re.compile(rb"\\'([0-9a-fA-F]{2})")
_RTF_UNICODE = re.compile(rb"\\u(-?\d+) ?(?:\?|(?:\\'[0-9a-fA-F]{2}){1,2})?")
_RTF_GROUPS = re.compile(
    rb"\{\\\*[^{}]*\}|\{\\(?:fonttbl|colortbl|stylesheet|info)[^{}]*(?:\{[^{}]*\}[^{}]*)*\}"
)
_RTF_CONTROL = re.compile(rb"\\[a-zA-Z]+-?\d* ?|[{}]")


def _rtf(data: bytes, budget: _Budget, parts: list[str]) -> None:
    """Crude RTF to text: enough to see numbers and words, not layout."""
    body = _RTF_GROUPS.sub(b"", data)
    body = re.sub(rb"\\(?:par|line|row)\b ?", b"\n", body)
    body = re.sub(rb"\\cell\b ?", b"\t", body)
    body = _RTF_UNICODE.sub(
        lambda m: chr(int(m.group(1)) % 65536).encode("gb18030", "replace"), body
    )
    body = _RTF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), body)
    body = _RTF_CONTROL.sub(b"", body)
    budget.add(parts, body.decode("gb18030", errors="replace"))


def _word_binary(data: bytes, budget: _Budget, parts: list[str], filename: str) -> None:
    """Old .doc/.wps through catdoc (better at Chinese) or antiword, when installed."""
    candidates = [
        (shutil.which("catdoc"), ["-d", "utf-8", "-w"]),
        (shutil.which("antiword"), ["-m", "UTF-8.txt", "-w", "0"]),
    ]
    tools = [(t, args) for t, args in candidates if t]
    if not tools:
        raise _Stop(
            UnknownReason.UNSUPPORTED, "unsupported: neither catdoc nor antiword is installed"
        )
    with tempfile.TemporaryDirectory(prefix="govmon-att-") as tmp:
        path = os.path.join(tmp, "attachment" + (PurePosixPath(filename).suffix or ".doc"))
        with open(path, "wb") as fh:
            fh.write(data)
        last = ""
        for tool, args in tools:
            budget.tick()
            try:
                proc = subprocess.run(
                    [tool, *args, path],
                    capture_output=True,
                    timeout=max(budget.remaining(), 0.1),
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise _Stop(UnknownReason.TIMEOUT, f"timeout: {os.path.basename(tool)}") from exc
            if proc.returncode == 0 and proc.stdout.strip():
                budget.add(parts, proc.stdout.decode("utf-8", errors="replace"))
                return
            last = f"{os.path.basename(tool)} exit {proc.returncode}"
        raise _Stop(UnknownReason.ERROR, f"corrupt or unreadable Word file ({last})")


_READERS: dict[str, Callable[[bytes, _Budget, list[str]], object]] = {
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "xls": _xls,
    "csv": _csv,
    "txt": _txt,
    "html": _html,
    "rtf": _rtf,
}

#: Extensions this module reads (the lead's crawler fetches these as attachments).
SUPPORTED_EXTENSIONS = ("pdf", "docx", "xlsx", "xls", "csv", "txt", "doc", "wps", "et")


def extract_text(
    data: bytes,
    *,
    filename: str,
    content_type: str | None,
    limits: AttachmentLimits | None = None,
    clock: Clock = time.monotonic,
) -> AttachmentText:
    """The text of an attachment, or why it could not (all) be read; never raises on bad input.

    Rows of spreadsheets become tab-separated lines (one ``# sheet`` line per
    sheet), Word table cells tab-separated, PDF pages newline-separated.
    ``clock`` is injectable so tests can run out the deadline without waiting.
    """
    limits = limits or AttachmentLimits()
    name = PurePosixPath(filename).name or filename
    if len(data) > limits.max_bytes:
        return AttachmentText(
            filename=name,
            unknown_reason=UnknownReason.LIMIT,
            detail=f"too big: {len(data)} bytes > {limits.max_bytes}",
        )
    kind = _kind(data, name, content_type)
    budget = _Budget(limits, clock)
    parts: list[str] = []
    pages: int | None = None
    try:
        if kind in ("doc", "wps"):
            _word_binary(data, budget, parts, name)
        elif kind in _READERS:
            result = _READERS[kind](data, budget, parts)
            pages = result if isinstance(result, int) else None
        else:
            return AttachmentText(
                filename=name,
                unknown_reason=UnknownReason.UNSUPPORTED,
                detail=f"unsupported: {kind}",
            )
    except _Stop as stop:
        log.info("attachment %s not fully read: %s", name, stop.detail)
        return AttachmentText(
            filename=name,
            text="".join(parts),
            unknown_reason=stop.reason,
            detail=stop.detail,
            pages=pages,
        )
    except Exception as exc:  # any parser failure on untrusted bytes is "corrupt", not a crash
        detail = f"corrupt {kind}: {type(exc).__name__}"
        log.info("attachment %s unreadable: %s", name, detail)
        return AttachmentText(
            filename=name, text="".join(parts), unknown_reason=UnknownReason.ERROR, detail=detail
        )
    return AttachmentText(filename=name, text="".join(parts), pages=pages)
