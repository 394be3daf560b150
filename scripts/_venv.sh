# Sourced by scripts/run, scripts/test and scripts/check: makes sure ./.venv exists and holds
# this project with the extras it needs. Re-installs only when pyproject.toml changed.
# Usage: RL_EXTRAS="dev,server,postgres" . scripts/_venv.sh
set -euo pipefail
RL_EXTRAS="${RL_EXTRAS:-dev,server,postgres}"
VENV="${RENLAYER_VENV:-.venv}"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "setting up $VENV (first run only; later runs reuse it)" >&2
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
stamp="$VENV/.renlayer-installed-$RL_EXTRAS"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "installing renlayer[$RL_EXTRAS] into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[$RL_EXTRAS]"
    touch "$stamp"
fi
export PATH="$PWD/$VENV/bin:$PATH"
