#!/usr/bin/env bash
# bench/netns.sh — a private network namespace holding BOTH ends of a veth
# pair (nmp0 = sender side, nmp1 = receiver side), so benchmark traffic
# never touches the host's interfaces.
#
#   bench/netns.sh up NAME     create netns NAME with nmp0 <-> nmp1, links up
#   bench/netns.sh down NAME   delete it (removes both veth ends with it)
#
# Or source it and call netns_up / netns_down. Needs root (ip, ethtool).
#
# Tuning (why):
#   tso off on nmp0   raw frames are all <= MTU; keeps the TX path plain.
#   gro on on nmp1    makes veth receive through its own NAPI instance
#                     instead of netif_rx() in the sender's context...
#   threaded NAPI     ...and runs that NAPI in a kthread, so receive work
#                     is not charged to (and does not stall) the generator.
#   IPv6 off          otherwise the stack sends router solicitations and
#                     MLD reports on the new links, stray frames that land
#                     in the counts.
set -euo pipefail

netns_up() {
	local ns=${1:?usage: netns_up NAME}
	ip netns add "$ns"
	# If any step fails, undo what was done so far.
	if ! {
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 &&
		ip -n "$ns" link add nmp0 type veth peer name nmp1 &&
		ip -n "$ns" link set nmp0 up &&
		ip -n "$ns" link set nmp1 up &&
		ip netns exec "$ns" ethtool -K nmp0 tso off >/dev/null &&
		ip netns exec "$ns" ethtool -K nmp1 gro on >/dev/null &&
		ip netns exec "$ns" sh -c 'echo 1 > /sys/class/net/nmp1/threaded'
	}; then
		ip netns del "$ns" 2>/dev/null || true
		echo "netns.sh: setting up $ns failed" >&2
		return 1
	fi
}

netns_down() {
	local ns=${1:?usage: netns_down NAME}
	# Deleting the namespace destroys the veth pair inside it.
	ip netns del "$ns" 2>/dev/null || true
}

# Run as a script (not sourced): dispatch the subcommand.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	case "${1:-}" in
	up) netns_up "${2:?usage: $0 up NAME}" ;;
	down) netns_down "${2:?usage: $0 down NAME}" ;;
	*) echo "usage: $0 up|down NAME" >&2; exit 2 ;;
	esac
fi
