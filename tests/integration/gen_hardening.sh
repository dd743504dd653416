#!/usr/bin/env bash
# netlab gen server under hostile clients, on 127.0.0.1 (issue 6). One
# server (--framing u32le --echo --max-conns 16 --idle-timeout 2) while,
# at once:
#   - a good client sends 30 messages over ~5 s and checks every echo;
#   - three slowloris-style clients trickle a byte every 0.5 s (never idle
#     for 2 s, never finishing a header and body): closed as too slow;
#   - a client sends one byte and then nothing (a byte a minute): closed;
#   - 20 clients send half a message and reset (SO_LINGER 0);
#   - 40 connections at once, beyond --max-conns: the extra ones get the
#     one-line refusal and are closed; the accepted silent ones time out.
# Then: the good client saw every echo, each hostile client got its log
# line, the server's descriptors are back to what they were at start
# (/proc/PID/fd), it still serves a new client, and it exits 0 on SIGTERM.
# What gen.sh already covers (oversize prefix, truncated header, garbage
# JSON, silent client, reset mid-message, one refusal) is not repeated.
# Also: with a descriptor limit below --max-conns, accept() fails with
# EMFILE; the server says so, pauses accepting, and serves on.
# Needs python3 and /proc; skips otherwise.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	skip "gen server hardening: needs python3"
	exit 0
fi
# A private copy: a rebuild during the run must not swap the binary.
cp "$NETLAB" "$TMPD/netlab" && NETLAB=$TMPD/netlab
srv_pid=""
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

# start_server NAME ARGS...: background server, sets $port and $srv_pid.
start_server() {
	local name=$1 i
	shift
	: >"$TMPD/$name.out" # before the background job opens it
	"$NETLAB" gen server --port 0 "$@" >"$TMPD/$name.out" 2>&1 &
	srv_pid=$!
	port=""
	for i in $(seq 200); do
		port=$(sed -n 's/^listening on .* port \([0-9]*\) .*/\1/p' "$TMPD/$name.out")
		[ -n "$port" ] && return 0
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.02
	done
	not_ok "$name: the server starts"
	sed 's/^/    /' "$TMPD/$name.out" | head -n 5
	return 1
}
# stop_server NAME: SIGTERM; checks the exit status
stop_server() {
	kill -TERM "$srv_pid" 2>/dev/null
	wait "$srv_pid"
	check_eq "$1: the server exits 0 on SIGTERM" 0 "$?"
	srv_pid=""
}
nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# sanitizer reports or crashes in a log
clean_log() {
	if grep -q 'ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer' "$1"; then
		not_ok "$2: no sanitizer report"
		grep -m 3 'ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer' "$1" | sed 's/^/    /'
	else
		ok "$2: no sanitizer report"
	fi
}

if [ ! -d /proc/self/fd ]; then
	skip "gen server hardening: no /proc/PID/fd to count descriptors"
	exit 0
fi

# ---- many hostile clients at once --------------------------------------
start_server hard --framing u32le --echo --max-conns 16 --idle-timeout 2 \
	--max-message 100000 -q || exit 0
sleep 0.2
fd0=$(nfds "$srv_pid")

python3 - "$port" >"$TMPD/hard.py" 2>&1 <<'PY'
import socket, struct, sys, threading, time
port = int(sys.argv[1])
socket.setdefaulttimeout(10)
out = {}
lock = threading.Lock()
def say(k, v):
    with lock:
        out[k] = v

def conn():
    return socket.create_connection(("127.0.0.1", port))

def recv_n(s, n):
    d = b""
    while len(d) < n:
        b = s.recv(n - len(d))
        if not b:
            break
        d += b
    return d

def good():
    s = conn()
    ok = 0
    for i in range(30):
        m = struct.pack("<I", 100) + bytes([65 + i % 26]) * 100
        s.sendall(m)
        if recv_n(s, len(m)) == m:
            ok += 1
        time.sleep(0.15)
    s.close()
    say("good", ok)

def closed_by_server(s, wait):
    # True once the server closed (echoed bytes are read and dropped)
    s.settimeout(wait)
    try:
        while True:
            if s.recv(100) == b"":
                return True
    except socket.timeout:
        return False
    except OSError:
        return True

def slowloris(k):
    # a byte every 0.5 s: header 4 bytes, then a 1000-byte body
    s = conn()
    msg = struct.pack("<I", 1000) + b"s" * 1000
    t0 = time.time()
    closed = None
    for b in msg:
        try:
            s.send(bytes([b]))
        except OSError:
            closed = time.time() - t0
            break
        if closed_by_server(s, 0.5):
            closed = time.time() - t0
            break
        if time.time() - t0 > 8:
            break
    s.close()
    say("slow%d" % k, closed)

def byte_a_minute():
    s = conn()
    t0 = time.time()
    s.send(b"\x10")
    say("minute", time.time() - t0 if closed_by_server(s, 8) else None)
    s.close()

def resets():
    n = 0
    for _ in range(20):
        s = conn()
        s.sendall(struct.pack("<I", 50) + b"0123456789")
        time.sleep(0.02)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        n += 1
    say("resets", n)

def flood():
    socks = [conn() for _ in range(40)]
    refused = silent = 0
    for s in socks:
        s.settimeout(5)
        try:
            d = s.recv(200)
        except socket.timeout:
            d = None
        except ConnectionResetError:
            d = b"reset"
        if d and b"too many connections" in d:
            refused += 1
        elif d == b"":
            silent += 1  # accepted, then closed when idle
    for s in socks:
        s.close()
    say("refused", refused)
    say("idled", silent)

