"""Build the CloudEvent for a payload (for producers that don't use the chassis outbox)."""

import uuid
from datetime import UTC, datetime

from .envelope import CloudEvent
from .events import EventPayload
from .topics import topic_for

__all__ = ["new_event"]


def new_event(
    payload: EventPayload,
    *,
    source: str,
    id: str | None = None,
    time: datetime | None = None,
    subject: str | None = None,
    traceparent: str | None = None,
    tracestate: str | None = None,
) -> CloudEvent:
    """Wrap ``payload`` in its envelope: type, version, schema and tenant come from it.

    ``subject`` defaults to the topic key of the payload (the Kafka record key).
    """
    return CloudEvent(
        id=id or str(uuid.uuid4()),
        source=source,
        type=payload.EVENT_TYPE,
        subject=subject or topic_for(payload).key_of(payload),
        time=time or datetime.now(UTC),
        dataschema=payload.dataschema(),
        tenantid=payload.tenant_id,
        dataversion=payload.VERSION,
        traceparent=traceparent,
        tracestate=tracestate,
        data=payload.model_dump(mode="json"),
    )
