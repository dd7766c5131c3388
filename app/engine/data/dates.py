"""Dates written the many ways people write them, one alone or two in a row with the one to translate
named at the end ("3 May 1999 and 05.06.2007, the second"), paired with its ISO form: a
translation task made on the spot (nothing downloaded), characters in and characters out.

Longer texts hold more dates, and which one is wanted comes last: a decoder that only gets the encoder's
final state must carry every date to the end, so it fails more the longer the text; one that attends
looks back at the date the last word names.

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


LISTED = (0, 2, 4, 5, 9, 11, 12)  # the compact formats (up to 11 characters) that texts list dates in
ORDINALS = ("first", "second")
MOST_DATES = len(ORDINALS)  # a text lists 1 to MOST_DATES dates


def listed_text(days: list[dt.date], formats: list[Callable[[dt.date], str]], pick: int) -> str:
    """One date alone, or more joined by "and" with the one to translate named at the end:
    "3 May 1999 and 05.06.2007, the second"."""
    dates = " and ".join(fmt(day) for day, fmt in zip(days, formats, strict=True))
    return dates if len(days) == 1 else f"{dates}, the {ORDINALS[pick]}"


def looks_learned(text: str) -> bool:
    """Whether a text has the shape of the training texts: a day in digits (every format writes one),
    and when it lists several dates, a last word that names one of them."""
    if not any(ch.isdigit() for ch in text):
        return False
    dates = text.split(", the ", maxsplit=1)[0].split(" and ")
    if len(dates) == 1:
        return ", the " not in text
    return len(dates) <= MOST_DATES and any(text.endswith(f", the {word}") for word in ORDINALS)


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
    """``count`` examples: 1 to MOST_DATES days from ``days`` in listed formats, and which one is the
    target, all drawn seeded."""
    rng = random.Random(seed)
    texts, targets = [], []
    for _ in range(count):
        k = rng.randint(1, MOST_DATES)
        chosen = [rng.choice(days) for _ in range(k)]
        pick = rng.randrange(k)
        texts.append(listed_text(chosen, [FORMATS[rng.choice(LISTED)] for _ in range(k)], pick))
        targets.append(chosen[pick])
    longest = max(len(t) for t in texts)
    x = torch.tensor([encode_input(t) + [PAD] * (longest - len(t)) for t in texts])
    y = torch.tensor([[OUTPUT_CHARS.index(ch) for ch in iso(day)] for day in targets])
    lengths = torch.tensor([len(t) for t in texts])
    return DatePairs(x, lengths, y, tuple(texts))
