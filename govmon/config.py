"""The monitor's configuration file (``sites.yaml``), validated in one place.

One pydantic model tree with ``extra="forbid"`` holds every setting, its default
and its help text, so a misspelt key fails with the file and the field path
named — never silently ignored (Scrapy's string settings are the
counter-example).  ``config/sites.example.yaml`` documents every field and is
itself validated by the tests.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govmon.errors import ConfigError

_SITE_CODE = re.compile(r"^(?:\d{10}|bm\d{8})$")
_UNIT_CODE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an absolute http(s) URL such as https://www.example.gov.cn/")
    return value


class CrawlLimits(_Model):
    """Bounds of one site's crawl; government servers are fragile, so defaults are polite."""

    max_pages: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        2000, description="pages fetched at most; pages beyond it are reported as unknown (limit)"
    )
    max_depth: Annotated[int, Field(ge=0, le=50)] = Field(8, description="link depth from the homepage")
    max_bytes: Annotated[int, Field(ge=1024)] = Field(
        5_000_000, description="largest page body read, in bytes; larger pages are unknown (limit)"
    )
    concurrency_per_host: Annotated[int, Field(ge=1, le=64)] = Field(
        8, description="simultaneous requests to one of the site's hosts: the crawl, its link "
                       "checks and its probes together"
    )
    delay: Annotated[float, Field(ge=0, le=60)] = Field(0.0, description="seconds between requests to one host")
    timeout: Annotated[float, Field(gt=0, le=120)] = Field(15.0, description="seconds per request")
    retries: Annotated[int, Field(ge=0, le=10)] = Field(2, description="retries of a failed request")
    time_limit: Annotated[float, Field(gt=0)] = Field(
        3600.0, description="seconds a whole crawl may take before it is stopped"
    )
    max_query_params: Annotated[int, Field(ge=0, le=50)] = Field(
        6, description="crawl-trap guard: URLs with more query parameters are not followed"
    )
    max_url_length: Annotated[int, Field(ge=64, le=8192)] = Field(
        512, description="crawl-trap guard: longer URLs are not followed"
    )
    max_pages_per_pattern: Annotated[int, Field(ge=1)] = Field(
        200, description="crawl-trap guard: pages of one path with varying query (calendars)"
    )


class UnitRule(_Model):
    """Attributes pages to a responsible unit by URL prefix or by column name."""

    unit: str = Field(description="agency code of the unit, e.g. 0101")
    prefix: str | None = Field(None, description="URL prefix of the unit's pages")
    column: str | None = Field(None, description="column name (exact) that belongs to the unit")

    @model_validator(mode="after")
    def _one_matcher(self) -> UnitRule:
        if (self.prefix is None) == (self.column is None):
            raise ValueError("give exactly one of 'prefix' or 'column'")
        return self


class MessageSelectors(_Model):
    """Per-site CSS selectors for message boards whose layout the heuristics miss."""

    list_item: str | None = None
    asked: str | None = None
    answered: str | None = None
    reply_unit: str | None = None
    reply: str | None = None


class ProbeSettings(_Model):
    per_day: Annotated[int, Field(ge=20, le=288)] = Field(
        24, description="availability probes a day (the indicator needs at least 20; 288 = every 5 min)"
    )
    timeout: Annotated[float, Field(gt=0, le=120)] = Field(15.0, description="seconds; 15 is the indicator's")


class SiteConfig(_Model):
    url: str = Field(description="homepage URL")
    name: str = Field(description="site name as it should appear in every page header")
    site_code: str | None = Field(None, description="网站标识码: 10 digits or bm + 8 digits")
    profile: str | None = Field(None, description="indicator profile; defaults.profile when unset")
    level: Literal["portal", "department", "township", "other"] = "portal"
    unit: str | None = Field(None, description="agency code of the unit responsible for the site")
    extra_hosts: tuple[str, ...] = Field((), description="other hosts crawled as part of the site")
    has_services: bool = Field(True, description="false for departments without external services (4/3 rule)")
    unit_rules: tuple[UnitRule, ...] = ()
    crawl: CrawlLimits | None = None
    probes: ProbeSettings | None = None
    message_selectors: MessageSelectors | None = None
    render: bool = Field(
        False, description="render pages in Debian's chromium (browser extra): for footers and lists written by scripts"
    )
    follow_service_portal: bool = Field(
        False, description="follow links into the provincial 政务服务网 to read service guides"
    )
    enabled: bool = True

    _url = field_validator("url")(_check_http_url)

    @field_validator("site_code")
    @classmethod
    def _site_code(cls, value: str | None) -> str | None:
        if value is not None and not _SITE_CODE.match(value):
            raise ValueError("expected 10 digits (e.g. 5107030001) or bm + 8 digits (e.g. bm14000002)")
        return value


class Unit(_Model):
    code: str = Field(description="agency code (机关编码), e.g. 0101")
    name: str = Field(description="unit name, e.g. 区政府办")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _UNIT_CODE.match(value):
            raise ValueError("expected a short code of letters, digits, '-' or '_' (quote it: '0101')")
        return value


