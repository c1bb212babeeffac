"""Find published personal numbers (resident ID, bank card, mobile) in page and attachment text.

A leaked ID number on a government site is a public incident, but so is a false
alarm sent to a unit: every candidate must pass the number's own checks (MOD
11-2 check digit, birth date, province code; Luhn and a real card prefix) and
sit on its own (not inside a longer digit run, a URL or a document number).
Only a masked excerpt and a keyed digest ever leave this module: the full
number is never returned, logged or put in an exception message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborNode

from crawler.analysis.page import ParsedPage, squash
from govmon.records import PrivacyDetection, PrivacyType

log = logging.getLogger(__name__)

#: Environment variable holding the HMAC key of the digests.
KEY_ENV = "GOVMON_PRIVACY_KEY"
_DEFAULT_KEY = "govmon-privacy-digest-v1"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
#: First two digits of a resident ID: the province-level region codes (GB/T 2260).
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37}
    | {41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)

#: Full-width digits and X as ASCII (one character for one, so offsets survive).
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_HAS_FULLWIDTH = re.compile("[０-９Ｘｘ]")

#: A candidate: a maximal run of digits, optionally ending in X (ID check digit).
_RUN = re.compile(r"[0-9]+[Xx]?")
#: Bank cards are often written in groups of four.
_GROUPED_CARD = re.compile(
    r"(?<![0-9A-Za-z_])([0-9]{4}(?: [0-9]{4}){3}(?: ?[0-9]{1,3})?)(?![0-9A-Za-z_])"
)
#: Characters that glue a digit run into a longer token (URL, code, decimal).
_GLUE = frozenset(".-/_=%&?#:+@")

#: Words just before a number that say it is not a person's number.
_NOT_PERSONAL = re.compile(
    r"订单|单号|流水|序列号|序号|注册号|信用代码|社会信用|编码|条码|条形码|批号|批次|合同|发票|"
    r"票号|文号|证书编号|许可证|备案|标识码|邮编|代码|项目编号|标段|招标编号|采购编号|编号|"
    r"识别号|税号|登记号|档案号|车架号|案号|IMEI|ISBN|No\.?|NO\.?",
)
#: Words before a number that say it *is* a personal ID.
_ID_WORDS = re.compile(r"身份证|证件号|公民身份|身份号|身份证明|证号")
#: Words that say a number is a bank card or account.
_CARD_WORDS = re.compile(
    r"卡号|银行卡|银行账|银行帐|账号|帐号|开户|存折|一卡通|社保卡|折号|收款账户|账户"
)

_MOBILE = re.compile(r"1[3-9]\d{9}")

#: Common single-character surnames (the 100 most frequent plus a few).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇"
    "桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "尉迟",
    "长孙",
    "夏侯",
)
#: Words that make a short Hanzi cell an institution or a role, not a person.
_INSTITUTION = re.compile(
    r"[局委办厅部科处室所站队院校园馆社会中心组村镇乡县市省区街道窗口热线服务公司单位政府党群]"
)
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_NAME_TOKEN = re.compile(r"[\u4e00-\u9fff]{2,4}")

#: Column headers or words that say a table or text lists people.
_PEOPLE_WORDS = re.compile(
    r"姓名|户主|户名|申请人|救助对象|保障对象|低保|特困|五保|补贴对象|补助对象|家庭成员|持卡人|收款人|"
    r"领取人|受助人|困难群众|贫困户|监测对象|享受人员|人员名单|花名册|学生名单|患者"
)


@dataclass(frozen=True, slots=True)
class _Hit:
    """A validated number inside the scanned text (never leaves this module)."""

    start: int
    end: int
    type: PrivacyType
    possible: bool


# --------------------------------------------------------------------------
# Number checks
# --------------------------------------------------------------------------


def id_check_char(first17: str) -> str:
    """The GB 11643 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _valid_birth(year: int, month: int, day: int, today: date) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= today


def is_resident_id(number: str, *, today: date | None = None) -> bool:
    """An 18-character resident ID with a valid province, birth date and check digit."""
    today = today or date.today()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if int(number[:2]) not in PROVINCE_CODES:
        return False
    if not _valid_birth(int(number[6:10]), int(number[10:12]), int(number[12:14]), today):
        return False
    return id_check_char(number[:17]) == number[17].upper()


