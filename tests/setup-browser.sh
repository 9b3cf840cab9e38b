#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a browser Playwright downloads).
# Install it when missing and we may (root with apt); otherwise the browser
# tests skip and say how to enable them.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
# axe-core for the accessibility tests (tests/test_a11y.py), from npm into tests/.axe.
if [ ! -f "$here/.axe/node_modules/axe-core/axe.min.js" ]; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's npm for axe-core..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  if command -v npm >/dev/null 2>&1; then
    npm install --prefix "$here/.axe" --no-audit --no-fund --silent axe-core@4 \
      || echo "Could not install axe-core: the accessibility tests will be skipped (failed in CI)."
  else
    echo "npm is missing: the accessibility tests need axe-core (apt-get install npm)."
  fi
fi
# configurable-http-proxy for the JupyterHub test (tests/test_jupyterhub.py), into tests/.chp.
if [ ! -x "$here/.chp/node_modules/.bin/configurable-http-proxy" ]; then
  if command -v npm >/dev/null 2>&1; then
    npm install --prefix "$here/.chp" --no-audit --no-fund --silent configurable-http-proxy \
      || echo "Could not install configurable-http-proxy: the JupyterHub test will be skipped (failed in CI)."
  else
    echo "npm is missing: the JupyterHub test needs configurable-http-proxy (apt-get install npm)."
  fi
fi
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || echo "Could not install chromium: browser tests will be skipped."
else
  echo "chromium is missing and this is not root: browser tests will be skipped."
  echo "Enable them with: sudo apt-get install chromium"
fi
exit 0
