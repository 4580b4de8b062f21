"""The walkthrough's data: CIFAR-100 with duplicates, or the built-in stand-in when offline.

:func:`cifar100_with_duplicates` writes the first ``size`` CIFAR-100 *test* images as
``<dataset_dir>/<fine_label_name>/<i>.jpg`` and replaces about 5% of the files by byte-identical
copies of other samples' files, like the original FiftyOne walkthrough's data. It reads the
official python archive (``cifar-100-python.tar.gz``) from ``archive=``, the environment
variable ``FO_LITE_CIFAR100_ARCHIVE`` or the cache folder, downloads it when allowed, and when
none of that works says so in one logged line and builds the drawn stand-in
(:func:`make_image_classification_tree`) instead. Ground truth: :func:`read_manifest`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import tarfile
import urllib.request
import warnings
from typing import Any, BinaryIO

import numpy as np

from fo_lite.standin import STANDIN_CLASSES, make_image_classification_tree
from fo_lite.treegen import TreeWriter, duplicate_plan, manifest_path, read_manifest

__all__ = [
    "CIFAR100_MD5",
    "CIFAR100_URL",
    "STANDIN_CLASSES",
    "cifar100_with_duplicates",
    "default_cache_dir",
    "find_cifar100_archive",
    "load_cifar100_test",
    "make_image_classification_tree",
    "manifest_path",
    "read_manifest",
]

logger = logging.getLogger(__name__)

CIFAR100_URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
CIFAR100_MD5 = "eb9058c3a382ffc7106e4002c42a8d85"
ARCHIVE_NAME = "cifar-100-python.tar.gz"
ARCHIVE_ENV = "FO_LITE_CIFAR100_ARCHIVE"
CACHE_ENV = "FO_LITE_CACHE_DIR"
DOWNLOAD_TIMEOUT = 10.0
JPEG_QUALITY = 90


def default_cache_dir() -> str:
    """``$FO_LITE_CACHE_DIR``, else ``$XDG_CACHE_HOME/fo_lite``, else ``~/.cache/fo_lite``."""
    if os.environ.get(CACHE_ENV):
        return os.path.abspath(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fo_lite")


def find_cifar100_archive(archive: str | None = None) -> str | None:
    """Locate the archive: ``archive``, then ``$FO_LITE_CIFAR100_ARCHIVE``, then the cache.

    A path given explicitly (argument or environment variable) must exist, else
    ``FileNotFoundError`` says which one is wrong. Returns ``None`` when nothing is found.
    """
    for given, where in ((archive, "archive="), (os.environ.get(ARCHIVE_ENV), ARCHIVE_ENV)):
        if given:
            path = os.path.abspath(os.fspath(given))
            if not os.path.isfile(path):
                raise FileNotFoundError(
                    f"CIFAR-100 archive {path!r} (from {where}) does not exist; point it at "
                    f"{ARCHIVE_NAME}, or leave it unset to download or use the stand-in"
                )
            return path
    cached = os.path.join(default_cache_dir(), ARCHIVE_NAME)
    return cached if os.path.isfile(cached) else None


def _download(dest: str, timeout: float = DOWNLOAD_TIMEOUT) -> str:
    """Fetch the official archive into ``dest`` (via a temporary file); check its md5."""
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = dest + ".part"
    md5 = hashlib.md5()
    try:
        with urllib.request.urlopen(CIFAR100_URL, timeout=timeout) as resp, open(tmp, "wb") as f:
            from tqdm.auto import tqdm

            total = int(resp.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc="CIFAR-100") as bar:
                while chunk := resp.read(1 << 20):
                    md5.update(chunk)
                    f.write(chunk)
                    bar.update(len(chunk))
        if md5.hexdigest() != CIFAR100_MD5:
            raise ValueError(f"downloaded archive has md5 {md5.hexdigest()}, not {CIFAR100_MD5}")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


class _ArraysOnly(pickle.Unpickler):
    """Unpickler that can rebuild numpy arrays, lists, dicts and strings, nothing else."""

    _ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the archive")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # numpy.core alias on numpy 2
            return super().find_class(module, name)


def _unpickle(f: BinaryIO) -> dict:
    obj = _ArraysOnly(f, encoding="latin1").load()  # the archive's pickles come from Python 2
    if not isinstance(obj, dict):
        raise ValueError("not a CIFAR-100 python archive: a member is not a dict")
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in obj.items()}


def load_cifar100_test(
    archive: str, size: int | None = None, md5: str = CIFAR100_MD5
) -> tuple[np.ndarray, list[int], list[str]]:
    """Read the test split of the CIFAR-100 python archive.

    Returns ``(images, fine_labels, fine_label_names)``: ``images`` is ``(N, 32, 32, 3)``
    uint8 (the first ``size`` test images, all 10,000 when ``size`` is None). The archive's
    md5 must equal ``md5`` (the official archive's by default), else ``ValueError``.
    """
    with open(archive, "rb") as f:
        digest = hashlib.md5()
        while chunk := f.read(1 << 20):
            digest.update(chunk)
        if digest.hexdigest() != md5:
            raise ValueError(
                f"{archive!r} has md5 {digest.hexdigest()}, expected {md5}: not the official "
                f"CIFAR-100 python archive, or a damaged copy; delete it and download {CIFAR100_URL}"
            )
        # Pickle can run arbitrary code, so the archive is unpickled only once its checksum
        # matches the published one, from the same open file (it cannot be swapped in between),
        # and with an unpickler that only rebuilds arrays and plain containers.
        f.seek(0)
        with tarfile.open(fileobj=f, mode="r:gz") as tar:
            test = _unpickle(_member(tar, "test"))
            meta = _unpickle(_member(tar, "meta"))
    try:
        data = np.asarray(test["data"], dtype=np.uint8)
        labels = [int(x) for x in test["fine_labels"]]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in meta["fine_label_names"]]
    except KeyError as e:
        raise ValueError(f"not a CIFAR-100 python archive: missing key {e}") from None
    if data.ndim != 2 or data.shape[1] != 3072 or len(labels) != len(data):
        raise ValueError(f"not a CIFAR-100 python archive: data has shape {data.shape}")
    if size is not None:
        if size > len(data):
            raise ValueError(f"size={size} but the archive's test split has {len(data)} images")
        data, labels = data[:size], labels[:size]
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # channel-major rows -> HWC
    return np.ascontiguousarray(images), labels, names


def _member(tar: tarfile.TarFile, name: str) -> io.BytesIO:
    try:
        f = tar.extractfile(f"cifar-100-python/{name}")
    except KeyError:
        f = None
    if f is None:
        raise ValueError(f"not a CIFAR-100 python archive: no 'cifar-100-python/{name}' member")
    return io.BytesIO(f.read())


def _matching_tree(dataset_dir: str, size: int, seed: int, fraction: float) -> dict | None:
    """The manifest of a tree we already built at ``dataset_dir``, if any (matching or not)."""
    if not os.path.isdir(dataset_dir):
        return None
    try:
        doc = read_manifest(dataset_dir)
    except (OSError, ValueError):
        return None
    doc["_matches"] = (
        doc.get("size") == size
        and doc.get("seed") == seed
        and doc.get("duplicate_fraction") == fraction
    )
    return doc


def cifar100_with_duplicates(
    dataset_dir: str | None = None,
    size: int = 1000,
    seed: int = 51,
    archive: str | None = None,
    download: bool = True,
    duplicate_fraction: float = 0.05,
    *,
    overwrite: bool = False,
    md5: str = CIFAR100_MD5,
) -> str:
    """Build the walkthrough's ``cifar100_with_duplicates`` folder and return its path.

    With the CIFAR-100 archive (see :func:`find_cifar100_archive`; downloaded into
    :func:`default_cache_dir` when ``download=True`` and it is missing): the first ``size``
    test images as ``<dataset_dir>/<fine_label_name>/<i>.jpg``, then
    ``round(duplicate_fraction * size)`` files replaced by byte-identical copies of other
    samples' files (chosen with ``seed``). Without it: one logged line says why, and the
    built-in stand-in (:func:`make_image_classification_tree`, same layout and duplicate rule,
    classes include ``mountain``) is built instead. ``dataset_dir`` defaults to
    ``<cache>/cifar100_with_duplicates``. A tree this function built before with the same
    arguments is reused; one built with other arguments is replaced; any other non-empty
    folder is refused unless ``overwrite=True``. ``md5`` is the archive's expected checksum
    (change it only for a re-packed archive you trust). Ground truth: :func:`read_manifest`.

    Example::

        root = cifar100_with_duplicates(size=1000)
        read_manifest(root)["counts"]["duplicates"]   # 50
    """
    if dataset_dir is None:
        dataset_dir = os.path.join(default_cache_dir(), "cifar100_with_duplicates")
    dataset_dir = os.path.abspath(os.fspath(dataset_dir))
    existing = _matching_tree(dataset_dir, size, seed, duplicate_fraction)
    if existing and existing["_matches"] and existing.get("source") == "cifar100":
        return dataset_dir
    replace = overwrite or existing is not None  # our own older tree may be replaced
    path = find_cifar100_archive(archive)
    why = ""
    if path is None and download:
        dest = os.path.join(default_cache_dir(), ARCHIVE_NAME)
        try:
            logger.info("downloading CIFAR-100 from %s", CIFAR100_URL)
            path = _download(dest)
        except (OSError, ValueError) as e:  # URLError and timeouts are OSErrors
            why = f"could not download it ({_short(e)})"
    elif path is None:
        why = "no local archive and download=False"
    if path is None:
        logger.warning(
            "CIFAR-100 is not available: %s; building the built-in stand-in instead", why
        )
        if existing and existing["_matches"] and existing.get("source") == "standin":
            return dataset_dir
        return make_image_classification_tree(
            dataset_dir,
            size=size,
            seed=seed,
            duplicate_fraction=duplicate_fraction,
            overwrite=replace,
        )
    return _build_cifar(dataset_dir, path, size, seed, duplicate_fraction, replace, md5)


def _short(e: BaseException) -> str:
    reason = getattr(e, "reason", None)
    return f"{type(e).__name__}: {reason if reason is not None else e}"


def _build_cifar(dataset_dir, path, size, seed, fraction, overwrite, md5) -> str:
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive int, got {size!r}")
    from PIL import Image

    images, fine, names = load_cifar100_test(path, size, md5=md5)
    labels = [names[k] for k in fine]
    plan = duplicate_plan(size, fraction, np.random.default_rng(seed))

    def render(i: int) -> bytes:
        buf = io.BytesIO()
        Image.fromarray(images[i]).save(buf, format="JPEG", quality=JPEG_QUALITY)
        return buf.getvalue()

    meta = {"source": "cifar100", "seed": seed, "duplicate_fraction": fraction, "archive_md5": md5}
    with TreeWriter(dataset_dir, labels, plan, overwrite=overwrite, meta=meta) as writer:
        writer.write_all(render)
    return writer.dataset_dir
