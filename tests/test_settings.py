"""The crawl's Scrapy settings: the choices a monitor depends on."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crawler.settings import scrapy_settings


def settings(**kwargs: object) -> dict[str, object]:
    base: dict[str, object] = {"max_bytes": 5_000_000, "concurrency_per_host": 4, "delay": 0.0,
                               "timeout": 15.0, "retries": 2, "time_limit": 3600.0}
    return scrapy_settings(**(base | kwargs))  # type: ignore[arg-type]


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop has no Windows build")
def test_the_crawl_runs_on_uvloop_where_it_is_installed() -> None:
    """uvloop is a dependency off Windows: every crawl of the test suite runs on it."""
    import uvloop  # noqa: F401 - the dependency is installed

    assert settings()["ASYNCIO_EVENT_LOOP"] == "uvloop.Loop"
    assert settings()["TWISTED_REACTOR"] == "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def test_a_rendered_crawl_keeps_asyncio_s_own_loop() -> None:
    assert "ASYNCIO_EVENT_LOOP" not in settings(render=True)


def test_the_per_host_budget_is_also_the_global_cap() -> None:
    s = settings(concurrency_per_host=3)
    assert (s["CONCURRENT_REQUESTS"], s["CONCURRENT_REQUESTS_PER_DOMAIN"]) == (3, 3)


def test_one_task_handles_a_response_s_output() -> None:
    """A callback yields Requests only: Scrapy starts this many tasks per response."""
    assert settings()["CONCURRENT_ITEMS"] == 1


def test_components_left_out_are_off_and_never_imported() -> None:
    """RemoteControl (an HTTP server that runs code sent to it) and the idle
    extensions and middlewares are off, and their modules are not even imported
    (Scrapy imports every class named in EXTENSIONS to normalise its keys)."""
    code = """
import sys
from scrapy.settings import Settings
from crawler.settings import scrapy_settings
s = Settings(scrapy_settings(max_bytes=1, concurrency_per_host=1, delay=0.0, timeout=1.0, retries=0, time_limit=1.0))
on = [n for name in ("EXTENSIONS", "SPIDER_MIDDLEWARES", "DOWNLOADER_MIDDLEWARES")
      for n in s.get_component_priority_dict_with_base(name)]
assert s.getbool("REMOTE_CONTROL_ENABLED") is False
print("ON", *on)
print("IMPORTED", *sorted(sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    on = set(next(line for line in out.splitlines() if line.startswith("ON ")).split()[1:])
    imported = set(next(line for line in out.splitlines() if line.startswith("IMPORTED ")).split()[1:])
    off = {"scrapy.extensions.remote_control.RemoteControl", "scrapy.extensions.telnet.TelnetConsole",
           "scrapy.extensions.feedexport.FeedExporter", "scrapy.downloadermiddlewares.stats.DownloaderStats",
           "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
           "scrapy.spidermiddlewares.depth.DepthMiddleware"}
    assert not on & off
    assert "scrapy.downloadermiddlewares.redirect.RedirectMiddleware" in on  # what a monitor needs stays
    assert "scrapy.downloadermiddlewares.cookies.CookiesMiddleware" in on
    assert not {name.rsplit(".", 1)[0] for name in off} & imported
    assert "aiohttp" not in imported
