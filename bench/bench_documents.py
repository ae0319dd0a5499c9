"""Documents: upload and download throughput through the service next to the raw
``minio`` client against the same MinIO in the same run, peak RSS of a 1 GiB upload, and
time to first byte of a ranged read.

* raw: ``Minio.put_object`` (multipart, same part size) and ``get_object`` from this
  process, the data a generated stream;
* service: one uvicorn process on the local stack; the same bytes POSTed as a stream
  (``/v1/documents``: sniffing, SHA-256, parts recorded in the session, the document's
  event committed) and downloaded (``/content``); TTFB = a ``Range`` request's first byte.

``BENCH_DOCUMENTS_MIB`` (default 256) sizes the throughput runs, ``BENCH_DOCUMENTS_ROUNDS``
(default 3) how many times each is repeated, raw and service in turn (medians compared:
one 256 MiB read lasts a fraction of a second, so one burst elsewhere on a shared machine
decides a single sample); the RSS run is 1 GiB.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import urllib3
from minio import Minio

from chassis.devtokens import mint_token
from chassis.kafka import ensure_topics
from testkit.apps import run_services
from testkit.infra import provide

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "e2e"))
from test_documents_large import documents_env, join_program, rss

MiB = 1024 * 1024
PART = 8 * MiB
ROUNDS = int(os.environ.get("BENCH_DOCUMENTS_ROUNDS", "3"))
OCTETS = "application/octet-stream"


def generated(size: int, block: bytes) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        piece = block[: size - sent]
        sent += len(piece)
        yield piece


class Stream:
    """A file-like view of a generated stream for ``put_object``."""

    def __init__(self, size: int, block: bytes) -> None:
        self.pieces = generated(size, block)
        self.rest = b""

    def read(self, n: int = -1) -> bytes:
        out = [self.rest]
        have = len(self.rest)
        while have < n:
            piece = next(self.pieces, b"")
            if not piece:
                break
            out.append(piece)
            have += len(piece)
        data = b"".join(out)
        self.rest = data[n:]
        return data[:n]


def run() -> list[dict[str, Any]]:
    size = int(os.environ.get("BENCH_DOCUMENTS_MIB", "256")) * MiB
    block = os.urandom(MiB)
    run_id = uuid.uuid4().hex[:8]
    rows: list[dict[str, Any]] = []
    with provide() as infra, tempfile.TemporaryDirectory() as logs:
        prefix = f"b{run_id}."
        asyncio.run(ensure_topics(infra.kafka_bootstrap, prefix=prefix))
        env = documents_env(infra, prefix, run_id)
        client = Minio(
            infra.minio_endpoint, infra.minio_access_key, infra.minio_secret_key, secure=False
        )
        bucket = env["DOCUMENTS_BUCKET"]
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)

        def raw_upload(key: str) -> float:
            began = time.perf_counter()
            data = Stream(size, block)
            client.put_object(bucket, key, data, size, part_size=PART)  # type: ignore[arg-type]
            return size / MiB / (time.perf_counter() - began)

        def raw_download(key: str) -> float:
            began = time.perf_counter()
            response = client.get_object(bucket, key)
            got = sum(len(c) for c in response.stream(MiB))
            response.close()
            response.release_conn()
            return got / MiB / (time.perf_counter() - began)

        with run_services({"documents": env}, Path(logs), ready_timeout=180) as running:
            service = running["documents"]
            tenant, program = f"tenant-{run_id}", "prog-bench"
            join_program(infra, prefix, tenant, program, "ana")
            auth = {"Authorization": f"Bearer {mint_token('ana', tenant, roles=['member'])}"}
            with httpx.Client(base_url=service.url, headers=auth, timeout=300) as http:
                deadline = time.monotonic() + 90
                hello = {"content": b"hello", "headers": {"Content-Type": "text/plain"}}
                params = {"program_id": program, "name": "x.txt"}
                while http.post("/v1/documents", params=params, **hello).status_code != 201:  # type: ignore[arg-type]
                    if time.monotonic() > deadline:
                        raise RuntimeError("the service never saw the membership")
                    time.sleep(0.5)

                # the service's client is urllib3, the library the minio client uses, so
                # both sides of each ratio read and write the same way
                pool = urllib3.PoolManager(headers=auth, timeout=300.0)

                def upload(n: int) -> tuple[dict[str, Any], float]:
                    began = time.perf_counter()
                    r = pool.request(
                        "POST",
                        f"{service.url}/v1/documents?program_id={program}&name=big.bin",
                        body=generated(n, block),
                        headers={**auth, "Content-Length": str(n), "Content-Type": OCTETS},
                    )
                    assert r.status == 201, r.data
                    return r.json(), n / MiB / (time.perf_counter() - began)

                def download(document_id: str) -> float:
                    url = f"{service.url}/v1/documents/{document_id}/content"
                    began = time.perf_counter()
                    r = pool.request("GET", url, preload_content=False)
                    got = sum(len(c) for c in r.stream(MiB))
                    r.release_conn()
                    return got / MiB / (time.perf_counter() - began)

                # rounds, raw and service in turn, so a burst of load elsewhere on the
                # machine hits both sides alike; the medians are compared
                ups: list[tuple[float, float]] = []
                downs: list[tuple[float, float]] = []
                for n in range(ROUNDS):
                    key = f"raw/{run_id}-{n}"
                    raw_up = raw_upload(key)
                    doc, svc_up = upload(size)
                    ups.append((raw_up, svc_up))
                    raw_download(key)  # both objects read once before timing
                    download(doc["document_id"])
                    downs.append((raw_download(key), download(doc["document_id"])))
                    if n < ROUNDS - 1:
                        client.remove_object(bucket, key)
                url = f"{service.url}/v1/documents/{doc['document_id']}/content"

                raw_ttfb = []
                for i in range(20):
                    began = time.perf_counter()
                    r = client.get_object(bucket, key, offset=size // 2 + i * 4096, length=65536)
                    r.read(1)
                    raw_ttfb.append((time.perf_counter() - began) * 1000)
                    r.close()
                    r.release_conn()
                client.remove_object(bucket, key)
                svc_ttfb, metadata = [], []
                for i in range(20):
                    start = size // 2 + i * 4096
                    began = time.perf_counter()
                    ranged = {**auth, "Range": f"bytes={start}-{start + 65535}"}
                    r = pool.request("GET", url, headers=ranged, preload_content=False)
                    r.read(1)
                    svc_ttfb.append((time.perf_counter() - began) * 1000)
                    r.drain_conn()
                    r.release_conn()
                    began = time.perf_counter()
                    pool.request("GET", url.removesuffix("/content"))
                    metadata.append((time.perf_counter() - began) * 1000)

                pid = service.process.pid
                before, peak, stop = rss(pid), [0], threading.Event()

                def sample() -> None:
                    while not stop.is_set():
                        peak[0] = max(peak[0], rss(pid))
                        time.sleep(0.05)

                sampler = threading.Thread(target=sample)
                sampler.start()
                try:
                    _, big_up = upload(1024 * MiB)
                finally:
                    stop.set()
                    sampler.join()

    raw_up, svc_up = (statistics.median(side) for side in zip(*ups, strict=True))
    raw_down, svc_down = (statistics.median(side) for side in zip(*downs, strict=True))
    rounds = f"median of {ROUNDS} rounds"
    rows += [
        {"measure": f"upload {size // MiB} MiB (MiB/s), {rounds}", "raw minio": raw_up,
         "service": svc_up, "ratio": svc_up / raw_up,
         "ratios per round": [round(s / r, 2) for r, s in ups], "goal": ">= 0.8"},
        {"measure": f"download {size // MiB} MiB (MiB/s), {rounds}", "raw minio": raw_down,
         "service": svc_down, "ratio": svc_down / raw_down,
         "ratios per round": [round(s / r, 2) for r, s in downs], "goal": ">= 0.8"},
        {"measure": "ranged read TTFB, median of 20 (ms)", "raw minio": statistics.median(raw_ttfb),
         "service": statistics.median(svc_ttfb),
         "ratio": statistics.median(svc_ttfb) / statistics.median(raw_ttfb), "goal": "-"},
        {"measure": "metadata GET (the reads before a first byte), median (ms)",
         "raw minio": "-", "service": statistics.median(metadata), "ratio": "-", "goal": "-"},
        {"measure": "1 GiB upload: RSS before -> peak (MiB)", "raw minio": "-",
         "service": f"{before / MiB:.0f} -> {peak[0] / MiB:.0f} "
                    f"(+{(peak[0] - before) / MiB:.0f}) at {big_up:.0f} MiB/s",
         "ratio": "-", "goal": "flat (parts only)"},
    ]  # fmt: skip
    return rows
