"""MinIO/S3 object storage. The ``minio`` client blocks, so every call runs in a thread."""

from __future__ import annotations

import asyncio
import io
from typing import BinaryIO

from minio import Minio

from chassis.settings import ObjectStorageSettings


class ObjectStore:
    def __init__(self, settings: ObjectStorageSettings) -> None:
        self.client = Minio(
            settings.minio_endpoint,
            access_key=settings.minio_access_key,
            secret_key=settings.minio_secret_key.get_secret_value(),
            secure=settings.minio_secure,
        )

    async def ensure_bucket(self, bucket: str) -> None:
        if not await asyncio.to_thread(self.client.bucket_exists, bucket):
            await asyncio.to_thread(self.client.make_bucket, bucket)

    async def put_stream(
        self, bucket: str, name: str, data: BinaryIO, length: int, content_type: str
    ) -> str:
        """Stream ``length`` bytes (``-1``: unknown, multipart) without buffering them all."""
        result = await asyncio.to_thread(
            self.client.put_object,
            bucket,
            name,
            data,
            length,
            content_type=content_type,
            part_size=10 * 1024 * 1024,
        )
        return str(result.etag)

    async def put_bytes(self, bucket: str, name: str, data: bytes, content_type: str) -> str:
        return await self.put_stream(bucket, name, io.BytesIO(data), len(data), content_type)

    async def get_bytes(self, bucket: str, name: str) -> bytes:
        def _read() -> bytes:
            response = self.client.get_object(bucket, name)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        return await asyncio.to_thread(_read)

    async def ready(self) -> None:
        await asyncio.to_thread(self.client.list_buckets)
