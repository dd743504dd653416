#!/usr/bin/env bash
# netlab gen: every client scenario against the server on 127.0.0.1, with
# --truth on both sides compared (bytes, message boundaries); the classic
# merge made deterministic with --recv-delay; 1,000 concurrent connections;
# --reset (RST instead of FIN);
# hostile clients (oversize prefix, truncated header, garbage JSON header,
# silent, reset mid-message) logged while the server keeps serving; UDP
# boundaries; Python peers speaking struct.pack('i') and the jsonhdr upload.
# Needs jq and python3 for some checks (skipped otherwise). Loopback only.
. "$(dirname "$0")/lib.sh"

# A private copy: a rebuild of the tree during the run must not swap the
# binary under the test's feet.
NETLAB_ORIG=$NETLAB
cp "$NETLAB" "$TMPD/netlab" && NETLAB=$TMPD/netlab

have_jq=false have_py=false
command -v jq >/dev/null && have_jq=true
command -v python3 >/dev/null && have_py=true
srv_pid=""
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

# start_server NAME ARGS...: background server, sets $port and $srv_pid.
start_server() {
	local name=$1
	shift
	: >"$TMPD/$name.out"
	"$NETLAB" gen server --port 0 "$@" >"$TMPD/$name.out" 2>&1 &
	srv_pid=$!
	port=""
	for _ in $(seq 200); do
		port=$(sed -n 's/^listening on .* port \([0-9]*\) .*/\1/p' "$TMPD/$name.out")
		[ -n "$port" ] && return 0
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.02
	done
	echo "server did not start:" >&2
	cat "$TMPD/$name.out" >&2
	return 1
}

# stop_server: wait for an --exit-after server (at most ~10 s), else TERM it.
stop_server() {
	for _ in $(seq 200); do
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.05
	done
	kill "$srv_pid" 2>/dev/null
	wait "$srv_pid" 2>/dev/null
	srv_pid=""
}

# truth_sum FILE EV: total of "ret" over positive send/recv records.
truth_sum() {
	jq -s --arg ev "$2" '[.[] | select(.ev == $ev and .ret > 0) | .ret] | add // 0' "$1"
}
# truth_msgs FILE: message boundaries "off:len" per connection, one a line.
truth_msgs() {
	jq -r 'select(.ev == "message") | "\(.conn // 0):\(.off):\(.len)"' "$1"
}

compare_truth() { # NAME CLIENT_TRUTH SERVER_TRUTH
	if ! $have_jq; then
		skip "$1 truth: needs jq"
		return
	fi
	local cs ss
	cs=$(truth_sum "$2" send)
	ss=$(truth_sum "$3" recv)
	check_eq "$1: server received the bytes the client sent" "$cs" "$ss"
	if [ "$(truth_msgs "$2")" = "$(truth_msgs "$3")" ] && [ -n "$(truth_msgs "$2")" ]; then
		ok "$1: message boundaries identical on both sides"
	else
		not_ok "$1: message boundaries differ"
		diff <(truth_msgs "$2") <(truth_msgs "$3") | head -n 10 | sed 's/^/    /'
	fi
}

# --- merge: the classic "helloworldegon" --------------------------------
start_server merge --recv-delay 300 --exit-after 1 --truth "$TMPD/merge.s" || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario merge --truth "$TMPD/merge.c" >"$TMPD/merge.cout" 2>&1
stop_server
check_eq "merge: recv #1 returns the three sends merged" \
	'recv #1: 14 bytes "helloworldegon"' "$(grep '^recv #1:' "$TMPD/merge.out")"
check_eq "merge: recv #2 sees the close" \
	'recv #2: 0 bytes (peer closed)' "$(grep '^recv #2:' "$TMPD/merge.out")"
