"""Detect cloaking: a homepage serving search-engine crawlers links that visitors never see.

Hacked government sites often answer Baiduspider with a page stuffed with
gambling links while people get the normal homepage, so a crawler with a
browser User-Agent sees nothing.  This probe fetches the homepage twice, as a
browser and as Baiduspider, and reports the off-site links (and spam words)
present only in the spider's copy.  A failed, blocked or non-HTML fetch is not
evidence: the probe then reports nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import httpx

from crawler.analysis.hidden import SpamTable, is_offsite, load_spam
from crawler.analysis.page import ParsedPage, squash
from crawler.analysis.privacy import mask_text
from crawler.analysis.waf import challenge_reason
from govmon.records import HiddenLinkDetection

log = logging.getLogger(__name__)

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)
BAIDUSPIDER_UA = (
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
)
TECHNIQUE = "cloaking"


async def _fetch(client: httpx.AsyncClient, url: str, user_agent: str) -> ParsedPage | None:
    try:
        response = await client.get(url, headers={"User-Agent": user_agent}, follow_redirects=True)
    except httpx.HTTPError as exc:
        log.info("cloaking probe: %s as %s failed: %s", url, user_agent[:30], type(exc).__name__)
        return None
    if response.status_code != 200 or challenge_reason(
        response.status_code, response.headers, response.text[:4096]
    ):
        log.info(
            "cloaking probe: %s as %s answered %s (no evidence)",
            url,
            user_agent[:30],
            response.status_code,
        )
        return None
    return ParsedPage.parse(str(response.url), response.text)


def _links(page: ParsedPage) -> dict[str, str]:
    """Absolute http(s) targets of the page's links and their texts."""
    out: dict[str, str] = {}
    for a in page.tree.css("a[href], area[href]"):
        href = str(a.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        target = page.resolve(href)
        out.setdefault(target, squash(a.text(separator=" ")))
    return out


def compare_versions(
    browser: ParsedPage,
    spider: ParsedPage,
    *,
    url: str,
    site_hosts: Iterable[str],
    partner_domains: Sequence[str] = ("gov.cn",),
    spam: SpamTable,
) -> list[HiddenLinkDetection]:
    """Off-site links and spam words in the spider's copy that the browser's copy lacks (pure)."""
    hosts = frozenset(h.lower() for h in site_hosts)
    seen = _links(browser)
    out: list[HiddenLinkDetection] = []
    for target, text in _links(spider).items():
        if target in seen or not is_offsite(
            target, site_hosts=hosts, partner_domains=partner_domains, spam=spam
        ):
            continue
        keywords = spam.match(text, target)
        out.append(
            HiddenLinkDetection(
                url=url,
                target=target,
                technique=TECHNIQUE,
                text=mask_text(text[:200]),
                spam=bool(keywords),
                keywords=keywords,
            )
        )
    # Spam text (a hijacked title or body) served only to the spider, even without links.
    browser_words = set(spam.match(f"{browser.title} {browser.body_text}"))
    extra = tuple(
        k for k in spam.match(f"{spider.title} {spider.body_text}") if k not in browser_words
    )
    reported = {k for d in out for k in d.keywords}
    if extra and not set(extra) <= reported:
        out.append(
            HiddenLinkDetection(
                url=url,
                target=url,
                technique=TECHNIQUE,
                text=mask_text(spider.title[:200]),
                spam=True,
                keywords=extra,
            )
        )
    return out


async def detect_cloaking(
    url: str,
    *,
    client: httpx.AsyncClient,
    site_hosts: Iterable[str],
    partner_domains: Sequence[str] = ("gov.cn",),
    spam: SpamTable | None = None,
) -> list[HiddenLinkDetection]:
    """Fetch ``url`` as a browser and as Baiduspider; report what only the spider gets.

    ``site_hosts`` defaults to nothing beyond the URL's own host, which is always
    treated as the site.  Returns [] when either fetch fails or is blocked.
    """
    spam = spam or load_spam()
    host = (urlsplit(url).hostname or "").lower()
    hosts = frozenset({*(h.lower() for h in site_hosts), host} - {""})
    browser = await _fetch(client, url, BROWSER_UA)
    if browser is None:
        return []
    spider = await _fetch(client, url, BAIDUSPIDER_UA)
    if spider is None:
        return []
    found = compare_versions(
        browser, spider, url=url, site_hosts=hosts, partner_domains=partner_domains, spam=spam
    )
    if found:
        log.warning(
            "cloaking: %s serves %d off-site/spam item(s) to Baiduspider only", url, len(found)
        )
    return found
