"""Mutation testing of the pure rule modules and the detectors (issue 18.8; `make mutate`, not
part of `make test`). mutmut 3 changes one operator, constant or call at a time and runs the
module's own fast tests (no database) against each change: a change no test notices is a gap
in the tests. One module at a time, each in its own scratch copy under .local/mutate/, so runs
stay small on a shared machine; the scores go to bench/results/<date>-mutation.md.

    python bench/mutate.py                       # every module below
    python bench/mutate.py identifiers same_device  # some, by name
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / ".local" / "mutate"
RESULTS = ROOT / "bench" / "results"
TARGET = 0.85


@dataclass(frozen=True)
class Target:
    name: str
    module: str  # the file mutated
    tests: tuple[str, ...]  # the pure tests that must notice every change
    options: tuple[str, ...] = ()  # pytest options narrowing them (slow statistical tests out)


def _detector(name: str) -> Target:
    return Target(
        name,
        f"credit/detection/detectors/{name}.py",
        (f"tests/detectors/test_{name}.py", *_MORE_TESTS.get(name, ())),
        _OPTIONS.get(name, ()),
    )


# Detectors with more pure tests than their own file: the rounding cases of the progressions
# (without the accidental-rate test, which simulates thousands of lots per run); the boundaries
# and the whole evidence of a mixed-documents finding.
_MORE_TESTS = {
    "regular_price_difference": ("tests/test_price_progressions.py",),
    "mixed_documents": ("tests/detectors/test_mixed_documents_boundaries.py",),
}
_OPTIONS = {"regular_price_difference": ("-k", "not accidental_flags")}


def _detector_names() -> list[str]:
    folder = ROOT / "credit" / "detection" / "detectors"
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))


_ELIGIBILITY = ("tests/test_eligibility_rules.py", "tests/test_eligibility_boundaries.py")
_PARTICIPATION = "tests/test_participation_rules.py"  # Art. 18, Art. 78, Art. 9 penalties

RULES = (
    Target(
        "identifiers",
        "credit/domain/identifiers.py",
        ("tests/test_identifiers_rules.py", "tests/test_identifiers_published.py"),
    ),
    Target(
        "policy",
        "credit/policy/__init__.py",
        ("tests/test_scoring_rules.py", "tests/test_policy_rules.py"),
    ),
    Target(
        "recusal_conflicts",
        "credit/oversight/conflicts.py",
        ("tests/test_oversight_draws.py", "tests/test_oversight_inspections.py"),
    ),
    Target("eligibility", "credit/standing/eligibility.py", (*_ELIGIBILITY, _PARTICIPATION)),
    # what eligibility reads of a record (in force, suspended, a ban's days) is scoring's too
    Target(
        "scoring",
        "credit/standing/scoring.py",
        ("tests/test_scoring_rules.py", "tests/test_scoring_boundaries.py", *_ELIGIBILITY),
    ),
    Target("participation", "credit/standing/participation.py", (_PARTICIPATION,)),
    Target("agency", "credit/standing/agency.py", (_PARTICIPATION, "tests/test_agency_rules.py")),
    Target(
        "decisions",
        "credit/standing/decisions.py",
        (_PARTICIPATION, "tests/test_decisions_rules.py"),
    ),
    Target(
        "periods",
        "credit/domain/periods.py",
        ("tests/test_scoring_rules.py", "tests/test_periods_rules.py"),
    ),
    Target(
        "deadlines",
        "credit/oversight/deadlines.py",
        ("tests/test_oversight_deadlines.py", "tests/test_deadlines_boundaries.py"),
    ),
    Target("draws", "credit/oversight/draws.py", ("tests/test_oversight_draws.py",)),
    Target(
        "inspections", "credit/oversight/inspections.py", ("tests/test_oversight_inspections.py",)
    ),
    # what several detectors share: shared identifiers and the Art. 18 findings
    Target("detection_common", "credit/detection/common.py", ("tests/detectors",)),
    Target("detection_art18", "credit/detection/art18.py", ("tests/detectors",)),
    # what detectors share (the participation conflicts, the finding builders, rekeying)
    Target("detectors_shared", "credit/detection/detectors/_shared.py", ("tests/detectors",)),
)


def targets() -> dict[str, Target]:
    found = {t.name: t for t in RULES}
    for name in _detector_names():
        found[name] = _detector(name)
    return found


@dataclass(frozen=True)
class Score:
    target: Target
    killed: int
    survived: int
    no_tests: int
    timeout: int
    total: int
    seconds: float

    @property
    def mutants(self) -> int:
        return self.total

    @property
    def score(self) -> float | None:
        """Killed (or timed out) over all mutants: one that no test even runs is not killed."""
        return (self.killed + self.timeout) / self.total if self.total else None


def run(target: Target) -> Score:
    """Copies the package and the target's tests into a scratch folder and runs mutmut there
    on the one module (mutmut reads its settings from the working folder's pyproject)."""
    work = SCRATCH / target.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(ROOT / "credit", work / "credit", ignore=shutil.ignore_patterns("__pycache__"))
    (work / "tests").mkdir()
    for name in ("__init__.py", "factories.py"):
        shutil.copy(ROOT / "tests" / name, work / "tests" / name)
    detectors = ROOT / "tests" / "detectors"
    (work / "tests" / "detectors").mkdir()
    shutil.copytree(detectors / "golden", work / "tests" / "detectors" / "golden")
    for name in ("__init__.py", "build.py"):
        shutil.copy(detectors / name, work / "tests" / "detectors" / name)
    for test in target.tests:
        if test.endswith(".py"):
            shutil.copy(ROOT / test, work / test)
        else:
            shutil.copytree(ROOT / test, work / test, dirs_exist_ok=True)
    selection = json.dumps([*target.tests, *target.options])
    (work / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        'source_paths = ["credit/"]\n'
        f'only_mutate = ["{target.module}"]\n'
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "--confcutdir=tests"]\n'
        f"pytest_add_cli_args_test_selection = {selection}\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    mutmut = str(Path(sys.executable).parent / "mutmut")
    log = work / "run.log"
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(
            [mutmut, "run", "--max-children", "1"], cwd=work, stdout=out, stderr=out
        )
    if done.returncode != 0:
        if "could not find any test case for any mutant" in log.read_text(encoding="utf-8"):
            # a module that only declares (its detector is built from shared parts): the
            # shared parts are measured as rows of their own
            return Score(target, 0, 0, 0, 0, 0, time.monotonic() - started)
        raise SystemExit(f"{target.name}: mutmut failed, see {log}")
    with log.open("a", encoding="utf-8") as out:
        subprocess.run([mutmut, "export-cicd-stats"], cwd=work, stdout=out, stderr=out, check=True)
    stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text(encoding="utf-8"))
    return Score(
        target,
        killed=stats["killed"],
        survived=stats["survived"],
        no_tests=stats["no_tests"],
        timeout=stats["timeout"],
        total=stats["total"] - stats["skipped"],
        seconds=time.monotonic() - started,
    )


