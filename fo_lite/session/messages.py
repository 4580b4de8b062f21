"""Every message between Python and the grid, as TypedDicts: the widget's contract.

``docs/protocol.md`` describes them in prose (direction, what answers what); ``widgets/protocol.js``
mirrors each class here as a JSDoc typedef of the same name and keys
(``tests/test_session_messages.py`` checks that they agree). Incoming messages are checked
against these classes by :func:`fo_lite.session.validate.parse`, so a key added here is validated
without more code.

Conventions: a *request* carries a ``request_id`` (unique per front end, echoed in its one
reply) and the ``version`` of the grid state it was made for; a *gesture* carries ``client`` and
``seq``, echoed back as ``ack`` by the one message that answers it. A request whose reply has
binary buffers (page, groups, detail) carries ``inline``: once true, Python sends those buffers
as base64 text in the reply's ``b64`` list instead (the fallback for hosts that drop buffers).
"""

from __future__ import annotations

from typing import Literal, TypedDict, get_args, get_type_hints

# -- constants that cross once, in the synced ``_constants`` trait ---------------------------
PAGE_ROWS = 60  # rows per page request; a pushed first page holds this many
MAX_PAGE = 500  # most rows one page reply holds
MAX_FLAGS = 10_000  # most rows one flags reply holds
MIN_TILE, MAX_TILE = 48, 512  # tile size bounds (CSS pixels)
FEW_CHANGES = 1000  # a selection change listing more ids than this is sent as a reset
MAX_TAG_LENGTH = 256
MAX_TEXT = 1000  # longest string a message from the grid may carry (field values in filters)
MAX_LIST = 10_000  # longest list a message from the grid may carry


class Constants(TypedDict):
    """The ``_constants`` trait: what both sides must agree on, sent once. ``session`` names the
    session (random): anywidget hands ``initialize`` and ``render`` different proxies of one
    model, so the front end finds its per-model page store by this key."""

    session: str
    page_rows: int
    max_page: int
    max_flags: int
    min_tile: int
    max_tile: int


CONSTANTS: Constants = {
    "session": "",  # each Session sets its own
    "page_rows": PAGE_ROWS,
    "max_page": MAX_PAGE,
    "max_flags": MAX_FLAGS,
    "min_tile": MIN_TILE,
    "max_tile": MAX_TILE,
}

Scalar = str | bool | None  # a value the sidebar lists and filters on


# -- synced state ----------------------------------------------------------------------------
class GridState(TypedDict):
    """The ``_state`` trait: what the grid draws besides pages; small (never ids or the frame).

    ``version`` bumps when the rows, their values, the shown fields or the grouping may have
    changed; ``view_serial`` when a new view or dataset is assigned (the grid scrolls to the top).
    """

    version: int
    view_serial: int
    length: int
    dataset_name: str
    view: list[dict]  # the view's stages (long lists cut to {"_items": n})
    selected_count: int
    showing_selected: bool
    filtered: bool  # sidebar filters are active
    grouped: bool  # rows come in group bands (session.group_by)
    group_by: str | None


class SelectionSummary(TypedDict):
    """The ``_selection`` trait, set by the front end (debounced) after the selection changed:
    how many samples are selected and Python's ``revision`` of the selection, never the ids.
    marimo re-runs the cells that read a widget only when its front end changes a trait."""

    count: int
    revision: int


# -- grid -> Python: requests ------------------------------------------------------------------
class PageRequest(TypedDict):
    """Rows ``[start, stop)`` of the shown rows; answered by :class:`PageReply`."""

    type: Literal["page"]
    request_id: str
    version: int
    start: int
    stop: int
    inline: bool


class FlagsRequest(TypedDict):
    """Selected flags of rows ``[start, stop)``; answered by :class:`FlagsReply`."""

    type: Literal["flags"]
    request_id: str
    version: int
    start: int
    stop: int


class GroupsRequest(TypedDict):
    """Where the group bands start; answered by :class:`GroupsReply`."""

    type: Literal["groups"]
    request_id: str
    version: int
    inline: bool


class DetailRequest(TypedDict):
    """One sample for the expanded view, by id or by row index, with its image fitted to
    ``width`` x ``height`` device pixels; answered by :class:`DetailReply`."""

    type: Literal["detail"]
    request_id: str
    version: int
    id: str | None
    index: int | None
    width: int
    height: int
    inline: bool


class SidebarRequest(TypedDict):
    """Value counts and bounds of the shown rows; answered by :class:`SidebarReply`."""

    type: Literal["sidebar"]
    request_id: str
    version: int


# -- grid -> Python: gestures (each answered by one message carrying ``ack``) ---------------
class Toggle(TypedDict):
    """Click or Space on a tile: ``id`` must still be the row at ``index`` (``None``: the tile's
    row is not loaded yet; then ``version`` must be the current one)."""

    type: Literal["toggle"]
    client: str
    seq: int
    version: int
    index: int
    id: str | None


class Range(TypedDict):
    """Shift-click or Shift+arrows: add rows ``[start, stop)`` to the selection."""

    type: Literal["range"]
    client: str
    seq: int
    version: int
    start: int
    stop: int


class SelectAll(TypedDict):
    type: Literal["select-all"]
    client: str
    seq: int


class Clear(TypedDict):
    type: Literal["clear"]
    client: str
    seq: int


class ShowSelected(TypedDict):
    """Show only the selection, or go back to the view shown before."""

    type: Literal["show-selected"]
    client: str
    seq: int


