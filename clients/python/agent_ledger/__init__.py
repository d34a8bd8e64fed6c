"""Python client of agent-ledger, the audit trail for AI agents: records action lifecycles and signals
through the ledger's ingest API. Standard library only."""

from ._version import __version__
from .client import MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES, LedgerClient
from .errors import FieldError, LedgerError
from .events import (
    ActionError,
    Actor,
    AgentRef,
    Approval,
    Event,
    ToolRef,
    attempted,
    build_event,
    cancelled,
    confirmed,
    executed,
    failed,
    signal,
)

__all__ = [
    "__version__",
    "LedgerClient",
    "LedgerError",
    "FieldError",
    "MAX_EVENTS_PER_REQUEST",
    "MAX_REQUEST_BYTES",
    "Event",
    "ActionError",
    "Actor",
    "AgentRef",
    "Approval",
    "ToolRef",
    "attempted",
    "confirmed",
    "executed",
    "failed",
    "cancelled",
    "signal",
    "build_event",
]
