#!/usr/bin/env bash
# Connection tracking on real connections: TCP peers on the loopback of a
# private network namespace this script creates (and removes), captured
# with `netlab sniff -w`, then the capture replayed with --conns --json and
# each connection's states, Zeek conn_state and history checked:
#   7001 normal close, client first   7002 normal close, server first
#   7003 half-close with data after   7004 RST from SO_LINGER 0
#   7005 refused (nobody listens)      7006 close() with unread data: RST
#   7007 normal close over IPv6 (::1)
#   7008 port reuse: the server closes first (it holds TIME_WAIT) and the
#        client connects again from the same port: a new connection
#   7100 200 KB with an nftables rule dropping ~8% of the client's
#        segments at random on input (after the capture saw them): real
#        retransmissions, whose analysis flags
#        must agree with tshark's
# Needs root (namespaces, capture) and python3; skips otherwise. No traffic
# leaves the namespace's lo.
. "$(dirname "$0")/lib.sh"

if ! is_root; then
	skip "connection tracking on live connections: needs root"
	exit 0
fi
for t in ip python3; do
	if ! command -v "$t" >/dev/null; then
		skip "connection tracking on live connections: needs $t"
		exit 0
	fi
done

NS=nlconn$$
sniff_pid=""
cleanup() {
	[ -n "$sniff_pid" ] && kill -KILL "$sniff_pid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

if ! ip netns add "$NS" 2>"$TMPD/ns.err"; then
	skip "connection tracking on live connections: cannot create a namespace ($(head -n 1 "$TMPD/ns.err"))"
	exit 0
fi
ip netns exec "$NS" ip link set lo up
lossy=no
if command -v nft >/dev/null 2>&1 &&
	ip netns exec "$NS" nft add table inet nltest 2>/dev/null &&
	ip netns exec "$NS" nft add chain inet nltest in \
		'{ type filter hook input priority 0; }' 2>/dev/null &&
	ip netns exec "$NS" nft add rule inet nltest in \
		tcp dport 7100 numgen random mod 100 '<' 8 drop 2>/dev/null; then
	lossy=yes
fi

cat >"$TMPD/peers.py" <<'PY'
# Five TCP conversations on 127.0.0.1, one after another.
import socket, struct, sys, threading, time

def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(1)
    return s

def read_all(c):
    data = b""
    while True:
        b = c.recv(65536)
        if not b:
            return data
        data += b

def run(port, server, client):
    ls = listener(port)
    t = threading.Thread(target=lambda: server(ls.accept()[0]))
    t.start()
    c = socket.create_connection(("127.0.0.1", port))
    client(c)
    t.join()
    ls.close()
    time.sleep(0.2)

# 7001: the client closes first
def s1(c):
    read_all(c); c.close()
def c1(c):
    c.sendall(b"hello"); time.sleep(0.05); c.close(); time.sleep(0.1)
# 7002: the server closes first
def s2(c):
    c.sendall(b"bye"); c.close()
def c2(c):
    read_all(c); c.close()
# 7003: half-close: the client shuts down writing, then reads the answer
def s3(c):
    q = read_all(c); time.sleep(0.05); c.sendall(b"x" * 3000 + q); c.close()
def c3(c):
    c.sendall(b"question"); c.shutdown(socket.SHUT_WR)
    assert len(read_all(c)) == 3008; c.close()
# 7004: SO_LINGER 0: close() sends RST
def s4(c):
    try:
        read_all(c)
    except ConnectionResetError:
        pass
    c.close()
def c4(c):
    c.sendall(b"abort")
    time.sleep(0.05)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()

# 7006: the server closes without reading what arrived: RST, not FIN
def s6(c):
    time.sleep(0.1); c.close()
def c6(c):
    c.sendall(b"unread"); time.sleep(0.3)
    try:
        c.recv(10)
    except ConnectionResetError:
        pass
    c.close()

run(7001, s1, c1)
run(7002, s2, c2)
run(7003, s3, c3)
run(7004, s4, c4)
run(7006, s6, c6)

# 7100: a bulk transfer through a lossy rule: real retransmissions
def s7(c):
    assert len(read_all(c)) == 200000; c.close()
def c7(c):
    for i in range(200):
        c.sendall(b"%04d" % i + b"x" * 996)
    c.close(); time.sleep(0.2)
def run_small_mss(port, server, client):
    ls = listener(port)
    t = threading.Thread(target=lambda: server(ls.accept()[0]))
    t.start()
    c = socket.socket()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1000)
    c.connect(("127.0.0.1", port))
    client(c)
    t.join()
    ls.close()
