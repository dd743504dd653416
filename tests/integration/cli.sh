#!/usr/bin/env bash
# The command line: errors and exit statuses (0 ok, 1 error, 2 usage or
# filter, 3 file ended mid-record), one clear line on stderr per error, and
# the ordinary ways of reading: stdin, -c, a filter, -w, a closed pipe.
. "$(dirname "$0")/lib.sh"

tcp=captures/tcp-small-sends.pcap
arp=captures/arp-netns.pcap
for f in "$tcp" "$arp"; do
	if [ ! -s "$f" ]; then
		not_ok "cli: shipped capture $f is missing (tools/make-captures.sh)"
		exit 0
	fi
done

# run ARGS...: run netlab; status in $rc, output in $TMPD/out and $TMPD/err.
run() {
	"$NETLAB" "$@" >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
}
# run_in FILE ARGS...: the same with standard input from FILE.
run_in() {
	local in=$1
	shift
	"$NETLAB" "$@" <"$in" >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
}

# expect_error NAME STATUS [GREP_PATTERN...]: after run, the exit status is
# STATUS, stderr is exactly one line starting "netlab: " and matches every
# pattern (grep -E, case-insensitive).
expect_error() {
	local name=$1 want=$2 why="" p lines
	shift 2
	[ "$rc" -eq "$want" ] || why="exit status $rc, expected $want; "
	lines=$(wc -l <"$TMPD/err")
	[ "$lines" -eq 1 ] || why="${why}$lines lines on stderr, expected 1; "
	grep -q '^netlab: ' "$TMPD/err" || why="${why}stderr does not start with 'netlab: '; "
	for p in "$@"; do
		grep -qiE -- "$p" "$TMPD/err" || why="${why}stderr lacks /$p/; "
	done
	if [ -z "$why" ]; then
		ok "$name"
	else
		not_ok "$name: ${why%; }"
		sed 's/^/    stderr: /' "$TMPD/err" | head -n 5
	fi
}

# expect_ok NAME: after run, status 0 and nothing on stderr.
expect_ok() {
	if [ "$rc" -eq 0 ] && [ ! -s "$TMPD/err" ]; then
		ok "$1"
	else
		not_ok "$1: exit status $rc"
		sed 's/^/    stderr: /' "$TMPD/err" | head -n 5
	fi
}

json_packets() { grep -c '"type":"packet"' "$TMPD/out"; }

# same_output NAME EXPECTED_FILE ACTUAL_FILE: byte-identical, or show a diff.
same_output() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diff "$2" "$3" | head -n 10 | sed 's/^/    /'
	fi
}

# ---- usage errors: 2 ----
run replay --no-such-option "$tcp"
expect_error "unknown long option exits 2" 2 'no-such-option'
run replay -Z "$tcp"
expect_error "unknown short option exits 2" 2 "-Z"
run replay "$tcp" -c
expect_error "option missing its argument exits 2" 2 "-c"
run replay
expect_error "replay without FILE exits 2" 2 "FILE"
run sniff
expect_error "sniff without IFACE exits 2" 2 "IFACE|interface"
run replay -c abc "$tcp"
expect_error "non-numeric -c exits 2" 2 "abc"
run replay --time fortnight "$tcp"
expect_error "unknown --time style exits 2" 2 "fortnight"
run frobnicate
expect_error "unknown command exits 2" 2 "frobnicate"
run replay -B 1024 "$tcp"
expect_error "live-only option in replay exits 2" 2 "-B"
run replay --closed-timeout -5 "$tcp"
expect_error "a negative --closed-timeout exits 2 and names it" 2 \
	"closed-timeout" "'-5'"

# ---- files that cannot be read: 1 ----
run replay "$TMPD/no-such-file.pcap"
expect_error "missing file exits 1 and names it" 1 "no-such-file\.pcap"
mkdir "$TMPD/adir"
run replay "$TMPD/adir"
expect_error "a directory exits 1" 1 "adir"
: >"$TMPD/empty.pcap"
run replay "$TMPD/empty.pcap"
expect_error "an empty file exits 1" 1 "empty"
printf 'GET / HTTP/1.0\r\n\r\n' >"$TMPD/http.txt"
run replay "$TMPD/http.txt"
expect_error "a non-capture file exits 1 with its magic bytes" 1 "bad magic" \
	"47 ?45 ?54 ?20"
