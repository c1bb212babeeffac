"""`govmon run` crawls, stores and scores configured sites; `govmon score`
re-scores the stored run under another profile and as-of without crawling."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from click.testing import CliRunner

from govmon.cli import main
from govmon.store.repo import Store

AS_OF = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_run_then_rescore_without_crawling(tmp_path: Path) -> None:
    from govmon.sitegen.build import build_portal
    from govmon.sitegen.scenarios import veto_columns
    from govmon.sitegen.server import serve

    with serve(None) as external:
        portal = build_portal(veto_columns(date(2026, 11, 25), external_base=external))
        with serve(portal) as base:
            config = {
                "units": [{"code": "0101", "name": "县政府办"}, {"code": "0203", "name": "县发改局"}],
                "defaults": {"crawl": {"max_pages": 300, "timeout": 5}},
                "sites": [{
                    "url": base + "/", "name": portal.truth.site_name, "site_code": portal.truth.site_code,
                    "unit": "0101", "unit_rules": [{"prefix": base + "/zwgk/", "unit": "0203"}],
                }],
            }
            path = tmp_path / "sites.yaml"
            path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
            result = CliRunner().invoke(main, ["run", "--config", str(path), "--as-of", AS_OF.isoformat()])
            assert result.exit_code == 0, result.output + result.stderr
            assert "否决" in result.output  # the veto scenario is vetoed

    with Store.open() as store:
        site = store.sites()[0]
        runs = store.runs(site.id)
        assert [r.status for r in runs] == ["finished"]
        detections = store.run_detections(runs[0].id)
        units = {d.unit for d in detections if d.KIND == "column"}
        assert units == {"0101", "0203"}  # unit rules applied by URL prefix
        first = store.scorings(site.id)
        assert len(first) == 1 and first[0]["vetoed"]

    # The portal is gone: scoring again must not need it.
    later = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).isoformat()
    result = CliRunner().invoke(main, ["score", "--profile", "junshan-2017", "--as-of", later, "--format", "json"])
    assert result.exit_code == 0, result.output + result.stderr
    assert '"profile": "junshan-2017"' in result.output
    with Store.open() as store:
        scorings = store.scorings(site.id)
        assert [s["profile"] for s in scorings] == ["national-2019", "junshan-2017"]
        assert store.runs(site.id)[0].id == runs[0].id and len(store.runs(site.id)) == 1
        events = store.scoring_events(scorings[1]["id"])
        assert any(e.rule == "JS-BLANK" for e in events)
