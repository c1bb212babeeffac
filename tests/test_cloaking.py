"""Cloaking probe: a server that answers Baiduspider differently is caught; an honest one is not."""

from __future__ import annotations

import asyncio

import httpx
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from crawler.analysis.hidden import load_spam
from govmon.records import HiddenLinkDetection
from probes.cloaking import BAIDUSPIDER_UA, detect_cloaking

SPAM = load_spam()


NORMAL = """<html><head><title>某县人民政府</title></head><body>
<a href="/zwgk/index.html">政务公开</a> <a href="http://www.gov.cn/">中国政府网</a>
<a href="http://www.people.com.cn/">人民网</a></body></html>"""

CLOAKED = """<html><head><title>澳门葡京娱乐城-百家乐官网</title></head><body>
<a href="/zwgk/index.html">政务公开</a> <a href="http://www.gov.cn/">中国政府网</a>
<a href="http://www.people.com.cn/">人民网</a>
<a href="http://bet.spam.example/">太阳城百家乐</a>
<a href="http://plain.example.com/">某公司</a></body></html>"""


def _serve(server: HTTPServer, cloak: bool) -> str:
    def handler(request: Request) -> Response:
        spider = "Baiduspider" in request.headers.get("User-Agent", "")
        body = CLOAKED if (cloak and spider) else NORMAL
        return Response(body, content_type="text/html; charset=utf-8")

    server.expect_request("/").respond_with_handler(handler)
    return server.url_for("/")


def _probe(url: str) -> list[HiddenLinkDetection]:
    async def run() -> list[HiddenLinkDetection]:
        async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
            return await detect_cloaking(url, client=client, site_hosts=frozenset(), spam=SPAM)

    return asyncio.run(run())


def test_cloaking_server_is_caught(httpserver: HTTPServer) -> None:
    url = _serve(httpserver, cloak=True)
    found = _probe(url)
    by_target = {d.target: d for d in found}
    assert set(by_target) == {"http://bet.spam.example/", "http://plain.example.com/", url}
    bet = by_target["http://bet.spam.example/"]
    assert bet.technique == "cloaking" and bet.spam and set(bet.keywords) == {"太阳城", "百家乐"}
    assert not by_target["http://plain.example.com/"].spam
    title = by_target[url]
    assert title.spam and "澳门葡京" in title.keywords
    agents = [r.headers.get("User-Agent") for r, _ in httpserver.log]
    assert BAIDUSPIDER_UA in agents and any("Chrome" in (a or "") for a in agents)


def test_honest_server_has_no_findings(httpserver: HTTPServer) -> None:
    assert _probe(_serve(httpserver, cloak=False)) == []


def test_failed_fetch_is_not_evidence(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/").respond_with_data("error", status=500)
    assert _probe(httpserver.url_for("/")) == []


def test_blocked_spider_is_not_evidence(httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        if "Baiduspider" in request.headers.get("User-Agent", ""):
            return Response("<script>$_ts=window.$_ts||{};</script>", status=412)
        return Response(NORMAL, content_type="text/html")

    httpserver.expect_request("/").respond_with_handler(handler)
    assert _probe(httpserver.url_for("/")) == []
