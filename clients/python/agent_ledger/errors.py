"""The error every failure of the client raises."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Sequence, Tuple


@dataclass(frozen=True)
class FieldError:
    """One invalid field, as the ledger names it: a JSON pointer (``/events/0/tool/riskLevel``)."""

    field: str
    code: str
    message: str

class LedgerError(Exception):
    """A request the ledger refused, or that could not be delivered.

    ``status`` is the HTTP status (``None`` for network errors and timeouts); ``code`` the ledger's
    error code (``validation_failed``, ``unauthorized``, ``rate_limited``, …) or one of the client's
    (``network_error``, ``timeout``, ``unexpected_response``, ``invalid_event``); ``field`` the first
    invalid field and ``fields`` all of them; ``events`` the events of the refused request (sending
    them again is safe: their ids are kept); ``attempts`` how many requests were made.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: Optional[int] = None,
        fields: Sequence[FieldError] = (),
        retryable: bool = False,
        attempts: int = 0,
        events: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields: List[FieldError] = list(fields)
        self.retryable = retryable
        self.attempts = attempts
        self.events: List[Mapping[str, Any]] = list(events)

    @property
    def field(self) -> Optional[str]:
        """The first invalid field (a JSON pointer), if the ledger named one."""
        return self.fields[0].field if self.fields else None

def parse_error_body(text: str) -> Optional[Tuple[str, str, List[FieldError]]]:
    """Reads ``{"error": {"status", "code", "message", "field"?, "errors"?: [{field, code, message}]}}``."""

    try:
        body = json.loads(text)
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        return None
    code: str = error["code"]
    message = error["message"] if isinstance(error.get("message"), str) else code
    listed = [
        FieldError(str(item.get("field", "")), str(item.get("code", "")), str(item.get("message", "")))
        for item in error.get("errors") or []
        if isinstance(item, dict)
    ]
    if not listed and isinstance(error.get("field"), str):
        listed = [FieldError(error["field"], code, message)]
    return code, message, listed
