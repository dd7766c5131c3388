"""The curves' JSON is made once per change and spliced into every joiner's ``hello``."""

import json
import math

from app.protocol.server import Hello
from app.sessions.history import History


def test_the_encoded_curve_is_shared_until_a_point_is_added_or_cleared():
    history = History()
    history.add(1, 2.5, 0.25)
    first = history.encoded()
    assert history.encoded() is first  # no change: the same bytes, not made again
    history.add(2, math.nan, 0.5)
    assert json.loads(history.encoded()) == {"step": [1, 2], "loss": [2.5, None], "acc": [0.25, 0.5]}
    history.clear()
    assert json.loads(history.encoded()) == {"step": [], "loss": [], "acc": []}


def test_a_hello_with_encoded_curves_is_the_json_of_the_whole_hello():
    train, val = History(), History()
    train.add(3, 0.75, 0.5)
    val.add(3, 0.5, 0.625)
    session = {"id": "s1", "step": 3, "viewers": 2}
    spliced = Hello.with_curves(2, session, {"train": train.encoded(), "val": val.encoded()})
    whole = Hello(protocol=2, session=session, history={"train": train.columns(), "val": val.columns()})
    assert spliced.encoded == whole.encoded
    assert json.loads(spliced.encoded)["history"]["val"]["acc"] == [0.625]
