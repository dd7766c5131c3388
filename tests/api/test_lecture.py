"""A lecture: the driver's page state reaches every viewer, late joiners included; viewers can't send it."""

from collections.abc import Callable

from api.helpers import Socket

OpenSocket = Callable[..., Socket]
VIEW = {"layer": "c3", "grads": True, "cell": [2, 1], "tab": "head"}


def test_the_drivers_view_reaches_viewers_and_late_joiners(session: dict, open_socket: OpenSocket):
    driver, viewer = open_socket(session, drive=True), open_socket(session)
    viewer.wait("hello")
    driver.send({"type": "view", "state": VIEW})
    assert viewer.wait("view") == {"type": "view", "state": VIEW}
    late = open_socket(session)
    assert late.wait("view") == {"type": "view", "state": VIEW}
    newer = {**VIEW, "layer": "s4"}
    driver.send({"type": "view", "state": newer})
    assert late.wait("view")["state"] == newer


def test_a_viewer_cannot_steer_the_others(session: dict, open_socket: OpenSocket):
    viewer, other = open_socket(session), open_socket(session)
    reply = viewer.call("view", state={"layer": "c1"})
    assert (reply["type"], reply["code"]) == ("error", "forbidden")
    other.assert_alive()
    assert all(m.get("type") != "view" for m in other._unread if isinstance(m, dict))


def test_an_oversized_view_is_refused_and_the_driver_carries_on(session: dict, open_socket: OpenSocket):
    driver = open_socket(session, drive=True)
    reply = driver.call("view", state={"blob": "x" * 20_000})
    assert (reply["code"], reply["field"]) == ("limit", "state")
    driver.assert_alive()
