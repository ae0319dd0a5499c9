#!/usr/bin/env python3
"""Local infrastructure for development and tests, run as plain processes (no containers).

Runs Kafka (KRaft, single node), FerretDB (MongoDB wire protocol on SQLite) and MinIO,
each bound to 127.0.0.1 only. The software is built once into a per-user cache
(``$XDG_CACHE_HOME/mentorship-platform/``); data, logs and pid files live in the state
directory (``<repo>/.local-stack/`` or ``$STACK_STATE_DIR``).

Standard library only, so it runs before (or without) the project's virtualenv::

    python3 deploy/local/stack.py install|start|stop|status|reset

It is also importable (the test suite loads it by path): see :func:`start`, :func:`stop`,
:func:`status`, :func:`is_healthy` and :func:`endpoints`.
"""

import argparse
import base64
import contextlib
import dataclasses
import fcntl
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
KAFKA_POM = HERE / "kafka" / "pom.xml"
KAFKA_LOG4J2 = HERE / "kafka" / "log4j2.xml"

KAFKA_VERSION = "4.1.1"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"
MINIO_MODULE = "github.com/minio/minio"
# MinIO has no semver tags; this is the pseudo-version of the commit we build.
MINIO_VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c"

HOST = "127.0.0.1"
#: The local broker's password-protected listener (a development credential, like MinIO's).
KAFKA_SASL_USER = "platform"
KAFKA_SASL_PASSWORD = "platform-dev-secret"
COMPONENTS = ("kafka", "ferretdb", "minio", "smtp")
INSTALL_HINT = "apt-get install openjdk-17-jdk-headless maven golang"
MIN_GO = (1, 21)  # older Go cannot fetch the newer toolchain that MinIO's go.mod asks for
START_TIMEOUTS = {"kafka": 120.0, "ferretdb": 60.0, "minio": 60.0, "smtp": 30.0}
STOP_TIMEOUT = 30.0
LOG_TAIL_LINES = 30
STATE_MARKER = ".mentorship-local-stack"
STAMP_FILE = ".installed"  # written last into a cache dir; holds the version it was built for


class StackError(RuntimeError):
    """A component could not be installed, started or stopped."""


# --------------------------------------------------------------------------- settings


@dataclasses.dataclass(frozen=True)
class Settings:
    """Where things live and which ports they use; read from the environment."""

    cache_dir: Path
    state_dir: Path
    kafka_port: int
    kafka_controller_port: int
    kafka_sasl_port: int
    mongo_port: int
    minio_port: int
    minio_console_port: int
    minio_user: str
    minio_password: str
    smtp_port: int = 8025
    mail_http_port: int = 8026

    @property
    def mail_dir(self) -> Path:
        """Where the SMTP capture server keeps every mail (one .eml file each)."""
        return self.state_dir / "mail"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def kafka_libs(self) -> Path:
        return self.cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"

    @property
    def ferretdb_bin(self) -> Path:
        return self.cache_dir / f"ferretdb-{FERRETDB_VERSION}" / "ferretdb"

    @property
    def minio_bin(self) -> Path:
        return self.cache_dir / f"minio-{MINIO_VERSION.rsplit('-', 1)[-1][:8]}" / "minio"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise StackError(f"{name}={value!r} is not a port number") from None


