"""fo_lite settings, the ``fo.config`` object.

Example::

    import fo_lite as fo

    fo.config.database_dir = "/data/fo_lite"   # later saves and loads use this folder
    fo.config.database_dir = None              # back to the default
    print(fo.config)
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that sets the default :attr:`Config.database_dir`.
DATABASE_DIR_ENV = "FO_LITE_DATABASE_DIR"

#: Where persistent datasets live when neither ``fo.config`` nor the environment says.
DEFAULT_DATABASE_DIR = "~/.fo_lite/datasets"


class Config:
    """Process-wide fo_lite settings (use the shared ``fo_lite.config`` instance).

    ``database_dir`` is the folder holding persistent datasets, one sub-folder per dataset.
    Unless set explicitly, it is read from the ``FO_LITE_DATABASE_DIR`` environment variable at
    each use, else ``~/.fo_lite/datasets``. Changes take effect for later saves and loads; a
    persistent dataset that is already open keeps the folder it was opened from.
    """

    def __init__(self) -> None:
        self._database_dir: str | None = None

    @property
    def database_dir(self) -> str:
        """Absolute path of the folder that holds persistent datasets."""
        raw = self._database_dir
        if raw is None:
            raw = os.environ.get(DATABASE_DIR_ENV) or DEFAULT_DATABASE_DIR
        return os.path.abspath(os.path.expanduser(raw))

    @database_dir.setter
    def database_dir(self, value: str | os.PathLike[str] | None) -> None:
        if value is None:
            self._database_dir = None
            return
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError(
                f"fo.config.database_dir must be a folder path (str or pathlib.Path) or None "
                f"for the default; got {type(value).__name__} {value!r}"
            )
        path = os.fspath(value)
        if not isinstance(path, str) or not path.strip():
            raise ValueError(
                f"fo.config.database_dir must be a non-empty folder path; got {value!r}"
            )
        if Path(os.path.expanduser(path)).is_file():
            raise ValueError(
                f"fo.config.database_dir {path!r} is a file; give a folder (it is created on "
                "the first save)"
            )
        self._database_dir = path

    @property
    def database_dir_source(self) -> str:
        """Where :attr:`database_dir` comes from: ``"set"``, ``"env"`` or ``"default"``."""
        if self._database_dir is not None:
            return "set"
        return "env" if os.environ.get(DATABASE_DIR_ENV) else "default"

    def __repr__(self) -> str:
        source = {
            "set": "set on fo.config",
            "env": f"from ${DATABASE_DIR_ENV}",
            "default": "default",
        }[self.database_dir_source]
        return f"fo_lite config:\n    database_dir = {self.database_dir!r}  ({source})"


#: The shared settings object, exposed as ``fo_lite.config``.
config = Config()
