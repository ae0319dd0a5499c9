"""The documents service as a real uvicorn process: a 1 GB upload streamed through it
with its peak memory measured (it stays flat), and an upload whose server is killed
midway, restarted, and resumed from the offset it reports to a verified object. Program
membership reaches the process the real way, as profile-changed events on Kafka."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from chassis.devtokens import mint_token
from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.factory import new_event
from testkit.apps import ServiceProcess, run_services
from testkit.events import profile_changed
from testkit.infra import Infra, storage_profile

pytestmark = pytest.mark.e2e
MiB = 1024 * 1024


def documents_env(infra: Infra, topic_prefix: str, run_id: str, **extra: str) -> dict[str, str]:
    return {
        "DOCUMENTS_ENVIRONMENT": "test",
        "DOCUMENTS_MONGO_URL": infra.mongo_url,
        "DOCUMENTS_MONGO_DB": f"test_e2e_documents_{run_id}_{uuid.uuid4().hex[:6]}",
        "DOCUMENTS_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "DOCUMENTS_TOPIC_PREFIX": topic_prefix,
        "DOCUMENTS_CONSUMER_GROUP_PREFIX": f"{run_id}.docs{uuid.uuid4().hex[:4]}.",
        "DOCUMENTS_STORAGE_PROFILE": storage_profile(),
        "DOCUMENTS_MINIO_ENDPOINT": infra.minio_endpoint,
        "DOCUMENTS_MINIO_ACCESS_KEY": infra.minio_access_key,
        "DOCUMENTS_MINIO_SECRET_KEY": infra.minio_secret_key,
        "DOCUMENTS_BUCKET": f"test-documents-{run_id}",
        "DOCUMENTS_PART_SIZE_BYTES": str(8 * MiB),
        "DOCUMENTS_LOG_LEVEL": "WARNING",
        **extra,
    }


def join_program(infra: Infra, topic_prefix: str, tenant: str, program: str, user: str) -> None:
    """What profiles publishes when someone joins a program."""
    payload = profile_changed(tenant, f"m-{user}", 1).model_copy(
        update={"program_id": program, "user_id": user}
    )

    async def publish() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
        await producer.start()
        try:
            body, headers = to_kafka(new_event(payload, source="/tests", subject=payload.member_id))
            await producer.send_and_wait(
                f"{topic_prefix}profile-changed", body, key=payload.member_id.encode(),
                headers=list(headers),
            )  # fmt: skip
        finally:
            await producer.stop()

    asyncio.run(publish())


def wait_for(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.3)
    raise AssertionError(f"not reached in {timeout}s")


def rss(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def generated(size: int, block: bytes) -> Iterator[bytes]:
    """``size`` bytes made of ``block`` repeated: a stream, never a file or a buffer."""
    sent = 0
    while sent < size:
        piece = block[: size - sent]
        sent += len(piece)
        yield piece


@pytest.fixture
def member(
    infra: Infra, topic_prefix: str
) -> Callable[[ServiceProcess], tuple[str, str, dict[str, str]]]:
    def make(service: ServiceProcess) -> tuple[str, str, dict[str, str]]:
        tenant, program = f"tenant-{uuid.uuid4().hex[:8]}", f"prog-{uuid.uuid4().hex[:6]}"
        join_program(infra, topic_prefix, tenant, program, "ana")
        auth = {"Authorization": f"Bearer {mint_token('ana', tenant, roles=['member'])}"}

        def joined() -> bool:  # the consumer has seen the event: a tiny upload is accepted
            r = httpx.post(
                f"{service.url}/v1/documents", params={"program_id": program, "name": "hi.txt"},
                content=b"hello", headers={**auth, "Content-Type": "text/plain"},
            )  # fmt: skip
            return r.status_code == 201

        wait_for(joined, timeout=90)
        return tenant, program, auth

    return make


def test_a_1_gb_upload_streams_through_in_flat_memory(
    infra: Infra, topic_prefix: str, run_id: str, tmp_path: Path, member: Any
) -> None:
    env = documents_env(infra, topic_prefix, run_id)
    with run_services({"documents": env}, tmp_path, ready_timeout=180) as running:
        service = running["documents"]
        _, program, auth = member(service)
        pid = service.process.pid
        before = rss(pid)
        size, block = 1024 * MiB, os.urandom(MiB)
        expected = hashlib.sha256()
        for piece in generated(size, block):
            expected.update(piece)
        peak = [before]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], rss(pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        began = time.monotonic()
        try:
            r = httpx.post(
                f"{service.url}/v1/documents",
                params={"program_id": program, "name": "big.bin"},
                content=generated(size, block),
                headers={
                    **auth,
                    "Content-Length": str(size),
                    "Content-Type": "application/octet-stream",
                },
                timeout=120,
            )
        finally:
            stop.set()
            sampler.join()
        seconds = time.monotonic() - began
        assert r.status_code == 201, r.text
        assert r.json()["current"]["size"] == size
        assert r.json()["current"]["sha256"] == expected.hexdigest()
        grew = peak[0] - before
        print(f"1 GiB in {seconds:.1f} s ({size / MiB / seconds:.0f} MiB/s); RSS {before / MiB:.0f}"
              f" -> peak {peak[0] / MiB:.0f} MiB (+{grew / MiB:.0f} MiB)")  # fmt: skip
        # three 8 MiB parts at most in memory, plus buffers: far below the file's size
        assert grew < 100 * MiB, f"RSS grew by {grew / MiB:.0f} MiB"


def test_an_upload_whose_server_dies_midway_resumes_to_a_verified_object(
    infra: Infra, topic_prefix: str, run_id: str, tmp_path: Path, member: Any
) -> None:
    env = documents_env(infra, topic_prefix, run_id, DOCUMENTS_UPLOAD_WRITER_STALE_SECONDS="1")
    data = os.urandom(40 * MiB)
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    with run_services({"documents": env}, tmp_path / "first", ready_timeout=180) as running:
        service = running["documents"]
        _, program, auth = member(service)
        created = httpx.post(
            f"{service.url}/v1/uploads",
            json={"program_id": program, "name": "talk.bin", "size": len(data),
                  "sha256": hashlib.sha256(data).hexdigest()},
            headers=auth,
        )  # fmt: skip
        upload = created.json()["upload_id"]
        url = f"{service.url}/v1/uploads/{upload}"

        def slow_then_killed() -> Iterator[bytes]:
            yield data[: 20 * MiB]  # two whole parts and some
            # once the server says it stored the two parts, it dies mid-request
            wait_for(
                lambda: int(httpx.head(url, headers=auth).headers["upload-offset"]) >= 16 * MiB,
                timeout=120,
            )
            service.process.kill()
            yield data[20 * MiB :]

        with pytest.raises(httpx.HTTPError):
            httpx.patch(url, content=slow_then_killed(), headers={**auth, "Upload-Offset": "0"},
                        timeout=30)  # fmt: skip
        service.process.wait()
    with run_services({"documents": env}, tmp_path / "second", ready_timeout=180) as running:
        service = running["documents"]
        url = f"{service.url}/v1/uploads/{upload}"
        offset = int(httpx.head(url, headers=auth).headers["upload-offset"])
        assert 0 < offset < len(data) and offset % (8 * MiB) == 0  # whole parts were kept
        resumed = httpx.patch(
            url, content=data[offset:], headers={**auth, "Upload-Offset": str(offset)}, timeout=60
        )
        assert resumed.status_code == 204, resumed.text
        finished = httpx.post(f"{url}/complete", headers=auth, timeout=30)
        # this process never saw the first bytes: it re-reads the object to verify it
        assert finished.status_code == 202, finished.text
        status = wait_for(
            lambda: (s := httpx.get(url, headers=auth).json())["state"] == "done" and s
        )
        assert status["sha256"] == hashlib.sha256(data).hexdigest()
        body = httpx.get(
            f"{service.url}/v1/documents/{status['document_id']}/content", headers=auth, timeout=60
        )
        assert body.content == data
