"""One fault run: a private stack, every registered service as real processes, the world,
steady load, the fault schedule, then the checker and the rebuild comparison.

Used by ``tests/faults`` (short schedule) and by ``make soak`` (long schedule).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from minio import Minio

from chassis.kafka import ensure_topics
from faultkit import flows, registry  # noqa: F401  (flows register on import)
from faultkit.checker import (
    Finding,
    Platform,
    Window,
    differences,
    order_violations,
    read_topics,
    run_checks,
    server_errors,
    snapshots,
)
from faultkit.flows.documents import documents_of, text
from faultkit.flows.profiles import edit_headline
from faultkit.load import Api, Clients, Ledger, LoadGenerator, World
from faultkit.processes import Fleet, Instance
from faultkit.stack import PrivateStack

#: the consumer each service's crash-between-effect-and-commit fault arms (chassis.failpoints)
CRASH_CONSUMERS = {"profiles": "mentor-load-made", "matching": "profile-projection"}
#: documents' multipart part size: the interrupted upload sends two parts, then MinIO stops
PART = 8 * 1024**2


@dataclass
class Schedule:
    warmup: float = 5.0
    between: float = 5.0  # steady load between two faults
    kafka_outage: float = 15.0
    mongo_outage: float = 8.0
    storage_outage: float = 5.0  # MinIO stopped (mid-upload) this long at least
    cooldown: float = 3.0
    cycles: int = 1
    run_for: float = 0.0  # soak: start further cycles until this many seconds of load
    scale: float = 1.0  # multiplies every flow's rate
    together: bool = True  # strike the kills (and the consumer crashes) at once
    #: strike only these kinds of fault (kill, kafka, mongo, storage, crash); None: all
    only: frozenset[str] | None = None


@dataclass
class Fault:
    name: str
    struck: float  # seconds on the ledger's clock
    healed: float = 0.0
    recovered: float | None = None  # seconds after healing until a probe crossed services
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    schedule: Schedule
    world: World
    ledger: Ledger
    faults: list[Fault]
    findings: list[Finding]
    duration: float
    setup_seconds: float
    #: wall seconds of each phase (stack and services, world, load with faults, checks, rebuild)
    phases: dict[str, float] = field(default_factory=dict)

    def by(self, category: str) -> list[Finding]:
        return [f for f in self.findings if f.category == category]

    def rates(self) -> dict[str, float]:
        return {name: round(n / self.duration, 2) for name, n in sorted(self.ledger.steps.items())}


def service_env(name: str, stack: PrivateStack, run: str) -> dict[str, str]:
    p = name.upper()
    return {
        "CHASSIS_FAILPOINTS_DIR": str(stack.state_dir / "failpoints"),
        f"{p}_ENVIRONMENT": "test",
        f"{p}_MONGO_URL": stack.mongo_url,
        f"{p}_MONGO_DB": f"faults_{run}_{name}",
        f"{p}_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        f"{p}_TOPIC_PREFIX": "",
        f"{p}_CONSUMER_GROUP_PREFIX": f"{run}.",
        f"{p}_STORAGE_PROFILE": "ferretdb",
        f"{p}_MINIO_ENDPOINT": stack.minio_endpoint,
        f"{p}_SMTP_PORT": str(stack.ports["STACK_SMTP_PORT"]),  # mail to this run's capture
        f"{p}_RELAY_IDLE_POLL_SECONDS": "0.05",
        f"{p}_LOG_LEVEL": "WARNING",
        **({"MATCHING_EMBEDDINGS_ENABLED": "false"} if name == "matching" else {}),
        **registry.SERVICES[name].env,
    }


@contextlib.asynccontextmanager
async def platform_up(log_dir: Path) -> AsyncIterator[tuple[PrivateStack, Fleet, str]]:
    """A private stack and every registered service, stopped (only these) afterwards."""
    run = uuid.uuid4().hex[:6]
    state = Path(tempfile.mkdtemp(prefix="faults-stack-"))
    stack = PrivateStack(state)
    fleet = Fleet(log_dir)
    (state / "failpoints").mkdir()
    try:
        await stack.astart()
        await ensure_topics(stack.kafka_bootstrap)
        for spec in registry.SERVICES.values():
            env = service_env(spec.name, stack, run)
            for i in range(spec.replicas):
                suffix = f"-{'abcdefgh'[i]}" if spec.replicas > 1 else ""
                fleet.add(spec.name, f"{spec.name}{suffix}", env)
        await asyncio.gather(*(fleet.start(i) for i in fleet.instances.values()))
        for spec in registry.SERVICES.values():
            if spec.rebuild_module:
                fleet.prepare_module(fleet.of(spec.name)[0], spec.rebuild_module)
        yield stack, fleet, run
    finally:
        fleet.stop_all()
        with contextlib.suppress(Exception):
            await stack.astop()
        shutil.rmtree(state, ignore_errors=True)


class Drill:
    """The fault schedule against one running platform, with the load on."""

    def __init__(
        self, stack: PrivateStack, fleet: Fleet, world: World, clients: Clients, ledger: Ledger
    ):
        self.stack, self.fleet, self.world, self.clients, self.ledger = (
            stack,
            fleet,
            world,
            clients,
            ledger,
        )
        self.faults: list[Fault] = []
        #: spans in which a 503 with Retry-After is the right answer (database or storage away)
        self.database_down: list[Window] = []
        self._probes = 0

    async def probe(self, timeout: float = 300.0) -> float:
        """Edit the probe mentor in profiles and wait until matching shows the edit (the
        outbox relay, Kafka and matching's consumer all have to work); seconds waited."""
        self._probes += 1
        headline = f"probe-{self._probes}"
        began = time.monotonic()
        while time.monotonic() < began + timeout:  # a write during an outage waits
            if await edit_headline(
                self.world, self.clients, self.ledger, self.world.probe_mentor, headline, "probe"
            ):
                break
            await asyncio.sleep(0.3)
        await self.visible(headline, began + timeout)
        return time.monotonic() - began

    async def visible(self, headline: str, deadline: float) -> None:
        mentor = self.world.members[self.world.probe_mentor]
        while time.monotonic() < deadline:
            r, _ = await self.clients["matching"].call(
                "probe",
                "GET",
                "/v1/programs/{pid}/mentors/{mid}",
                headers=self.world.auth(self.world.mentees[0]),
                pid=self.world.program_id,
                mid=mentor,
            )
            if r is not None and r.status_code == 200 and r.json().get("headline") == headline:
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"probe {headline} never reached matching")

    async def _fault(self, name: str, strike: Callable[[Fault], Awaitable[None]]) -> None:
        fault = Fault(name, self.ledger.now())
        self.faults.append(fault)
        await strike(fault)
        fault.healed = self.ledger.now()
        began = time.monotonic()
        await self.probe()
        fault.recovered = round(time.monotonic() - began, 2)

    async def kill(self, *instances: Instance) -> None:
        async def strike(fault: Fault) -> None:
            for instance in instances:
                self.fleet.kill9(instance)
            seconds = await asyncio.gather(*(self.fleet.start(i) for i in instances))
            fault.notes["restart_seconds"] = [round(t, 1) for t in seconds]

        await self._fault(f"kill -9 {' and '.join(i.name for i in instances)}", strike)

    async def kafka_outage(self, seconds: float) -> None:
        async def strike(fault: Fault) -> None:
            await self.stack.astop("kafka")
            down_at = time.monotonic()
            accepted_before = len(self.ledger.acked("profile-edit"))
            # an edit made while the broker is away waits in the outbox
            fault.notes["probe_edit_accepted"] = await edit_headline(
                self.world, self.clients, self.ledger, self.world.probe_mentor, "outage", "probe"
            )
            fault.notes["readiness"] = await self.readiness(down_at + seconds)
            fault.notes["edits_accepted_during"] = (
                len(self.ledger.acked("profile-edit")) - accepted_before
            )
            fault.notes["restart_seconds"] = round(await self.stack.astart(), 1)

        await self._fault(f"Kafka stopped {seconds:.0f} s", strike)

    async def mongo_outage(self, seconds: float) -> None:
        async def strike(fault: Fault) -> None:
            window = Window(self.ledger.now(), float("inf"))
            self.database_down.append(window)
            await self.stack.astop("ferretdb")
            fault.notes["readiness_down"] = await self.readiness(time.monotonic() + seconds)
            fault.notes["restart_seconds"] = round(await self.stack.astart(), 1)
            green = time.monotonic()
            for instance in self.fleet.instances.values():
                await self.fleet.ready(instance, timeout=60)
            fault.notes["ready_again_seconds"] = round(time.monotonic() - green, 2)
            # a pooled connection may still fail once right after the restart
            self.database_down[-1] = Window(window.start, self.ledger.now() + 5)

        await self._fault(f"MongoDB wire server stopped {seconds:.0f} s", strike)

    async def storage_outage(self, seconds: float) -> None:
        """MinIO stopped while a one-request upload is two parts in: the client must get a
        503 problem with Retry-After (never a 500), and nothing may be left of the upload:
        no document, no object, no multipart upload pending once the storage is back."""
        documents = self.clients["documents"]
        user = self.world.mentees[0]
        name = f"interrupted-{uuid.uuid4().hex[:6]}.txt"
        block = text(64 * 1024)
        size = 2 * PART + 1024**2
        two_parts_sent, stopped = asyncio.Event(), asyncio.Event()

        async def body() -> AsyncIterator[bytes]:
            sent = 0
            while sent < size:
                if sent >= 2 * PART and not stopped.is_set():
                    two_parts_sent.set()
                    await stopped.wait()
                chunk = block[: min(len(block), size - sent)]
                yield chunk
                sent += len(chunk)

        async def strike(fault: Fault) -> None:
            window = Window(self.ledger.now(), float("inf"))
            self.database_down.append(window)
            upload = asyncio.create_task(
                documents.call(
                    "storage-fault",
                    "POST",
                    "/v1/documents",
                    headers={
                        **self.world.auth(user),
                        "Content-Type": "text/plain",
                        "Content-Length": str(size),
                    },
                    params={"program_id": self.world.program_id, "name": name},
                    content=body(),
                )
            )
            await asyncio.wait_for(two_parts_sent.wait(), 120)
            await asyncio.sleep(0.5)  # the server has the parts in flight to MinIO
            down_at = time.monotonic()
            await self.stack.astop("minio")
            stopped.set()
            r, _ = await asyncio.wait_for(upload, 180)
            fault.notes["interrupted_upload"] = {
                "status": None if r is None else r.status_code,
                "retry_after": None if r is None else r.headers.get("retry-after"),
                "problem_json": r is not None
                and r.headers.get("content-type", "").startswith("application/problem+json"),
            }
            await asyncio.sleep(max(0.0, down_at + seconds - time.monotonic()))
            fault.notes["restart_seconds"] = round(await self.stack.astart(), 1)
            fault.notes["upload_ok_seconds"] = round(await self.upload_works(user), 2)
            self.database_down[-1] = Window(window.start, self.ledger.now() + 5)
            fault.notes["left_behind"] = await self.left_behind(user, name, size)

        await self._fault(f"MinIO stopped {seconds:.0f} s mid-upload", strike)

    async def upload_works(self, user: str, timeout: float = 120) -> float:
        """Until a small upload is stored again (acknowledged, so the checker judges it)."""
        began = time.monotonic()
        while time.monotonic() < began + timeout:
            data = text(100)
            r, _ = await self.clients["documents"].call(
                "storage-fault",
                "POST",
                "/v1/documents",
                headers={**self.world.auth(user), "Content-Type": "text/plain"},
                params={"program_id": self.world.program_id, "name": "after-outage.txt"},
                content=data,
            )
            if r is not None and r.status_code == 201:
                digest = hashlib.sha256(data).hexdigest()
                self.ledger.ack("upload", r.json()["document_id"], owner=user, sha256=digest)
                return time.monotonic() - began
            await asyncio.sleep(0.5)
        raise AssertionError("no upload stored after MinIO came back")

    async def left_behind(self, user: str, name: str, size: int) -> dict[str, Any]:
        """What is left of the interrupted upload: documents by its name (API), objects as
        large as it, multipart uploads still pending under the tenant's prefix (MinIO)."""
        docs = await documents_of(self.world, self.clients, user)
        storage = Minio(
            self.stack.minio_endpoint,
            access_key="mentorship",
            secret_key="mentorship-dev-secret",
            secure=False,
        )
        prefix = f"t/{self.world.tenant}/"

        def listing() -> tuple[list[str], list[str]]:
            large = [
                str(o.object_name)
                for o in storage.list_objects("documents", prefix, recursive=True)
                if (o.size or 0) >= PART
            ]
            page = storage._list_multipart_uploads("documents", prefix=prefix)
            return large, [str(u.object_name) for u in page.uploads]

        large, pending = await asyncio.to_thread(listing)
        return {
            "documents": [d["document_id"] for d in docs if d["name"] == name],
            "large_objects": large,
            "pending_multipart": pending,
        }

    async def consumer_crash(self, *services: str) -> None:
        points = {
            s: self.stack.state_dir / "failpoints" / f"consumer-after-effect:{CRASH_CONSUMERS[s]}"
            for s in services
        }

        async def strike(fault: Fault) -> None:
            # armed in the running processes: the first replica whose consumer stores an
            # effect dies before its marker and its offset commit (chassis.failpoints)
            for point in points.values():
                point.touch()
            deadline = time.monotonic() + 120
            dead: dict[str, Instance] = {}
            while len(dead) < len(services) and time.monotonic() < deadline:
                for service in services:
                    for instance in self.fleet.of(service):
                        if not instance.alive and service not in dead:
                            dead[service] = instance
                await asyncio.sleep(0.1)
            for point in points.values():
                point.unlink(missing_ok=True)
            fault.notes["died_by_itself"] = {
                s: s in dead and dead[s].process is not None and dead[s].process.returncode == -9
                for s in services
            }
            fault.notes["instances"] = sorted(i.name for i in dead.values())
            seconds = await asyncio.gather(*(self.fleet.restart(i) for i in dead.values()))
            fault.notes["restart_seconds"] = [round(t, 1) for t in seconds]

        names = ", ".join(f"{s} {CRASH_CONSUMERS[s]}" for s in services)
        await self._fault(f"consumer killed between effect and commit ({names})", strike)

    async def readiness(self, until: float) -> dict[str, list[int]]:
        """Sample every instance's ``/readyz`` until ``until``: the statuses seen."""
        seen: dict[str, list[int]] = {}
        async with httpx.AsyncClient(timeout=4) as http:
            while time.monotonic() < until:
                for instance in self.fleet.instances.values():
                    try:
                        status = (await http.get(f"{instance.url}/readyz")).status_code
                    except httpx.HTTPError:
                        status = 0
                    seen.setdefault(instance.name, []).append(status)
                await asyncio.sleep(0.5)
        return {name: sorted(set(statuses)) for name, statuses in seen.items()}

    async def run(self, schedule: Schedule) -> None:
        await asyncio.sleep(schedule.warmup)
        cycle = 0
        while cycle < schedule.cycles or self.ledger.now() < schedule.run_for:
            cycle += 1
            # each service, and one of matching's two replicas
            victims = [self.fleet.of(s)[0] for s in registry.SERVICES]
            crashers = list(CRASH_CONSUMERS)
            # CI strikes the kills (and the crashes) at once, so the restarts overlap
            kills = [victims] if schedule.together else [[v] for v in victims]
            crashes = [crashers] if schedule.together else [[c] for c in crashers]
            steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                *(("kill", partial(self.kill, *group)) for group in kills),
                ("kafka", partial(self.kafka_outage, schedule.kafka_outage)),
                ("mongo", partial(self.mongo_outage, schedule.mongo_outage)),
                ("storage", partial(self.storage_outage, schedule.storage_outage)),
                *(("crash", partial(self.consumer_crash, *group)) for group in crashes),
            ]
            for kind, step in steps:
                if schedule.only is not None and kind not in schedule.only:
                    continue
                await step()
                await asyncio.sleep(schedule.between)
        await asyncio.sleep(schedule.cooldown)


