"""Replies to the grid's page, flags and detail requests, read through the collection's public
seam: ``rows(start, stop, fields)``, ``positions_of(ids)``, ``get_field_schema()``.

A page of rows ``[start, stop)`` reads just those rows of the needed fields (the collection
keeps its row positions per dataset revision, so this never scans the whole dataset) and sends
the thumbnails as binary buffers beside the JSON. Message shapes: :mod:`fo_lite.session.messages`.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from concurrent.futures import Executor
from typing import Any

from fo_lite.session.decorations import Decorations
from fo_lite.session.groups import Groups
from fo_lite.session.messages import MAX_FLAGS, MAX_PAGE, DetailReply, FlagsReply, PageReply
from fo_lite.session.text import format_value, resolve_field
from fo_lite.session.thumbnails import ThumbnailCache

TAGS_SENT = 20  # tags sent per tile (a tile shows 3 and "+N")
_DETAIL_TEXT_MAX = 20_000


def build_page(
    collection: Any,
    start: int,
    stop: int,
    *,
    version: int,
    selected: Container[str],
    label_field: str | None,
    tile_field: str | None,
    thumbs: ThumbnailCache,
    executor: Executor | None = None,
    groups: Groups | None = None,
    decorations: Decorations | None = None,
    px: int | None = None,
) -> tuple[PageReply, list[bytes]]:
    """The reply to a page request (``request_id`` None: set it before sending) and its
    thumbnails (at most ``px`` pixels a side; default: the cache's) as binary buffers."""
    stop = min(stop, start + MAX_PAGE)
    schema = collection.get_field_schema()
    label_path = resolve_field(schema, label_field)
    field_path = resolve_field(schema, tile_field)
    wanted = [p for p in ("filepath", "tags", label_path, field_path) if p]
    rows = collection.rows(start, stop, list(dict.fromkeys(wanted)))
    ids = rows["id"]
    n = len(ids)
    none = [None] * n
    images = thumbs.get_many(rows["filepath"], px=px, executor=executor)
    buffers: list[bytes] = []
    thumb_index: list[int | None] = []
    for image in images:
        if image.ok:
            thumb_index.append(len(buffers))
            buffers.append(image.data)  # type: ignore[arg-type]
        else:
            thumb_index.append(None)
    extras = decorations.tiles(ids) if decorations is not None else none
    if len(extras) != n:
        raise ValueError(f"decorations.tiles() gave {len(extras)} extras for {n} ids")
    reply: PageReply = {
        "type": "page",
        "request_id": None,
        "version": version,
        "start": start,
        "stop": start + n,
        "length": len(collection),
        "ids": ids,
        "labels": [format_value(v) for v in rows[label_path]] if label_path else none,
        "fields": [format_value(v) for v in rows[field_path]] if field_path else none,
        "tags": [_tags(t) for t in rows["tags"]],
        "selected": [i in selected for i in ids],
        "thumbs": thumb_index,
        "mimes": [image.mime for image in images],
        "broken": [image.reason for image in images],
        "marks": [format_value((e or {}).get("marker"), 40) for e in extras],
        "notes": [format_value((e or {}).get("note")) for e in extras],
        "heads": groups.heads(start, start + n, decorations) if groups is not None else [],
        "b64": None,
    }
    return reply, buffers


def _tags(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [t for t in (format_value(v, 60) for v in value[:TAGS_SENT]) if t]


def build_flags(
    collection: Any, start: int, stop: int, *, version: int, selected: Container[str]
) -> FlagsReply:
    """The reply to a flags request (``request_id`` empty: set it before sending)."""
    ids = collection.rows(start, min(stop, start + MAX_FLAGS))["id"]
    return {
        "type": "flags",
        "request_id": "",
        "version": version,
        "start": start,
        "ids": ids,
        "selected": [i in selected for i in ids],
    }


def detail_fields(sample_dict: dict[str, Any]) -> list[list[str]]:
    """``sample.to_dict()`` as ``[key, text]`` pairs: id and filepath first, embedded labels
    flattened to dotted keys, internal keys (``_cls``) left out."""
    flat: list[tuple[str, Any]] = []

    def visit(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key, sub in value.items():
                if not str(key).startswith("_"):
                    visit(f"{prefix}.{key}", sub)
        else:
            flat.append((prefix, value))

    for key, value in sample_dict.items():
        visit(str(key), value)
    first = {"id": 0, "filepath": 1}
    flat.sort(key=lambda kv: first.get(kv[0], 2))
    return [[key, _detail_text(value)] for key, value in flat]


def _detail_text(value: Any) -> str:
    text = format_value(value, _DETAIL_TEXT_MAX)
    return "None" if text is None else text


def build_detail(
    dataset: Any,
    shown: Any,
    sample_id: str,
    *,
    version: int,
    selected: Container[str],
    images: ThumbnailCache,
    px: int,
    label_field: str | None = None,
) -> tuple[DetailReply, list[bytes]]:
    """The reply to a detail request: every field of sample ``sample_id`` of ``dataset``, its
    image fitted in ``px`` x ``px`` pixels (smaller images as they are) and its index in
    ``shown`` (-1 if not there). Raises ``KeyError`` when the sample is gone."""
    sample = dataset[sample_id]
    image = images.get(sample.filepath, px=px)
    index = int(shown.positions_of([sample_id])[0]) if shown is not None else -1
    fields = detail_fields(sample.to_dict())
    label_path = resolve_field(dataset.get_field_schema(), label_field)
    label = dict(map(tuple, fields)).get(label_path) if label_path else None
    reply: DetailReply = {
        "type": "detail",
        "request_id": "",
        "version": version,
        "id": sample_id,
        "index": index,
        "label": label,
        "selected": sample_id in selected,
        "fields": fields,
        "image": 0 if image.ok else None,
        "mime": image.mime,
        "broken": image.reason,
        "b64": None,
    }
    return reply, ([image.data] if image.ok else [])  # type: ignore[list-item]


def compact_stages(stages: Sequence[dict[str, Any]], max_items: int = 20) -> list[dict[str, Any]]:
    """The serialized view with long lists (e.g. ``select`` of 100k ids) cut to a count, so the
    synced state stays small."""

    def shrink(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            if len(value) > max_items:
                return {"_items": len(value)}
            return [shrink(v) for v in value]
        if isinstance(value, dict):
            return {k: shrink(v) for k, v in value.items()}
        return value

    return [shrink(dict(stage)) for stage in stages]
