#!/usr/bin/env bash
# Regenerate the shipped captures in captures/, captured with netlab itself
# (`netlab sniff -w`) inside private network namespaces, so no other traffic
# gets in and nothing leaves the machine. Needs root.
#
#   tools/make-captures.sh [NAME...]
#
# NAME: tcp-small-sends, arp-netns, udp-exchange (default: all three).
# Environment:
#   NETLAB    the netlab binary (default: ./netlab, built with `make`)
#   OUTDIR    where the .pcap files go (default: captures/)
#   CAPTURER  netlab (default) or tcpdump: a stand-in for trying the script
#             out while netlab cannot capture; shipped captures use netlab.
#
# What is fixed so that a rerun gives the same packets (only timestamps,
# TCP initial sequence numbers, TCP timestamp values and IP IDs differ): the
# ports on both sides, the MAC and IP addresses, lo's MTU (1500, so a large
# send is cut into segments as on Ethernet), offloads off (one packet on the
# wire is one packet in the capture), IPv6 off on the veth pair (no router or
# neighbour solicitations), and the peers' timing (tools/peers/*.py).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
NETLAB=${NETLAB:-$top/netlab}
OUTDIR=${OUTDIR:-$top/captures}
case "$NETLAB" in /*) ;; */*) NETLAB=$PWD/$NETLAB ;; esac
case "$OUTDIR" in /*) ;; *) OUTDIR=$PWD/$OUTDIR ;; esac
cd "$top"
CAPTURER=${CAPTURER:-netlab}
peers=$top/tools/peers
py=$(command -v python3) || { echo "make-captures: python3 is needed" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
	echo "make-captures: needs root (network namespaces, live capture)" >&2
	exit 1
fi
for t in ip ethtool; do
	command -v "$t" >/dev/null || { echo "make-captures: '$t' is needed" >&2; exit 1; }
done
case "$CAPTURER" in
netlab) [ -x "$NETLAB" ] || { echo "make-captures: no netlab at $NETLAB (run make)" >&2; exit 1; } ;;
tcpdump) command -v tcpdump >/dev/null || { echo "make-captures: no tcpdump" >&2; exit 1; } ;;
*) echo "make-captures: CAPTURER is netlab or tcpdump" >&2; exit 2 ;;
esac
mkdir -p "$OUTDIR"

NS_A=nlcap$$a NS_B=nlcap$$b
cap_pid="" server_pid=""
tmp=$(mktemp -d)
cleanup() {
	set +e
	[ -n "$cap_pid" ] && kill -TERM "$cap_pid" 2>/dev/null && wait "$cap_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "make-captures: $*" >&2; }

# A namespace with only lo up, MTU 1500 and no offloads.
make_ns() {
	ip netns add "$1"
	ip -n "$1" link set lo mtu 1500 up
	ip netns exec "$1" ethtool -K lo tso off gso off gro off >/dev/null 2>&1 ||
		say "warning: could not turn offloads off on lo in $1"
}

# wait_for_packet_socket NS: until a capture socket is open in NS (the
# namespace is private, so the only one is ours).
wait_for_packet_socket() {
	for _ in $(seq 100); do
		if [ "$(ip netns exec "$1" cat /proc/net/packet | wc -l)" -gt 1 ]; then
			sleep 0.3 # the filter goes on right after the socket opens
			return 0
		fi
		sleep 0.05
	done
	say "the capture in $1 did not start"
	return 1
}

# start_capture NS IFACE FILE FILTER...
start_capture() {
	local ns=$1 iface=$2 file=$3
	shift 3
	rm -f "$file"
	if [ "$CAPTURER" = netlab ]; then
		ip netns exec "$ns" "$NETLAB" sniff -q -B 4096 -w "$file" "$iface" "$@" \
			>"$tmp/capture.out" 2>"$tmp/capture.err" &
	else
		ip netns exec "$ns" tcpdump -q -n -B 4096 -i "$iface" -w "$file" "$@" \
			>"$tmp/capture.out" 2>"$tmp/capture.err" &
	fi
	cap_pid=$!
	wait_for_packet_socket "$ns"
}

# stop_capture: wait for libpcap's buffer timeout to hand over the last
# packets (a stopped capture drops what the kernel has not handed over yet), then SIGTERM (netlab completes the -w file and exits 0).
stop_capture() {
	local rc=0
	# netlab's libpcap timeout is 100 ms, tcpdump's 1 s
	if [ "$CAPTURER" = netlab ]; then sleep 0.5; else sleep 1.2; fi
	kill -TERM "$cap_pid"
	wait "$cap_pid" || rc=$?
	cap_pid=""
	if [ "$rc" -ne 0 ]; then
		say "capturer exited with status $rc:"
		cat "$tmp/capture.err" >&2
		return 1
	fi
}

# run_server NS CMD...: start a peer server that prints "listening" when
# ready; wait for that line.
run_server() {
	local ns=$1
	shift
	rm -f "$tmp/server.ready"
	ip netns exec "$ns" "$@" >"$tmp/server.ready" 2>>"$tmp/peers.log" &
	server_pid=$!
	for _ in $(seq 100); do
		grep -q listening "$tmp/server.ready" 2>/dev/null && return 0
		sleep 0.05
	done
	say "the server did not start"
	return 1
}

count_packets() {
	tcpdump -r "$1" 2>/dev/null | wc -l
}

finish() {
	local name=$1 file=$2
	chmod 0644 "$file"
	say "$name: $(count_packets "$file") packets, $(stat -c %s "$file") bytes -> ${file#"$top"/}"
}

make_tcp_small_sends() {
	local out=$OUTDIR/tcp-small-sends.pcap
	make_ns "$NS_A"
	start_capture "$NS_A" lo "$out" tcp port 8082
	run_server "$NS_A" "$py" "$peers/tcp_sticky.py" server 127.0.0.1 8082
	ip netns exec "$NS_A" "$py" "$peers/tcp_sticky.py" client 127.0.0.1 8082 40000 300 \
		2>>"$tmp/peers.log"
	wait "$server_pid"
	sleep 0.2
	stop_capture
	ip netns del "$NS_A"
	finish tcp-small-sends "$out"
}

make_udp_exchange() {
	local out=$OUTDIR/udp-exchange.pcap
	make_ns "$NS_A"
	start_capture "$NS_A" lo "$out" udp port 8083
	run_server "$NS_A" "$py" "$peers/udp_exchange.py" server 4 127.0.0.1 8083
	ip netns exec "$NS_A" "$py" "$peers/udp_exchange.py" client 4 127.0.0.1 8083 40001 \
		2>>"$tmp/peers.log"
	wait "$server_pid"
	run_server "$NS_A" "$py" "$peers/udp_exchange.py" server 6 ::1 8083
	ip netns exec "$NS_A" "$py" "$peers/udp_exchange.py" client 6 ::1 8083 40001 \
		2>>"$tmp/peers.log"
	wait "$server_pid"
	stop_capture
	ip netns del "$NS_A"
	finish udp-exchange "$out"
}

MAC_A=02:00:00:99:00:01 MAC_B=02:00:00:99:00:02
IP_A=10.99.0.1 IP_B=10.99.0.2

make_arp_netns() {
	local out=$OUTDIR/arp-netns.pcap ns
	for ns in "$NS_A" "$NS_B"; do
		ip netns add "$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add nlcap$$a type veth peer name nlcap$$b
	ip link set nlcap$$a netns "$NS_A"
	ip link set nlcap$$b netns "$NS_B"
	ip -n "$NS_A" link set nlcap$$a name veth0 address $MAC_A
	ip -n "$NS_B" link set nlcap$$b name veth0 address $MAC_B
	ip -n "$NS_A" addr add $IP_A/24 dev veth0
	ip -n "$NS_B" addr add $IP_B/24 dev veth0
	ip -n "$NS_A" link set veth0 up
	ip -n "$NS_B" link set veth0 up
	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" ethtool -K veth0 tso off gso off gro off >/dev/null 2>&1 || true
	done
	# wait for the link to come up (veth carrier) before capturing
	for _ in $(seq 50); do
		ip -n "$NS_A" link show veth0 | grep -q LOWER_UP && break
		sleep 0.1
	done
	start_capture "$NS_A" veth0 "$out" arp or icmp
	# B joins the segment the RFC 5227 way: probe for its address, then
	# announce it (gratuitous ARP); then A pings B, which takes an ARP
	# request (broadcast) and reply (unicast) first.
	ip netns exec "$NS_B" "$py" "$peers/arp_send.py" probe veth0 $MAC_B $IP_B
	sleep 0.2
	ip netns exec "$NS_B" "$py" "$peers/arp_send.py" announce veth0 $MAC_B $IP_B
	sleep 0.2
	ip netns exec "$NS_A" "$py" "$peers/ping.py" $IP_B
	stop_capture
	ip netns del "$NS_A"
	ip netns del "$NS_B"
	finish arp-netns "$out"
}

names=${*:-tcp-small-sends arp-netns udp-exchange}
: >"$tmp/peers.log"
for n in $names; do
	case "$n" in
	tcp-small-sends) make_tcp_small_sends ;;
	arp-netns) make_arp_netns ;;
	udp-exchange) make_udp_exchange ;;
	*) say "unknown capture '$n' (tcp-small-sends, arp-netns, udp-exchange)"; exit 2 ;;
	esac
done
sed 's/^/  /' "$tmp/peers.log" >&2
