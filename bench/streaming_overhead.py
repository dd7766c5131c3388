"""Training steps/s of LeNet-5 while the page's frames are captured and encoded, vs no frames.

Each mode repeats the server's own training tick (``Session._tick``: one Adam step on a batch of 64,
validation once a second, and ``_publish_frame`` — capture with ``live.frame`` plus ``encode_frame`` —
whenever a frame interval has passed). The "no frames" session has an infinite frame interval, so the
only difference between modes is the frames. Modes run in interleaved blocks of a few seconds in one
process with torch's thread count fixed, the order reversed every round, so drift falls on all alike.
Speed is counted on two clocks: wall time, and this process's CPU time (which a busy machine inflates
less: time spent waiting for a core is not counted). As a cross-check, each session also adds up the
CPU time spent inside ``_publish_frame``: its share of the block is the slowdown frames should cause.
What is left of each step's CPU time outside ``_publish_frame`` is compared with the "no frames" steps:
if frames made the training steps after them slower (colder caches, memory given back to the system and
faulted in again, garbage collection of the frame's objects), it shows there, beside the minor page faults
and Python garbage collections counted in each mode's blocks.
``--paired SECONDS`` then tests the same question more finely, for each frame mode: training steps in
alternating segments of 12, with a frame after every 4th step and without, each pair of segments
(about 0.1 s) under the same load, so the machine's drift cancels out of their difference.
``--onednn`` adds the two frame modes with the probe's convolutions through oneDNN as before (the
training step's always are), to compare the probe's native convolutions with them in the same run.

Run: python -m bench.streaming_overhead [--seconds 2] [--rounds 10] [--threads 1] [--budget off|on] [--onednn]
     [--paired SECONDS]
"""

import argparse
import gc
import math
import resource
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from app.config import Settings
from app.sessions.session import Session
from bench._common import fix_threads, lenet_live, session_args, verdict

TARGET_SLOWDOWN = {"frames": 0.03, "frames+grads": 0.05}  # the most frames may cost of the training speed
WARMUP_SECONDS = 3.0
CLOCKS = ("wall", "cpu")
SEGMENT, FRAME_EVERY = 12, 4  # --paired: steps per segment, a frame after every 4th (about the full rate)


class TimedSession(Session):
    """A real Session that also counts its frames and the CPU time they take."""

    frames = 0
    frame_cpu = 0.0
    native_conv = True  # how this session's probe convolves (the live model is shared by all modes)

    def _publish_frame(self, reply_to: Any = None) -> None:
        start = time.process_time()
        self.live.native_conv = self.native_conv
        super()._publish_frame(reply_to)
        self.frame_cpu += time.process_time() - start
        self.frames += 1


@dataclass(frozen=True)
class Block:
    """Steps run in one block, the seconds they took on each clock, and what else happened meanwhile."""

    steps: int
    wall: float
    cpu: float
    frame_cpu: float  # CPU seconds inside _publish_frame
    faults: int  # minor page faults of this process
    collections: int  # Python garbage collections, all generations

    @property
    def step_cpu(self) -> float:
        """CPU seconds per step outside the frames (the training step, validation, the tick)."""
        return (self.cpu - self.frame_cpu) / self.steps


@dataclass
class Mode:
    """One way of training: its session and what its blocks measured."""

    name: str
    session: TimedSession
    blocks: list[Block] = field(default_factory=list)

    def rate(self, clock: str, blocks: list[Block] | None = None) -> float:
        """Steps per second of ``clock`` over all blocks, or over the given ones."""
        blocks = self.blocks if blocks is None else blocks
        return sum(b.steps for b in blocks) / sum(getattr(b, clock) for b in blocks)

    def total(self, clock: str) -> float:
        """Seconds of ``clock`` (or another summed field of Block) over all blocks."""
        return sum(getattr(b, clock) for b in self.blocks)

    def per_kilostep(self, field_name: str) -> float:
        """A counted field of Block per 1,000 steps."""
        return 1000 * self.total(field_name) / self.total("steps")


def run_block(session: TimedSession, seconds: float) -> Block:
    """Run the session's training tick for about ``seconds`` of wall time."""
    faults, collections, frame_cpu = minor_faults(), gc_collections(), session.frame_cpu
    steps, wall, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < seconds:
        session._tick()
        steps += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Block(
        steps,
        wall,
        cpu,
        session.frame_cpu - frame_cpu,
        minor_faults() - faults,
        gc_collections() - collections,
    )


