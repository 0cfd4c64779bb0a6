"""Runs Neo4j Community from Maven Central jars, without Docker or a tarball.

The jars are gathered once into a per-user cache by Maven (graph/neo4j/pom.xml) and reused by
every checkout; each instance (main for the service, test for the suite) has its own home,
data, logs and generated password under the git-ignored local folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

NEO4J_VERSION = "5.26.30"
POM = Path(__file__).resolve().parent / "neo4j" / "pom.xml"
INSTANCE_PORTS = {"main": 7687, "test": 7688}
JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-modules=jdk.incubator.vector",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-Dfile.encoding=UTF-8",
)


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "credit-neo4j" / NEO4J_VERSION


@dataclass(frozen=True)
class Instance:
    name: str
    home: Path
    port: int
    heap: str = "1g"
    pagecache: str = "512m"

    @property
    def uri(self) -> str:
        return f"neo4j://127.0.0.1:{self.port}"

    @property
    def state_file(self) -> Path:
        return self.home / "state.json"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "credit-neo4j.pid"

    def password(self) -> str:
        path = self.home / "password"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(24))
            path.chmod(0o600)
        return path.read_text().strip()


def instance(name: str, local_dir: Path) -> Instance:
    port = int(os.environ.get("CREDIT_NEO4J_PORT", INSTANCE_PORTS.get(name, 7689)))
    return Instance(name=name, home=local_dir / f"neo4j-{name}", port=port)


def ensure_jars(log: Callable[[str], object] = print) -> Path:
    """Fetch the Neo4j jars with Maven once; later calls return the cached folder at once."""
    lib = cache_dir() / "lib"
    marker = cache_dir() / ".complete"
    if marker.exists():
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Maven (mvn) is required to obtain Neo4j from Maven Central")
    log(f"fetching Neo4j {NEO4J_VERSION} from Maven Central into {lib} (once)")
    tmp = cache_dir() / "lib.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(  # noqa: S603
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-Dneo4j.version={NEO4J_VERSION}",
            f"-DoutputDirectory={tmp}",
            "-DincludeScope=runtime",
        ],
        check=True,
    )
    shutil.rmtree(lib, ignore_errors=True)
    tmp.rename(lib)
    marker.write_text(NEO4J_VERSION)
    return lib


def _write_config(inst: Instance) -> Path:
    conf_dir = inst.home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    dirs = {d: inst.home / d for d in ("data", "logs", "run", "plugins", "import")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    lines = [f"server.directories.{key}={path}" for key, path in dirs.items()]
    lines += [
        f"server.directories.transaction.logs.root={dirs['data'] / 'transactions'}",
        f"server.bolt.listen_address=127.0.0.1:{inst.port}",
        f"server.bolt.advertised_address=127.0.0.1:{inst.port}",
        "server.http.enabled=false",
        "server.https.enabled=false",
        f"server.memory.heap.initial_size={inst.heap}",
        f"server.memory.heap.max_size={inst.heap}",
        f"server.memory.pagecache.size={inst.pagecache}",
        "dbms.usage_report.enabled=false",
        "dbms.security.auth_enabled=true",
        "db.transaction.timeout=120s",
        "server.jvm.additional=-XX:+UseG1GC",
    ]
    (conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")
    return conf_dir


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise RuntimeError("Java 17 or 21 is required to run Neo4j 5.26")
    return found


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _bolt_answers(inst: Instance) -> bool:
    try:
        with GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password())) as driver:
            driver.verify_connectivity()
        return True
    except (ServiceUnavailable, OSError, AuthError):
        return False


def _running_pid(inst: Instance) -> int | None:
    if not inst.pid_file.exists():
        return None
    pid = int(inst.pid_file.read_text().strip() or 0)
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return None
    return pid


def status(inst: Instance) -> str:
    if _running_pid(inst) and _bolt_answers(inst):
        return "running"
    if _running_pid(inst):
        return "starting"
    return "stopped"


def start(inst: Instance, timeout: float = 180.0, log: Callable[[str], object] = print) -> str:
    """Start the instance unless it already answers; return its URI once Bolt answers."""
    if _running_pid(inst) and _bolt_answers(inst):
        return inst.uri
    if _port_open(inst.port) and not _running_pid(inst):
        raise RuntimeError(f"port {inst.port} is taken by another process")
    lib = ensure_jars(log)
    conf_dir = _write_config(inst)
    env = dict(os.environ, NEO4J_HOME=str(inst.home), NEO4J_CONF=str(conf_dir))
    if not (inst.home / "data" / "dbms").exists():
        subprocess.run(  # noqa: S603
            [
                _java(),
                "-cp",
                f"{lib}/*",
                "org.neo4j.cli.AdminTool",
                "dbms",
                "set-initial-password",
                inst.password(),
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    if not _running_pid(inst):
        out = (inst.home / "logs" / "console.log").open("ab")
        proc = subprocess.Popen(  # noqa: S603
            [
                _java(),
                f"-Xmx{inst.heap}",
                *JVM_FLAGS,
                "-cp",
                f"{lib}/*",
                "org.neo4j.server.CommunityEntryPoint",
                f"--home-dir={inst.home}",
                f"--config-dir={conf_dir}",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        inst.pid_file.write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _running_pid(inst):
            raise RuntimeError(f"Neo4j exited during start; see {inst.home / 'logs'}")
        if _bolt_answers(inst):
            inst.state_file.write_text(
                json.dumps({"uri": inst.uri, "password": inst.password(), "port": inst.port})
            )
            inst.state_file.chmod(0o600)
            return inst.uri
        time.sleep(0.5)
    raise RuntimeError(f"Neo4j did not answer on {inst.uri} within {timeout:.0f}s")


def stop(inst: Instance, timeout: float = 60.0) -> bool:
    pid = _running_pid(inst)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _running_pid(inst):
        time.sleep(0.3)
    if _running_pid(inst):
        os.kill(pid, signal.SIGKILL)
    inst.pid_file.unlink(missing_ok=True)
    return True
