#!/usr/bin/env bash
# Memory caps (issue 6): captures built to hit each cap, replayed with the
# defaults; netlab must degrade (evict, give up holes, cut messages, count
# them, say so in the summary), never abort, and its peak RSS must stay
# within the documented budget (64 MiB with the defaults, see netlab(1)
# LIMITS) whatever the capture's size:
#   - a SYN flood from 2 million source ports (connection table cap);
#   - one connection sending 100 MiB whose first segment comes last
#     (reassembly caps: per stream and pool);
#   - an endless message: 100 MiB of text with no line end (--framing line)
#     and the same bytes read as u32le lengths;
#   - 100,000 connections with data (flow table and records).
# Under sanitizers the RSS figures mean nothing (shadow memory): only the
# behaviour is checked.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null || [ ! -x /usr/bin/time ]; then
	skip "caps: needs python3 and GNU time (apt-get install time)"
	exit 0
fi
budget_kb=$((64 * 1024))
san=false
case "${NETLAB_BUILD:-}" in *san*) san=true ;; esac
synthcap=${NETLAB_BUILD:-build/rel}/tools/synthcap

# run_rss OUTFILE ARGS...: run netlab, print "STATUS PEAK_KB". GNU time
# forks from a small process: a child forked from a big one (python) would
# count its parent's pages in its own peak.
run_rss() {
	local out=$1
	shift
	/usr/bin/time -f "%x %M" -o "$TMPD/rss" "$NETLAB" "$@" >"$out" 2>&1
	tail -n 1 "$TMPD/rss"
}

# check_cap NAME PCAP EXPECT_RE ARGS...
check_cap() {
	local name=$1 pcap=$2 re=$3 rc kb
	shift 3
	read -r rc kb < <(run_rss "$TMPD/$name.out" replay -q "$@" "$pcap")
	if [ "$rc" -ne 0 ]; then
		not_ok "caps: $name: exit status $rc"
		sed 's/^/    /' "$TMPD/$name.out" | tail -n 20
		return
	fi
	if ! grep -Eq "$re" "$TMPD/$name.out"; then
		not_ok "caps: $name: summary does not say /$re/"
		sed 's/^/    /' "$TMPD/$name.out" | tail -n 20
		return
	fi
	if $san; then
		ok "caps: $name: degrades and says so (RSS not checked under sanitizers)"
	elif [ "$kb" -le "$budget_kb" ]; then
		ok "caps: $name: peak RSS $((kb / 1024)) MiB <= $((budget_kb / 1024)) MiB"
	else
		not_ok "caps: $name: peak RSS $((kb / 1024)) MiB > $((budget_kb / 1024)) MiB"
	fi
}

gen=tests/integration/capgen.py

if [ -x "$synthcap" ]; then
	"$synthcap" --profile synflood --packets 2000000 "$TMPD/syn.pcap"
	check_cap synflood "$TMPD/syn.pcap" "evicted; peak 65536 of 65536"
	rm -f "$TMPD/syn.pcap"
else
	skip "caps: synflood: no $synthcap (make $synthcap)"
fi

python3 "$gen" ooo "$TMPD/ooo.pcap" 100
check_cap ooo-100MiB "$TMPD/ooo.pcap" "hole given up at the reassembly cap"
check_cap ooo-max-buffer "$TMPD/ooo.pcap" "given up at the reassembly cap" --max-buffer 256K
rm -f "$TMPD/ooo.pcap"

python3 "$gen" endless "$TMPD/endless.pcap" 100
check_cap endless-line "$TMPD/endless.pcap" "[1-9][0-9]* cut" --framing line
check_cap endless-u32le "$TMPD/endless.pcap" "framing errors" --framing u32le
rm -f "$TMPD/endless.pcap"

python3 "$gen" conns "$TMPD/conns.pcap" 100000
check_cap conns-100k "$TMPD/conns.pcap" "100000 connections analysed"
check_cap conns-max-flows "$TMPD/conns.pcap" "100000 connections analysed" --max-flows 1
rm -f "$TMPD/conns.pcap"
