"""A downstream consumer that has none of CareerStream's code: Apache's `avro` package, the schemas
published at `GET /schemas/{fingerprint}`, and the CloudEvents headers on each record."""

from __future__ import annotations

import asyncio
import io
import json

import avro.io
import avro.schema
from confluent_kafka import Consumer, KafkaError, TopicPartition
from fastapi.testclient import TestClient
from psycopg_pool import ConnectionPool

from kernel.config import Settings
from schemas.catalog import TOPIC_PARTITIONS, load_catalog, topic_name
from schemas.events import new_event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.producer import EventProducer
from streams.topics import ensure_topics
from tests.conftest import record_headers
from tests.test_serde import sample_payload


def publish_one_of_each(s: Settings) -> dict[str, str]:
    """One event of every type; returns event_id -> event type."""
    pool = ConnectionPool(s.database_url, min_size=1, max_size=2, open=True)
    producer = EventProducer(
        s.kafka_bootstrap_servers, EventSerde(PostgresKeyStore(pool, s.master_key_bytes())), s.topic_prefix
    )
    events = [
        new_event(name, f"subject-{i}", sample_payload(name), producer="test")
        for i, name in enumerate(sorted(load_catalog().by_name))
    ]
    asyncio.run(producer.publish_many(events))
    producer.close()
    pool.close()
    return {e.event_id: e.event_type for e in events}


def read_topics(s: Settings) -> list[tuple[bytes | None, bytes, dict[str, bytes]]]:
    consumer = Consumer(
        {
            "bootstrap.servers": s.kafka_bootstrap_servers,
            "group.id": "contract-test",
            "enable.partition.eof": True,
        }
    )
    out = []
    try:
        # Every partition that holds records, assigned at once (one at a time, each waited for its own
        # fetch: 27 s), read until each has reported its end.
        assigned = []
        for logical, partitions in TOPIC_PARTITIONS.items():
            for partition in range(partitions):
                tp = TopicPartition(topic_name(s.topic_prefix, logical), partition, 0)
                low, high = consumer.get_watermark_offsets(tp, timeout=10)
                if high > low:
                    assigned.append(tp)
        consumer.assign(assigned)
        at_end: set[tuple[str, int]] = set()
        while len(at_end) < len(assigned):
            msg = consumer.poll(10)
            assert msg is not None, f"no record nor end within 10 s; at the end: {sorted(at_end)}"
            if (error := msg.error()) is not None:
                assert error.code() == KafkaError._PARTITION_EOF, error
                at_end.add((msg.topic() or "", msg.partition() or 0))
                continue
            out.append((msg.key(), msg.value() or b"", record_headers(msg)))
    finally:
        consumer.close()
    return out


def test_every_topic_decodes_with_apache_avro_and_the_published_schemas(
    settings: Settings, client: TestClient, auth
) -> None:  # type: ignore[no-untyped-def]
    s = settings.model_copy(update={"topic_prefix": settings.topic_prefix + "-contract"})
    ensure_topics(s.kafka_bootstrap_servers, s.topic_prefix)
    published = publish_one_of_each(s)

    readers: dict[bytes, avro.schema.Schema] = {}
    records = read_topics(s)
    assert len(records) == len(published)
    seen = {}
    for key, value, headers in records:
        assert value[:2] == b"\xc3\x01"  # single-object encoding
        fingerprint = value[2:10]
        if fingerprint not in readers:
            r = client.get(f"/schemas/{fingerprint.hex()}", headers=auth("consumer", "service"))
            assert r.status_code == 200, r.text
            readers[fingerprint] = avro.schema.parse(json.dumps(r.json()))
        record = avro.io.DatumReader(readers[fingerprint]).read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))
        assert isinstance(record, dict)  # an Avro record reads as a dict
        event_type = record["event_type"]
        assert published[record["event_id"]] == event_type
        assert key == record["subject_id"].encode()
        # CloudEvents binary mode: the headers say the same as the body, so routing needs no decode.
        assert headers["ce_specversion"] == b"1.0"
        assert headers["ce_id"].decode() == record["event_id"]
        assert headers["ce_type"].decode() == f"io.careerstream.events.{event_type}"
        assert headers["ce_source"] == b"/careerstream/test"
        assert headers["ce_subject"].decode() == record["subject_id"]
        assert headers["ce_time"].decode().startswith(record["occurred_at"].strftime("%Y-%m-%dT%H:%M:%S"))
        content_type = headers["content-type"].decode()
        assert content_type.startswith("application/avro;")
        assert f'fingerprint="{fingerprint.hex()}"' in content_type
        assert f'schema="io.careerstream.events.{event_type}"' in content_type
        seen[event_type] = record
    assert set(seen) == set(load_catalog().by_name)
