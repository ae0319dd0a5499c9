"""Read models of the mentorship lifecycle and the recommendations (point reads by ``_id``).

* ``requests`` ``<request_id>`` and ``matches`` ``<match_id>``: one document each, the state
  the mentor's book holds about it (written after every save, so they are never ahead
  of the event store; a rebuild replays the books);
* ``member_activity`` ``<tenant>|<program>|<member>``: per member, a summary of each request
  and match they are part of (``requests.<id>``, ``matches.<id>``), so "my requests" and
  "my matches" are one point read, plus ``last_active_at``;
* ``program_groups`` ``<tenant>|<program>``: the program's groups (one document);
* ``mentor_applications`` ``<tenant>|<program>|<member>``: the state of the member's latest
  mentor application (``submitted``, ``approved``, ``rejected``), so an explanation tells
  a pending mentor from a rejected one;
* ``recommendations`` ``<tenant>|<program>|<mentee>``: the served recommendations with
  their explanations, and a digest so unchanged lists are not rewritten; a hot collection
  of the storage profile (partitioned on the FerretDB stand-in), as every profile edit
  rewrites some. On the stand-in the items are stored packed (``items_z``) and unpacked
  on read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient
from chassis.storage import StorageProfile, unpack_json, upsert
from matching.adapters.profile_store import member_key, program_key


class MatchingReadModels:
    def __init__(self, db: AsyncDatabase, *, storage: StorageProfile) -> None:
        self.storage = storage
        self.requests = db["requests"]
        self.matches = db["matches"]
        self.activity = db["member_activity"]
        self.groups = db["program_groups"]
        self.applications = db["mentor_applications"]
        self.recommendations = storage.hot(db, "recommendations")

    async def ensure_indexes(self) -> None:
        # the lists are rewritten from the pools at startup anyway: nothing to migrate
        if len(self.recommendations.collections) > 1:
            await self.recommendations.legacy.drop()
        await self.requests.create_index([("status", 1), ("expires_at", 1)])

    # ------------------------------------------------------------------ requests / matches

    async def request(self, request_id: str) -> dict[str, Any] | None:
        return await self.requests.find_one({"_id": request_id})

    async def match(self, match_id: str) -> dict[str, Any] | None:
        return await self.matches.find_one({"_id": match_id})

    async def put_request(self, request_id: str, doc: Mapping[str, Any]) -> None:
        await upsert(self.requests, request_id, {"$set": dict(doc)})

    async def set_request_fields(self, request_id: str, fields: Mapping[str, Any]) -> None:
        await retry_transient(
            lambda: self.requests.update_one({"_id": request_id}, {"$set": dict(fields)})
        )

    async def put_match(self, match_id: str, doc: Mapping[str, Any]) -> None:
        await upsert(self.matches, match_id, {"$set": dict(doc)})

    async def delete_request(self, request_id: str) -> None:
        await retry_transient(lambda: self.requests.delete_one({"_id": request_id}))

    async def open_requests(self) -> list[dict[str, Any]]:
        """Every open request (startup and periodic rescans of the expiry schedule)."""
        cursor = self.requests.find(
            {"status": {"$in": ["open", "info_requested"]}},
            {"expires_at": 1, "tenant_id": 1, "program_id": 1, "mentor_id": 1},
        )
        return [doc async for doc in cursor]

    # ------------------------------------------------------------------ per member

    async def member(self, tenant_id: str, program_id: str, member_id: str) -> dict[str, Any]:
        doc = await self.activity.find_one({"_id": member_key(tenant_id, program_id, member_id)})
        return doc or {}

    async def put_member_entries(
        self,
        tenant_id: str,
        program_id: str,
        member_id: str,
        *,
        requests: Mapping[str, Mapping[str, Any]] = {},
        matches: Mapping[str, Mapping[str, Any]] = {},
    ) -> None:
        fields: dict[str, Any] = {"tenant_id": tenant_id, "program_id": program_id}
        fields.update({f"requests.{k}": dict(v) for k, v in requests.items()})
        fields.update({f"matches.{k}": dict(v) for k, v in matches.items()})
        await upsert(self.activity, member_key(tenant_id, program_id, member_id), {"$set": fields})

    async def touch(self, tenant_id: str, program_id: str, member_id: str, at: datetime) -> None:
        await upsert(
            self.activity,
            member_key(tenant_id, program_id, member_id),
            {"$set": {"last_active_at": at, "tenant_id": tenant_id, "program_id": program_id}},
        )

    async def forget_member(self, tenant_id: str, program_id: str, member_id: str) -> None:
        key = member_key(tenant_id, program_id, member_id)
        await retry_transient(lambda: self.activity.delete_one({"_id": key}))
        await retry_transient(lambda: self.applications.delete_one({"_id": key}))
        await self.delete_recommendation(key)

    # ------------------------------------------------------------------ mentor applications

    async def mentor_application(
        self, tenant_id: str, program_id: str, member_id: str
    ) -> dict[str, Any] | None:
        key = member_key(tenant_id, program_id, member_id)
        return await self.applications.find_one({"_id": key})

    async def put_mentor_application(
        self, tenant_id: str, program_id: str, member_id: str, doc: Mapping[str, Any]
    ) -> None:
        key = member_key(tenant_id, program_id, member_id)
        await upsert(self.applications, key, {"$set": dict(doc)})

    # ------------------------------------------------------------------ groups

    async def program_groups(self, tenant_id: str, program_id: str) -> dict[str, Any]:
        doc = await self.groups.find_one({"_id": program_key(tenant_id, program_id)})
        return (doc or {}).get("groups", {})

    async def put_group(self, tenant_id: str, program_id: str, group: Mapping[str, Any]) -> None:
        await upsert(
            self.groups,
            program_key(tenant_id, program_id),
            {"$set": {f"groups.{group['group_id']}": dict(group)}},
        )

    # ------------------------------------------------------------------ recommendations

    async def recommendation(
        self, tenant_id: str, program_id: str, mentee_id: str
    ) -> dict[str, Any] | None:
        doc = await self.recommendations.find_one(member_key(tenant_id, program_id, mentee_id))
        return None if doc is None else _unpacked(doc)

    async def put_recommendation(
        self, key: str, doc: Mapping[str, Any], *, exists: bool = True
    ) -> None:
        """Write a mentee's list. Every list document has the same fields, so ``$set`` of
        all of them equals a replacement; FerretDB 1.x runs it several times faster than
        ``replace_one``, and a list not stored yet (``exists=False``) is a plain insert
        (FerretDB scans the collection for any update, never for an insert)."""
        body = self._packed(doc)
        if not exists:
            try:
                await retry_transient(
                    lambda: self.recommendations.of(key).insert_one({"_id": key, **body})
                )
                return
            except DuplicateKeyError:
                pass  # another replica (or an earlier attempt) wrote it first
        # ``$unset``: a list written under the other storage profile carries the other field
        stale = "items" if "items_z" in body else "items_z"
        await upsert(self.recommendations.of(key), key, {"$set": body, "$unset": {stale: ""}})

    def _packed(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """A list document as stored: on a packing storage profile the items as one
        compressed JSON value (``items_z``)."""
        body = {k: v for k, v in doc.items() if k != "items"}
        if self.storage.packed:
            body["items_z"] = self.storage.pack(doc.get("items", []))
        else:
            body["items"] = list(doc.get("items", []))
        body["updated_at"] = datetime.now(UTC)
        return body

    async def delete_recommendation(self, key: str) -> None:
        await retry_transient(lambda: self.recommendations.of(key).delete_one({"_id": key}))

    async def recommendation_digests(self) -> dict[str, str]:
        return {
            d["_id"]: d.get("digest", "")
            async for d in self.recommendations.find_all({}, {"digest": 1})
        }


def _unpacked(doc: dict[str, Any]) -> dict[str, Any]:
    packed = doc.pop("items_z", None)
    if packed is not None:
        doc["items"] = unpack_json(packed)
    return doc
