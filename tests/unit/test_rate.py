"""The token bucket behind the message and step rates."""

from app.rate import TokenBucket


def test_a_burst_then_the_rate():
    now = [0.0]
    bucket = TokenBucket(rate=10, burst=20, clock=lambda: now[0])
    assert bucket.take(20)
    assert not bucket.take(1)  # refused: nothing spent
    assert bucket.wait_s(5) == 0.5
    now[0] = 0.5
    assert bucket.take(5)
    assert not bucket.take(1)
    now[0] = 100.0  # saved-up tokens stop at the burst
    assert bucket.take(20)
    assert not bucket.take(1)
