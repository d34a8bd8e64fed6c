"""LedgerClient against an HTTP server on loopback that answers as scripted."""

from __future__ import annotations

import socket
import unittest
from typing import List

from agent_ledger import LedgerClient, LedgerError, __version__, attempted, executed
from tests.scripted_server import ScriptedServer, accept_all, refuse

TOOL = {"name": "refund_order", "riskLevel": "destructive"}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LedgerClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.sleeps: List[float] = []

    def client(self, url: str, **options: object) -> LedgerClient:
        return LedgerClient(url, "alk_ingest_test", sleep=self.sleeps.append, **options)  # type: ignore[arg-type]

    def test_should_post_a_batch_with_the_key_and_return_the_accepted_ids_when_answered_202(self) -> None:
        events = [attempted(tool=TOOL, session_id="s-1"), executed(action_id="a-1", session_id="s-1")]
        with ScriptedServer([accept_all]) as server:
            ids = self.client(server.url).send(events)
        self.assertEqual(ids, [e["eventId"] for e in events])
        body, headers = server.requests[0]
        self.assertEqual(body, {"events": events})
        self.assertEqual(headers["authorization"], "Bearer alk_ingest_test")
        self.assertEqual(headers["user-agent"], f"agent-ledger-python/{__version__}")

    def test_should_resend_the_same_event_ids_after_waiting_retry_after_when_answered_503(self) -> None:
        events = [attempted(tool=TOOL, session_id="s-2")]
        with ScriptedServer([refuse(503, "kafka_unavailable", {"retry-after": "2"}), accept_all]) as server:
            ids = self.client(server.url).send(events)
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(server.requests[0][0], server.requests[1][0])
        self.assertEqual(ids, [events[0]["eventId"]])
        self.assertEqual(self.sleeps, [2.0])

    def test_should_back_off_and_retry_when_answered_429_without_retry_after(self) -> None:
        with ScriptedServer([refuse(429, "rate_limited"), refuse(502, "bad_gateway"), accept_all]) as server:
            self.client(server.url, retry_base_delay=0.1).send([attempted(tool=TOOL, session_id="s")])
        self.assertEqual(len(server.requests), 3)
        self.assertEqual(len(self.sleeps), 2)
        self.assertTrue(0.05 <= self.sleeps[0] <= 0.1 and 0.1 <= self.sleeps[1] <= 0.2, self.sleeps)

    def test_should_raise_ledger_error_with_the_field_and_not_retry_when_answered_400(self) -> None:
        invalid = [{"field": "/events/0/tool/riskLevel", "code": "enum", "message": "riskLevel must be one of safe, moderate, destructive, critical"}]
        event = attempted(tool={"name": "x", "riskLevel": "dangerous"}, session_id="s")  # type: ignore[typeddict-item]
        with ScriptedServer([refuse(400, "validation_failed", errors=invalid)]) as server:
            with self.assertRaises(LedgerError) as caught:
                self.client(server.url).send([event])
        error = caught.exception
        self.assertEqual((error.status, error.code, error.field, error.attempts), (400, "validation_failed", "/events/0/tool/riskLevel", 1))
        self.assertEqual(error.fields[0].code, "enum")
        self.assertEqual(error.events, [event])
        self.assertFalse(error.retryable)
        self.assertEqual(len(server.requests), 1)

    def test_should_give_up_with_the_last_error_when_retries_are_exhausted(self) -> None:
        with ScriptedServer([refuse(503, "kafka_unavailable", {"retry-after": "120"})]) as server:
            with self.assertRaises(LedgerError) as caught:
                self.client(server.url, max_retries=2, max_retry_after=3).send([attempted(tool=TOOL, session_id="s")])
        self.assertEqual((caught.exception.code, caught.exception.status, caught.exception.attempts), ("kafka_unavailable", 503, 3))
        self.assertEqual(self.sleeps, [3, 3])

    def test_should_raise_network_error_after_retrying_when_nothing_listens(self) -> None:
        with self.assertRaises(LedgerError) as caught:
            self.client(f"http://127.0.0.1:{closed_port()}", max_retries=1).send([attempted(tool=TOOL, session_id="s")])
        self.assertEqual((caught.exception.code, caught.exception.status, caught.exception.attempts), ("network_error", None, 2))

    def test_should_split_into_requests_of_batch_size_in_order_when_given_many_events(self) -> None:
        events = [attempted(tool=TOOL, session_id="s", input={"n": n}) for n in range(5)]
        with ScriptedServer([accept_all]) as server:
            ids = self.client(server.url, batch_size=2).send(events)
        self.assertEqual([len(body["events"]) for body, _ in server.requests], [2, 2, 1])
        self.assertEqual(ids, [e["eventId"] for e in events])

    def test_should_keep_each_request_under_one_mebibyte_when_events_are_large(self) -> None:
        events = [attempted(tool=TOOL, session_id="s", input={"text": "x" * 200_000}) for _ in range(8)]
        with ScriptedServer([accept_all]) as server:
            self.client(server.url, batch_size=1000).send(events)
        self.assertGreater(len(server.requests), 1)
        self.assertEqual(sum(len(body["events"]) for body, _ in server.requests), 8)

    def test_should_refuse_a_batch_size_over_the_ingest_limit(self) -> None:
        with self.assertRaises(ValueError):
            LedgerClient("http://127.0.0.1:1", "k", batch_size=1001)


if __name__ == "__main__":
    unittest.main()
