#!/usr/bin/env bash
# Connection tracking on real connections between two network namespaces
# joined by a veth pair (both made and removed here; no traffic leaves
# them), captured with `netlab sniff` on the client's end, offloads off so
# the capture sees the segments the stacks send:
#   8001 normal close, client first    8002 normal close, server first
#   8003 half-close: the client shuts down writing, the server sends on
#   8004 RST from SO_LINGER 0          8005 refused (nobody listens)
#   8100 200 KB through an nftables rule in the server's namespace that
#        drops ~8% of the client's segments at random (after the capture
#        saw them): real retransmissions; netlab's flag counts must equal
#        tshark's tcp.analysis.* on the same capture
#   8200 write-write-read without TCP_NODELAY: a 4-byte header and a
#        20-byte body in two send()s, the server answers after reading
#        both. Nagle holds the body until the server's delayed ACK (~40 ms
#        on Linux): netlab must report the stalls, about 40 ms each
#   8201 the same with TCP_NODELAY: no stall
# Checked: states, Zeek conn_state, history, flags (--conns --json), the
# --conns table and the summary's diagnostics.
# Needs root (namespaces, capture) and python3; skips otherwise.
. "$(dirname "$0")/lib.sh"

if ! is_root; then
	skip "veth connections: needs root"
	exit 0
fi
for t in ip python3; do
	if ! command -v "$t" >/dev/null; then
		skip "veth connections: needs $t"
		exit 0
	fi
done

