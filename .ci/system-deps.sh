#!/usr/bin/env bash
# System packages some tests use: graphviz (`raf show --svg/--png`) and chromium
# (the headless check of `raf report`'s HTML page). Debian/Ubuntu, via apt-get.
#
# Best effort by design: without apt-get or root this prints why and exits 0,
# and the tests that need the missing program skip with that reason.
set -u
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: no apt-get here; not installing ${need[*]} (those tests will skip)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "system-deps: not root and no sudo; not installing ${need[*]} (those tests will skip)" >&2
    exit 0
  fi
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { $sudo apt-get update -qq && \
       $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
  echo "system-deps: apt-get failed for ${need[*]} (those tests will skip)" >&2
fi
exit 0
