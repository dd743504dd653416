#!/usr/bin/env bash
# Live capture with `netlab sniff`, in network namespaces this script makes
# (and removes): no traffic goes anywhere but a private lo or veth pair.
#  (a) lo in a namespace: a TCP connection with a few sends, captured with
#      --json -w and a filter; stopped with SIGTERM. The handshake and the
#      data are in the JSON, the summary comes last with the capture
#      counters, and the -w file is a pcap with the same packets.
#  (b) a veth pair between two namespaces: an ICMP ping across, captured on
#      one end; the ARP request and reply are decoded with the right IPs
#      and MACs.
#  (c) exit status 0 after SIGTERM and after SIGINT; -c stops by itself.
#  (d) the 'any' pseudo-interface: the Linux cooked header is decoded.
# Needs root (namespaces, capture), python3 and jq; skips otherwise.
. "$(dirname "$0")/lib.sh"

if ! is_root; then
	skip "live capture: needs root"
	exit 0
fi
for t in ip python3 jq; do
	if ! command -v "$t" >/dev/null; then
		skip "live capture: needs $t"
		exit 0
	fi
done
py=$(command -v python3)
peers=$NETLAB_TOP/tools/peers

NS_A=nltest$$a NS_B=nltest$$b
sniff_pid=""
cleanup() {
	[ -n "$sniff_pid" ] && kill -KILL "$sniff_pid" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

# sniff NS OUT ARGS...: start netlab sniff in NS in the background.
sniff() {
	local ns=$1 out=$2
	shift 2
	ip netns exec "$ns" "$NETLAB" sniff "$@" >"$out" 2>"$out.err" &
	sniff_pid=$!
	if ! wait_for_capture "$ns" "$sniff_pid"; then
		not_ok "netlab sniff $* started"
		sed 's/^/    stderr: /' "$out.err" | head -n 5
		return 1
	fi
}

# stop SIGNAL: stop the capture; its exit status in $stop_rc. libpcap hands
# packets over every 100 ms (netlab's timeout): wait for that first.
stop() {
	sleep 0.5
	kill -"$1" "$sniff_pid"
	for _ in $(seq 50); do
		kill -0 "$sniff_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$sniff_pid" 2>/dev/null; then
		kill -KILL "$sniff_pid"
		not_ok "netlab sniff stops within 5 s of SIG$1"
	fi
	wait "$sniff_pid"
	stop_rc=$?
	sniff_pid=""
}

# ---- (a) TCP on lo in a namespace ----
if ! ip netns add "$NS_A" 2>"$TMPD/netns.err"; then
	skip "live capture: cannot create a network namespace ($(head -n 1 "$TMPD/netns.err"))"
	exit 0
fi
ip -n "$NS_A" link set lo mtu 1500 up
ip netns exec "$NS_A" ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || true
out=$TMPD/tcp.json
if sniff "$NS_A" "$out" lo --json -w "$TMPD/tcp.pcap" 'tcp port 9100'; then
	ip netns exec "$NS_A" "$py" "$peers/tcp_sticky.py" server 127.0.0.1 9100 \
		>"$TMPD/server.out" 2>/dev/null &
	server_pid=$!
	for _ in $(seq 100); do
		grep -q listening "$TMPD/server.out" && break
		sleep 0.05
	done
	# also traffic the filter must leave out: UDP on the same port
	ip netns exec "$NS_A" "$py" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x", ("127.0.0.1", 9100))'
	ip netns exec "$NS_A" "$py" "$peers/tcp_sticky.py" client 127.0.0.1 9100 40100 10 2>/dev/null
	wait "$server_pid"
	stop TERM
	check_eq "sniff exits 0 after SIGTERM" 0 "$stop_rc"
	if [ -s "$out.err" ]; then
		not_ok "sniff prints nothing on stderr"
		sed 's/^/    /' "$out.err" | head -n 5
	else
		ok "sniff prints nothing on stderr"
	fi
	if jq -ce . <"$out" >/dev/null 2>&1; then
		ok "sniff --json output parses"
	else
		not_ok "sniff --json output parses"
		head -n 3 "$out" | sed 's/^/    /'
	fi
	pk() { jq -c 'select(.type == "packet")' <"$out" 2>/dev/null; }
	flags_of() { # FRAME_INDEX (0-based) -> "SYN,ACK"
		pk | jq -rs ".[$1].tcp.flags // [] | join(\",\")" 2>/dev/null
	}
	check_eq "handshake 1: client SYN" SYN "$(flags_of 0)"
	check_eq "handshake 2: server SYN+ACK" SYN,ACK "$(flags_of 1)"
	check_eq "handshake 3: client ACK" ACK "$(flags_of 2)"
	check_eq "handshake ports: 40100 -> 9100" "40100 9100" \
		"$(pk | jq -rs '.[0].tcp | "\(.sport) \(.dport)"' 2>/dev/null)"
	syn_seq=$(pk | jq -rs '.[0].tcp.seq' 2>/dev/null)
	check_eq "SYN+ACK acknowledges the SYN's seq + 1" "$((syn_seq + 1))" \
		"$(pk | jq -rs '.[1].tcp.ack' 2>/dev/null)"
	check_eq "the data: 5 + 5 + 4 + 140 bytes from the client" 154 \
		"$(pk | jq -s '[.[] | select(.tcp.sport == 40100) | .payload_len // 0] | add' 2>/dev/null)"
	check_eq "the filter kept only TCP" 0 \
		"$(pk | jq -s '[.[] | select(.udp != null)] | length' 2>/dev/null)"
	fins=$(pk | jq -s '[.[] | select(.tcp.flags | index("FIN"))] | length' 2>/dev/null)
	check_eq "the teardown: a FIN each way" 2 "$fins"
	last=$(tail -n 1 "$out")
	if echo "$last" | jq -e '.type == "summary"' >/dev/null 2>&1; then
		ok "the summary object is last"
	else
		not_ok "the summary object is last: got $(echo "$last" | head -c 200)"
	fi
	npk=$(pk | wc -l)
	check_eq "the summary counts the packets" "$npk" \
		"$(echo "$last" | jq -r '.packets' 2>/dev/null)"
	# capture counters from pcap_stats(): received >= packets (on lo the
	# kernel counts each packet twice, once per direction), none dropped
	cap=$(echo "$last" | jq -c '.capture // empty' 2>/dev/null)
	if [ -n "$cap" ] && echo "$cap" | jq -e ".received >= $npk and .dropped == 0" >/dev/null 2>&1; then
		ok "the summary has capture counters (received, dropped 0): $cap"
	else
		not_ok "the summary has capture counters (received, dropped 0): ${cap:-none}"
		echo "    $last" | head -c 600
		echo
	fi
	if command -v tcpdump >/dev/null; then
		n=$(tcpdump -nn -r "$TMPD/tcp.pcap" 2>"$TMPD/tcpdump.err" | wc -l)
		check_eq "the -w file is a pcap with the same $npk packets" "$npk" "$n"
		[ -s "$TMPD/tcpdump.err" ] && grep -i 'truncat\|error' "$TMPD/tcpdump.err" | sed 's/^/    tcpdump: /'
	else
		skip "the -w file is a valid pcap: no tcpdump"
	fi
	"$NETLAB" replay --json "$TMPD/tcp.pcap" 2>/dev/null | jq -c 'select(.type == "packet") | del(.frame)' >"$TMPD/replayed"
	pk | jq -c 'del(.frame)' >"$TMPD/live"
	if cmp -s "$TMPD/live" "$TMPD/replayed"; then
		ok "replaying the -w file gives the same packets as the live run"
	else
		not_ok "replaying the -w file gives the same packets as the live run"
		diff "$TMPD/live" "$TMPD/replayed" | head -n 6 | sed 's/^/    /'
	fi
fi

# ---- (c) SIGINT ----
if sniff "$NS_A" "$TMPD/int.txt" lo; then
	stop INT
	check_eq "sniff exits 0 after SIGINT" 0 "$stop_rc"
	if grep -q '^summary' "$TMPD/int.txt"; then
		ok "sniff prints the summary after SIGINT"
	else
		not_ok "sniff prints the summary after SIGINT"
	fi
fi
# -c stops by itself
if sniff "$NS_A" "$TMPD/count.json" lo --json -c 2 icmp; then
	ip netns exec "$NS_A" "$py" "$peers/ping.py" 127.0.0.1 >/dev/null 2>&1
	for _ in $(seq 50); do
		kill -0 "$sniff_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$sniff_pid" 2>/dev/null; then
		not_ok "sniff -c 2 stops after 2 packets"
		stop TERM
	else
		wait "$sniff_pid"
		check_eq "sniff -c 2 stops after 2 packets with status 0" \
			"0 2" "$? $(grep -c '"type":"packet"' "$TMPD/count.json")"
		sniff_pid=""
	fi
fi
# ---- (d) the 'any' pseudo-interface: Linux cooked capture (SLL) ----
if sniff "$NS_A" "$TMPD/any.json" any --json icmp; then
	ip netns exec "$NS_A" "$py" "$peers/ping.py" 127.0.0.1 >/dev/null 2>&1
	stop TERM
	check_eq "sniff any: exit status 0 after SIGTERM" 0 "$stop_rc"
	check_eq "sniff any: link type LINUX_SLL or LINUX_SLL2" yes \
		"$(tail -n 1 "$TMPD/any.json" | jq -r 'if (.linktype_name // "" | startswith("LINUX_SLL")) then "yes" else .linktype_name end' 2>/dev/null)"
	check_eq "sniff any: the cooked header and the echo request and reply are decoded" \
		"sll 8 sll 0" \
		"$(jq -r 'select(.type == "packet") | "\(if .sll then "sll" else "-" end) \(.icmp.type)"' <"$TMPD/any.json" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
fi
ip netns del "$NS_A"

# ---- (b) ARP across a veth pair ----
MAC_A=02:00:00:99:00:01 MAC_B=02:00:00:99:00:02
IP_A=10.99.0.1 IP_B=10.99.0.2
ip netns add "$NS_A"
ip netns add "$NS_B"
for ns in "$NS_A" "$NS_B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip link add nltest$$a type veth peer name nltest$$b
ip link set nltest$$a netns "$NS_A"
ip link set nltest$$b netns "$NS_B"
ip -n "$NS_A" link set nltest$$a name veth0 address $MAC_A
ip -n "$NS_B" link set nltest$$b name veth0 address $MAC_B
ip -n "$NS_A" addr add $IP_A/24 dev veth0
ip -n "$NS_B" addr add $IP_B/24 dev veth0
ip -n "$NS_A" link set veth0 up
ip -n "$NS_B" link set veth0 up
for _ in $(seq 50); do
	ip -n "$NS_A" link show veth0 | grep -q LOWER_UP && break
	sleep 0.1
done
out=$TMPD/arp.json
if sniff "$NS_A" "$out" veth0 --json; then
	ip netns exec "$NS_A" "$py" "$peers/ping.py" $IP_B
	check_eq "ping across the veth pair answered" 0 "$?"
	stop TERM
	check_eq "sniff on a veth end exits 0 after SIGTERM" 0 "$stop_rc"
	arp() { jq -c 'select(.type == "packet" and .arp != null) | .arp' <"$out" 2>/dev/null; }
	req=$(arp | head -n 1)
	rep=$(arp | sed -n 2p)
	sel='"\(.op) \(.op_name) \(.kind) \(.sha) \(.spa) > \(.tha) \(.tpa)"'
	check_eq "ARP request: who-has $IP_B tell $IP_A from $MAC_A" \
		"1 request request $MAC_A $IP_A > 00:00:00:00:00:00 $IP_B" \
		"$(echo "$req" | jq -r "$sel" 2>/dev/null)"
	check_eq "ARP reply: $IP_B is-at $MAC_B, to $MAC_A" \
		"2 reply reply $MAC_B $IP_B > $MAC_A $IP_A" \
		"$(echo "$rep" | jq -r "$sel" 2>/dev/null)"
	check_eq "the ARP request is broadcast" "ff:ff:ff:ff:ff:ff" \
		"$(jq -r 'select(.type == "packet" and .arp != null) | .eth.dst' <"$out" 2>/dev/null | head -n 1)"
	check_eq "the echo request and reply follow" "8 0" \
		"$(jq -r 'select(.type == "packet" and .icmp != null) | .icmp.type' <"$out" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
fi
exit 0
