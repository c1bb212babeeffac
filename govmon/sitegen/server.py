"""Serve a generated portal on loopback, with the special routes link and probe tests need.

Special routes (any portal, also an empty one; a trailing ``/anything`` is allowed,
so that many distinct URLs share one behaviour):

=====================  =====================================================
``/_status/<code>``    answers ``<code>`` with a small body
``/_delay/<seconds>``  sleeps, then answers 200 (woken early when the server stops)
``/_trickle/<n>``      announces ``n`` bytes and sends one per second
``/_redirect/<n>``     302 to ``/_redirect/<n-1>`` ... ``/_redirect/0`` answers 200
``/_loop/a``, ``/_loop/b``  redirect to each other forever
``/_reset``            closes the connection without answering (RST)
``/_head405``          HEAD → 405, GET → 200
``/_soft404``          200 with 页面不存在
``/_waf412``           瑞数-style 412 challenge (``$_ts``, ``<script r='m'>``)
``/_waf521``           加速乐 521 challenge
``/_flaky/<n>``        the first ``n`` requests of this exact URL answer 503, later ones 200
=====================  =====================================================

``write_portal`` writes the same site to files for nginx; what nginx cannot do
from plain files is listed in the ``_special.json`` it writes beside them.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from govmon.sitegen import render
from govmon.sitegen.build import Portal, Resource, build_portal, normalise
from govmon.sitegen.model import GroundTruth, PortalSpec, absolute

log = logging.getLogger(__name__)

_ROUTE = re.compile(
    r"^/_(status|delay|trickle|redirect|loop|reset|head405|soft404|waf412|waf521|flaky)"
    r"(?:/([^/?]*))?"
)
_NOT_FOUND = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
    b"<body><h1>404 Not Found</h1></body></html>"
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: benchmarks open dozens of connections at once; the default backlog of 5 drops SYNs
    request_queue_size = 256

    def __init__(self, addr: tuple[str, int], portal: Portal | None) -> None:
        self.portal = portal
        self.stopping = threading.Event()
        self.hits: dict[str, int] = {}  # per-path request counts for /_flaky
        self.hits_lock = threading.Lock()
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        super().__init__(addr, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a timed-out checker, a killed crawl) is normal
        here; anything else is still printed."""
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    #: headers and body go out in two writes; with Nagle on, keep-alive requests would
    #: wait 40 ms for the delayed ACK each (22 requests/s instead of hundreds)
    disable_nagle_algorithm = True
    server: _Server
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    # ------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        headers: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (),
        *,
        head: bool,
    ) -> None:
        self.send_response(status)
        has_type = False
        for key, value in headers:
            has_type |= key.lower() == "content-type"
            self.send_header(key, value)
        if not has_type:
            self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _answer(self, *, head: bool) -> None:
        path = self.path
        if "://" in path:  # absolute-form request target
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        m = _ROUTE.match(path)
        if m:
            self._special(m.group(1), m.group(2) or "", path, head=head)
            return
        portal = self.server.portal
        resource: Resource | None = None
        if portal is not None:
            try:
                resource = portal.resources.get(path) or portal.resources.get(unquote(path))
            except Exception:  # a generator bug must not kill the server thread
                log.exception("rendering %s failed", path)
                self._send(500, b"generator error", head=head)
                return
        if resource is None:
            self._send(404, _NOT_FOUND, head=head)
            return
        self._send(resource.status, resource.body, resource.headers, head=head)

    def _special(self, route: str, arg: str, path: str, *, head: bool) -> None:
        stop = self.server.stopping
        if route == "status":
            code = int(arg) if arg.isdigit() else 500
            self._send(code, f"<html><body>status {code}</body></html>".encode(), head=head)
        elif route == "delay":
            try:
                seconds = float(arg)
            except ValueError:
                seconds = 1.0
            if stop.wait(seconds):
                self.close_connection = True
                return
            self._send(200, b"<html><body>late</body></html>", head=head)
        elif route == "trickle":
            n = int(arg) if arg.isdigit() else 10
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            if head:
                return
            for _ in range(n):
                self.wfile.write(b".")
                self.wfile.flush()
                if stop.wait(1.0):
                    self.close_connection = True
                    return
        elif route == "redirect":
            n = int(arg) if arg.isdigit() else 1
            query = path.partition("?")[2]
            if n <= 0:
                self._send(200, b"<html><body>arrived</body></html>", head=head)
            else:
                target = f"/_redirect/{n - 1}" + (f"?{query}" if query else "")
                self._send(302, b"", [("Location", target)], head=head)
        elif route == "loop":
            query = path.partition("?")[2]
            other = "b" if arg == "a" else "a"
            target = f"/_loop/{other}" + (f"?{query}" if query else "")
            self._send(302, b"", [("Location", target)], head=head)
        elif route == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif route == "head405":
            if head:
                self._send(405, b"", [("Allow", "GET")], head=True)
            else:
                self._send(200, "<html><body>正常页面</body></html>".encode(), head=False)
        elif route == "flaky":
            n = int(arg) if arg.isdigit() else 1
            with self.server.hits_lock:
                seen = self.server.hits.get(path, 0)
                self.server.hits[path] = seen + 1
            if seen < n:
                self._send(503, b"<html><body>busy</body></html>", head=head)
            else:
                self._send(200, "<html><body>正常页面</body></html>".encode(), head=head)
        elif route == "soft404":
            self._send(200, render.SOFT_404.encode("utf-8"), head=head)
        elif route == "waf412":
            self._send(
                412,
                render.WAF_412.encode("utf-8"),
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Set-Cookie", "FSSBBIl1UgzbN7NO=5b1Ghx0g; Path=/"),
                ],
                head=head,
            )
        else:  # waf521
            self._send(
                521,
                render.WAF_521.encode("utf-8"),
                [("Content-Type", "text/html"), ("Server", "jiasule-WAF")],
                head=head,
            )


