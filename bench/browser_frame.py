"""Renderer main-thread time per drawn frame on /lenet while it trains with gradients, in Chromium.

Starts the real server (uvicorn in a thread, as the browser tests do), opens /lenet in headless
/usr/bin/chromium through Playwright, presses Train and turns gradients on, waits for frames to flow,
then measures two windows of ``--seconds`` each:

1. a trace (CDP Tracing, the devtools timeline categories) of the page's renderer main thread: its CPU
   time (the ``RunTask`` tasks' thread time) per drawn frame, split by what the events are (scripting,
   style, layout, pre-paint/paint/commit, GC, other), and the layouts and style recalculations forced
   synchronously from script (nested inside a script event) per frame;
2. a sampling CPU profile (CDP Profiler, 100 µs) of the page's JavaScript, each sample charged to the
   nearest frame of its stack that belongs to a known part of the page: decoding, feature maps and
   strips, colour legends, curve charts, probability bars, the rest of the page.

Also the CPU time of every Chromium process (from /proc) per drawn frame over the trace window.
"Per frame" divides by the frames the page drew (``window.nnlive.frames``), so work done for frames
that arrived but were replaced before an animation frame counts against the drawn ones.

Run: python -m bench.browser_frame [--seconds 8] [--warmup 4]
"""

import argparse
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from playwright.sync_api import CDPSession, Page, sync_playwright

from app.config import Settings
from app.factory import create_app
from app.sdk.embedded import EmbeddedServer
from bench._common import verdict

TARGET_MS = 4.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "toplevel", "v8", "blink"]

# Trace event names by the kind of work they are (their self time is charged to it): exact names,
# then parts of names (Blink's own trace events, e.g. "LocalFrameView::performLayout").
SCRIPT_EVENTS = {
    "FunctionCall",
    "FireAnimationFrame",
    "EvaluateScript",
    "v8.compile",
    "v8.run",
    "v8.callFunction",
    "EventDispatch",
    "TimerFire",
    "RunMicrotasks",
    "v8.evaluateModule",
    "V8.Execute",
}
KIND_PARTS = (
    ("gc", ("GC",)),
    ("style", ("Style", "recalcStyle", "updateStyle", "rebuildLayoutTree", "UpdateLayoutTree")),
    ("layout", ("Layout", "layout", "ShapeText", "Intersection")),
    ("paint", ("Paint", "Commit", "Composit", "Layerize", "Canvas2D", "Raster", "Finalize", "UpdateLayer")),
)
SYNC_LAYOUT = {"Layout", "UpdateLayoutTree"}
# Events counted per drawn frame, what drives the cost whatever the load: rendering updates (a page
# that paints other work apart from its frames has more than one per frame), layouts, canvases handed
# to the compositor.
COUNTED = {
    "rendering updates": "WebFrameWidgetImpl::UpdateLifecycle",
    "layouts": "LocalFrameView::performLayout",
    "canvases presented": "CanvasRenderingContext2D::FinalizeFrame",
}

# JavaScript files by part of the page; a sample goes to the nearest stack frame in one of them.
PARTS = {
    "decoding": ("net/codec.js", "net/socket.js"),
    "feature maps + strips": ("views/featuremaps.js", "views/strip.js"),
    "legends": ("views/legend.js",),
    "curve charts": ("views/curves.js", "views/lineplot.js", "ui/trainingcurves.js", "vendor/uplot"),
    "probability bars": ("views/bars.js",),
    "panels (badges)": ("views/panel.js",),
}


def start_training_with_gradients(page: Page, url: str) -> None:
    """Open /lenet, press Train, turn gradients on, and wait for a frame that carries them."""
    page.goto(f"{url}/lenet")
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving")
    page.click("#train")
    page.check("#grads")
    page.wait_for_function(
        "() => window.nnlive.lastFrame?.header.grads && window.nnlive.state?.state === 'training'"
    )


def frames_drawn(page: Page) -> int:
    """The page's count of drawn frames."""
    return page.evaluate("() => window.nnlive.frames")