async def quiesce(world: World, clients: Clients, drill: Drill, timeout: float = 300) -> None:
    """Wait until the event flow has caught up: a probe crosses, snapshots stop changing."""
    await drill.probe()
    deadline = time.monotonic() + timeout
    previous = await snapshots(world, clients)
    while time.monotonic() < deadline:
        await asyncio.sleep(2)
        current = await snapshots(world, clients)
        if current == previous:
            return
        previous = current
    raise AssertionError("read models kept changing after the load stopped")


async def rebuild(fleet: Fleet) -> None:
    """Each service's own rebuild by replay (its rebuild command, or a restart), at once."""

    async def one(spec: registry.Service) -> None:
        instances = fleet.of(spec.name)
        if spec.rebuild_module:
            if spec.rebuild_stopped:
                await asyncio.gather(*(fleet.stop(i) for i in instances))
            code = await fleet.run_module(instances[0], spec.rebuild_module, timeout=400)
            assert code == 0, f"{spec.rebuild_module} failed:\n{instances[0].log_tail()}"
            if spec.rebuild_stopped:
                await asyncio.gather(*(fleet.start(i) for i in instances))
        else:
            await asyncio.gather(*(fleet.restart(i) for i in instances))

    await asyncio.gather(*(one(spec) for spec in registry.SERVICES.values()))