def minor_faults() -> int:
    """Minor page faults of this process so far (pages the allocator got from the system and touched)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def gc_collections() -> int:
    """Python garbage collections so far, all generations."""
    return sum(generation["collections"] for generation in gc.get_stats())


def make_modes(frame_rate: float, frame_budget: float, onednn: bool) -> list[Mode]:
    """No frames, frames without grads, frames with grads (and, with ``onednn``, both again with the
    probe through oneDNN): sessions over one live model."""
    live = lenet_live()

    def session(grads: bool, frame_interval: float, native_conv: bool = True) -> TimedSession:
        args = session_args(live, grads=grads, precision="float16", frame_interval=frame_interval, emit=drop)
        timed = TimedSession(**args, frame_budget=frame_budget)
        timed.native_conv = native_conv
        return timed

    modes = [
        Mode("no frames", session(False, math.inf)),
        Mode("frames", session(False, 1 / frame_rate)),
        Mode("frames+grads", session(True, 1 / frame_rate)),
    ]
    if onednn:
        modes.append(Mode("frames oneDNN", session(False, 1 / frame_rate, native_conv=False)))
        modes.append(Mode("grads oneDNN", session(True, 1 / frame_rate, native_conv=False)))
    return modes


def drop(_stream: str, _payload: bytes) -> None:
    """The sessions' publisher: nobody is watching, so nothing is sent."""


def slowdown(mode: Mode, base: Mode, clock: str) -> tuple[float, float]:
    """1 − speed ratio to ``base`` over the whole run, and the median of the per-round ratios."""
    pairs = zip(mode.blocks, base.blocks, strict=True)
    rounds = [1 - mode.rate(clock, [a]) / base.rate(clock, [b]) for a, b in pairs]
    return 1 - mode.rate(clock) / base.rate(clock), statistics.median(rounds)


def report(modes: list[Mode]) -> None:
    """Frames/s, steps/s on both clocks, and the slowdown of each mode against the first (no frames)."""
    base = modes[0]
    rates = [f"{'steps/s':>11}  {'slowdown (median)':<17}", f"{'steps/CPU-s':>11}  slowdown (median)"]
    print(f"{'mode':<14}{'frames/s':>9}", *rates, sep="  ")
    for mode in modes:
        cells = [f"{mode.name:<14}{mode.session.frames / mode.total('wall'):9.1f}"]
        for clock in CLOCKS:
            total, median = slowdown(mode, base, clock)
            change = f"{total:+7.1%} ({median:+5.1%})" if mode is not base else ""
            cells.append(f"{mode.rate(clock):11.1f}  {change:<17}")
        print("  ".join(cells).rstrip())
    print(f"\nno frames: {base.total('cpu') / base.total('steps') * 1e3:.3f} CPU ms a step;")
    print_counts(base)
    for mode in modes[1:]:
        session = mode.session
        share = session.frame_cpu / mode.total("cpu")
        print(f"\n{mode.name}: {session.frame_cpu / max(session.frames, 1) * 1e3:.2f} CPU ms per frame,")
        print(f"  {share:.1%} of the CPU time inside _publish_frame (the slowdown it should cause)")
        print_rest(mode, base)
        if mode.name not in TARGET_SLOWDOWN:  # a comparison, not what the server runs
            continue
        target = 1 - TARGET_SLOWDOWN[mode.name]
        for clock in CLOCKS:
            ratio = mode.rate(clock) / base.rate(clock)
            ok = verdict(ratio >= target)
            print(f"  {clock:>4}: {ratio:.3f}× the steps/s of no frames (target ≥ {target:.2f}×): {ok}")


def print_rest(mode: Mode, base: Mode) -> None:
    """The steps' own CPU time outside the frames against "no frames", with the faults and collections."""
    rest = [a.step_cpu / b.step_cpu - 1 for a, b in zip(mode.blocks, base.blocks, strict=True)]
    step_cpu = (mode.total("cpu") - mode.total("frame_cpu")) / mode.total("steps")
    base_cpu = base.total("cpu") / base.total("steps")
    change = f"{step_cpu / base_cpu - 1:+.1%} (median {statistics.median(rest):+.1%})"
    print(f"  outside the frames: {step_cpu * 1e3:.3f} CPU ms a step, {change} against no frames;")
    print_counts(mode)