def chromium_cpu_seconds() -> float:
    """User + system CPU seconds of every Chromium process started by this one (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = defaultdict(list)
    stats: dict[int, list[str]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        stats[int(name)] = [text[text.index("(") + 1 : text.rindex(")")], *fields]
        children[int(fields[1])].append(int(name))
    total, stack = 0.0, list(children[os.getpid()])
    while stack:
        pid = stack.pop()
        stack.extend(children[pid])
        fields = stats.get(pid)
        if fields and "chrom" in fields[0]:
            total += (int(fields[12]) + int(fields[13])) / ticks
    return total


@dataclass
class TraceFigures:
    """What one trace window measured on the page's renderer main thread, per drawn frame."""

    frames: int
    cpu_ms: float
    kinds_ms: dict[str, float]
    forced: float
    chromium_ms: float
    forced_from: Counter
    counts: dict[str, float]


def main_thread_events(events: list[dict]) -> list[dict]:
    """Complete events of the busiest renderer main thread (the page's), in time order."""
    named = [e for e in events if e.get("ph") == "M" and e.get("args", {}).get("name") == "CrRendererMain"]
    mains = {(e["pid"], e["tid"]) for e in named}
    busy: Counter = Counter()
    for e in events:
        if (e.get("pid"), e.get("tid")) in mains and e.get("name") == "RunTask":
            busy[(e["pid"], e["tid"])] += e.get("tdur", 0)
    thread = busy.most_common(1)[0][0]
    mine = [e for e in events if (e.get("pid"), e.get("tid")) == thread and e.get("ph") == "X" and "dur" in e]
    return sorted(mine, key=lambda e: (e["ts"], -e["dur"]))


def analyse_trace(events: list[dict], frames: int, chromium_ms: float) -> TraceFigures:
    """Main-thread CPU, self time by kind and synchronous layouts, per drawn frame."""
    thread = main_thread_events(events)
    cpu_us = sum(e.get("tdur", e["dur"]) for e in thread if e["name"] == "RunTask")
    self_us: Counter = Counter()
    forced = 0
    forced_from: Counter = Counter()
    stack: list[dict] = []
    for event in thread:
        while stack and stack[-1]["ts"] + stack[-1]["dur"] <= event["ts"]:
            stack.pop()
        spent = event.get("tdur", event["dur"])
        if stack:
            self_us[kind_of(stack[-1]["name"])] -= spent
        if event["name"] in SYNC_LAYOUT and any(e["name"] in SCRIPT_EVENTS for e in stack):
            forced += 1
            forced_from[script_site(event, stack)] += 1
        self_us[kind_of(event["name"])] += spent
        stack.append(event)
    self_us.pop("task", None)
    per_frame = {kind: us / 1e3 / frames for kind, us in sorted(self_us.items())}
    cpu_ms = cpu_us / 1e3 / frames
    named = Counter(e["name"] for e in thread)
    counts = {what: named[name] / frames for what, name in COUNTED.items()}
    return TraceFigures(frames, cpu_ms, per_frame, forced / frames, chromium_ms / frames, forced_from, counts)


def script_site(event: dict, stack: list[dict]) -> str:
    """A forced layout and the script it happened in: its own stack's top frame, else the script event's."""
    frames = (event.get("args", {}).get("beginData") or {}).get("stackTrace") or []
    calls = [e.get("args", {}).get("data") or {} for e in stack if e["name"] in SCRIPT_EVENTS]
    top = frames[0] if frames else next((data for data in calls[::-1] if data.get("url")), {})
    where = top.get("url", "?").rsplit("/static/", 1)[-1]
    return f"{event['name']} in {top.get('functionName') or '?'} ({where}:{top.get('lineNumber')})"


def kind_of(name: str) -> str:
    """The kind of work a trace event is ("task" for the top-level task itself)."""
    if name == "RunTask":
        return "task"
    if name in SCRIPT_EVENTS:
        return "scripting"
    return next((kind for kind, parts in KIND_PARTS if any(part in name for part in parts)), "other")


@contextmanager
def traced(page: Page, browser) -> Iterator[dict]:
    """Trace the block; yields a dict that holds the trace's events afterwards."""
    result: dict = {}
    browser.start_tracing(page=page, categories=CATEGORIES)
    try:
        yield result
    finally:
        result["events"] = json.loads(browser.stop_tracing())["traceEvents"]


