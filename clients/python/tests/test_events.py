"""The event builders: ids, instants and the fields of schema v1."""

from __future__ import annotations

import re
import unittest
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from agent_ledger import __version__, attempted, build_event, cancelled, confirmed, executed, failed, signal
from agent_ledger.retry import backoff_delay, parse_retry_after

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


class EventBuildersTest(unittest.TestCase):
    def test_should_stamp_a_uuid4_event_id_and_an_iso_instant_when_none_is_given(self) -> None:
        event = attempted(tool={"name": "t", "riskLevel": "safe"}, session_id="s")
        self.assertEqual(uuid.UUID(event["eventId"]).version, 4)
        self.assertEqual(uuid.UUID(event["actionId"]).version, 4)
        self.assertRegex(event["occurredAt"], ISO_UTC)
        self.assertNotEqual(event["eventId"], attempted(tool={"name": "t", "riskLevel": "safe"})["eventId"])

    def test_should_write_the_ledger_field_names_and_drop_absent_ones_when_building(self) -> None:
        when = datetime(2026, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))
        event = executed(action_id="a-1", output={"ok": True}, duration_ms=12, event_id="e-1", occurred_at=when, extra={"taskId": "t-9"})
        self.assertEqual(event, {"eventId": "e-1", "type": "action.executed", "occurredAt": "2026-03-01T09:30:00.000Z", "actionId": "a-1", "output": {"ok": True}, "durationMs": 12, "taskId": "t-9"})

    def test_should_set_the_type_of_each_stage_and_signal(self) -> None:
        self.assertEqual(confirmed(action_id="a", approval={"required": True, "decision": "approved"})["type"], "action.confirmed")
        self.assertEqual(failed(action_id="a", error={"message": "boom"})["error"], {"message": "boom"})
        self.assertEqual(cancelled(action_id="a")["type"], "action.cancelled")
        self.assertEqual(signal("handoff_requested", session_id="s")["type"], "signal.handoff_requested")
        self.assertEqual(build_event("task.queued", taskId="t")["taskId"], "t")

    def test_should_refuse_a_naive_datetime_when_stamping_occurred_at(self) -> None:
        with self.assertRaises(ValueError):
            executed(action_id="a", occurred_at=datetime(2026, 3, 1))


class RetryPolicyTest(unittest.TestCase):
    def test_should_read_retry_after_as_seconds_or_an_http_date(self) -> None:
        now = datetime(2026, 1, 30, 9, 30, tzinfo=timezone.utc)
        self.assertEqual(parse_retry_after("3"), 3.0)
        self.assertEqual(parse_retry_after("0.5"), 0.5)
        self.assertEqual(parse_retry_after("Fri, 30 Jan 2026 09:30:10 GMT", now), 10.0)
        self.assertEqual(parse_retry_after("Fri, 30 Jan 2026 09:00:00 GMT", now), 0.0)
        self.assertIsNone(parse_retry_after("-1"))
        self.assertIsNone(parse_retry_after(None))

    def test_should_double_the_backoff_cap_up_to_the_maximum(self) -> None:
        self.assertEqual(backoff_delay(0, 0.1, 5.0, rand=lambda: 1.0), 0.1)
        self.assertEqual(backoff_delay(3, 0.1, 5.0, rand=lambda: 0.0), 0.4)
        self.assertEqual(backoff_delay(10, 0.1, 5.0, rand=lambda: 1.0), 5.0)


class PackageTest(unittest.TestCase):
    def test_should_carry_the_version_of_pyproject_when_imported(self) -> None:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        declared = re.search(r'^version = "([^"]+)"$', pyproject.read_text(encoding="utf-8"), re.MULTILINE)
        self.assertIsNotNone(declared)
        self.assertEqual(__version__, declared.group(1) if declared else None)


if __name__ == "__main__":
    unittest.main()
