"""``LedgerClient``: sends events to ingest-api (``POST /v1/events``) in batches, with retries."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Iterable, List, Mapping, Optional, Sequence

from . import events as build
from ._version import __version__
from .errors import LedgerError, parse_error_body
from .retry import backoff_delay, honours_retry_after, is_retryable_status, parse_retry_after

#: What ingest-api accepts in one request (docs/intake-contract.md).
MAX_EVENTS_PER_REQUEST = 1000
MAX_REQUEST_BYTES = 1024 * 1024


class LedgerClient:
    """The ledger's ingest API for one tenant (the tenant is the API key's, scope ``ingest``).

    ``send(events)`` posts the events in order, in requests of at most ``batch_size`` events and
    1 MiB, and retries a request on 503, 429, 408, 500, 502, 504, network errors and timeouts with
    exponential backoff, following ``Retry-After`` on 429 and 503. A retry sends the same events with
    the same ``eventId``: the ledger stores each event once. Other refusals (400, 401, 403, 413, …)
    are never retried and raise ``LedgerError`` with the server's code, message and fields.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        batch_size: int = 100,
        max_retries: int = 6,
        timeout: float = 10.0,
        retry_base_delay: float = 0.1,
        retry_max_delay: float = 5.0,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 1 <= batch_size <= MAX_EVENTS_PER_REQUEST:
            raise ValueError(f"batch_size must be 1..{MAX_EVENTS_PER_REQUEST}")
        self.endpoint = base_url.rstrip("/") + "/v1/events"
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.timeout = timeout
        self.retry_base_delay = retry_base_delay
        self.retry_max_delay = retry_max_delay
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._headers = {
            "authorization": f"Bearer {api_key}",
            "content-type": "application/json",
            "accept": "application/json",
            "user-agent": f"agent-ledger-python/{__version__}",
        }

    def send(self, events: Iterable[Mapping[str, Any]]) -> List[str]:
        """Sends the events in order; returns the accepted ``eventId``s. Raises ``LedgerError`` on the first request that fails for good."""
        accepted: List[str] = []
        for batch in self._batches(list(events)):
            accepted.extend(self._post(batch))
        return accepted

    # Helpers that build one event and send it at once (for batches, build with agent_ledger.events and call send).

    def attempted(self, **fields: Any) -> str:
        """Sends ``action.attempted``; returns its ``actionId`` (generated when absent)."""
        event = build.attempted(**fields)
        self.send([event])
        return str(event["actionId"])

    def confirmed(self, **fields: Any) -> str:
        return self._send_one(build.confirmed(**fields))

    def executed(self, **fields: Any) -> str:
        return self._send_one(build.executed(**fields))

    def failed(self, **fields: Any) -> str:
        return self._send_one(build.failed(**fields))

    def cancelled(self, **fields: Any) -> str:
        return self._send_one(build.cancelled(**fields))

    def signal(self, kind: build.SignalKind, **fields: Any) -> str:
        return self._send_one(build.signal(kind, **fields))

    def _send_one(self, event: Mapping[str, Any]) -> str:
        self.send([event])
        return str(event["eventId"])

    def _batches(self, events: List[Mapping[str, Any]]) -> Iterable[List[Mapping[str, Any]]]:
        batch: List[Mapping[str, Any]] = []
        size = len(b'{"events":[]}')
        for event in events:
            event_bytes = len(json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")) + 1
            if batch and (len(batch) >= self.batch_size or size + event_bytes > MAX_REQUEST_BYTES):
                yield batch
                batch, size = [], len(b'{"events":[]}')
            batch.append(event)
            size += event_bytes
        if batch:
            yield batch

    def _post(self, batch: Sequence[Mapping[str, Any]]) -> List[str]:
        body = json.dumps({"events": list(batch)}, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        retry = 0
        while True:
            attempts = retry + 1
            try:
                return self._attempt(body, batch)
            except _Retryable as failure:
                error = failure.error
                if retry >= self.max_retries:
                    raise self._final(error, attempts, batch) from None
                if failure.retry_after is not None:
                    delay = min(failure.retry_after, self.max_retry_after)
                else:
                    delay = backoff_delay(retry, self.retry_base_delay, self.retry_max_delay)
                self._sleep(delay)
                retry += 1
            except LedgerError as error:
                raise self._final(error, attempts, batch) from None

    @staticmethod
    def _final(error: LedgerError, attempts: int, batch: Sequence[Mapping[str, Any]]) -> LedgerError:
        error.attempts = attempts
        error.events = list(batch)
        return error

    def _attempt(self, body: bytes, batch: Sequence[Mapping[str, Any]]) -> List[str]:
        request = urllib.request.Request(self.endpoint, data=body, headers=self._headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, text, retry_after = response.status, response.read().decode("utf-8", "replace"), None
        except urllib.error.HTTPError as refused:
            status, retry_after = refused.code, refused.headers.get("retry-after")
            text = refused.read().decode("utf-8", "replace")
        except (socket.timeout, TimeoutError) as slow:
            raise _Retryable(LedgerError("timeout", f"no response from {self.endpoint} within {self.timeout} s: {slow}", retryable=True))
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, OSError) as broken:
            reason = getattr(broken, "reason", broken)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise _Retryable(LedgerError("timeout", f"no response from {self.endpoint} within {self.timeout} s", retryable=True))
            raise _Retryable(LedgerError("network_error", f"request to {self.endpoint} failed: {reason}", retryable=True))
        if 200 <= status < 300:
            return _accepted_ids(text, batch)
        retryable = is_retryable_status(status)
        parsed = parse_error_body(text)
        code, message, fields = parsed if parsed else ("unexpected_response", f"the ledger answered HTTP {status}", [])
        error = LedgerError(code, message, status=status, fields=fields, retryable=retryable)
        if not retryable:
            raise error
        raise _Retryable(error, parse_retry_after(retry_after) if honours_retry_after(status) else None)


class _Retryable(Exception):
    def __init__(self, error: LedgerError, retry_after: Optional[float] = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


def _accepted_ids(text: str, batch: Sequence[Mapping[str, Any]]) -> List[str]:
    """The ``eventId``s of ``{"accepted": [{"eventId"}, …]}``; the sent ids when the body says nothing else."""
    try:
        accepted = json.loads(text).get("accepted")
        return [str(item["eventId"]) for item in accepted]
    except (ValueError, AttributeError, KeyError, TypeError):
        return [str(event.get("eventId")) for event in batch]


__all__ = ["LedgerClient", "MAX_EVENTS_PER_REQUEST", "MAX_REQUEST_BYTES"]
