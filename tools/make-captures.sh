#!/usr/bin/env bash
# Regenerate the shipped captures in captures/, captured with netlab itself
# (`netlab sniff -w`) inside private network namespaces, so no other traffic
# gets in and nothing leaves the machine. Needs root.
#
#   tools/make-captures.sh [NAME...]
#
# NAME: one of the captures listed at the end (default: all of them); see
# captures/README.md for what each shows.
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
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in tools/peers

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

# ---- stream analysis captures: netlab gen and the Python peers, with the
# ground truth of what each side sent beside each capture (NAME.truth.jsonl:
# the client's records, then the server's; schema in netlab(1), TRUTH FILES).

# fixed_client_port NS PORT: the only ephemeral port in NS is PORT, so a
# client that does not bind (netlab gen client) still uses a fixed port.
fixed_client_port() {
	ip netns exec "$1" sysctl -qw net.ipv4.ip_local_port_range="$2 $2"
}

# save_truth NAME FILE...: the truth files, concatenated, beside the capture.
save_truth() {
	local name=$1
	shift
	cat "$@" >"$OUTDIR/$name.truth.jsonl"
	chmod 0644 "$OUTDIR/$name.truth.jsonl"
}

# gen_capture NAME SPORT CPORT FILTER "SERVER OPTIONS" "CLIENT OPTIONS":
# netlab gen server and client on lo in a fresh namespace. An empty SERVER
# OPTIONS runs no server (a refused connection).
gen_capture() {
	local name=$1 sport=$2 cport=$3 filter=$4 sopts=$5 copts=$6
	local out=$OUTDIR/$name.pcap rc=0
	make_ns "$NS_A"
	fixed_client_port "$NS_A" "$cport"
	rm -f "$tmp/c.truth" "$tmp/s.truth"
	: >"$tmp/c.truth"
	: >"$tmp/s.truth"
	# shellcheck disable=SC2086
	start_capture "$NS_A" lo "$out" $filter
	if [ -n "$sopts" ]; then
		# shellcheck disable=SC2086
		run_server "$NS_A" "$NETLAB" gen server --port "$sport" --exit-after 1 \
			--truth "$tmp/s.truth" $sopts
	fi
	echo "[$name] netlab gen client 127.0.0.1:$sport $copts" >>"$tmp/peers.log"
	# shellcheck disable=SC2086
	ip netns exec "$NS_A" "$NETLAB" gen client "127.0.0.1:$sport" \
		--truth "$tmp/c.truth" $copts >>"$tmp/peers.log" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || echo "[$name] client exit status $rc" >>"$tmp/peers.log"
	if [ -n "$sopts" ]; then
		wait "$server_pid" || true
		server_pid=""
		sed "s/^/[$name] server: /" "$tmp/server.ready" >>"$tmp/peers.log"
	fi
	sleep 0.2
	stop_capture
	ip netns del "$NS_A"
	if [ -s "$tmp/c.truth" ] || [ -s "$tmp/s.truth" ]; then
		save_truth "$name" "$tmp/c.truth" "$tmp/s.truth"
	else
		rm -f "$OUTDIR/$name.truth.jsonl" # refused: no socket call to record
	fi
	finish "$name" "$out"
}

# py_capture NAME PEER SPORT CPORT [--mss N]: a Python peer (tools/peers/)
# as server and client on lo, each writing its truth.
py_capture() {
	local name=$1 peer=$2 sport=$3 cport=$4
	shift 4
	local out=$OUTDIR/$name.pcap
	make_ns "$NS_A"
	rm -f "$tmp/c.truth" "$tmp/s.truth"
	start_capture "$NS_A" lo "$out" tcp port "$sport"
	run_server "$NS_A" "$py" "$peers/$peer" server 127.0.0.1 "$sport" "$@" \
		--truth "$tmp/s.truth"
	ip netns exec "$NS_A" "$py" "$peers/$peer" client 127.0.0.1 "$sport" "$cport" \
		"$@" --truth "$tmp/c.truth" 2>>"$tmp/peers.log"
	wait "$server_pid"
	server_pid=""
	sleep 0.2
	stop_capture
	ip netns del "$NS_A"
	save_truth "$name" "$tmp/c.truth" "$tmp/s.truth"
	finish "$name" "$out"
}

