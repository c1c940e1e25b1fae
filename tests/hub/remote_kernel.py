"""A kernel in a learner's Jupyter server, driven through the hub as JupyterLab drives it: REST to start
it, one websocket for its channels (Jupyter's messaging protocol, JSON frames with a "channel" key).
https://jupyter-server.readthedocs.io/en/latest/developers/websocket-protocols.html
https://jupyter-client.readthedocs.io/en/latest/messaging.html
"""

from __future__ import annotations

import json
import struct
import time
import uuid
from dataclasses import dataclass, field

import requests
import websocket


@dataclass
class Execution:
    """What one execute_request produced: its text output, its error, the widgets it opened."""

    status: str = ""
    text: list[str] = field(default_factory=list)
    error: str = ""
    comm_opens: list[dict] = field(default_factory=list)


def binary_message(frame: bytes) -> dict:
    """A message sent with buffers: a count, that many offsets, then the JSON and the buffers."""
    count = struct.unpack_from("!I", frame, 0)[0]
    offsets = list(struct.unpack_from(f"!{count}I", frame, 4)) + [len(frame)]
    parts = [frame[offsets[i]:offsets[i + 1]] for i in range(count)]
    message = json.loads(parts[0])
    message["buffers"] = parts[1:]
    return message


class RemoteKernel:
    """A kernel started in `server_url` (e.g. http://127.0.0.1:8000/user/ada) with `token`; `close()` shuts it down."""

    def __init__(self, server_url: str, token: str, path: str = "") -> None:
        self.server_url = server_url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"
        started = self.http.post(f"{self.server_url}/api/kernels", json={"name": "python3", "path": path}, timeout=60)
        started.raise_for_status()
        self.kernel_id = started.json()["id"]
        self.session = uuid.uuid4().hex
        ws_url = self.server_url.replace("http://", "ws://", 1) + f"/api/kernels/{self.kernel_id}/channels"
        self.ws = websocket.create_connection(f"{ws_url}?session_id={self.session}",
                                              header=[f"Authorization: token {token}"], timeout=60)
        self.comm_updates: list[dict] = []  # every comm_msg the kernel sent (widget state changes)
        self.comms: dict[str, dict] = {}    # comm id -> the state it opened with
        self._wait_until_ready()

    def _message(self, channel: str, msg_type: str, content: dict) -> dict:
        msg_id = uuid.uuid4().hex
        return {"channel": channel, "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                                               "username": "learner", "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "content": content, "buffers": []}

    def send(self, channel: str, msg_type: str, content: dict) -> str:
        message = self._message(channel, msg_type, content)
        self.ws.send(json.dumps(message))
        return message["header"]["msg_id"]

    def _wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = self.send("shell", "kernel_info_request", {})
            try:
                self._until_reply(msg_id, time.monotonic() + 5)
                return
            except TimeoutError:
                continue
        raise TimeoutError("the kernel did not answer kernel_info_request")

    def _receive(self, deadline: float) -> dict:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no message from the kernel in time")
            # Short reads: the server's websocket pings restart a socket timeout without a message arriving.
            self.ws.settimeout(min(remaining, 5.0))
            try:
                frame = self.ws.recv()
                break
            except websocket.WebSocketTimeoutException:
                continue
        message = json.loads(frame) if isinstance(frame, str) else binary_message(frame)
        self._note_comm(message)
        return message

    def _note_comm(self, message: dict) -> None:
        kind = message.get("header", {}).get("msg_type")
        content = message.get("content", {})
        if kind == "comm_open":
            self.comms[content["comm_id"]] = content.get("data", {}).get("state", {})
        elif kind == "comm_msg":  # a widget's binary values (an Image's bytes) travel as buffers
            self.comm_updates.append(dict(content, buffers=message.get("buffers") or []))

    def _until_reply(self, msg_id: str, deadline: float) -> dict:
        while True:
            message = self._receive(deadline)
            if message.get("channel") == "shell" and message["parent_header"].get("msg_id") == msg_id:
                return message

    def execute(self, code: str, timeout: float = 300.0) -> Execution:
        """Run `code` and wait until the kernel is idle again; collect what it printed and any error."""
        msg_id = self.send("shell", "execute_request", {"code": code, "silent": False, "store_history": True,
                                                        "user_expressions": {}, "allow_stdin": False,
                                                        "stop_on_error": True})
        result, replied, idle = Execution(), False, False
        deadline = time.monotonic() + timeout
        while not (replied and idle):
            message = self._receive(deadline)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["header"]["msg_type"], message["content"]
            if message.get("channel") == "shell":
                replied, result.status = True, content.get("status", "")
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind == "stream":
                result.text.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                result.text.append(content.get("data", {}).get("text/plain", ""))
            elif kind == "error":
                result.error = f"{content['ename']}: {content['evalue']}"
            elif kind == "comm_open":
                result.comm_opens.append(content)
        return result

    def update_widget(self, comm_id: str, state: dict) -> None:
        """What JupyterLab sends when a learner moves a control: the widget's new state."""
        self.send("shell", "comm_msg", {"comm_id": comm_id,
                                        "data": {"method": "update", "state": state, "buffer_paths": []}})

    def wait_for(self, predicate, timeout: float = 60.0) -> None:
        """Read messages until `predicate()` holds (it looks at comms and comm_updates)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            self._receive(deadline)

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.http.delete(f"{self.server_url}/api/kernels/{self.kernel_id}", timeout=30)
