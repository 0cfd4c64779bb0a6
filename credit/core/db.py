"""One driver per process, built from settings; every call names its database."""

from __future__ import annotations

import os
from functools import lru_cache

from neo4j import Driver, GraphDatabase

from credit.core.settings import Settings, get_settings


def make_driver(settings: Settings) -> Driver:
    uri, user, password = settings.connection()
    # How long a transaction is retried while Neo4j does not answer: a command may wait out a
    # restart; `credit serve` sets 5 s, so a caller gets UNAVAILABLE soon instead of hanging.
    retry = float(os.environ.get("CREDIT_NEO4J_RETRY_SECONDS", "30"))
    return GraphDatabase.driver(
        uri,
        auth=(user, password),
        max_connection_pool_size=50,
        connection_acquisition_timeout=30.0,
        max_transaction_retry_time=retry,
        user_agent="procurement-credit/0.1",
        notifications_min_severity="OFF",
    )


@lru_cache(maxsize=1)
def get_driver() -> Driver:
    """The process's driver, once Neo4j answered: a stopped database or a wrong password is
    said at once (credit/core/failures.py) instead of after the driver's 30 s of retries."""
    driver = make_driver(get_settings())
    try:
        driver.verify_connectivity()
    except Exception:
        driver.close()
        raise
    return driver
