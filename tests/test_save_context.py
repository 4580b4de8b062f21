"""Saving in loops: iter_samples(autosave=True) and save_context(), as in FiftyOne."""

from __future__ import annotations

import pytest

import fo_lite as fo
from fo_lite.core import registry, storage


@pytest.fixture
def dataset():
    ds = fo.Dataset(name="loops")
    ds.add_samples([fo.Sample(filepath=f"image{i}.jpg") for i in range(51)])
    return ds


def test_the_four_ways_of_fiftyone_s_test_iter_samples(dataset):
    first_sample = dataset.first()
    view = dataset.limit(50)
    for idx, sample in enumerate(view):
        sample["int"] = idx + 1
        sample.save()
    assert dataset.bounds("int") == (1, 50)
    for idx, sample in enumerate(view.iter_samples(progress=True)):
        sample["int"] = idx + 2
        sample.save()
    assert dataset.bounds("int") == (2, 51)
    for idx, sample in enumerate(view.iter_samples(autosave=True)):
        sample["int"] = idx + 3
    assert dataset.bounds("int") == (3, 52)
    with view.save_context() as context:
        for idx, sample in enumerate(view):
            sample["int"] = idx + 4
            context.save(sample)
    assert dataset.bounds("int") == (4, 53)
    assert first_sample.int == 4  # a handle read again sees the saved value


def test_autosave_saves_what_the_loop_finished_before_a_break(dataset):
    for i, sample in enumerate(dataset.iter_samples(autosave=True, batch_size=10)):
        if i == 5:
            sample["x"] = "not saved: the loop broke before moving on"
            break
        sample["x"] = "saved"
    assert dataset.count_values("x") == {"saved": 5, None: 46}


def test_in_place_changes_are_autosaved_too(dataset):
    for sample in dataset.limit(3).iter_samples(autosave=True):
        sample.tags.append("seen")
    assert dataset.count_sample_tags() == {"seen": 3}


def test_a_persistent_dataset_is_written_per_batch_and_at_exit(dataset, monkeypatch):
    dataset.persistent = True
    writes = []
    real = storage.save_state
    monkeypatch.setattr(storage, "save_state", lambda *a, **k: writes.append(1) or real(*a, **k))
    with dataset.save_context(batch_size=20) as ctx:
        for sample in dataset:
            sample["y"] = 1
            ctx.save(sample)
    assert len(writes) == 3  # after 20, after 40, and at exit
    folder = registry.dataset_dir("loops")
    assert storage.load_state(folder)[0]["y"].tolist() == [1] * 51


def test_bad_batching_arguments_are_refused(dataset):
    with pytest.raises(ValueError, match="batching_strategy must be one of"):
        dataset.save_context(batching_strategy="size")
    with pytest.raises(ValueError, match="batch_size must be a positive number"):
        dataset.iter_samples(autosave=True, batch_size=0)
