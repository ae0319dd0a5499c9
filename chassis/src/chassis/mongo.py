"""The service's own MongoDB database (PyMongo's async API).

Everything here must also run on FerretDB: single-document atomicity, unique indexes,
``find_one_and_update``; no transactions, change streams, ``$lookup`` or ``$text``.
"""

from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from chassis.settings import ServiceSettings


def connect_mongo(settings: ServiceSettings) -> AsyncMongoClient:
    return AsyncMongoClient(
        settings.mongo_url,
        tz_aware=True,
        uuidRepresentation="standard",
        appname=settings.service_name,
        serverSelectionTimeoutMS=5000,
    )


def service_database(client: AsyncMongoClient, settings: ServiceSettings) -> AsyncDatabase:
    return client[settings.mongo_db]


async def mongo_ready(client: AsyncMongoClient) -> None:
    await client.admin.command("ping")