check_eq "merge: the client made three send() calls" 3 "$(grep -c '^send #' "$TMPD/merge.cout")"
if $have_jq; then
	check_eq "merge: truth bytes equal" "$(truth_sum "$TMPD/merge.c" send)" "$(truth_sum "$TMPD/merge.s" recv)"
	check_eq "merge: truth records socket options" true \
		"$(jq -s 'any(.[]; .ev == "sockopts" and has("nodelay") and has("maxseg") and has("sndbuf"))' "$TMPD/merge.c")"
fi

# --- split: one send, small recv() --------------------------------------
start_server split --recv-size 5 --exit-after 1 --truth "$TMPD/split.s" || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario split --truth "$TMPD/split.c" >>"$TMPD/clients.out" 2>&1
stop_server
check_eq "split: one send read as hello/world/egon" \
	'recv #1: 5 bytes "hello"|recv #2: 5 bytes "world"|recv #3: 4 bytes "egon"' \
	"$(grep '^recv #[123]:' "$TMPD/split.out" | paste -sd'|')"
$have_jq && check_eq "split: truth bytes equal" "$(truth_sum "$TMPD/split.c" send)" "$(truth_sum "$TMPD/split.s" recv)"

# --- framed, several framings ------------------------------------------
for spec in u32le u16be u64le varint line "len:2:be,offset=3" "len:4:le,adjust=-4"; do
	tag=$(echo "$spec" | tr -c 'a-z0-9\n' '_')
	start_server "fr_$tag" --framing "$spec" --recv-delay 100 --exit-after 2 --truth "$TMPD/fr_$tag.s" || exit 1
	"$NETLAB" gen client "127.0.0.1:$port" --scenario framed --framing "$spec" --size 12-900 \
		--count 25 --connections 2 --seed 7 --truth "$TMPD/fr_$tag.c" >"$TMPD/fr_$tag.cout" 2>&1
	stop_server
	if [ "$spec" = line ]; then
		n=$(grep -c '^message #' "$TMPD/fr_$tag.out")
		check_eq "framed $spec: 50 lines received whole" 50 "$n"
	else
		check_eq "framed $spec: 50 messages, all checksums ok" "50 50 0" \
			"$(sed -n 's/.* \([0-9]*\) messages (\([0-9]*\) checksums ok, \([0-9]*\) bad).*/\1 \2 \3/p' "$TMPD/fr_$tag.out")"
	fi
	compare_truth "framed $spec" "$TMPD/fr_$tag.c" "$TMPD/fr_$tag.s"
done
start_server coal --framing u32le --exit-after 1 || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario framed --coalesce --size 100 --count 5 >"$TMPD/coal.cout" 2>&1
stop_server
check_eq "framed --coalesce: one send() per message" 5 "$(grep -c '^send #' "$TMPD/coal.cout")"
check_eq "framed --coalesce: 5 checksums ok" 5 "$(grep -c 'checksum ok' "$TMPD/coal.out")"

# --- jsonhdr, ready, echo, reply ----------------------------------------
start_server jh --framing jsonhdr --exit-after 1 --truth "$TMPD/jh.s" || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario jsonhdr --count 3 --size 1000-70000 --truth "$TMPD/jh.c" >>"$TMPD/clients.out" 2>&1
stop_server
check_eq "jsonhdr: 3 uploads, checksums ok" 3 "$(grep -c 'checksum ok' "$TMPD/jh.out")"
compare_truth "jsonhdr" "$TMPD/jh.c" "$TMPD/jh.s"

start_server ready --ready --exit-after 1 --truth "$TMPD/ready.s" || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario ready --size 30-3000 --count 4 --truth "$TMPD/ready.c" >"$TMPD/ready.cout" 2>&1
stop_server
check_eq "ready: 4 bodies after 4 \"ready\"" "4 4" \
	"$(grep -c '^recv: "ready"' "$TMPD/ready.cout") $(grep -c 'checksum ok' "$TMPD/ready.out")"
