"""Runs Neo4j Community from Maven Central jars, without Docker or a tarball.

The jars are gathered once into a per-user cache by Maven (graph/neo4j/pom.xml) and reused by
every checkout; each instance (main for the service, test for the suite, bench for the
benchmarks) has its own home, data, logs and generated password under the git-ignored local
folder. Plugins (APOC core, graph/neo4j/apoc-pom.xml) are fetched the same way on request.
"""

from __future__ import annotations

import json
import os
import re
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
# The newest APOC core release of the 5.26 line on Maven Central; APOC checks major.minor only.
APOC_VERSION = "5.26.19"
POM = Path(__file__).resolve().parent / "neo4j" / "pom.xml"
PLUGIN_POMS = {"apoc": (POM.parent / "apoc-pom.xml", APOC_VERSION)}
# Config each plugin needs: APOC's procedures use internal APIs, so they must be unrestricted.
PLUGIN_CONFIG = {"apoc": ("dbms.security.procedures.unrestricted=apoc.*",)}


@dataclass(frozen=True)
class InstanceDefaults:
    port: int
    heap: str = "1g"
    pagecache: str = "512m"
    plugins: tuple[str, ...] = ()


# The bench instance holds the L dataset (200,000 suppliers, 2,000,000 bids) and serves the
# @neo4j/graphql comparison server, which needs APOC.
INSTANCE_DEFAULTS = {
    "main": InstanceDefaults(7687),
    "test": InstanceDefaults(7688),
    "bench": InstanceDefaults(7690, heap="4g", pagecache="6g", plugins=("apoc",)),
}
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
    plugins: tuple[str, ...] = ()

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
            # never a leading "-": neo4j-admin would read the password as an option
            path.write_text("n" + secrets.token_urlsafe(24))
            path.chmod(0o600)
        return path.read_text().strip()


def instance(name: str, local_dir: Path) -> Instance:
    """The named instance with its defaults, overridden by CREDIT_NEO4J_PORT, _HEAP, _PAGECACHE
    and _PLUGINS (comma-separated names from PLUGIN_POMS; empty for none)."""
    base = INSTANCE_DEFAULTS.get(name, InstanceDefaults(7689))
    env = os.environ
    listed = env.get("CREDIT_NEO4J_PLUGINS")
    plugins = base.plugins
    if listed is not None:
        plugins = tuple(name.strip() for name in listed.split(",") if name.strip())
    unknown = sorted(set(plugins) - PLUGIN_POMS.keys())
    if unknown:
        raise ValueError(
            f"CREDIT_NEO4J_PLUGINS: unknown plugin(s) {unknown}; known: {[*PLUGIN_POMS]}"
        )
    return Instance(
        name=name,
        home=local_dir / f"neo4j-{name}",
        port=int(env.get("CREDIT_NEO4J_PORT", base.port)),
        heap=env.get("CREDIT_NEO4J_HEAP", base.heap),
        pagecache=env.get("CREDIT_NEO4J_PAGECACHE", base.pagecache),
        plugins=plugins,
    )


def _maven_copy(
    what: str, pom: Path, version: str, dest: Path, marker: Path, log: Callable[[str], object]
) -> Path:
    """Copy a pom's runtime jars (its version property set to version) into dest with Maven
    once; later calls return dest at once."""
    if marker.exists():
        return dest
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError(f"Maven (mvn) is required to obtain {what} from Maven Central")
    log(f"fetching {what} {version} from Maven Central into {dest} (once)")
    tmp = dest.parent / f"{dest.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(  # noqa: S603
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-Dartifact.version={version}",
            f"-DoutputDirectory={tmp}",
            "-DincludeScope=runtime",
        ],
        check=True,
    )
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    marker.write_text(version)
    return dest


def ensure_jars(log: Callable[[str], object] = print) -> Path:
    """Fetch the Neo4j jars with Maven once; later calls return the cached folder at once."""
    lib = cache_dir() / "lib"
    return _maven_copy("Neo4j", POM, NEO4J_VERSION, lib, cache_dir() / ".complete", log)


def _jar_artifact(jar: Path) -> str:
    """The artifact name of a Maven jar file name: 'commons-text-1.10.0.jar' -> 'commons-text'."""
    return re.sub(r"-\d[^-]*(-[A-Za-z0-9.]+)?\.jar$", "", jar.name)


