"""A stand-in for the grid's front end, for the session tests.

``FrontEnd`` sends custom messages the way the browser does (through the widget's
``_handle_msg``) and records what the kernel sends back: custom replies with their binary
buffers, and trait-state updates.
"""

from __future__ import annotations

from fo_lite.session import Session


class FrontEnd:
    """A stand-in for grid.js: sends gestures/requests, records replies and state syncs."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.replies: list[tuple[dict, list]] = []
        self.states: list[dict] = []
        self._seq = 0
        session.comm.send = self._capture  # the kernel -> browser direction

    def _capture(self, data=None, metadata=None, buffers=None, **_kw):
        if data["method"] == "custom":
            self.replies.append((data["content"], list(buffers or [])))
        elif data["method"] == "update":
            self.states.append(data["state"])

    def send(self, content) -> None:
        """Deliver ``content`` to the kernel exactly as a browser's custom message arrives."""
        self.session._handle_msg(
            {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
        )

    @property
    def version(self) -> int:
        """The version the grid draws (from the synced ``_state``)."""
        return self.session._state["version"]

    def request(self, kind: str, **fields) -> tuple[dict, list]:
        self._seq += 1
        fields.setdefault("version", self.version)
        if kind in ("page", "groups", "detail"):
            fields.setdefault("inline", False)  # binary buffers, as a working front end asks
        before = len(self.replies)
        self.send({"type": kind, "request_id": f"fe:{self._seq}", **fields})
        assert len(self.replies) == before + 1, "exactly one reply per request"
        content, buffers = self.replies[-1]
        assert content["request_id"] == f"fe:{self._seq}"
        return content, buffers

    def gesture(self, kind: str, **fields) -> dict:
        self._seq += 1
        before = len(self.replies)
        self.send({"type": kind, "client": "fe", "seq": self._seq, **fields})
        acks = [
            c
            for c, _ in self.replies[before:]
            if c.get("ack") == {"client": "fe", "seq": self._seq}
        ]
        assert len(acks) == 1, f"gesture {kind} not acknowledged: {self.replies[before:]}"
        return acks[0]

    def synced(self, name: str):
        """The last value of a synced trait the kernel pushed to the browser."""
        values = [s[name] for s in self.states if name in s]
        assert values, f"{name} was never synced"
        return values[-1]

    def state(self, key: str):
        """``key`` of the last grid state (the synced ``_state`` trait) pushed to the browser."""
        return self.synced("_state")[key]
