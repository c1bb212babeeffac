"""The crawl's Scrapy settings: the choices a monitor depends on."""

from __future__ import annotations

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


def test_scrapy_s_remote_control_and_idle_extensions_are_off() -> None:
    s = settings()
    assert s["REMOTE_CONTROL_ENABLED"] is False
    assert s["EXTENSIONS"]["scrapy.extensions.remote_control.RemoteControl"] is None  # type: ignore[index]
