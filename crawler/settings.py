"""Scrapy settings for a monitor, grouped and commented (STYLE.md rule 8).

A monitor is not a scraper: a 404 is a finding, not noise; government servers
are fragile, so concurrency per host is low and timeouts far below Scrapy's
180 s; redirects are kept as evidence; nothing is cached between runs.
"""

from __future__ import annotations

from typing import Any

from govmon import __version__

USER_AGENT = (
    f"Mozilla/5.0 (compatible; govmon/{__version__}; +https://example.invalid/govmon) "
    "government website monitor"
)


BROWSER = "/usr/bin/chromium"


def render_settings(executable: str = BROWSER) -> dict[str, Any]:
    """scrapy-playwright (the ``browser`` extra) renders pages whose footer or
    lists are written by scripts.  Off by default: a browser costs ~100× a
    plain fetch.  Debian's chromium is used; a browser download fails here."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError as exc:
        raise RuntimeError(
            "rendering needs the browser extra: pip install 'govmon[browser]' and Debian's chromium"
        ) from exc
    return {
        "DOWNLOAD_HANDLERS": {
            "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        },
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": executable,
            "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-sync"],
        },
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
    }


def scrapy_settings(*, max_depth: int, max_bytes: int, concurrency_per_host: int, delay: float,
                    timeout: float, retries: int, time_limit: float, user_agent: str = USER_AGENT,
                    log_level: str = "WARNING", render: bool = False) -> dict[str, Any]:
    extra = render_settings() if render else {}
    return extra | {
        # --- identity and manners
        "USER_AGENT": user_agent,
        "ROBOTSTXT_OBEY": False,  # inspectors check every page; the office monitors its own sites
        "COOKIES_ENABLED": True,  # some CMSs need their session cookie to serve lists
        # --- politeness: per host, fragile servers
        "CONCURRENT_REQUESTS": max(16, concurrency_per_host * 4),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency_per_host,
        "DOWNLOAD_DELAY": delay,
        "RANDOMIZE_DOWNLOAD_DELAY": delay > 0,
        "AUTOTHROTTLE_ENABLED": False,
        # --- bounds
        "DOWNLOAD_TIMEOUT": timeout,
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DEPTH_LIMIT": max_depth,
        "CLOSESPIDER_TIMEOUT": time_limit,
        "DNS_TIMEOUT": min(timeout, 20),
        # --- breadth first from the homepage (FIFO queues, depth priority)
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        # --- a monitor sees every status; retries are counted in stats
        "HTTPERROR_ALLOW_ALL": True,
        "RETRY_ENABLED": retries > 0,
        "RETRY_TIMES": retries,
        "RETRY_HTTP_CODES": [502, 503, 504, 522, 524, 408],
        "REDIRECT_ENABLED": True,
        "REDIRECT_MAX_TIMES": 10,
        "METAREFRESH_ENABLED": False,  # meta refresh is extracted as a link instead
        # --- dedup is done by the collector on canonical URLs before a Request
        #     exists (a Request costs more than the check); Scrapy's filter off.
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
        # --- a callback yields Requests only, never items: Scrapy's default of
        #     100 parallel item tasks per response is pure overhead here
        "CONCURRENT_ITEMS": 4,
        # --- asyncio reactor: page analysis is awaited from a process pool
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        # --- quiet and lean
        "LOG_LEVEL": log_level,
        "LOGSTATS_INTERVAL": 0,
        "TELNETCONSOLE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.referer.RefererMiddleware": None},
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
        },
    }
