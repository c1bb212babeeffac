"""Shared fixtures: paths to ../shared, and services that skip with a reason.

PostgreSQL and Redis tests run for real where the services listen on
127.0.0.1 (CI); elsewhere they skip, unless ``GOVMON_REQUIRE_SERVICES=1`` turns
the skip into a failure so that CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GOVMON_SHARED", ROOT.parent / "shared"))
POSTGRES_URL = os.environ.get(
    "GOVMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("GOVMON_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _require_services() -> bool:
    return os.environ.get("GOVMON_REQUIRE_SERVICES") == "1"


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def service_or_skip(name: str, host: str, port: int) -> None:
    """Skip (or fail under GOVMON_REQUIRE_SERVICES=1) when a service is down."""
    if _listening(host, port):
        return
    reason = f"{name} is not listening on {host}:{port}"
    if _require_services():
        pytest.fail(f"{reason}, and GOVMON_REQUIRE_SERVICES=1 requires it")
    pytest.skip(reason)


def shared_or_skip(*parts: str) -> Path:
    """A path under ../shared/ (corpus, peer-fixtures), skipping when absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared test corpus is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver binds the loopback address itself, never a name."""
    return ("127.0.0.1", 0)


@pytest.fixture
def postgres_url() -> str:
    service_or_skip("PostgreSQL", "127.0.0.1", 5432)
    return POSTGRES_URL


@pytest.fixture
def redis_url() -> str:
    service_or_skip("Redis", "127.0.0.1", 6379)
    return REDIS_URL


@pytest.fixture
def corpus_dir() -> Path:
    return shared_or_skip("corpus")


@pytest.fixture
def peer_fixtures_dir() -> Path:
    return shared_or_skip("peer-fixtures")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep every test's database and notices out of the user's real data dir."""
    home = tmp_path_factory.mktemp("govmon-home")
    monkeypatch.setenv("GOVMON_HOME", str(home))
    monkeypatch.delenv("GOVMON_DATABASE_URL", raising=False)
    yield