# The default capture of `make demo`: one short connection whose segments
# carry several messages (merges) and whose messages span several segments
# (splits). TCP_CORK holds the client's small sends until a full segment
# (MSS 536) is ready, so segments are cut without regard to messages.
make_gen_merge_split() {
	gen_capture gen-merge-split 9000 40100 "tcp port 9000" \
		"--framing u32le" \
		"--scenario framed --cork --mss 536 --size 20-1500 --count 7 --seed 1440"
}

make_gen_merge() {
	gen_capture gen-merge 9001 40101 "tcp port 9001" "--recv-delay 300" \
		"--scenario merge"
}

make_gen_split() {
	gen_capture gen-split 9002 40102 "tcp port 9002" "--recv-size 1000" \
		"--scenario split --size 3000 --mss 536"
}

make_gen_framed() {
	gen_capture gen-framed 9003 40103 "tcp port 9003" "--framing u32le --recv-delay 200" \
		"--scenario framed --count 6"
}

make_gen_jsonhdr() {
	gen_capture gen-jsonhdr 9004 40104 "tcp port 9004" "--framing jsonhdr" \
		"--scenario jsonhdr --count 2 --size 1500-4000 --mss 1000 --seed 2"
}

make_gen_ready() {
	gen_capture gen-ready 9005 40105 "tcp port 9005" "--ready" \
		"--scenario ready --count 2 --size 100-2000 --seed 3"
}

make_gen_udp() {
	local out=$OUTDIR/gen-udp.pcap
	make_ns "$NS_A"
	fixed_client_port "$NS_A" 40106
	: >"$tmp/c.truth"
	start_capture "$NS_A" lo "$out" udp port 9006
	run_server "$NS_A" "$NETLAB" gen server --udp --port 9006 --exit-after 3 \
		--truth "$tmp/s.truth"
	ip netns exec "$NS_A" "$NETLAB" gen client 127.0.0.1:9006 --scenario udp \
		--truth "$tmp/c.truth" >>"$tmp/peers.log" 2>&1
	wait "$server_pid" || true
	server_pid=""
	stop_capture
	ip netns del "$NS_A"
	save_truth gen-udp "$tmp/c.truth" "$tmp/s.truth"
	finish gen-udp "$out"
}

make_gen_refused() {
	gen_capture gen-refused 9007 40107 "tcp port 9007" "" "--scenario merge"
}

make_gen_reset() {
	gen_capture gen-reset 9008 40108 "tcp port 9008" "--framing u32le" \
		"--scenario framed --reset"
}

# Both FINs cross: the peers call shutdown() at an agreed moment, the
# server 50 ms after the client (tools/peers/simclose.py), and the client's
# first FIN is lost (an nftables rule drops it on arrival; the capture has
# it), so the server sends its own FIN while the client's is outstanding.
# netem would delay both instead; it is not available everywhere.
make_simclose() {
	local out=$OUTDIR/simclose.pcap
	make_ns "$NS_A"
	ip netns exec "$NS_A" nft -f - <<-'NFT'
		table inet nlcap {
			chain in {
				type filter hook input priority 0; policy accept;
				tcp sport 40109 tcp flags & fin == fin quota until 60 bytes drop
			}
		}
	NFT
	start_capture "$NS_A" lo "$out" tcp port 9009
	run_server "$NS_A" "$py" "$peers/simclose.py" server 127.0.0.1 9009
	ip netns exec "$NS_A" "$py" "$peers/simclose.py" client 127.0.0.1 9009 40109 \
		2>>"$tmp/peers.log"
	wait "$server_pid"
	server_pid=""
	sleep 0.2
	stop_capture
	ip netns del "$NS_A"
	finish simclose "$out"
}

