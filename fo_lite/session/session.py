"""Session: the dashboard widget (an anywidget). Traits and the user-facing API only.

The grid's messages are answered by :class:`~fo_lite.session.controller.GridController`; their
shapes are in :mod:`fo_lite.session.messages`; the front end is ``widgets/grid.js``.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from fo_lite.core.dataset import Dataset
from fo_lite.core.view import DatasetView
from fo_lite.session import esm, snapshot
from fo_lite.session.controller import GridController
from fo_lite.session.decorations import Decorations
from fo_lite.session.messages import CONSTANTS, MAX_TILE, MIN_TILE, GridState
from fo_lite.session.text import field_problem
from fo_lite.session.thumbnails import ThumbnailCache

logger = logging.getLogger("fo_lite.session")


def _widgets_dir() -> Path:
    import fo_lite

    package = Path(fo_lite.__file__).parent
    shipped = package / "widgets"  # wheel: widgets/ is installed as fo_lite/widgets
    return shipped if (shipped / "grid.js").is_file() else package.parent / "widgets"


class _SelectedIds(traitlets.List):
    """A list trait whose getter hands out a copy, so ``session.selected.append(x)`` cannot
    change the selection behind the grid's back (FiftyOne's semantics)."""

    def get(self, obj: Any, cls: Any = None) -> Any:
        value = super().get(obj, cls)
        return list(value) if value is not None else value

    def validate(self, obj: Any, value: Any) -> list[str]:
        return as_ids(value)


class Session(anywidget.AnyWidget):
    """The dashboard: a live thumbnail grid of a dataset or view, two-way with Python.

    Click tiles in the grid and read ``session.selected``; set ``session.view``,
    ``session.selected``, ``session.expanded`` or ``session.group_by`` from Python and the grid
    follows. Make one with :func:`launch_dashboard`::

        session = fo.launch_dashboard(dataset=dataset)
        session.view = dataset.view().take(10)
        ids = session.selected

    Clicks reach Python only while the kernel is idle: grid messages that arrive while a cell
    runs are answered when it finishes (the grid's header says "waiting for the kernel…").
    """

    _esm = esm.bundle(_widgets_dir() / "grid.js")
    _css = _widgets_dir() / "grid.css"

    dataset = traitlets.Any(None, allow_none=True, help="the Dataset shown (None: empty grid)")
    view = traitlets.Any(None, allow_none=True, help="a DatasetView of dataset, or None for all")
    selected = _SelectedIds(help="ids of the selected samples (a copy; assign to change)")
    expanded = traitlets.Unicode(None, allow_none=True, help="id of the sample shown large").tag(
        sync=True
    )
    group_by = traitlets.Unicode(None, allow_none=True, help="field whose groups form bands")
    label_field = traitlets.Unicode("ground_truth", allow_none=True, help="label over tiles")
    tile_field = traitlets.Unicode(None, allow_none=True, help="field under tiles").tag(sync=True)
    tile_size = traitlets.Int(128, help="tile size in CSS pixels").tag(sync=True)
    decorations = traitlets.Instance(
        Decorations, allow_none=True, help="extras on tiles and group headers"
    )

    _constants = traitlets.Dict(dict(CONSTANTS)).tag(sync=True)  # crosses once
    _state = traitlets.Dict({}).tag(sync=True)  # a GridState
    _snapshot = traitlets.Dict({}).tag(sync=True)  # a Snapshot, for a grid with no kernel
    # a SelectionSummary the front end sets, so marimo re-runs the cells that read the grid
    _selection = traitlets.Dict(
        {"count": 0, "revision": 0},
        per_key_traits={"count": traitlets.Int(), "revision": traitlets.Int()},
    ).tag(sync=True)

    def __init__(
        self,
        dataset: Any = None,
        view: Any = None,
        *,
        selected: Iterable[str] | None = None,
        tile_field: str | None = None,
        tile_size: int = 128,
        label_field: str | None = "ground_truth",
        group_by: str | None = None,
        executor: Executor | None = None,
        thumbnails: ThumbnailCache | None = None,
    ) -> None:
        self._grid = GridController(self, self._set_state, thumbnails, executor)
        constants = {**CONSTANTS, "session": uuid.uuid4().hex}
        super().__init__(tile_size=tile_size, label_field=label_field, _constants=constants)
        self.on_msg(lambda _widget, content, buffers: self._grid.receive(content, buffers))
        if dataset is None and isinstance(view, DatasetView):
            dataset = view.dataset
        self.dataset = dataset
        self.tile_field = tile_field
        self.group_by = group_by
        if view is not None:  # after group_by: a view may come with its own (display_with)
            self.view = view
        if selected is not None:
            self.selected = selected

    # -- user API -------------------------------------------------------------------------
    def clear_selected(self) -> None:
        """Deselect every sample."""
        self.selected = []

    def select_samples(self, ids: str | Iterable[Any]) -> None:
        """Select exactly these samples (ids, or samples with an ``id``), replacing the
        selection.

        >>> session.select_samples([sample.id for sample in dataset.view().limit(3)])  # doctest: +SKIP
        """
        self.selected = ids

    @property
    def selected_view(self) -> Any:
        """A view of the selected samples (dataset order), or None when nothing is selected."""
        ids = self.selected
        if not ids or self.dataset is None:
            return None
        return self.dataset.select(ids)

    @property
    def filters(self) -> dict[str, list]:
        """The sidebar's filters: ``{field path: [values]}`` (a copy; the view holds them too)."""
        return {path: list(values) for path, values in self._grid.filters.values.items()}

    def refresh(self) -> None:
        """Redraw the grid from the dataset as it is now (e.g. after deleting samples or
        adding a field); selected ids of deleted samples are dropped from the selection."""
        self._grid.refresh()

    def show(self) -> None:
        """Display the grid (again) in the current cell's output: Jupyter, Voila or marimo."""
        marimo = _marimo()
        if marimo is not None:
            marimo.output.append(self)  # shown by marimo's anywidget formatter
            return
        from IPython.display import display

        display(self)

    def _ipython_display_(self, **kwargs: Any) -> None:
        """``display(session)``: the live grid, its first rows pushed, then a static snapshot
        as an output of its own for readers without a kernel (see :mod:`.snapshot`)."""
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        if bundle is None:
            return
        data, metadata = bundle
        display(data, metadata=metadata, raw=True)
        self._grid.displayed()
        html = self._take_snapshot()
        if html is not None:
            display({"text/html": html}, raw=True)

    def _take_snapshot(self) -> str | None:
        """Set ``_snapshot`` to what the grid shows now and return the same rows as static HTML
        (None, with a warning, when they cannot be read: the live grid shows regardless)."""
        grid = self._grid
        try:
            snap, html = snapshot.take(
                grid.shown,
                grid.state(),
                grid.selection,
                label_field=self.label_field,
                tile_field=self.tile_field,
                thumbs=grid.thumbs,
                decorations=self.decorations,
            )
        except Exception as exc:
            logger.warning("fo_lite dashboard: no static snapshot: %s: %s", type(exc).__name__, exc)
            return None
        self._snapshot = dict(snap)
        return html

    def __repr__(self) -> str:
        state = self._state
        return snapshot.summary_text(
            state.get("dataset_name", ""),
            state.get("view", []),
            state.get("length", 0),
            state.get("selected_count", 0),
            self.tile_field,
        )

    def _set_state(self, state: GridState) -> None:
        self._state = dict(state)

    # -- validation -----------------------------------------------------------------------
    @traitlets.validate("dataset")
    def _check_dataset(self, proposal: Any) -> Any:
        value = proposal["value"]
        if value is not None and not isinstance(value, Dataset):
            hint = " (for a view, use session.view = ...)" if isinstance(value, DatasetView) else ""
            raise TypeError(f"session.dataset must be a Dataset or None, not {value!r:.80}{hint}")
        if value is self.dataset and value is not None:
            self._grid.dataset_assigned()  # same object: traitlets stays silent, FiftyOne resets
        return value

    @traitlets.validate("view")
    def _check_view(self, proposal: Any) -> Any:
        value = proposal["value"]
        if value is not None and not isinstance(value, DatasetView):
            raise TypeError(
                f"session.view must be a DatasetView or None, not {value!r:.80}; to show a whole "
                "dataset use session.view = None or session.dataset = dataset"
            )
        try:
            unchanged = bool(self.view == value)
        except Exception:
            unchanged = False
        if unchanged:  # traitlets stays silent for an equal value; FiftyOne resets
            self._grid.view_assigned(value)
        return value

    @traitlets.validate("tile_size")
    def _check_tile_size(self, proposal: Any) -> int:
        value = proposal["value"]
        if not MIN_TILE <= value <= MAX_TILE:
            raise ValueError(f"tile_size must be between {MIN_TILE} and {MAX_TILE} px, not {value}")
        return value

    @traitlets.validate("tile_field", "group_by")
    def _check_field(self, proposal: Any) -> str | None:
        value, name = proposal["value"], proposal["trait"].name
        if value and self.dataset is not None:
            schema = self.dataset.get_field_schema()
            problem = field_problem(schema, name, value, self.dataset.name)
            if problem:
                raise ValueError(problem)
        return value or None

    @traitlets.validate("expanded")
    def _check_expanded(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value is None:
            return None
        dataset = self.dataset
        if not isinstance(value, str) or dataset is None or dataset.positions_of([value])[0] < 0:
            name = dataset.name if dataset is not None else None
            raise ValueError(
                f"session.expanded must be the id of a sample of dataset {name!r} or None, "
                f"not {value!r:.80}"
            )
        return value

    # -- reactions ------------------------------------------------------------------------
    @traitlets.observe("dataset")
    def _on_dataset(self, change: dict) -> None:
        self._grid.dataset_assigned()

    @traitlets.observe("view")
    def _on_view(self, change: dict) -> None:
        self._grid.view_assigned(change["new"])

    @traitlets.observe("selected")
    def _on_selected(self, change: dict) -> None:
        self._grid.selected_assigned(change["new"])

    @traitlets.observe("label_field", "tile_field", "group_by", "decorations")
    def _on_shown_fields(self, change: dict) -> None:
        self._grid.publish()


def as_ids(value: Any) -> list[str]:
    """Sample ids from ids, samples or a mix (duplicates dropped, first kept)."""
    if isinstance(value, str):
        value = [value]
    if value is None:
        return []
    if isinstance(value, list) and all(type(item) is str for item in value):
        return list(dict.fromkeys(value))  # the common case, without a Python-level loop
    try:
        items = list(value)
    except TypeError:
        raise TypeError(
            f"selected must be a list of sample ids (strings), not {value!r:.80}"
        ) from None
    ids = []
    for item in items:
        sample_id = item if isinstance(item, str) else getattr(item, "id", None)
        if not isinstance(sample_id, str):
            raise TypeError(f"selected must hold sample ids (strings) or samples, not {item!r:.80}")
        ids.append(sample_id)
    return list(dict.fromkeys(ids))


def _marimo() -> Any:
    """The marimo module when this runs in a marimo notebook or app, else None (marimo is
    never imported here: an app has imported it already)."""
    marimo = sys.modules.get("marimo")
    try:
        return marimo if marimo is not None and marimo.running_in_notebook() else None
    except Exception:  # an unexpected marimo: behave as outside it
        return None


def launch_dashboard(dataset: Any = None, view: Any = None, **kwargs: Any) -> Session:
    """Show the dashboard grid in this cell's output and return its :class:`Session`.

    >>> session = fo.launch_dashboard(dataset=dataset)  # doctest: +SKIP
    >>> session.view = dataset.view().take(10)           # doctest: +SKIP
    >>> session.selected                                 # ids clicked in the grid  # doctest: +SKIP

    Clicks, shift-click ranges and the header buttons reach Python only while the kernel is
    idle: while a cell is running, the grid's messages wait (its header shows "waiting for the
    kernel…") and are handled when the cell finishes, so read ``session.selected`` in a later
    cell, not in a loop of the cell that is running. Assign the result (``session = ...``); a bare call
    as the last line of a cell shows the grid twice. Keyword arguments go to :class:`Session`
    (``tile_field``, ``tile_size``, ``label_field``, ``group_by``, ``executor`` for parallel
    thumbnails).

    In marimo the grid shows too; to re-run cells on clicks, name it for marimo in another cell,
    ``grid = mo.ui.anywidget(session)``, and read ``grid.value`` where ``session.selected`` is
    read (docs/frontends.md).
    """
    session = Session(dataset=dataset, view=view, **kwargs)
    if _marimo() is not None:
        session.show()
        return session
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - plain Python without IPython
        return session
    if get_ipython() is not None:
        session.show()
    return session
