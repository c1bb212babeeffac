"""A generated portal with known dead links, served on 127.0.0.1, for the link
checker benchmark (govmon vs LinkChecker, linkinator, lychee).

``python -m benchmarks.links.site --pages 2000 --port 8765 --manifest out/manifest.json``
serves the site until interrupted and writes the ground truth: every linked URL
with what a careful person would say about it (``ok``, ``dead`` or ``unknown``).
The server closes idle keep-alive connections after ``--idle`` seconds, as many
government servers do, which is what makes naive checkers report live links dead.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

SLOW_SECONDS = 30.0  # longer than every tool's 15 s timeout

#: fault path -> (expected verdict, share of pages carrying one)
FAULTS: dict[str, tuple[str, float]] = {
    "status404": ("dead", 0.03),
    "status500": ("dead", 0.01),
    "slow": ("dead", 0.002),
    "loop": ("dead", 0.005),
    "soft404": ("dead", 0.01),
    "gone.pdf": ("dead", 0.02),
    "cms.pdf": ("dead", 0.01),  # missing attachment answered by an HTML 200 "文件不存在"
    "waf412": ("unknown", 0.01),  # an anti-bot challenge: not dead, not ok
    "ratelimit": ("unknown", 0.005),
    "head405.pdf": ("ok", 0.02),  # HEAD refused, GET fine
    "head404.jpg": ("ok", 0.02),  # HEAD wrongly 404, GET fine
    "moved": ("ok", 0.03),  # 301 to a live page
    "login": ("ok", 0.005),  # 401 behind a login
}


@dataclass
class Site:
    pages: int
    port: int
    refused_port: int
    seed: int = 1
    truth: dict[str, str] = field(default_factory=dict)

    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page_links(self, i: int) -> list[tuple[str, str, str]]:
        """(tag, root-relative or absolute URL, expected verdict) of page ``i``."""
        rng = random.Random(self.seed * 1_000_003 + i)
        links = [("a", f"/p/{(i + k * 7) % self.pages}.html", "ok") for k in range(1, 21)]
        links += [("img", f"/img/{rng.randrange(200)}.png", "ok") for _ in range(10)]
        links += [("a", f"/files/{rng.randrange(500)}.pdf", "ok") for _ in range(5)]
        links.append(("a", f"/新闻/{rng.randrange(100)}.html", "ok"))  # raw Chinese path
        links.append(("script", "/js/site.js", "ok"))
        links.append(("link", "/css/site.css", "ok"))
        for name, (verdict, share) in FAULTS.items():
            if rng.random() < share:
                links.append(("a", f"/fault/{i}/{name}", verdict))
        if rng.random() < 0.005:
            links.append(("a", f"http://127.0.0.1:{self.refused_port}/closed/{i}", "dead"))
        return links

    def page_html(self, i: int) -> str:
        body = []
        for tag, url, _verdict in self.page_links(i):
            if tag == "img":
                body.append(f'<img src="{url}" alt="图片">')
            elif tag == "script":
                body.append(f'<script src="{url}"></script>')
            elif tag == "link":
                body.append(f'<link rel="stylesheet" href="{url}">')
            else:
                body.append(f'<a href="{url}">链接 {url[-12:]}</a>')
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>第{i}页_某某市人民政府</title>"
            "</head><body><h1>某某市人民政府</h1><ul>"
            + "".join(f"<li>{x}</li>" for x in body)
            + "<p>"
            + "政务公开内容。" * 40
            + "</p></body></html>"
        )

    def build_truth(self) -> dict[str, str]:
        """Every linked URL, percent-encoded as browsers send it, and its verdict."""
        truth: dict[str, str] = {}
        for i in range(self.pages):
            for _tag, url, verdict in self.page_links(i):
                absolute = url if url.startswith("http") else self.base() + quote(url)
                truth[absolute] = verdict
        self.truth = truth
        return truth


def make_handler(site: Site, idle: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = idle  # idle keep-alive connections are closed after this

        def log_message(self, *args: object) -> None:
            pass

        def _send(
            self,
            status: int,
            body: bytes = b"",
            ctype: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            # lets LinkChecker lift its 10 requests/s per-host limit (its documented
            # opt-in for one's own servers), so all tools run at full speed
            self.send_header("LinkChecker", "benchmark")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            parts = path.strip("/").split("/")
            if path in ("/", "/index.html"):
                return self._send(200, site.page_html(0).encode())
            if parts[0] == "p" and len(parts) == 2 and parts[1].endswith(".html"):
                try:
                    n = int(parts[1][:-5])
                except ValueError:
                    return self._send(404, b"not found")
                if 0 <= n < site.pages:
                    return self._send(200, site.page_html(n).encode())
                return self._send(404, b"not found")
            if parts[0] == "img":
                return self._send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, "image/png")
            if parts[0] == "files":
                return self._send(200, b"%PDF-1.4\n" + b"0" * 20000, "application/pdf")
            if parts[0] == "新闻":
                return self._send(200, "<title>新闻</title><p>正文</p>".encode())
            if parts[0] in ("js", "css"):
                return self._send(
                    200, b"/* ok */", "text/css" if parts[0] == "css" else "application/javascript"
                )
            if parts[0] == "fault" and len(parts) == 3:
                return self._fault(parts[1], parts[2])
            return self._send(404, b"<title>404 Not Found</title>")

        def _fault(self, page: str, name: str) -> None:
            head = self.command == "HEAD"
            if name == "status404":
                return self._send(404, b"<title>404</title>")
            if name == "status500":
                return self._send(500, b"<title>500</title>")
            if name == "slow":
                time.sleep(SLOW_SECONDS)
                return self._send(200, b"<title>late</title>")
            if name == "loop":
                return self._send(302, headers={"Location": f"/fault/{page}/loop2"})
            if name == "loop2":
                return self._send(302, headers={"Location": f"/fault/{page}/loop"})
            if name == "soft404":
                return self._send(
                    200, "<title>页面不存在</title><p>抱歉，您访问的页面不存在</p>".encode()
                )
            if name == "gone.pdf":
                return self._send(404, b"")
            if name == "cms.pdf":
                return self._send(200, "<title>提示</title><p>文件不存在</p>".encode())
            if name == "waf412":
                return self._send(
                    412, b"<script>$_ts=window['$_ts'];</script><script r='m'></script>"
                )
            if name == "ratelimit":
                return self._send(429, b"too many requests")
            if name == "head405.pdf":
                return self._send(405) if head else self._send(200, b"%PDF-1.4", "application/pdf")
            if name == "head404.jpg":
                return self._send(404) if head else self._send(200, b"\xff\xd8\xff", "image/jpeg")
            if name == "moved":
                return self._send(301, headers={"Location": f"/p/{page}.html"})
            if name == "login":
                return self._send(401, b"login", headers={"WWW-Authenticate": 'Basic realm="oa"'})
            return self._send(404, b"")

    return Handler


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--idle", type=float, default=2.0, help="keep-alive idle timeout (s)")
    parser.add_argument("--manifest", type=Path, required=True)
    args = parser.parse_args()
    site = Site(pages=args.pages, port=args.port, refused_port=closed_port())
    truth = site.build_truth()
    args.manifest.parent.mkdir(parents=True, exist_ok=True)
    args.manifest.write_text(
        json.dumps(
            {"start": f"{site.base()}/index.html", "truth": truth}, ensure_ascii=False, indent=1
        )
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(site, args.idle))
    server.daemon_threads = True
    print(f"serving {args.pages} pages on {site.base()}/ ({len(truth)} distinct links)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    threading.current_thread().name = "site"
    main()
