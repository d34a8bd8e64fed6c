"""An HTTP server on loopback that answers POSTs from a script and keeps what it received."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

Answer = Tuple[int, Dict[str, str], Any]
"""(status, headers, JSON body or None)."""


class ScriptedServer:
    """Answers each POST with the next scripted answer (the last one repeats); ``answer`` may also be
    a function of the received body. ``requests`` holds every body and its headers."""

    def __init__(self, script: List[Any]) -> None:
        self.script = list(script)
        self.requests: List[Tuple[Dict[str, Any], Dict[str, str]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                owner.requests.append((body, {k.lower(): v for k, v in self.headers.items()}))
                step = owner.script[min(len(owner.requests) - 1, len(owner.script) - 1)]
                status, headers, payload = step(body) if callable(step) else step
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "ScriptedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def accept_all(body: Dict[str, Any]) -> Answer:
    """ingest-api's 202: every event's id."""
    return 202, {}, {"accepted": [{"eventId": e["eventId"]} for e in body["events"]]}


def refuse(status: int, code: str, headers: Optional[Dict[str, str]] = None, errors: Optional[List[Dict[str, str]]] = None) -> Callable[[Dict[str, Any]], Answer]:
    def answer(_body: Dict[str, Any]) -> Answer:
        error: Dict[str, Any] = {"status": status, "code": code, "message": f"refused: {code}"}
        if errors:
            error["errors"] = errors
            error["field"] = errors[0]["field"]
        return status, headers or {}, {"error": error}

    return answer