class Defaults(_Model):
    profile: str = "national-2019"
    crawl: CrawlLimits = CrawlLimits()
    probes: ProbeSettings = ProbeSettings()


class Office(_Model):
    """Who issues the notices (落款) and to whom they go."""

    name: str = Field("政务公开办公室", description="issuing office, printed as the signature")
    region: str = Field("全区", description="region in notice titles, e.g. 全县, 全市")
    addressees: str = Field("各镇人民政府、街道办事处，区级各部门：", description="opening addressees line")


class Schedule(_Model):
    """When the daemon runs its jobs (local time, Asia/Shanghai by default)."""

    timezone: str = "Asia/Shanghai"
    crawl_at: str = Field("01:30", description="nightly crawl start, HH:MM")
    crawl_concurrency: Annotated[int, Field(ge=1, le=64)] = 2
    weekly_notice: str = Field("mon 08:00", description="weekly notice: weekday HH:MM")
    fortnightly_notice: str = Field("mon 08:30", description="bi-weekly notice, every other week")
    notices_dir: str | None = Field(None, description="folder for notices; default <data dir>/notices")
    crawl_every_minutes: Annotated[float, Field(gt=0)] | None = Field(
        None, description="crawl on this interval instead of nightly at crawl_at (demos, tests, key portals)"
    )
    notice_every_minutes: Annotated[float, Field(gt=0)] | None = Field(
        None, description="write the weekly notice on this interval instead (demos and tests)"
    )
    probe_every_seconds: Annotated[float, Field(gt=0)] | None = Field(
        None, description="probe rounds on this interval instead of 86400/per_day (demos and tests)"
    )
    reference_urls: tuple[str, ...] = Field(
        (), description="URLs that tell the monitor's own network is up (probes are unknown when all fail)"
    )

    @field_validator("crawl_at")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("expected HH:MM, e.g. 01:30")
        return value

    @field_validator("weekly_notice", "fortnightly_notice")
    @classmethod
    def _day_hhmm(cls, value: str) -> str:
        if not re.fullmatch(r"(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("expected a weekday and HH:MM, e.g. 'mon 08:00'")
        return value


class MonitorConfig(_Model):
    """The whole ``sites.yaml``."""

    office: Office = Office()
    defaults: Defaults = Defaults()
    units: tuple[Unit, ...] = ()
    sites: tuple[SiteConfig, ...] = ()
    schedule: Schedule = Schedule()
    allow_hosts: tuple[str, ...] = Field(
        (), description="hosts on private/loopback addresses that links may still be checked on"
    )
    domain_exceptions: tuple[str, ...] = Field(
        (), description="domains accepted although not under gov.cn (NAT-D-DOMAIN)"
    )

    @model_validator(mode="after")
    def _references(self) -> MonitorConfig:
        codes = {u.code for u in self.units}
        seen: set[str] = set()
        for i, site in enumerate(self.sites):
            if site.url in seen:
                raise ValueError(f"sites[{i}].url: {site.url} is listed twice")
            seen.add(site.url)
            used = [site.unit] if site.unit else []
            used += [r.unit for r in site.unit_rules]
            for code in used:
                if codes and code not in codes:
                    raise ValueError(f"sites[{i}]: unit {code!r} is not among units[].code")
        return self

    def site(self, url_or_name: str) -> SiteConfig:
        for site in self.sites:
            if url_or_name in (site.url, site.name):
                return site
        raise ConfigError(f"no site {url_or_name!r} in the configuration")

    def crawl_limits(self, site: SiteConfig) -> CrawlLimits:
        return site.crawl or self.defaults.crawl

    def profile_for(self, site: SiteConfig) -> str:
        return site.profile or self.defaults.profile


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def describe_validation_error(path: Path | str, exc: ValidationError) -> str:
    """One line: ``file: field.path: what was expected`` (+ how many more)."""
    errors = exc.errors()
    first = errors[0]
    where = _loc(tuple(first["loc"]))
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown field (misspelt?)"
    elif first["type"] == "missing":
        msg = "required field is missing"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{path}: {where}: {msg}{more}"


def parse_config(data: Any, *, source: Path | str = "<config>") -> MonitorConfig:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with keys such as 'sites' and 'units'")
    try:
        return MonitorConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(source, exc)) from None


def load_config(path: Path | str) -> MonitorConfig:
    """Read and validate a sites.yaml; any problem is a ConfigError naming file and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: {where}not valid YAML: {problem}") from None
    return parse_config(data, source=path)


def unit_for(site: SiteConfig, url: str, column: str | None = None) -> str | None:
    """The unit responsible for a page: the longest matching URL prefix or an
    exact column name wins; otherwise the site's own unit."""
    best: tuple[int, str] | None = None
    for rule in site.unit_rules:
        if rule.prefix is not None and url.startswith(rule.prefix):
            if best is None or len(rule.prefix) > best[0]:
                best = (len(rule.prefix), rule.unit)
        elif rule.column is not None and column is not None and rule.column == column:
            return rule.unit
    return best[1] if best else site.unit
