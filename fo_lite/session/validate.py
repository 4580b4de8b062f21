"""Checks a message from the grid against its TypedDict in :mod:`fo_lite.session.messages`.

The front end is untrusted input: :func:`parse` accepts only a known ``type`` whose keys have
the annotated types (non-negative integers, short non-empty strings, bounded lists of scalars)
and raises :class:`ProtocolError` naming the first key that does not.
"""

from __future__ import annotations

import types
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from fo_lite.session.messages import INCOMING, MAX_LIST, MAX_TEXT

_MAX_NAME = 256  # ids, request ids, field names, client names


class ProtocolError(ValueError):
    """A message from the front end that does not follow the protocol."""


@cache
def _hints(message_class: type) -> dict[str, Any]:
    return get_type_hints(message_class)


def parse(content: Any) -> dict[str, Any]:
    """``content`` checked against the TypedDict of its ``type``; integral floats become ints.

    >>> parse({"type": "clear", "client": "a1", "seq": 3})
    {'type': 'clear', 'client': 'a1', 'seq': 3}
    """
    kind = content.get("type") if isinstance(content, dict) else None
    message_class = INCOMING.get(kind) if isinstance(kind, str) else None
    if message_class is None:
        raise ProtocolError(f"unknown message type {kind!r:.80}")
    out: dict[str, Any] = {}
    for key, hint in _hints(message_class).items():
        out[key] = _check(key, content.get(key), hint)
    return out


def _check(key: str, value: Any, hint: Any) -> Any:
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal:
        if value not in args:
            raise ProtocolError(f"{key!r} must be one of {args}, got {value!r:.80}")
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        rest = [a for a in args if a is not type(None)]
        if set(rest) == {str, bool}:  # a Scalar (sidebar values)
            if isinstance(value, bool) or (isinstance(value, str) and len(value) <= MAX_TEXT):
                return value
            raise ProtocolError(f"{key!r} must be a string, a bool or null, got {value!r:.80}")
        (inner,) = rest
        return _check(key, value, inner)
    if origin is list:
        if not isinstance(value, list) or len(value) > MAX_LIST:
            raise ProtocolError(f"{key!r} must be a list of at most {MAX_LIST}, got {value!r:.80}")
        return [_check(key, item, args[0]) for item in value]
    if hint is bool:
        if not isinstance(value, bool):
            raise ProtocolError(f"{key!r} must be true or false, got {value!r:.80}")
        return value
    if hint is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ProtocolError(f"{key!r} must be a non-negative integer, got {value!r:.80}")
        return value
    if hint is str:
        if not isinstance(value, str) or not value or len(value) > _MAX_NAME:
            raise ProtocolError(f"{key!r} must be a non-empty string, got {value!r:.80}")
        return value
    raise TypeError(f"no check for {hint!r} (key {key!r}); add one to fo_lite.session.validate")


def span(msg: dict) -> tuple[int, int]:
    """``(start, stop)`` of a message, checked: ``stop`` is not before ``start``."""
    start, stop = msg["start"], msg["stop"]
    if stop < start:
        raise ProtocolError(f"'stop' ({stop}) is before 'start' ({start})")
    return start, stop