@contextmanager
def serve(portal: Portal | None = None, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``portal`` (or only the special routes) and yield its base URL, e.g.
    ``http://127.0.0.1:43121``; the server stops when the block ends."""
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise ValueError("the generated portals are served on loopback only")
    server = _Server((host, port), portal)
    thread = threading.Thread(target=server.serve_forever, name="sitegen", daemon=True)
    thread.start()
    bound = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    try:
        yield f"http://{shown}:{bound}"
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True, slots=True)
class Served:
    """A scenario being served: the portal, its base URL and the "external" server's."""

    portal: Portal
    base: str
    external: str

    @property
    def truth(self) -> GroundTruth:
        return self.portal.truth

    def url(self, path: str) -> str:
        """A truth URL (site-relative or absolute) as an absolute URL."""
        return absolute(self.base, path)


@contextmanager
def serve_scenario(
    scenario: str | Callable[..., PortalSpec],
    as_of: date,
    *,
    seed: int = 0,
    host: str = "127.0.0.1",
    **options: Any,
) -> Iterator[Served]:
    """Serve a named scenario (``scenarios.SCENARIOS``) with its external server.

    The one-liner for end-to-end tests and the demo::

        with serve_scenario("standard", date(2026, 11, 25)) as site:
            crawl(site.base) ...  compare with site.truth.to_dict(site.base)
    """
    from govmon.sitegen.scenarios import SCENARIOS

    make = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
    with serve(None, host=host) as external:
        spec = make(as_of, seed=seed, external_base=external, **options)
        portal = build_portal(spec)
        with serve(portal, host=host) as base:
            yield Served(portal=portal, base=base, external=external)


def write_portal(portal: Portal, directory: str | Path) -> Path:
    """Write the portal's files under ``directory`` (for nginx) and return it.

    Files are written at their paths (``/x/`` as ``x/index.html``).  Resources that
    files cannot express (non-200 status, query strings, odd charsets) and the
    special routes are listed in ``_special.json``; ``_nginx.conf`` holds
    ``location`` blocks returning those statuses, to ``include`` in a server block.
    Trap URLs and special routes still need the Python server (``serve``).
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    special: list[dict[str, Any]] = []
    nginx: list[str] = []
    for path in portal.resources:
        res = portal.resources[path]
        ctype = res.header("Content-Type") or ""
        if "?" in path or ";" in path:
            special.append({"path": path, "status": res.status, "reason": "query string"})
            continue
        if res.status != 200:
            special.append({"path": path, "status": res.status, "reason": "status"})
            nginx.append(f"location = {path} {{ return {res.status}; }}")
            continue
        if "charset=" in ctype and ctype.split("charset=")[1] != portal.spec.encoding:
            special.append({"path": path, "status": 200, "reason": f"header {ctype}"})
        target = root / normalise(path).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(res.body)
    special.append(
        {
            "routes": "/_status /_delay /_trickle /_redirect /_loop /_reset "
            "/_head405 /_soft404 /_waf412 /_waf521: Python server only"
        }
    )
    (root / "_special.json").write_text(json.dumps(special, ensure_ascii=False, indent=1), "utf-8")
    charset = "gbk" if portal.spec.encoding.lower() != "utf-8" else "utf-8"
    nginx.insert(0, f"charset {charset};")
    (root / "_nginx.conf").write_text("\n".join(nginx) + "\n", "utf-8")
    return root
