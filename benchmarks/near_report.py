"""Markdown for the near-duplicate benchmark (results/near_dups.json -> tables).

python benchmarks/near_report.py benchmarks/results/near_dups.json
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

KINDS = ("reencode", "resize", "crop", "brightness", "exact")


def _fmt(x, digits=3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _at(curve: list, threshold) -> dict:
    return next(row for row in curve if row["threshold"] == threshold)


def _default_threshold() -> float:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fo_lite.brain.compute import DEFAULT_THRESHOLD

    return DEFAULT_THRESHOLD


def render(results: dict) -> str:
    default = _default_threshold()
    lines = [
        f"Run `{results['command']}` on {results['when']} ({results['machine']}). Each "
        "contender runs in a fresh process, interleaved with the others; seconds are medians "
        "(all runs in `results/near_dups.json`, with the load average before each).",
        "",
    ]
    targets = []
    for tree in results["trees"]:
        n, (w, h) = tree["size"], tree["image_size"]
        ips = tree["images_per_second"]
        lines += [
            f"#### {n:,} images of {w}x{h} (smallest distance between two base images: "
            f"{tree['min_base_distance']})",
            "",
            "| contender | seconds | images/s | fo_lite / contender (speed) |",
            "|---|---|---|---|",
        ]
        for name, secs in tree["median_seconds"].items():
            ratio = ips["fo_lite"] / ips[name] if "fo_lite" in ips else None
            lines.append(f"| {name} | {secs:.2f} | {ips[name]:,.0f} | {_fmt(ratio, 2)} |")
        lines.append("")
        q = tree["quality"]
        if "fo_lite" in q:
            lines += [
                "fo_lite (`compute_near_duplicates`), by pixel-distance threshold:",
                "",
                "| threshold | precision | false pairs | "
                + " | ".join(f"recall {k}" for k in KINDS)
                + " |",
                "|---|---|---|" + "---|" * len(KINDS),
            ]
            for row in q["fo_lite"]:
                mark = " (default)" if row["threshold"] == default else ""
                lines.append(
                    f"| {row['threshold']}{mark} | {_fmt(row['precision'])} | {row['false_pairs']} | "
                    + " | ".join(_fmt(row[f"recall_{k}"]) for k in KINDS)
                    + " |"
                )
            lines.append("")
        hashers = [k for k in q if k != "fo_lite"]
        if hashers:
            lines += [
                "Hash methods, by Hamming threshold (64-bit hashes; groups = pairs within it):",
                "",
                "| method | bits | precision | " + " | ".join(f"recall {k}" for k in KINDS) + " |",
                "|---|---|---|" + "---|" * len(KINDS),
            ]
            for name in hashers:
                for row in q[name]:
                    if row["threshold"] in (0, 2, 4, 6, 8):
                        lines.append(
                            f"| {name} | {row['threshold']} | {_fmt(row['precision'])} | "
                            + " | ".join(_fmt(row[f"recall_{k}"]) for k in KINDS)
                            + " |"
                        )
            lines.append("")
        targets += _targets(tree, default)
    if "grouping" in results:
        g = results["grouping"]
        how = f" (`{g['command']}`, {g['when']})" if "command" in g else ""
        steps = g.get("steps")
        split = ""
        if steps:
            med = {k: statistics.median(s[k] for s in steps) for k in steps[0]}
            split = "; median per step: " + ", ".join(f"{k} {v:.2f} s" for k, v in med.items())
        lines += [
            f"**Grouping {g['hashes']:,} pHashes**{how}: pHashes of random smooth images, "
            f"{g['planted_pairs']:,} of them near copies of others (0-4 bits flipped); exact "
            f"buckets, multi-index pairs within 4 bits, union-find: {g['median_seconds']:.2f} s "
            f"median (runs: {', '.join(f'{s:.2f}' for s in g['seconds'])}{split}); planted "
            f"pairs found: {g['planted_found']:.4f}, {g['groups']:,} groups.",
            "",
        ]
        targets.append(("1M hashes grouped, s", f"{g['median_seconds']:.2f}", "seconds", True))
    lines += [
        "Targets of issue 9:",
        "",
        "| target | measured | wanted | holds |",
        "|---|---|---|---|",
    ]
    for what, got, want, ok in targets:
        lines.append(f"| {what} | {got} | {want} | {'yes' if ok else '**no**'} |")
    return "\n".join(lines) + "\n"


def _targets(tree: dict, default: float) -> list:
    out = []
    n, (w, h) = tree["size"], tree["image_size"]
    tag = f"{n:,} x {w}x{h}"
    q = tree["quality"].get("fo_lite")
    if q:
        row = _at(q, default)
        out.append(
            (
                f"{tag}: precision at {default}",
                _fmt(row["precision"]),
                ">= 0.99",
                row["precision"] >= 0.99,
            )
        )
        for k in ("reencode", "resize", "brightness"):
            r = row[f"recall_{k}"]
            out.append((f"{tag}: recall {k}", _fmt(r), ">= 0.95", r is not None and r >= 0.95))
        r = row["recall_crop"]
        out.append((f"{tag}: recall crop", _fmt(r), ">= 0.8", r is not None and r >= 0.8))
    ips = tree["images_per_second"]
    if "fo_lite" in ips and w <= 64:
        for other, want in (("imagehash_phash", 3.0), ("imgdd_phash", 0.5)):
            if other in ips:
                ratio = ips["fo_lite"] / ips[other]
                out.append(
                    (
                        f"{tag}: fo_lite / {other} (images/s)",
                        f"{ratio:.2f}",
                        f">= {want}",
                        ratio >= want,
                    )
                )
    secs = tree["median_seconds"]
    if "fo_lite" in secs and "pillow_floor" in secs and w > 64:
        ratio = secs["fo_lite"] / secs["pillow_floor"]
        out.append(
            (
                f"{tag}: fo_lite / Pillow draft loop (seconds)",
                f"{ratio:.2f}",
                "<= 1.3",
                ratio <= 1.3,
            )
        )
    return out


def update_readme(path: Path, text: str, begin: str, end: str) -> None:
    """Replace the text between the markers (appending a section if they are missing)."""
    readme = path.read_text(encoding="utf-8")
    block = f"{begin}\n\n{text}\n{end}"
    if begin in readme and end in readme:
        head, rest = readme.split(begin, 1)
        _, tail = rest.split(end, 1)
        readme = head + block + tail
    else:
        readme = readme.rstrip("\n") + "\n\n## Results: near duplicates\n\n" + block + "\n"
    path.write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    print(render(json.loads(Path(sys.argv[1]).read_text())))
