#!/bin/sh
# Build the native binding with AddressSanitizer and UndefinedBehaviorSanitizer
# into build-asan/ (build/ keeps the normal binary, so the two never mix).
# node-gyp always builds into ./build of the directory holding binding.gyp,
# so build-asan/ holds links to the real binding.gyp and csrc/ and is built
# there. Load the result with NETMAP_PCAP_NATIVE (see scripts/test-asan.sh).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build-asan"
mkdir -p "$out"
ln -sfn "$root/binding.gyp" "$out/binding.gyp"
ln -sfn "$root/csrc" "$out/csrc"
# -O1 and frame pointers: usable stacks at a bearable cost. The sanitizers
# stop at the first finding (-fno-sanitize-recover) so a test cannot pass
# over one. gyp appends binding.gyp's -O2 after CFLAGS; that is fine.
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
cd "$out"
CFLAGS="$san" LDFLAGS="-fsanitize=address,undefined" npx --no-install node-gyp rebuild >build.log 2>&1 || { cat build.log >&2; exit 1; }
echo "$out/build/Release/netmap_pcap.node"
