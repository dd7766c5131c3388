"""Lecture rooms keep only their presenter key's and invites' hashes, and a snapshot's room comes back under
its id with its invites."""

import pytest

from app.errors import Forbidden, NotFound
from app.sessions.lectures import Lectures, hash_key


def test_a_room_keeps_its_keys_hash_and_a_restored_room_answers_the_same_key():
    rooms = Lectures()
    room, key = rooms.open("s1")
    saved = rooms.saved(room, "s1")
    assert saved == {"room": room, "key_sha256": hash_key(key), "invites": {}}
    assert key not in str(saved)
    assert rooms.saved(room, "other") is None  # a session the room no longer shows keeps no room

    restarted = Lectures()
    assert restarted.reopen(saved, "s1") == room
    assert restarted.authorize(room, key) == "s1"
    assert restarted.key(room) is None  # the key itself never came back
    with pytest.raises(Forbidden):
        restarted.authorize(room, key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert restarted.reopen(saved, "s2") is None  # taken: the other session gets a room of its own
    assert restarted.current(room) == "s1"


@pytest.mark.parametrize("saved", [None, "room", {"room": 3, "key_sha256": "x"}, {"room": "r"}, []])
def test_a_malformed_saved_room_is_not_reopened(saved):
    rooms = Lectures()
    assert rooms.reopen(saved, "s1") is None
    with pytest.raises(NotFound):
        rooms.current("r")


def test_an_invite_claims_until_revoked_and_survives_a_restart_as_a_hash():
    rooms = Lectures()
    room, key = rooms.open("s1")
    invite, invite_key = rooms.invite(room, key)
    assert rooms.authorize(room, invite_key) == "s1"
    with pytest.raises(Forbidden):
        rooms.invite(room, invite_key)  # only the owner's key invites
    saved = rooms.saved(room, "s1")
    assert saved is not None
    assert saved["invites"] == {invite: hash_key(invite_key)}
    assert invite_key not in str(saved)

    restarted = Lectures()
    restarted.reopen(saved, "s1")
    assert restarted.authorize(room, invite_key) == "s1"
    with pytest.raises(Forbidden):
        restarted.revoke(room, invite_key, invite)
    restarted.revoke(room, key, invite)
    with pytest.raises(Forbidden):
        restarted.authorize(room, invite_key)
    assert restarted.authorize(room, key) == "s1"  # the owner's key stays
    with pytest.raises(NotFound):
        restarted.revoke(room, key, invite)
