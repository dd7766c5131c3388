"""Dates written the many ways people write them, often inside a sentence, paired with their ISO form: a
translation task made on the spot (nothing downloaded), characters in and characters out.

The sentence around a date makes inputs long (up to MAX_INPUT characters) and puts words after the date,
so a decoder that only gets the encoder's final state must carry the date through them; one that
attends can look back at it.

The split is by date: a seeded tenth of the days in the range are held out, so every validation date
is one the model never saw in training, in any format.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

import torch

FIRST, LAST = dt.date(1950, 1, 1), dt.date(2049, 12, 31)  # two-digit years: 50–99 → 19xx, 00–49 → 20xx
INPUT_CHARS = " ,./-0123456789" + "abcdefghijklmnopqrstuvwxyz" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PAD = 0  # input id 0 pads; character k of INPUT_CHARS is id k + 1
OUTPUT_CHARS = "0123456789-"
START = len(OUTPUT_CHARS)  # the decoder's first input, not a character it can write
OUTPUT_LENGTH = 10  # YYYY-MM-DD
MAX_INPUT = 100  # the longest text a model takes
HELD_OUT = 0.1

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def ordinal(day: int) -> str:
    """1 → 1st, 2 → 2nd, 11 → 11th, 23 → 23rd."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _month(d: dt.date) -> str:
    return MONTHS[d.month - 1]


def _weekday(d: dt.date) -> str:
    return WEEKDAYS[d.weekday()]


FORMATS: tuple[Callable[[dt.date], str], ...] = (
    lambda d: f"{d.day} {_month(d)[:3]} {d.year}",  # 27 Nov 2026
    lambda d: f"{_month(d)} {d.day}, {d.year}",  # November 27, 2026
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",  # 27/11/26
    lambda d: f"{_weekday(d)} {ordinal(d.day)} of {_month(d)} {d.year}",  # Friday 27th of November 2026
    lambda d: f"{d.day}/{d.month}/{d.year}",  # 27/11/2026
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",  # 27.11.2026
    lambda d: f"{_weekday(d)[:3]}, {d.day} {_month(d)[:3]} {d.year}",  # Fri, 27 Nov 2026
    lambda d: f"{_weekday(d)}, {_month(d)} {d.day}, {d.year}".lower(),  # friday, november 27, 2026
    lambda d: f"{d.day} {_month(d).upper()} {d.year}",  # 27 NOVEMBER 2026
    lambda d: f"{_month(d)[:3]} {d.day} {d.year}",  # Nov 27 2026
    lambda d: f"{ordinal(d.day)} {_month(d)} {d.year}",  # 27th November 2026
    lambda d: f"{d.day} {_month(d).lower()[:3]} {d.year % 100:02d}",  # 27 nov 26
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}",  # 2026-11-27 (already ISO)
)


BEFORE = ("", "", "on ", "it was ", "we met on ", "the letter is dated ", "see you ")
AFTER = (
    "",
    "",
    " at noon",
    " in the morning",
    " was a rainy day",
    " is when the train left the old station",
    " and nobody there remembered what happened next",
)  # fmt: skip


def iso(d: dt.date) -> str:
    """The target: YYYY-MM-DD."""
    return d.isoformat()


def split_dates(seed: int) -> tuple[list[dt.date], list[dt.date]]:
    """Every day from FIRST to LAST, cut into (train, held-out) days by a seeded shuffle."""
    days = [FIRST + dt.timedelta(k) for k in range((LAST - FIRST).days + 1)]
    random.Random(seed).shuffle(days)
    cut = int(len(days) * HELD_OUT)
    return days[cut:], days[:cut]


@dataclass(frozen=True)
class DatePairs:
    """Padded character ids: inputs x (N, L) with lengths (N,), targets y (N, OUTPUT_LENGTH); the texts."""

    x: torch.Tensor
    lengths: torch.Tensor
    y: torch.Tensor
    texts: tuple[str, ...]

    def to(self, device: torch.device) -> "DatePairs":
        """The tensors on ``device`` (lengths stay on the CPU, as packing wants them)."""
        return DatePairs(self.x.to(device), self.lengths, self.y.to(device), self.texts)


def encode_input(text: str, field: str = "text") -> list[int]:
    """A text → input ids, or ValueError naming what is wrong (the caller names the field)."""
    unknown = sorted({ch for ch in text if ch not in INPUT_CHARS})
    if unknown:
        raise ValueError(f"unknown characters {''.join(unknown)!r}; only letters, digits and ' ,./-'")
    return [INPUT_CHARS.index(ch) + 1 for ch in text]


def decode_output(ids: list[int]) -> str:
    """Output ids → characters."""
    return "".join(OUTPUT_CHARS[i] for i in ids)


def make_pairs(days: list[dt.date], count: int, seed: int) -> DatePairs:
    """``count`` examples: a day from ``days``, a format, words before and after it, all drawn seeded."""
    rng = random.Random(seed)
    chosen = [(rng.choice(days), rng.choice(FORMATS)) for _ in range(count)]
    texts = tuple(f"{rng.choice(BEFORE)}{fmt(day)}{rng.choice(AFTER)}" for day, fmt in chosen)
    longest = max(len(t) for t in texts)
    x = torch.tensor([encode_input(t) + [PAD] * (longest - len(t)) for t in texts])
    y = torch.tensor([[OUTPUT_CHARS.index(ch) for ch in iso(day)] for day, _ in chosen])
    lengths = torch.tensor([len(t) for t in texts])
    return DatePairs(x, lengths, y, texts)
