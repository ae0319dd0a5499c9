"""Shutdown is bounded step by step: one stuck step does not keep the process alive."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from chassis.app import shut_down


class _Broker:
    def __init__(self, hang: bool) -> None:
        self.hang = hang
        self.stopped = False

    async def stop(self) -> None:
        if self.hang:
            await asyncio.Event().wait()  # a consumer stuck in a rebalance, say
        self.stopped = True


class _Mongo:
    closed = False

    async def close(self) -> None:
        self.closed = True


async def _ignores_cancellation() -> None:
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            continue  # a handler that swallows cancellation


def _runtime(broker: _Broker, background: list[asyncio.Task[Any]]) -> Any:
    return SimpleNamespace(
        settings=SimpleNamespace(shutdown_step_seconds=0.2),
        broker=broker,
        mongo=_Mongo(),
        background=background,
    )


async def test_a_clean_shutdown_stops_everything() -> None:
    task = asyncio.create_task(asyncio.sleep(3600))
    runtime = _runtime(_Broker(hang=False), [task])
    await shut_down(runtime)
    assert task.cancelled() and runtime.broker.stopped and runtime.mongo.closed


async def test_stuck_steps_are_left_behind_and_the_rest_still_runs() -> None:
    stubborn = asyncio.create_task(_ignores_cancellation())
    runtime = _runtime(_Broker(hang=True), [stubborn])
    loop = asyncio.get_running_loop()
    started = loop.time()
    await shut_down(runtime)
    took = loop.time() - started
    assert took < 1.5, took  # two stuck steps of 0.2 s each, not forever
    assert runtime.mongo.closed  # the step after the stuck ones still ran
    assert not runtime.broker.stopped
    stubborn.cancel()
