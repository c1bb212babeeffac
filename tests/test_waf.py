"""Anti-bot answers are recognised as blocked, real answers are not (table-driven)."""

from __future__ import annotations

import pytest

from crawler.analysis.waf import challenge_reason

RUISHU = "<html><head><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};</script><script r='m'>x</script></head></html>"
JSL = "<script>document.cookie=('__jsl_clearance=1');location.href=location.pathname</script>"

CASES = [
    ("412 瑞数", 412, {}, RUISHU, "http-412-challenge"),
    ("521 加速乐", 521, {}, JSL, "http-521-challenge"),
    ("202 challenge", 202, {}, JSL, "http-202-challenge"),
    ("429 rate limit", 429, {}, "Too Many Requests", "http-429-rate-limited"),
    ("403 WAF server", 403, {"Server": "yundun"}, "Forbidden", "http-403-waf"),
    ("405 Aliyun page", 405, {}, "Sorry, your request has been blocked", "http-405-challenge"),
    ("安全狗", 403, {}, "您的请求带有不合法参数，已被网站管理员设置拦截", "http-403-challenge"),
    ("plain 404", 404, {}, "<title>404 Not Found</title>", None),
    ("plain 403", 403, {"Server": "nginx"}, "<h1>403 Forbidden</h1>", None),
    ("plain 500", 500, {}, "Internal Server Error", None),
    ("real page mentioning $_ts", 200, {}, "<p>" + "正文内容" * 200 + "$_ts=1</p>", None),
]


@pytest.mark.parametrize(("status", "headers", "body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_challenge_reason(status: int, headers: dict[str, str], body: str, expected: str | None) -> None:
    assert challenge_reason(status, headers, body) == expected
