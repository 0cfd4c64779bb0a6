"""What a detector is: an id, a title, its legal basis, what it reads, its settings, a pure
function from facts to findings and the cases it plants in the simulated market. The module
that defines one explains, in its docstring, why the pattern signals collusion or a conflict
of interest."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from credit.detection.facts import Facts
from credit.detection.flags import Finding
from credit.detection.planting import Plant
from credit.domain.records import ViolationCategory


class Reads(StrEnum):
    """The facts a detector needs; the scan gathers only what the enabled detectors read."""

    LOTS = "bids of the lot: prices, status, times and shared identifiers"
    TIES = "people and companies behind each bidder and reviewer, with their periods"
    REVIEWS = "the lot's reviewers and their kinship"
    HISTORY = "every lot's bids and winner over time, by supplier and by buyer"
    DEBARMENTS = "procurement bans and the people and companies behind banned suppliers"
    GROUPS = "the groups and associations each bidder is a member of"


class Phase(StrEnum):
    LOT = "lot"  # one finding per lot, computed from that lot's facts
    HISTORY = "history"  # findings over the bid history, with no single lot


class DetectorSettings(BaseModel):
    """What every detector's settings have. A detector's own model gives each field its
    default, so settings.toml holds only a deployment's overrides (unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    confidence: float


S = TypeVar("S", bound=DetectorSettings)


@dataclass(frozen=True)
class Detector(Generic[S]):
    id: str
    title: str
    basis: str
    reads: frozenset[Reads]
    phases: frozenset[Phase]
    settings: type[S]
    detect: Callable[[Facts, S], Iterable[Finding]]
    why: str
    # What a confirmed flag amounts to; None: a screen that is not evidence on its own.
    violation: ViolationCategory | None = ViolationCategory.MALICIOUS_COLLUSION
    # A confirmed flag drafts the declaration that the bids are invalid (投标无效), not a
    # violation: the participation bars of Regs Art. 18 para 1 are not collusion penalties.
    invalid_bid: bool = False
    # Where it comes in the registry, the scan's output and the listings (ties: by id); the
    # registry discovers modules, so their order is declared here, not by a list.
    order: int = 1000
    # What `credit simulate` plants for it and near it (credit.detection.planting): at least
    # one case, so `credit evaluate` measures every detector.
    plants: tuple[Plant, ...] = ()

    def run(self, facts: Facts, settings: DetectorSettings) -> list[Finding]:
        assert isinstance(settings, self.settings)
        return list(self.detect(facts, settings))


AnyDetector = Detector[Any]
