#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a browser Playwright downloads).
# Install it when missing and we may (root with apt); otherwise the browser
# tests skip and say how to enable them.
set -u
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
