"""fo_lite's seed walkthrough with the hash loop saving by ``with dataset.save_context() as ctx: ... ctx.save(sample)``.

Everything else is ``fo_lite_seed.py``; the two are timed side by side by ``benchmarks/run.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fo_lite_seed import main  # noqa: E402

if __name__ == "__main__":
    main(save="save_context")