$have_jq && check_eq "ready: truth bytes equal" "$(truth_sum "$TMPD/ready.c" send)" "$(truth_sum "$TMPD/ready.s" recv)"

start_server echo --echo --framing u32le --exit-after 1 || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario framed --size 2000 --count 50 --truth "$TMPD/echo.c" >>"$TMPD/clients.out" 2>&1
stop_server
$have_jq && check_eq "echo: the client got back every byte it sent" \
	"$(truth_sum "$TMPD/echo.c" send)" "$(truth_sum "$TMPD/echo.c" recv)"

start_server reply --reply-size 3000 --framing u32le --exit-after 1 || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario framed --count 4 --truth "$TMPD/reply.c" >>"$TMPD/clients.out" 2>&1
stop_server
$have_jq && check_eq "reply-size: 4 framed answers of 3000 bytes" 12016 "$(truth_sum "$TMPD/reply.c" recv)"

# --- udp ----------------------------------------------------------------
start_server udp --udp --exit-after 6 --truth "$TMPD/udp.s" || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario udp --count 6 >>"$TMPD/clients.out" 2>&1
stop_server
check_eq "udp: each datagram is one recvfrom, boundaries kept" "5 5 4 5 5 4" \
	"$(sed -n 's/^recvfrom #[0-9]*: \([0-9]*\) bytes.*/\1/p' "$TMPD/udp.out" | paste -sd' ')"

# --- 1,000 concurrent connections -----------------------------------------
ulimit -n 4096 2>/dev/null
start_server many --framing u32le --quiet --exit-after 1000 || exit 1
t0=$(date +%s.%N)
"$NETLAB" gen client "127.0.0.1:$port" --scenario framed --connections 1000 --size 50-500 --count 3 >"$TMPD/many.cout" 2>&1
crc=$?
stop_server
t1=$(date +%s.%N)
check_eq "1000 connections: client ok" 0 "$crc"
check_eq "1000 connections: 3000 messages verified, no errors" \
	"server: 1000 connections (0 refused) 3000 messages (3000 checksums ok, 0 bad), 0 errors" \
	"$(sed -n 's/^\(server: [0-9]* connections ([0-9]* refused)\), [0-9]* recv calls, [0-9]* bytes, \(.*\)/\1 \2/p' "$TMPD/many.out")"
echo "# 1000 connections x 3 messages: $(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s"

# --- flood ----------------------------------------------------------------
start_server flood --sink --framing u32le --exit-after 2 || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario flood --connections 2 --duration 1 --size 4096 >"$TMPD/flood.cout" 2>&1
stop_server
fm=$(sed -n 's/^flood: .* connections, \([0-9]*\) messages.*/\1/p' "$TMPD/flood.cout")
sm=$(sed -n 's/.* \([0-9]*\) messages (\([0-9]*\) checksums ok, 0 bad), 0 errors/\2/p' "$TMPD/flood.out")
if [ -n "$fm" ] && [ "$fm" = "$sm" ] && [ "$fm" -gt 0 ]; then
	ok "flood: all $fm messages arrived whole"
else
	not_ok "flood: client sent '$fm' messages, server verified '$sm'"
	cat "$TMPD/flood.cout" "$TMPD/flood.out" | sed 's/^/    /'
fi
echo "# $(grep '^flood:' "$TMPD/flood.cout")"

# --- reset: SO_LINGER 0 ends the connection with RST -------------------------
start_server rst --framing u32le --exit-after 1 || exit 1
"$NETLAB" gen client "127.0.0.1:$port" --scenario framed --reset --truth "$TMPD/rst.c" >"$TMPD/rst.cout" 2>&1
rst_rc=$?
stop_server
check_eq "--reset: the client succeeds" 0 "$rst_rc"
check_eq "--reset: the server got the 3 messages, then ECONNRESET" "3 1" \
	"$(grep -c '^message #' "$TMPD/rst.out") $(grep -c 'connection reset by peer (ECONNRESET) after 26 bytes' "$TMPD/rst.out")"