ts = [threading.Thread(target=good), threading.Thread(target=byte_a_minute)]
ts += [threading.Thread(target=slowloris, args=(k,)) for k in range(3)]
for t in ts:
    t.start()
time.sleep(0.3)
resets()
time.sleep(0.3)
f = threading.Thread(target=flood)
f.start()
ts.append(f)
for t in ts:
    t.join()
for k in sorted(out):
    print(k, out[k])
PY
alive=no
kill -0 "$srv_pid" 2>/dev/null && alive=yes
check_eq "hostile mix: the server is still running" yes "$alive"
val() { sed -n "s/^$1 //p" "$TMPD/hard.py"; }
check_eq "the good client got all 30 echoes during the attack" 30 "$(val good)"
for k in 0 1 2; do
	t=$(val slow$k)
	if python3 -c 'import sys; v = float(sys.argv[1]); sys.exit(0 if 1.5 <= v <= 5 else 1)' "$t" 2>/dev/null; then
		ok "slowloris client $k: closed by the server after $t s of trickle"
	else
		not_ok "slowloris client $k: closed after '$t' (want 2-3 s)"
		sed 's/^/    /' "$TMPD/hard.py" | head -n 12
	fi
done
t=$(val minute)
if python3 -c 'import sys; v = float(sys.argv[1]); sys.exit(0 if 1.5 <= v <= 5 else 1)' "$t" 2>/dev/null; then
	ok "a byte-a-minute client: closed after $t s"
else
	not_ok "a byte-a-minute client: '$t'"
fi
check_eq "too-slow clients logged, one line each" 4 \
	"$(grep -c 'too slow: .* no message finished' "$TMPD/hard.out")"
check_eq "20 clients reset mid-message" 20 "$(val resets)"
check_eq "each reset logged" 20 \
	"$(grep -c 'connection reset by peer (ECONNRESET) after 14 bytes, in the middle of a message\|incomplete message at close: 10 of 54 bytes' "$TMPD/hard.out")"
refused=$(val refused) idled=$(val idled)
if [ "${refused:-0}" -gt 0 ] && [ "$((refused + idled))" -eq 40 ]; then
	ok "flood of 40: $refused refused with the one-line reason, $idled accepted and closed when idle"
else
	not_ok "flood of 40: refused '$refused', idled '$idled'"
fi
check_eq "every refusal logged" "$refused" \
	"$(grep -c '^refused 127.0.0.1:[0-9]*: 16 connections open (--max-conns)' "$TMPD/hard.out")"
check_eq "silent flood connections logged as idle" "$idled" \
	"$(grep -c 'idle for 2 s after 0 bytes; closing the connection' "$TMPD/hard.out")"
# the idle ones are closed within idle timeout + one housekeeping pass
sleep 1
fd1=$(nfds "$srv_pid")
check_eq "no descriptor leaked: /proc/PID/fd back to $fd0 after 66 connections" "$fd0" "$fd1"
"$NETLAB" gen client "127.0.0.1:$port" --scenario framed --framing u32le \
	--size 100 --count 3 -q >"$TMPD/after.out" 2>&1
check_eq "a new client is served after the attack" 0 "$?"
stop_server "hostile mix"
if grep -Eq '^server: [0-9]+ connections \('"$refused"' refused\)' "$TMPD/hard.out"; then
	ok "the server's final line counts the $refused refusals"
else
	not_ok "the server's final line: $(grep '^server:' "$TMPD/hard.out")"
fi
clean_log "$TMPD/hard.out" "hostile mix"

# ---- descriptors run out before --max-conns ----------------------------
# A hard limit of 24 descriptors and --max-conns 100: accept() fails with
# EMFILE. The server must say so, keep serving who it has, and accept again
# once descriptors are free.
: >"$TMPD/emfile.out"
(
	ulimit -n 24 2>/dev/null || exit 3
	exec "$NETLAB" gen server --port 0 --sink --max-conns 100 --idle-timeout 1 -q
) >"$TMPD/emfile.out" 2>&1 &
srv_pid=$!
port=""
for _ in $(seq 200); do
	port=$(sed -n 's/^listening on .* port \([0-9]*\) .*/\1/p' "$TMPD/emfile.out")
	[ -n "$port" ] && break
	kill -0 "$srv_pid" 2>/dev/null || break
	sleep 0.02
done
if [ -z "$port" ]; then
	skip "EMFILE: the server did not start under ulimit -n 24"
	srv_pid=""
	exit 0
fi
python3 - "$port" >"$TMPD/emfile.py" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
socket.setdefaulttimeout(5)
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
time.sleep(0.5)
for s in socks:
    s.close()
time.sleep(1.5)  # the server's descriptors are free again
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"x" * 1000)
s.close()
print("done")
PY
sleep 1.5
alive=no
kill -0 "$srv_pid" 2>/dev/null && alive=yes
check_eq "EMFILE: the server is still running" yes "$alive"
if grep -q 'error: accept: Too many open files (raise ulimit -n or lower --max-conns); pausing accepts for 100 ms' "$TMPD/emfile.out"; then
	ok "EMFILE: logged with what to do"
else
	not_ok "EMFILE: no log line"
	sed 's/^/    /' "$TMPD/emfile.out" | head -n 5
fi
stop_server "EMFILE"
# every one of the 41 connections was accepted in the end and all bytes came
if grep -Eq '^server: 41 connections \(0 refused\), [0-9]+ recv calls, 1000 bytes' "$TMPD/emfile.out"; then
	ok "EMFILE: all 41 connections accepted once descriptors were free, the last one's bytes received"
else
	not_ok "EMFILE: $(grep '^server:' "$TMPD/emfile.out")"
fi
clean_log "$TMPD/emfile.out" "EMFILE"
exit 0
