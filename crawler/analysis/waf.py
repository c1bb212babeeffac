"""Recognise answers of anti-bot layers (WAF challenges, rate limits).

Government sites sit behind 瑞数 (HTTP 412 with an inline ``$_ts`` script and
``<script r='m'>``), 加速乐 (HTTP 521 with a cookie-setting script), challenge
pages answered with 202, and rate limiters (429, some 403).  Such an answer
says nothing about the site: the crawler, the link checker and the probes all
report it as *blocked* (unknown), never as dead, blank or down.  This module is
the one place that decides it, from the status, the headers and the start of
the body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Markers of a JavaScript challenge in a body (checked case-insensitively).
_CHALLENGE = re.compile(
    r"\$_ts\s*=|<script[^>]*\br=['\"]?m['\"]?|__jsl_clearance|_jsluid|"
    r"document\.cookie\s*=.{0,200}location|challenge-platform|cf-chl-|"
    r"waf\s*(?:block|拦截)|安全狗|云锁|访问被拦截|您的访问被阻断|请求被拦截|"
    r"访问频率过快|请开启JavaScript|请启用JavaScript|your request has been blocked|已被网站管理员设置拦截",
    re.IGNORECASE | re.DOTALL,
)
#: A 200 answer is only a challenge with one of these (202-then-200 flows).
_SCRIPT_CHALLENGE_MARKS = ("$_ts", "r='m'", 'r="m"', "r=m", "__jsl_clearance", "_jsluid", "cf-chl",
                           "challenge-platform", "document.cookie")
_WAF_HEADERS = ("x-waf", "x-safe-firewall", "x-jsl", "x-yd-waf", "x-tengine-error")
_WAF_SERVERS = re.compile(r"jiasule|yunjiasu|cloudflare|safedog|waf|yundun|360wz|anquanbao|safeline", re.IGNORECASE)
#: Statuses that anti-bot layers use; 412/521/202 only count with a challenge
#: marker, 429 always (it says "too many requests", not "missing").
_ALWAYS_BLOCKED = frozenset({429})
_CHALLENGE_STATUSES = frozenset({200, 202, 403, 405, 412, 418, 468, 503, 521})


def challenge_reason(status: int, headers: Mapping[str, str] | None, body_start: str) -> str | None:
    """Why an answer is an anti-bot answer, or None when it is a real answer.

    ``body_start`` needs only the first few KB of the decoded body.  Returns a
    short reason such as ``"http-412-challenge"`` for the report.
    """
    if status in _ALWAYS_BLOCKED:
        return f"http-{status}-rate-limited"
    if status != 521 and status not in _CHALLENGE_STATUSES:
        return None  # a 404 or a 301 says what it says
    head = body_start[:8192]
    if status == 200 and not any(m in head for m in _SCRIPT_CHALLENGE_MARKS):
        return None  # the common case, decided without the big regex
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    header_hit = any(h in lowered for h in _WAF_HEADERS) or bool(
        _WAF_SERVERS.search(lowered.get("server", ""))
    )
    if status == 521:
        return "http-521-challenge" if header_hit or _CHALLENGE.search(head) else None
    if _CHALLENGE.search(head):
        # A 200 page that is only a challenge script (202-then-200 flows) is
        # blocked too, but only when it carries almost no text of its own.
        if status == 200 and len(_strip_tags(body_start)) > 400:
            return None
        return f"http-{status}-challenge"
    if status in (403, 405, 412, 468) and header_hit:
        return f"http-{status}-waf"
    return None


_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def _strip_tags(html: str) -> str:
    return re.sub(r"\s+", "", _TAGS.sub("", html))
