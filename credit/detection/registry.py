"""The one registry of detectors, and their settings. Every module of
`credit.detection.detectors` whose name does not start with "_" defines one `DETECTOR`; the
registry discovers them, so adding a detector touches no list (`credit simulate` plants the
cases each declares). Each detector's Settings model carries its defaults and settings.toml
holds only overrides, validated strictly: a typo in a threshold silently changes every flag,
so each problem names `ID.key: rule`."""

from __future__ import annotations

import importlib
import pkgutil
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from pydantic import ValidationError

from credit.detection import detectors
from credit.detection.detector import AnyDetector, Detector, DetectorSettings, Phase

SETTINGS_FILE = Path(__file__).resolve().parent / "settings.toml"


def detector_modules() -> list[ModuleType]:
    """The detector modules, by module name."""
    return [
        importlib.import_module(f"{detectors.__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(detectors.__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    ]


def discover() -> tuple[AnyDetector, ...]:
    """Every module's DETECTOR, in declared order; a module without one, a detector that
    plants no case, or two detectors with one id, is a programming error caught at import."""
    found: dict[str, AnyDetector] = {}
    for module in detector_modules():
        detector = getattr(module, "DETECTOR", None)
        if not isinstance(detector, Detector):
            raise TypeError(f"{module.__name__}: a detector module defines DETECTOR")
        if not detector.plants:
            raise TypeError(f"{module.__name__}: {detector.id} plants no case (Detector.plants)")
        if detector.id in found:
            raise TypeError(f"{module.__name__}: detector id {detector.id} is taken")
        found[detector.id] = detector
    return tuple(sorted(found.values(), key=lambda d: (d.order, d.id)))


DETECTORS: tuple[AnyDetector, ...] = discover()
REGISTRY: Mapping[str, AnyDetector] = {d.id: d for d in DETECTORS}


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
    """The detectors' defaults with the file's overrides: a section per detector id, each
    key one of that detector's settings."""
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
    by_id: dict[str, DetectorSettings] = {}
    for detector in DETECTORS:
        try:
            by_id[detector.id] = detector.settings.model_validate(raw.get(detector.id, {}))
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