$have_jq && check_eq "--reset: the truth's close record says reset" reset \
	"$(jq -r 'select(.ev == "close") | .reason' "$TMPD/rst.c")"
check_rc "--reset with udp is a usage error" 2 "$NETLAB" gen client 127.0.0.1:1 --scenario udp --reset

# --- errors the user must understand ----------------------------------------
start_server busy || exit 1
busy_pid=$srv_pid busy_port=$port
check_rc "EADDRINUSE: exit status 1" 1 "$NETLAB" gen server --port "$busy_port"
if grep -q "TIME_WAIT" "$TMPD/check.out" && grep -q "SO_REUSEADDR" "$TMPD/check.out"; then
	ok "EADDRINUSE: the message explains TIME_WAIT and SO_REUSEADDR"
else
	not_ok "EADDRINUSE message: $(cat "$TMPD/check.out")"
fi
kill "$busy_pid" 2>/dev/null
wait "$busy_pid" 2>/dev/null
srv_pid=""
check_rc "client: connection refused is exit status 1" 1 \
	"$NETLAB" gen client "127.0.0.1:$busy_port" --scenario merge
check_rc "client: bad scenario is a usage error" 2 "$NETLAB" gen client 127.0.0.1:1 --scenario nope
check_rc "server: bad framing is a usage error" 2 "$NETLAB" gen server --framing u33
check_rc "server: --echo with --sink is a usage error" 2 "$NETLAB" gen server --echo --sink

# --- demo: the three views side by side ----------------------------------
# fits_width FILE N: no line of FILE wider than N columns (ASCII output).
fits_width() {
	awk -v n="$2" 'length($0) > n { bad = 1; print "    " length($0) " columns: " $0 }
		END { exit bad }' "$1"
}
# Not a terminal, no $COLUMNS: 120 columns; LC_ALL=C: ASCII box drawing.
for sc in merge split framed jsonhdr ready udp flood; do
	if timeout 30 env -u COLUMNS LC_ALL=C "$NETLAB" gen demo "$sc" >"$TMPD/demo_$sc.out" 2>&1 &&
		grep -q '^| Application sent .* | Wire carried .* | Receiver got ' "$TMPD/demo_$sc.out" &&
		grep -q '^What happened:' "$TMPD/demo_$sc.out" &&
		fits_width "$TMPD/demo_$sc.out" 120; then
		ok "demo $sc: sent, wire and received side by side in 120 columns, and the explanation"
	else
		not_ok "demo $sc"
		sed 's/^/    /' "$TMPD/demo_$sc.out" | head -n 40
	fi
done
check_eq "demo merge: the server's first recv() holds all three sends" 1 \
	"$(grep -c '| c>s recv #1 14 B "helloworldegon" ' "$TMPD/demo_merge.out")"
check_eq "demo ready: both directions, marked in every cell" 3 \
	"$(grep -c '^| s>c send #[0-9] 5 B "ready" *| s>c frame [0-9]* .*| s>c recv #[0-9] 5 B "ready" ' "$TMPD/demo_ready.out")"
check_eq "demo framed: three messages found" 3 "$(grep -c '^  message #' "$TMPD/demo_framed.out")"
for sc in merge framed; do
	if timeout 30 env LC_ALL=C "$NETLAB" gen demo "$sc" --stacked >"$TMPD/demo_st_$sc.out" 2>&1 &&
		grep -q '^1. What the application sent' "$TMPD/demo_st_$sc.out" &&
		grep -q '^2. What the wire carried' "$TMPD/demo_st_$sc.out" &&
		grep -q '^3. What the receiver got' "$TMPD/demo_st_$sc.out" &&
		grep -q '^What happened:' "$TMPD/demo_st_$sc.out" &&
		! grep -q '^+---' "$TMPD/demo_st_$sc.out"; then
		ok "demo $sc --stacked: the three views one after another"
	else
		not_ok "demo $sc --stacked"
		sed 's/^/    /' "$TMPD/demo_st_$sc.out" | head -n 30
	fi
