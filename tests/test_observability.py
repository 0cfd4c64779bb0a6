"""Issue 16 item 7: a request id in the log line, the audit event and the error answer;
Prometheus metrics that count GraphQL calls, for ADMIN only, and that add up over workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from credit.core.store import GraphStore
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import ROOT, token_for
from tests.test_backup import _free_port

QUERY = "{ changes(first: 1) { endCursor } }"
OPERATION = "query changes"


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(text: str, name: str, **labels: str) -> float:
    return _samples(text).get((name, frozenset(labels.items())), 0.0)


def _scrape(url: str) -> str:
    admin = {"authorization": f"Bearer {token_for(Role.ADMIN, name='prometheus')}"}
    answer = httpx.get(f"{url}/metrics", headers=admin, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def test_a_graphql_call_is_counted_and_only_admins_read_metrics(
    api_url: str, store: GraphStore
) -> None:
    before = _scrape(api_url)
    supervisor = {"authorization": f"Bearer {token_for(Role.SUPERVISOR)}"}
    answer = httpx.post(f"{api_url}/graphql", json={"query": QUERY}, headers=supervisor)
    assert answer.status_code == 200 and "errors" not in answer.json()
    after = _scrape(api_url)
    calls = "credit_graphql_operations_total"
    assert _value(after, calls, operation=OPERATION, outcome="ok") == (
        _value(before, calls, operation=OPERATION, outcome="ok") + 1
    )
    timed = "credit_graphql_operation_seconds_count"
    assert (
        _value(after, timed, operation=OPERATION) == _value(before, timed, operation=OPERATION) + 1
    )
    http = "credit_http_requests_total"
    labels = {"route": "/graphql", "method": "POST", "status": "200"}
    assert _value(after, http, **labels) >= _value(before, http, **labels) + 1
    assert _value(after, "credit_feed_head") == 0  # read from the graph at scrape time
    assert _value(after, "credit_neo4j_pool_max") > 0

    refused = httpx.get(f"{api_url}/metrics", headers=supervisor)
    assert refused.status_code == 403
    assert httpx.get(f"{api_url}/metrics").status_code == 401
    bad = httpx.post(f"{api_url}/graphql", json={"query": "{ nope }"}, headers=supervisor)
    assert bad.json()["errors"][0]["extensions"]["requestId"] == bad.headers["x-request-id"]
    assert _value(_scrape(api_url), "credit_errors_total", code="GRAPHQL_VALIDATION_FAILED") >= 1


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`credit serve --workers 2` on the test instance, its stderr (JSON lines) in a file."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "credit.cli", "serve", "--port", str(port), "--workers", "2"],
            env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(log.parent / "metrics")},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/health/ready").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "credit serve --workers 2 did not start"
        time.sleep(0.25)
    yield url, log
    process.terminate()
    process.wait(timeout=30)


def _log_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def test_a_request_id_is_in_the_log_line_the_audit_event_and_the_error(
    workers: tuple[str, Path], store: GraphStore
) -> None:
    url, log = workers
    supervisor = token_for(Role.SUPERVISOR, name="supervisor")
    headers = {"authorization": f"Bearer {supervisor}", "x-request-id": "proxy-7f3a-0001"}
    lookup = "query($u: String!) { organization(uscc: $u) { id } }"
    wrong = {"query": lookup, "variables": {"u": f.wrong_check(f.make_uscc(1))}}
    answer = httpx.post(f"{url}/graphql", json=wrong, headers=headers)
    assert answer.headers["x-request-id"] == "proxy-7f3a-0001"
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["requestId"] == "proxy-7f3a-0001"

    deadline = time.monotonic() + 30
    events: list[dict[str, Any]] = []
    while not events and time.monotonic() < deadline:  # the trail is written by a thread
        events = store.read(
            "MATCH (e:AuditEvent {request_id: $id}) RETURN e.outcome AS outcome",
            id="proxy-7f3a-0001",
        )
        time.sleep(0.2)
    assert [e["outcome"] for e in events] == ["error"]
    lines = [line for line in _log_lines(log) if line["requestId"] == "proxy-7f3a-0001"]
    assert lines, log.read_text()[-2000:]
    access = lines[-1]
    assert access["logger"] == "credit.http" and access["status"] == 200
    assert access["principalId"] and access["level"] == "INFO" and access["time"]
    assert access["operation"] == "query organization"

    # An id that is not sane (spaces, too long) is replaced, never echoed.
    for odd in ("two words", "x" * 300):
        answer = httpx.get(f"{url}/health/live", headers={"x-request-id": odd})
        assert answer.headers["x-request-id"] not in (odd, "")
    # A refusal by the gate names its request too.
    refused = httpx.post(f"{url}/graphql", json={"query": QUERY})
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["requestId"] == refused.headers["x-request-id"]


def test_metrics_add_up_over_two_workers(workers: tuple[str, Path], store: GraphStore) -> None:
    url, log = workers
    calls = "credit_graphql_operations_total"
    before = _value(_scrape(url), calls, operation=OPERATION, outcome="ok")
    supervisor = {"authorization": f"Bearer {token_for(Role.SUPERVISOR)}"}
    sent = 0
    pids: set[int] = set()
    while sent < 200 and (len(pids) < 2 or sent < 20):  # until both workers have answered
        # a new connection each time, so the kernel can hand it to either worker
        answer = httpx.post(f"{url}/graphql", json={"query": QUERY}, headers=supervisor)
        assert answer.status_code == 200
        sent += 1
        request_id = answer.headers["x-request-id"]
        pids |= {line["pid"] for line in _log_lines(log) if line["requestId"] == request_id}
    assert len(pids) == 2, "one worker answered every request"
    counts = {
        _value(_scrape(url), calls, operation=OPERATION, outcome="ok")
        for _ in range(6)  # whichever worker answers the scrape, the sum is the same
    }
    assert counts == {before + sent}


def test_a_long_command_off_a_terminal_prints_progress_lines_and_one_summary(
    store: GraphStore,
) -> None:
    """Issue 16 item 8: no bar in a log file; a plain line with rate and ETA, then a summary."""
    examples = ROOT / "schema" / "examples" / "records.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "credit.cli", "ingest", str(examples)],
        capture_output=True,
        text=True,
        env={**os.environ, "CREDIT_PROGRESS_SECONDS": "0"},
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("ingest ")]
    assert progress and "\r" not in result.stderr  # lines, not a redrawn bar
    total = len(examples.read_text(encoding="utf-8").splitlines())
    assert progress[-1].startswith(f"ingest records.jsonl: {total:,}/{total:,} rec (100%), ")
    assert all(" rec/s" in line and ", ETA " in line for line in progress)
    (summary,) = result.stdout.splitlines()
    assert f"{total} received" in summary and "records/s" in summary
