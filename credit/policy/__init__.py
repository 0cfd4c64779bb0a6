"""The versioned scoring and eligibility policy: one TOML file per deployment.

Every number that is a judgement call (points, periods, caps, grade bands, network rules) lives
in the policy rather than in code, so it can change without a release and every score names
the policy version it was computed under. Validation is strict because a typo in a policy
silently changes thousands of scores: each problem is reported as `key.path: rule`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import partial
from importlib.resources import files
from importlib.resources.abc import Traversable
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic import Strict as StrictInput
from pydantic_core import ErrorDetails, PydanticCustomError

from credit.domain.records import ExternalList, Severity, ViolationCategory

SubjectType = Literal["supplier", "agency", "expert"]
Weighting = Literal["step", "linear"]

# Publication periods of administrative-penalty information (NDRC Order No. 58 of 2023 on
# credit repair): general breaches 3 months to 1 year, serious ones 1 to 3 years. Both the
# default publication period and the minimum period before a repair takes effect must lie
# inside them.
STATUTORY_MONTHS: dict[Severity, tuple[int, int]] = {
    Severity.GENERAL: (3, 12),
    Severity.SERIOUS: (12, 36),
    Severity.MAJOR: (12, 36),
}

# Which network rule answers which kind of link (control counts in either direction).
LINK_RULES: dict[str, str] = {
    "SHARED_LEGAL_REP": "shared_legal_rep_with_banned",
    "SAME_CONTROLLER": "same_controller_with_banned",
    "CONTROLS": "control_with_banned",
    "CONTROLLED_BY": "control_with_banned",
}


class PolicyError(ValueError):
    """An unusable policy. `problems` holds one `key.path: rule` line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


def _no_float(value: object) -> object:
    """Binary floats would make points inexact and scores platform-dependent."""
    if isinstance(value, float | bool):
        raise PydanticCustomError(
            "policy_number", 'write an integer or a quoted decimal such as "-2.5"'
        )
    return value


def _covering(members: type[StrEnum]) -> AfterValidator:
    """Every member needs its own entry, so a new category gets a deliberate value."""
    return AfterValidator(partial(_covers, members))


def _covers(members: type[StrEnum], table: dict[Any, Any]) -> dict[Any, Any]:
    """The check, at module level rather than a closure built once with the types, so that
    mutation testing reaches it (bench/mutate.py)."""
    missing = [m.value for m in members if m not in table]
    if missing:
        raise PydanticCustomError(
            "policy_missing",
            "is required: every {enum} needs an entry (missing: {missing})",
            {"key": (missing[0],), "enum": members.__name__, "missing": ", ".join(missing)},
        )
    return table


def _keyed(key: tuple[str | int, ...], message: str) -> PydanticCustomError:
    """An error raised on a whole model that belongs to one of its keys."""
    return PydanticCustomError("policy_rule", message, {"key": key})


Amount = Annotated[
    Decimal, BeforeValidator(_no_float), Field(allow_inf_nan=False, decimal_places=2)
]
Penalty = Annotated[Amount, Field(le=0)]
Bonus = Annotated[Amount, Field(ge=0)]
Months = Annotated[int, StrictInput(), Field(ge=1, le=120)]
Percent = Annotated[int, StrictInput(), Field(ge=0, le=100)]

