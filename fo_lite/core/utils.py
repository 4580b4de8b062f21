"""FiftyOne's ``fiftyone.core.utils`` names that fo_lite provides.

>>> import fo_lite.core.utils as fou
>>> fou.compute_filehash  # doctest: +ELLIPSIS
<function compute_filehash at ...>
"""

from __future__ import annotations

from fo_lite.core.features import compute_filehash

__all__ = ["compute_filehash"]
