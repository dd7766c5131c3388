"""Frames reaching N websocket viewers: nnlive's real path against a bare uvicorn broadcast loop, one run.

Two servers run side by side, each in its own process: ``nnlive serve`` (the command and uvicorn options
users get) and a bare ASGI broadcast app under uvicorn with the same options (bench/_fanout_servers.py).
For each row, N viewers connect to one server, spread over several client processes; a producer sends
frames at the row's rate and size for the row's seconds — to nnlive as a run's driver (``relay_frame``,
the session's outbox, the bus, the room, each viewer's mailbox and send loop), to the bare server on a
path whose every message it sends to each client in turn — then the same to the other server; the order
of the two alternates from row to row. Every frame carries its send time and step.

Per row and server: the share of the window's frames that reached the reading viewers, p50/p99 latency
(send → a viewer's receipt), the server process's CPU time per delivered frame (its user + system CPU
over the window, /proc, divided by the frames delivered), and two connect times from the first connection
attempt: ``open s`` until all N websockets were open (what issue 17 measured as "connected", and what
the 2× target is judged on), and ``hello s`` until every nnlive viewer had its ``hello`` (it is in the
room then: what a joiner waits for before it sees anything; the bare server sends nothing on connect);
``join ms`` is the server process's CPU while they connected, per viewer.
Then nnlive's figures as multiples of the bare loop's, against the targets of issue 17.

``--redis`` adds ``nnlive serve`` as two workers on a redis-server the bench starts on a free port: the
driver on worker A (which owns the run session), half the viewers on A and half on B (which receives the
frames through Redis); each worker's row has its own viewers' figures and its own process's CPU, and a
line per worker says what else the row showed (bench/_fanout_redis.py): the bus's reconnections,
subscribe time-outs and failed publishes it logged, its pub/sub connection as Redis listed it, and the
viewers A still counts once the row's viewers have gone. A row below 100 % says how the frames were
spread over its viewers (all a little short, or some with none).

``--load K`` runs K busy processes meanwhile (the "another process loads the machine" condition);
``--soak MINUTES`` runs nnlive alone with 300 viewers, 10 % never reading, and prints the server's RSS
and the readers' frame rate minute by minute.

Run: python3 -m bench.fanout [--quick] [--redis] [--rows 10,100,500,1000] [--seconds 10] [--load 1]
                            [--clients 4]
     python3 -m bench.fanout --soak 5
"""

import argparse
import math
import multiprocessing as mp
import statistics
import time
from dataclasses import dataclass

from bench._common import verdict
from bench._fanout_clients import Producer, start_viewers
from bench._fanout_redis import RowWatch
from bench._fanout_servers import Server, start_bare, start_nnlive, start_nnlive_pair, start_redis

ROWS = {10: (30, 64), 100: (30, 64), 500: (30, 64), 1000: (10, 16)}  # N: (frames/s, KB)
DRAIN_S = 1.5  # after the last frame, how long viewers may still receive
TARGETS = {"delivered": 99.0, "p99": 1.5, "cpu": 1.2, "connect": 2.0}
HEADER = f"{'N':>5} {'rate×KB':>8} {'server':>7} {'delivered %':>12} {'p50 ms':>8} {'p99 ms':>8}"
HEADER += f" {'CPU µs/frame':>13} {'open s':>7} {'hello s':>8} {'join ms':>8} {'failed':>7}"
SOAK_VIEWERS, SOAK_IDLE, SOAK_RATE, SOAK_KB = 300, 30, 30, 64


@dataclass(frozen=True)
class Row:
    """One row of the table: N viewers, frames a second, KB a frame, seconds of frames."""

    n: int
    rate: float
    kb: int
    seconds: float


@dataclass
class Result:
    """One server's figures for one row."""

    delivered_pct: float
    p50_ms: float
    p99_ms: float
    cpu_us: float
    open_s: float  # until all N websockets were open
    hello_s: float  # until every viewer was in the room (nnlive: had its hello; bare: open)
    join_ms: float  # the server's CPU while they connected, per viewer
    failed: int
    per_viewer: list[int]  # the window's frames each reading viewer received


