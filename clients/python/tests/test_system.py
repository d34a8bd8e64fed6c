"""The client against a running ledger: ingest-api, audit-projector and audit-api.

Needs AGENT_LEDGER_INGEST_URL, AGENT_LEDGER_INGEST_KEY (scope ingest), AGENT_LEDGER_AUDIT_URL and
AGENT_LEDGER_READ_KEY (scope read) of one tenant; skipped without them. test/packages/
python-client.e2e-spec.ts boots the services, creates the tenant and runs these tests."""

from __future__ import annotations

import json
import os
import time
import unittest
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, List

from agent_ledger import LedgerClient, LedgerError, attempted, executed, signal
from tests.failing_proxy import FailingProxy

ENV = {name: os.environ.get(name, "") for name in ("AGENT_LEDGER_INGEST_URL", "AGENT_LEDGER_INGEST_KEY", "AGENT_LEDGER_AUDIT_URL", "AGENT_LEDGER_READ_KEY")}
TOOL = {"name": "refund_order", "provider": "shop", "riskLevel": "destructive"}
AGENT = {"id": "support-bot", "name": "Support bot"}


def stored_events(session_id: str) -> List[Dict[str, Any]]:
    """Every stored event of a session, through audit-api's GET /v1/events."""
    items: List[Dict[str, Any]] = []
    cursor = None
    while True:
        query = {"sessionId": session_id, "limit": "200", **({"cursor": cursor} if cursor else {})}
        request = urllib.request.Request(f"{ENV['AGENT_LEDGER_AUDIT_URL']}/v1/events?{urllib.parse.urlencode(query)}", headers={"authorization": f"Bearer {ENV['AGENT_LEDGER_READ_KEY']}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            page = json.load(response)
        items.extend(page["items"])
        cursor = page.get("nextCursor")
        if not cursor:
            return items


def wait_for_stored(session_id: str, event_ids: List[str], timeout: float = 60.0) -> List[Dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        items = stored_events(session_id)
        if set(event_ids) <= {item["eventId"] for item in items}:
            return items
        if time.monotonic() > deadline:
            raise AssertionError(f"events {event_ids} of session {session_id} not stored within {timeout} s; stored: {[i['eventId'] for i in items]}")
        time.sleep(0.3)


@unittest.skipUnless(all(ENV.values()), "needs a running ledger (AGENT_LEDGER_INGEST_URL, _INGEST_KEY, _AUDIT_URL, _READ_KEY)")
class RunningLedgerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.session = f"python-{uuid.uuid4()}"

    def client(self, url: str) -> LedgerClient:
        return LedgerClient(url, ENV["AGENT_LEDGER_INGEST_KEY"], retry_base_delay=0.05)

    def test_should_store_an_action_lifecycle_and_a_signal_when_sent_as_one_batch(self) -> None:
        first = attempted(tool=TOOL, session_id=self.session, agent=AGENT, actor={"type": "agent", "id": "support-bot"}, input={"orderId": "A-1001", "amount": 25})
        events = [first, executed(action_id=first["actionId"], session_id=self.session, agent=AGENT, tool=TOOL, output={"refundId": "R-88"}, duration_ms=40), signal("handoff_requested", session_id=self.session, agent=AGENT)]
        ids = self.client(ENV["AGENT_LEDGER_INGEST_URL"]).send(events)
        self.assertEqual(ids, [e["eventId"] for e in events])
        stored = {item["eventId"]: item["event"] for item in wait_for_stored(self.session, ids)}
        self.assertEqual(stored[first["eventId"]]["type"], "action.attempted")
        self.assertEqual(stored[first["eventId"]]["tool"], TOOL)
        self.assertEqual(stored[ids[1]]["output"], {"refundId": "R-88"})
        self.assertEqual(stored[ids[2]]["type"], "signal.handoff_requested")

    def test_should_store_each_event_once_when_the_first_answer_is_lost_and_the_batch_is_retried(self) -> None:
        first = attempted(tool=TOOL, session_id=self.session, agent=AGENT)
        with FailingProxy(ENV["AGENT_LEDGER_INGEST_URL"], "lose_first_answer") as proxy:
            self.client(proxy.url).send([first])
        self.assertEqual(proxy.forwarded, 2, "the ledger received the batch twice")
        self.assertEqual(proxy.received[0], proxy.received[1], "the retry sent the same body, ids included")
        # A later event of the same action shares its partition: once it is stored, both copies were read.
        marker = self.client(ENV["AGENT_LEDGER_INGEST_URL"]).executed(action_id=first["actionId"], session_id=self.session, tool=TOOL)
        items = wait_for_stored(self.session, [first["eventId"], marker])
        self.assertEqual([item["eventId"] for item in items].count(first["eventId"]), 1)
        self.assertEqual(len(items), 2)

    def test_should_store_the_event_when_the_first_request_fails_with_503_before_reaching_the_ledger(self) -> None:
        event = signal("permission_denied", session_id=self.session, agent=AGENT)
        with FailingProxy(ENV["AGENT_LEDGER_INGEST_URL"], "fail_before_forwarding") as proxy:
            ids = self.client(proxy.url).send([event])
        self.assertEqual((len(proxy.received), proxy.forwarded), (2, 1))
        self.assertEqual(ids, [event["eventId"]])
        self.assertEqual([item["eventId"] for item in wait_for_stored(self.session, ids)], ids)

    def test_should_raise_ledger_error_naming_the_field_when_the_ledger_answers_400(self) -> None:
        good = signal("rate_limited", session_id=self.session)
        bad = attempted(tool={"name": "refund_order", "riskLevel": "dangerous"}, session_id=self.session)  # type: ignore[typeddict-item]
        with self.assertRaises(LedgerError) as caught:
            self.client(ENV["AGENT_LEDGER_INGEST_URL"]).send([good, bad])
        error = caught.exception
        self.assertEqual((error.status, error.code, error.field, error.attempts), (400, "validation_failed", "/events/1/tool/riskLevel", 1))
        self.assertEqual([e["eventId"] for e in error.events], [good["eventId"], bad["eventId"]])

    def test_should_raise_ledger_error_401_when_the_key_is_unknown(self) -> None:
        with self.assertRaises(LedgerError) as caught:
            LedgerClient(ENV["AGENT_LEDGER_INGEST_URL"], "alk_ingest_" + "x" * 43).send([signal("rate_limited", session_id=self.session)])
        self.assertEqual(caught.exception.status, 401)
        self.assertIn(caught.exception.code, ("invalid_api_key", "missing_api_key"))


if __name__ == "__main__":
    unittest.main()
