"""One live session: a model on its own worker thread, its training state, and what it publishes.

Every method that touches the model runs on the session's worker (``await session.run(...)``); the
session publishes complete snapshots — ``state`` JSON and binary frames — through ``emit``, which hands
them to the event loop. Training runs at full speed; while it does, a frame is made at most every
``frame_interval`` seconds and only when frames stay within ``frame_budget`` of the worker's CPU time.
"""

import copy
import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from app.engine.live.base import LiveModel, ModelSpec
from app.engine.live.weights import optimizer_state
from app.engine.params import ParamError, validate
from app.engine.worker import Worker, WorkerBusy, WorkerClosed
from app.errors import BadRequest, Busy, LimitReached, NotFound
from app.protocol import encode_frame
from app.protocol.codec import PROTOCOL, restamp
from app.protocol.frame_header import ReadFrame
from app.protocol.messages import MAX_STEP_COUNT, InputMessage
from app.protocol.server import Hello, SharedView, State
from app.rate import TokenBucket
from app.sessions.audience import Audience
from app.sessions.control import Control
from app.sessions.footprint import tensor_bytes
from app.sessions.history import History
from app.sessions.training_queue import Admission, TrainingQueue

PRECISIONS = {"float16": torch.float16, "float32": torch.float32}
VAL_INTERVAL = 1.0  # seconds between validation passes while training
EXPORTS_PER_S, EXPORT_BURST = 2.0, 10  # weight downloads: anyone may ask, and the model's worker serializes
Emit = Callable[[str, bytes], None]  # (stream, payload), callable from any thread


