"""Structured logs: one JSON object a line on stderr, each with the request it belongs to.

The request id, the principal and the GraphQL operation are context variables set by the HTTP
middleware and the GraphQL extension; `asyncio.to_thread` copies them, so a line logged from a
worker thread (the store, the audit trail) still names its request."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
PRINCIPAL_ID: ContextVar[str] = ContextVar("principal_id", default="")
OPERATION: ContextVar[str] = ContextVar("operation", default="")

# An incoming X-Request-Id is kept when it is short and plain (letters, digits, . _ : -), so a
# proxy's id ties its logs to ours; anything else (a log-injection attempt, a huge header) is
# replaced by a fresh id.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_STANDARD = frozenset(vars(logging.makeLogRecord({})))


def current_request_id() -> str:
    return REQUEST_ID.get()


def request_id_from(header: bytes | None) -> str:
    """The caller's id when it is sane, else a new one."""
    if header:
        text = header.decode("latin-1")
        if _SANE_ID.fullmatch(text):
            return text
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """A record as one JSON line; extra fields given with `extra=` are kept."""

    def __init__(self, tracebacks: bool = False) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": REQUEST_ID.get() or None,
            "principalId": PRINCIPAL_ID.get() or None,
            "operation": OPERATION.get() or None,
            "pid": record.process,  # which worker of `credit serve --workers N`
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line and not key.startswith("_"):
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            error = record.exc_info[1]
            line["error"] = f"{record.exc_info[0].__name__}: {error}"
            if self.tracebacks:
                line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


_HANDLER_NAME = "credit-json"


def configure(level: str = "INFO", tracebacks: bool = False) -> None:
    """JSON lines on stderr for the root logger (once per process); uvicorn's loggers go
    through it too, and the driver's own retry chatter is kept to warnings."""
    root = logging.getLogger()
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter(tracebacks))
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our access line has the request id
    logging.getLogger("neo4j").setLevel(logging.ERROR)
