#!/bin/sh
# `npm run build:helper`: builds the privileged eBPF helper into dist/helper/netmon-capture. The helper is
# optional (netmon works without it, with the unprivileged sampler), so a machine without the tools gets
# a warning and a zero exit, except on CI (CI=true), where a missing tool is an error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
out="$root/dist/helper"

# eBPF is Linux's: on a Mac (a macOS CI runner too) there is nothing to build, and `npm run dist -- --mac`
# must not stop here.
if [ "$(uname -s)" != "Linux" ]; then
  echo "netmon-capture is Linux only; not built on $(uname -s)" >&2
  exit 0
fi

missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need clang clang
need bpftool bpftool
need cc gcc
need make make
arch=$(cc -dumpmachine 2>/dev/null || echo unknown)
[ -f /usr/include/bpf/libbpf.h ] || missing="$missing libbpf-dev"
[ -f /usr/include/libelf.h ] || missing="$missing libelf-dev"
[ -f /usr/include/zlib.h ] || missing="$missing zlib1g-dev"
[ -f "/usr/include/$arch/asm/types.h" ] || [ -f /usr/include/asm/types.h ] || missing="$missing linux-libc-dev"

if [ -n "$missing" ]; then
  echo "netmon-capture not built: missing Debian packages:$missing (sudo apt-get install$missing)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
fi

make -s -C "$here" OUT="$out"
echo "built $out/netmon-capture (it needs root, or: sudo setcap cap_bpf,cap_net_admin,cap_perfmon+ep $out/netmon-capture)"
