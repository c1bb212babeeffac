"""The editable texts of a notice (``config/notices/notice.yaml``), validated once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from govmon.config import describe_validation_error
from govmon.errors import ConfigError
from govmon.paths import config_dir


class ProblemType(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    rules: tuple[str, ...] = Field(description="rule IDs or shell-style patterns such as NAT-V-SERVICE-*")


class NoticeTemplate(BaseModel):
    """Every sentence of a notice that is not a computed number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = "关于{period}{region}政府网站监测情况的通报"
    addressees: str = "各镇人民政府、街道办事处，区级各部门："
    basis: dict[str, str] = Field(default_factory=lambda: {"default": "根据政府网站监测指标要求"})
    opening: str = "{basis}，我办于{period_span}对{region}政府网站开展了常态化监测。现将有关情况通报如下："
    rectification_days: int = Field(7, ge=1, le=365)
    next_steps: tuple[str, ...] = ()
    closing: str = ""
    good_units: int = Field(3, ge=0, le=50)
    problem_types: tuple[ProblemType, ...] = ()
    levels: dict[str, str] = Field(default_factory=dict)

    def basis_for(self, profiles: list[str]) -> str:
        """The basis sentence of the profiles used (joined with 、 when several)."""
        texts: list[str] = []
        for profile in profiles or ["default"]:
            text = self.basis.get(profile) or self.basis.get("default", "")
            if text and text not in texts:
                texts.append(text)
        return "；".join(texts)

    def level_label(self, level: str) -> str:
        return self.levels.get(level, level)


def default_template_path() -> Path:
    return config_dir() / "notices" / "notice.yaml"


def load_template(path: Path | str | None = None) -> NoticeTemplate:
    """Read the notice template; a problem is a ConfigError naming file and field."""
    path = Path(path) if path is not None else default_template_path()
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    try:
        return NoticeTemplate.model_validate(data or {})
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc)) from None
