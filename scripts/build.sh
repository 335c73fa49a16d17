#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# build.sh [DIR [MESON-OPTIONS...]] — configure (once) and build, then stage
# an install under DIR/stage (plugins in DIR/stage/opt/cni/bin, the CLI in
# DIR/stage/usr/local/bin).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$(realpath -m "${1:-$top/build}")
shift || true
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$top" "$@" >"$top/.setup.log" 2>&1 || { cat "$top/.setup.log" >&2; exit 1; }
fi
ninja -C "$dir" >"$dir/.ninja.log" 2>&1 || { tail -50 "$dir/.ninja.log" >&2; exit 1; }
rm -rf "$dir/stage"
DESTDIR="$dir/stage" meson install -C "$dir" --quiet >/dev/null