done
check_eq "demo merge --stacked: the server's first recv() holds all three sends" 1 \
	"$(grep -c 'server recv #1 *14 bytes  "helloworldegon"' "$TMPD/demo_st_merge.out")"
for w in 90 97; do
	timeout 30 env LC_ALL=C "$NETLAB" gen demo split --width "$w" >"$TMPD/demo_w$w.out" 2>&1
	if grep -q '^| Application sent' "$TMPD/demo_w$w.out" && fits_width "$TMPD/demo_w$w.out" "$w"; then
		ok "demo split --width $w: every line fits"
	else
		not_ok "demo split --width $w"
		sed 's/^/    /' "$TMPD/demo_w$w.out" | head -n 30
	fi
done
timeout 30 env COLUMNS=100 LC_ALL=C "$NETLAB" gen demo merge >"$TMPD/demo_cols.out" 2>&1
if grep -q '^| Application sent' "$TMPD/demo_cols.out" && fits_width "$TMPD/demo_cols.out" 100 &&
	[ "$(awk 'length($0) == 100' "$TMPD/demo_cols.out" | grep -c '^[+|]')" -gt 0 ]; then
	ok "demo: \$COLUMNS sets the width when stdout is not a terminal"
else
	not_ok "demo with COLUMNS=100"
	sed 's/^/    /' "$TMPD/demo_cols.out" | head -n 30
fi
check "demo --width 89: below 90 columns the stacked views" \
	grep -q '^1. What the application sent' <(timeout 30 "$NETLAB" gen demo merge --width 89 2>&1)
timeout 30 env LC_ALL=C.UTF-8 "$NETLAB" gen demo merge >"$TMPD/demo_utf8.out" 2>&1
timeout 30 env LC_ALL=C.UTF-8 "$NETLAB" gen demo merge --ascii >"$TMPD/demo_ascii.out" 2>&1
if grep -q '^│ c→s send #1 5 B "hello" ' "$TMPD/demo_utf8.out" &&
	grep -q '^| c>s send #1 5 B "hello" ' "$TMPD/demo_ascii.out" &&
	! LC_ALL=C grep -q '[^ -~]' "$TMPD/demo_ascii.out"; then
	ok "demo: box drawing in a UTF-8 locale, plain ASCII with --ascii"
else
	not_ok "demo box drawing / --ascii"
	sed 's/^/    /' "$TMPD/demo_utf8.out" | head -n 12