def settings() -> Settings:
    """The current settings (environment variables are read on every call)."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    state = os.environ.get("STACK_STATE_DIR") or str(REPO_ROOT / ".local-stack")
    kafka_port = _env_int("STACK_KAFKA_PORT", 9092)
    minio_port = _env_int("STACK_MINIO_PORT", 9000)
    return Settings(
        cache_dir=Path(cache_home) / "mentorship-platform",
        state_dir=Path(state).resolve(),
        kafka_port=kafka_port,
        kafka_controller_port=_env_int("STACK_KAFKA_CONTROLLER_PORT", kafka_port + 1),
        kafka_sasl_port=_env_int("STACK_KAFKA_SASL_PORT", kafka_port + 2),
        mongo_port=_env_int("STACK_MONGO_PORT", 27017),
        minio_port=minio_port,
        minio_console_port=_env_int("STACK_MINIO_CONSOLE_PORT", minio_port + 1),
        minio_user=os.environ.get("MINIO_ROOT_USER") or "mentorship",
        minio_password=os.environ.get("MINIO_ROOT_PASSWORD") or "mentorship-dev-secret",
        smtp_port=_env_int("STACK_SMTP_PORT", 8025),
        mail_http_port=_env_int("STACK_MAIL_HTTP_PORT", 8026),
    )


def endpoints() -> dict[str, str]:
    """Connection details for clients of the local stack."""
    s = settings()
    return {
        "kafka_bootstrap": f"{HOST}:{s.kafka_port}",
        "kafka_sasl_bootstrap": f"{HOST}:{s.kafka_sasl_port}",
        "kafka_sasl_username": KAFKA_SASL_USER,
        "kafka_sasl_password": KAFKA_SASL_PASSWORD,
        "mongo_url": f"mongodb://{HOST}:{s.mongo_port}/",
        "minio_endpoint": f"{HOST}:{s.minio_port}",
        "minio_access_key": s.minio_user,
        "minio_secret_key": s.minio_password,
        "minio_console": f"http://{HOST}:{s.minio_console_port}",
        "smtp_host": HOST,
        "smtp_port": str(s.smtp_port),
        "mail_url": f"http://{HOST}:{s.mail_http_port}/",
        "mail_dir": str(s.mail_dir),
    }


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, flush=True)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise installs/starts across processes (e.g. parallel test runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- install


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise StackError(f"`{name}` was not found on PATH; install it, e.g. `{INSTALL_HINT}`")
    return path


def _java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return 0
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _require_java() -> str:
    java = _require_tool("java")
    if _java_major(java) < 17:
        raise StackError(f"Kafka {KAFKA_VERSION} needs Java 17 or newer; `{INSTALL_HINT}`")
    return java


def _require_go() -> str:
    go = _require_tool("go")
    out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True).stdout
    match = re.match(r"go(\d+)\.(\d+)", out.strip())
    if not match or (int(match.group(1)), int(match.group(2))) < MIN_GO:
        raise StackError(
            f"Go {MIN_GO[0]}.{MIN_GO[1]} or newer is needed (found {out.strip() or 'unknown'}); "
            "install a newer Go (e.g. from your distribution's backports)"
        )
    return go


def _run_build(
    cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, what: str
) -> None:
    """Run a build command, raising with its output's tail if it fails."""
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-LOG_TAIL_LINES:])
        raise StackError(f"building {what} failed ({' '.join(cmd[:3])} ...):\n{tail}")


