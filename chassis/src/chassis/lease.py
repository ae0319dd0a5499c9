"""A lease that only one replica can hold at a time, claimed by inserts.

On FerretDB 1.x a conditional ``find_one_and_update`` can have several winners; an insert
into a unique index is the one atomic write on every backend we run on (MongoDB too).
So time is cut into *terms* of ``seconds`` each, and holding the lease for term ``n`` means
having inserted the document ``<name>:<n>``. The holder claims the next term half-way
through its own, so it keeps the lease while it lives; when it dies nobody claimed the
next term, and the first replica to ask once that term begins wins it.

Replicas' clocks must agree to within half a term; a larger skew can let two replicas
hold consecutive terms at overlapping moments (for the relay's sweep: a duplicate publish,
which consumers drop).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient


class Lease:
    def __init__(
        self,
        collection: AsyncCollection,
        name: str,
        owner: str,
        *,
        seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.collection = collection
        self.name = name
        self.owner = owner
        self.seconds = seconds
        self.clock = clock
        self._held: set[int] = set()

    def _id(self, term: int) -> str:
        return f"{self.name}:{term:012d}"

    async def hold(self) -> bool:
        """Whether this owner holds the lease now (claiming it if it is free)."""
        now = self.clock()
        term = int(now // self.seconds)
        if term not in self._held and not await self._claim(term):
            return False
        if now >= (term + 0.5) * self.seconds and term + 1 not in self._held:
            await self._claim(term + 1)  # keep it: nobody else can claim the next term now
        return True

    async def _claim(self, term: int) -> bool:
        try:
            await retry_transient(
                lambda: self.collection.insert_one(
                    {"_id": self._id(term), "owner": self.owner, "at": datetime.now(UTC)}
                )
            )
        except DuplicateKeyError:
            doc = await self.collection.find_one({"_id": self._id(term)}, {"owner": 1})
            if doc is None or doc["owner"] != self.owner:
                return False
        self._held = {t for t in self._held if t >= term - 1} | {term}
        if term % 16 == 0:  # forget old terms now and then
            await self.collection.delete_many(
                {"_id": {"$gte": self._id(0), "$lt": self._id(term - 2)}}
            )
        return True