fi
check_rc "demo --width 5: a usage error" 2 "$NETLAB" gen demo merge --width 5
if is_root; then
	if grep -q 'skipped' "$TMPD/demo_merge.out"; then
		skip "demo wire view: capture unavailable here ($(grep skipped "$TMPD/demo_merge.out"))"
	else
		# cause and effect on one row: the segment that carried the last
		# byte (frame 8 when each send had its own segment) and the recv
		last=$(sed -n 's/^| [^|]*| c>s frame \([0-9]*\) seq +[0-9]* [0-9]* B .*/\1/p' \
			"$TMPD/demo_merge.out" | tail -n 1)
		if [ -n "$last" ] && grep -q "^| [^|]*| c>s frame $last seq +[0-9]* [0-9]* B .*| c>s recv #1 14 B \"helloworldegon\" " \
			"$TMPD/demo_merge.out"; then
			ok "demo merge: the row of frame $last, the last data segment, holds the recv() that returned \"helloworldegon\""
		else
			not_ok "demo merge: no row holds frame ${last:-?} and the recv() of \"helloworldegon\""
			sed 's/^/    /' "$TMPD/demo_merge.out" | head -n 30
		fi
		check_eq "demo merge: the peer-closed recv() on the row of the client's FIN" 1 \
			"$(grep -c '^| *| c>s frame [0-9]* FIN *| c>s recv #2 0 B (peer closed) ' "$TMPD/demo_merge.out")"
		check_eq "demo split --mss: the wire shows MSS-sized segments" 3 \
			"$(grep -c '| c>s frame [0-9]* seq +[0-9]* 988 B ' "$TMPD/demo_split.out")"
		check_eq "demo split: the 3000-byte send on the row of its first segment" 1 \
			"$(grep -c '^| c>s send #1 3000 B .*| c>s frame [0-9]* seq +0 988 B ' "$TMPD/demo_split.out")"
		timeout 30 "$NETLAB" gen demo framed --size 3000 --mss 1000 --count 2 --stacked \
			--write "$TMPD/demo.pcap" >"$TMPD/demo_w.out" 2>&1
		check "demo --write: the capture replays" "$NETLAB" replay "$TMPD/demo.pcap"
		check_eq "demo: netlab's message map marks where messages end" 2 \
			"$(grep -c 'client->server .* msgs .*#[0-9]*\[tail [0-9]*B\]' "$TMPD/demo_w.out")"
	fi
	if command -v setpriv >/dev/null && setpriv --reuid 65534 --regid 65534 --clear-groups true 2>/dev/null &&
		setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$NETLAB_ORIG" 2>/dev/null; then
		env -u COLUMNS LC_ALL=C setpriv --reuid 65534 --regid 65534 --clear-groups \
			"$NETLAB_ORIG" gen demo merge >"$TMPD/demo_user.out" 2>&1
		if grep -q '| Wire carried: skipped: ' "$TMPD/demo_user.out" &&
			grep -q 'permission\|CAP_NET_RAW' "$TMPD/demo_user.out" &&
			grep -q '^| c>s send #3 4 B "egon" *| *| c>s recv #1 14 B "helloworldegon" ' "$TMPD/demo_user.out" &&
			fits_width "$TMPD/demo_user.out" 120; then
			ok "demo without capture permission: sent vs received side by side, says what it skipped"
		else
			not_ok "demo without capture permission"
			sed 's/^/    /' "$TMPD/demo_user.out" | head -n 30
		fi
	else
		skip "demo without permission: cannot drop privileges here"
	fi
else
	skip "demo wire view: needs root (namespace, capture)"
fi

