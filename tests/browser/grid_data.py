"""Generated test data for the grid's browser tests and benchmark (Pillow JPEGs, bad files).

Self-contained (no relative imports) so ``benchmarks/grid_browser.py`` can load it by path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

XSS_LABEL = "<img src=x onerror=alert(1)>"
N_SMALL = 40
XSS_INDEX, BROKEN_INDEX, MISSING_INDEX = 3, 4, 5


@dataclass
class ImageSet:
    """Generated images: ``samples`` is ``[(filepath, label), ...]`` in dataset order."""

    samples: list[tuple[str, str]]
    json_path: Path
    good_files: list[str] = field(default_factory=list)

    @property
    def filepaths(self) -> list[str]:
        return [p for p, _ in self.samples]

    @property
    def labels(self) -> list[str]:
        return [label for _, label in self.samples]


def _draw_image(path: Path, i: int) -> None:
    from PIL import Image, ImageDraw

    hue = int(255 * (i * 0.61803) % 255)
    img = Image.new("HSV", (96, 96), (hue, 120, 230)).convert("RGB")
    draw = ImageDraw.Draw(img)
    fg = Image.new("HSV", (1, 1), ((hue + 128) % 256, 220, 140)).convert("RGB").getpixel((0, 0))
    shape = i % 3
    if shape == 0:
        draw.ellipse((20, 20, 76, 76), fill=fg)
    elif shape == 1:
        draw.rectangle((22, 22, 74, 74), fill=fg)
    else:
        draw.polygon([(48, 14), (82, 80), (14, 80)], fill=fg)
    draw.text((6, 4), f"{i:02d}", fill=(255, 255, 255))
    img.save(path, "JPEG", quality=85)


def make_image_set(d: Path) -> ImageSet:
    """40 samples in ``d``: real JPEGs with distinct labels, one XSS label, one truncated, one missing."""
    d.mkdir(parents=True, exist_ok=True)
    samples = []
    good = []
    for i in range(N_SMALL):
        path = d / f"img_{i:02d}.jpg"
        label = f"label-{i:02d}"
        if i == XSS_INDEX:
            label = XSS_LABEL
        if i == BROKEN_INDEX:
            _draw_image(path, i)
            path.write_bytes(path.read_bytes()[:300])  # truncated JPEG
        elif i == MISSING_INDEX:
            path = d / "does_not_exist.jpg"
        else:
            _draw_image(path, i)
            good.append(str(path))
        samples.append((str(path), label))
    json_path = d / "samples.json"
    json_path.write_text(json.dumps(samples))
    return ImageSet(samples=samples, json_path=json_path, good_files=good)


def dashboard_cells(samples_json: Path, name: str) -> list[str]:
    """The two cells a user runs: build the dataset, then launch the dashboard."""
    return [
        "import json\n"
        "import fo_lite as fo\n"
        f"samples = [tuple(s) for s in json.load(open({str(samples_json)!r}))]\n"
        f"dataset = fo.Dataset.from_image_classification_samples(samples, name={name!r})",
        "session = fo.launch_dashboard(dataset=dataset)",
    ]


def make_big_jpeg(path: Path, size: tuple[int, int] = (2400, 1800)) -> str:
    """A photo-sized JPEG (a gradient with a disc), for the expanded view."""
    from PIL import Image, ImageDraw

    img = Image.linear_gradient("L").resize(size).convert("RGB")
    ImageDraw.Draw(img).ellipse(
        (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(200, 30, 90)
    )
    img.save(path, "JPEG", quality=85)
    return str(path)