def survivors(target: Target) -> str:
    """mutmut's list of the mutants no test noticed (`mutmut show NAME` in the scratch folder
    shows each one's diff)."""
    mutmut = str(Path(sys.executable).parent / "mutmut")
    done = subprocess.run(
        [mutmut, "results"], cwd=SCRATCH / target.name, capture_output=True, text=True, check=True
    )
    return done.stdout


def report(rows: list[dict[str, object]], day: str) -> str:
    lines = [
        f"# Mutation testing, {day}",
        "",
        "mutmut 3, one module at a time with one worker, each module's own fast tests (no",
        "database). Score: killed mutants over all mutants; a mutant that no test runs counts as",
        f"surviving. Target: at least {TARGET:.0%} per module. Command: `make mutate` (all), or",
        "`make mutate MODULES=NAME` for one row's module.",
        "",
        "| module | file | tests | mutants | killed | survived | no tests | score | time |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        total, killed = int(str(r["total"])), int(str(r["killed"]))
        score = f"{killed / total:.1%}" if total else "n/a (no code in functions)"
        mark = " (below)" if total and killed / total < TARGET else ""
        lines.append(
            f"| {r['name']} | `{r['module']}` | {r['tests']} | {total} | {killed} | "
            f"{r['survived']} | {r['no_tests']} | {score}{mark} | {r['seconds']} s |"
        )
    return "\n".join(lines) + "\n"


def notes(out: Path) -> str:
    """What was written by hand below the table (the survivors explained) stays on a rerun."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    at = text.find("\n## ")
    return text[at:] if at >= 0 else ""


def record(score: Score, command: str) -> dict[str, object]:
    return {
        "name": score.target.name,
        "module": score.target.module,
        "tests": ", ".join(score.target.tests),
        "total": score.mutants,
        "killed": score.killed + score.timeout,
        "survived": score.survived,
        "no_tests": score.no_tests,
        "seconds": round(score.seconds),
        "command": command,
    }


def main() -> None:
    known = targets()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"modules, of: {', '.join(known)}")
    parser.add_argument("--out", type=Path, help="the Markdown report (default: bench/results)")
    parser.add_argument("--survivors", action="store_true", help="list the survivors too")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown modules: {', '.join(unknown)}")
    chosen = [known[n] for n in args.names] if args.names else list(known.values())
    out = args.out or RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-mutation.md"
    kept = out.with_suffix(".json")
    rows = json.loads(kept.read_text(encoding="utf-8")) if kept.exists() else {}
    for target in chosen:
        score = run(target)
        rows[target.name] = record(score, f"make mutate MODULES={target.name}")
        shown = "n/a" if score.score is None else f"{score.score:.1%}"
        print(f"{target.name}: {shown} of {score.mutants} mutants", flush=True)
        if args.survivors and score.survived + score.no_tests:
            print(survivors(target), flush=True)
        # a later module's run adds its row to the day's table (the JSON keeps the rows)
        kept.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
        ordered = [rows[n] for n in known if n in rows]
        day = out.stem.removesuffix("-mutation")  # the day's table, rows added over midnight
        out.write_text(report(ordered, day) + notes(out), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
