"""The httpx link checker against websites served on 127.0.0.1: every error class,
redirects, soft 404s, anti-bot answers, rechecks, keep-alive resets, limits and the
address policy.  Names other than 127.0.0.1 go through an injected resolver, so no
test ever asks real DNS or contacts another host."""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from govmon.records import Element, LinkDetection, LinkError, UnknownDetection, UnknownReason
from probes.links import (
    NOT_CHECKED_DENIED,
    NOT_CHECKED_POLICY,
    LinkCheckConfig,
    LinkChecker,
    LinkStatus,
    classify_answer,
    link_detections,
    raw_location,
    soft_404_reason,
)
from probes.netguard import AddressPolicy

LOCAL = AddressPolicy(allow_private=True)


def resolver_for(table: dict[str, str], forbidden: Sequence[str] = ()):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        assert host not in forbidden, f"{host} must never be resolved"
        if host in table:
            return [table[host]]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    return resolve


def config(**kwargs: object) -> LinkCheckConfig:
    base: dict[str, object] = {
        "policy": LOCAL,
        "recheck_delay": 0.05,
        "timeout": 3.0,
        "connect_timeout": 2.0,
        "resolver": resolver_for({"localhost": "127.0.0.1"}),
    }
    base.update(kwargs)
    return LinkCheckConfig(**base)  # type: ignore[arg-type]


def check(urls: Sequence[str], **kwargs: object) -> dict[str, LinkStatus]:
    return asyncio.run(LinkChecker(config(**kwargs)).check(urls))


def methods(server: HTTPServer, path: str) -> list[str]:
    return [req.method for req, _ in server.log if req.path == path]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------
# status and error classes
# --------------------------------------------------------------------------


def test_ok_and_http_errors(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ok.html").respond_with_data(
        "<title>正常</title>正文", content_type="text/html"
    )
    httpserver.expect_request("/missing.html").respond_with_data("nope", status=404)
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    ok, missing, broken = (httpserver.url_for(p) for p in ("/ok.html", "/missing.html", "/broken"))
    result = check([ok, missing, broken, ok])
    assert list(result) == [ok, missing, broken]
    assert result[ok].ok and result[ok].status == 200 and result[ok].error is None
    assert (result[missing].ok, result[missing].status, result[missing].error) == (
        False,
        404,
        LinkError.HTTP,
    )
    assert (result[broken].status, result[broken].error) == (500, LinkError.HTTP)
    # a page is fetched with GET at once (a soft 404 needs its body); failures twice (recheck)
    assert methods(httpserver, "/ok.html") == ["GET"]
    assert methods(httpserver, "/missing.html") == ["GET", "GET"]


def test_timeout_is_wall_clock_even_when_bytes_trickle() -> None:
    stop = threading.Event()

    def serve(listener: socket.socket) -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
                )
                try:
                    while not stop.wait(0.05):
                        conn.sendall(b"x")  # one byte at a time: no read timeout ever fires
                except OSError:
                    pass

    listener = socket.create_server(("127.0.0.1", 0))
    thread = threading.Thread(target=serve, args=(listener,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/slow"
        status = check([url], timeout=0.5, recheck_delay=None)[url]
    finally:
        stop.set()
        listener.close()
    assert (status.ok, status.error) == (False, LinkError.TIMEOUT)


def test_dns_failure_via_injected_resolver() -> None:
    url = "http://nonexistent.test/a.html"
    status = check([url])[url]
    assert (status.ok, status.error, status.status) == (False, LinkError.DNS, None)
    assert status.checked


def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    status = check([url])[url]
    assert (status.ok, status.error) == (False, LinkError.CONNECT)


def test_tls_error_on_plain_http_port(httpserver: HTTPServer) -> None:
    url = f"https://127.0.0.1:{httpserver.port}/"
    status = check([url])[url]
    assert (status.ok, status.error) == (False, LinkError.TLS)


# --------------------------------------------------------------------------
# redirects
# --------------------------------------------------------------------------


def test_redirect_chain_is_recorded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/mid?x=1"}
    )
    httpserver.expect_request("/mid").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/new/")}
    )
    httpserver.expect_request("/new/").respond_with_data(
        "<title>新</title>ok", content_type="text/html"
    )
    url = httpserver.url_for("/old")
    status = check([url])[url]
    assert status.ok and status.status == 200
    assert status.redirects == (httpserver.url_for("/mid?x=1"), httpserver.url_for("/new/"))
    assert status.final_url == httpserver.url_for("/new/")


def test_redirect_with_raw_chinese_location(httpserver: HTTPServer) -> None:
    raw = "/新闻/b.html"  # werkzeug writes it as raw UTF-8 bytes, as many CMS do
    httpserver.expect_request("/old-news").respond_with_data(
        "", status=302, headers={"Location": raw}
    )
    httpserver.expect_request("/新闻/b.html").respond_with_data(
        "<title>b</title>", content_type="text/html"
    )
    url = httpserver.url_for("/old-news")
    status = check([url], recheck_delay=None)[url]
    assert status.ok
    assert status.redirects == (httpserver.url_for("/%E6%96%B0%E9%97%BB/b.html"),)


