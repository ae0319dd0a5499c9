"""Base classes of the published payloads."""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ._types import Id, UserId

__all__ = ["ContractModel", "EventPayload", "Participant", "dataschema_for"]


def dataschema_for(topic: str, version: int) -> str:
    """The CloudEvents ``dataschema`` of a payload: ``urn:mentorship:event:<topic>:v<n>``."""
    return f"urn:mentorship:event:{topic}:v{version}"


class ContractModel(BaseModel):
    """Any model that is part of a published contract.

    ``extra="ignore"`` lets an old consumer read an event that gained optional fields;
    ``frozen`` because an event is a fact.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)


def _payload_schema_extra(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # Identity of the contract inside its JSON Schema, so a snapshot says what it is.
    # (Not "$id": that would re-base the $refs once the schema is embedded in AsyncAPI.)
    topic = getattr(cls, "TOPIC", None)
    version = getattr(cls, "VERSION", None)
    if topic is None or version is None:
        return
    schema["x-event-type"] = getattr(cls, "EVENT_TYPE", None)
    schema["x-event-version"] = version
    schema["x-topic"] = topic
    schema["x-dataschema"] = dataschema_for(topic, version)


class EventPayload(ContractModel):
    """The ``data`` of an integration event.

    Subclasses name their contract with ClassVars that never derive from the Python class
    path, so classes can be moved or renamed freely:

    * ``EVENT_TYPE``: the CloudEvents ``type``;
    * ``VERSION``: the schema version (CloudEvents ``dataversion``); a breaking change is
      a new class with a new ``VERSION``;
    * ``TOPIC``: the Kafka topic that carries it (see :mod:`mentorship_contracts.topics`).
    """

    model_config = ConfigDict(json_schema_extra=_payload_schema_extra)

    EVENT_TYPE: ClassVar[str]
    VERSION: ClassVar[int]
    TOPIC: ClassVar[str]

    tenant_id: Id

    @classmethod
    def dataschema(cls) -> str:
        return dataschema_for(cls.TOPIC, cls.VERSION)


class Participant(ContractModel):
    """A person in a mentorship: their program membership and their login identity.

    Both ids travel so that consumers authorising requests by token (``user_id``) and
    consumers joining program data (``member_id``) need no lookup.
    """

    member_id: Id
    user_id: UserId
