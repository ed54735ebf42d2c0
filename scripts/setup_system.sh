#!/usr/bin/env bash
# System packages for the real-browser tests: Debian's Chromium and fonts.
# Installed only when running as root with apt-get available; otherwise the browser
# tests skip with a message saying what to install.
set -eu
need=()
[ -x /usr/lib/chromium/chromium ] || need+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
    echo "note: browser tests need: apt-get install ${need[*]} (not root: skipping)" >&2
fi
