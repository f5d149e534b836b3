"""Watermark reads ride out a partition's leader moving (CI saw NOT_LEADER_FOR_PARTITION just after a
broker was SIGKILLed and restarted) and raise any other error at once."""

from __future__ import annotations

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from streams.log_reader import _watermarks


class AnswersAfterErrors:
    """Stands in for a consumer's watermark call only: the retry, not the broker, is under test."""

    def __init__(self, errors: list[int]) -> None:
        self.errors = errors
        self.calls = 0

    def get_watermark_offsets(self, tp: TopicPartition, timeout: float) -> tuple[int, int]:
        self.calls += 1
        if self.errors:
            raise KafkaException(KafkaError(self.errors.pop(0)))
        return (3, 17)


def test_a_moving_leader_is_asked_again() -> None:
    consumer = AnswersAfterErrors([KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE])
    assert _watermarks(consumer, "t", 0) == (3, 17)  # type: ignore[arg-type]
    assert consumer.calls == 3


def test_other_errors_are_raised_at_once() -> None:
    consumer = AnswersAfterErrors([KafkaError.TOPIC_AUTHORIZATION_FAILED])
    with pytest.raises(KafkaException) as raised:
        _watermarks(consumer, "t", 0)  # type: ignore[arg-type]
    assert raised.value.args[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    assert consumer.calls == 1