NS_A=nlveth$$a NS_B=nlveth$$b
IP_A=10.98.0.1 IP_B=10.98.0.2
sniff_pid="" server_pid=""
cleanup() {
	[ -n "$sniff_pid" ] && kill -KILL "$sniff_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

if ! ip netns add "$NS_A" 2>"$TMPD/ns.err" || ! ip netns add "$NS_B" 2>>"$TMPD/ns.err"; then
	skip "veth connections: cannot create a namespace ($(head -n 1 "$TMPD/ns.err"))"
	exit 0
fi
if ! ip link add nlveth$$a type veth peer name nlveth$$b 2>"$TMPD/veth.err"; then
	skip "veth connections: cannot create a veth pair ($(head -n 1 "$TMPD/veth.err"))"
	exit 0
fi
ip link set nlveth$$a netns "$NS_A"
ip link set nlveth$$b netns "$NS_B"
ip -n "$NS_A" link set nlveth$$a name veth0
ip -n "$NS_B" link set nlveth$$b name veth0
ip -n "$NS_A" addr add $IP_A/24 dev veth0
ip -n "$NS_B" addr add $IP_B/24 dev veth0
for ns in "$NS_A" "$NS_B"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" link set veth0 up
	# segments as the stack sends them, not merged by offloads
	ip netns exec "$ns" ethtool -K veth0 tso off gso off gro off >/dev/null 2>&1 || true
done
for _ in $(seq 50); do
	ip -n "$NS_A" link show veth0 | grep -q LOWER_UP &&
		ip -n "$NS_B" link show veth0 | grep -q LOWER_UP && break
	sleep 0.1
done

lossy=no
if command -v nft >/dev/null 2>&1 &&
	ip netns exec "$NS_B" nft add table inet nltest 2>/dev/null &&
	ip netns exec "$NS_B" nft add chain inet nltest in \
		'{ type filter hook input priority 0; }' 2>/dev/null &&
	ip netns exec "$NS_B" nft add rule inet nltest in \
		tcp dport 8100 numgen random mod 100 '<' 8 drop 2>/dev/null; then
	lossy=yes
fi

cat >"$TMPD/server.py" <<'PY'
# The server side, in its namespace: one listener per port, one thread per
# connection; "ready" on stdout once every port listens.
import socket, struct, sys, threading, time

def read_all(c):
    data = b""
    while True:
        try:
            b = c.recv(65536)
        except ConnectionResetError:
            return data
        if not b:
            return data
        data += b

def recv_n(c, n):
    data = b""
    while len(data) < n:
        b = c.recv(n - len(data))
        if not b:
            return None
        data += b
    return data

def s8001(c):
    read_all(c); c.close()
def s8002(c):
    c.sendall(b"bye"); c.close()
def s8003(c):
    q = read_all(c); time.sleep(0.05); c.sendall(b"x" * 3000 + q); c.close()
def s8004(c):
    read_all(c); c.close()
def s8100(c):
    n = len(read_all(c)); c.close()
    if n != 200000:
        print("8100: got %d bytes" % n, file=sys.stderr)
def turns(c):
    # read a header and its body, then answer: the reply waits for both
    while True:
        h = recv_n(c, 4)
        if h is None:
            break
        if recv_n(c, struct.unpack("!I", h)[0]) is None:
            break
        c.sendall(b"ok")
    c.close()

handlers = {8001: s8001, 8002: s8002, 8003: s8003, 8004: s8004,
            8100: s8100, 8200: turns, 8201: turns}

def serve(port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((sys.argv[1], port))
    ls.listen(8)
    return ls

listeners = {p: serve(p) for p in handlers}
for p, ls in listeners.items():
    def loop(ls=ls, fn=handlers[p]):
        while True:
            c, _ = ls.accept()
            threading.Thread(target=fn, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
print("ready", flush=True)
while True:
    time.sleep(1)
PY

cat >"$TMPD/client.py" <<'PY'
# The client side: the conversations one after another.
import socket, struct, sys, time

host = sys.argv[1]

def read_all(c):
    data = b""
    while True:
        b = c.recv(65536)
        if not b:
            return data
        data += b

def conn(port, mss=None, nodelay=False):
    c = socket.socket()
    if mss:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
    if nodelay:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.connect((host, port))
    return c

def pause():
    time.sleep(0.3)  # the teardown ends before the next conversation

c = conn(8001); c.sendall(b"hello"); time.sleep(0.05); c.close(); pause()
c = conn(8002); read_all(c); c.close(); pause()
c = conn(8003); c.sendall(b"question"); c.shutdown(socket.SHUT_WR)
got = len(read_all(c)); c.close(); pause()
if got != 3008:
    sys.exit("8003: %d bytes after the half-close" % got)
c = conn(8004); c.sendall(b"abort"); time.sleep(0.05)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close(); pause()
try:
    conn(8005)
    sys.exit("connected to 8005?")
except ConnectionRefusedError:
    pass
pause()
c = conn(8100, mss=1000)
for i in range(200):
    c.sendall(b"%04d" % i + b"x" * 996)
c.close(); time.sleep(1.0)

# write-write-read: header and body in two send()s, then read the reply
for port, nodelay in ((8200, False), (8201, True)):
    c = conn(port, nodelay=nodelay)
    for i in range(12):
        c.sendall(struct.pack("!I", 20))
        c.sendall(b"b" * 20)
        if c.recv(2) != b"ok":
            sys.exit("%d: no reply" % port)
    c.close(); pause()
PY

ip netns exec "$NS_B" python3 "$TMPD/server.py" $IP_B >"$TMPD/server.out" 2>"$TMPD/server.err" &
server_pid=$!
for _ in $(seq 100); do
	grep -q ready "$TMPD/server.out" && break
	sleep 0.05
done
if ! grep -q ready "$TMPD/server.out"; then
	not_ok "the python server listens in its namespace"
	sed 's/^/    /' "$TMPD/server.err" | head -n 5
	exit 0
fi

ip netns exec "$NS_A" "$NETLAB" sniff -q -w "$TMPD/veth.pcap" veth0 tcp \
	>"$TMPD/sniff.out" 2>"$TMPD/sniff.err" &
sniff_pid=$!
if ! wait_for_capture "$NS_A" "$sniff_pid"; then
	not_ok "netlab sniff started on the veth end"
	sed 's/^/    /' "$TMPD/sniff.err" | head -n 5
	exit 0
fi

check "python client ran its conversations across the veth pair" \
	ip netns exec "$NS_A" python3 "$TMPD/client.py" $IP_B
sleep 0.5 # libpcap hands packets over every 100 ms
kill -TERM "$sniff_pid"
for _ in $(seq 50); do
	kill -0 "$sniff_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$sniff_pid" 2>/dev/null; then
	kill -KILL "$sniff_pid"
	not_ok "netlab sniff stops within 5 s of SIGTERM"
fi
wait "$sniff_pid"
rc=$?
sniff_pid=""
check_eq "sniff on the veth end exits 0 after SIGTERM" 0 "$rc"
kill "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
server_pid=""
if [ -s "$TMPD/server.err" ]; then
	not_ok "the python server saw what it expected"
	sed 's/^/    /' "$TMPD/server.err" | head -n 5
fi

"$NETLAB" replay --conns --json -q "$TMPD/veth.pcap" >"$TMPD/conns.json" 2>"$TMPD/replay.err"
check_eq "replay --conns --json exits 0" 0 "$?"

# conn_field PORT FIELD: FIELD of the last connection to server port PORT
conn_field() {
	python3 - "$TMPD/conns.json" "$1" "$2" <<'PY'
import json, sys
f, port, key = sys.argv[1], sys.argv[2], sys.argv[3]
cs = [o for o in map(json.loads, open(f))
      if o.get("type") == "conn" and o["server"].endswith(":" + port)]
print(json.dumps(cs[-1].get(key)) if cs else "missing")
PY
}
expect() {
	check_eq "port $1: $2 is $3" "$3" "$(conn_field "$1" "$2")"
}

expect 8001 client_state '"TIME_WAIT"'
expect 8001 server_state '"CLOSED"'
expect 8001 conn_state '"SF"'
expect 8001 active_closer '"client"'
expect 8001 bytes_c2s 5
case $(conn_field 8001 client) in
"\"$IP_A:"*) ok "port 8001: the client is $IP_A, the end the capture runs on" ;;
*) not_ok "port 8001: client $(conn_field 8001 client), expected $IP_A:PORT" ;;
esac
expect 8002 client_state '"CLOSED"'
expect 8002 server_state '"TIME_WAIT"'
expect 8002 conn_state '"SF"'
expect 8002 active_closer '"server"'
expect 8002 bytes_s2c 3
expect 8003 conn_state '"SF"'
expect 8003 active_closer '"client"'
expect 8003 client_state '"TIME_WAIT"'
expect 8003 server_state '"CLOSED"'
expect 8003 bytes_c2s 8
expect 8003 bytes_s2c 3008
h=$(conn_field 8003 history)
# the server's data ('d') follows the client's FIN ('F'): half-close
case $h in
*F*d*) ok "port 8003: history $h shows the server's data after the client's FIN" ;;
*) not_ok "port 8003: history $h (no data after the client's FIN)" ;;
esac
expect 8004 reset_by '"client"'
expect 8004 reset_in '"ESTABLISHED"'
expect 8004 conn_state '"RSTO"'
expect 8004 client_state '"CLOSED"'
expect 8004 server_state '"CLOSED"'
expect 8005 conn_state '"REJ"'
expect 8005 refused true
expect 8005 history '"Sr"'
expect 8005 client_state '"CLOSED"'
h=$(conn_field 8001 history)
case $h in
'"ShAD'*F*f*) ok "port 8001: history $h: handshake, data, a FIN each way" ;;
*) not_ok "port 8001: history $h" ;;
esac
rtt=$(conn_field 8001 rtt_ms)
if python3 -c 'import sys; v = float(sys.argv[1]); sys.exit(0 if 0 < v < 100 else 1)' "$rtt" 2>/dev/null; then
	ok "port 8001: a handshake RTT measured across the veth pair ($rtt ms)"