# Real retransmissions: two namespaces joined by a veth pair, captured on
# the client's side; in the server's namespace an nftables rule drops one
# arriving data segment in five at random, so the capture holds the
# original and, an RTO or a fast retransmit later, the retransmission.
make_gen_retrans() {
	local out=$OUTDIR/gen-retrans.pcap ns
	for ns in "$NS_A" "$NS_B"; do
		ip netns add "$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	fixed_client_port "$NS_A" 40110
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
	# static neighbours: no ARP in the capture
	ip -n "$NS_A" neigh replace $IP_B lladdr $MAC_B dev veth0 nud permanent
	ip -n "$NS_B" neigh replace $IP_A lladdr $MAC_A dev veth0 nud permanent
	ip netns exec "$NS_B" nft -f - <<-'NFT'
		table inet nlcap {
			chain in {
				type filter hook input priority 0; policy accept;
				tcp dport 9010 ip length > 100 numgen random mod 5 == 0 drop
			}
		}
	NFT
	for _ in $(seq 50); do
		ip -n "$NS_A" link show veth0 | grep -q LOWER_UP && break
		sleep 0.1
	done
	: >"$tmp/c.truth"
	: >"$tmp/s.truth"
	start_capture "$NS_A" veth0 "$out" tcp port 9010
	run_server "$NS_B" "$NETLAB" gen server --bind $IP_B --port 9010 --exit-after 1 \
		--framing u32le --truth "$tmp/s.truth"
	echo "[gen-retrans] netlab gen client $IP_B:9010 ..." >>"$tmp/peers.log"
	ip netns exec "$NS_A" "$NETLAB" gen client $IP_B:9010 --scenario framed \
		--size 200-1400 --count 24 --seed 4 --interval 20 \
		--truth "$tmp/c.truth" >>"$tmp/peers.log" 2>&1
	wait "$server_pid" || true
	server_pid=""
	sed "s/^/[gen-retrans] server: /" "$tmp/server.ready" | tail -n 3 >>"$tmp/peers.log"
	stop_capture
	ip netns del "$NS_A"
	ip netns del "$NS_B"
	save_truth gen-retrans "$tmp/c.truth" "$tmp/s.truth"
	finish gen-retrans "$out"
}

all="tcp-small-sends arp-netns udp-exchange gen-merge-split gen-merge gen-split
gen-framed gen-jsonhdr gen-ready gen-udp gen-refused gen-reset simclose
gen-retrans py-structpack py-structpack-mss py-upload py-upload-mss py-ready
py-ready-mss"
names=${*:-$all}
: >"$tmp/peers.log"
for n in $names; do
	case "$n" in
	tcp-small-sends) make_tcp_small_sends ;;
	arp-netns) make_arp_netns ;;
	udp-exchange) make_udp_exchange ;;
	gen-merge-split) make_gen_merge_split ;;
	gen-merge) make_gen_merge ;;
	gen-split) make_gen_split ;;
	gen-framed) make_gen_framed ;;
	gen-jsonhdr) make_gen_jsonhdr ;;
	gen-ready) make_gen_ready ;;
	gen-udp) make_gen_udp ;;
	gen-refused) make_gen_refused ;;
	gen-reset) make_gen_reset ;;
	simclose) make_simclose ;;
	gen-retrans) make_gen_retrans ;;
	py-structpack) py_capture py-structpack structpack.py 9020 40120 ;;
	py-structpack-mss) py_capture py-structpack-mss structpack.py 9021 40121 --mss 536 ;;
	py-upload) py_capture py-upload upload.py 9022 40122 ;;
	py-upload-mss) py_capture py-upload-mss upload.py 9023 40123 --mss 536 ;;
	py-ready) py_capture py-ready ready.py 9024 40124 ;;
	py-ready-mss) py_capture py-ready-mss ready.py 9025 40125 --mss 536 ;;
	*) say "unknown capture '$n' (one of: $(echo $all))"; exit 2 ;;
	esac
done
sed 's/^/  /' "$tmp/peers.log" >&2
