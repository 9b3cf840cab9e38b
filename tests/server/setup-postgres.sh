#!/usr/bin/env bash
# The class server's tests start a throwaway PostgreSQL with Debian's initdb/pg_ctl.
# Install Debian's postgresql when they are missing and we may (root with apt).
# The system-wide cluster it sets up is not used (nor started by the tests).
set -u
if command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's postgresql for the class server's tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
    || echo "Could not install postgresql: the PostgreSQL tests fail in CI, skip elsewhere."
else
  echo "PostgreSQL (pg_ctl) is missing and this is not root: its tests will be skipped."
  echo "Enable them with: sudo apt-get install postgresql"
fi
exit 0
