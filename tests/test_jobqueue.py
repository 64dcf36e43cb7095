"""Starting the embedded Redis safely when two services share a jobs folder (issue 14, item 8)."""

from __future__ import annotations

import fcntl
import threading
import time

import pytest
from service.errors import QueueUnavailable
from service.stores import redis_server


@pytest.fixture
def held_lock(tmp_path):
    """Another service's hold on the folder: an flock on redis.lock from another open file."""
    lock = open(tmp_path / "redis.lock", "a+")
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    yield lock
    lock.close()


def start_in_thread(folder) -> tuple[threading.Thread, list]:
    outcome: list = []

    def start() -> None:
        try:
            outcome.append(redis_server._start_embedded(folder))
        except QueueUnavailable as error:
            outcome.append(error)

    thread = threading.Thread(target=start)
    thread.start()
    return thread, outcome


def test_a_second_service_waits_for_the_owners_url_instead_of_failing(tmp_path, held_lock, redis_url):
    thread, outcome = start_in_thread(tmp_path)
    time.sleep(0.3)  # the owner is still starting: no redis.url yet
    assert thread.is_alive()
    (tmp_path / "redis.url").write_text(redis_url + "\n")
    thread.join(10)
    [server] = outcome
    assert (server.url, server.process) == (redis_url, None)


def test_a_stale_url_of_a_dead_owner_is_never_used(tmp_path, held_lock, monkeypatch):
    monkeypatch.setattr(redis_server, "_START_SECONDS", 0.5)
    (tmp_path / "redis.url").write_text(f"unix://{tmp_path}/gone.sock?db=0\n")
    with pytest.raises(QueueUnavailable) as raised:
        redis_server._start_embedded(tmp_path)
    assert str(raised.value) == (f"another newsdesk service holds {tmp_path / 'redis.lock'} but its Redis does not "
                                 "answer; stop it, or give this one another NEWSDESK_JOBS_DIR")


def test_the_folder_is_taken_over_when_its_owner_lets_go_while_starting(tmp_path, held_lock):
    thread, outcome = start_in_thread(tmp_path)
    time.sleep(0.3)
    held_lock.close()  # the owner died before its Redis answered
    thread.join(15)
    [server] = outcome
    try:
        assert server.process is not None and server.running()
        assert (tmp_path / "redis.url").read_text().strip() == server.url
    finally:
        server.stop()


def test_a_failed_start_stops_its_server_and_lets_go_of_the_folder(tmp_path, monkeypatch):
    started = []
    spawn = redis_server._spawn_from_keeper_thread

    def spawn_and_note(command):
        started.append(spawn(command))
        return started[-1]

    monkeypatch.setattr(redis_server, "_spawn_from_keeper_thread", spawn_and_note)

    def never_answers(url, process, folder):
        raise QueueUnavailable("the embedded Redis did not start (test)")

    monkeypatch.setattr(redis_server, "_wait_until_answering", never_answers)
    with pytest.raises(QueueUnavailable):
        redis_server._start_embedded(tmp_path)
    started[0].wait(10)
    assert started[0].poll() is not None  # the server was stopped
    assert not (tmp_path / "redis.url").exists()
    with open(tmp_path / "redis.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again: raises if still held