run_small_mss(7100, s7, c7)

# 7008: the same 4-tuple twice; the server holds TIME_WAIT in between
ls8 = listener(7008)
for _ in range(2):
    t8 = threading.Thread(target=lambda: s2(ls8.accept()[0])); t8.start()
    c8 = socket.socket()
    c8.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c8.bind(("127.0.0.1", 45008))
    c8.connect(("127.0.0.1", 7008)); c2(c8); t8.join()
    time.sleep(0.2)
ls8.close()

# 7007: IPv6
ls6 = socket.socket(socket.AF_INET6)
ls6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls6.bind(("::1", 7007)); ls6.listen(1)
t6 = threading.Thread(target=lambda: s1(ls6.accept()[0])); t6.start()
c6s = socket.create_connection(("::1", 7007)); c1(c6s); t6.join(); ls6.close()
time.sleep(0.2)
try:  # 7005: nobody listens
    socket.create_connection(("127.0.0.1", 7005))
    sys.exit("connected to 7005?")
except ConnectionRefusedError:
    pass
time.sleep(0.2)
PY

ip netns exec "$NS" "$NETLAB" sniff -q -w "$TMPD/conns.pcap" lo tcp \
	>"$TMPD/sniff.out" 2>"$TMPD/sniff.err" &
sniff_pid=$!
if ! wait_for_capture "$NS" "$sniff_pid"; then
	not_ok "netlab sniff started in the namespace"
	sed 's/^/    /' "$TMPD/sniff.err" | head -n 5
	exit 0
fi

check "python peers ran ten conversations" \
	ip netns exec "$NS" python3 "$TMPD/peers.py"
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
check_eq "sniff exits 0 after SIGTERM" 0 "$rc"

"$NETLAB" replay --conns --json -q "$TMPD/conns.pcap" >"$TMPD/conns.json" 2>"$TMPD/replay.err"
check_eq "replay --conns --json exits 0" 0 "$?"

# expect PORT FIELD VALUE: the connection to server port PORT
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

expect 7001 client_state '"TIME_WAIT"'
expect 7001 server_state '"CLOSED"'
expect 7001 conn_state '"SF"'
expect 7001 active_closer '"client"'
expect 7001 bytes_c2s 5
expect 7002 client_state '"CLOSED"'
expect 7002 server_state '"TIME_WAIT"'
expect 7002 conn_state '"SF"'
expect 7002 active_closer '"server"'
expect 7002 bytes_s2c 3
expect 7003 conn_state '"SF"'
expect 7003 client_state '"TIME_WAIT"'
expect 7003 bytes_c2s 8
expect 7003 bytes_s2c 3008
expect 7004 reset_by '"client"'
expect 7004 reset_in '"ESTABLISHED"'
expect 7004 conn_state '"RSTO"'
expect 7004 server_state '"CLOSED"'
expect 7005 conn_state '"REJ"'
expect 7005 refused true
expect 7005 history '"Sr"'
expect 7005 client_state '"CLOSED"'
expect 7007 client_state '"TIME_WAIT"'
expect 7007 conn_state '"SF"'
case $(conn_field 7007 client) in
'"[::1]:'*) ok "port 7007: an IPv6 client endpoint" ;;
*) not_ok "port 7007: client $(conn_field 7007 client)" ;;
esac
n8=$(python3 -c '
import json, sys
cs = [o for o in map(json.loads, open(sys.argv[1]))
      if o.get("type") == "conn" and o["server"].endswith(":7008")]
print(" ".join("%s/%s/%s" % (c["end"], c["conn_state"], c["server_state"]) for c in cs))
' "$TMPD/conns.json")
check_eq "port 7008: the reused 4-tuple is two connections" \
	"reused/SF/TIME_WAIT end/SF/TIME_WAIT" "$n8"
expect 7006 reset_by '"server"'
expect 7006 conn_state '"RSTR"'

"$NETLAB" replay -q "$TMPD/conns.pcap" >"$TMPD/summary.txt" 2>&1
check "summary names the refused connection" \
	grep -q '^  refused     1 connection answered by RST' "$TMPD/summary.txt"
check "summary names the reset on close with unread data" \
	grep -q '1 look like close() with unread data' "$TMPD/summary.txt"
check "summary names the TIME_WAIT holders" \
	grep -Eq '^  time_wait   [0-9]+ clients, 3 servers closed first' "$TMPD/summary.txt"
check "summary counts the port reuse" \
	grep -q ' 1 port reuse, ' "$TMPD/summary.txt"

h=$(conn_field 7001 history)
case $h in
'"ShAD'*F*f*) ok "port 7001: history $h starts with the handshake and ends both ways with F" ;;
*) not_ok "port 7001: history $h" ;;
esac
h=$(conn_field 7003 history)
# the server's data ('d') follows the client's FIN ('F'): half-close
case $h in
*F*d*) ok "port 7003: history $h shows data after the client's FIN" ;;
*) not_ok "port 7003: history $h (no data after the client's FIN)" ;;
esac

