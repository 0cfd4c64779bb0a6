"""Progress of a long command on stderr: a bar with rate and ETA on a terminal; otherwise (a
log file, a CI job, `docker logs`) one plain line every few seconds, so logs stay readable.
CREDIT_PROGRESS_SECONDS sets that interval (default 10). The command ends with its own one-line
summary on stdout."""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import Any, TextIO

from tqdm import tqdm


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Progress:
    def __init__(
        self,
        desc: str,
        total: int | None = None,
        unit: str = "rec",
        initial: int = 0,
        stream: TextIO | None = None,
    ) -> None:
        self.desc, self.total, self.unit = desc, total, unit
        self.stream = stream or sys.stderr
        self.initial = self.done = initial
        self.started = self.last = time.monotonic()
        self.every = float(os.environ.get("CREDIT_PROGRESS_SECONDS", "10"))
        self.bar: tqdm[Any] | None = None
        if self.stream.isatty():
            self.bar = tqdm(
                total=total,
                initial=initial,
                desc=desc,
                unit=unit,
                file=self.stream,
                dynamic_ncols=True,
            )

    def update(self, count: int = 1) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
            return
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            print(self.line(now), file=self.stream, flush=True)

    def line(self, now: float | None = None) -> str:
        """ "ingest: 1,200/5,000 rec (24%), 310 rec/s, ETA 12s"."""
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        rate = (self.done - self.initial) / elapsed
        if self.total:
            share = (
                f"{self.done:,}/{self.total:,} {self.unit} ({100 * self.done / self.total:.0f}%)"
            )
            left = self.total - self.done
            eta = f", ETA {_duration(left / rate)}" if rate > 0 else ""
        else:
            share, eta = f"{self.done:,} {self.unit}", ""
        return f"{self.desc}: {share}, {rate:,.0f} {self.unit}/s{eta}"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
