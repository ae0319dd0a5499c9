"""OpenTelemetry set-up: one tracer provider per process, W3C propagation.

Spans go to an OTLP endpoint when one is configured; tests attach an in-memory exporter
with :func:`capture_spans`.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

_provider: TracerProvider | None = None


def setup_tracing(service: str, otlp_endpoint: str | None = None) -> TracerProvider:
    """Install the process-wide tracer provider once (idempotent)."""
    global _provider
    if _provider is not None:
        return _provider
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    _provider = provider
    try:  # PyMongo command spans (works for the async client's command monitoring too)
        from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

        PymongoInstrumentor().instrument(tracer_provider=provider)
    except Exception:  # pragma: no cover - instrumentation is best effort
        pass
    return provider


def capture_spans(provider: TracerProvider | None = None) -> InMemorySpanExporter:
    """Attach an in-memory exporter (tests) and return it."""
    exporter = InMemorySpanExporter()
    target = provider or _provider or setup_tracing("test")
    target.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def current_traceparent() -> tuple[str | None, str | None]:
    """The W3C ``traceparent``/``tracestate`` of the active span, if any."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate")


def context_from_traceparent(
    traceparent: str | None, tracestate: str | None = None
) -> otel_context.Context:
    """An OpenTelemetry context whose parent is the given W3C trace context."""
    carrier: Mapping[str, str] = {
        k: v for k, v in (("traceparent", traceparent), ("tracestate", tracestate)) if v
    }
    return propagate.extract(carrier)
