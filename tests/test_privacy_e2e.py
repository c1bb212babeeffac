"""The monitor must not spread what it finds: after a stored run and a notice on a
portal that leaks ID numbers (in a page and in an .xlsx attachment), no full
number is in the database file, the logs, the audit report or the notices."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from govmon.cli import main

AS_OF = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.slow
def test_no_full_number_anywhere(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from govmon.sitegen.build import build_portal
    from govmon.sitegen.scenarios import standard
    from govmon.sitegen.server import serve

    caplog.set_level(logging.DEBUG)
    home = Path(__import__("os").environ["GOVMON_HOME"])
    with serve(None) as external:
        portal = build_portal(standard(date(2026, 11, 25), external_base=external))
        leaks = [p for p in portal.truth.privacy if p.leak]
        assert leaks, "the scenario must plant leaks for this test to mean anything"
        numbers = {p.number for p in portal.truth.privacy}
        with serve(portal) as base:
            config = {"defaults": {"crawl": {"timeout": 5}},
                      "sites": [{"url": base + "/", "name": portal.truth.site_name}]}
            path = tmp_path / "sites.yaml"
            path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
            runner = CliRunner()
            result = runner.invoke(main, ["run", "--config", str(path), "--as-of", AS_OF.isoformat()])
            assert result.exit_code == 0, result.output + result.stderr
            report = tmp_path / "report.json"
            result = runner.invoke(main, ["audit", base + "/", "--as-of", "2026-11-25", "--format", "json",
                                          "-o", str(report), "--max-pages", "300"])
            assert result.exit_code == 0, result.stderr
    notices = tmp_path / "notices"
    result = CliRunner().invoke(main, ["notice", "--config", str(path), "--as-of", AS_OF.isoformat(),
                                       "--format", "html,docx,xlsx,json", "-o", str(notices)])
    assert result.exit_code == 0, result.output + result.stderr

    report_text = report.read_text(encoding="utf-8")
    assert '"kind": "privacy"' in report_text  # the leaks were found...
    haystacks = {"report": report_text.encode(), "logs": caplog.text.encode(),
                 "cli output": (result.output + result.stderr).encode()}
    for file in [*home.rglob("*"), *notices.rglob("*")]:
        if file.is_file():
            haystacks[str(file)] = file.read_bytes()  # SQLite, WAL, notices (docx/xlsx are zips: see below)
    for file in notices.rglob("*.docx"):
        haystacks[f"{file} (xml)"] = _unzipped(file)
    for file in notices.rglob("*.xlsx"):
        haystacks[f"{file} (xml)"] = _unzipped(file)
    for name, data in haystacks.items():
        for number in numbers:
            assert number.encode() not in data, f"a full number leaked into {name}"  # ...and never spread


def _unzipped(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return b"".join(zf.read(n) for n in zf.namelist())
