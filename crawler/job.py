"""What a crawl is asked to do: the site (:class:`CrawlTarget`) and how to run it
(:class:`CrawlJob`), as the JSON the crawl child reads.

Kept apart from the crawl's machinery so that the processes which only start or
describe a crawl (``govmon audit`` before it spawns the child, the child before
it spawns its analysis workers) import nothing heavy: every tenth of a second
spent importing there is a tenth of a second before the first request.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlTarget:
    """Everything one crawl needs to know about its site (picklable / JSON-able)."""

    url: str
    name: str | None = None
    site_code: str | None = None
    extra_hosts: tuple[str, ...] = ()
    as_of: date
    max_pages: int = 2000
    max_depth: int = 8
    max_query_params: int = 6
    max_url_length: int = 512
    max_pages_per_pattern: int = 200
    all_pages: bool = False
    domain_exceptions: tuple[str, ...] = ()
    sample_seed: int = 0
    max_attachments: int = 200
    max_scripts: int = 50
    partner_domains: tuple[str, ...] = ("gov.cn",)
    #: site-specific message-board selectors (field name -> CSS), from the site's configuration
    message_selectors: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlJob:
    """A crawl of one site and how to run it (serialised to the child as JSON)."""

    target: CrawlTarget
    concurrency_per_host: int = 8
    delay: float = 0.0
    timeout: float = 15.0
    retries: int = 2
    max_bytes: int = 5_000_000
    time_limit: float = 3600.0
    check_links: bool = True
    link_concurrency: int = 32
    link_per_host: int = 8
    recheck_delay: float = 5.0
    allow_hosts: tuple[str, ...] = ()
    deny_hosts: tuple[str, ...] = ()
    #: worker processes for page analysis; None: one fewer than the CPUs
    analysis_workers: int | None = None
    #: run the site-search probe (NAT-D-SEARCH) after the link check
    check_search: bool = True
    #: seconds between two searches (one at a time: a search engine is fragile)
    search_delay: float = 1.0
    #: fetch the homepage as Baiduspider too and report links served only to it
    check_cloaking: bool = True
    #: measure IPv6 support (AAAA, homepage and first-level columns over IPv6)
    check_ipv6: bool = True
    #: render pages in Debian's chromium through scrapy-playwright (browser extra)
    render: bool = False

    def to_json(self) -> str:
        data = asdict(self)
        data["target"]["as_of"] = self.target.as_of.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CrawlJob:
        data = json.loads(text)
        target = data.pop("target")
        target["as_of"] = date.fromisoformat(target["as_of"])
        for key in ("extra_hosts", "domain_exceptions", "partner_domains"):
            if key in target:
                target[key] = tuple(target[key])
        target["message_selectors"] = tuple(tuple(p) for p in target.get("message_selectors", ()))
        for key in ("allow_hosts", "deny_hosts"):
            data[key] = tuple(data.get(key, ()))
        return cls(target=CrawlTarget(**target), **data)
