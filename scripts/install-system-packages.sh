#!/bin/sh
# The system libraries Qt needs on Debian/Ubuntu, for the desktop window (X11/xcb) and for
# the offscreen tests: the PyQt6 wheel bundles Qt itself but not these.
#   scripts/install-system-packages.sh          # the libraries
#   scripts/install-system-packages.sh --xvfb   # also Xvfb, a virtual screen (CI)
# Uses sudo only when not root (root containers have no sudo); does nothing when every
# package is already installed; on macOS there is nothing to install.
set -eu

PACKAGES="libgl1 libegl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libdbus-1-3
libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0"
if [ "${1:-}" = "--xvfb" ]; then PACKAGES="$PACKAGES xvfb"; fi

if [ "$(uname -s)" = "Darwin" ]; then
    echo "macOS: Qt's wheel brings what it needs; nothing to install."
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "No apt-get here: install the equivalents of these Debian packages with your" \
         "system's package manager:" $PACKAGES >&2
    exit 1
fi

missing=""
for p in $PACKAGES; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "System packages: all installed."
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "Run as root (or install sudo) to install:$missing" >&2
        exit 1
    fi
    SUDO="sudo"
fi
echo "Installing:$missing"
# env: sudo would drop an exported DEBIAN_FRONTEND
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086  # one word per package
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