def is_legacy_id(number: str, *, today: date | None = None) -> bool:
    """A 15-digit first-generation ID: province code and a 19YYMMDD birth date."""
    today = today or date.today()
    if len(number) != 15 or not number.isdigit():
        return False
    if int(number[:2]) not in PROVINCE_CODES:
        return False
    return _valid_birth(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]), today)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_bank_card(number: str) -> bool:
    """A 16–19 digit card number with a known issuer prefix that passes Luhn.

    Conservative prefixes: UnionPay 62 (16–19), Visa 4 (16), Mastercard 51–55 and
    2221–2720 (16), and the old 19-digit ICBC 9558 / ABC 95599 cards.
    """
    n = len(number)
    if not (16 <= n <= 19) or not number.isdigit() or len(set(number)) < 4:
        return False
    ok_prefix = (
        number.startswith("62")
        or (number[0] == "4" and n == 16)
        or (51 <= int(number[:2]) <= 55 and n == 16)
        or (2221 <= int(number[:4]) <= 2720 and n == 16)
        or (n == 19 and (number.startswith("9558") or number.startswith("95599")))
    )
    return ok_prefix and luhn_ok(number)


# --------------------------------------------------------------------------
# Masking and digests
# --------------------------------------------------------------------------


def mask_number(number: str, kind: PrivacyType) -> str:
    """The publishable form: ``510703********1234``, mobiles ``138****5678``."""
    if kind is PrivacyType.MOBILE:
        return number[:3] + "*" * (len(number) - 7) + number[-4:]
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def digest(number: str) -> str:
    """HMAC-SHA256 of the number (key from ``GOVMON_PRIVACY_KEY``), first 16 hex chars.

    The same leak gets the same digest across runs, so its life can be followed
    without storing it; without the key the digest cannot be brute-forced cheaply.
    """
    key = os.environ.get(KEY_ENV) or _DEFAULT_KEY
    normal = number.replace(" ", "").upper()
    return hmac.new(key.encode("utf-8"), normal.encode("ascii"), hashlib.sha256).hexdigest()[:16]


_LONG_DIGITS = re.compile(r"[0-9][0-9 ]{9,}[0-9][Xx]?|[0-9]{11,}[Xx]?")


def mask_text(text: str) -> str:
    """Mask every run of 11 or more digits (spaces allowed) in an excerpt, valid or not.

    Used for every excerpt that leaves an analyser (privacy and wording
    contexts, hidden-link texts), so that no personal number travels in one.
    """

    def _sub(m: re.Match[str]) -> str:
        run = m.group(0)
        digits = run.replace(" ", "")
        if len(digits) < 11:
            return run
        if len(digits) == 11 and _MOBILE.fullmatch(digits):
            return mask_number(digits, PrivacyType.MOBILE)
        if len(digits) >= 14:
            return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]

    return _LONG_DIGITS.sub(_sub, text)


# --------------------------------------------------------------------------
# Scanning text
# --------------------------------------------------------------------------