sanitizer_check() {
	if grep -l 'AddressSanitizer\|LeakSanitizer\|runtime error:' "$TMPD"/*out 2>/dev/null; then
		not_ok "sanitizer reports in the outputs above"
		grep -h -A5 'AddressSanitizer\|LeakSanitizer\|runtime error:' "$TMPD"/*out | head -n 30
	else
		ok "no sanitizer reports from any server, client or demo"
	fi
}

# --- hostile clients, Python peers ------------------------------------------
if ! $have_py; then
	skip "hostile clients and Python interop: needs python3"
	sanitizer_check
	exit 0
fi

start_server bad --framing u32le --max-message 100000 --idle-timeout 1 --max-conns 8 || exit 1
python3 - "$port" <<'EOF' >"$TMPD/bad.py" 2>&1
import socket, struct, sys, time
socket.setdefaulttimeout(10)
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port))
    return s
# oversize length prefix: 2 GB
s = conn(); s.sendall(struct.pack('i', 2000000000) + b"x" * 10); time.sleep(0.2); s.close()
# truncated header, then close
s = conn(); s.sendall(b"\x05\x00"); time.sleep(0.1); s.close()
# a good message, then half a message, then a reset (SO_LINGER 0)
s = conn(); s.sendall(struct.pack('i', 5) + b"hello" + struct.pack('i', 1000) + b"abc")
time.sleep(0.1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); s.close()
# silent client: the idle timeout closes it
s = conn(); time.sleep(1.8)
print("silent closed by server:", s.recv(10) == b"")
s.close()
EOF
"$NETLAB" gen client "127.0.0.1:$port" --scenario framed --size 100 --count 3 >"$TMPD/after.cout" 2>&1
after=$?
kill "$srv_pid"
wait "$srv_pid" 2>/dev/null
srv_pid=""
grep -q "length out of range (the length field says 2000000000)" "$TMPD/bad.out" &&
	ok "hostile: oversize prefix logged and closed" || not_ok "hostile: oversize prefix not logged"
grep -q "incomplete message at close: 2 bytes of header" "$TMPD/bad.out" &&
	ok "hostile: truncated header logged" || not_ok "hostile: truncated header not logged"
grep -q "connection reset by peer (ECONNRESET) after 12 bytes, in the middle of a message\|incomplete message at close: 7 of 1004 bytes" "$TMPD/bad.out" &&
	ok "hostile: reset mid-message logged" || not_ok "hostile: reset mid-message not logged"
grep -q "idle for 1 s" "$TMPD/bad.out" && grep -q "silent closed by server: True" "$TMPD/bad.py" &&
	ok "hostile: silent client closed after the idle timeout" || not_ok "hostile: silent client"
check_eq "hostile: a good client is still served afterwards" 0 "$after"
check_eq "hostile: its 3 messages verified" 3 "$(grep -c 'checksum ok' "$TMPD/bad.out")"
if ! grep -q "message #1: 9 bytes (header 4, body 5) \"hello\"" "$TMPD/bad.out"; then
	not_ok "hostile: the good message before the reset was reported"
	sed 's/^/    /' "$TMPD/bad.out" | head -n 30
else
	ok "hostile: the good message before the reset was reported"
fi

start_server badjson --framing jsonhdr --exit-after 2 || exit 1
python3 - "$port" <<'EOF' >/dev/null 2>&1
import socket, struct, sys
socket.setdefaulttimeout(10)
port = int(sys.argv[1])
for hdr in (b'{"func": "put", "file_size": "lots"}', b'\x1b[31m not json'):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(struct.pack('i', len(hdr)) + hdr)
    s.recv(10)
    s.close()
EOF
stop_server
check_eq "hostile: garbage JSON headers logged" 2 "$(grep -c 'error: framing error at stream offset 4: JSON header' "$TMPD/badjson.out")"
if grep -q "$(printf '\033')" "$TMPD/badjson.out"; then
	not_ok "hostile: an escape byte reached the log"
else
	ok "hostile: nothing received reaches the terminal raw"
fi

start_server limit --max-conns 2 || exit 1
python3 - "$port" <<'EOF' >"$TMPD/limit.py" 2>&1
import socket, sys, time
socket.setdefaulttimeout(10)
port = int(sys.argv[1])
a = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
time.sleep(0.2)
b = socket.create_connection(("127.0.0.1", port))
print(b.recv(200).decode())
EOF
kill "$srv_pid"
wait "$srv_pid" 2>/dev/null
srv_pid=""
grep -q "too many connections" "$TMPD/limit.py" && grep -q "^refused" "$TMPD/limit.out" &&
	ok "--max-conns: the third connection is refused politely" || not_ok "--max-conns"

# TIME_WAIT: the server closes first (idle timeout), so the port is held.
start_server tw --idle-timeout 1 --exit-after 1 || exit 1
python3 -c "
import socket
s = socket.create_connection(('127.0.0.1', $port)); s.recv(10); s.close()" 2>/dev/null
stop_server
check_rc "TIME_WAIT: --no-reuseaddr cannot bind the port" 1 \
	"$NETLAB" gen server --port "$port" --no-reuseaddr --exit-after 1
grep -q "TIME_WAIT" "$TMPD/check.out" && ok "TIME_WAIT: the error explains it" ||
	not_ok "TIME_WAIT: $(cat "$TMPD/check.out")"
start_server tw2 --port "$port" --exit-after 1 &&
	ok "TIME_WAIT: with SO_REUSEADDR (the default) the port binds again" ||
	not_ok "TIME_WAIT: SO_REUSEADDR did not help"
kill "$srv_pid" 2>/dev/null
wait "$srv_pid" 2>/dev/null
srv_pid=""

# u32le is struct.pack('i', n); the seed's upload server reads our jsonhdr.
start_python() { # SCRIPT: a Python server printing its port first
	python3 -c "$1" >"$TMPD/py.out" 2>&1 &
	srv_pid=$!
	port=""
	for _ in $(seq 200); do
		port=$(head -n 1 "$TMPD/py.out" 2>/dev/null)
		[ -n "$port" ] && return 0
		sleep 0.02
	done
	return 1
}
start_python '
import socket, struct, sys
socket.setdefaulttimeout(10)
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
data = b""
while True:
    d = c.recv(1024)
    if not d: break
    data += d
msgs = [b"hello", b"world", b"egon"]
want = b"".join(struct.pack("i", len(m)) + m for m in msgs)
print("identical" if data == want else "differs %r" % data, flush=True)
'
"$NETLAB" gen client "127.0.0.1:$port" --scenario framed >>"$TMPD/clients.out" 2>&1
wait "$srv_pid"
srv_pid=""
check_eq "interop: framed u32le is byte for byte struct.pack('i', n) + body" identical "$(sed -n 2p "$TMPD/py.out")"

start_python '
import json, socket, struct, zlib
socket.setdefaulttimeout(10)
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True)
conn, addr = s.accept()
head = conn.recv(4)
header_len = struct.unpack("i", head)[0]
data = json.loads(conn.recv(header_len))
file_size = data["file_size"]
got = b""
while file_size - len(got) > 1024:
    got += conn.recv(1024)
while len(got) < file_size:
    got += conn.recv(file_size - len(got))
tag = got[:12]
ok = tag[:3] == b"NLG" and int(tag[3:11], 16) == zlib.crc32(got[12:])
print(data["func"], data["file_name"], file_size, "crc ok" if ok else "crc bad", flush=True)
'
"$NETLAB" gen client "127.0.0.1:$port" --scenario jsonhdr --size 50000 >>"$TMPD/clients.out" 2>&1
wait "$srv_pid"
srv_pid=""
check_eq "interop: the seed's Python upload server accepts our jsonhdr upload" \
	"put netlab-gen-1-0.bin 50000 crc ok" "$(sed -n 2p "$TMPD/py.out")"

head -c 30000 /dev/urandom >"$TMPD/upload.bin"
start_server pyup --framing jsonhdr --exit-after 1 || exit 1
python3 - "$port" "$TMPD/upload.bin" <<'EOF' >/dev/null 2>&1
import json, os, socket, struct, sys
socket.setdefaulttimeout(10)
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
path = sys.argv[2]
header = {"func": "put", "file_name": os.path.basename(path), "file_size": os.path.getsize(path)}
header_bytes = bytes(json.dumps(header), encoding="utf-8")
c.send(struct.pack("i", len(header_bytes)))
c.send(header_bytes)
with open(path, "rb") as f:
    for line in f:
        c.send(line)
c.close()
EOF
stop_server
check_eq "interop: our server takes the seed's Python upload client" 1 \
	"$(grep -c '^message #1: [0-9]* bytes (header [0-9]*, body 30000)' "$TMPD/pyup.out")"

# IPv6 loopback, when the host has it
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
	start_server v6 --bind ::1 --framing u32le --exit-after 1 || exit 1
	"$NETLAB" gen client "[::1]:$port" --scenario framed --size 64 >>"$TMPD/clients.out" 2>&1
	stop_server
	check_eq "ipv6: framed over ::1" 3 "$(grep -c 'checksum ok' "$TMPD/v6.out")"
else
	skip "ipv6: no ::1 on this host"
fi
sanitizer_check