# real retransmissions: netlab's flags agree with tshark's
if [ "$lossy" != yes ]; then
	skip "retransmissions on a lossy rule: nftables unavailable in the namespace"
else
	# a resend within the handshake RTT of the segment that last advanced
	# the sequence counts as out-of-order (Wireshark's rule), which on a
	# fast loopback is common: count both
	rx=$(python3 -c 'import json,sys; a = json.load(sys.stdin); print(a["retransmission"], a["out_of_order"])' \
		<<<"$(conn_field 7100 analysis)")
	set -- $rx
	if [ "$(($1 + $2))" -gt 0 ] 2>/dev/null; then
		ok "port 7100: resends through the lossy rule ($1 retransmissions, $2 out-of-order)"
	else
		not_ok "port 7100: no resend seen (analysis $(conn_field 7100 analysis))"
	fi
	h=$(conn_field 7100 history)
	if [ "${1:-0}" -eq 0 ]; then
		skip "port 7100: history T: every resend counted as out-of-order"
	else
		case $h in
		*T*) ok "port 7100: history $h has T (client retransmitted data)" ;;
		*) not_ok "port 7100: history $h lacks T" ;;
		esac
	fi
	# payload bytes as sent: the retransmitted ones count again
	b=$(conn_field 7100 bytes_c2s)
	if [ "${b:-0}" -gt 200000 ] 2>/dev/null; then
		ok "port 7100: $b payload bytes sent for 200000, retransmissions included"
	else
		not_ok "port 7100: bytes_c2s $b (want > 200000)"
	fi
	if command -v tshark >/dev/null 2>&1; then
		for fl in retransmission fast_retransmission duplicate_ack \
			out_of_order lost_segment ack_lost_segment; do
			key=$fl
			case $fl in
			duplicate_ack) key=dup_ack ;;
			lost_segment) key=previous_segment_not_captured ;;
			ack_lost_segment) key=acked_unseen_segment ;;
			esac
			want=$(tshark -r "$TMPD/conns.pcap" -Y "tcp.analysis.$fl" \
				2>/dev/null | wc -l)
			got=$(tail -n 1 "$TMPD/conns.json" | python3 -c \
				"import json,sys; print(json.load(sys.stdin)['tcp']['analysis']['$key'])")
			check_eq "tcp.analysis.$fl on real losses: netlab = tshark" "$want" "$got"
		done
	else
		skip "flags vs tshark on real losses: tshark not installed"
	fi
fi

# the per-packet notes: the handshake and teardown roles are there
"$NETLAB" replay "$TMPD/conns.pcap" 'tcp port 7001' >"$TMPD/lines.txt" 2>&1
check "text lines name the handshake roles" grep -q '\[handshake 3/3\]' "$TMPD/lines.txt"
check "text lines name the active closer" grep -q 'TIME_WAIT (active closer)' "$TMPD/lines.txt"
"$NETLAB" replay --ladder --ascii "$TMPD/conns.pcap" 'tcp port 7005' >"$TMPD/ladder.txt" 2>&1
check "ladder draws the refused connection" grep -q 'refused' "$TMPD/ladder.txt"