class Filter(TypedDict):
    """Show only rows whose ``field`` is one of ``values`` (empty: no filter on ``field``)."""

    type: Literal["filter"]
    client: str
    seq: int
    field: str
    values: list[Scalar]


class ClearFilters(TypedDict):
    type: Literal["clear-filters"]
    client: str
    seq: int


class Tag(TypedDict):
    """Add (``remove``: take away) ``tags`` on the selected samples."""

    type: Literal["tag"]
    client: str
    seq: int
    tags: list[str]
    remove: bool


class GroupAction(TypedDict):
    """A button of a group header (see :mod:`fo_lite.session.decorations`)."""

    type: Literal["group-action"]
    client: str
    seq: int
    version: int
    start: int
    action: str


def kind_of(message_class: type) -> str:
    """The ``type`` a message class is for, e.g. ``"page"`` for :class:`PageRequest`."""
    (name,) = get_args(get_type_hints(message_class)["type"])
    return name


INCOMING = {
    kind_of(cls): cls
    for cls in (
        PageRequest,
        FlagsRequest,
        GroupsRequest,
        DetailRequest,
        SidebarRequest,
        Toggle,
        Range,
        SelectAll,
        Clear,
        ShowSelected,
        Filter,
        ClearFilters,
        Tag,
        GroupAction,
    )
}
"""Message type -> the TypedDict it must match."""


# -- Python -> grid ----------------------------------------------------------------------------
class GroupHead(TypedDict):
    """A group band's header: the group starting at row ``start``."""

    start: int
    count: int
    text: str | None
    note: str | None
    actions: list[list[str]]  # [[action id, button label], ...]


class PageReply(TypedDict):
    """Rows ``[start, stop)``: one list entry per row. ``thumbs[i]`` indexes the message's
    binary buffers (image bytes of type ``mimes[i]``) or is ``None`` with ``broken[i]`` the
    reason. ``request_id`` is ``None`` for a page Python pushes unasked. ``b64``: the buffers
    as base64 text (then the message has no binary buffers), or ``None``."""

    type: Literal["page"]
    request_id: str | None
    version: int
    start: int
    stop: int
    length: int
    ids: list[str]
    labels: list[str | None]
    fields: list[str | None]
    tags: list[list[str]]
    selected: list[bool]
    thumbs: list[int | None]
    mimes: list[str | None]
    broken: list[str | None]
    marks: list[str | None]
    notes: list[str | None]
    heads: list[GroupHead]
    b64: list[str] | None


class GroupsReply(TypedDict):
    """Group bands: buffer ``starts`` holds ``count`` little-endian int32 row indices."""

    type: Literal["groups"]
    request_id: str | None
    version: int
    count: int
    starts: int
    b64: list[str] | None


class FlagsReply(TypedDict):
    type: Literal["flags"]
    request_id: str
    version: int
    start: int
    ids: list[str]
    selected: list[bool]


class DetailReply(TypedDict):
    """Every field of one sample as ``[key, text]`` pairs, its image (buffer ``image``, or
    ``None`` and ``broken``) and its ``index`` in the shown rows (-1: not shown)."""

    type: Literal["detail"]
    request_id: str
    version: int
    id: str
    index: int
    label: str | None
    selected: bool
    fields: list[list[str]]
    image: int | None
    mime: str | None
    broken: str | None
    b64: list[str] | None


class SidebarField(TypedDict):
    """One sidebar section. ``kind`` "values": ``values`` lists ``[value, count]`` (most common
    first, ``more`` not listed) and ``active`` the values filtered on; "bounds": ``bounds`` is
    ``[min, max]`` as text."""

    path: str
    kind: Literal["values", "bounds"]
    values: list[list]
    more: int
    active: list[Scalar]
    bounds: list[str | None] | None


class SidebarReply(TypedDict):
    type: Literal["sidebar"]
    request_id: str
    version: int
    fields: list[SidebarField]


class StaleReply(TypedDict):
    """The request named an older version: the grid asks again for ``version``."""

    type: Literal["stale"]
    request_id: str
    version: int


class ErrorReply(TypedDict):
    type: Literal["error"]
    request_id: str
    message: str


class Ack(TypedDict):
    """Who: the gesture answered."""

    client: str
    seq: int


class SelectionChanged(TypedDict):
    """The selection changed (or a selection gesture was handled). ``added``/``removed`` list
    the ids that changed when there are few; ``reset`` means many did: re-ask flags.
    ``revision`` counts the changes of the selection (the front end echoes it in
    :class:`SelectionSummary`)."""

    type: Literal["selection"]
    count: int
    revision: int
    added: list[str]
    removed: list[str]
    reset: bool
    ack: Ack | None


class Done(TypedDict):
    """A gesture that changes no selection was handled; ``message`` says why it did nothing."""

    type: Literal["done"]
    ack: Ack | None
    message: str | None


class Snapshot(TypedDict):
    """The ``_snapshot`` trait, set when the grid is displayed: what a grid with no kernel
    behind it draws (a notebook saved with its widget state): the ``state`` and the first rows
    (``page``, thumbnails of ``px`` pixels inline in ``b64``) as they were then."""

    state: GridState
    page: PageReply | None
    px: int


OUTGOING = (
    PageReply,
    GroupsReply,
    FlagsReply,
    DetailReply,
    SidebarReply,
    StaleReply,
    ErrorReply,
    SelectionChanged,
    Done,
)