async def run(schedule: Schedule, log_dir: Path) -> Result:
    began = time.monotonic()
    phases: dict[str, float] = {}
    mark = [began]

    def phase(name: str) -> None:
        now = time.monotonic()
        phases[name] = round(now - mark[0], 1)
        mark[0] = now

    async with platform_up(log_dir) as (stack, fleet, _run), httpx.AsyncClient(timeout=30) as http:
        phase("platform up")
        ledger = Ledger()
        clients = Clients(
            {s: Api(s, lambda s=s: fleet.urls(s), ledger, http) for s in registry.SERVICES}
        )
        world = World(tenant=f"tenant-faults-{uuid.uuid4().hex[:6]}")
        for step in registry.SETUPS:
            await step.build(world, clients)
        phase("world")
        setup_seconds = time.monotonic() - began
        ledger.started = time.monotonic()  # the run's clock starts with the load
        ledger.outcomes.clear()
        load = LoadGenerator(world, clients, ledger, scale=schedule.scale)
        drill = Drill(stack, fleet, world, clients, ledger)
        load_task = asyncio.create_task(load.run())
        try:
            await drill.run(schedule)
        finally:
            load.stop()
            await load_task
        duration = ledger.now()
        phase("load and faults")
        findings: list[Finding] = []
        await settle(findings, quiesce(world, clients, drill))
        topics = await read_topics(stack.kafka_bootstrap, "", await consumed_and_produced(fleet))
        platform = Platform(clients, topics, world.tenant)
        findings += await run_checks(world, ledger, platform)
        findings += order_violations(platform)
        findings += server_errors(ledger, drill.database_down)
        before = await snapshots(world, clients)
        phase("checks")
        await rebuild(fleet)
        await settle(findings, quiesce(world, clients, drill))
        findings += differences(before, await snapshots(world, clients))
        phase("rebuild and compare")
        return Result(
            schedule, world, ledger, drill.faults, findings, duration, setup_seconds, phases
        )


async def settle(findings: list[Finding], waiting: Awaitable[None]) -> None:
    """Wait for the platform to catch up; if it never does, that is a finding (an event
    lost on the way), and the checks still run on what is there."""
    try:
        await waiting
    except AssertionError as exc:
        findings.append(Finding("read-model", f"never caught up: {exc}"))


async def consumed_and_produced(fleet: Fleet) -> list[str]:
    """Every topic a running service names in its AsyncAPI document."""
    topics: set[str] = set()
    async with httpx.AsyncClient(timeout=10) as http:
        for service in registry.SERVICES:
            doc = (await http.get(f"{fleet.urls(service)[0]}/asyncapi.json")).json()
            topics |= set(doc.get("channels", {}))
    return sorted(t for t in topics if not t.endswith(".dlq"))
