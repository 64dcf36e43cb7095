"""Sentences of concurrent requests share CTranslate2 batches, and each request still gets exactly its own."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from service import translation
from service.errors import TimedOut
from service.translation.batching import Batcher, LaneCount, deal_by_length


class SlowModel:
    """Decodes by upper-casing, taking ``seconds`` for the groups it is given at once (one per
    lane, as the replicas would); records each group as a batch, and each call's groups."""

    def __init__(self, seconds: float = 0.05, fail_on: str | None = None):
        self.seconds, self.fail_on = seconds, fail_on
        self.batches: list[list[str]] = []
        self.calls: list[list[list[str]]] = []
        self.lock = threading.Lock()

    def __call__(self, groups: list[list[list[str]]]) -> list[list[str]]:
        with self.lock:
            self.batches += [[" ".join(part) for part in group] for group in groups]
            self.calls.append([[" ".join(part) for part in group] for group in groups])
        time.sleep(self.seconds)
        if self.fail_on and any(self.fail_on in part for group in groups for part in group):
            raise RuntimeError("the model broke")
        return [[" ".join(part).upper() for part in group] for group in groups]


def _timed_out() -> TimedOut:
    return TimedOut("past the deadline")


def test_a_lone_request_is_decoded_at_once_as_its_own_batch():
    model = SlowModel(seconds=0)
    batcher = Batcher(model, max_parts=64, wait=0.0)
    assert batcher.decode([["a", "b"], ["c"]], deadline=None, timed_out=_timed_out) == ["A B", "C"]
    assert model.batches == [["a b", "c"]]


