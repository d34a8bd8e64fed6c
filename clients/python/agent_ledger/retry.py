"""When a request is retried and how long the client waits (the same policy as the TypeScript SDK)."""

from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Optional

#: 503 (ingest cannot reach Kafka), 429 (rate limited), 408 and the transient 5xx of proxies.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES


def honours_retry_after(status: int) -> bool:
    """Statuses whose ``Retry-After`` header is followed."""
    return status in (429, 503)


def backoff_delay(retry: int, base_delay: float, max_delay: float, rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff with equal jitter, in seconds: a delay in [cap/2, cap], cap = base * 2**retry (at most max_delay)."""
    cap = min(max_delay, base_delay * 2**retry)
    return cap / 2 + rand() * (cap / 2)


def parse_retry_after(header: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """``Retry-After`` (RFC 9110): delay-seconds or an HTTP-date, as seconds to wait; ``None`` when absent or unreadable."""
    if header is None:
        return None
    value = header.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    if not re.search(r"[a-z]", value, re.IGNORECASE):
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
