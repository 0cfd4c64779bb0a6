"""The one registry of detectors, and their settings (settings.toml, validated strictly: a
typo in a threshold silently changes every flag, so each problem names `ID.key: rule`)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from credit.detection.detector import AnyDetector, DetectorSettings, Phase
from credit.detection.detectors import (
    bid_rotation,
    bid_screens,
    bid_suppression,
    buyer_capture,
    cobidding_community,
    common_controller,
    cover_bidding,
    direct_holding,
    expert_conflict,
    group_instruction,
    identical_prices,
    mixed_documents,
    regular_price_difference,
    same_agent,
    same_controller,
    same_deposit_account,
    same_device,
    same_preparer,
    shared_contact,
    staff_crossover,
    successor_of_debarred,
)

DETECTORS: tuple[AnyDetector, ...] = tuple(
    module.DETECTOR
    for module in (
        same_controller,
        direct_holding,
        common_controller,
        same_preparer,
        same_agent,
        shared_contact,
        same_deposit_account,
        same_device,
        staff_crossover,
        mixed_documents,
        group_instruction,
        regular_price_difference,
        identical_prices,
        bid_screens,
        expert_conflict,
        bid_rotation,
        cover_bidding,
        bid_suppression,
        buyer_capture,
        successor_of_debarred,
        cobidding_community,
    )
)
REGISTRY: Mapping[str, AnyDetector] = {d.id: d for d in DETECTORS}
SETTINGS_FILE = Path(__file__).resolve().parent / "settings.toml"


class SettingsError(ValueError):
    """An invalid settings file; the message lists every problem as `ID.key: rule`."""


@dataclass(frozen=True)
class DetectionSettings:
    version: str
    by_id: Mapping[str, DetectorSettings]

    def of(self, detector_id: str) -> DetectorSettings:
        return self.by_id[detector_id]

    def enabled(self, phase: Phase | None = None) -> list[AnyDetector]:
        return [
            d
            for d in DETECTORS
            if self.by_id[d.id].enabled and (phase is None or phase in d.phases)
        ]


def load_settings(path: Path | None = None) -> DetectionSettings:
    source = path or SETTINGS_FILE
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source.name}: {exc}") from exc
    problems: list[str] = []
    version = raw.pop("version", None)
    if not isinstance(version, str) or not version:
        problems.append("version: required: name the settings version")
    problems += [
        f"{key}: unknown_detector: no detector has this id" for key in raw.keys() - REGISTRY.keys()
    ]
    problems += [
        f"{key}: required: no settings for this detector" for key in REGISTRY.keys() - raw.keys()
    ]
    by_id: dict[str, DetectorSettings] = {}
    for detector in DETECTORS:
        if detector.id not in raw:
            continue
        try:
            by_id[detector.id] = detector.settings.model_validate(raw[detector.id])
        except ValidationError as exc:
            problems += [
                f"{detector.id}.{'.'.join(str(p) for p in err['loc'])}: {err['type']}: {err['msg']}"
                for err in exc.errors(include_url=False)
            ]
    if problems:
        raise SettingsError(f"{source.name}: " + "; ".join(sorted(problems)))
    return DetectionSettings(version=str(version), by_id=by_id)


@lru_cache(maxsize=1)
def default_settings() -> DetectionSettings:
    """The packaged settings, read once per process (the API's and the CLI's default)."""
    return load_settings()