def _binary_works(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        proc = subprocess.run([str(path), "--version"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def _installed(directory: Path, stamp: str, needed: str) -> bool:
    """``directory`` was completed by :func:`_staging_dir` for this exact ``stamp``."""
    try:
        recorded = (directory / STAMP_FILE).read_text().strip()
    except OSError:
        return False
    return recorded == stamp and any(directory.glob(needed))


@contextlib.contextmanager
def _staging_dir(final: Path, stamp: str) -> Iterator[Path]:
    """A temp dir next to ``final``, stamped and renamed onto it only if the build succeeds.

    An interrupted build leaves a ``.<name>.*`` directory, never a half-filled ``final``.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    staging.chmod(0o755)
    try:
        yield staging
        (staging / STAMP_FILE).write_text(stamp + "\n")
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _kafka_stamp() -> str:
    """Changes whenever pom.xml does, so editing it re-resolves the jars."""
    return f"{KAFKA_VERSION} pom-sha256={hashlib.sha256(KAFKA_POM.read_bytes()).hexdigest()}"


def _install_kafka(s: Settings) -> None:
    mvn = _require_tool("mvn")
    _require_java()
    with _staging_dir(s.kafka_libs.parent, _kafka_stamp()) as staging:
        _run_build(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(KAFKA_POM),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging / 'libs'}",
                "-DincludeScope=runtime",
            ],
            what=f"Kafka {KAFKA_VERSION}",
        )


def _go_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["CGO_ENABLED"] = env.get("CGO_ENABLED", "0")
    env.update(extra)
    return env


def _install_ferretdb(s: Settings) -> None:
    """Build FerretDB from its module source.

    ``go install`` alone produces a binary that panics at start-up because the module
    ships without ``build/version/version.txt``, so we copy the source, add that file
    and ``go build`` it.
    """
    go = _require_go()
    with _staging_dir(s.ferretdb_bin.parent, FERRETDB_VERSION) as staging:
        download = subprocess.run(
            [go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
            capture_output=True,
            text=True,
            env=_go_env(),
            cwd=staging,
        )
        if download.returncode != 0:
            raise StackError(f"downloading FerretDB failed:\n{download.stdout}{download.stderr}")
        src = staging / "src"
        shutil.copytree(json.loads(download.stdout)["Dir"], src)
        for path in [src, *src.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)  # the module cache is read-only
        (src / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
        binary = staging / "ferretdb"
        _run_build(
            [go, "build", "-trimpath", "-o", str(binary), "./cmd/ferretdb"],
            cwd=src,
            env=_go_env(),
            what=f"FerretDB {FERRETDB_VERSION}",
        )
        shutil.rmtree(src)
        if not _binary_works(binary):
            raise StackError("the freshly built FerretDB binary does not run")


def _install_minio(s: Settings) -> None:
    go = _require_go()
    with _staging_dir(s.minio_bin.parent, MINIO_VERSION) as staging:
        _run_build(
            [go, "install", f"{MINIO_MODULE}@{MINIO_VERSION}"],
            cwd=staging,
            env=_go_env(GOBIN=str(staging)),
            what=f"MinIO {MINIO_VERSION}",
        )
        if not _binary_works(staging / "minio"):
            raise StackError("the freshly built MinIO binary does not run")


def _installers(s: Settings) -> dict[str, tuple[Callable[[], bool], Callable[[], None]]]:
    return {
        "kafka": (
            lambda: _installed(s.kafka_libs.parent, _kafka_stamp(), "libs/kafka_2.13-*.jar"),
            lambda: _install_kafka(s),
        ),
        "ferretdb": (
            lambda: _installed(s.ferretdb_bin.parent, FERRETDB_VERSION, "ferretdb"),
            lambda: _install_ferretdb(s),
        ),
        "minio": (
            lambda: _installed(s.minio_bin.parent, MINIO_VERSION, "minio"),
            lambda: _install_minio(s),
        ),
    }


#: Debian packages the platform needs beside the cache: the edge's reverse proxy, the
#: browser the web app's journey tests drive, and ffprobe (Debian's ffmpeg), with which
#: documents probes uploaded media (program -> package).
DEBIAN_PACKAGES = {
    "/usr/sbin/nginx": "nginx-light",
    "/usr/bin/chromium": "chromium",
    "/usr/bin/ffprobe": "ffmpeg",
}


def _install_debian_packages(quiet: bool) -> None:
    """apt-get install what is missing (as root; otherwise say what to install)."""
    missing = [pkg for path, pkg in DEBIAN_PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        hint = f"sudo apt-get install {' '.join(missing)}"
        raise StackError(f"missing {', '.join(missing)}: `{hint}`")
    _say(quiet, f"installing {', '.join(missing)} (apt-get) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run_build(["apt-get", "update", "-qq"], env=env, what="the apt package lists")
    _run_build(["apt-get", "install", "-y", "-qq", *missing], env=env, what=" ".join(missing))


def install(quiet: bool = False) -> dict[str, float]:
    """Fetch/build whatever is missing from the cache; returns seconds spent per component."""
    s = settings()
    timings: dict[str, float] = {}
    _install_debian_packages(quiet)
    with _file_lock(s.cache_dir / ".install.lock"):
        for name, (installed, build) in _installers(s).items():
            if installed():
                continue
            _say(quiet, f"installing {name} (one-time, cached in {s.cache_dir}) ...")
            began = time.monotonic()
            build()
            timings[name] = time.monotonic() - began
            _say(quiet, f"installed {name} in {timings[name]:.1f}s")
    return timings


# --------------------------------------------------------------------------- health checks


def port_open(port: int, timeout: float = 0.5) -> bool:
    """True if something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed mid-message")
        data += chunk
    return bytes(data)


def kafka_ready(port: int, timeout: float = 2.0) -> bool:
    """A Metadata (v1) request lists at least one broker, i.e. the broker is serving."""
    client_id = b"stack-health"
    header = struct.pack(">hhih", 3, 1, 1, len(client_id)) + client_id
    request = header + struct.pack(">i", 0)  # empty topic list: brokers only
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(struct.pack(">i", len(request)) + request)
            (size,) = struct.unpack(">i", _recv_exact(sock, 4))
            response = _recv_exact(sock, size)
        correlation_id, broker_count = struct.unpack(">ii", response[:8])
    except (OSError, struct.error):
        return False
    return correlation_id == 1 and broker_count > 0


def _bson_hello() -> bytes:
    """BSON for ``{"isMaster": 1, "$db": "admin"}``."""
    body = b"\x10isMaster\x00" + struct.pack("<i", 1) + b"\x02$db\x00"
    body += struct.pack("<i", len(b"admin\x00")) + b"admin\x00"
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def mongo_ready(port: int, timeout: float = 2.0) -> bool:
    """An OP_MSG ``isMaster`` round trip answers ``ok: 1.0``."""
    section = b"\x00" + _bson_hello()
    message = struct.pack("<iiii", 16 + 4 + len(section), 1, 0, 2013) + b"\x00\x00\x00\x00"
    message += section
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(message)
            (length,) = struct.unpack("<i", _recv_exact(sock, 4))
            reply = _recv_exact(sock, length - 4)
    except (OSError, struct.error):
        return False
    # The reply document has a top-level double ``ok`` equal to 1.0.
    return b"\x01ok\x00" + struct.pack("<d", 1.0) in reply


def http_ok(port: int, path: str, timeout: float = 2.0) -> bool:
    """HTTP GET http://127.0.0.1:port/path answers 200."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


# --------------------------------------------------------------------------- components


@dataclasses.dataclass(frozen=True)
class Component:
    """How to launch one piece of infrastructure and tell that it is healthy."""

    name: str
    ports: tuple[int, ...]
    endpoint: str
    marker: str  # a string in the process's command line, to recognise our own pid
    command: Callable[[Settings], list[str]]
    env: Callable[[Settings], dict[str, str]]
    prepare: Callable[[Settings], None]
    healthy: Callable[[Settings], bool]


def _kafka_dir(s: Settings) -> Path:
    return s.state_dir / "kafka"


def kafka_properties(s: Settings) -> str:
    """The broker+controller configuration for a single-node KRaft cluster."""
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{s.kafka_controller_port}",
        "listeners": (
            f"PLAINTEXT://{HOST}:{s.kafka_port},CONTROLLER://{HOST}:{s.kafka_controller_port},"
            f"SASL_PLAINTEXT://{HOST}:{s.kafka_sasl_port}"
        ),
        "advertised.listeners": (
            f"PLAINTEXT://{HOST}:{s.kafka_port},SASL_PLAINTEXT://{HOST}:{s.kafka_sasl_port}"
        ),
        "listener.security.protocol.map": (
            "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT"
        ),
        # a second listener that demands a password, so the clients' SASL path is tested
        "listener.name.sasl_plaintext.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config": (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'user_{KAFKA_SASL_USER}="{KAFKA_SASL_PASSWORD}";'
        ),
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(_kafka_dir(s) / "data"),
        "auto.create.topics.enable": "false",
        "delete.topic.enable": "true",
        "num.partitions": "3",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "10",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "share.coordinator.state.topic.num.partitions": "10",
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "4",
        "log.retention.hours": "168",
    }
    lines = ["# Generated by deploy/local/stack.py on every start; edit that file instead."]
    lines += [f"{key}={value}" for key, value in props.items()]
    return "\n".join(lines) + "\n"


def _kafka_java(s: Settings, main: str, *args: str) -> list[str]:
    return [
        "java",
        "-Xms512m",
        "-Xmx1g",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={KAFKA_LOG4J2}",
        "-cp",
        f"{s.kafka_libs}/*",
        main,
        *args,
    ]


def _cluster_id() -> str:
    """A random Kafka cluster id (URL-safe base64 of a UUID, as Kafka makes them)."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):
            return value


def _prepare_kafka(s: Settings) -> None:
    _require_java()
    kafka_dir = _kafka_dir(s)
    kafka_dir.mkdir(parents=True, exist_ok=True)
    config = kafka_dir / "server.properties"
    config.write_text(kafka_properties(s))
    if (kafka_dir / "data" / "meta.properties").exists():
        return
    id_file = kafka_dir / "cluster.id"
    if not id_file.exists():
        id_file.write_text(_cluster_id() + "\n")
    cmd = _kafka_java(
        s,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        id_file.read_text().strip(),
        "-c",
        str(config),
        "--ignore-formatted",
    )
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise StackError(f"formatting Kafka storage failed:\n{proc.stdout}")


def _prepare_ferretdb(s: Settings) -> None:
    (s.state_dir / "ferretdb").mkdir(parents=True, exist_ok=True)
    (s.state_dir / "ferretdb-state").mkdir(parents=True, exist_ok=True)


def _prepare_minio(s: Settings) -> None:
    (s.state_dir / "minio").mkdir(parents=True, exist_ok=True)


def _prepare_smtp(s: Settings) -> None:
    s.mail_dir.mkdir(parents=True, exist_ok=True)


def _workspace_python() -> str:
    """The uv workspace's interpreter (it has aiosmtpd), else this one."""
    venv = REPO_ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _components(s: Settings) -> dict[str, Component]:
    return {
        "kafka": Component(
            name="kafka",
            ports=(s.kafka_port, s.kafka_controller_port, s.kafka_sasl_port),
            endpoint=f"{HOST}:{s.kafka_port}",
            marker="kafka.Kafka",
            command=lambda s: _kafka_java(
                s, "kafka.Kafka", str(_kafka_dir(s) / "server.properties")
            ),
            env=lambda s: {},
            prepare=_prepare_kafka,
            healthy=lambda s: kafka_ready(s.kafka_port),
        ),
        "ferretdb": Component(
            name="ferretdb",
            ports=(s.mongo_port,),
            endpoint=f"mongodb://{HOST}:{s.mongo_port}/",
            marker=str(s.ferretdb_bin),
            command=lambda s: [
                str(s.ferretdb_bin),
                "--handler=sqlite",
                # WAL with synchronous=NORMAL: no fsync per commit (safe against process
                # crashes, not power loss), which is what a local dev/test stack wants.
                f"--sqlite-url=file:{s.state_dir / 'ferretdb'}/?_pragma=synchronous(normal)",
                f"--listen-addr={HOST}:{s.mongo_port}",
                f"--state-dir={s.state_dir / 'ferretdb-state'}",
                "--debug-addr=-",
                "--telemetry=disable",
                "--log-level=error",  # warn logs every unsupported command
            ],
            env=lambda s: {},
            prepare=_prepare_ferretdb,
            healthy=lambda s: mongo_ready(s.mongo_port),
        ),
        "minio": Component(
            name="minio",
            ports=(s.minio_port, s.minio_console_port),
            endpoint=f"http://{HOST}:{s.minio_port} (console http://{HOST}:{s.minio_console_port})",
            marker=str(s.minio_bin),
            command=lambda s: [
                str(s.minio_bin),
                "server",
                str(s.state_dir / "minio"),
                "--address",
                f"{HOST}:{s.minio_port}",
                "--console-address",
                f"{HOST}:{s.minio_console_port}",
            ],
            env=lambda s: {
                "MINIO_ROOT_USER": s.minio_user,
                "MINIO_ROOT_PASSWORD": s.minio_password,
                "MINIO_UPDATE": "off",
                "MINIO_BROWSER_REDIRECT": "off",
            },
            prepare=_prepare_minio,
            healthy=lambda s: http_ok(s.minio_port, "/minio/health/live"),
        ),
        # A real SMTP server that keeps every mail (digests) as files, listed over HTTP.
        "smtp": Component(
            name="smtp",
            ports=(s.smtp_port, s.mail_http_port),
            endpoint=f"smtp://{HOST}:{s.smtp_port} (mail at http://{HOST}:{s.mail_http_port}/ "
            f"and in {s.mail_dir})",
            marker="mail_capture.py",
            command=lambda s: [
                _workspace_python(),
                str(HERE / "mail_capture.py"),
                f"--port={s.smtp_port}",
                f"--http-port={s.mail_http_port}",
                f"--dir={s.mail_dir}",
            ],
            env=lambda s: {},
            prepare=_prepare_smtp,
            healthy=lambda s: http_ok(s.mail_http_port, "/"),
        ),
    }


# --------------------------------------------------------------------------- processes


def _pid_file(s: Settings, name: str) -> Path:
    return s.run_dir / f"{name}.pid"


def _log_file(s: Settings, name: str) -> Path:
    return s.logs_dir / f"{name}.log"


def _read_pid(s: Settings, name: str) -> int | None:
    try:
        return int(_pid_file(s, name).read_text().strip())
    except (OSError, ValueError):
        return None


def _pid_exists(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return not Path("/proc/self").exists()  # no procfs: trust kill(0)
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _pid_alive(pid: int, marker: str) -> bool:
    """The process exists and (where /proc exists) is the one we started, not a reused pid."""
    if not _pid_exists(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()
    except OSError:
        return False
    return marker in cmdline.replace(b"\0", b" ").decode(errors="replace")


def _running_pid(s: Settings, comp: Component) -> int | None:
    pid = _read_pid(s, comp.name)
    return pid if pid is not None and _pid_alive(pid, comp.marker) else None


def _log_tail(s: Settings, name: str, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = _log_file(s, name).read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _launch(s: Settings, comp: Component) -> int:
    """Start a component detached (own session, not our child); returns its pid."""
    log = _log_file(s, comp.name)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as handle:
        handle.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {comp.name} ===\n")
    # The shell backgrounds the real process and exits, so the component is re-parented
    # away from us: no zombies in long-lived callers, and it outlives this process.
    # setsid(1) makes it the leader of its own session and process group.
    setsid = "setsid " if shutil.which("setsid") else ""
    script = f'log="$1"; shift; {setsid}"$@" </dev/null >>"$log" 2>&1 & echo $!'
    proc = subprocess.run(
        ["/bin/sh", "-c", script, "sh", str(log), *comp.command(s)],
        env={**os.environ, **comp.env(s)},
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        check=True,
        start_new_session=True,
        cwd=s.state_dir,
    )
    pid = int(proc.stdout.strip())
    s.run_dir.mkdir(parents=True, exist_ok=True)
    _pid_file(s, comp.name).write_text(f"{pid}\n")
    return pid


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait until the processes have exited; returns those still there at the deadline."""
    deadline = time.monotonic() + timeout
    pending = [pid for pid in pids if _pid_exists(pid)]
    while pending and time.monotonic() < deadline:
        time.sleep(0.1)
        pending = [pid for pid in pending if _pid_exists(pid)]
    return pending


def _terminate(s: Settings, comps: list[Component], timeout: float = STOP_TIMEOUT) -> list[str]:
    """SIGTERM the running components, wait, SIGKILL stragglers; returns names stopped."""
    running = {c.name: pid for c in comps if (pid := _running_pid(s, c)) is not None}
    for pid in running.values():
        _signal_group(pid, signal.SIGTERM)
    stragglers = _wait_gone(list(running.values()), timeout)
    for pid in stragglers:
        _signal_group(pid, signal.SIGKILL)
    _wait_gone(stragglers, 5.0)
    for comp in comps:
        _pid_file(s, comp.name).unlink(missing_ok=True)
    return list(running)


def _check_ports_free(s: Settings, comp: Component) -> None:
    busy = [port for port in comp.ports if port_open(port)]
    if busy:
        raise StackError(
            f"cannot start {comp.name}: port(s) {busy} on {HOST} are used by another process "
            f"(not one started from {s.state_dir}); stop it or set STACK_*_PORT"
        )


def _wait_healthy(s: Settings, comp: Component, pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if comp.healthy(s):
            return
        if not _pid_alive(pid, comp.marker):
            raise StackError(
                f"{comp.name} exited during start-up; last lines of {_log_file(s, comp.name)}:\n"
                f"{_log_tail(s, comp.name)}"
            )
        time.sleep(0.25)
    raise StackError(
        f"{comp.name} was not healthy within {timeout:.0f}s; last lines of "
        f"{_log_file(s, comp.name)}:\n{_log_tail(s, comp.name)}"
    )


def _ensure_state_dir(s: Settings) -> None:
    s.state_dir.mkdir(parents=True, exist_ok=True)
    (s.state_dir / STATE_MARKER).touch()


# --------------------------------------------------------------------------- public API


def start(quiet: bool = False, timeout: float | None = None) -> list[str]:
    """Install if needed, start what is not running, wait until all are healthy.

    Returns the names of the components this call started (empty if all were running).
    """
    install(quiet=quiet)
    s = settings()
    _ensure_state_dir(s)
    comps = _components(s)
    started: list[str] = []
    with _file_lock(s.state_dir / ".stack.lock"):
        waiting: dict[str, int] = {}
        try:
            for name, comp in comps.items():
                pid = _running_pid(s, comp)
                if pid is not None and comp.healthy(s):
                    continue
                if pid is None:
                    _check_ports_free(s, comp)
                    comp.prepare(s)
                    pid = _launch(s, comp)
                    started.append(name)
                waiting[name] = pid  # launched now, or still starting from an earlier call
            began = time.monotonic()
            for name, pid in waiting.items():
                _wait_healthy(s, comps[name], pid, timeout or START_TIMEOUTS[name])
        except BaseException:
            # All or nothing: do not leave half a stack behind from this call.
            _terminate(s, [comps[n] for n in {*started, *waiting}], timeout=10)
            raise
        if waiting:
            _say(quiet, f"healthy after {time.monotonic() - began:.1f}s: {', '.join(waiting)}")
    if not quiet:
        _print_endpoints()
    return started


def supervisor_pid_file() -> Path:
    """Where ``up.py`` (``make up``) records its pid, so that :func:`stop` can end it too."""
    return settings().run_dir / "up.pid"


def running_supervisor() -> int | None:
    """The pid of a running ``up.py``, if any."""
    try:
        pid = int(supervisor_pid_file().read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_alive(pid, "up.py") else None


def _stop_supervisor(quiet: bool) -> None:
    """Ask a running ``up.py`` to stop its services (and the stack) and wait for it."""
    pid = running_supervisor()
    if pid == os.getpid():
        return
    if pid is not None:
        _say(quiet, f"stopping the `make up` supervisor (pid {pid}) ...")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        # up.py stops its services, then the stack: allow for both before killing it.
        if _wait_gone([pid], STOP_TIMEOUT + 15):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    supervisor_pid_file().unlink(missing_ok=True)


def stop(names: list[str] | None = None, quiet: bool = True) -> list[str]:
    """Stop the named components (default: all, and a running ``up.py``); data is kept."""
    s = settings()
    unknown = set(names or []) - set(COMPONENTS)
    if unknown:
        raise StackError(f"unknown component(s): {sorted(unknown)}; known: {list(COMPONENTS)}")
    if not s.state_dir.exists():
        return []
    if names is None:
        _stop_supervisor(quiet)
    comps = _components(s)
    with _file_lock(s.state_dir / ".stack.lock"):
        wanted = [comps[n] for n in reversed(COMPONENTS) if n in (names or COMPONENTS)]
        stopped = _terminate(s, wanted)
    _say(quiet, f"stopped: {', '.join(stopped) or 'nothing was running'}")
    return stopped


@dataclasses.dataclass(frozen=True)
class ComponentStatus:
    """What :func:`status` reports for one component."""

    name: str
    running: bool
    healthy: bool
    pid: int | None
    endpoint: str
    log: Path


def status() -> dict[str, ComponentStatus]:
    """Per component: whether our process is alive, whether it answers, pid and endpoint."""
    s = settings()
    result = {}
    for name, comp in _components(s).items():
        pid = _running_pid(s, comp)
        result[name] = ComponentStatus(
            name=name,
            running=pid is not None,
            healthy=comp.healthy(s),
            pid=pid,
            endpoint=comp.endpoint,
            log=_log_file(s, name),
        )
    return result


def is_healthy() -> bool:
    """True if Kafka, FerretDB and MinIO all answer on their configured ports."""
    s = settings()
    return all(comp.healthy(s) for comp in _components(s).values())


def reset(quiet: bool = True) -> None:
    """Stop everything, then delete the state directory (data, logs, pid files)."""
    s = settings()
    stop(quiet=quiet)
    if not s.state_dir.exists():
        return
    if not (s.state_dir / STATE_MARKER).exists() and any(s.state_dir.iterdir()):
        raise StackError(f"refusing to wipe {s.state_dir}: it is not a stack state directory")
    shutil.rmtree(s.state_dir)
    _say(quiet, f"wiped {s.state_dir}")


def _print_endpoints() -> None:
    ep = endpoints()
    print(
        "local stack endpoints:\n"
        f"  kafka bootstrap  {ep['kafka_bootstrap']}\n"
        f"  mongodb          {ep['mongo_url']}\n"
        f"  minio (S3)       http://{ep['minio_endpoint']}  "
        f"(user {ep['minio_access_key']}, password {ep['minio_secret_key']})\n"
        f"  minio console    {ep['minio_console']}\n"
        f"  smtp (captured)  {ep['smtp_host']}:{ep['smtp_port']}  "
        f"(mail at {ep['mail_url']} and in {ep['mail_dir']})",
        flush=True,
    )


# --------------------------------------------------------------------------- CLI


def _cmd_install(_args: argparse.Namespace) -> None:
    if not install():
        print(f"everything is already installed in {settings().cache_dir}")


def _cmd_start(args: argparse.Namespace) -> None:
    began = time.monotonic()
    started = start(timeout=args.timeout)
    print(
        f"started: {', '.join(started) or 'nothing (all running)'} "
        f"in {time.monotonic() - began:.1f}s"
    )


def _cmd_stop(_args: argparse.Namespace) -> None:
    stop(quiet=False)


def _cmd_status(_args: argparse.Namespace) -> None:
    rows = status().values()
    for row in rows:
        state = "running" if row.running else "stopped"
        if row.running != row.healthy:
            state += ", answering" if row.healthy else ", NOT answering"
        pid = row.pid if row.pid is not None else "-"
        print(f"{row.name:<9} {state:<22} pid {pid!s:<8} {row.endpoint}")
    print(f"state: {settings().state_dir}")
    if not all(row.healthy for row in rows):
        sys.exit(3)


def _cmd_reset(_args: argparse.Namespace) -> None:
    reset(quiet=False)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="stack.py", description="Run Kafka, FerretDB and MinIO locally as processes."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="fetch/build missing components into the cache").set_defaults(
        func=_cmd_install
    )
    start_parser = sub.add_parser("start", help="start (installing if needed) and wait healthy")
    start_parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds to wait for each component (default per component)",
    )
    start_parser.set_defaults(func=_cmd_start)
    sub.add_parser("stop", help="stop everything started here (data is kept)").set_defaults(
        func=_cmd_stop
    )
    sub.add_parser("status", help="show what is running (exit 3 if not all healthy)").set_defaults(
        func=_cmd_status
    )
    sub.add_parser("reset", help="stop, then wipe the state directory").set_defaults(
        func=_cmd_reset
    )
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
