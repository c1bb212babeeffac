"""Scrapy settings for a monitor, grouped and commented (STYLE.md rule 8).

A monitor is not a scraper: a 404 is a finding, not noise; government servers
are fragile, so concurrency per host is low and timeouts far below Scrapy's
180 s; redirects are kept as evidence; nothing is cached between runs.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from scrapy.settings import default_settings

from govmon import __version__

USER_AGENT = (
    f"Mozilla/5.0 (compatible; govmon/{__version__}; +https://example.invalid/govmon) "
    "government website monitor"
)


#: The crawl's event loop is uvloop's when it is installed: Twisted over
#: asyncio's own loop pays pure-Python selector bookkeeping for every write (a
#: namedtuple rebuilt by each ``add_writer``).  On the 5,000-page benchmark the
#: whole audit took 20.9-22.6 s with it against 21.2-22.8 s without, 1.5 s
#: less CPU (four runs each, interleaved).
_HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None

BROWSER = "/usr/bin/chromium"

#: Scrapy's components a monitor does without (see scrapy_settings).
_OFF_EXTENSIONS = frozenset({
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.feedexport.FeedExporter",
    "scrapy.extensions.spiderstate.SpiderState",
    "scrapy.extensions.throttle.AutoThrottle",
})
_OFF_SPIDER_MIDDLEWARES = frozenset({
    "scrapy.spidermiddlewares.referer.RefererMiddleware",
    "scrapy.spidermiddlewares.depth.DepthMiddleware",
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware",
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware",
})
_OFF_DOWNLOADER_MIDDLEWARES = frozenset({
    "scrapy.downloadermiddlewares.stats.DownloaderStats",
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware",
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
})


def _without(base: dict[str, int], off: frozenset[str]) -> dict[str, int]:
    return {name: order for name, order in base.items() if name not in off}


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


def scrapy_settings(*, max_bytes: int, concurrency_per_host: int, delay: float,
                    timeout: float, retries: int, time_limit: float, user_agent: str = USER_AGENT,
                    log_level: str = "WARNING", render: bool = False) -> dict[str, Any]:
    extra = render_settings() if render else {}
    return extra | {
        # --- identity and manners
        "USER_AGENT": user_agent,
        "ROBOTSTXT_OBEY": False,  # inspectors check every page; the office monitors its own sites
        "COOKIES_ENABLED": True,  # some CMSs need their session cookie to serve lists
        # --- politeness: per host, fragile servers
        # A crawl is one site, so the global cap is the per-host cap.  This is
        # also what makes the per-host cap hold: with the asyncio reactor,
        # Scrapy 2.19's Downloader._process_queue starts each download as a task
        # and counts it as transferring only when the task first runs, so one
        # call drains the slot's whole queue and a host saw up to
        # CONCURRENT_REQUESTS at once (measured: 32 in flight, 5,434 new
        # connections for 9,832 requests; now 8 and 8).
        "CONCURRENT_REQUESTS": concurrency_per_host,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency_per_host,
        "DOWNLOAD_DELAY": delay,
        "RANDOMIZE_DOWNLOAD_DELAY": delay > 0,
        "AUTOTHROTTLE_ENABLED": False,
        # --- bounds
        "DOWNLOAD_TIMEOUT": timeout,
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "CLOSESPIDER_TIMEOUT": time_limit,
        "DNS_TIMEOUT": min(timeout, 20),
        # --- breadth first from the homepage: FIFO queues, and each Request's
        #     priority is minus its depth (set by the spider).  Depth and its
        #     limit are the collector's (max_depth), not DepthMiddleware's.
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
        # --- a callback yields Requests only, never items, and handing a Request
        #     to the engine does not wait: Scrapy 2.19 starts CONCURRENT_ITEMS
        #     tasks (plus one) for every response's output, even an empty one
        #     (a 404's), so one is enough (100 by default; 4 cost the benchmark
        #     0.8 s of its 21-22 s, six runs each, interleaved)
        "CONCURRENT_ITEMS": 1,
        # --- asyncio reactor: page analysis is awaited from a process pool
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        # on uvloop's event loop where it is installed (not on Windows), except
        # when pages are rendered: Playwright is not tested on it here
        **({} if render or not _HAS_UVLOOP else {"ASYNCIO_EVENT_LOOP": "uvloop.Loop"}),
        # --- quiet and lean
        "LOG_LEVEL": log_level,
        "LOG_INSTALL_ROOT_HANDLER": False,  # the crawl child's stderr is the parent's progress channel
        "LOGSTATS_INTERVAL": 0,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19 starts, in every crawl, a localhost HTTP server that runs
        # Python code sent with a token it writes under ~/.local/state/scrapy
        # (for its MCP server): a crawler of untrusted pages has no use for
        # one.  Off too: the extensions with nothing to do here (no items to
        # export, no job directory, no autothrottle).  They are left out of
        # the _BASE dicts, not set to None: Scrapy imports every class named
        # in EXTENSIONS to normalise its keys, and RemoteControl's import
        # alone is aiohttp's (0.2 s of every crawl's start).
        "REMOTE_CONTROL_ENABLED": False,
        "EXTENSIONS_BASE": _without(default_settings.EXTENSIONS_BASE, _OFF_EXTENSIONS),
        "HTTPCACHE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        # Scrapy's bookkeeping a monitor does not read (DownloaderStats even
        # rebuilds each response's raw HTTP text to count its bytes), and
        # spider middlewares whose job the collector does (depth, URL length)
        # or that have nothing to do (HTTPERROR_ALLOW_ALL): each one wraps
        # every callback's output in one more async generator.
        "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector",
        "DOWNLOADER_STATS": False,
        "SPIDER_MIDDLEWARES_BASE": _without(default_settings.SPIDER_MIDDLEWARES_BASE, _OFF_SPIDER_MIDDLEWARES),
        "DOWNLOADER_MIDDLEWARES_BASE": _without(default_settings.DOWNLOADER_MIDDLEWARES_BASE,
                                                _OFF_DOWNLOADER_MIDDLEWARES),
    }