def trace_window(page: Page, browser, seconds: float) -> TraceFigures:
    """One trace of `seconds` while the page trains."""
    with traced(page, browser) as trace:
        before, cpu_before = frames_drawn(page), chromium_cpu_seconds()
        page.wait_for_timeout(seconds * 1000)  # a measuring window, not a wait for a condition
        frames, cpu = frames_drawn(page) - before, chromium_cpu_seconds() - cpu_before
    return analyse_trace(trace["events"], max(frames, 1), cpu * 1e3)


def profile_window(page: Page, cdp: CDPSession, seconds: float) -> tuple[int, dict[str, float]]:
    """A sampling profile of `seconds`: frames drawn and JavaScript ms per frame by part of the page."""
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 100})
    cdp.send("Profiler.start")
    before = frames_drawn(page)
    page.wait_for_timeout(seconds * 1000)  # a measuring window, not a wait for a condition
    frames = max(frames_drawn(page) - before, 1)
    profile = cdp.send("Profiler.stop")["profile"]
    cdp.send("Profiler.disable")
    return frames, {part: us / 1e3 / frames for part, us in charge_samples(profile).items()}


def charge_samples(profile: dict) -> Counter:
    """Microseconds of samples per part of the page (idle and the profiler itself left out)."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}
    part_of: dict[int, str | None] = {}

    def part(node_id: int) -> str | None:
        if node_id not in part_of:
            frame = nodes[node_id]["callFrame"]
            own = next((name for name, files in PARTS.items() if any(f in frame["url"] for f in files)), None)
            if own is None and frame["functionName"] in ("(idle)", "(program)", "(root)"):
                own = frame["functionName"]
            part_of[node_id] = own or (part(parent[node_id]) if node_id in parent else None)
        return part_of[node_id]

    spent: Counter = Counter()
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        spent[part(node_id) or "rest of the page (js)"] += delta
    for name in ("(idle)", "(root)"):
        spent.pop(name, None)
    spent.pop("(program)", None)  # not JavaScript: the trace measures it
    return spent


def report(trace: TraceFigures, profile_frames: int, parts: dict[str, float]) -> None:
    """Print the figures."""
    print(f"trace window: {trace.frames} frames drawn")
    ok = verdict(trace.cpu_ms <= TARGET_MS)
    print(f"  renderer main thread CPU: {trace.cpu_ms:6.2f} ms per frame (target ≤ {TARGET_MS:g})  {ok}")
    print(f"  every Chromium process:   {trace.chromium_ms:6.2f} ms CPU per frame")
    print(f"  layouts/style recalcs forced from script: {trace.forced:.2f} per frame")
    for site, count in trace.forced_from.most_common(5):
        print(f"    {count:4d}× {site}")
    print("  per frame: " + ", ".join(f"{count:.2f} {what}" for what, count in trace.counts.items()))
    print("  main thread by kind (self thread time, ms per frame):")
    for kind, ms in trace.kinds_ms.items():
        print(f"    {kind:<10} {ms:6.2f}")
    print(f"profile window: {profile_frames} frames drawn; JavaScript by part of the page (ms per frame):")
    for name, ms in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"    {name:<30} {ms:6.2f}")


def main() -> None:
    """Start the server and Chromium, train /lenet with gradients, trace and profile it, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each measuring window")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds of training before measuring")
    args = parser.parse_args()
    settings = Settings(device="cpu", torch_threads=1)
    server = EmbeddedServer(app=create_app(settings))  # as `nnlive serve` runs it
    url = server.url
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            start_training_with_gradients(page, url)
            page.wait_for_timeout(args.warmup * 1000)  # the charts gather points first
            rate = settings.frame_rate
            print(f"/lenet training with gradients; frames at ≤ {rate:g}/s; {os.cpu_count()} CPUs")
            trace = trace_window(page, browser, args.seconds)
            frames, parts = profile_window(page, page.context.new_cdp_session(page), args.seconds)
            report(trace, frames, parts)
            browser.close()
    finally:
        server.stop(10)


if __name__ == "__main__":
    main()
