"""Policy documents and their interpretations (NAT-D-INTERP-LINK, AJ-DISTRICT-DOCS):
the relation links a page carries (相关解读, 原文链接, 政策原文, 图解) and a
seeded sampler that says, for 3 documents and 3 interpretations, whether each
has its counterpart and whether the two link each other.

A pair is found by links in either direction, or by title (an interpretation
titled 关于《X》的解读 belongs to the document named 《X》), so a pair that
links neither way is still found and reported as unlinked.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Mapping

from selectolax.lexbor import LexborNode

from crawler.analysis.labels import in_chrome
from crawler.analysis.page import ParsedPage, squash
from govmon.records import InterpLinkDetection

__all__ = ["counterpart_by_title", "related_links", "sample_pairs"]

#: Anchor texts that name a relation.
_ANCHOR = re.compile(r"解读|图解|原文|政策文件|相关文件|相关政策|文件全文|一图读懂|一图看懂")
#: Labels of a relation block: 相关解读：<a>…</a>, <h3>政策原文</h3><ul>…</ul>.
_LABEL = re.compile(
    r"^(?:相关解读|政策解读|解读稿?|图解|图片解读|视频解读|原文链接|政策原文|文件原文|相关文件|"
    r"相关政策|关联文件|关联解读|被解读文件|解读文件|相关稿件)"
)
_COLUMN_HREF = re.compile(r"(?:/|/index(?:_\d+)?\.s?html?)$", re.I)
_BOOK = re.compile(r"《([^《》]{4,})》")
_PUNCT = re.compile(r"[\s\u3000《》〈〉“”\"'‘’（）()【】\[\]、，,。.:：;；!！?？·—-]+")


def _norm(title: str) -> str:
    return _PUNCT.sub("", title)


def _solid(text: str) -> int:
    """Non-blank characters: a lower bound of ``len(squash(text))``."""
    return len("".join(text.split()))


def _labelled(text: str) -> bool:
    """``_LABEL.match(squash(text))``, squashing only a head of the text when it
    holds enough characters to decide (labels have no blanks and ≤ 6 characters:
    the squashed head and the squashed text agree on their first 16)."""
    head = text[:256]
    if len(text) > 256 and _solid(head) >= 16:
        return _LABEL.match(squash(head)) is not None
    return _LABEL.match(squash(text)) is not None


def _node_labelled(cur: LexborNode) -> bool:
    """Whether a block starts with a relation label (and is short), or follows
    a heading that is one."""
    raw = cur.text(separator=" ")
    # squash() is the cost on big blocks: a block with 400+ non-blank
    # characters can never be short enough, so it is not squashed at all
    if (len(raw) < 400 or _solid(raw) < 400) and _labelled(raw) and len(squash(raw)) < 400:
        return True
    prev = cur.prev
    while prev is not None and prev.tag in ("-text", "-comment"):
        prev = prev.prev
    return prev is not None and _labelled(prev.text())


def _block_label(a: LexborNode, memo: dict[int, bool] | None = None) -> bool:
    """Whether the anchor sits in a block (up to 3 levels up) that starts with a
    relation label, or right after a heading that is one.  ``memo`` keeps each
    block's answer across the anchors of one page (a list of 50 links is one
    block, read once)."""
    cur = a.parent
    for _ in range(3):
        if cur is None or cur.tag in ("body", "html"):
            return False
        if memo is None:
            hit = _node_labelled(cur)
        else:
            known = memo.get(cur.mem_id)
            hit = known if known is not None else memo.setdefault(cur.mem_id, _node_labelled(cur))
        if hit:
            return True
        cur = cur.parent
    return False


def related_links(page: ParsedPage) -> tuple[str, ...]:
    """Absolute URLs of the page's relation links (to its interpretation, its
    document, a graphic reading), outside header, navigation and breadcrumb, and
    never a column's index page (the nav entry 政策解读)."""
    body = page.tree.body
    if body is None:
        return ()
    out = []
    memo: dict[int, bool] = {}
    for a in body.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "#", "mailto:")):
            continue
        # the cheap tests on the anchor first: most anchors are not relations
        if not (_ANCHOR.search(squash(a.text())) or _block_label(a, memo)):
            continue
        url = page.resolve(href)
        if _COLUMN_HREF.search(url.split("?")[0]) or in_chrome(a):
            continue
        out.append(url)
    return tuple(dict.fromkeys(out))


def counterpart_by_title(policy_title: str, interpretation_title: str) -> bool:
    """Whether an interpretation's title names the document: the document's whole
    title, or a 《…》 name in it (4+ characters), appears in the interpretation's."""
    interp = _norm(interpretation_title)
    if not interp:
        return False
    whole = _norm(policy_title)
    if len(whole) >= 6 and whole in interp:
        return True
    return any(len(_norm(n)) >= 4 and _norm(n) in interp for n in _BOOK.findall(policy_title))


def _links(links_by_page: Mapping[str, Collection[str]], a: str, b: str) -> bool:
    return b in links_by_page.get(a, ())


def _find(
    url: str,
    title: str,
    others: Mapping[str, str],
    links_by_page: Mapping[str, Collection[str]],
    *,
    is_policy: bool,
) -> str | None:
    """The counterpart of a document: a page it links, a page linking it, or one
    whose title matches (in that order; sorted for determinism)."""
    for other in sorted(others):
        if _links(links_by_page, url, other):
            return other
    for other in sorted(others):
        if _links(links_by_page, other, url):
            return other
    for other in sorted(others):
        p, i = (title, others[other]) if is_policy else (others[other], title)
        if counterpart_by_title(p, i):
            return other
    return None


def sample_pairs(
    policy_pages: Mapping[str, str],
    interpretation_pages: Mapping[str, str],
    *,
    links_by_page: Mapping[str, Collection[str]],
    n: int = 3,
    seed: int = 0,
) -> list[InterpLinkDetection]:
    """Sample ``n`` policy documents and ``n`` interpretations (all when fewer) and
    say whether each is paired and linked.

    ``policy_pages``/``interpretation_pages`` map a page URL to its title (pages of
    policy and interpretation columns); ``links_by_page`` maps a page URL to the
    absolute URLs it links (``related_links`` results, or all its links).

    A sampled document gives ``role="policy"``: ``linked`` = an interpretation was
    found, ``linked_back`` = the document links it (None without one).  A sampled
    interpretation gives ``role="interpretation"``: ``linked`` = it links its
    document, ``linked_back`` = the document links it (None when no document was
    found: nothing to judge)."""
    rng = random.Random(seed)
    policies = sorted(policy_pages)
    interps = sorted(interpretation_pages)
    out: list[InterpLinkDetection] = []
    for url in rng.sample(policies, min(n, len(policies))):
        other = _find(url, policy_pages[url], interpretation_pages, links_by_page, is_policy=True)
        out.append(
            InterpLinkDetection(
                url=url,
                role="policy",
                counterpart=other,
                linked=other is not None,
                linked_back=_links(links_by_page, url, other) if other else None,
            )
        )
    for url in rng.sample(interps, min(n, len(interps))):
        title = interpretation_pages[url]
        other = _find(url, title, policy_pages, links_by_page, is_policy=False)
        out.append(
            InterpLinkDetection(
                url=url,
                role="interpretation",
                counterpart=other,
                linked=_links(links_by_page, url, other) if other else False,
                linked_back=_links(links_by_page, other, url) if other else None,
            )
        )
    return out
