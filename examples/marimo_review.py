"""Review a folder of labelled images with the fo_lite grid in marimo.

    pip install fo_lite marimo
    FO_LITE_REVIEW_DIR=/path/to/images marimo run examples/marimo_review.py

``FO_LITE_REVIEW_DIR`` is a folder of ``<label>/<image>`` files; without it the app builds fo_lite's
built-in stand-in images in a temporary folder. Click tiles to select them: the "Selected" cell
reads ``grid``, so marimo re-runs it on every change of the selection. See docs/frontends.md.
"""

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full")


@app.cell
def _():
    import os
    import tempfile

    import marimo as mo

    import fo_lite as fo
    from fo_lite.zoo import make_image_classification_tree

    return fo, make_image_classification_tree, mo, os, tempfile


@app.cell
def _(fo, make_image_classification_tree, os, tempfile):
    images = os.environ.get("FO_LITE_REVIEW_DIR") or make_image_classification_tree(
        os.path.join(tempfile.mkdtemp(), "shapes"), size=200
    )
    dataset = fo.Dataset.from_dir(images, name="review", overwrite=True)
    return (dataset,)


@app.cell
def _(dataset, fo, mo):
    session = fo.launch_dashboard(dataset=dataset, tile_size=96)  # shows the grid here
    # the name marimo follows: the cells that read `grid` re-run when the selection changes
    grid = mo.ui.anywidget(session)
    return grid, session


@app.cell
def _(dataset, mo):
    ALL = "(all labels)"
    label = mo.ui.dropdown(
        options=[ALL, *dataset.distinct("ground_truth.label")], value=ALL, label="Label"
    )
    label  # noqa: B018 - a marimo cell shows its last expression
    return ALL, label


@app.cell
def _(ALL, dataset, label, session):
    # runs when the dropdown changes (not on clicks: it reads the session, not the selection)
    session.view = (
        None if label.value == ALL else dataset.match({"ground_truth.label": label.value})
    )
    return


@app.cell
def _(grid, mo, session):
    grid.value  # noqa: B018 - read the grid: this cell re-runs on every selection change
    selected = session.selected
    mo.vstack(
        [
            mo.md(f"**Selected: {len(selected)}**"),
            mo.plain_text("\n".join(selected)),
        ]
    )
    return


if __name__ == "__main__":
    app.run()
