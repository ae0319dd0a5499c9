"""The registry every service adds itself to: its processes, its world setup, its user
flows, its checks and its read-model snapshots. The load generator, the fault schedule
and the checker only ever iterate over what is registered here, so a new service joins
the suite by adding one module under ``faultkit/flows/`` (and importing it in
``faultkit/flows/__init__.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faultkit.checker import Finding, Platform
    from faultkit.load import Clients, Ledger, World


@dataclass(frozen=True)
class Service:
    name: str
    replicas: int = 1
    #: ``python -m <module>`` rebuilding the read models by replay; None: a restart does it
    rebuild_module: str | None = None
    #: the rebuild command runs with the service stopped (gracefully, so its consumers leave
    #: their groups) and the service starts again afterwards: insights' one writer serves
    #: its read model from memory and the command hands its consumer groups over
    rebuild_stopped: bool = False
    env: dict[str, str] = field(default_factory=dict)  # extra settings for the fault run


@dataclass(frozen=True)
class Flow:
    name: str
    service: str
    rate: float  # steps per second the generator aims at
    step: Callable[[World, Clients, Ledger], Awaitable[None]]


@dataclass(frozen=True)
class Setup:
    name: str
    order: int  # setups run by order: a service's world builds on those before it
    build: Callable[[World, Clients], Awaitable[None]]


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[World, Ledger, Platform], Awaitable[list[Finding]]]


@dataclass(frozen=True)
class Snapshot:
    """A read model seen through the API, compared before and after a rebuild by replay."""

    name: str
    service: str
    take: Callable[[World, Clients], Awaitable[dict[str, Any]]]


SERVICES: dict[str, Service] = {}
SETUPS: list[Setup] = []
FLOWS: dict[str, Flow] = {}
CHECKS: list[Check] = []
SNAPSHOTS: list[Snapshot] = []
#: topic -> the payload field that orders a key's events (default: the envelope's time)
ORDER_FIELDS: dict[str, str] = {}


def service(spec: Service) -> None:
    SERVICES[spec.name] = spec


def setup(
    name: str, *, order: int
) -> Callable[[Callable[..., Awaitable[None]]], Callable[..., Awaitable[None]]]:
    def register(fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        SETUPS.append(Setup(name, order, fn))
        SETUPS.sort(key=lambda s: s.order)
        return fn

    return register


def flow(
    name: str, *, service: str, rate: float
) -> Callable[[Callable[..., Awaitable[None]]], Callable[..., Awaitable[None]]]:
    def register(fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        FLOWS[name] = Flow(name, service, rate, fn)
        return fn

    return register


def check(name: str) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    def register(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        CHECKS.append(Check(name, fn))
        return fn

    return register


def snapshot(
    name: str, *, service: str
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    def register(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        SNAPSHOTS.append(Snapshot(name, service, fn))
        return fn

    return register