else
	not_ok "port 8001: handshake RTT $rtt"
fi

# the text table says the same
"$NETLAB" replay --conns -q "$TMPD/veth.pcap" >"$TMPD/conns.txt" 2>&1
check "the --conns table lists the refused connection as REJ" \
	grep -Eq "$IP_A:[0-9]+ +$IP_B:8005 +CLOSED +CLOSED +REJ +Sr" "$TMPD/conns.txt"
check "the --conns table lists the half-closed connection as SF" \
	grep -Eq "$IP_A:[0-9]+ +$IP_B:8003 +TIME_WAIT +CLOSED +SF " "$TMPD/conns.txt"
check "the summary names the refused connection" \
	grep -q '^  refused     1 connection answered by RST' "$TMPD/conns.txt"

# real retransmissions: netlab's flags agree with tshark's
if [ "$lossy" != yes ]; then
	skip "retransmissions through a lossy rule: nftables unavailable in the namespace"
else
	rx=$(python3 -c 'import json,sys; a = json.load(sys.stdin); print(a.get("retransmission", 0), a.get("out_of_order", 0))' \
		<<<"$(conn_field 8100 analysis)")
	set -- $rx
	if [ "$(($1 + $2))" -gt 0 ] 2>/dev/null; then
		ok "port 8100: resends through the lossy rule ($1 retransmissions, $2 out-of-order)"
	else
		not_ok "port 8100: no resend seen (analysis $(conn_field 8100 analysis))"
	fi
	b=$(conn_field 8100 bytes_c2s)
	if [ "${b:-0}" -gt 200000 ] 2>/dev/null; then
		ok "port 8100: $b payload bytes sent for 200000, retransmissions included"
	else
		not_ok "port 8100: bytes_c2s $b (want > 200000)"
	fi
	if command -v tshark >/dev/null 2>&1; then
		for fl in retransmission fast_retransmission spurious_retransmission \
			duplicate_ack out_of_order lost_segment ack_lost_segment; do
			key=$fl
			case $fl in
			duplicate_ack) key=dup_ack ;;
			lost_segment) key=previous_segment_not_captured ;;
			ack_lost_segment) key=acked_unseen_segment ;;
			esac
			want=$(tshark -r "$TMPD/veth.pcap" -Y "tcp.analysis.$fl" 2>/dev/null | wc -l)
			got=$(tail -n 1 "$TMPD/conns.json" | python3 -c \
				"import json,sys; print(json.load(sys.stdin)['tcp']['analysis'].get('$key', 0))")
			check_eq "tcp.analysis.$fl across the veth pair: netlab = tshark ($want)" "$want" "$got"
		done
	else
		skip "flags vs tshark on real losses: tshark not installed"
	fi
