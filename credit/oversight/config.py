"""The inspection-plan settings file, validated strictly like the scoring policy."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from credit.oversight.inspections import PlanRules, RiskWeights

Count = Annotated[int, Field(ge=0, le=1000)]
Weight = Annotated[Decimal, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Weights(_Model):
    grade: dict[str, Weight]
    open_flag: Weight
    confirmed_flag: Weight
    complaint: Weight
    per_year_uninspected: Weight
    max_years_counted: Annotated[int, Field(ge=0, le=20)]


class _Plan(_Model):
    agencies: Count
    suppliers: Count
    inspectors_per_target: Annotated[int, Field(ge=1, le=10)]
    coverage_years: Annotated[int, Field(ge=1, le=10)]
    min_gap_months: Annotated[int, Field(ge=0, le=120)]
    plan_months: Annotated[int, Field(ge=1, le=60)]
    weights: _Weights


def load_plan_rules(path: Path | None = None) -> PlanRules:
    source = path if path is not None else files("credit.oversight") / "inspections.toml"
    data = _Plan.model_validate(tomllib.loads(source.read_text(encoding="utf-8")))
    weights = RiskWeights(**data.weights.model_dump())
    return PlanRules(**data.model_dump(exclude={"weights"}), weights=weights)