def _isolated(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is a token of its own, not part of a code or URL."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before.isascii() and (before.isalnum() or before == "_"):
        return False
    if after.isascii() and (after.isalnum() or after == "_"):
        return False
    if before in _GLUE and start > 1 and text[start - 2].isascii() and text[start - 2].isalnum():
        return False
    return not (
        after in _GLUE
        and end + 1 < len(text)
        and text[end + 1].isascii()
        and text[end + 1].isalnum()
    )


def _prefix(text: str, start: int, width: int = 16) -> str:
    return text[max(0, start - width) : start]


_LABEL_CUT = re.compile(r"[0-9\t\n。；;|]")


def _label(text: str, start: int) -> str:
    """The words just before a number, back to the previous number, cell or sentence:
    the label that says what the number is (订单号：, 身份证号：)."""
    before = _prefix(text, start)
    cuts = [m.end() for m in _LABEL_CUT.finditer(before)]
    return before[cuts[-1] :] if cuts else before


def _scan(text: str, *, people_context: bool, today: date, card_context: bool) -> list[_Hit]:
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    for m in _RUN.finditer(text):
        start, end = m.span()
        run = m.group(0)
        if not _isolated(text, start, end):
            continue
        before = _label(text, start)
        personal_word = bool(_ID_WORDS.search(before))
        excluded = bool(_NOT_PERSONAL.search(before)) and not personal_word
        if excluded:
            continue
        kind: PrivacyType | None = None
        possible = False
        if (len(run) == 18 and is_resident_id(run, today=today)) or (
            len(run) == 15 and (personal_word or people_context) and is_legacy_id(run, today=today)
        ):
            kind = PrivacyType.ID_CARD
        elif (
            run.isdigit()
            and is_bank_card(run)
            and (card_context or _CARD_WORDS.search(_prefix(text, start, 40)))
        ):
            kind = PrivacyType.BANK_CARD
        elif people_context and len(run) == 11 and _MOBILE.fullmatch(run):
            kind, possible = PrivacyType.MOBILE, True
        if kind is not None:
            hits.append(_Hit(start, end, kind, possible))
            taken.append((start, end))
    for m in _GROUPED_CARD.finditer(text):
        start, end = m.span(1)
        if any(s < end and start < e for s, e in taken):
            continue
        digits = m.group(1).replace(" ", "")
        if is_bank_card(digits) and (card_context or _CARD_WORDS.search(_prefix(text, start, 40))):
            hits.append(_Hit(start, end, PrivacyType.BANK_CARD, False))
    return hits


def masked_excerpt(
    text: str, start: int, end: int, *, widen_start: bool = True, widen_end: bool = True
) -> str:
    """``text[start:end]`` widened so that no digit run is cut, then masked.

    Cutting a window through a number and masking what is left would show the
    unmasked half of a long number; widening first keeps every run whole.
    """
    start, end = max(0, start), min(len(text), end)
    while (
        widen_start
        and start > 0
        and (
            text[start - 1].isdigit()
            or (text[start - 1] == " " and start > 1 and text[start - 2].isdigit())
        )
    ):
        start -= 1
    while (
        widen_end
        and end < len(text)
        and (text[end].isdigit() or (text[end] in "Xx " and end > 0 and text[end - 1].isdigit()))
    ):
        end += 1
    return mask_text(text[start:end])


def _context(text: str, start: int, end: int, width: int = 20) -> str:
    """Masked surroundings of a hit: the hit itself left out, every other long run masked."""
    left = masked_excerpt(text, start - width, start, widen_end=False) if start else ""
    right = masked_excerpt(text, end, end + width, widen_start=False)
    return squash(left + "〔…〕" + right)


def _detections(
    text: str,
    hits: Iterable[_Hit],
    *,
    url: str,
    attachment: str | None,
) -> list[PrivacyDetection]:
    out: list[PrivacyDetection] = []
    seen: set[str] = set()
    for hit in hits:
        number = text[hit.start : hit.end].replace(" ", "").upper()
        dig = digest(number)
        if dig in seen:
            continue
        seen.add(dig)
        out.append(
            PrivacyDetection(
                url=url,
                type=hit.type,
                excerpt=mask_number(number, hit.type),
                digest=dig,
                possible=hit.possible,
                attachment=attachment,
                context=_context(text, hit.start, hit.end),
            )
        )
    return out


def looks_like_people_list(text: str) -> bool:
    """Whether a text (an attachment, a table) lists people: a 姓名/户主/低保… header."""
    return bool(_PEOPLE_WORDS.search(text))


def find_privacy(
    text: str,
    *,
    url: str,
    attachment: str | None = None,
    people_context: bool = False,
    today: date | None = None,
) -> list[PrivacyDetection]:
    """Personal numbers in plain text (a page's text or an attachment's).

    ``people_context`` says the text lists people (a 低保 roster, a table of
    names): only then are mobile numbers reported (``possible=True``), and
    15-digit legacy IDs and bank cards are accepted without a keyword nearby.
    ``today`` bounds birth dates (default: the current date).
    One detection per distinct number; ``excerpt`` and ``context`` are masked.
    """
    if _HAS_FULLWIDTH.search(text):  # translate() walks every character: only when needed
        text = text.translate(_FULLWIDTH)
    hits = _scan(
        text,
        people_context=people_context,
        today=today or date.today(),
        card_context=people_context,
    )
    found = _detections(text, hits, url=url, attachment=attachment)
    if found:
        log.info(
            "privacy: %d personal number(s) on %s%s",
            len(found),
            url,
            f" (attachment {attachment})" if attachment else "",
        )
    return found


def find_privacy_in_attachment(
    text: str, *, url: str, attachment: str, today: date | None = None
) -> list[PrivacyDetection]:
    """``find_privacy`` for an attachment's text, with people context judged from it."""
    return find_privacy(
        text,
        url=url,
        attachment=attachment,
        people_context=looks_like_people_list(text),
        today=today,
    )


# --------------------------------------------------------------------------
# HTML pages: tables and lists of people
# --------------------------------------------------------------------------


def is_person_name(text: str) -> bool:
    """A 2–4 Hanzi cell that starts with a common surname and names no institution."""
    text = text.strip().replace("·", "")
    if not _HAN_NAME.match(text) or _INSTITUTION.search(text[1:]):
        return False
    return text[0] in _SURNAMES or text.startswith(_COMPOUND_SURNAMES)


def _cells(row: LexborNode) -> list[str]:
    return [squash(c.text(separator=" ")) for c in row.iter() if c.tag in ("td", "th")]


def _people_rows(page: ParsedPage) -> list[str]:
    """Texts of table rows and list items that pair a person's name with a mobile."""
    rows: list[str] = []
    for table in page.tree.css("table"):
        trs = [tr for tr in table.css("tr")]
        if not trs:
            continue
        header = " ".join(_cells(trs[0]))
        people_table = bool(_PEOPLE_WORDS.search(header))
        for tr in trs:
            cells = _cells(tr)
            if not any(_MOBILE.search(c) for c in cells):
                continue
            named = any(is_person_name(c) for c in cells)
            if named or (people_table and tr is not trs[0]):
                rows.append("\t".join(cells))
    for lst in page.tree.css("ul, ol"):
        items = []
        for li in lst.iter():
            if li.tag != "li":
                continue
            text = squash(li.text(separator=" "))
            if _MOBILE.search(text) and any(is_person_name(t) for t in _NAME_TOKEN.findall(text)):
                items.append(text)
        if len(items) >= 2:
            rows.extend(items)
    return rows


#: Digit runs long enough to be a mobile (11), a legacy or resident ID (15,
#: 17 + X, 18) or a card (16-19); full-width digits count, as find_privacy reads them.
_LONG_RUN = re.compile(r"[0-9０-９]{11,}")
#: A card in groups of four ("6222 0212 3456 7890") holds its middle groups so.
_MIDDLE_GROUPS = re.compile(r" [0-9０-９]{4} [0-9０-９]{4} ")


def _has_candidate(text: str) -> bool:
    """A necessary condition of any finding in ``text``: a digit run of a length
    :func:`_scan` can report, or a card written in groups of four.  (Two plain
    scans: one regex with lookarounds for both cost four times as much.)"""
    for m in _LONG_RUN.finditer(text):
        n = m.end() - m.start()
        if n == 11 or 15 <= n <= 19:
            return True
    return _MIDDLE_GROUPS.search(text) is not None


_MOBILE_HINT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def find_privacy_in_page(page: ParsedPage, *, today: date | None = None) -> list[PrivacyDetection]:
    """Personal numbers in a page's visible text, plus mobiles in tables or lists of people.

    IDs and bank cards are looked for in the whole visible text (scripts and
    styles excluded); a mobile number is reported (``possible=True``) only in a
    table row or list item that also names a person, or in a table whose header
    lists people (姓名, 户主, 救助对象…).
    """
    text = page.body_text
    # Nearly every page has no candidate (its footer's 14-digit 公网安备 number
    # and 10-digit site code are none): then nothing here can match, and the
    # scan and the row-by-row walk of tables are skipped.
    if not _has_candidate(text):
        return []
    found = find_privacy(text, url=page.url, today=today)
    seen = {d.digest for d in found}
    if _MOBILE_HINT.search(text) is None:
        return found
    for row in _people_rows(page):
        for det in find_privacy(row, url=page.url, people_context=True, today=today):
            if det.type is PrivacyType.MOBILE and det.digest not in seen:
                seen.add(det.digest)
                found.append(det)
    return found
