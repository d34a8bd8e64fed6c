"""A proxy on loopback in front of ingest-api that fails the first request with 503, either before
forwarding it (the ledger never saw it) or after (the ledger stored it, its answer is lost)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, List, Literal

Mode = Literal["fail_before_forwarding", "lose_first_answer"]


class FailingProxy:
    def __init__(self, target: str, mode: Mode) -> None:
        self.target = target.rstrip("/")
        self.mode = mode
        self.received: List[bytes] = []
        self.forwarded = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                owner.received.append(body)
                first = len(owner.received) == 1
                if first and owner.mode == "fail_before_forwarding":
                    return self.answer(503, b'{"error":{"status":503,"code":"kafka_unavailable","message":"injected"}}', {"retry-after": "0"})
                status, data = owner.forward(self.path, body, {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")})
                if first:
                    return self.answer(503, b'{"error":{"status":503,"code":"kafka_unavailable","message":"injected after forwarding"}}', {"retry-after": "0"})
                self.answer(status, data, {})

            def answer(self, status: int, data: bytes, headers: dict) -> None:
                self.send_response(status)
                for key, value in {**headers, "content-type": "application/json", "content-length": str(len(data))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def forward(self, path: str, body: bytes, headers: dict) -> tuple:
        self.forwarded += 1
        request = urllib.request.Request(self.target + path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "FailingProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