fi

# Nagle + delayed ACK: ~40 ms stalls without TCP_NODELAY, none with it
st=$(conn_field 8200 stalls)
if [ "${st:-0}" -ge 3 ] 2>/dev/null; then
	ok "port 8200: write-write-read without TCP_NODELAY: $st stalls"
else
	not_ok "port 8200: write-write-read without TCP_NODELAY: stalls $st (want >= 3 of 12)"
fi
expect 8200 stall_side '"client"'
ms=$(conn_field 8200 stall_max_ms)
if python3 -c 'import sys; v = float(sys.argv[1]); sys.exit(0 if 30 <= v <= 250 else 1)' "$ms" 2>/dev/null; then
	ok "port 8200: the longest stall is the delayed ACK's ($ms ms)"
else
	not_ok "port 8200: the longest stall is $ms ms (want 30-250, Linux delays ACKs ~40 ms)"
fi
expect 8201 stalls 0
"$NETLAB" replay -q "$TMPD/veth.pcap" 'tcp port 8200 or tcp port 8201' >"$TMPD/stall.txt" 2>&1
if grep -Eq '^  stalls +[0-9]+ write-write-read stalls? \(Nagle \+ delayed ACK\)' "$TMPD/stall.txt" &&
	grep -Eq ":8200: [0-9]+ segments? held by the client, up to [0-9.]+ ms" "$TMPD/stall.txt"; then
	ok "the summary reports the stalls and names the connection"
else
	not_ok "the summary reports the stalls and names the connection"
	grep -A3 'stalls' "$TMPD/stall.txt" | sed 's/^/    /' | head -n 5
fi
if grep -q ':8201: ' "$TMPD/stall.txt"; then
	not_ok "the summary does not name the TCP_NODELAY connection"
else
	ok "the summary does not name the TCP_NODELAY connection"
fi
exit 0