head -c 10 "$tcp" >"$TMPD/short-header.pcap"
run replay "$TMPD/short-header.pcap"
expect_error "a file shorter than the pcap header exits 1" 1 "short-header\.pcap"

# ---- filter errors: 2 ----
run replay "$tcp" 'tcp port nonsense and'
expect_error "a bad BPF filter exits 2 and shows the expression" 2 \
	"tcp port nonsense and"
run replay "$tcp" 'udp' 'port' '99999999'
expect_error "filter words are joined and a bad one exits 2" 2 "udp port 99999999"

# ---- live capture errors ----
if is_root; then
	run sniff nosuchif0
	expect_error "unknown interface exits 1 and lists interfaces" 1 \
		"nosuchif0" "\blo\b"
else
	skip "unknown interface exits 1 and lists interfaces: needs root (as a user libpcap reports no permission first)"
	run sniff nosuchif0
	expect_error "sniff without permission exits 5" 5 "permission"
fi

# ---- truncated capture: 3, every complete packet still reported ----
size=$(stat -c %s "$tcp")
head -c $((size - 10)) "$tcp" >"$TMPD/cut.pcap"
# byte offset of the last record, where the cut one starts
last_off=$(python3 - "$tcp" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
end = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off, last = 24, 24
while off + 16 <= len(d):
    last = off
    off += 16 + struct.unpack(end + "I", d[off + 8:off + 12])[0]
print(last)
EOF
)
total=$("$NETLAB" replay --json "$tcp" 2>/dev/null | grep -c '"type":"packet"')
run replay --json "$TMPD/cut.pcap"
expect_error "a capture cut mid-record exits 3 and names the byte offset" 3 \
	"cut\.pcap" "\b$last_off\b"
check_eq "a capture cut mid-record still reports all complete packets" \
	"$((total - 1))" "$(json_packets)"
"$NETLAB" replay "$tcp" 2>/dev/null | head -n $((total - 1)) >"$TMPD/full.txt"
"$NETLAB" replay "$TMPD/cut.pcap" 2>/dev/null | head -n $((total - 1)) >"$TMPD/cut.txt"
same_output "a capture cut mid-record prints the same lines for the packets before the cut" \
	"$TMPD/full.txt" "$TMPD/cut.txt"
if tail -n 1 "$TMPD/out" | grep -q '"type":"summary"'; then
	ok "a capture cut mid-record still ends with the summary"
else
	not_ok "a capture cut mid-record still ends with the summary"
fi

# ---- reading ----
run replay "$tcp"
expect_ok "replay of a shipped capture exits 0 with nothing on stderr"
cp "$TMPD/out" "$TMPD/byname.txt"
run_in "$tcp" replay -
expect_ok "replay - reads standard input"
same_output "replay - prints the same as replay FILE" "$TMPD/byname.txt" "$TMPD/out"
# shellcheck disable=SC2002 # a pipe, not a file, on standard input
cat "$tcp" | "$NETLAB" replay --json - >"$TMPD/out" 2>"$TMPD/err"
rc=$?
expect_ok "replay - reads a pipe"
check_eq "replay - from a pipe reports every packet" "$total" "$(json_packets)"

