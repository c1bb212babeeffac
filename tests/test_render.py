"""Optional rendering (scrapy-playwright + Debian's chromium): a list written by
JavaScript is unknown to the static crawl and seen when rendering is on."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from crawler.collect import CrawlTarget
from crawler.runner import CrawlJob, crawl_in_subprocess
from govmon import records as r

HOME = """<html><head><meta charset="utf-8"><title>某县人民政府</title></head><body>
<div class="nav"><a href="/tzgg/">通知公告</a></div></body></html>"""
LIST = """<html><head><meta charset="utf-8"><title>通知公告_某县人民政府</title>
<meta name="ColumnName" content="通知公告"></head><body>
<div class="position">当前位置：首页 &gt; 通知公告</div>
<ul class="list" id="list"></ul>
<script>
var items = [["关于开展冬季安全检查的通知", "2026-11-20"], ["关于公布第一批名单的公告", "2026-11-18"],
             ["关于做好节日值班工作的通知", "2026-11-10"]];
var ul = document.getElementById("list");
items.forEach(function (it, i) {
  var li = document.createElement("li");
  li.innerHTML = '<a href="/tzgg/' + i + '.html">' + it[0] + '</a><span>' + it[1] + '</span>';
  ul.appendChild(li);
});
</script></body></html>"""


def _columns(base: str, render: bool) -> list[r.ColumnDetection]:
    target = CrawlTarget(url=base, name="某县人民政府", as_of=date(2026, 11, 25), max_pages=10)
    job = CrawlJob(target=target, timeout=20, check_links=False, check_search=False, check_cloaking=False,
                   check_ipv6=False, render=render, analysis_workers=0)
    result = crawl_in_subprocess(job, time_limit=180)
    return [d for d in result.detections if isinstance(d, r.ColumnDetection)]


@pytest.mark.browser
def test_script_list_is_seen_only_when_rendering(httpserver) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("scrapy_playwright", reason="the browser extra (scrapy-playwright) is not installed")
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("no chromium on this machine (Debian package chromium)")
    httpserver.expect_request("/").respond_with_data(HOME, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/tzgg/").respond_with_data(LIST, content_type="text/html; charset=utf-8")
    for i in range(3):
        httpserver.expect_request(f"/tzgg/{i}.html").respond_with_data(
            "<html><body><h1>正文</h1></body></html>", content_type="text/html; charset=utf-8")
    base = httpserver.url_for("/")
    static = [c for c in _columns(base, render=False) if c.name == "通知公告"]
    assert not static or static[0].newest is None  # the static crawl cannot see the entries
    rendered = [c for c in _columns(base, render=True) if c.name == "通知公告"]
    assert rendered and rendered[0].newest == date(2026, 11, 20) and rendered[0].entries == 3
