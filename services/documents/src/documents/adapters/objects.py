"""Object storage for document content: S3 multipart uploads and ranged reads on MinIO.

Every tenant's objects live under their own prefix (``t/<tenant>/``) of one bucket, so a
tenant's data is listed, exported or erased on its own. The ``minio`` client blocks, so
each call runs in a worker thread; reads stream in chunks, never whole objects.
The multipart calls are the client's S3 primitives (CreateMultipartUpload, UploadPart,
CompleteMultipartUpload, AbortMultipartUpload): resumable uploads need them part by part.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

from minio import Minio
from minio.datatypes import Part
from minio.deleteobjects import DeleteObject
from minio.error import S3Error

READ_CHUNK = 4 * 1024 * 1024  # fewer thread hand-offs per download; memory per download


@dataclass(frozen=True)
class PendingUpload:
    key: str
    upload_id: str


class DocumentObjects:
    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    async def ensure_bucket(self) -> None:
        def ensure() -> None:
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket)
                except S3Error as exc:  # another replica made it first
                    if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise

        await asyncio.to_thread(ensure)

    # --- multipart -----------------------------------------------------------------------

    async def start_multipart(self, key: str, content_type: str) -> str:
        return await asyncio.to_thread(
            self.client._create_multipart_upload,
            self.bucket,
            key,
            {"Content-Type": content_type},
        )

    async def upload_part(self, key: str, upload_id: str, number: int, data: bytes) -> str:
        return await asyncio.to_thread(
            self.client._upload_part, self.bucket, key, data, None, upload_id, number
        )

    async def complete_multipart(
        self, key: str, upload_id: str, parts: Sequence[tuple[int, str]]
    ) -> None:
        await asyncio.to_thread(
            self.client._complete_multipart_upload,
            self.bucket,
            key,
            upload_id,
            [Part(number, etag) for number, etag in parts],
        )

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        def abort() -> None:
            try:
                self.client._abort_multipart_upload(self.bucket, key, upload_id)
            except S3Error as exc:
                if exc.code != "NoSuchUpload":
                    raise

        await asyncio.to_thread(abort)

    async def pending_uploads(self, prefix: str) -> list[PendingUpload]:
        """Multipart uploads begun under ``prefix`` and neither completed nor aborted."""

        def pending() -> list[PendingUpload]:
            found: list[PendingUpload] = []
            key_marker = upload_marker = None
            while True:
                page = self.client._list_multipart_uploads(
                    self.bucket,
                    prefix=prefix,
                    key_marker=key_marker,
                    upload_id_marker=upload_marker,
                    max_uploads=1000,
                )
                found += [PendingUpload(str(u.object_name), str(u.upload_id)) for u in page.uploads]
                if not page.is_truncated:
                    return found
                key_marker, upload_marker = page.next_key_marker, page.next_upload_id_marker

        return await asyncio.to_thread(pending)

    # --- whole objects -------------------------------------------------------------------

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object,
            self.bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type=content_type,
        )

    async def read_bytes(self, key: str, *, limit: int) -> bytes:
        """The whole object, if it has at most ``limit`` bytes (previews, small tails)."""

        def read() -> bytes:
            response = self.client.get_object(self.bucket, key, length=limit + 1)
            try:
                data = response.read()
            finally:
                response.close()
                response.release_conn()
            if len(data) > limit:
                raise ValueError(f"{key} has more than {limit} bytes")
            return data

        return await asyncio.to_thread(read)

    async def stream(
        self, key: str, start: int = 0, length: int | None = None, chunk: int = READ_CHUNK
    ) -> AsyncIterator[bytes]:
        """The bytes ``start`` .. ``start + length`` of an object, ``chunk`` at a time."""
        response = await asyncio.to_thread(
            self.client.get_object, self.bucket, key, offset=start, length=length or 0
        )
        try:
            while True:
                data = await asyncio.to_thread(response.read, chunk)
                if not data:
                    return
                yield data
        finally:
            response.close()
            response.release_conn()

    async def size(self, key: str) -> int | None:
        def stat() -> int | None:
            try:
                return self.client.stat_object(self.bucket, key).size
            except S3Error as exc:
                if exc.code in ("NoSuchKey", "NoSuchObject"):
                    return None
                raise

        return await asyncio.to_thread(stat)

    async def remove(self, keys: Sequence[str]) -> None:
        def remove() -> None:
            errors = list(self.client.remove_objects(self.bucket, [DeleteObject(k) for k in keys]))
            if errors:
                raise RuntimeError(f"could not delete {len(errors)} objects: {errors[0]}")

        if keys:
            await asyncio.to_thread(remove)

    async def keys(self, prefix: str) -> list[str]:
        def listing() -> list[str]:
            return [
                str(o.object_name)
                for o in self.client.list_objects(self.bucket, prefix=prefix, recursive=True)
            ]

        return await asyncio.to_thread(listing)

    def presigned_get(self, key: str, seconds: int) -> str:
        """A URL the object can be read from for ``seconds`` (ffprobe reads it by range)."""
        return self.client.presigned_get_object(
            self.bucket, key, expires=timedelta(seconds=seconds)
        )
