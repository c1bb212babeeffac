"""The ``govmon probe`` contract: JSON document, text output, exit codes."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from govmon.commands.probe import probe_command
from govmon.records import PROBE_SCHEMA
from tests.probe_server import serve_in_thread

CONTRACT_RESULT_KEYS = ["at", "ok", "status", "seconds", "error"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(probe_command, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_contract_with_known_failures() -> None:
    with serve_in_thread({"/": ["ok", "500", "ok", "reset"]}) as server:
        code, out, err = invoke(server.url("/"), "--count", "4", "--timeout", "2",
                                "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == PROBE_SCHEMA == "govmon.probe/1"
    assert doc["url"] == server.url("/")
    assert (doc["probes"], doc["failures"], doc["ratio"]) == (4, 2, 0.5)
    assert len(doc["results"]) == 4
    for r in doc["results"]:
        assert list(r)[:5] == CONTRACT_RESULT_KEYS
        assert datetime.fromisoformat(r["at"]).tzinfo is not None
    assert [r["ok"] for r in doc["results"]] == [True, False, True, False]
    assert [r["status"] for r in doc["results"]] == [200, 500, 200, None]
    assert [r["error"] for r in doc["results"]] == [None, "http", None, "reset"]
    assert doc["requested"] == 4 and doc["blocked"] == 0 and doc["unknown"] == 0
    assert err.count("probe ") == 4  # progress on stderr only


def test_timeout_failure_and_reprobe_not_counted() -> None:
    with serve_in_thread({"/": ["hang", "ok"]}) as server:
        code, out, _ = invoke(server.url("/"), "--timeout", "1", "--reprobe",
                              "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["probes"], doc["failures"], doc["ratio"], doc["reprobes"]) == (1, 1, 1.0, 1)
    assert [r["reprobe"] for r in doc["results"]] == [False, True]
    assert doc["results"][0]["error"] == "timeout" and doc["results"][1]["ok"] is True


def test_waf_answer_is_blocked_not_failed() -> None:
    with serve_in_thread({"/": "waf412"}) as server:
        _, out, _ = invoke(server.url("/"), "--format", "json", "--timeout", "2")
    doc = json.loads(out)
    assert (doc["probes"], doc["failures"], doc["blocked"], doc["ratio"]) == (0, 0, 1, 0.0)
    assert doc["results"][0]["blocked"] is True


def test_reference_down_makes_failures_unknown() -> None:
    with serve_in_thread({"/": "500", "/ref": "reset"}) as server:
        _, out, _ = invoke(server.url("/"), "--reference", server.url("/ref"),
                           "--format", "json", "--timeout", "2")
    doc = json.loads(out)
    assert (doc["probes"], doc["failures"], doc["unknown"]) == (0, 0, 1)


def test_text_output() -> None:
    with serve_in_thread({"/": ["ok", "500"]}) as server:
        code, out, _ = invoke(server.url("/"), "--count", "2", "--timeout", "2")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 3
    assert "ok" in lines[0] and "200" in lines[0]
    assert "FAIL" in lines[1] and "http" in lines[1]
    assert lines[2] == f"{server.url('/')}: 1 of 2 probes failed (50.00%); 0 blocked, " \
                       "0 unknown, 0 re-probes"


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/", "http://", "http://[::1"])
def test_bad_url_is_one_line_exit_2(url: str) -> None:
    code, out, err = invoke(url)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("Error: ")


def test_bad_count_is_a_usage_error() -> None:
    code, _, _ = invoke("http://127.0.0.1:1/", "--count", "0")
    assert code == 2
