"""Builders of schema v1 events, one per event type. Each stamps an ``eventId`` (UUID v4) and an
``occurredAt`` (now, ISO 8601 in UTC) unless given, so that every retry of a request sends the same
ids and the ledger stores each event once. Keys are the ledger's (camelCase); pass further fields of
schema v1 (``subject``, ``budget``, ``plan``, ``traceparent``, …) in ``extra``."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Dict, Literal, Mapping, Optional, TypedDict, Union

RiskLevel = Literal["safe", "moderate", "destructive", "critical"]
SignalKind = Literal["handoff_requested", "agent_handoff", "permission_denied", "rate_limited", "budget_exceeded"]
Instant = Union[str, datetime]


class ToolRef(TypedDict, total=False):
    name: str
    provider: str
    riskLevel: RiskLevel


class AgentRef(TypedDict, total=False):
    id: str
    name: str
    version: str


class Actor(TypedDict, total=False):
    type: Literal["agent", "user", "system"]
    id: str
    ip: str
    userAgent: str


class Approval(TypedDict, total=False):
    required: bool
    decision: Literal["approved", "rejected", "expired", "auto", "not_required"]
    approvedBy: str
    method: str
    approvalId: str
    decisionMs: float


class ActionError(TypedDict, total=False):
    message: str
    code: str
    details: Dict[str, Any]


Event = Dict[str, Any]
"""An event as sent: the JSON object of schema v1."""


def new_id() -> str:
    return str(uuid.uuid4())


def iso_instant(value: Optional[Instant] = None) -> str:
    """An RFC 3339 instant in UTC with milliseconds (``2026-03-01T09:30:00.000Z``); now when absent."""
    if isinstance(value, str):
        return value
    when = value or datetime.now(timezone.utc)
    if when.tzinfo is None:
        raise ValueError("occurred_at needs a time zone (datetime.now(timezone.utc))")
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_event(
    type: str,
    *,
    session_id: Optional[str] = None,
    action_id: Optional[str] = None,
    agent: Optional[AgentRef] = None,
    actor: Optional[Actor] = None,
    tool: Optional[ToolRef] = None,
    metadata: Optional[Mapping[str, Any]] = None,
    event_id: Optional[str] = None,
    occurred_at: Optional[Instant] = None,
    extra: Optional[Mapping[str, Any]] = None,
    **fields: Any,
) -> Event:
    """Any event of schema v1: ``type`` plus the given fields, with ``eventId`` and ``occurredAt`` stamped."""
    event: Event = {"eventId": event_id or new_id(), "type": type, "occurredAt": iso_instant(occurred_at)}
    named = {"sessionId": session_id, "actionId": action_id, "agent": agent, "actor": actor, "tool": tool, "metadata": metadata}
    event.update({key: value for key, value in named.items() if value is not None})
    event.update({key: value for key, value in fields.items() if value is not None})
    if extra:
        event.update(extra)
    return event


def attempted(*, tool: ToolRef, action_id: Optional[str] = None, input: Optional[Mapping[str, Any]] = None, approval: Optional[Approval] = None, **common: Any) -> Event:
    """``action.attempted``; the ``actionId`` is generated when absent (read it from the event for the later stages)."""
    return build_event("action.attempted", action_id=action_id or new_id(), tool=tool, input=input, approval=approval, **common)


def confirmed(*, action_id: str, approval: Approval, **common: Any) -> Event:
    """``action.confirmed``: approved (name the approver in ``approvedBy``) or confirmed by the customer."""
    return build_event("action.confirmed", action_id=action_id, approval=approval, **common)


def executed(*, action_id: str, output: Any = None, duration_ms: Optional[float] = None, **common: Any) -> Event:
    """``action.executed``, with the result and the duration."""
    return build_event("action.executed", action_id=action_id, output=output, durationMs=duration_ms, **common)


def failed(*, action_id: str, error: ActionError, duration_ms: Optional[float] = None, **common: Any) -> Event:
    """``action.failed``, with the error."""
    return build_event("action.failed", action_id=action_id, error=error, durationMs=duration_ms, **common)


def cancelled(*, action_id: str, approval: Optional[Approval] = None, **common: Any) -> Event:
    """``action.cancelled``: a rejected or expired approval, or the customer cancelled."""
    return build_event("action.cancelled", action_id=action_id, approval=approval, **common)


def signal(kind: SignalKind, *, session_id: str, **common: Any) -> Event:
    """``signal.<kind>``: ``handoff_requested`` (the customer asked for a human), ``agent_handoff``,
    ``permission_denied``, ``rate_limited`` or ``budget_exceeded``."""
    return build_event(f"signal.{kind}", session_id=session_id, **common)
