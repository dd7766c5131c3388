"""The in-process bus (``memory://``) against a direct hand-off, per message, in one event loop.

A session's frames reach a room through ``MemoryBus``: the session's publisher task calls
``publish_nowait`` (no coroutine per message; ``publish`` is the awaitable form), which puts
the bytes in the mailbox of every subscriber of the channel (the oldest dropped when one is full), and
the room's pump reads them from its ``subscribe`` iterator. The alternative is what a single process would
do without a bus: the publisher puts the bytes straight into the reader's ``asyncio.Queue``. For the
record the run also times the awaited ``publish`` and a hand-off straight into the bus's own mailbox (what
is left of the bus is its subscriber lookup). Each moves the same 64 KB frame, the same number of times,
producer and consumer taking turns as the server's publisher task and room pump do; blocks of each
alternate, order reversed every round, on this process's CPU clock.

Run: python -m bench.memory_bus [--messages 20000] [--rounds 10]
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from app.bus.memory import MemoryBus, SubscriberQueue
from bench._common import verdict

FRAME = bytes(64 * 1024)
TARGET = 1.10  # the bus may cost at most 10 % more than the hand-off, per message
Run = Callable[[int], Awaitable[float]]


async def through_bus(messages: int) -> float:
    """CPU seconds to publish ``messages`` frames on a MemoryBus channel as the session's publisher does
    (``publish_nowait``) and read each as a room does."""
    bus = MemoryBus()
    async with bus.subscribe("session:frame") as frames:
        start = time.process_time()
        for _ in range(messages):
            bus.publish_nowait("session:frame", FRAME)
            await anext(frames)
        return time.process_time() - start


async def through_bus_awaited(messages: int) -> float:
    """The same with the awaited ``publish`` (one coroutine per message)."""
    bus = MemoryBus()
    async with bus.subscribe("session:frame") as frames:
        start = time.process_time()
        for _ in range(messages):
            await bus.publish("session:frame", FRAME)
            await anext(frames)
        return time.process_time() - start


async def direct(messages: int) -> float:
    """CPU seconds to hand ``messages`` frames to a reader through one asyncio.Queue."""
    queue: asyncio.Queue[bytes] = asyncio.Queue(8)
    start = time.process_time()
    for _ in range(messages):
        queue.put_nowait(FRAME)
        await queue.get()
    return time.process_time() - start


async def direct_to_mailbox(messages: int) -> float:
    """CPU seconds to hand ``messages`` frames to a reader through the bus's SubscriberQueue, with no bus."""
    mailbox = SubscriberQueue(8)
    start = time.process_time()
    for _ in range(messages):
        mailbox.put(FRAME)
        await anext(mailbox)
    return time.process_time() - start


RUNS: dict[str, Run] = {
    "memory bus": through_bus,
    "direct hand-off": direct,
    "bus, awaited": through_bus_awaited,
    "mailbox hand-off": direct_to_mailbox,
}


async def measure(messages: int, rounds: int) -> dict[str, list[float]]:
    """Microseconds per message of each alternative, one figure per round."""
    for run in RUNS.values():  # warm up
        await run(messages // 10)
    per_message: dict[str, list[float]] = {name: [] for name in RUNS}
    for i in range(rounds):
        for name, run in RUNS.items() if i % 2 == 0 else reversed(RUNS.items()):
            per_message[name].append(await run(messages) / messages * 1e6)
    return per_message


def main() -> None:
    """Run the rounds and print µs per message and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000, help="frames per block")
    parser.add_argument("--rounds", type=int, default=10, help="blocks per alternative")
    args = parser.parse_args()
    results = asyncio.run(measure(args.messages, args.rounds))
    best = {name: min(values) for name, values in results.items()}
    median = {name: statistics.median(values) for name, values in results.items()}
    print(f"{args.rounds} rounds × {args.messages} frames of {len(FRAME) // 1024} KB; CPU µs per message")
    print(f"{'':<18}{'best':>8}{'median':>9}")
    for name in results:
        print(f"{name:<18}{best[name]:8.2f}{median[name]:9.2f}")
    ratio = median["memory bus"] / median["direct hand-off"]
    ok = verdict(ratio <= TARGET)
    print(f"\nmemory bus ÷ direct hand-off (medians): {ratio:.2f}× (target ≤ {TARGET:.2f}×): {ok}")
    own = median["memory bus"] / median["mailbox hand-off"]
    print(f"memory bus ÷ mailbox hand-off (the bus's own lookup): {own:.2f}×")


if __name__ == "__main__":
    main()