def measure(driver: Server, targets: list[Server], row: Row, processes: int, first_step: int) -> list[Result]:
    """Connect the row's viewers, spread evenly over ``targets``, stream ``driver``'s frames to them, and
    tally per target (its viewers, and its process's CPU per frame they got)."""
    rate, frames = row.rate, max(1, round(row.rate * row.seconds))
    steps = range(first_step, first_step + frames)
    producer = Producer(driver.url(driver.driver_path), row.kb * 1024, driver.token)
    began, cpu_at_start = time.time(), [t.cpu_s() for t in targets]
    counts = [row.n // len(targets) + (i < row.n % len(targets)) for i in range(len(targets))]
    groups = [
        start_viewers(t.url(t.viewer_path), n, 0, max(1, processes // len(targets)), (steps[0], steps[-1]))
        for t, n in zip(targets, counts, strict=True)
    ]
    connect_s = [_connect_times([report.get() for _ in procs], began) for procs, report, _stop in groups]
    cpu_before = [t.cpu_s() for t in targets]
    join_cpu = [after - before for after, before in zip(cpu_before, cpu_at_start, strict=True)]
    producer.run(steps, rate)
    time.sleep(DRAIN_S)
    cpu = [t.cpu_s() - before for t, before in zip(targets, cpu_before, strict=True)]
    results = []
    for (procs, report, stop), n, used, connected, joins in zip(
        groups, counts, cpu, connect_s, join_cpu, strict=True
    ):
        stop.set()
        tallies = [report.get() for _ in procs]
        for proc in procs:
            proc.join(10)
        delivered = sum(t.frames for t in tallies)
        latencies = sorted(x for t in tallies for x in t.latencies_ms)
        results.append(
            Result(
                delivered_pct=100.0 * delivered / (frames * n),
                p50_ms=_quantile(latencies, 0.5),
                p99_ms=_quantile(latencies, 0.99),
                cpu_us=1e6 * used / delivered if delivered else math.inf,
                open_s=connected[0],
                hello_s=connected[1],
                join_ms=1e3 * joins / n,
                failed=sum(t.failed for t in tallies),
                per_viewer=sorted(x for t in tallies for x in t.per_viewer),
            )
        )
    producer.close()
    return results


def _connect_times(reports: list[tuple[float, float]], began: float) -> tuple[float, float]:
    """Seconds from ``began`` until the last websocket was open, and until the last viewer was in."""
    return max(o for o, _ in reports) - began, max(h for _, h in reports) - began


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else math.nan


def load(processes: int) -> list:
    """``processes`` busy loops (another program loading the machine)."""
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_spin, daemon=True) for _ in range(processes)]
    for proc in procs:
        proc.start()
    return procs


def _spin() -> None:
    while True:
        pass


def compare(args: argparse.Namespace) -> None:
    rows = [int(n) for n in args.rows.split(",")]
    print(f"{args.seconds:g} s of frames per row and server, viewers over {args.clients} client processes,")
    print(f"{args.load} busy processes loading the machine\n\n{HEADER}")
    groups = {"bare": [start_bare()], "nnlive": [start_nnlive(max(rows) + 10)]}
    redis, url = None, ""
    if args.redis:  # two workers: the driver on A, half the viewers on each
        redis, url = start_redis()
        groups["redis"] = start_nnlive_pair(max(rows) + 10, url)
    busy = load(args.load)
    step = 0
    try:
        for i, n in enumerate(rows):
            rate, kb = ROWS.get(n, (30, 64))
            first = i % len(groups)  # each group goes first in turn
            order = list(groups)[first:] + list(groups)[:first]
            results: dict[str, Result] = {}
            notes: list[str] = []
            for name in order:
                step += 1_000_000
                row = Row(n, rate, kb, args.seconds)
                servers = groups[name]
                if name == "redis":
                    with RowWatch(url, servers) as watch:
                        measured = measure(servers[0], servers, row, args.clients, step)
                    notes += watch.report(servers[0].viewer_path)
                else:
                    measured = measure(servers[0], servers, row, args.clients, step)
                results |= {server.name: r for server, r in zip(servers, measured, strict=True)}
            for name, r in results.items():
                figures = f"{r.delivered_pct:>12.2f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.cpu_us:>13.1f}"
                hello = f"{r.hello_s:>8.2f}" if name != "bare" else f"{'-':>8}"
                connect = f"{r.open_s:>7.2f} {hello} {r.join_ms:>8.2f}"
                print(f"{n:>5} {f'{rate}×{kb}':>8} {name:>7} {figures} {connect} {r.failed:>7}")
            for name in [name for name in results if name != "bare"]:
                print(f"{name:>14} vs bare: {_ratios(results[name], results['bare'])}", flush=True)
            notes += [_spread(name, r) for name, r in results.items() if r.delivered_pct < 100]
            if notes:
                print("\n".join(notes), flush=True)
    finally:
        for proc in busy:
            proc.kill()
        for server in (s for servers in groups.values() for s in servers):
            server.stop()
        if redis is not None:
            redis.terminate()
            redis.wait(10)


def _spread(name: str, r: Result) -> str:
    """How a row's frames were spread over the viewers that fell short."""
    got = r.per_viewer
    if not got:
        return f"{name:>14}: no reading viewer"
    spread = f"min {got[0]}, median {got[len(got) // 2]}, max {got[-1]}"
    return f"{name:>14}: frames per viewer {spread}; {got.count(0)} of {len(got)} viewers got none"


def _ratios(nn: Result, bare: Result) -> str:
    p99, cpu, connect = nn.p99_ms / bare.p99_ms, nn.cpu_us / bare.cpu_us, nn.open_s / bare.open_s
    checks = [
        f"delivered {nn.delivered_pct:.2f} % ({verdict(nn.delivered_pct >= TARGETS['delivered'])})",
        f"p99 {p99:.2f}× ({verdict(p99 <= TARGETS['p99'])})",
        f"CPU/frame {cpu:.2f}× ({verdict(cpu <= TARGETS['cpu'])})",
        f"connect (open) {connect:.2f}× ({verdict(connect <= TARGETS['connect'])})",
        f"hello {nn.hello_s / bare.open_s:.2f}× bare open",
    ]
    if bare.join_ms > 0:  # /proc's 10 ms ticks: a few joins may read as no CPU at all
        checks.append(f"CPU/join {nn.join_ms / bare.join_ms:.2f}×")
    return "; ".join(checks)


def soak(args: argparse.Namespace) -> None:
    """nnlive alone: 300 viewers, 10 % never reading, frames for ``args.soak`` minutes."""
    server = start_nnlive(SOAK_VIEWERS + 10)
    busy = load(args.load)
    try:
        seconds = args.soak * 60
        frames = round(SOAK_RATE * seconds)
        steps = range(1, frames + 1)
        producer = Producer(server.url(server.driver_path), SOAK_KB * 1024, server.token)
        procs, report, stop = start_viewers(
            server.url(server.viewer_path), SOAK_VIEWERS, SOAK_IDLE, args.clients, (steps[0], steps[-1])
        )
        for _ in procs:
            report.get()
        rss = [server.rss_mb()]
        began = time.time()
        minute = max(1, SOAK_RATE * 60)
        for start in range(0, frames, minute):  # a minute of frames at a time, RSS after each
            producer.run(steps[start : start + minute], SOAK_RATE)
            rss.append(server.rss_mb())
        time.sleep(DRAIN_S)
        stop.set()
        tallies = [report.get() for _ in procs]
        producer.close()
        readers = SOAK_VIEWERS - SOAK_IDLE
        per_second: dict[int, int] = {}
        for tally in tallies:
            for second, count in tally.per_second.items():
                per_second[second] = per_second.get(second, 0) + count
        print(f"soak: {SOAK_VIEWERS} viewers ({SOAK_IDLE} never read), {SOAK_RATE} frames/s × {SOAK_KB} KB,")
        print(f"{args.soak} min, {args.load} busy processes\n")
        print(f"{'minute':>6} {'server RSS MB':>14} {'frames/s per reader':>20}")
        for m in range(args.soak):
            window = [per_second.get(int(began) + s, 0) for s in range(m * 60, (m + 1) * 60)]
            print(f"{m + 1:>6} {rss[m + 1]:>14.1f} {statistics.mean(window) / readers:>20.2f}")
        base = rss[1] if args.soak > 1 else rss[0]  # after a first minute of warming up, when there is one
        growth = 100 * (rss[-1] - base) / base
        delivered = 100 * sum(t.frames for t in tallies) / (frames * readers)
        print(f"server RSS before the frames {rss[0]:.1f} MB, after minute 1 {rss[1]:.1f} MB,", end="")
        print(f" at the end {rss[-1]:.1f} MB: growth {growth:+.1f} % ({verdict(growth <= 5)})")
        print(f"frames delivered to readers: {delivered:.2f} %")
    finally:
        for proc in busy:
            proc.kill()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", default=",".join(map(str, ROWS)), help="viewer counts N (default: 10,100,500,1000)"
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="seconds of frames per row and server (default: 10)"
    )
    parser.add_argument("--clients", type=int, default=4, help="viewer client processes (default: 4)")
    parser.add_argument(
        "--load", type=int, default=0, help="busy processes loading the machine meanwhile (default: 0)"
    )
    parser.add_argument(
        "--redis", action="store_true", help="also two nnlive workers on a Redis the bench starts"
    )
    parser.add_argument("--quick", action="store_true", help="a short run: N = 10, 100 for 3 s each")
    parser.add_argument(
        "--soak", type=float, default=0, metavar="MINUTES", help="instead: the soak, for MINUTES"
    )
    args = parser.parse_args()
    if args.quick:
        args.rows, args.seconds = "10,100", 3.0
    if args.soak:
        args.soak = max(1, round(args.soak))
        soak(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
