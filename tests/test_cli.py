"""The command line: help for every command, one-line errors, nothing stored on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from govmon.cli import main
from govmon.store.repo import Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "sites.example.yaml"

COMMANDS = [
    [], ["audit"], ["probe"], ["sites"], ["sites", "add"], ["sites", "list"], ["sites", "import"],
    ["sites", "validate"], ["run"], ["daemon"], ["score"], ["notice"], ["review"], ["review", "confirm"],
    ["review", "dismiss"], ["findings"], ["findings", "import"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "govmon")
def test_every_command_has_help(args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # a real sentence of help, not just the usage line
    assert len(result.output.splitlines()) >= 4


def test_example_configuration_validates() -> None:
    result = CliRunner().invoke(main, ["sites", "validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def _bad_config(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["sites"][0].__setitem__("urll", "x"), "sites[0].urll: unknown field"),
        (lambda d: d["sites"][0].__setitem__("url", "ftp://x"), "sites[0].url: expected an absolute http(s) URL"),
        (lambda d: d["sites"][0].__setitem__("site_code", "51070"), "sites[0].site_code: expected 10 digits"),
        (lambda d: d["defaults"]["crawl"].__setitem__("max_pages", 0), "defaults.crawl.max_pages"),
        (lambda d: d["schedule"].__setitem__("crawl_at", "25:00"), "schedule.crawl_at: expected HH:MM"),
        (lambda d: d["sites"][0]["unit_rules"][0].pop("prefix"), "sites[0].unit_rules[0]"),
        (lambda d: d["sites"][0].pop("name"), "sites[0].name: required field is missing"),
    ],
    ids=["misspelt", "scheme", "site_code", "max_pages", "crawl_at", "unit_rule", "missing"],
)
def test_bad_field_is_named_in_one_line(tmp_path: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = _bad_config(tmp_path, mutate)
    result = CliRunner().invoke(main, ["sites", "validate", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and expected in lines[0]


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("sites: [\n  - url: x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sites", "validate", str(bad)])
    assert result.exit_code == 2 and "not valid YAML" in result.stderr and "Traceback" not in result.stderr
    result = CliRunner().invoke(main, ["sites", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_bad_import_stores_nothing(tmp_path: Path) -> None:
    good = CliRunner().invoke(main, ["sites", "import", str(EXAMPLE)])
    assert good.exit_code == 0, good.output
    with Store.open() as store:
        before = [s.name for s in store.sites()]
    path = _bad_config(tmp_path, lambda d: d["sites"].append({"url": "http://127.0.0.1:1/", "nmae": "x"}))
    result = CliRunner().invoke(main, ["sites", "import", str(path)])
    assert result.exit_code == 2
    with Store.open() as store:
        assert [s.name for s in store.sites()] == before


def test_sites_add_and_list() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["sites", "add", "http://127.0.0.1:9/", "--name", "某县人民政府"]).exit_code == 0
    result = runner.invoke(main, ["sites", "list"])
    assert "某县人民政府" in result.output
    bad = runner.invoke(main, ["sites", "add", "http://127.0.0.1:9/", "--name", "x", "--site-code", "123"])
    assert bad.exit_code == 2 and "site_code" in bad.stderr


def test_review_of_unknown_fingerprint_is_an_error() -> None:
    result = CliRunner().invoke(main, ["review", "dismiss", "deadbeef00"])
    assert result.exit_code == 2 and "no single stored detection" in result.stderr


def test_audit_command_writes_the_report_contract(httpserver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`govmon audit URL --format json -o FILE` end to end on a one-page site."""
    import json

    page = ("<html><head><meta charset='utf-8'><title>某县人民政府</title></head>"
            "<body><h1>某县人民政府</h1><ul class='list'><li><a href='/a.html'>通知</a><span>2026-11-20</span></li>"
            "</ul><a href='/gone.html'>旧链接</a></body></html>")
    httpserver.expect_request("/").respond_with_data(page, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/a.html").respond_with_data("<html><body>正文</body></html>",
                                                          content_type="text/html; charset=utf-8")
    httpserver.expect_request("/gone.html").respond_with_data("no", status=404)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["audit", httpserver.url_for("/"), "--as-of", "2026-11-25", "--format", "json",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["schema"] == "govmon.report/1"
    assert set(report) >= {"site", "as_of", "profile", "crawl", "detections", "events", "score"}
    assert report["as_of"].startswith("2026-11-25")
    dead = [d for d in report["detections"] if d["kind"] == "link"]
    assert [d["url"] for d in dead] == [httpserver.url_for("/gone.html")] and dead[0]["on_homepage"]
    assert any(e["rule"] == "NAT-D-LINKS" and e["points"] == -0.2 for e in report["events"])
