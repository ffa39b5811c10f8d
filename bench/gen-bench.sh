#!/usr/bin/env bash
# bench/gen-bench.sh — measure bench/out/gen's TX modes on a private veth pair.
#
#   bench/gen-bench.sh [COUNT] [REPS]      (defaults 2000000, 3; needs root)
#
# Creates netns nmpgen-$$ (bench/netns.sh), removes it on exit. Prints one
# JSON line per run: gen's own line plus the receiver ("drop": nobody
# listens, the kernel drops; "tcpdump": tcpdump -w /dev/null on nmp1),
# frames that arrived at nmp1 and frames veth dropped on nmp0.
# Placement: gen on CPU 0; the receiver (nmp1's NAPI thread, tcpdump) on
# CPU 1, so each run is not a scheduler lottery.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-2000000}
REPS=${2:-3}
GEN=bench/out/gen
NS=nmpgen-$$

mkdir -p bench/out
gcc -O2 -Wall -o "$GEN" bench/gen.c

source bench/netns.sh
TCPDUMP_PID=
cleanup() {
	[[ -n $TCPDUMP_PID ]] && kill "$TCPDUMP_PID" 2>/dev/null || true
	netns_down "$NS"
}
trap cleanup EXIT
netns_up "$NS"

# nmp1's NAPI kthread(s) onto CPU 1.
# (pgrep matches at most 15 characters of pattern: keep it short.)
for pid in $(pgrep '^napi/nmp1-' || true); do taskset -pc 1 "$pid" >/dev/null; done

stat() { ip netns exec "$NS" cat "/sys/class/net/$1/statistics/$2"; }

run() { # receiver mode size bypass [extra gen args]
	local recv=$1 mode=$2 size=$3 bypass=$4; shift 4
	local rx0 drop0 line
	if [[ $recv == tcpdump ]]; then
		ip netns exec "$NS" taskset -c 1 tcpdump -q -i nmp1 -w /dev/null \
			2>bench/out/tcpdump.err &
		TCPDUMP_PID=$!
		sleep 1 # let it open and bind before traffic starts
	fi
	rx0=$(stat nmp1 rx_packets); drop0=$(stat nmp0 tx_dropped)
	line=$(timeout 30 ip netns exec "$NS" taskset -c 0 "$GEN" -i nmp0 -n "$COUNT" \
		-s "$size" -m "$mode" -d 10 $bypass "$@" 2>/dev/null)
	sleep 0.2 # let the receiver finish what is queued
	local rx=$(( $(stat nmp1 rx_packets) - rx0 )) vd=$(( $(stat nmp0 tx_dropped) - drop0 ))
	if [[ -n $TCPDUMP_PID ]]; then
		kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true
		TCPDUMP_PID=
	fi
	local extra=""
	[[ $# -gt 0 ]] && extra=",\"gen_args\":\"$*\""
	echo "${line%\}},\"receiver\":\"$recv\",\"rx_nmp1\":$rx,\"veth_drops\":$vd$extra}"
}

# One discarded warm-up run: the first run after the netns is created is
# consistently slow (measured ~0.8 vs ~1.5 Mpps).
run drop txring 60 "" >/dev/null

for recv in drop tcpdump; do
	for size in 60 1514; do
		for bypass in "" --bypass; do
			for rep in $(seq "$REPS"); do
				run "$recv" txring "$size" "$bypass"
				run "$recv" sendmmsg "$size" "$bypass"
				# sendmmsg with SO_SNDBUF capped below veth's 256-slot
				# ring: backpressure instead of drops (see gen.c).
				run "$recv" sendmmsg "$size" "$bypass" -w 65536
			done
		done
	done
done
