"""Failures of the environment, said in one line with the fix, each with its own exit code.

A command that meets a stopped database, a wrong password, a schema behind the code, a port held
by another process, a full disk or a configuration file that does not load prints one line
saying what and how to fix it and exits with the code below (sysexits.h numbers, so scripts can
tell them apart). Anything else is a defect: one line too, with the traceback under `--debug`.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from dataclasses import dataclass

from neo4j.exceptions import (
    AuthError,
    ConnectionAcquisitionTimeoutError,
    DatabaseUnavailable,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.launcher import PortTaken, process_on_port

# sysexits.h
EX_DATAERR = 65  # input a rule refuses (a domain error: field, rule, message)
EX_NOINPUT = 66  # a file named on the command line or in settings cannot be read
EX_UNAVAILABLE = 69  # Neo4j cannot be reached
EX_SOFTWARE = 70  # an unexpected error (a defect)
EX_OSERR = 71  # a port is held by another process
EX_IOERR = 74  # the disk is full
EX_TEMPFAIL = 75  # the graph schema is behind the code (migrations not applied)
EX_NOPERM = 77  # Neo4j refused the credentials
EX_CONFIG = 78  # a settings, policy or detector-settings file does not load


@dataclass(frozen=True)
class EnvironmentFailure(Exception):
    """What went wrong and how to fix it, and the exit code that tells it apart."""

    what: str
    fix: str
    exit_code: int

    def __str__(self) -> str:
        return f"{self.what}: {self.fix}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, its causes and, for exception groups (the driver's routing), their members."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def _connection_reason(exc: BaseException) -> str:
    for link in _chain(exc):
        if isinstance(link, ConnectionRefusedError):
            return "connection refused"
        if isinstance(link, TimeoutError):
            return "timed out"
        if isinstance(link, OSError) and link.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "host unreachable"
        if link.__class__.__name__ == "gaierror":
            return "unknown host"
        if "Connection refused" in str(link):  # the driver words some causes, not chains them
            return "connection refused"
    return "no answer"


def port_taken(port: int, fix: str) -> EnvironmentFailure:
    holder = process_on_port(port) or "another process"
    return EnvironmentFailure(f"port {port} is taken by {holder}", fix, EX_OSERR)


def neo4j_unreachable(uri: str, exc: BaseException, local: bool) -> EnvironmentFailure:
    fix = (
        "start it with `credit neo4j start`"
        if local
        else "check NEO4J_URI and that the database is up"
    )
    return EnvironmentFailure(
        f"cannot reach Neo4j at {uri} ({_connection_reason(exc)})", fix, EX_UNAVAILABLE
    )


def describe(exc: BaseException, uri: str, user: str, local: bool) -> EnvironmentFailure | None:
    """The environment failure `exc` stands for, or None if it is not one."""
    from credit.detection.registry import SettingsError
    from credit.policy import PolicyError

    for link in _chain(exc):
        if isinstance(link, EnvironmentFailure):
            return link
        if isinstance(link, PortTaken):
            return port_taken(link.port, link.fix)
        if isinstance(link, AuthError):
            fix = (
                "the local instance's password is in .local/neo4j-<instance>/password; "
                "unset NEO4J_PASSWORD or `make clean` to start afresh"
                if local
                else "check NEO4J_USER and NEO4J_PASSWORD"
            )
            return EnvironmentFailure(
                f"Neo4j at {uri} refused user {user!r} (wrong password)", fix, EX_NOPERM
            )
        if isinstance(link, ServiceUnavailable | SessionExpired):
            return neo4j_unreachable(uri, link, local)
        if isinstance(link, OSError) and link.errno == errno.ENOSPC:
            where = f" writing {link.filename}" if link.filename else ""
            return EnvironmentFailure(
                f"the disk is full{where}", "free space and run the command again", EX_IOERR
            )
        if isinstance(link, Neo4jError) and "No space left on device" in (link.message or ""):
            return EnvironmentFailure(
                f"Neo4j at {uri} has no disk space left",
                "free space on the database's disk and run the command again",
                EX_IOERR,
            )
        if isinstance(link, FileNotFoundError | PermissionError | IsADirectoryError) and (
            link.filename
        ):
            return EnvironmentFailure(
                f"cannot read {link.filename} ({link.strerror})",
                "check the path (settings such as CREDIT_POLICY_FILE name files too)",
                EX_NOINPUT,
            )
        if isinstance(link, PolicyError | SettingsError):
            problems = "; ".join(str(link).splitlines())
            return EnvironmentFailure(
                f"configuration does not load: {problems}", "correct the file named", EX_CONFIG
            )
    return None


# -- failures of what is around the API, translated for clients (credit/api/errors.py) ---


@dataclass(frozen=True)
class Translation:
    """How a failure that is not the client's fault is answered: a stable code, a message that
    says what to do, the HTTP status, and when to retry (seconds; None: no Retry-After)."""

    code: str
    message: str
    status: int
    retry_after: int | None


UNAVAILABLE = Translation(
    "UNAVAILABLE", "the database is unavailable for a moment; retry shortly", 503, 5
)

# The one table: an exception of these classes (anywhere in the chain of causes) is answered
# with its translation instead of a 500 and a trace. The driver raises ServiceUnavailable or
# SessionExpired when Neo4j is down or restarting, DatabaseUnavailable while the database is
# starting, and a pool timeout when every connection waits on a database that does not answer.
TRANSLATIONS: tuple[tuple[tuple[type[BaseException], ...], Translation], ...] = (
    (
        (
            ServiceUnavailable,
            SessionExpired,
            DatabaseUnavailable,
            ConnectionAcquisitionTimeoutError,
        ),
        UNAVAILABLE,
    ),
)


def translate(exc: BaseException | None) -> Translation | None:
    """The translation of `exc` (or of what caused it), or None for anything else."""
    for link in _chain(exc) if exc is not None else ():
        for classes, translation in TRANSLATIONS:
            if isinstance(link, classes):
                return translation
    return None