def print_counts(mode: Mode) -> None:
    """Page faults and gc runs per 1,000 steps, and how much of the wall time the process had a core."""
    faults, collections = mode.per_kilostep("faults"), mode.per_kilostep("collections")
    on_cpu = mode.total("cpu") / mode.total("wall")
    print(f"  {faults:.1f} page faults and {collections:.1f} gc runs per 1,000 steps;", end=" ")
    print(f"on a core {on_cpu:.0%} of the wall time")


def paired_steps(session: TimedSession, seconds: float) -> tuple[list[float], list[float]]:
    """CPU seconds per training step in alternating segments of ``SEGMENT`` steps, without frames and with
    the session's frame after every ``FRAME_EVERY``-th step; which comes first alternates pair by pair."""
    plain: list[float] = []
    framed: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        segments = ((plain, False), (framed, True))
        for out, frames in segments if len(plain) % 2 == 0 else segments[::-1]:
            cpu = 0.0
            for k in range(SEGMENT):
                start = time.thread_time()
                session.live.train_step()
                cpu += time.thread_time() - start
                if frames and k % FRAME_EVERY == FRAME_EVERY - 1:
                    session._publish_frame()
            out.append(cpu / SEGMENT)
    return plain, framed


def report_paired(name: str, plain: list[float], framed: list[float]) -> None:
    """The mean paired difference of the steps' CPU time with frames between them, with its 95 % interval."""
    diffs = [f / p - 1 for p, f in zip(plain, framed, strict=True)]
    mean, half = statistics.fmean(diffs), 1.96 * statistics.stdev(diffs) / math.sqrt(len(diffs))
    with_frames, without = statistics.fmean(framed) * 1e3, statistics.fmean(plain) * 1e3
    print(
        f"{name}: a training step {with_frames:.3f} CPU ms with frames between, {without:.3f} without:",
        end=" ",
    )
    print(f"{mean:+.2%} ± {half:.2%} (95 %, {len(diffs)} pairs of segments)")


def main() -> None:
    """Warm up, run the interleaved rounds, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="wall seconds of one block")
    parser.add_argument("--rounds", type=int, default=10, help="blocks per mode")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads for the whole run")
    parser.add_argument(
        "--budget",
        choices=("off", "on"),
        default="off",
        help="off: frames at the full frame rate (the cost measured); on: NNLIVE_FRAME_BUDGET paces them",
    )
    parser.add_argument("--onednn", action="store_true", help="also frames with the probe through oneDNN")
    parser.add_argument(
        "--paired",
        type=float,
        default=0.0,
        help="seconds per frame mode of training steps paired with and without frames",
    )
    args = parser.parse_args()
    threads = fix_threads(args.threads)
    settings = Settings()
    frame_rate = settings.frame_rate
    # A budget of 1 lets a frame through whenever the steps since the last one took as much CPU as it:
    # always, at 30 frames/s of ~1 ms frames after ~7 ms steps, so only the frame interval paces them.
    modes = make_modes(frame_rate, 1.0 if args.budget == "off" else settings.frame_budget, args.onednn)
    for mode in modes:
        run_block(mode.session, WARMUP_SECONDS / len(modes))
        mode.session.frames, mode.session.frame_cpu = 0, 0.0
    print(f"LeNet-5, batch 64, Adam; float16 frames at ≤ {frame_rate:g}/s; torch threads: {threads}")
    print(f"frame budget {args.budget}")
    print(f"{args.rounds} rounds of {len(modes)} modes × {args.seconds:g} s, the order reversed each round\n")
    for i in range(args.rounds):
        for mode in modes if i % 2 == 0 else modes[::-1]:
            mode.blocks.append(run_block(mode.session, args.seconds))
    report(modes)
    if args.paired:
        print(f"\nTraining steps with a frame after every {FRAME_EVERY} vs none,", end=" ")
        print(f"in pairs of {SEGMENT}-step segments of {args.paired:g} s a mode:")
        for mode in modes[1:]:
            if mode.name in TARGET_SLOWDOWN:
                report_paired(mode.name, *paired_steps(mode.session, args.paired))
    for mode in modes:
        mode.session.close()


if __name__ == "__main__":
    main()