def test_requests_arriving_while_the_model_is_busy_share_the_next_batch_and_get_their_own_results():
    model = SlowModel(seconds=0.2)
    batcher = Batcher(model, max_parts=64, wait=0.0)
    words = [f"word{number}" for number in range(16)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        first = pool.submit(batcher.decode, [["first"]], deadline=None, timed_out=_timed_out)
        time.sleep(0.05)  # the first batch is being decoded: the others queue up behind it
        rest = [pool.submit(batcher.decode, [[word], [word, "again"]], deadline=None, timed_out=_timed_out)
                for word in words]
        assert first.result() == ["FIRST"]
        assert [future.result() for future in rest] == [[word.upper(), f"{word.upper()} AGAIN"] for word in words]
    assert model.batches[0] == ["first"]
    assert len(model.batches) == 2 and len(model.batches[1]) == 32  # all sixteen in one batch


def test_a_batch_holds_at_most_max_parts():
    model = SlowModel(seconds=0.1)
    batcher = Batcher(model, max_parts=4, wait=0.0)
    with ThreadPoolExecutor(max_workers=8) as pool:
        busy = pool.submit(batcher.decode, [["x"]], deadline=None, timed_out=_timed_out)
        time.sleep(0.03)
        waiting = [pool.submit(batcher.decode, [[str(n)], [str(n)]], deadline=None, timed_out=_timed_out)
                   for n in range(5)]
        busy.result()
        assert [future.result() for future in waiting] == [[str(n), str(n)] for n in range(5)]
    assert [len(batch) for batch in model.batches] == [1, 4, 4, 2]


def test_a_request_past_its_deadline_stops_waiting_while_the_others_finish():
    model = SlowModel(seconds=0.3)
    batcher = Batcher(model, max_parts=64, wait=0.0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        busy = pool.submit(batcher.decode, [["busy"]], deadline=None, timed_out=_timed_out)
        time.sleep(0.05)
        hurried = pool.submit(batcher.decode, [["hurried"]], deadline=time.monotonic() + 0.05, timed_out=_timed_out)
        patient = pool.submit(batcher.decode, [["patient"]], deadline=time.monotonic() + 10, timed_out=_timed_out)
        with pytest.raises(TimedOut, match="past the deadline"):
            hurried.result()
        assert busy.result() == ["BUSY"] and patient.result() == ["PATIENT"]
    assert model.batches == [["busy"], ["patient"]]  # the hurried one left the queue: nobody decoded it


def test_a_model_error_reaches_every_request_of_that_batch_and_the_next_batch_works():
    model = SlowModel(seconds=0.1, fail_on="bad")
    batcher = Batcher(model, max_parts=64, wait=0.0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        busy = pool.submit(batcher.decode, [["fine"]], deadline=None, timed_out=_timed_out)
        time.sleep(0.03)
        together = [pool.submit(batcher.decode, [[word]], deadline=None, timed_out=_timed_out) for word in ("bad", "ok")]
        assert busy.result() == ["FINE"]
        for future in together:
            with pytest.raises(RuntimeError, match="the model broke"):
                future.result()
    assert batcher.decode([["later"]], deadline=None, timed_out=_timed_out) == ["LATER"]


def test_after_a_shared_batch_the_next_one_waits_briefly_for_those_clients_to_come_back():
    model = SlowModel(seconds=0.1)
    batcher = Batcher(model, max_parts=64, wait=0.3)
    words = ("one", "two", "three")
    with ThreadPoolExecutor(max_workers=4) as pool:
        busy = pool.submit(batcher.decode, [["busy"]], deadline=None, timed_out=_timed_out)
        time.sleep(0.03)
        first = [pool.submit(batcher.decode, [[word]], deadline=None, timed_out=_timed_out) for word in words]
        assert busy.result() == ["BUSY"] and [future.result() for future in first] == [["ONE"], ["TWO"], ["THREE"]]
        # The three clients send again, one after another, to an idle pack: one batch, not three.
        again = []
        for word in words:
            again.append(pool.submit(batcher.decode, [[word]], deadline=None, timed_out=_timed_out))
            time.sleep(0.03)
        assert [future.result() for future in again] == [["ONE"], ["TWO"], ["THREE"]]
    assert model.batches == [["busy"], ["one", "two", "three"], ["one", "two", "three"]]


def test_with_two_lanes_clients_that_send_again_at_once_share_them_evenly():
    """Eight clients on two lanes: batches of about four each, not one of 1 beside one of 7
    (issue 33: a lane that counted only its own last batch kept decoding a lone client)."""
    model = SlowModel(seconds=0.05)
    batcher = Batcher(model, max_parts=64, wait=0.5, lanes=2)

    def client(number: int) -> list[list[str]]:
        return [batcher.decode([[f"c{number}r{rounds}"]], deadline=None, timed_out=_timed_out)
                for rounds in range(10)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(client, range(8)))
    assert answers == [[[f"C{number}R{rounds}"] for rounds in range(10)] for number in range(8)]
    commonest = Counter(len(batch) for batch in model.batches).most_common(1)[0][0]
    assert commonest in (3, 4)  # a lane's share, give or take a client whose answer is on its way


def test_a_lone_client_never_waits_for_company():
    model = SlowModel(seconds=0)
    batcher = Batcher(model, max_parts=64, wait=5.0)
    started = time.monotonic()
    for word in ("one", "two", "three"):
        assert batcher.decode([[word]], deadline=None, timed_out=_timed_out) == [word.upper()]
    assert time.monotonic() - started < 2.5  # well under one wait window, let alone three
    assert model.batches == [["one"], ["two"], ["three"]]


# --- through the real packs -------------------------------------------------------------

def test_many_threads_on_mixed_pairs_each_get_exactly_their_own_translations(settings, install):
    from dataclasses import replace

    install("en_de", "en_ar", "en_ru")
    uncached = replace(settings, cache_sentences=0)  # every sentence goes to the model
    jobs = [(f"Sentence number {n} about the harbour.", ("de", "ar", "ru")[n % 3]) for n in range(48)]

    def one(job):
        text, target = job
        return translation.translate([text, f"{text} Again."], "en", target, uncached)

    with ThreadPoolExecutor(max_workers=24) as pool:
        got = list(pool.map(one, jobs))
    assert got == [[f"<{target}> {text}", f"<{target}> {text} Again."] for text, target in jobs]


def test_with_two_lanes_two_batches_decode_at_once_and_each_request_gets_its_own():
    """inter_threads=2: two replicas, so a second batch starts while the first decodes."""
    inside, both_inside = [0], threading.Event()
    lock = threading.Lock()

    def model(groups: list[list[list[str]]]) -> list[list[str]]:
        with lock:
            inside[0] += 1
            if inside[0] == 2:
                both_inside.set()
        both_inside.wait(timeout=5)  # with one lane the second batch never comes: this times out
        with lock:
            inside[0] -= 1
        return [[" ".join(part).upper() for part in group] for group in groups]

    batcher = Batcher(model, max_parts=64, wait=0.0, lanes=2)
    words = [f"word{number}" for number in range(8)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(batcher.decode, [["first"]], deadline=None, timed_out=_timed_out)
        time.sleep(0.05)
        rest = [pool.submit(batcher.decode, [[word]], deadline=None, timed_out=_timed_out) for word in words]
        assert first.result() == ["FIRST"]
        assert [future.result() for future in rest] == [[word.upper()] for word in words]
    assert both_inside.is_set() and time.monotonic() - started < 4


def test_with_one_lane_a_second_batch_waits_for_the_first():
    model = SlowModel(seconds=0.1)
    running, most = [0], [0]
    lock = threading.Lock()

    def counted(parts):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return model(parts)
        finally:
            with lock:
                running[0] -= 1

    batcher = Batcher(counted, max_parts=64, wait=0.0, lanes=1)
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(batcher.decode, [[f"w{number}"]], deadline=None, timed_out=_timed_out)
                   for number in range(8)]
        assert [future.result() for future in futures] == [[f"W{number}"] for number in range(8)]
    assert most[0] == 1


# --- a batch dealt over the idle lanes (issue 33) ---------------------------------------

def _parts(*lengths: int) -> list[list[str]]:
    """Parts of these lengths, each piece naming its part: _parts(2, 1) == [["p0", "p0"], ["p1"]]."""
    return [[f"p{number}"] * length for number, length in enumerate(lengths)]


def _joined(parts: list[list[str]], *indices: int) -> list[str]:
    return [" ".join(parts[index]) for index in indices]


@pytest.mark.parametrize("lengths, groups, dealt", [
    ([5, 1, 4, 2, 3, 6], 2, [[3, 4, 5], [0, 1, 2]]),  # 2 + 3 + 6 pieces against 5 + 1 + 4
    ([7, 7, 7, 7], 2, [[0, 3], [1, 2]]),
    ([9, 1, 8, 2, 7, 3, 6], 3, [[0, 1, 3], [2, 5], [4, 6]]),  # 12, 11 and 13 pieces
    ([4, 2], 4, [[0], [1]]),  # never an empty group
    ([4, 2, 3], 1, [[0, 1, 2]]),
], ids=["two-groups", "equal-lengths", "three-groups", "fewer-parts-than-groups", "one-group"])
def test_deal_by_length_gives_each_group_a_similar_share_of_the_pieces(lengths, groups, dealt):
    assert deal_by_length(lengths, groups=groups) == dealt


def test_a_lone_request_is_dealt_over_every_idle_lane_and_answered_in_its_own_order():
    model = SlowModel(seconds=0)
    batcher = Batcher(model, max_parts=64, wait=0.05, lanes=2)
    parts = _parts(5, 1, 4, 2, 3, 6)
    assert batcher.decode(parts, deadline=None, timed_out=_timed_out) == [" ".join(part).upper() for part in parts]
    assert model.calls == [[_joined(parts, 3, 4, 5), _joined(parts, 0, 1, 2)]]  # two groups at once


def test_a_dealt_batch_holds_its_lanes_and_the_requests_arriving_meanwhile_share_the_next_batch_undealt():
    """Many small requests keep sharing one batch as before: a batch of several requests is not
    dealt, so the next one gathers while it decodes (bench/serve_bench.py's small requests)."""
    model = SlowModel(seconds=0.2)
    batcher = Batcher(model, max_parts=64, wait=0.0, lanes=2)
    words = [f"word{number}" for number in range(8)]
    with ThreadPoolExecutor(max_workers=9) as pool:
        first = pool.submit(batcher.decode, [["long", "one"], ["short"]], deadline=None, timed_out=_timed_out)
        time.sleep(0.05)  # both lanes decode the first request: the others wait, with no lane of their own
        rest = [pool.submit(batcher.decode, [[word]], deadline=None, timed_out=_timed_out) for word in words]
        assert first.result() == ["LONG ONE", "SHORT"]
        assert [future.result() for future in rest] == [[word.upper()] for word in words]
    assert model.calls[0] == [["long one"], ["short"]]
    assert [[sorted(group) for group in call] for call in model.calls[1:]] == [[sorted(words)]]


def test_a_batch_that_finds_the_other_lanes_busy_is_not_dealt():
    model = SlowModel(seconds=0.2)
    batcher = Batcher(model, max_parts=64, wait=0.0, lanes=2)
    parts = _parts(3, 1, 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        busy = pool.submit(batcher.decode, [["busy"]], deadline=None, timed_out=_timed_out)  # one part: one lane
        time.sleep(0.05)
        article = pool.submit(batcher.decode, parts, deadline=None, timed_out=_timed_out)
        assert busy.result() == ["BUSY"]
        assert article.result() == [" ".join(part).upper() for part in parts]
    assert model.calls == [[["busy"]], [_joined(parts, 0, 1, 2)]]


def test_without_shared_batches_each_request_is_a_batch_and_only_a_lone_one_is_dealt():
    model = SlowModel(seconds=0.2)
    batcher = Batcher(model, max_parts=64, wait=0.0, lanes=2, shared=False)
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(batcher.decode, [["a"], ["b"]], deadline=None, timed_out=_timed_out)
        time.sleep(0.05)
        others = [pool.submit(batcher.decode, [[f"{name}1"], [f"{name}2"]], deadline=None, timed_out=_timed_out)
                  for name in ("x", "y")]
        assert first.result() == ["A", "B"]
        assert [future.result() for future in others] == [["X1", "X2"], ["Y1", "Y2"]]
    assert model.calls[0] == [["a"], ["b"]]  # alone on an idle pack: over both lanes
    # Then one batch each (not shared), neither dealt: the other was waiting, then busy.
    assert sorted(model.calls[1:]) == [[["x1", "x2"]], [["y1", "y2"]]]


def test_a_request_past_its_deadline_while_a_dealt_batch_holds_every_lane_stops_waiting():
    model = SlowModel(seconds=0.3)
    batcher = Batcher(model, max_parts=64, wait=0.0, lanes=2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        busy = pool.submit(batcher.decode, [["a"], ["b"]], deadline=None, timed_out=_timed_out)
        time.sleep(0.05)
        hurried = pool.submit(batcher.decode, [["hurried"]], deadline=time.monotonic() + 0.05, timed_out=_timed_out)
        with pytest.raises(TimedOut, match="past the deadline"):
            hurried.result()
        assert busy.result() == ["A", "B"]
    assert model.calls == [[["a"], ["b"]]]  # the second lane was the dealt batch's: nobody decoded the hurried one


def test_a_model_error_in_a_dealt_batch_reaches_its_request_and_frees_every_lane():
    model = SlowModel(seconds=0, fail_on="bad")
    batcher = Batcher(model, max_parts=64, wait=0.0, lanes=2)
    with pytest.raises(RuntimeError, match="the model broke"):
        batcher.decode([["bad"], ["ok"]], deadline=None, timed_out=_timed_out)
    assert batcher.decode([["later"], ["again"]], deadline=None, timed_out=_timed_out) == ["LATER", "AGAIN"]
    assert model.calls[-1] == [["later"], ["again"]]  # both lanes idle again: dealt over both


def test_a_lone_request_is_not_dealt_over_a_lane_another_packs_batch_keeps_busy():
    """Every pack's batchers share the process's count of busy lanes: their replicas share the cores."""
    busy = LaneCount()
    other_model, model = SlowModel(seconds=0.2), SlowModel(seconds=0)
    other_pack = Batcher(other_model, max_parts=64, wait=0.0, lanes=2, busy=busy)
    batcher = Batcher(model, max_parts=64, wait=0.0, lanes=2, busy=busy)
    parts = _parts(2, 1, 3)
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(other_pack.decode, [["other"]], deadline=None, timed_out=_timed_out)  # one lane
        time.sleep(0.05)
        assert batcher.decode(parts, deadline=None, timed_out=_timed_out) == [" ".join(part).upper() for part in parts]
        assert other.result() == ["OTHER"]
    assert batcher.decode(parts, deadline=None, timed_out=_timed_out) == [" ".join(part).upper() for part in parts]
    # One lane was free while the other pack decoded: one group; then both: two.
    assert model.calls == [[_joined(parts, 0, 1, 2)], [_joined(parts, 2), _joined(parts, 0, 1)]]


def test_a_lane_count_grants_what_is_idle_and_always_one():
    busy = LaneCount()
    assert [busy.take(3, of=2), busy.take(2, of=2)] == [2, 1]  # a batch runs even when none is idle
    busy.give(3)
    assert busy.take(2, of=2) == 2