def hash_token(token: str) -> str:
    """What a session keeps to check its control token by (and all that a snapshot keeps of it)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Progress:
    """Where a session stands at one instant: what a fork of it starts from."""

    weights: bytes  # safetensors
    optimizer: dict[str, Any] | None  # the optimizer's state_dict, copied (None for models that do not train)
    step: int
    train_history: History
    val_history: History


class Session:
    """A running model with an id, a control token and any number of viewers."""

    def __init__(
        self,
        *,
        session_id: str,
        token: str,
        spec: ModelSpec,
        config: dict[str, Any],
        controls: dict[str, Any],
        seed: int,
        precision: str,
        live: LiveModel,
        emit: Emit,
        frame_interval: float,
        frame_budget: float = 0.04,
        client: str = "",
        training_queue: Admission | None = None,
        max_steps_per_s: float = float("inf"),
        clock: Callable[[], float] = time.monotonic,
        token_hash: str = "",
    ) -> None:
        self.id, self.token, self.spec = session_id, token, spec
        # What a token is checked against; a restored session knows only this (its token is "").
        self.token_hash = token_hash or hash_token(token)
        self._claimed_hash: str | None = None  # a token made for a lecture's claim of a restored session
        self.config, self.controls, self.seed, self.precision = config, controls, seed, precision
        self.live = live
        self.facts = live.describe()
        self.state = "paused"
        self.place: int | None = None  # its place in the training queue while ``queued``
        self._queue: Admission = training_queue or TrainingQueue(1)  # on its own, a session never waits
        self._clock = clock  # for rates and idleness (tests step it); training pace keeps real time
        self._step_budget = TokenBucket(max_steps_per_s, max(max_steps_per_s, MAX_STEP_COUNT), clock)
        self._export_budget = TokenBucket(EXPORTS_PER_S, EXPORT_BURST, clock)
        self._frame_byte_budget: TokenBucket | None = None  # relayed frames (an SDK run): made with the first
        self.step = 0
        self.audience = Audience(clock)  # its viewers: the rooms count them
        self.created = time.time()
        self.client = client  # the address that created it (per-client limits)
        self._commanded = clock()  # a command ran, a frame was relayed or a view shared
        self.train_history, self.val_history = History(), History()
        self._emit = emit
        self._frame_interval, self._frame_budget = frame_interval, frame_budget
        self._frame_cpu = self._cpu_after_frame = 0.0  # thread CPU seconds: last frame's cost, clock
        self._seq = 0
        self._last_frame = self._last_val = 0.0
        self._val: dict[str, Any] | None = None
        self.last_frame: bytes | None = None  # for viewers who join late
        self.view: SharedView | None = None  # the driver's page state, likewise
        self.control = Control(clock)  # its presenters, which of them drives, whether the room is open
        self.worker = Worker(f"session-{session_id}")

    # -- reading (any thread) -------------------------------------------------------------------

    @property
    def viewers(self) -> int:
        """How many connections watch it (in this process)."""
        return self.audience.count

    @property
    def onlookers(self) -> int:
        """How many of its connections are not presenters: the count the pages show."""
        return max(0, self.viewers - self.control.presenting)

    @property
    def last_active(self) -> float:
        """When a viewer last came or went, or a command last ran (on the session's clock)."""
        return max(self._commanded, self.audience.changed)

    def idle_s(self) -> float:
        """Seconds since it was last active."""
        return self._clock() - self.last_active

    def info(self) -> dict[str, Any]:
        """The public description (GET /api/sessions/{id} and ``hello``)."""
        return {
            "id": self.id,
            "model": self.spec.name,
            "config": self.config,
            "seed": self.seed,
            "state": self.state,
            "step": self.step,
            "controls": self.controls,
            "precision": self.precision,
            "viewers": self.onlookers,
            "created": self.created,
            **self.facts,
        }

    def accepts(self, token: str | None) -> bool:
        """Whether ``token`` is a control token of this session (compared in constant time)."""
        if not token:
            return False
        given = hash_token(token)
        valid = [h for h in (self.token_hash, self._claimed_hash) if h]
        return any(hmac.compare_digest(given, h) for h in valid)

    def presenter_token(self) -> str:
        """The control token for a presenter who claims the session with its lecture's key; a restored
        session, which knows only its token's hash, makes one that is valid beside the original."""
        if not self.token:
            self.token = secrets.token_urlsafe(32)
            self._claimed_hash = hash_token(self.token)
        return self.token

    def hello(self) -> Hello:
        """The first message a joiner gets; the curves' JSON is made once per change and shared."""
        curves = {"train": self.train_history.encoded(), "val": self.val_history.encoded()}
        return Hello.with_curves(PROTOCOL, self.info(), curves)

    def state_message(self) -> State:
        """The ``state`` message every viewer gets when something changes."""
        return State(
            state=self.state,
            step=self.step,
            controls=self.controls,
            viewers=self.onlookers,
            **self.control.describe(),
            place=self.place or None,  # while queued: 1 is next to train
        )

    def publish_state(self) -> None:
        """Send the current state to every viewer."""
        self._emit("state", self.state_message().encoded)

    def publish_view(self, view: SharedView) -> None:
        """Share the driver's page state (selected layer, cell, tab…) with every viewer."""
        self._commanded = self._clock()
        self.view = view
        self._emit("view", view.encoded)

    def relay_frame(self, frame: ReadFrame) -> None:
        """Publish a (checked) frame made by the session's driver (an SDK run) under this session's id and
        seq: only the header changes (the session's fields appended to it), the tensor bytes pass through."""
        self._seq += 1
        self.step = frame.parts.header.get("step", self.step)
        self._commanded = self._clock()
        stamp = {"type": "frame", "session": self.id, "seq": self._seq}
        self.last_frame = restamp(frame.parts, frame.head, stamp)
        self._emit("frame", self.last_frame)

    # -- driving (await from the event loop) ----------------------------------------------------

    def charge_steps(self, count: int) -> None:
        """Refuse a ``step`` of ``count`` batches beyond the session's optimizer steps per second."""
        if not self._step_budget.take(count):
            wait = self._step_budget.wait_s(count)
            rate = self._step_budget.rate
            raise LimitReached(f"at most {rate:g} steps a second; {count} fit again in {wait:.1f} s", "count")

    def charge_frame_bytes(self, size: int, per_second: float, max_bytes: int) -> None:
        """Refuse a relayed frame beyond ``per_second`` bytes a second (a burst of two seconds' worth, at
        least one frame of ``max_bytes``)."""
        if self._frame_byte_budget is None:
            burst = max(2 * per_second, max_bytes)
            self._frame_byte_budget = TokenBucket(per_second, burst, self._clock)
        if not self._frame_byte_budget.take(size):
            raise LimitReached(f"frames may bring at most {per_second:g} bytes a second; send fewer", "frame")

    def charge_export(self) -> None:
        """Refuse a weights download beyond this session's downloads a second."""
        if not self._export_budget.take():
            text = f"at most {EXPORTS_PER_S:g} weight downloads a second per session; try again"
            raise LimitReached(text, retry_after=math.ceil(self._export_budget.wait_s()))

    async def run(self, method: Callable[..., Any], *args: Any) -> Any:
        """Run one of this session's methods on its worker; errors arrive as NnliveError."""
        self._commanded = self._clock()
        try:
            return await self.worker.call(method, *args)
        except WorkerBusy as exc:
            raise Busy(str(exc)) from None
        except WorkerClosed:
            raise NotFound(f"session {self.id!r} has ended") from None
        except ParamError as exc:
            raise BadRequest(exc.message, exc.field) from None

    def close(self) -> None:
        """Stop the worker, then give up its training slot or place (the model goes with the session)."""
        self.worker.close()
        self._queue.leave(self.id)

    # -- worker-side methods (pass to ``run``) --------------------------------------------------

    def apply(self, message: InputMessage) -> None:
        """Give the model an input message (a drawing, a sample, a kernel…); answer with its frame."""
        if message.type not in self.spec.inputs:
            raise ParamError("type", f"model {self.spec.name!r} does not take {message.type!r} messages")
        if self.live.handle(message):  # the model started again (charrnn's new corpus)
            self._restart()
        self._publish_frame(message.id)

    def train(self) -> None:
        """Start training in the background, or wait in the training queue (``queued``) for a slot."""
        self._queue.enter(self.id, self._queue_moved)

    def pause(self) -> None:
        """Stop training (or waiting to); validate and show where it stopped."""
        self._queue.leave(self.id)
        self.worker.set_background(None)
        self.place = None
        if self.state == "queued":
            self.state = "paused"
        if self.state == "training":
            self.state = "paused"
            self._validate()
            self._publish_frame()
        self.publish_state()

    def step_batches(self, count: int) -> None:
        """Pause, then run ``count`` optimizer steps and show the result."""
        self.pause()
        for _ in range(count):
            self.live.train_step()
            self.step += 1
        self._validate()
        self._publish_frame()
        self.publish_state()

    def set_controls(self, values: Any) -> None:
        """Change live controls (validated against the catalog's bounds)."""
        changes = validate(self.spec.controls, values, "values", partial=True)
        self.live.set_controls(changes)
        self.controls = {**self.controls, **changes}
        self.publish_state()
        # A model that does not train shows its controls only through a new frame (dropout's p);
        # a training one shows them in its next frame anyway, unless they change what frames carry.
        if not self.spec.trains or changes.keys() & self.spec.optional_tensors.keys():
            self._publish_frame()

    def reset(self) -> None:
        """Back to the seed's initial weights, step 0, no history, paused."""
        self.live.reset()
        self._restart()
        self._publish_frame()

    def _restart(self) -> None:
        """Paused at step 0 with no history, and the model's facts (vocabulary, layers) read anew."""
        self._queue.leave(self.id)
        self.worker.set_background(None)
        self.state, self.step, self._val, self.place = "paused", 0, None, None
        self.train_history.clear()
        self.val_history.clear()
        self.facts = self.live.describe()
        self.publish_state()

    def footprint(self) -> int:
        """Bytes of the tensors this session's model holds (app/sessions/footprint.py says which)."""
        return tensor_bytes(self.live)

    def weights(self) -> bytes:
        """The current state_dict as safetensors bytes."""
        return self.live.export_weights()

    def progress(self) -> Progress:
        """The weights, step and curves now (between two training steps)."""
        histories = copy.deepcopy((self.train_history, self.val_history))
        return Progress(self.live.export_weights(), optimizer_state(self.live), self.step, *histories)

    def resume_from(self, start: Progress) -> None:
        """Carry on from another session's progress (a new session, before its first frame)."""
        self.step = start.step
        self.train_history, self.val_history = start.train_history, start.val_history
        last = start.val_history.points()[-1:]
        self._val = {"step": last[0][0], "loss": last[0][1], "acc": last[0][2]} if last else None

    # -- internals (worker thread) --------------------------------------------------------------

    def _queue_moved(self, place: int) -> None:
        """Train now (``place`` 0) or wait at ``place``; the queue calls it from any thread, locked."""
        if place:
            self.state, self.place = "queued", place
        else:
            self.state, self.place = "training", None
            self._last_val = time.monotonic()
            self.worker.set_background(self._training)
        self.publish_state()

    def _training(self) -> None:
        """One round of background training; a failure stops it, gives up the slot and says so."""
        try:
            self._tick()
        except Exception:
            self._queue.leave(self.id)
            self.state, self.place = "paused", None
            self.publish_state()
            raise  # the worker logs it and stops repeating

    def _tick(self) -> None:
        started = time.monotonic()
        self.live.train_step()
        self.step += 1
        paced = getattr(self.live, "step_interval", 0.0)  # a model watched step by step (/optim)
        if paced:
            time.sleep(max(0.0, started + paced - time.monotonic()))
        now = time.monotonic()
        if now - self._last_val >= VAL_INTERVAL:
            self._validate()
        cpu_since_frame = time.thread_time() - self._cpu_after_frame
        within_budget = paced or cpu_since_frame * self._frame_budget >= self._frame_cpu
        if within_budget and now - self._last_frame >= self._frame_interval:
            self._publish_frame()

    def _validate(self) -> None:
        metrics = self.live.evaluate()
        self._last_val = time.monotonic()
        if metrics is None:  # a model with nothing held out (/optim)
            return
        self._val = {"step": self.step, "loss": metrics.loss, "acc": metrics.acc}
        self.val_history.add(self.step, metrics.loss, metrics.acc)

    def _publish_frame(self, reply_to: Any = None) -> None:
        cpu_start = time.thread_time()
        running = self.live.take_running()
        train = None
        if running is not None:
            train = {"loss": running.loss, "acc": running.acc}
            if running.exploded:  # the page says: lower the learning rate or reset
                train["exploded"] = True
            self.train_history.add(self.step, running.loss, running.acc)
        grads = bool(self.controls.get("grads"))
        fields, tensors = self.live.frame(grads, PRECISIONS[self.precision])
        self._seq += 1
        header = {
            "type": "frame",
            "session": self.id,
            "seq": self._seq,
            "step": self.step,
            "reply_to": reply_to,
            "train": train,
            "val": self._val,
            "grads": grads,
            **fields,
        }
        self.last_frame = encode_frame(header, tensors)
        self._emit("frame", self.last_frame)
        self._last_frame = time.monotonic()
        self._cpu_after_frame = time.thread_time()
        self._frame_cpu = self._cpu_after_frame - cpu_start