# the same packets in other file formats print the same
python3 - "$tcp" "$TMPD/be-usec.pcap" <<'EOF'
import struct, sys
# classic pcap, big-endian, microsecond timestamps
d = open(sys.argv[1], "rb").read()
le = d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
nano = d[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
e = "<" if le else ">"
_, vmaj, vmin, tz, sig, snap, lt = struct.unpack(e + "IHHiIII", d[:24])
out = [struct.pack(">IHHiIII", 0xA1B2C3D4, vmaj, vmin, tz, sig, snap, lt)]
off = 24
while off + 16 <= len(d):
    sec, frac, cap, ln = struct.unpack(e + "IIII", d[off:off + 16])
    out.append(struct.pack(">IIII", sec, frac // 1000 if nano else frac, cap, ln))
    out.append(d[off + 16:off + 16 + cap])
    off += 16 + cap
open(sys.argv[2], "wb").write(b"".join(out))
EOF
run replay "$TMPD/be-usec.pcap"
expect_ok "replay of a big-endian microsecond pcap exits 0"
# (the duration in the summary may differ in the last digit: it is computed
# from timestamps cut to microseconds)
sed 's/ in [0-9.]* s$//' "$TMPD/byname.txt" >"$TMPD/byname.nodur"
sed -i 's/ in [0-9.]* s$//' "$TMPD/out"
same_output "a big-endian microsecond pcap prints the same as the original" \
	"$TMPD/byname.nodur" "$TMPD/out"
if command -v editcap >/dev/null; then
	editcap -F pcapng "$tcp" "$TMPD/t.pcapng" >/dev/null 2>&1
	run replay "$TMPD/t.pcapng"
	expect_ok "replay of a pcapng file exits 0"
	same_output "a pcapng file prints the same as the pcap" "$TMPD/byname.txt" "$TMPD/out"
	run_in "$TMPD/t.pcapng" replay -
	same_output "pcapng on standard input prints the same as the pcap" "$TMPD/byname.txt" "$TMPD/out"
	size=$(stat -c %s "$TMPD/t.pcapng")
	head -c $((size - 30)) "$TMPD/t.pcapng" >"$TMPD/cut.pcapng"
	run replay --json "$TMPD/cut.pcapng"
	expect_error "a pcapng file cut mid-block exits 3" 3 "cut\.pcapng" "offset [0-9]+"
	check_eq "a pcapng file cut mid-block reports the complete packets" \
		"$((total - 1))" "$(json_packets)"
else
	skip "pcapng input: no editcap (wireshark-common)"
fi

run replay --json -c 3 "$tcp"
expect_ok "-c 3 exits 0"
check_eq "-c 3 reports 3 packets" 3 "$(json_packets)"
check_eq "-c 3 counts 3 packets in the summary" 3 \
	"$(tail -n 1 "$TMPD/out" | jq -r '.packets' 2>/dev/null)"
run replay -c 2 "$tcp"
check_eq "-c 2 prints 2 packet lines before the summary" \
	"$(head -n 2 "$TMPD/byname.txt")" "$(head -n 2 "$TMPD/out")"

run replay --json "$tcp" 'tcp[tcpflags] & tcp-syn != 0'
expect_ok "a filter exits 0"
check_eq "a SYN filter keeps the SYN and the SYN+ACK" 2 "$(json_packets)"
run replay --json "$arp" arp
check_eq "an 'arp' filter keeps only the ARP frames" \
	"$(tcpdump -nn -r "$arp" arp 2>/dev/null | wc -l)" "$(json_packets)"
run replay --json "$tcp" udp
expect_ok "a filter that matches nothing exits 0"
check_eq "a filter that matches nothing reports no packet" 0 "$(json_packets)"

# ---- help and version: 0, on stdout ----
for args in "--help" "replay --help" "sniff --help" "help replay" "replay -h"; do
	# shellcheck disable=SC2086
	run $args
	if [ "$rc" -eq 0 ] && [ -s "$TMPD/out" ] && [ ! -s "$TMPD/err" ] &&
		grep -q usage "$TMPD/out"; then
		ok "netlab $args prints usage on stdout and exits 0"
	else
		not_ok "netlab $args prints usage on stdout and exits 0 (status $rc)"
	fi
done
run --version
expect_ok "--version exits 0"
if grep -qE '^netlab [0-9]+\.[0-9]+\.[0-9]+' "$TMPD/out"; then
	ok "--version prints 'netlab X.Y.Z'"
else
	not_ok "--version prints 'netlab X.Y.Z': got '$(head -c 80 "$TMPD/out")'"
fi

# ---- -w in replay ----
run replay -q -w "$TMPD/copy.pcap" "$tcp"
expect_ok "replay -w exits 0"
if command -v tcpdump >/dev/null; then
	n=$(tcpdump -nn -r "$TMPD/copy.pcap" 2>/dev/null | wc -l)
	check_eq "replay -w writes a pcap tcpdump reads, every packet" "$total" "$n"
	run replay -q -w "$TMPD/syn.pcap" "$tcp" 'tcp[tcpflags] & tcp-syn != 0'
	check_eq "replay -w with a filter writes the matching packets" 2 \
		"$(tcpdump -nn -r "$TMPD/syn.pcap" 2>/dev/null | wc -l)"
else
	skip "replay -w writes a pcap tcpdump reads: no tcpdump"
fi
run replay "$TMPD/copy.pcap"
same_output "the -w copy replays like the original" "$TMPD/byname.txt" "$TMPD/out"
run replay -q -w "$TMPD/no-such-dir/x.pcap" "$tcp"
expect_error "-w into a missing directory exits 1" 1 "no-such-dir"
if [ -w /dev/full ]; then
	# a write that fails (a full disk) is told, not lost
	run replay -q -w /dev/full "$tcp"
	expect_error "-w onto a full device exits 1" 1 "cannot write '/dev/full'" "no space"
else
	skip "-w onto a full device: no /dev/full"
fi
# -w -: the capture on standard output, the report on standard error
"$NETLAB" replay -q -w - "$tcp" 2>"$TMPD/wdash.err" | "$NETLAB" replay -q - >"$TMPD/wdash.out" 2>&1
"$NETLAB" replay -q "$tcp" >"$TMPD/wdash.want" 2>&1
same_output "-w - writes a capture that replays like the original" "$TMPD/wdash.want" "$TMPD/wdash.out"
same_output "-w - sends the report to standard error" "$TMPD/wdash.want" "$TMPD/wdash.err"
run replay --follow-raw 1 c2s -w - "$tcp"
expect_error "--follow-raw with -w - exits 2" 2 "standard output"

# ---- stream analysis options ----
run replay --framing u33le "$tcp"
expect_error "a bad --framing SPEC exits 2 and names it" 2 "u33le"
run replay --framing 'len:5:le' "$tcp"
expect_error "a bad len: SPEC exits 2 and names it" 2 "len:5:le"
run replay --framing 70000=u32le "$tcp"
expect_error "a bad --framing PORT exits 2 and names it" 2 "70000"
run replay --framing 0=u32le "$tcp"
expect_error "port 0 in --framing exits 2" 2 "0=u32le"
run replay --framing 8082=nonsense "$tcp"
expect_error "a bad SPEC after PORT= exits 2 and names it" 2 "nonsense"
run replay --max-flows lots "$tcp"
expect_error "a bad --max-flows exits 2" 2 "lots"
run replay --max-buffer 12X "$tcp"
expect_error "a bad --max-buffer exits 2" 2 "12X"
run replay --max-message 0 "$tcp"
expect_error "--max-message 0 exits 2" 2 "max-message"
run replay --overlap middle "$tcp"
expect_error "a bad --overlap exits 2" 2 "middle"
run replay "$tcp" --follow
expect_error "--follow without ID exits 2" 2 "follow"
run replay --follow abc "$tcp"
expect_error "a bad --follow ID exits 2" 2 "abc"
run replay "$tcp" --follow-raw 1
expect_error "--follow-raw without DIR exits 2" 2 "direction"
run replay --follow-raw 1 up "$tcp"
expect_error "a bad --follow-raw DIR exits 2 and names it" 2 "'up'"
run replay --map 0 "$tcp"
expect_error "--map 0 exits 2" 2 "map"
run replay --messages --map "$tcp"
expect_error "two views at once exit 2" 2 "choose one"
run replay --map --json "$tcp"
expect_error "--map with --json exits 2" 2 "json"
run replay --max-flows 0 --follow 1 "$tcp"
expect_error "--follow without stream analysis exits 2" 2 "max-flows"
if command -v script >/dev/null 2>&1; then
	script -qec "$NETLAB replay --follow-raw 1 c2s $tcp" /dev/null \
		>"$TMPD/tty.out" 2>&1
	if grep -q "redirect standard output" "$TMPD/tty.out"; then
		ok "--follow-raw refuses a terminal"
	else
		not_ok "--follow-raw refuses a terminal"
		head -n 3 "$TMPD/tty.out" | sed 's/^/    /'
	fi
else
	skip "--follow-raw refuses a terminal: no script(1)"
fi
run replay --truth "$TMPD/no-such-truth.jsonl" "$tcp"
expect_error "a missing --truth file exits 1 and names it" 1 "no-such-truth"
run replay --truth a --truth b --truth c --truth d --truth e "$tcp"
expect_error "more than 4 --truth files exit 2" 2 "truth"
run sniff --truth a lo
expect_error "--truth in sniff exits 2" 2 "truth"
run replay --framing 8082=u32le --framing line --max-buffer 1M \
	--max-message 64K --overlap last --max-flows 16 "$tcp"
expect_ok "the stream analysis options together exit 0"
run replay --messages "$tcp"
expect_ok "--messages exits 0"
run replay --map --ascii "$tcp"
expect_ok "--map exits 0"
grep -q "^connection #1: " "$TMPD/out" && grep -q "segments |" "$TMPD/out"
check_eq "--map draws connection 1" 0 $?
run replay --follow 1 "$tcp"
expect_ok "--follow 1 exits 0"
run replay --follow-raw 1 c2s "$tcp"
expect_ok "--follow-raw 1 c2s exits 0"
check_eq "--follow-raw writes the client's bytes" 4214 "$(wc -c <"$TMPD/out")"
run replay -q --conns "$tcp"
expect_ok "-q --conns under stream analysis exits 0"
if grep -q "^  streams     1 connection analysed" "$TMPD/out" &&
	grep -q "^  messages    " "$TMPD/out" &&
	grep -Eq "^        c2s .* msgs" "$TMPD/out"; then
	ok "the summary and --conns count the streams"
else
	not_ok "the summary and --conns count the streams"
	sed 's/^/    /' "$TMPD/out" | head -n 20
fi
run replay --json -q "$tcp"
if grep -q '"flows":{"analysed":1,' "$TMPD/out"; then
	ok "the JSON summary has the flow counts"
else
	not_ok "the JSON summary has the flow counts"
fi
run replay --max-flows 0 "$tcp"
expect_ok "--max-flows 0 turns stream analysis off"
if grep -q " msgs " "$TMPD/out"; then
	not_ok "--max-flows 0: no message maps"
else
	ok "--max-flows 0: no message maps"
fi

# ---- a closed pipe: no error noise ----
# Enough output that netlab is still writing when head exits.
python3 - "$tcp" "$TMPD/big.pcap" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(d[:24] + d[24:] * 300)
EOF
"$NETLAB" replay -X "$TMPD/big.pcap" 2>"$TMPD/err" | head -n 1 >"$TMPD/out"
st=("${PIPESTATUS[@]}")
if [ "${st[0]}" -eq 0 ] && [ ! -s "$TMPD/err" ] && [ -s "$TMPD/out" ]; then
	ok "netlab replay FILE | head -1 exits 0 without error noise"
else
	not_ok "netlab replay FILE | head -1 exits 0 without error noise (status ${st[0]})"
	sed 's/^/    stderr: /' "$TMPD/err" | head -n 5
fi
"$NETLAB" replay --json "$TMPD/big.pcap" 2>"$TMPD/err" | head -n 1 >"$TMPD/out"
st=("${PIPESTATUS[@]}")
if [ "${st[0]}" -eq 0 ] && [ ! -s "$TMPD/err" ]; then
	ok "netlab replay --json FILE | head -1 exits 0 without error noise"
else
	not_ok "netlab replay --json FILE | head -1 exits 0 without error noise (status ${st[0]})"
	sed 's/^/    stderr: /' "$TMPD/err" | head -n 5
fi
# a full disk is an error, unlike a closed pipe
if [ -w /dev/full ]; then
	"$NETLAB" replay "$tcp" >/dev/full 2>"$TMPD/err"
	rc=$?
	expect_error "writing to a full disk exits 1" 1 "write|space"
fi
exit 0