def test_raw_location_bytes_are_percent_encoded_as_they_are() -> None:
    gbk = httpx.Headers([(b"Location", "/新闻/".encode("gbk") + b"a.html")])
    assert raw_location(gbk) == "/%D0%C2%CE%C5/a.html"
    assert raw_location(httpx.Headers({"Location": " /a?b=1 "})) == "/a?b=1"
    assert raw_location(httpx.Headers()) is None


def test_redirect_loop(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    url = httpserver.url_for("/a")
    status = check([url], recheck_delay=None)[url]
    assert (status.ok, status.error) == (False, LinkError.REDIRECT_LOOP)
    assert status.redirects[:2] == (httpserver.url_for("/b"), httpserver.url_for("/a"))


def test_cookie_bounce_is_not_a_loop(httpserver: HTTPServer) -> None:
    """Sites that set a session cookie by redirecting to themselves work in a browser."""

    def page(request: Request) -> Response:
        if "sid" in request.cookies:
            return Response("<title>ok</title>正文", content_type="text/html")
        return Response(
            "", status=302, headers={"Location": "/page", "Set-Cookie": "sid=1; Path=/"}
        )

    httpserver.expect_request("/page").respond_with_handler(page)
    url = httpserver.url_for("/page")
    status = check([url], recheck_delay=None)[url]
    assert status.ok and status.redirects == (url,)


def test_too_many_redirects(httpserver: HTTPServer) -> None:
    for i in range(5):
        httpserver.expect_request(f"/r{i}").respond_with_data(
            "", status=302, headers={"Location": f"/r{i + 1}"}
        )
    url = httpserver.url_for("/r0")
    status = check([url], max_redirects=3, recheck_delay=None)[url]
    assert (status.error, status.detail) == (LinkError.REDIRECT_LOOP, "more than 3 redirects")


# --------------------------------------------------------------------------
# bodies: soft 404 and anti-bot answers
# --------------------------------------------------------------------------

NOT_FOUND_PAGE = "<html><head><title>页面不存在</title></head><body>返回首页</body></html>"
ARTICLE_404 = (
    "<html><head><title>关于印发第404号文件的通知_某某市人民政府</title></head><body>"
    + "<p>各区县人民政府：现将《某某办法》（某政发〔2026〕404号）印发给你们，请认真贯彻执行。</p>"
    * 20
    + "</body></html>"
)
RUISHU_412 = (
    "<html><head><script>$_ts=window['$_ts'];</script><script r='m'>x</script></head></html>"
)
JSL_521 = "<script>document.cookie='__jsl_clearance=1;';location.href=location.pathname</script>"


def test_soft_404_and_a_normal_page_mentioning_404(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone.html").respond_with_data(
        NOT_FOUND_PAGE, content_type="text/html"
    )
    httpserver.expect_request("/art.html").respond_with_data(ARTICLE_404, content_type="text/html")
    httpserver.expect_request("/gbk.html").respond_with_data(
        "<title>提示</title><p>抱歉，您访问的页面不存在或已被删除！</p>".encode("gbk"),
        content_type="text/html; charset=gbk",
    )
    gone, art, gbk = (httpserver.url_for(p) for p in ("/gone.html", "/art.html", "/gbk.html"))
    result = check([gone, art, gbk])
    assert (result[gone].ok, result[gone].status, result[gone].error) == (
        False,
        200,
        LinkError.SOFT_404,
    )
    assert result[art].ok
    assert result[gbk].error is LinkError.SOFT_404


def test_anti_bot_answers_are_blocked_not_dead(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/rs").respond_with_data(
        RUISHU_412, status=412, content_type="text/html"
    )
    httpserver.expect_request("/jsl").respond_with_data(
        JSL_521, status=521, content_type="text/html"
    )
    httpserver.expect_request("/rate").respond_with_data("slow down", status=429)
    urls = [httpserver.url_for(p) for p in ("/rs", "/jsl", "/rate")]
    result = check(urls)
    for url in urls:
        assert (result[url].ok, result[url].error) == (False, LinkError.BLOCKED), url
    assert result[urls[0]].detail == "http-412-challenge"


@pytest.mark.parametrize(
    ("status", "html", "expected"),
    [
        (200, "<title>404 Not Found</title>", LinkError.SOFT_404),
        (200, "<title>404</title>", LinkError.SOFT_404),
        (200, "<title>404 - 某某市人民政府</title>", LinkError.SOFT_404),
        (200, "<title>错误404</title>", LinkError.SOFT_404),
        (200, "<title>找不到页面</title>", LinkError.SOFT_404),
        (200, "<title>2404期工作简报</title><p>正文</p>", None),
        (200, "<title>第404期工作简报</title><p>正文</p>", None),
        (200, "<title>首页</title><script>location.href='/404.html'</script>", LinkError.SOFT_404),
        (
            200,
            "<title>说明</title>"
            + "<p>本系统页面不存在兼容性问题。</p>"
            + "<p>正文内容。</p>" * 100,
            None,
        ),
        (202, "<script>$_ts={}</script>", LinkError.BLOCKED),
        (403, "Forbidden", LinkError.HTTP),
        (401, "Unauthorized", None),
        (410, "Gone", LinkError.HTTP),
        (204, "", None),
    ],
)
def test_classify_answer(status: int, html: str, expected: LinkError | None) -> None:
    result = classify_answer(status, {"Content-Type": "text/html"}, html)
    assert result.error is expected
    assert result.ok is (expected is None)


def test_soft_404_is_only_for_html() -> None:
    assert classify_answer(200, {"Content-Type": "text/css"}, "/* 页面不存在 */").ok
    assert soft_404_reason("<title>页面不存在</title>") == "title says not found: 页面不存在"


# --------------------------------------------------------------------------
# HEAD and GET
# --------------------------------------------------------------------------


def test_head_refused_then_get_ok(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a.pdf", method="HEAD").respond_with_data("", status=405)
    httpserver.expect_request("/a.pdf", method="GET").respond_with_data(
        b"%PDF-1.4", content_type="application/pdf"
    )
    httpserver.expect_request("/b.jpg", method="HEAD").respond_with_data("", status=404)
    httpserver.expect_request("/b.jpg", method="GET").respond_with_data(
        b"\xff\xd8", content_type="image/jpeg"
    )
    httpserver.expect_request("/c.png", method="HEAD").respond_with_data(
        "", content_type="image/png"
    )
    a, b, c = (httpserver.url_for(p) for p in ("/a.pdf", "/b.jpg", "/c.png"))
    result = check([a, b, c])
    assert all(result[u].ok for u in (a, b, c))
    assert methods(httpserver, "/a.pdf") == ["HEAD", "GET"]
    assert methods(httpserver, "/b.jpg") == ["HEAD", "GET"]
    assert methods(httpserver, "/c.png") == ["HEAD"]


def test_dead_static_link_costs_a_head_and_the_delayed_get(httpserver: HTTPServer) -> None:
    """A HEAD 404 is confirmed by a GET: the second look when there is one (a GET
    at once as well would ask the same question twice), else at once."""
    httpserver.expect_request("/gone.jpg").respond_with_data("", status=404)
    httpserver.expect_request("/gone.pdf").respond_with_data("", status=404)
    jpg, pdf = httpserver.url_for("/gone.jpg"), httpserver.url_for("/gone.pdf")
    delayed = check([jpg], recheck_delay=0.05)[jpg]
    at_once = check([pdf], recheck_delay=None)[pdf]
    assert (delayed.ok, delayed.error, delayed.status) == (False, LinkError.HTTP, 404)
    assert (at_once.ok, at_once.error, at_once.status) == (False, LinkError.HTTP, 404)
    assert methods(httpserver, "/gone.jpg") == ["HEAD", "GET"]
    assert methods(httpserver, "/gone.pdf") == ["HEAD", "GET"]


def test_head_forbidden_is_confirmed_by_get_at_once(httpserver: HTTPServer) -> None:
    """403 to HEAD is a refusal of HEAD (hot-link rules, WAFs), not a verdict."""
    httpserver.expect_request("/a.png", method="HEAD").respond_with_data("", status=403)
    httpserver.expect_request("/a.png", method="GET").respond_with_data(b"\x89PNG", content_type="image/png")
    url = httpserver.url_for("/a.png")

    async def run() -> dict[str, LinkStatus]:
        # the second look is 10 minutes away: only a GET at once ends within 10 s
        return await asyncio.wait_for(LinkChecker(config(recheck_delay=600.0)).check([url]), 10)

    assert asyncio.run(run())[url].ok
    assert methods(httpserver, "/a.png") == ["HEAD", "GET"]


def test_host_without_head_gets_get_only(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a.pdf", method="HEAD").respond_with_data("", status=501)
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        httpserver.expect_request(f"/{name}", method="GET").respond_with_data(
            b"%PDF", content_type="application/pdf"
        )

    async def run() -> dict[str, LinkStatus]:
        async with LinkChecker(config()) as checker:
            first = await checker.check([httpserver.url_for("/a.pdf")])
            return first | await checker.check(
                [httpserver.url_for(p) for p in ("/b.pdf", "/c.pdf")]
            )

    assert all(s.ok for s in asyncio.run(run()).values())
    assert [(req.method, req.path) for req, _ in httpserver.log] == [
        ("HEAD", "/a.pdf"),
        ("GET", "/a.pdf"),
        ("GET", "/b.pdf"),
        ("GET", "/c.pdf"),
    ]


def test_attachment_answering_html_is_checked_with_get(httpserver: HTTPServer) -> None:
    """A CMS that answers a missing .pdf with an HTML 'file not found' page."""
    httpserver.expect_request("/f.pdf").respond_with_data(
        "<title>提示信息</title><p>文件不存在</p>", content_type="text/html; charset=utf-8"
    )
    url = httpserver.url_for("/f.pdf")
    status = check([url], recheck_delay=None)[url]
    assert (status.ok, status.error) == (False, LinkError.SOFT_404)
    assert methods(httpserver, "/f.pdf") == ["HEAD", "GET"]


def test_get_body_is_bounded(httpserver: HTTPServer) -> None:
    big = "<title>大页面</title>" + "内容" * 200_000
    httpserver.expect_request("/big.html").respond_with_data(big, content_type="text/html")
    url = httpserver.url_for("/big.html")
    assert check([url], body_limit=4096)[url].ok


# --------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------


def test_chinese_and_query_urls(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/新闻/a.html").respond_with_data(
        "<title>新闻</title>x", content_type="text/html"
    )
    httpserver.expect_request(
        "/search", query_string={"q": "政府 公开", "page": "2"}
    ).respond_with_data("<title>搜索</title>x", content_type="text/html")
    raw = httpserver.url_for("/新闻/a.html")
    encoded = httpserver.url_for("/%E6%96%B0%E9%97%BB/a.html")
    query = httpserver.url_for("/search") + "?q=%E6%94%BF%E5%BA%9C%20%E5%85%AC%E5%BC%80&page=2"
    raw_query = httpserver.url_for("/search") + "?q=政府 公开&page=2"
    result = check([raw, encoded, query, raw_query])
    assert all(s.ok for s in result.values()), result


# --------------------------------------------------------------------------
# recheck and keep-alive resets
# --------------------------------------------------------------------------


def test_a_link_failing_once_is_rechecked_and_not_reported(httpserver: HTTPServer) -> None:
    calls = Counter[str]()

    def flaky(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return Response("busy", status=503)
        return Response("<title>ok</title>x", content_type="text/html")

    httpserver.expect_request("/flaky").respond_with_handler(flaky)
    url = httpserver.url_for("/flaky")
    status = check([url], recheck_delay=0.05)[url]
    assert status.ok and calls["n"] == 2


def test_no_recheck_when_disabled(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data("", status=404)
    url = httpserver.url_for("/x")
    assert check([url], recheck_delay=None)[url].status == 404
    assert methods(httpserver, "/x") == ["GET"]


class KeepAliveDropServer:
    """Answers the first request of each connection with keep-alive, then drops the
    connection when the client sends a second request on it without answering: what
    a server does when it closes an idle connection just as the client reuses it."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests: list[tuple[int, str]] = []  # (connection number, path)
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        number = 0
        while not self._stop:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            number += 1
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn:
            served = 0
            buf = b""
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buf += data
                while b"\r\n\r\n" in buf:
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    path = head.split(b" ", 2)[1].decode()
                    self.requests.append((number, path))
                    if served:
                        return  # drop the reused connection without an answer
                    served += 1
                    body = b"<title>ok</title>fine"
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: keep-alive\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                    )

    def close(self) -> None:
        self._stop = True
        self.listener.close()


def test_keep_alive_reset_is_retried_at_once() -> None:
    server = KeepAliveDropServer()
    try:
        urls = [f"http://127.0.0.1:{server.port}/p{i}" for i in range(4)]
        # one at a time, so each next link reuses the kept-alive connection;
        # no recheck, so only the immediate retry can save the link
        result = check(urls, per_host=1, recheck_delay=None)
    finally:
        server.close()
    assert all(s.ok for s in result.values()), result
    paths = Counter(path for _, path in server.requests)
    assert paths["/p0"] == 1
    assert sum(paths.values()) == 7  # p1..p3 each dropped once on a reused connection


class _KeepAliveHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, like nginx: 404 pages, images, a redirect."""

    protocol_version = "HTTP/1.1"
    server: _CountingServer

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        if self.path.startswith("/old/"):
            status, body, kind = 301, b"<html>Moved Permanently</html>", "text/html"
        elif self.path.startswith("/img/"):
            status, body, kind = 200, b"\x89PNG" + bytes(2000), "image/png"
        else:
            status, body, kind = 404, b"<html><title>404 Not Found</title></html>", "text/html"
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/img/moved.png")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _KeepAliveHandler)
        self.lock = threading.Lock()
        self.connections = 0


def test_checks_one_after_another_share_one_connection() -> None:
    """HEAD answers, redirects and short bodies the checker does not need are read
    to their end: httpcore keeps a connection only then, and a new connection per
    check is a cost to the audited server (and was 1,184 connections for 7,227
    requests on the links benchmark)."""
    server = _CountingServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        urls = [f"{base}/gone/{i}.jpg" for i in range(5)]  # HEAD 404, then GET 404
        urls += [f"{base}/gone/{i}.html" for i in range(5)]  # GET 404
        urls += [f"{base}/old/{i}.png" for i in range(5)]  # HEAD 301 -> HEAD 200
        urls += [f"{base}/a.pdf"]  # HEAD 404 -> GET 404
        result = check(urls, per_host=1, concurrency=1, recheck_delay=None)
    finally:
        server.shutdown()
        server.server_close()
    assert [u for u, s in result.items() if s.ok] == [f"{base}/old/{i}.png" for i in range(5)]
    assert server.connections == 1


# --------------------------------------------------------------------------
# limits
# --------------------------------------------------------------------------


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_per_host_and_global_concurrency(threaded_server: HTTPServer) -> None:
    lock = threading.Lock()
    active: Counter[str] = Counter()
    peak: Counter[str] = Counter()

    def slow(request: Request) -> Response:
        host = request.host.split(":")[0]
        with lock:
            active[host] += 1
            active["*"] += 1
            peak[host] = max(peak[host], active[host])
            peak["*"] = max(peak["*"], active["*"])
        time.sleep(0.05)
        with lock:
            active[host] -= 1
            active["*"] -= 1
        return Response("<title>ok</title>x", content_type="text/html")

    threaded_server.expect_request("/p").respond_with_handler(slow)
    port = threaded_server.port
    hosts = ("a.test", "b.test", "c.test")
    urls = [f"http://{h}:{port}/p?i={i}" for h in hosts for i in range(8)]
    resolver = resolver_for(dict.fromkeys(hosts, "127.0.0.1"))
    result = check(urls, per_host=2, concurrency=5, resolver=resolver)
    assert all(s.ok for s in result.values())
    assert all(1 <= peak[h] <= 2 for h in hosts), peak
    assert peak["*"] <= 5


def test_referer_is_sent_for_hot_link_protected_files(httpserver: HTTPServer) -> None:
    page = httpserver.url_for("/zwgk/index.html")

    def protected(request: Request) -> Response:
        if request.headers.get("Referer") != page:
            return Response("hot-linking forbidden", status=403)
        return Response(b"%PDF-1.4", content_type="application/pdf")

    httpserver.expect_request("/files/a.pdf").respond_with_handler(protected)
    url = httpserver.url_for("/files/a.pdf")

    async def run() -> tuple[LinkStatus, LinkStatus]:
        # two runs: within one, a URL is checked once whatever the referer
        async with LinkChecker(config(recheck_delay=None)) as checker:
            with_page = await checker.check([url], referers={url: page})
        async with LinkChecker(config(recheck_delay=None)) as checker:
            without = await checker.check([url])
        return with_page[url], without[url]

    with_page, without = asyncio.run(run())
    assert with_page.ok
    assert (without.ok, without.status) == (False, 403)


def test_on_result_is_called_once_per_url(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("<title>a</title>", content_type="text/html")
    url = httpserver.url_for("/a")
    seen: list[LinkStatus] = []
    asyncio.run(LinkChecker(config()).check([url, url], on_result=seen.append))
    assert [s.url for s in seen] == [url]


# --------------------------------------------------------------------------
# address policy and deny-list
# --------------------------------------------------------------------------


def test_private_addresses_are_not_fetched(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/secret").respond_with_data("secret")
    url = httpserver.url_for("/secret")
    status = check([url], policy=AddressPolicy())[url]
    assert (status.ok, status.checked, status.error) == (False, False, None)
    assert status.detail.startswith(NOT_CHECKED_POLICY) and "loopback" in status.detail
    assert httpserver.log == []


def test_policy_applies_on_every_redirect_hop(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hop").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.1:{httpserver.port}/secret"}
    )
    httpserver.expect_request("/secret").respond_with_data("secret")
    url = f"http://site.test:{httpserver.port}/hop"
    policy = AddressPolicy.for_site("http://site.test/")  # the site lives on loopback by name
    status = check([url], policy=policy, resolver=resolver_for({"site.test": "127.0.0.1"}))[url]
    assert (status.checked, status.final_url) == (
        False,
        f"http://127.0.0.1:{httpserver.port}/secret",
    )
    assert [req.path for req, _ in httpserver.log] == ["/hop"]


def test_denied_hosts_are_never_contacted(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/to-conac").respond_with_data(
        "", status=302, headers={"Location": "http://bszs.conac.cn/sitename?method=show&id=1"}
    )
    direct = "http://bszs.conac.cn/sitename?method=show&id=1"
    sub = "https://www.beian.gov.cn/portal"
    via = httpserver.url_for("/to-conac")
    result = check(
        [direct, sub, via],
        deny_hosts=frozenset({"bszs.conac.cn", "beian.gov.cn"}),
        resolver=resolver_for(
            {"localhost": "127.0.0.1"}, forbidden=("bszs.conac.cn", "www.beian.gov.cn")
        ),
    )
    for url in (direct, sub, via):
        assert (result[url].ok, result[url].checked, result[url].error) == (False, False, None)
        assert result[url].detail.startswith(NOT_CHECKED_DENIED)


def test_deny_list_matches_idn_hosts_in_their_ascii_form() -> None:
    idn = "http://北京市人民政府.政务/"
    ascii_host = "北京市人民政府.政务".encode("idna").decode()
    result = check(
        [idn],
        deny_hosts=frozenset({ascii_host}),
        resolver=resolver_for({}, forbidden=(ascii_host,)),
    )
    assert result[idn].detail.startswith(NOT_CHECKED_DENIED)
    unicode_deny = check(
        [idn],
        deny_hosts=frozenset({"北京市人民政府.政务."}),
        resolver=resolver_for({}, forbidden=(ascii_host,)),
    )
    assert unicode_deny[idn].detail.startswith(NOT_CHECKED_DENIED)


def test_non_http_urls_are_not_checked() -> None:
    result = check(["mailto:a@b.cn", "http://"])
    assert not any(s.checked for s in result.values())


# --------------------------------------------------------------------------
# detections
# --------------------------------------------------------------------------

HOME = "http://www.example.gov.cn/"


def test_link_detections() -> None:
    dead = "http://www.example.gov.cn/dead.html"
    ext = "http://other.example.org/x.pdf"
    blocked = "http://waf.example.org/"
    denied = "http://bszs.conac.cn/"
    private = "http://10.0.0.1/"
    good = "http://www.example.gov.cn/ok.html"
    occurrences = {
        dead: [
            ("http://www.example.gov.cn/b.html", Element.A),
            (HOME, Element.A),
            ("http://www.example.gov.cn/a.html", Element.IMG),
        ],
        ext: [("http://www.example.gov.cn/a.html", Element.A)],
        blocked: [(HOME, Element.A)],
        denied: [(HOME, Element.A)],
        private: [(HOME, Element.A)],
        good: [(HOME, Element.A)],
    }
    statuses = {
        dead: LinkStatus(
            url=dead,
            ok=False,
            status=404,
            error=LinkError.HTTP,
            redirects=("http://www.example.gov.cn/r",),
        ),
        ext: LinkStatus(url=ext, ok=False, error=LinkError.DNS, detail="NameResolutionError"),
        blocked: LinkStatus(
            url=blocked, ok=False, status=412, error=LinkError.BLOCKED, detail="http-412-challenge"
        ),
        denied: LinkStatus(url=denied, ok=False, checked=False, detail=NOT_CHECKED_DENIED + "host"),
        private: LinkStatus(
            url=private, ok=False, checked=False, detail=NOT_CHECKED_POLICY + "private"
        ),
        good: LinkStatus(url=good, ok=True, status=200),
    }
    failed, unknown = link_detections(occurrences, statuses, home_url="http://WWW.example.gov.cn")
    # sorted by URL
    assert failed == [
        LinkDetection(
            url=ext,
            status=None,
            error=LinkError.DNS,
            on_homepage=False,
            on_pages=("http://www.example.gov.cn/a.html",),
            element=Element.A,
            internal=False,
            detail="NameResolutionError",
        ),
        LinkDetection(
            url=dead,
            status=404,
            error=LinkError.HTTP,
            on_homepage=True,
            on_pages=(
                "http://www.example.gov.cn/",
                "http://www.example.gov.cn/a.html",
                "http://www.example.gov.cn/b.html",
            ),
            element=Element.A,
            internal=True,
            redirects=("http://www.example.gov.cn/r",),
        ),
    ]
    assert unknown == [
        UnknownDetection(
            url=private, reason=UnknownReason.LIMIT, detail=NOT_CHECKED_POLICY + "private"
        ),
        UnknownDetection(
            url=blocked, reason=UnknownReason.BLOCKED, detail="http-412-challenge", status=412
        ),
    ]


def test_repeated_broken_link_is_one_detection_on_both_pages() -> None:
    """linkinator's repeated-broken-link case: one URL on two pages."""
    url = "http://example.invalid/broken123"
    pages = [
        "http://127.0.0.1:8080/repeated-broken-link/pageB.html",
        "http://127.0.0.1:8080/repeated-broken-link/pageA.html",
    ]
    failed, unknown = link_detections(
        {url: [(p, Element.A) for p in pages]},
        {url: LinkStatus(url=url, ok=False, error=LinkError.DNS)},
        home_url="http://127.0.0.1:8080/",
    )
    assert [(d.url, d.on_pages, d.on_homepage) for d in failed] == [
        (url, tuple(sorted(pages)), False)
    ]
    assert unknown == []


# --------------------------------------------------------------------------
# certificates: an incomplete chain is not a dead link, an expired one is
# --------------------------------------------------------------------------


def _certificates(tmp_path: Path) -> dict[str, Path]:
    """root CA -> intermediate CA -> leaf for localhost, plus an expired leaf."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def utc(year: int) -> datetime.datetime:
        return datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)

    # validity is data: far from any clock this test may run under
    valid, outdated = (utc(2000), utc(2099)), (utc(2000), utc(2001))

    def make(
        name: str,
        issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
        *,
        ca: bool,
        expired: bool = False,
    ):  # type: ignore[no-untyped-def]
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        issuer_name, issuer_key = issuer if issuer else (subject, key)
        start, end = outdated if expired else valid
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False
            )
        cert = builder.sign(issuer_key, hashes.SHA256())
        return cert, key, subject

    root, root_key, root_name = make("govmon test root", None, ca=True)
    inter, inter_key, inter_name = make("govmon test intermediate", (root_name, root_key), ca=True)
    leaf, leaf_key, _ = make("localhost", (inter_name, inter_key), ca=False)
    old, old_key, _ = make("localhost", (inter_name, inter_key), ca=False, expired=True)

    def pem(*certs: x509.Certificate) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)

    def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    files = {
        "root": pem(root),
        "leaf_only": pem(leaf),
        "full_chain": pem(leaf, inter),
        "leaf_key": key_pem(leaf_key),
        "expired_chain": pem(old, inter),
        "expired_key": key_pem(old_key),
    }
    out = {}
    for name, data in files.items():
        path = tmp_path / f"{name}.pem"
        path.write_bytes(data)
        out[name] = path
    return out


@pytest.fixture
def certs(tmp_path: Path) -> dict[str, Path]:
    return _certificates(tmp_path)


def _tls_server(chain: Path, key: Path) -> HTTPServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/").respond_with_data("<title>ok</title>正文", content_type="text/html")
    server.start()
    return server


@pytest.mark.parametrize(
    ("chain", "key", "ok", "error", "lenient_note"),
    [
        ("full_chain", "leaf_key", True, None, False),
        ("leaf_only", "leaf_key", True, None, True),  # browsers fetch the intermediate
        ("expired_chain", "expired_key", False, LinkError.TLS, False),
    ],
    ids=["complete-chain", "missing-intermediate", "expired"],
)
def test_certificate_chains(
    certs: dict[str, Path],
    chain: str,
    key: str,
    ok: bool,
    error: LinkError | None,
    lenient_note: bool,
) -> None:
    server = _tls_server(certs[chain], certs[key])
    try:
        url = f"https://localhost:{server.port}/"
        status = check([url], verify_tls=str(certs["root"]), recheck_delay=None)[url]
    finally:
        server.clear()
        server.stop()
    assert (status.ok, status.error) == (ok, error), status
    assert ("certificate chain not verifiable" in status.detail) is lenient_note


def test_missing_intermediate_is_tls_error_when_not_lenient(certs: dict[str, Path]) -> None:
    server = _tls_server(certs["leaf_only"], certs["leaf_key"])
    try:
        url = f"https://localhost:{server.port}/"
        status = check(
            [url], verify_tls=str(certs["root"]), recheck_delay=None, lenient_chain=False
        )[url]
    finally:
        server.clear()
        server.stop()
    assert (status.ok, status.error) == (False, LinkError.TLS)


def test_failed_before_costs_one_delayed_get(httpserver) -> None:  # type: ignore[no-untyped-def]
    """A link the crawl already saw fail is only re-checked once, with GET."""
    import asyncio

    from probes.links import LinkCheckConfig, LinkChecker
    from probes.netguard import AddressPolicy

    httpserver.expect_request("/gone.html").respond_with_data("no", status=404)
    url = httpserver.url_for("/gone.html")
    config = LinkCheckConfig(recheck_delay=0.05, policy=AddressPolicy(allow_private=True))
    statuses = asyncio.run(LinkChecker(config).check([url], failed_before=[url]))
    assert statuses[url].status == 404 and not statuses[url].ok
    methods = [req.method for req, _ in httpserver.log]
    assert methods == ["GET"]


# --------------------------------------------------------------------------
# the queue: checks submitted as a crawl finds them
# --------------------------------------------------------------------------


def test_a_url_submitted_twice_is_checked_once(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("<title>a</title>", content_type="text/html")
    url = httpserver.url_for("/a")

    async def run() -> tuple[bool, bool, dict[str, LinkStatus]]:
        async with LinkChecker(config()) as checker:
            first = checker.submit(url)
            again = checker.submit(url, failed_at=time.monotonic())
            return first, again, await checker.settle()

    first, again, statuses = asyncio.run(run())
    assert (first, again) == (True, False)
    assert statuses[url].ok
    assert len(httpserver.log) == 1


def test_an_old_failure_is_rechecked_without_waiting_its_delay_again(httpserver: HTTPServer) -> None:
    """The delay runs from the first failure (seen by the crawl minutes ago),
    not from the submission: with a 600 s delay, a 60 s wait would fail."""
    httpserver.expect_request("/gone.html").respond_with_data("no", status=404)
    url = httpserver.url_for("/gone.html")

    async def run() -> LinkStatus:
        async with LinkChecker(config(recheck_delay=600.0)) as checker:
            checker.submit(url, failed_at=time.monotonic() - 601.0)
            return (await asyncio.wait_for(checker.settle(), timeout=60))[url]

    status = asyncio.run(run())
    assert (status.ok, status.status) == (False, 404)
    assert [req.method for req, _ in httpserver.log] == ["GET"]


def test_a_host_held_at_zero_is_not_contacted_until_raised(httpserver: HTTPServer) -> None:
    """While a crawl uses the whole budget of its site, the checker's share
    can be 0: the site's links wait in the queue, other hosts go on."""
    httpserver.expect_request("/a").respond_with_data("<title>a</title>", content_type="text/html")
    site = f"127.0.0.1:{httpserver.port}"
    url = httpserver.url_for("/a")
    other = url.replace("127.0.0.1", "localhost")

    async def run() -> tuple[int, list[str], dict[str, LinkStatus]]:
        async with LinkChecker(config()) as checker:
            checker.limit_host(site, 0)
            checker.submit(url)
            checker.submit(other)
            for _ in range(100):  # until the other host's check is done
                if checker._results:
                    break
                await asyncio.sleep(0.02)
            before = len(httpserver.log)
            ended = list(checker._results)
            checker.limit_host(site, 2)
            return before, ended, await checker.settle()

    before, ended, statuses = asyncio.run(run())
    assert ended == [other] and before == 1
    assert statuses[url].ok and statuses[other].ok
    assert len(httpserver.log) == 2


def test_a_host_s_first_looks_run_before_its_second_looks(httpserver: HTTPServer) -> None:
    """A crawl hands its site's URLs over at once: the pages that answered 404
    (second looks, due long ago) and the images it never fetched (first looks).
    The images go first: each failed one still needs a second look after the
    delay, while a second look ends its URL."""
    for path in ("/gone1.html", "/gone2.html", "/gone3.html"):
        httpserver.expect_request(path).respond_with_data("no", status=404)
    for path in ("/a.png", "/b.png"):
        httpserver.expect_request(path).respond_with_data("png", content_type="image/png")
    site = f"127.0.0.1:{httpserver.port}"
    gone = [httpserver.url_for(f"/gone{i}.html") for i in (1, 2, 3)]
    images = [httpserver.url_for(p) for p in ("/a.png", "/b.png")]

    async def run() -> dict[str, LinkStatus]:
        async with LinkChecker(config(recheck_delay=0.01)) as checker:
            checker.limit_host(site, 0)
            for url in gone:
                checker.submit(url, failed_at=time.monotonic() - 1.0)
            await asyncio.sleep(0.05)  # the second looks are due and waiting
            for url in images:
                checker.submit(url)
            checker.limit_host(site, 1)  # one at a time: the order is the queue's
            return await checker.settle()

    statuses = asyncio.run(run())
    assert [req.path for req, _ in httpserver.log] == ["/a.png", "/b.png", "/gone1.html", "/gone2.html",
                                                       "/gone3.html"]
    assert [statuses[u].ok for u in (*images, *gone)] == [True, True, False, False, False]


def test_a_host_limit_in_use_cannot_be_lowered(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("ok")
    url = httpserver.url_for("/a")

    async def run() -> None:
        async with LinkChecker(config(per_host=4)) as checker:
            checker.submit(url)
            await checker.settle()
            with pytest.raises(ValueError, match="cannot lower"):
                checker.limit_host(f"127.0.0.1:{httpserver.port}", 1)

    asyncio.run(run())


def test_many_queued_urls_run_as_few_tasks(threaded_server: HTTPServer) -> None:
    """A big site submits 100,000 links: only ``concurrency`` of them are
    tasks at a time, the rest wait as queue entries."""
    threaded_server.expect_request("/p").respond_with_data("<title>ok</title>x", content_type="text/html")
    urls = [f"{threaded_server.url_for('/p')}?i={i}" for i in range(300)]
    seen: list[int] = []

    async def run() -> dict[str, LinkStatus]:
        async with LinkChecker(config(concurrency=6, per_host=6)) as checker:
            for url in urls:
                checker.submit(url)

            def on_result(_status: LinkStatus) -> None:
                checks = [t for t in asyncio.all_tasks()
                          if not t.done() and t.get_coro().__qualname__ == "LinkChecker._run"]
                seen.append(len(checks))

            return await checker.settle(on_result)

    statuses = asyncio.run(run())
    assert len(statuses) == 300 and all(s.ok for s in statuses.values())
    assert 1 <= max(seen) <= 6


def test_a_finished_check_frees_its_slot_at_once(httpserver: HTTPServer) -> None:
    """The next queued check starts as the last one ends: a check that ended
    still counted as running while it started the next one, so at concurrency 1
    the queue stalled for good."""
    httpserver.expect_request("/p").respond_with_data("<title>ok</title>x", content_type="text/html")
    urls = [f"{httpserver.url_for('/p')}?i={i}" for i in range(12)]

    async def run() -> dict[str, LinkStatus]:
        async with LinkChecker(config(concurrency=1, per_host=1)) as checker:
            return await asyncio.wait_for(checker.check(urls), 10)

    statuses = asyncio.run(run())
    assert len(statuses) == 12 and all(s.ok for s in statuses.values())