# TIME_WAIT holders per endpoint: the summary's busiest server endpoints
# agree with a count of the JSON connection objects.
synth=${NETLAB_BUILD:-build/rel}/tools/synthcap
if [ -x "$synth" ] && command -v jq >/dev/null; then
	"$synth" --packets 100000 --seed 5 "$TMPD/tw.pcap"
	"$NETLAB" replay -q "$TMPD/tw.pcap" >"$TMPD/tw.sum" 2>&1
	"$NETLAB" replay -q --json --conns "$TMPD/tw.pcap" 2>/dev/null |
		jq -r 'select(.type == "conn" and .server_state == "TIME_WAIT") | .server' |
		sort | uniq -c | sort -rn | head -n 1 >"$TMPD/tw.top"
	read -r n ep <"$TMPD/tw.top"
	check "summary lists the busiest server TIME_WAIT endpoint ($ep: $n)" \
		grep -q "^              $ep: $n server TIME_WAITs" "$TMPD/tw.sum"
else
	skip "TIME_WAIT holders per endpoint: needs synthcap and jq"
fi

# --closed-timeout: retiring closed connections early changes when they
# are reported, not what: the same rows (in another order), the same
# summary but for the count of those retired after closing. The rows'
# columns stay aligned however often the spilled table is flushed.
conn_rows() { grep -E '^ +[0-9]+ ' "$1" | sort; }
aligned() { # every IPv4 row has conn_state in columns 77-87
	grep -E '^ +[0-9]+ ' "$1" | grep -v '\[' | awk '
	substr($0, 77, 11) !~ /^(S0|S1|SF|REJ|S2|S3|RSTO|RSTR|RSTOS0|RSTRH|SH|SHR|OTH) *$/ {
		print "misaligned: " $0; bad = 1 }
	END { exit bad }'
}
if [ -x "$synth" ]; then
	"$NETLAB" replay -q --conns --closed-timeout 0 "$TMPD/tw.pcap" >"$TMPD/keep.txt" 2>&1
	"$NETLAB" replay -q --conns --closed-timeout 1 "$TMPD/tw.pcap" >"$TMPD/linger.txt" 2>&1
	"$NETLAB" replay -q --conns "$TMPD/tw.pcap" >"$TMPD/default.txt" 2>&1
	n=$(sed -n 's/.* \([0-9]*\) retired after closing.*/\1/p' "$TMPD/linger.txt")
	check "--closed-timeout 1 retires closed connections before the end (${n:-none})" \
		test "${n:-0}" -gt 100
	check "--closed-timeout 0 keeps them to the end" \
		sh -c "! grep -q 'retired after closing' '$TMPD/keep.txt'"
	check "the capture is shorter than the default 60 s: nothing retired" \
		cmp "$TMPD/keep.txt" "$TMPD/default.txt"
	check "--closed-timeout 1: the same connection rows as 0" \
		cmp <(conn_rows "$TMPD/keep.txt") <(conn_rows "$TMPD/linger.txt")
	check "--closed-timeout 1: the same summary as 0 but the count retired" \
		cmp <(grep -vE '^ +[0-9]+ |tcp conns' "$TMPD/keep.txt" | sort) \
		<(grep -vE '^ +[0-9]+ |tcp conns' "$TMPD/linger.txt" | sort)
	check "the rows' columns are aligned (rows kept to the end)" aligned "$TMPD/keep.txt"
	check "the rows' columns are aligned (rows retired early)" aligned "$TMPD/linger.txt"
	if command -v jq >/dev/null; then
		c=$("$NETLAB" replay -q --json --conns --closed-timeout 1 "$TMPD/tw.pcap" 2>/dev/null |
			jq -s '(map(select(.type == "conn" and .end == "closed")) | length) as $c |
			       (.[] | select(.type == "summary") | .tcp.closed) as $s |
			       if $c == $s then $c else "\($c) objects, summary \($s)" end')
		check "--json: as many conn objects end \"closed\" as the summary counts ($c)" \
			test "$c" = "$n"
	fi
else
	skip "--closed-timeout: needs synthcap"
fi
