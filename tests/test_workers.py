"""The page analysis worker pool: same facts as in-process analysis, errors
carried back, a dead worker replaced, workers ended at close."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import date

import pytest

from crawler.pagefacts import AnalysisSettings, analyse_page
from crawler.workers import MAX_RESTARTS, AnalysisPool, WorkerLost

SETTINGS = AnalysisSettings(as_of=date(2026, 11, 25), site_hosts=frozenset({"www.example.gov.cn"}))


def _page(i: int) -> tuple[str, str]:
    items = "".join(
        f'<li><a href="/xw/t2026110{i % 9 + 1}_{i}{k}.html">第{k}条 某某县召开工作会议{"政务" * 70}</a>'
        f"<span>2026-11-0{k % 9 + 1}</span></li>"
        for k in range(60)
    )
    html = (
        f"<html><head><title>要闻动态_{i}</title></head><body><ul class='list'>{items}</ul>"
        f"<div class='page'>共60条 <a href='index_1.html'>下一页</a></div></body></html>"
    )
    return f"https://www.example.gov.cn/xw/index_{i}.html", html


def test_pages_analysed_by_workers_equal_in_process_analysis() -> None:
    pages = [_page(i) for i in range(40)]  # ~40 KB each: many pipe-fulls at once

    async def main() -> list[object]:
        async with AnalysisPool(2) as pool:
            return list(await asyncio.gather(
                *(pool.analyse(url, html, is_home=False, settings=SETTINGS) for url, html in pages)
            ))

    assert len(pages[0][1].encode()) > 30_000
    got = asyncio.run(main())
    assert got == [analyse_page(url, html, is_home=False, settings=SETTINGS) for url, html in pages]


def test_an_analysis_error_is_raised_for_its_page_only() -> None:
    url, html = _page(1)

    async def main() -> None:
        async with AnalysisPool(1) as pool:
            with pytest.raises(AttributeError):
                await pool.analyse(url, html, is_home=False, settings=None)  # type: ignore[arg-type]
            facts = await pool.analyse(url, html, is_home=False, settings=SETTINGS)
            assert facts.url == url

    asyncio.run(main())


def test_a_dead_worker_fails_its_pages_and_is_replaced() -> None:
    url, html = _page(2)

    async def main() -> None:
        async with AnalysisPool(1) as pool:
            await pool.analyse(url, html, is_home=False, settings=SETTINGS)
            victim = pool._workers[0]
            held = asyncio.ensure_future(pool.analyse(url, html * 50, is_home=False, settings=SETTINGS))
            await asyncio.sleep(0)
            os.kill(victim.proc.pid, signal.SIGKILL)
            with pytest.raises(WorkerLost):
                await held
            facts = await pool.analyse(url, html, is_home=False, settings=SETTINGS)
            assert facts.url == url
            assert len(pool._procs) == 2

    asyncio.run(main())


def test_restarts_are_bounded() -> None:
    url, html = _page(3)

    async def main() -> None:
        async with AnalysisPool(1) as pool:
            for _ in range(MAX_RESTARTS + 1):
                await pool.analyse(url, html, is_home=False, settings=SETTINGS)
                worker = next(w for w in pool._workers if w.alive)
                os.kill(worker.proc.pid, signal.SIGKILL)
                await worker.ended
            with pytest.raises(WorkerLost, match="every page analysis worker has ended"):
                await pool.analyse(url, html, is_home=False, settings=SETTINGS)

    asyncio.run(main())


def test_close_ends_the_workers() -> None:
    url, html = _page(4)

    async def main() -> AnalysisPool:
        pool = AnalysisPool(2)
        await pool.analyse(url, html, is_home=False, settings=SETTINGS)
        await pool.aclose()
        return pool

    pool = asyncio.run(main())
    assert [p.returncode for p in pool._procs] == [0, 0]
    # a pool whose pipes never joined a loop (the crawl failed first) closes too
    idle = AnalysisPool(1)
    idle.close()
    assert idle._procs[0].returncode == 0


def test_worker_count_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.workers import analysis_workers
    from govmon.errors import ConfigError

    monkeypatch.setenv("GOVMON_ANALYSIS_WORKERS", "3")
    assert analysis_workers() == 3
    monkeypatch.setenv("GOVMON_ANALYSIS_WORKERS", "-1")
    assert analysis_workers() == 0
    monkeypatch.setenv("GOVMON_ANALYSIS_WORKERS", "two")
    with pytest.raises(ConfigError, match="GOVMON_ANALYSIS_WORKERS: not a whole number: 'two'"):
        analysis_workers()


def test_page_facts_cross_the_pipe_whole() -> None:
    """PageFacts pickles its links as plain tuples (see its __reduce__): every
    field, set to something other than its default, comes back equal, and a
    field added later is carried too (the reduce walks the dataclass fields)."""
    import dataclasses
    import pickle
    from datetime import date

    from crawler.analysis.columns import ListEntry, Listing, NavLink
    from crawler.analysis.links import PageLink
    from crawler.pagefacts import InteractionFacts, PageFacts
    from govmon import records as r

    links = (PageLink(url="http://www.example.gov.cn/a.html", element=r.Element.A, text="要闻"),
             PageLink(url="http://www.example.gov.cn/b.pdf", element=r.Element.A, attachment=True),
             PageLink(url="http://www.example.gov.cn/c.png", element=r.Element.IMG))
    facts = PageFacts(
        url="http://www.example.gov.cn/", page_type=r.PageType.COLUMN, title="动态要闻",
        listing=Listing(url="http://www.example.gov.cn/", is_list=True, newest=date(2026, 11, 20),
                        entries=(ListEntry(title="t", url="http://www.example.gov.cn/a.html",
                                           date=date(2026, 11, 20)),)),
        links=links, nav=(NavLink(text="首页", url="http://www.example.gov.cn/"),),
        findings=(r.UnknownDetection(url="http://www.example.gov.cn/", reason=r.UnknownReason.LIMIT),),
        heading="标题", interaction=InteractionFacts(column="政策解读", related=("http://www.example.gov.cn/a.html",)),
    )
    defaults = {f.name: f.default for f in dataclasses.fields(PageFacts)}
    assert all(getattr(facts, name) != default for name, default in defaults.items())
    again = pickle.loads(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == facts
    assert all(type(link) is PageLink for link in again.links)
    assert again.links[0].element is r.Element.A
