#!/bin/sh
# npm run test:asan: the tests that reach C, against the sanitizer build.
# node itself is not instrumented, so the ASan runtime has to be the first
# library loaded: LD_PRELOAD it (libubsan comes in as the binding's own
# dependency). Every child a test starts (ip netns exec node ...) inherits
# the environment, so fixtures run against the same build.
# Arguments replace the default list of test files.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
native=$(scripts/build-asan.sh)
asan=$(gcc -print-file-name=libasan.so)
[ -f "$asan" ] || { echo "test:asan: no libasan.so (install gcc's libasan)" >&2; exit 1; }
# Leak checking is off: V8 and node, not instrumented, keep memory to the
# end, and LeakSanitizer would report all of it. Descriptor and mapping
# leaks are what test/finalizer.test.ts and the fault tests count instead.
# A small quarantine: use-after-free of recent frees is still caught, and the
# savefile fuzzer's RSS bound (768 MiB) still holds.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:quarantine_size_mb=32"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LD_PRELOAD="$asan"
export NETMAP_PCAP_NATIVE="$native"
# The ring-index fuzz at the issue's size: a million writes.
export RING_FUZZ_WRITES="${RING_FUZZ_WRITES:-1000000}"
# Prove the instrumented binary is the one loaded before trusting a green run.
node -e '
  require("./dist/lib/binding.js");
  const maps = require("fs").readFileSync("/proc/self/maps", "utf8");
  if (!maps.includes(process.env.NETMAP_PCAP_NATIVE) || !maps.includes("libasan")) {
    console.error("test:asan: the sanitizer build is not the one loaded"); process.exit(1);
  }'
if [ $# -eq 0 ]; then
  set -- test/savefile-bad.test.ts test/savefile-corpus.test.ts test/savefile-fuzz.test.ts \
    test/robustness.test.ts test/ports.test.ts test/filter-table.test.ts test/pipe.test.ts \
    test/api.test.ts test/ring-fuzz.test.ts test/faults.test.ts test/finalizer.test.ts test/contract/conformance.test.ts
fi
exec npx --no-install tap --disable-coverage "$@"
