"""GET /metrics: off by default, behind a token when one is set, Prometheus' text format that counts what was done."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_unless_asked_for(make_app):
    response = make_app().test_client().get("/metrics")
    assert response.status_code == 404
    assert response.get_json() == {"error": "metrics are off on this server: start it with NEWSDESK_METRICS=1 to "
                                            "serve them"}


def test_metrics_count_requests_sentences_cache_hits_and_batches(make_app, install, redis_url):
    install("en_de")
    client = make_app(metrics=True, redis_url=redis_url).test_client()
    before = _samples(client.get("/metrics").get_data(as_text=True))
    for _ in range(2):  # the second time from the sentence cache
        assert client.post("/translate", json={"q": "Ships sailed. Cranes stood still.", "source": "en",
                                               "target": "de"}).status_code == 200
    assert client.post("/translate", json={"q": "x", "source": "en", "target": "zz"}).status_code == 400
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    after = _samples(response.get_data(as_text=True))

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("newsdesk_requests_total", route="/translate", method="POST", status="200") == 2
    assert grew("newsdesk_requests_total", route="/translate", method="POST", status="400") == 1
    assert grew("newsdesk_request_seconds_count", route="/translate") == 3
    assert grew("newsdesk_sentences_translated_total", source="en", target="de") == 2  # once each, then cached
    assert grew("newsdesk_sentence_cache_total", result="miss") == 2
    assert grew("newsdesk_sentence_cache_total", result="hit") == 2
    assert grew("newsdesk_batch_sentences_count") == 1 and grew("newsdesk_batch_sentences_sum") == 2
    assert grew("newsdesk_batch_requests_sum") == 1
    assert _value(after, "newsdesk_loaded_packs") >= 1
    assert _value(after, "newsdesk_worker_max_rss_bytes") > 10_000_000
    assert _value(after, "newsdesk_job_queue_depth") == 0


@pytest.mark.parametrize("header, status", [(None, 401), ("Bearer wrong", 401), ("Bearer s3cret", 200)],
                         ids=["none", "wrong", "right"])
def test_a_metrics_token_is_asked_for_when_set(make_app, header, status):
    client = make_app(metrics=True, metrics_token="s3cret", redis_url="redis://127.0.0.1:1/0").test_client()
    response = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert response.status_code == status
    if status == 401:
        assert response.get_json() == {"error": "this server's metrics need its token: send Authorization: Bearer "
                                                "NEWSDESK_METRICS_TOKEN"}


def test_with_api_keys_on_the_scraper_needs_the_token_not_a_key(make_app, tmp_path):
    client = make_app(metrics=True, api_keys=True, keys_db=tmp_path / "keys.sqlite3",
                      redis_url="redis://127.0.0.1:1/0").test_client()
    assert client.get("/metrics").status_code == 200


@pytest.mark.parametrize("extra, shown", [
    ({}, (1, 1, 1)),
    ({"inter_threads": 3, "intra_threads": 2}, (1, 3, 2)),
], ids=["from-the-cores", "set"])
def test_metrics_show_the_cores_and_each_packs_lanes_and_threads(make_app, monkeypatch, extra, shown):
    from service import machine

    monkeypatch.setattr(machine, "read_cores", lambda: machine.Cores(affinity=8, quota=1.5))
    client = make_app(metrics=True, redis_url="redis://127.0.0.1:1/0", **extra).test_client()
    samples = _samples(client.get("/metrics").get_data(as_text=True))
    assert tuple(_value(samples, name) for name in ("newsdesk_cores_usable", "newsdesk_lanes",
                                                     "newsdesk_intra_threads")) == shown