def install_plugins(inst: Instance, lib: Path, log: Callable[[str], object] = print) -> None:
    """Put the instance's plugins (and only those) into its plugins folder, leaving out the
    libraries Neo4j already ships, whose version wins on the shared class path anyway."""
    folder = inst.home / "plugins"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shipped = {_jar_artifact(jar) for jar in lib.glob("*.jar")}
    for name in inst.plugins:
        pom, version = PLUGIN_POMS[name]
        dest = cache_dir() / "plugins" / f"{name}-{version}"
        jars = _maven_copy(name, pom, version, dest, dest.with_name(f".{dest.name}.complete"), log)
        for jar in sorted(jars.glob("*.jar")):
            if _jar_artifact(jar) not in shipped:
                shutil.copy2(jar, folder / jar.name)


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
    lines += [line for name in inst.plugins for line in PLUGIN_CONFIG[name]]
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


class PortTaken(RuntimeError):
    """A port this launcher needs answers for a process that is not ours."""

    def __init__(self, port: int, fix: str) -> None:
        holder = process_on_port(port) or "another process"
        super().__init__(f"port {port} is taken by {holder}: {fix}")
        self.port, self.fix = port, fix


def process_on_port(port: int) -> str | None:
    """The command (and pid) listening on a local TCP port, from /proc; None if unknown."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 9 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{cols[9]}]")
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                argv = (proc / "cmdline").read_bytes().split(b"\0")
                return f"{Path(argv[0].decode(errors='replace')).name} (pid {proc.name})"
        except OSError:
            continue
    return None


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


def loaded_plugins(inst: Instance) -> set[str]:
    """The plugins a running instance was started with: its plugins folder holds their jars
    (named after the plugin, e.g. apoc-core-5.26.19.jar) and is rewritten only at a start."""
    folder = inst.home / "plugins"
    return {name for name in PLUGIN_POMS if any(folder.glob(f"{name}-*.jar"))}


def start(inst: Instance, timeout: float = 180.0, log: Callable[[str], object] = print) -> str:
    """Start the instance unless it already answers with the plugins asked for (it is restarted
    to load a missing one, e.g. APOC asked for with CREDIT_NEO4J_PLUGINS); return its URI once
    Bolt answers."""
    if _running_pid(inst) and _bolt_answers(inst):
        missing = sorted(set(inst.plugins) - loaded_plugins(inst))
        if not missing:
            return inst.uri
        log(f"restarting Neo4j instance '{inst.name}' to load plugin(s) {', '.join(missing)}")
        stop(inst)
    if _port_open(inst.port) and not _running_pid(inst):
        raise PortTaken(
            inst.port, f"stop it, or give instance '{inst.name}' another port (CREDIT_NEO4J_PORT)"
        )
    lib = ensure_jars(log)
    conf_dir = _write_config(inst)
    install_plugins(inst, lib, log)
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
                # as Neo4j's own start script does: plugins register extensions (APOC its
                # ApocConfig) through the class path, not only the procedure loader
                f"{inst.home / 'plugins'}/*:{lib}/*",
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


def admin(inst: Instance, *args: str, log: Callable[[str], object] = print) -> None:
    """Run `neo4j-admin` (the jars' AdminTool) on the instance's home and configuration; its
    own message is raised on failure."""
    lib = ensure_jars(log)
    conf_dir = _write_config(inst)
    env = dict(os.environ, NEO4J_HOME=str(inst.home), NEO4J_CONF=str(conf_dir))
    done = subprocess.run(  # noqa: S603
        [_java(), *JVM_FLAGS, "-cp", f"{lib}/*", "org.neo4j.cli.AdminTool", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise RuntimeError(
            f"neo4j-admin {' '.join(args[:2])}: {detail[-1] if detail else 'failed'}"
        )


def dump(inst: Instance, folder: Path, database: str = "neo4j") -> Path:
    """`neo4j-admin database dump` of a stopped instance into folder; the dump's path."""
    admin(inst, "database", "dump", f"--to-path={folder}", "--overwrite-destination=true", database)
    return folder / f"{database}.dump"


def load(inst: Instance, folder: Path, database: str = "neo4j") -> None:
    """`neo4j-admin database load` of folder/<database>.dump over a stopped instance's data."""
    admin(
        inst, "database", "load", f"--from-path={folder}", "--overwrite-destination=true", database
    )


def import_full(
    inst: Instance,
    nodes: list[Path],
    relationships: list[Path],
    options: tuple[str, ...] = (),
    database: str = "neo4j",
) -> None:
    """`neo4j-admin database import full` of CSV files (headers in each file) into a stopped
    instance's database, replacing it."""
    admin(
        inst,
        "database",
        "import",
        "full",
        *(f"--nodes={path}" for path in nodes),
        *(f"--relationships={path}" for path in relationships),
        "--overwrite-destination=true",
        *options,
        database,
    )
