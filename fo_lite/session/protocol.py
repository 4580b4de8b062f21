"""Handles the grid's custom messages: validates them, answers requests, applies gestures.

The message format is documented in :mod:`fo_lite.session.pages`. A malformed message (unknown
type, missing or mistyped field) is dropped with a logged warning: the front end is untrusted
input and must never put a traceback in the user's notebook.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from fo_lite.session import pages

if TYPE_CHECKING:
    from fo_lite.session.session import Session

logger = logging.getLogger("fo_lite.session")

_MAX_STR = 256


class ProtocolError(ValueError):
    """A message from the front end that does not follow the protocol."""


def _int(msg: dict, key: str) -> int:
    value = msg.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProtocolError(f"{key!r} must be a non-negative integer, got {value!r}")
    return value


def _str(msg: dict, key: str) -> str:
    value = msg.get(key)
    if not isinstance(value, str) or not value or len(value) > _MAX_STR:
        raise ProtocolError(f"{key!r} must be a non-empty string, got {value!r:.80}")
    return value


def _span(msg: dict) -> tuple[int, int]:
    start, stop = _int(msg, "start"), _int(msg, "stop")
    if stop < start:
        raise ProtocolError(f"'stop' ({stop}) is before 'start' ({start})")
    return start, stop


def _ack(msg: dict) -> dict[str, Any] | None:
    client, seq = msg.get("client"), msg.get("seq")
    if isinstance(client, str) and len(client) <= _MAX_STR and isinstance(seq, int):
        return {"client": client, "seq": seq}
    return None


def handle_message(session: Session, content: Any, buffers: Any = None) -> None:
    """Answer one custom message from the grid; never raises."""
    kind = content.get("type") if isinstance(content, dict) else None
    handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
    try:
        if handler is None:
            raise ProtocolError(f"unknown message type {kind!r:.80}")
        handler(session, content)
    except ProtocolError as exc:
        logger.warning("fo_lite dashboard: ignored a malformed message from the grid: %s", exc)
    except Exception as exc:  # a bug or a vanished sample must not break the kernel's comm
        logger.warning(
            "fo_lite dashboard: could not answer the grid's %r message: %s: %s",
            kind,
            type(exc).__name__,
            exc,
        )
        logger.debug("traceback", exc_info=True)
        request_id = content.get("request_id")
        if isinstance(request_id, str):
            session.send({"type": "error", "request_id": request_id, "message": str(exc)})


def _current(session: Session, msg: dict) -> Any:
    """The collection to answer from, or None after replying 'stale' (older version)."""
    version = _int(msg, "version")
    current = session._sync_version()
    if version != current:
        session.send({"type": "stale", "request_id": msg["request_id"], "version": current})
        return None
    return session._collection()


def _page(session: Session, msg: dict) -> None:
    request_id = _str(msg, "request_id")
    start, stop = _span(msg)
    collection = _current(session, msg)
    if collection is None:
        return
    session._grid_seen = True
    session._send_page(collection, start, stop, request_id)


def _flags(session: Session, msg: dict) -> None:
    request_id = _str(msg, "request_id")
    start, stop = _span(msg)
    collection = _current(session, msg)
    if collection is None:
        return
    content = pages.build_flags(
        collection, start, stop, version=session._version, selected=session._selected_set
    )
    content["request_id"] = request_id
    session.send(content)


def _detail(session: Session, msg: dict) -> None:
    request_id = _str(msg, "request_id")
    sample_id = _str(msg, "id")
    _int(msg, "version")
    dataset = session.dataset
    if dataset is None:
        raise KeyError("the session shows no dataset")
    try:
        content, buffers = pages.build_detail(dataset, sample_id, session._thumbs)
    except KeyError:
        session.send(
            {
                "type": "error",
                "request_id": request_id,
                "message": f"sample {sample_id} is no longer in the dataset",
            }
        )
        return
    content["request_id"] = request_id
    session.send(content, buffers)


def _row_id_matches(session: Session, version: int, index: int, sample_id: str) -> bool:
    if version != session._sync_version():
        return False
    collection = session._collection()
    if collection is None:
        return False
    _, ids = pages.window(collection, index, index + 1)
    return ids == [sample_id]


def _toggle(session: Session, msg: dict) -> None:
    version, index, sample_id = _int(msg, "version"), _int(msg, "index"), _str(msg, "id")
    ack = _ack(msg)
    if not _row_id_matches(session, version, index, sample_id):
        logger.info("fo_lite dashboard: ignored a click on a tile from an older grid state")
        session._commit_selection(None, ack=ack)
        return
    current = session._selected_list()
    chosen = session._selected_set
    if sample_id in chosen:
        i = current.index(sample_id)
        chosen.discard(sample_id)
        new = current[:i] + current[i + 1 :]
        session._commit_selection(new, chosen, added=[], removed=[sample_id], ack=ack)
    else:
        chosen.add(sample_id)
        session._commit_selection([*current, sample_id], chosen, added=[sample_id], ack=ack)


def _add_ids(session: Session, ids: list[str], ack: dict | None) -> None:
    """Add ``ids`` (unique: rows of a view) to the selection, keeping its order."""
    chosen = session._selected_set
    added = [i for i in ids if i not in chosen] if chosen else ids
    if not added:
        session._commit_selection(None, ack=ack)
        return
    if chosen:
        chosen.update(added)
    else:
        chosen = set(added)
    session._commit_selection(session._selected_list() + added, chosen, added=added, ack=ack)


def _range(session: Session, msg: dict) -> None:
    version = _int(msg, "version")
    start, stop = _span(msg)
    ack = _ack(msg)
    collection = session._collection()
    if version != session._sync_version() or collection is None:
        logger.info("fo_lite dashboard: ignored a shift-click range from an older grid state")
        session._commit_selection(None, ack=ack)
        return
    _add_ids(session, pages.view_ids(collection, start, stop), ack)


def _select_all(session: Session, msg: dict) -> None:
    collection = session._collection()
    ids = pages.view_ids(collection) if collection is not None else []
    _add_ids(session, ids, _ack(msg))


def _clear(session: Session, msg: dict) -> None:
    removed = session._selected_list()
    session._commit_selection([], set(), added=[], removed=removed, ack=_ack(msg))


def _show_selected(session: Session, msg: dict) -> None:
    session._toggle_show_selected()
    session._commit_selection(None, ack=_ack(msg))


_HANDLERS = {
    "page": _page,
    "flags": _flags,
    "detail": _detail,
    "toggle": _toggle,
    "range": _range,
    "select-all": _select_all,
    "clear": _clear,
    "show-selected": _show_selected,
}