SeverityPoints = Annotated[dict[Severity, Penalty], _covering(Severity)]
SeverityMonths = Annotated[dict[Severity, Months], _covering(Severity)]
CategoryPoints = Annotated[dict[ViolationCategory, SeverityPoints], _covering(ViolationCategory)]
CategoryMonths = Annotated[dict[ViolationCategory, SeverityMonths], _covering(ViolationCategory)]
ListingPoints = Annotated[dict[ExternalList, Penalty], _covering(ExternalList)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GradeBand(_Model):
    grade: Annotated[str, StringConstraints(pattern=r"^[A-Z][+-]?$")]
    at_least: Amount


class ContractRules(_Model):
    months: Months
    accepted: Bonus
    accepted_cap: Bonus
    failed: Penalty


class EvaluationRules(_Model):
    months: Months
    good_from: Percent
    good: Bonus
    good_cap: Bonus
    poor_below: Percent
    poor: Penalty

    @model_validator(mode="after")
    def _thresholds(self) -> Self:
        if self.poor_below > self.good_from:
            raise _keyed(("poor_below",), "must be <= good_from")
        return self


class ComplaintRules(_Model):
    months: Months
    false_or_malicious: Penalty


class NetworkRule(_Model):
    grade_cap: str | None = None
    decision: Literal["REVIEW", "INELIGIBLE"] | None = None

    @model_validator(mode="after")
    def _does_something(self) -> Self:
        if self.grade_cap is None and self.decision is None:
            raise _keyed((), "needs a grade_cap, a decision or both")
        return self


class NetworkRules(_Model):
    """A missing rule means that kind of link has no effect."""

    shared_legal_rep_with_banned: NetworkRule | None = None
    same_controller_with_banned: NetworkRule | None = None
    control_with_banned: NetworkRule | None = None

    def rule_for(self, link_kind: str) -> tuple[str, NetworkRule] | None:
        name = LINK_RULES[link_kind]
        rule: NetworkRule | None = getattr(self, name)
        return None if rule is None else (name, rule)


class SubjectPolicy(_Model):
    base: Amount
    min: Amount
    max: Amount
    grades: tuple[GradeBand, ...]
    weight: Weighting
    min_repair_months: SeverityMonths
    points: CategoryPoints
    publication_months: CategoryMonths
    listings: ListingPoints
    contracts: ContractRules
    evaluations: EvaluationRules
    complaints: ComplaintRules
    network: NetworkRules = NetworkRules()
    # The grade while a procurement ban or a three-list listing is in force (BRIEF 5: never A
    # or B); absent, the worst band. Earlier policy versions without it are capped the same way.
    ban_grade_cap: str | None = None

    @field_validator("grades")
    @classmethod
    def _bands_descend(cls, bands: tuple[GradeBand, ...]) -> tuple[GradeBand, ...]:
        if not bands:
            raise _keyed((), "needs at least one band")
        for index in range(1, len(bands)):
            if bands[index].at_least >= bands[index - 1].at_least:
                raise _keyed((index, "at_least"), "bands must be listed best first, descending")
            if bands[index].grade in {b.grade for b in bands[:index]}:
                raise _keyed((index, "grade"), "grades must be unique")
        return bands

    @field_validator("min_repair_months")
    @classmethod
    def _repair_within_statute(cls, table: dict[Severity, int]) -> dict[Severity, int]:
        _within_statute(table, ())
        return table

    @field_validator("publication_months")
    @classmethod
    def _publication_within_statute(
        cls, table: dict[ViolationCategory, dict[Severity, int]]
    ) -> dict[ViolationCategory, dict[Severity, int]]:
        for category, months in table.items():
            _within_statute(months, (category.value,))
        return table

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.max <= self.min:
            raise _keyed(("max",), "must be > min")
        if not self.min <= self.base <= self.max:
            raise _keyed(("base",), "must lie between min and max")
        if self.grades[-1].at_least > self.min:
            raise _keyed(
                ("grades",),
                f"the last band must start at or below min ({self.min}) so every score has a grade",
            )
        known = {band.grade for band in self.grades}
        for name in sorted(set(LINK_RULES.values())):
            rule: NetworkRule | None = getattr(self.network, name)
            if rule is not None and rule.grade_cap is not None and rule.grade_cap not in known:
                raise _keyed(("network", name, "grade_cap"), "must be one of the grade bands")
        if self.ban_grade_cap is not None:
            order = [band.grade for band in self.grades]
            if self.ban_grade_cap not in order:
                raise _keyed(("ban_grade_cap",), "must be one of the grade bands")
            if order.index(self.ban_grade_cap) < min(2, len(order) - 1):
                raise _keyed(
                    ("ban_grade_cap",),
                    "must be below the two best bands: a banned or listed subject is never "
                    "graded A or B",
                )
        return self

    @property
    def restricted_grade(self) -> str:
        return self.ban_grade_cap or self.grades[-1].grade

    def grade_for(self, score: Decimal) -> str:
        return next(band.grade for band in self.grades if score >= band.at_least)

    def worse_grade(self, grade: str, cap: str) -> str:
        order = [band.grade for band in self.grades]
        return order[max(order.index(grade), order.index(cap))]


def _within_statute(table: dict[Severity, int], prefix: tuple[str, ...]) -> None:
    for severity, months in table.items():
        low, high = STATUTORY_MONTHS[severity]
        if not low <= months <= high:
            raise _keyed(
                (*prefix, severity.value),
                f"must be between {low} and {high} months for {severity.value} records "
                "(NDRC Order No. 58 of 2023)",
            )


class EligibilityRules(_Model):
    major_record_lookback_years: Annotated[int, StrictInput(), Field(ge=1, le=10)]
    large_fine_threshold: Annotated[Amount, Field(gt=0)]


class Policy(_Model):
    version: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")]
    effective_from: date
    eligibility: EligibilityRules
    supplier: SubjectPolicy
    agency: SubjectPolicy
    expert: SubjectPolicy
    # Every version of this deployment's policy, oldest first (itself included): a score or
    # decision as of a day uses the version in force that day (see `on`).
    _versions: tuple[Policy, ...] = PrivateAttr(default=())

    @property
    def versions(self) -> tuple[Policy, ...]:
        return self._versions or (self,)

    def on(self, day: date) -> Policy:
        """The version in force on `day`: the latest whose effective_from is not after it;
        before the first version took effect, the first (nothing older is known)."""
        versions = self.versions
        in_force = [v for v in versions if v.effective_from <= day]
        return in_force[-1] if in_force else versions[0]

    @classmethod
    def parse(cls, data: Mapping[str, object]) -> Policy:
        """Validate a parsed policy document, reporting problems by key path."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise PolicyError([_problem(error) for error in exc.errors()]) from exc

    def rules_for(self, subject_type: SubjectType) -> SubjectPolicy:
        rules: SubjectPolicy = getattr(self, subject_type)
        return rules


def load_policy(path: Path | None = None) -> Policy:
    """The newest policy version, carrying its earlier versions for `Policy.on`.

    Without a path: the packaged default.toml (the current version) and versions/*.toml (the
    earlier ones, kept so old results stay explainable). A path to a file: that one version.
    A path to a directory: every *.toml in it, each a version.
    """
    if path is None:
        package = files(__name__)
        sources: list[Traversable] = [package / "default.toml", *_tomls(package / "versions")]
    elif path.is_dir():
        sources = list(sorted(path.glob("*.toml")))
    else:
        sources = [path]
    if not sources:
        raise PolicyError([f"{path}: no policy version (*.toml) in this directory"])
    return _book([_read(source, len(sources) > 1) for source in sources])


def _tomls(folder: Traversable) -> list[Traversable]:
    if not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def _read(source: Traversable, several: bool) -> Policy:
    """One version; with several files, each problem names its file first."""
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([f"{source}: {exc}"]) from exc
    try:
        return Policy.parse(data)
    except PolicyError as exc:
        if not several:
            raise
        raise PolicyError([f"{source.name}: {p}" for p in exc.problems]) from exc


def _book(versions: list[Policy]) -> Policy:
    """Order the versions by effective_from; versions and effective dates must be unique."""
    ordered = sorted(versions, key=lambda v: v.effective_from)
    problems = [
        f"{b.version}.effective_from: {b.effective_from} is also the effective_from of {a.version}"
        for a, b in pairwise(ordered)
        if a.effective_from == b.effective_from
    ]
    names = [v.version for v in ordered]
    problems += [
        f"{n}.version: is used by more than one file"
        for n in sorted(set(names))
        if names.count(n) > 1
    ]
    if problems:
        raise PolicyError(problems)
    newest = ordered[-1]
    book = tuple(ordered)
    for version in book:
        version._versions = book
    return newest


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known key",
    "less_than_equal": "must be <= {le}",
    "greater_than_equal": "must be >= {ge}",
    "greater_than": "must be > {gt}",
}


def _problem(error: ErrorDetails) -> str:
    loc = list(error["loc"])
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if loc and loc[-1] == "[key]":
        # every keyed table is keyed by an enum, whose error lists the members expected
        loc.pop()
        message = f"is not a known key (expected {ctx['expected']})"
    else:
        template = _MESSAGES.get(error["type"])
        message = template.format(**ctx) if template else error["msg"]
    loc.extend(ctx.get("key", ()))
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return f"{path.lstrip('.')}: {message}"
