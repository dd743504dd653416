#!/usr/bin/env bash
# `make bench`: time netlab against cat, tcpdump, tshark and tcpflow on one
# synthetic capture, the traffic generator against iperf3 on loopback, and
# check the performance targets. See tools/BENCH.md.
#   tools/bench.sh BUILD_DIR
#
# Environment (all optional):
#   BENCH_PACKETS=2000000   packets in bench-out/mixed.pcap
#   BENCH_ROUNDS=5          rounds for the round-robin rows
#   BENCH_PAIR_ROUNDS=10    more rounds of decoding alone and tracking only,
#                           for their ratio (the target nearest its line)
#   BENCH_PREFIX=200000     packets in the prefix the slow rows run on
#   BENCH_SEED=1            synthcap seed
#   BENCH_GEN_SECS=3        seconds of each generator / iperf3 run
#   BENCH_GEN_ROUNDS=3      rounds of the generator / iperf3 pair
#   BENCH_STARTUP_ROUNDS=7  rounds of the startup pair (-v and -q on one packet)
#   OUI_LIMIT_MS=30         target for loading the IEEE registry
#
# Method, from what these VMs do: idle page cache is paged out after ~30 s,
# so every timed run is preceded by `cat FILE >/dev/null`; CPU speed drifts
# by 10-15 %, so the fast rows run round-robin (one of each per round) and
# we report medians. Peak RSS comes from /usr/bin/time -f %M.
set -u
build=${1:?usage: bench.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

PACKETS=${BENCH_PACKETS:-2000000}
ROUNDS=${BENCH_ROUNDS:-5}
PAIR_ROUNDS=${BENCH_PAIR_ROUNDS:-10}
PREFIX_PACKETS=${BENCH_PREFIX:-200000}
SEED=${BENCH_SEED:-1}
GEN_SECS=${BENCH_GEN_SECS:-3}
GEN_ROUNDS=${BENCH_GEN_ROUNDS:-3}
GEN_SIZE=65536 # bytes per message, and iperf3's -l
SYN_PACKETS=2000000
RSS_LIMIT_MIB=34      # decoding and connection tracking: the table's 27 MiB,
                      # the last 2 MiB whole on huge pages, and the program
FULL_RSS_LIMIT_MIB=64 # the whole pipeline, stream analysis included
SPEEDUP_TARGET=4
TRACK_OVERHEAD_PCT=30 # tracking over decoding alone
TSHARK_CONV_TARGET=30 # --conns vs tshark -z conv,tcp
FULL_VS_DECODE=2      # full analysis at most this many times decoding
FULL_PPS=2000000      # full analysis packets/s
TSHARK_DESEG_TARGET=30
TCPFLOW_TARGET=5
GEN_VS_IPERF_PCT=80

case "$build" in
/*) ;;
*) build="$top/$build" ;;
esac
NETLAB="$build/netlab"
SYNTH="$build/tools/synthcap"
OUT="$top/bench-out"
PCAP="$OUT/mixed.pcap"
PREFIX="$OUT/mixed-prefix.pcap"
SYNFLOOD="$OUT/synflood.pcap"
RESULTS="$OUT/results.txt"
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
: >"$RESULTS"

say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

for f in "$NETLAB" "$SYNTH"; do
	[ -x "$f" ] || { echo "bench: $f not built (run make bench)" >&2; exit 2; }
done
# Time a private copy, so a rebuild during the run cannot mix two binaries.
cp "$NETLAB" "$WORK/netlab" && NETLAB="$WORK/netlab"
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME="" # no RSS column without GNU time

# ---- inputs ------------------------------------------------------------
# gen FILE ARGS...: (re)generate FILE with synthcap unless it exists, is
# newer than synthcap and was made with the same arguments.
gen() {
	local file=$1
	shift
	local args="$*"
	if [ -s "$file" ] && [ "$file" -nt "$SYNTH" ] &&
		[ "$(cat "$file.args" 2>/dev/null)" = "$args" ]; then
		echo "bench: reusing $file ($args)" >&2
		return 0
	fi
	echo "bench: generating $file ($args)" >&2
	local t0 t1
	t0=$(date +%s%N)
	"$SYNTH" "$@" "$file.tmp" || { echo "bench: synthcap failed" >&2; exit 1; }
	t1=$(date +%s%N)
	mv "$file.tmp" "$file"
	echo "$args" >"$file.args"
	awk -v ns=$((t1 - t0)) -v f="$file" \
		'BEGIN { printf "bench: wrote %s in %.2f s\n", f, ns / 1e9 }' >&2
}
gen "$PCAP" --seed "$SEED" --packets "$PACKETS"
# synthcap is deterministic and emits frames in the same order whatever
# --packets is, so this is exactly the first PREFIX_PACKETS frames of PCAP.
gen "$PREFIX" --seed "$SEED" --packets "$PREFIX_PACKETS"
gen "$SYNFLOOD" --seed "$SEED" --profile synflood --packets "$SYN_PACKETS"

size_of() { stat -c %s "$1"; }

# ---- rows ----------------------------------------------------------------
# row NAME MODE COMMAND...   one benchmark row; add rows here, one line each.
#   MODE rr      round-robin on PCAP, ROUNDS times, median reported
#        prefix  once on the PREFIX_PACKETS prefix, time scaled to PCAP
#        once    once on PCAP
# @PCAP@ in COMMAND stands for the capture file; stdout goes to /dev/null.
# A row whose program is not installed is skipped and says so.
NAMES=() MODES=() CMDS=()
row() {
	local name=$1 mode=$2
	shift 2
	NAMES+=("$name")
	MODES+=("$mode")
	CMDS+=("$(printf '%q ' "$@")")
}
row "cat (floor)" rr cat @PCAP@
row "netlab replay" rr "$NETLAB" replay @PCAP@
row "netlab replay -q" rr "$NETLAB" replay -q @PCAP@
row "netlab decode only" rr "$NETLAB" replay -q --max-conns 0 @PCAP@
row "netlab tracking only" rr "$NETLAB" replay -q --max-flows 0 @PCAP@
row "netlab replay -q --conns" rr "$NETLAB" replay -q --conns @PCAP@
row "netlab -q --messages" rr "$NETLAB" replay -q --messages @PCAP@
row "tcpdump -nn -r" rr tcpdump -nn -r @PCAP@
row "tcpdump -nn -r (TZ=UTC)" rr env TZ=UTC tcpdump -nn -r @PCAP@
row "tshark -r" prefix tshark -r @PCAP@
row "tshark -z conv,tcp" prefix tshark -q -z conv,tcp -r @PCAP@
row "tshark desegment conv" prefix tshark -o tcp.desegment_tcp_streams:TRUE -q -z conv,tcp -r @PCAP@
# -Fk: one subdirectory per thousand flows (tcpflow warns beyond 10,000
# files in one directory); $WORK is removed at exit
row "tcpflow -r" prefix tcpflow -Fk -o "$WORK/tcpflow" -r @PCAP@

# The rows the targets and ratio columns refer to.
R_NETLAB="netlab replay"
R_TCPDUMP="tcpdump -nn -r"
R_TSHARK="tshark -r"
R_DECODE="netlab decode only"
R_TRACK="netlab tracking only"
R_CONNS="netlab replay -q --conns"
R_FULL="netlab -q --messages"
R_TSHARK_CONV="tshark -z conv,tcp"
R_TSHARK_DESEG="tshark desegment conv"
R_TCPFLOW="tcpflow -r"
# peak RSS: without stream analysis < RSS_LIMIT_MIB, with it < FULL_RSS_LIMIT_MIB
NETLAB_ROWS=("netlab decode only" "netlab tracking only")
FULL_ROWS=("netlab replay" "netlab replay -q" "netlab replay -q --conns" "netlab -q --messages")

# program a command runs (after env and VAR=value words)
program_of() {
	local w
	for w in "$@"; do
		case "$w" in
		env | *=*) continue ;;
		*) echo "$w"; return ;;
		esac
	done
}

# timed FILE LABEL COMMAND...: warm FILE, run, append "secs rss_kb rc" to
# $WORK/LABEL.runs.
timed() {
	local file=$1 label=$2
	shift 2
	local args=() w t0 t1 rc rss=0
	for w in "$@"; do args+=("${w//@PCAP@/$file}"); done
	cat "$file" >/dev/null
	t0=$(date +%s%N)
	if [ -n "$TIME" ]; then
		"$TIME" -f %M -o "$WORK/rss" "${args[@]}" >/dev/null 2>>"$WORK/$label.err"
		rc=$?
		rss=$(tail -n 1 "$WORK/rss")
	else
		"${args[@]}" >/dev/null 2>>"$WORK/$label.err"
		rc=$?
	fi
	t1=$(date +%s%N)
	echo "$((t1 - t0)) ${rss:-0} $rc" >>"$WORK/$label.runs"
}

# how to get a program that is missing
install_hint() {
	case "$1" in
	tcpflow | tshark | tcpdump | iperf3) echo "apt-get install $1" ;;
	*) echo "install $1" ;;
	esac
}
# an option this netlab does not know yet skips the rows that use it
has_option() { # has_option OPTION...: netlab replay -q accepts them
	"$NETLAB" replay -q -c 1 "$@" "$PREFIX" >/dev/null 2>&1
}
SKIP=()
n=${#NAMES[@]}
for ((i = 0; i < n; i++)); do
	eval "set -- ${CMDS[i]}"
	prog=$(program_of "$@")
	if ! command -v "$prog" >/dev/null 2>&1; then
		SKIP[i]="$prog not installed ($(install_hint "$prog"))"
		continue
	fi
	[ "$prog" = "$NETLAB" ] || continue
	for w in "$@"; do
		case "$w" in
		--messages) has_option --messages || SKIP[i]="this netlab has no --messages option" ;;
		--max-flows) has_option --max-flows 0 || SKIP[i]="this netlab has no --max-flows option" ;;
		esac
	done
done
mkdir -p "$WORK/tcpflow"

echo "bench: $ROUNDS round-robin rounds over $PACKETS packets" >&2
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < n; i++)); do
		if [ "${MODES[i]}" != rr ] || [ -n "${SKIP[i]:-}" ]; then continue; fi
		eval "set -- ${CMDS[i]}"
		timed "$PCAP" "row$i" "$@"
	done
	echo "bench: round $r/$ROUNDS done" >&2
done
# The tracking ratio's rows again, alone: one round-robin round takes about
# a minute, over which the machine's speed wanders; a pair takes a second.
# Which goes first alternates, so neither always follows the other.
p_dec="" p_trk=""
for ((i = 0; i < n; i++)); do
	[ -n "${SKIP[i]:-}" ] && continue
	[ "${NAMES[i]}" = "$R_DECODE" ] && p_dec=$i
	[ "${NAMES[i]}" = "$R_TRACK" ] && p_trk=$i
done
if [ -n "$p_dec" ] && [ -n "$p_trk" ] && [ "$PAIR_ROUNDS" -gt 0 ]; then
	echo "bench: $PAIR_ROUNDS pairs of $R_DECODE and $R_TRACK" >&2
	for ((r = 1; r <= PAIR_ROUNDS; r++)); do
		order="$p_dec $p_trk"
		[ $((r % 2)) = 0 ] && order="$p_trk $p_dec"
		for i in $order; do
			eval "set -- ${CMDS[i]}"
			timed "$PCAP" "pair$i" "$@"
		done
	done
fi
for ((i = 0; i < n; i++)); do
	if [ "${MODES[i]}" = rr ] || [ -n "${SKIP[i]:-}" ]; then continue; fi
	eval "set -- ${CMDS[i]}"
	if [ "${MODES[i]}" = prefix ]; then
		echo "bench: ${NAMES[i]} once on the $PREFIX_PACKETS-packet prefix" >&2
		timed "$PREFIX" "row$i" "$@"
	else
		echo "bench: ${NAMES[i]} once" >&2
		timed "$PCAP" "row$i" "$@"
	fi
done
echo "bench: synflood: netlab replay -q once, with and without stream analysis" >&2
timed "$SYNFLOOD" synflood "$NETLAB" replay -q @PCAP@
if has_option --max-flows 0; then
	timed "$SYNFLOOD" synflood_track "$NETLAB" replay -q --max-flows 0 @PCAP@
fi

# ---- startup: the IEEE registry ------------------------------------------
# -v (like --json and -e) loads the IEEE registries for vendor names; -q
# does not. The difference of the two on one packet is the load.
STARTUP_CAP="$top/captures/gen-merge-split.pcap"
STARTUP_ROUNDS=${BENCH_STARTUP_ROUNDS:-7}
OUI_LIMIT_MS=${OUI_LIMIT_MS:-30}
if [ -r "$STARTUP_CAP" ]; then
	echo "bench: startup with and without the IEEE registry, $STARTUP_ROUNDS rounds" >&2
	for ((r = 1; r <= STARTUP_ROUNDS; r++)); do
		timed "$STARTUP_CAP" startup_oui "$NETLAB" replay -v -c 1 @PCAP@
		timed "$STARTUP_CAP" startup_plain "$NETLAB" replay -q -c 1 @PCAP@
	done
fi

# ---- generator vs iperf3 -------------------------------------------------
# netlab gen client --scenario flood into netlab gen server --sink, and
# iperf3 -c into iperf3 -s, on 127.0.0.1, same message size, alternated.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null
}
# gen_round: one flood; appends "msgs_per_s MB_per_s" to $WORK/gen.runs
gen_round() {
	local port pid i out
	"$NETLAB" gen server --bind 127.0.0.1 --port 0 --sink -q >"$WORK/gensrv.out" 2>&1 &
	pid=$!
	port=""
	for i in $(seq 100); do
		port=$(sed -n 's/^listening on .* port \([0-9]*\).*/\1/p' "$WORK/gensrv.out")
		[ -n "$port" ] && break
		sleep 0.05
	done
	if [ -n "$port" ]; then
		out=$("$NETLAB" gen client "127.0.0.1:$port" --scenario flood --size "$GEN_SIZE" \
			--duration "$GEN_SECS" -q 2>&1 | grep '^flood:' | tail -n 1)
		# "flood: 1 connections, N messages, B bytes in T s: M msgs/s, R MB/s"
		echo "$out" | sed -n 's/.*: \([0-9.]*\) msgs\/s, \([0-9.]*\) MB\/s.*/\1 \2/p' >>"$WORK/gen.runs"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
iperf_round() {
	local port pid
	port=$(free_port)
	[ -n "$port" ] || return 0
	iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
	pid=$!
	sleep 0.3
	iperf3 -c 127.0.0.1 -p "$port" -l "$GEN_SIZE" -t "$GEN_SECS" -J >"$WORK/iperf.json" 2>/dev/null
	python3 - "$WORK/iperf.json" "$GEN_SIZE" >>"$WORK/iperf.runs" 2>/dev/null <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["end"]["sum_received"]
bps = e["bytes"] / e["seconds"]
print("%.0f %.1f" % (bps / int(sys.argv[2]), bps / 1e6))
PY
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
GEN_SKIP=""
if ! command -v iperf3 >/dev/null 2>&1; then
	GEN_SKIP="iperf3 not installed ($(install_hint iperf3))"
elif ! command -v python3 >/dev/null 2>&1; then
	GEN_SKIP="python3 not installed"
fi
: >"$WORK/gen.runs"
: >"$WORK/iperf.runs"
if [ -z "$GEN_SKIP" ]; then
	echo "bench: generator vs iperf3, $GEN_ROUNDS rounds of $GEN_SECS s each" >&2
	for ((r = 1; r <= GEN_ROUNDS; r++)); do
		gen_round
		iperf_round
	done
fi

# ---- results -------------------------------------------------------------
# stats LABEL SCALE: "median_s min_s max_s max_rss_kb worst_rc" of the runs,
# times multiplied by SCALE.
stats() {
	sort -n "$WORK/$1.runs" | awk -v k="$2" '
		{ t[NR] = $1 / 1e9 * k; if ($2 > rss) rss = $2; if ($3 != 0) rc = $3 }
		END {
			m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
			printf "%.4f %.4f %.4f %d %d\n", m, t[1], t[NR], rss, rc
		}'
}

MED=() LO=() HI=() RSS=() RC=()
for ((i = 0; i < n; i++)); do
	[ -z "${SKIP[$i]:-}" ] || continue
	scale=1
	[ "${MODES[i]}" = prefix ] && scale=$(awk -v a="$PACKETS" -v b="$PREFIX_PACKETS" 'BEGIN { print a / b }')
	read -r med lo hi rss rc < <(stats "row$i" "$scale")
	MED[i]=$med LO[i]=$lo HI[i]=$hi RSS[i]=$rss RC[i]=$rc
done
index_of() {
	local j
	for ((j = 0; j < n; j++)); do
		[ "${NAMES[j]}" = "$1" ] && [ -n "${MED[$j]:-}" ] && { echo "$j"; return; }
	done
}
i_tcpdump=$(index_of "$R_TCPDUMP")
i_tshark=$(index_of "$R_TSHARK")
t_tcpdump=${i_tcpdump:+${MED[$i_tcpdump]}}
t_tshark=${i_tshark:+${MED[$i_tshark]}}

size=$(size_of "$PCAP")
say "netlab benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')"
say "machine   $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $(uname -sr)"
say "netlab    $("$NETLAB" --version 2>&1 | head -n 1)"
command -v tcpdump >/dev/null && say "tcpdump   $(tcpdump --version 2>&1 | head -n 1)"
command -v tshark >/dev/null && say "tshark    $(tshark --version 2>/dev/null | head -n 1)"
say "capture   $PCAP: $PACKETS packets, $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }') (synthcap --seed $SEED, profile mixed)"
say "method    page cache warmed with cat before every run; rr rows run round-robin, $ROUNDS rounds, median;"
say "          'prefix' rows run once on the first $PREFIX_PACKETS packets and are scaled by $PACKETS/$PREFIX_PACKETS;"
say "          TZ is as in your environment (${TZ-unset}) except where a row sets it. MB/s: 10^6 bytes; RSS: MiB."
say ""
hdr=$(printf '%-26s %6s %9s %7s %11s %8s %7s %10s %9s' command mode "median s" spread "packets/s" "MB/s" "RSS MiB" "vs tcpdump" "vs tshark")
say "$hdr"
say "$(printf '%s' "$hdr" | tr -c '\n' -)"
for ((i = 0; i < n; i++)); do
	name=${NAMES[i]} mode=${MODES[i]}
	if [ -n "${SKIP[$i]:-}" ]; then
		say "$(printf '%-26s %6s   skipped: %s' "$name" "$mode" "${SKIP[$i]}")"
		continue
	fi
	pk=$PACKETS by=$size
	if [ "$mode" = prefix ]; then
		pk=$PREFIX_PACKETS by=$(size_of "$PREFIX")
	fi
	line=$(awk -v name="$name" -v mode="$mode" -v m="${MED[$i]}" -v lo="${LO[$i]}" \
		-v hi="${HI[$i]}" -v rss="${RSS[$i]}" -v pk="$pk" -v by="$by" \
		-v td="${t_tcpdump:-}" -v ts="${t_tshark:-}" -v k="$PACKETS" -v p="$PREFIX_PACKETS" \
		-v timed_rss="${TIME:+1}" -v rc="${RC[$i]}" '
		function ratio(base) { return base == "" || m <= 0 ? "-" : sprintf("%.2fx", base / m) }
		BEGIN {
			if (mode == "prefix") { sc = k / p; secs = m / sc } else { sc = 1; secs = m }
			spread = m > 0 && mode == "rr" ? sprintf("%.0f%%", (hi - lo) / m * 100) : "-"
			printf "%-26s %6s %9.3f %7s %11.0f %8.1f %7s %10s %9s%s\n", name, mode, m, spread,
				pk / secs, by / secs / 1e6, timed_rss ? sprintf("%.1f", rss / 1024) : "-",
				ratio(td), ratio(ts), rc != 0 ? "  (exit status " rc ")" : ""
		}')
	say "$line"
done
say ""
say "'vs X' = X's median time / this row's: above 1 means faster than X."
[ -n "$i_tshark" ] && say "tshark RSS is for the $PREFIX_PACKETS-packet prefix; it grows with the capture."

# SYN flood: connection-table memory under 2 M distinct 4-tuples
read -r syn_t _ _ syn_rss syn_rc < <(stats synflood 1)
say ""
say "$(awk -v t="$syn_t" -v r="$syn_rss" -v n="$SYN_PACKETS" -v f="${SYNFLOOD#"$top"/}" -v rc="$syn_rc" \
	'BEGIN { printf "synflood  netlab replay -q %s: %d SYNs, %.3f s, peak RSS %.1f MiB%s\n", f, n, t, r / 1024, rc ? "  (exit status " rc ")" : "" }')"
syn2_rss="" syn2_rc=0
if [ -s "$WORK/synflood_track.runs" ]; then
	read -r syn2_t _ _ syn2_rss syn2_rc < <(stats synflood_track 1)
	say "$(awk -v t="$syn2_t" -v r="$syn2_rss" -v rc="$syn2_rc" \
		'BEGIN { printf "          the same with --max-flows 0 (no stream analysis): %.3f s, peak RSS %.1f MiB%s\n", t, r / 1024, rc ? "  (exit status " rc ")" : "" }')"
fi

# generator vs iperf3: medians of msgs/s and MB/s
med2() { # FILE -> "median_col1 median_col2" or nothing
	[ -s "$1" ] || return 0
	local a b
	a=$(cut -d' ' -f1 "$1" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	b=$(cut -d' ' -f2 "$1" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	echo "$a $b"
}
gen_msgs="" gen_mbs="" ip_msgs="" ip_mbs=""
read -r gen_msgs gen_mbs < <(med2 "$WORK/gen.runs"; echo)
read -r ip_msgs ip_mbs < <(med2 "$WORK/iperf.runs"; echo)
say ""
if [ -n "$GEN_SKIP" ]; then
	say "generator vs iperf3: skipped: $GEN_SKIP"
else
	say "generator, $GEN_SIZE-byte messages on 127.0.0.1, $GEN_SECS s runs, median of $GEN_ROUNDS alternated:"
	say "$(printf '  %-58s %10s msgs/s %9s MB/s' "netlab gen client --scenario flood -> gen server --sink" "${gen_msgs:--}" "${gen_mbs:--}")"
	say "$(printf '  %-58s %10s msgs/s %9s MB/s' "iperf3 -c -l $GEN_SIZE -> iperf3 -s" "${ip_msgs:--}" "${ip_mbs:--}")"
fi

# ---- targets ---------------------------------------------------------------
say ""
fail=0
verdict() { # verdict OK|FAIL|SKIP TEXT
	say "$1: $2"
	[ "$1" = FAIL ] && fail=1
	return 0
}
# ratio_check NAME_SLOW NAME_FAST TARGET TEXT: the fast row at least TARGET
# times as fast as the slow one
ratio_check() {
	local a b sp ok
	a=$(index_of "$1") b=$(index_of "$2")
	if [ -z "$a" ] || [ -z "$b" ]; then
		verdict SKIP "$4 (target >= ${3}x): $(skip_why "$1" "$2")"
		return
	fi
	sp=$(awk -v a="${MED[$a]}" -v b="${MED[$b]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	ok=$(awk -v s="$sp" -v t="$3" 'BEGIN { print (s >= t) ? "PASS" : "FAIL" }')
	[ "${RC[$a]}" = 0 ] && [ "${RC[$b]}" = 0 ] || ok=FAIL
	verdict "$ok" "$4: ${sp}x (target >= ${3}x)"
}
# why a row has no timing
skip_why() {
	local nm j w=""
	for nm in "$@"; do
		for ((j = 0; j < n; j++)); do
			[ "${NAMES[j]}" = "$nm" ] && [ -n "${SKIP[$j]:-}" ] && w="$w${w:+; }$nm: ${SKIP[$j]}"
		done
	done
	echo "${w:-no timing}"
}
i_netlab=$(index_of "$R_NETLAB")
if [ -z "$i_netlab" ] || [ -z "$t_tcpdump" ]; then
	verdict SKIP "netlab replay >= ${SPEEDUP_TARGET}x faster than tcpdump -nn -r (no tcpdump or netlab timing)"
else
	sp=$(awk -v a="$t_tcpdump" -v b="${MED[$i_netlab]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	ok=$(awk -v s="$sp" -v t="$SPEEDUP_TARGET" 'BEGIN { print (s >= t) ? "PASS" : "FAIL" }')
	[ "${RC[$i_netlab]}" = 0 ] || ok=FAIL
	verdict "$ok" "netlab replay is ${sp}x as fast as tcpdump -nn -r (target >= ${SPEEDUP_TARGET}x)"
fi
if [ -z "$TIME" ]; then
	verdict SKIP "netlab peak RSS < ${RSS_LIMIT_MIB} MiB (/usr/bin/time missing: apt-get install time)"
else
	worst=0 where=""
	for nm in "${NETLAB_ROWS[@]}"; do
		j=$(index_of "$nm")
		[ -n "$j" ] || continue
		if [ "${RSS[$j]}" -gt "$worst" ]; then worst=${RSS[$j]} where=$nm; fi
	done
	mb=$(awk -v r="$worst" 'BEGIN { printf "%.1f", r / 1024 }')
	if [ "$worst" -gt 0 ]; then
		ok=$(awk -v r="$worst" -v l="$RSS_LIMIT_MIB" 'BEGIN { print (r / 1024 < l) ? "PASS" : "FAIL" }')
		verdict "$ok" "netlab peak RSS ${mb} MiB on the mixed capture without stream analysis ($where) (target < ${RSS_LIMIT_MIB} MiB)"
	else
		verdict SKIP "netlab peak RSS < ${RSS_LIMIT_MIB} MiB without stream analysis: $(skip_why "${NETLAB_ROWS[@]}")"
	fi
	# a netlab without stream analysis: its plain run is the one to check
	r=${syn2_rss:-$syn_rss} rc=$syn2_rc
	[ -n "$syn2_rss" ] || rc=$syn_rc
	mb=$(awk -v r="$r" 'BEGIN { printf "%.1f", r / 1024 }')
	ok=$(awk -v r="$r" -v l="$RSS_LIMIT_MIB" 'BEGIN { print (r > 0 && r / 1024 < l) ? "PASS" : "FAIL" }')
	[ "$rc" = 0 ] || ok=FAIL
	verdict "$ok" "netlab peak RSS ${mb} MiB under a ${SYN_PACKETS}-SYN flood without stream analysis (target < ${RSS_LIMIT_MIB} MiB)"
fi
if [ ! -s "$WORK/startup_oui.runs" ]; then
	verdict SKIP "IEEE registry load < ${OUI_LIMIT_MS} ms (no shipped capture to start on)"
elif [ ! -r /usr/share/ieee-data/oui.csv ] && [ -z "${NETLAB_IEEE_DATA:-}" ]; then
	verdict SKIP "IEEE registry load < ${OUI_LIMIT_MS} ms (no registry: apt-get install ieee-data)"
else
	read -r so _ _ _ so_rc < <(stats startup_oui 1)
	read -r sp _ _ _ sp_rc < <(stats startup_plain 1)
	ms=$(awk -v a="$so" -v b="$sp" 'BEGIN { printf "%.1f", (a - b) * 1000 }')
	say "$(awk -v a="$so" -v b="$sp" 'BEGIN { printf "startup   netlab replay -v -c 1 (IEEE registry loaded) %.1f ms, -q -c 1 %.1f ms (medians)", a * 1000, b * 1000 }')"
	ok=$(awk -v m="$ms" -v l="$OUI_LIMIT_MS" 'BEGIN { print (m < l) ? "PASS" : "FAIL" }')
	[ "$so_rc" = 0 ] && [ "$sp_rc" = 0 ] || ok=FAIL
	verdict "$ok" "IEEE registry load ${ms} ms (-v minus -q on one packet; target < ${OUI_LIMIT_MS} ms)"
fi
# paired I J: the median over rounds of row I's time / row J's in the same
# round. Both rr rows of a round run seconds apart, so CPU speed drifting
# over minutes (10-15 % here, more at times) cancels out of the ratio. The
# extra pairs of the tracking rows count as rounds too.
paired() {
	local a=("$WORK/row$1.runs") b=("$WORK/row$2.runs")
	if [ -s "$WORK/pair$1.runs" ] && [ -s "$WORK/pair$2.runs" ]; then
		a+=("$WORK/pair$1.runs") b+=("$WORK/pair$2.runs")
	fi
	paste -d ' ' <(cat "${a[@]}") <(cat "${b[@]}") | awk '
		$4 > 0 { r[++n] = $1 / $4 }
		END {
			if (!n) { print 999; exit }
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && r[j - 1] > r[j]; j--) {
					t = r[j]; r[j] = r[j - 1]; r[j - 1] = t
				}
			printf "%.4f\n", (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
		}'
}
i_dec=$(index_of "$R_DECODE")
i_trk=$(index_of "$R_TRACK")
# a netlab without --max-flows has no stream analysis: replay -q tracks only
has_option --max-flows 0 || i_trk=$(index_of "netlab replay -q")
if [ -z "$i_dec" ] || [ -z "$i_trk" ]; then
	verdict SKIP "connection tracking costs <= ${TRACK_OVERHEAD_PCT}% over decoding alone: $(skip_why "$R_DECODE" "$R_TRACK")"
else
	pct=$(awk -v r="$(paired "$i_trk" "$i_dec")" 'BEGIN { printf "%.0f", (r - 1) * 100 }')
	ok=$(awk -v p="$pct" -v t="$TRACK_OVERHEAD_PCT" 'BEGIN { print (p <= t) ? "PASS" : "FAIL" }')
	rounds=$(cat "$WORK/row$i_trk.runs" "$WORK/pair$i_trk.runs" 2>/dev/null | wc -l)
	[ -s "$WORK/pair$i_dec.runs" ] || rounds=$(wc -l <"$WORK/row$i_trk.runs")
	verdict "$ok" "connection tracking costs ${pct}% over decoding alone (median of ${rounds} paired ratios; medians ${NAMES[$i_trk]} ${MED[$i_trk]} s vs ${NAMES[$i_dec]} ${MED[$i_dec]} s; target <= ${TRACK_OVERHEAD_PCT}%)"
fi
ratio_check "$R_TSHARK_CONV" "$R_CONNS" "$TSHARK_CONV_TARGET" \
	"netlab replay -q --conns vs tshark -q -z conv,tcp"
i_full=$(index_of "$R_FULL")
if [ -z "$i_full" ] || [ -z "$i_dec" ]; then
	verdict SKIP "full analysis (--messages) <= ${FULL_VS_DECODE}x decoding alone, >= $FULL_PPS packets/s: $(skip_why "$R_FULL" "$R_DECODE")"
else
	read -r x pps < <(awk -v r="$(paired "$i_full" "$i_dec")" -v a="${MED[$i_full]}" -v k="$PACKETS" \
		'BEGIN { printf "%.2f %.0f\n", r, (a > 0 ? k / a : 0) }')
	ok=$(awk -v x="$x" -v p="$pps" -v t="$FULL_VS_DECODE" -v q="$FULL_PPS" 'BEGIN { print (x <= t && p >= q) ? "PASS" : "FAIL" }')
	[ "${RC[$i_full]}" = 0 ] || ok=FAIL
	verdict "$ok" "full analysis (--messages) takes ${x}x the time of decoding alone (median of per-round ratios), $pps packets/s (target <= ${FULL_VS_DECODE}x and >= $FULL_PPS packets/s)"
fi
ratio_check "$R_TSHARK_DESEG" "$R_FULL" "$TSHARK_DESEG_TARGET" \
	"netlab replay -q --messages vs tshark -o tcp.desegment_tcp_streams:TRUE -q -z conv,tcp"
ratio_check "$R_TCPFLOW" "$R_FULL" "$TCPFLOW_TARGET" "netlab replay -q --messages vs tcpflow -r"
if [ -n "$TIME" ]; then
	worst=0 where=""
	for nm in "${FULL_ROWS[@]}"; do
		j=$(index_of "$nm")
		[ -n "$j" ] || continue
		if [ "${RSS[$j]}" -gt "$worst" ]; then worst=${RSS[$j]} where=$nm; fi
	done
	if [ "$worst" -gt 0 ]; then
		mb=$(awk -v r="$worst" 'BEGIN { printf "%.1f", r / 1024 }')
		ok=$(awk -v r="$worst" -v l="$FULL_RSS_LIMIT_MIB" 'BEGIN { print (r / 1024 < l) ? "PASS" : "FAIL" }')
		verdict "$ok" "netlab peak RSS ${mb} MiB with stream analysis ($where) (target < ${FULL_RSS_LIMIT_MIB} MiB)"
	fi
	mb=$(awk -v r="$syn_rss" 'BEGIN { printf "%.1f", r / 1024 }')
	ok=$(awk -v r="$syn_rss" -v l="$FULL_RSS_LIMIT_MIB" 'BEGIN { print (r > 0 && r / 1024 < l) ? "PASS" : "FAIL" }')
	[ "$syn_rc" = 0 ] || ok=FAIL
	verdict "$ok" "netlab peak RSS ${mb} MiB under a ${SYN_PACKETS}-SYN flood, stream analysis on (target < ${FULL_RSS_LIMIT_MIB} MiB)"
fi
if [ -n "$GEN_SKIP" ]; then
	verdict SKIP "netlab gen flood >= ${GEN_VS_IPERF_PCT}% of iperf3's MB/s: $GEN_SKIP"
elif [ -z "$gen_mbs" ] || [ -z "$ip_mbs" ]; then
	verdict FAIL "netlab gen flood >= ${GEN_VS_IPERF_PCT}% of iperf3's MB/s: no figure (generator '${gen_mbs:-none}', iperf3 '${ip_mbs:-none}')"
else
	pct=$(awk -v a="$gen_mbs" -v b="$ip_mbs" 'BEGIN { printf "%.0f", (b > 0 ? a / b * 100 : 0) }')
	ok=$(awk -v p="$pct" -v t="$GEN_VS_IPERF_PCT" 'BEGIN { print (p >= t) ? "PASS" : "FAIL" }')
	verdict "$ok" "netlab gen flood ${gen_mbs} MB/s is ${pct}% of iperf3's ${ip_mbs} MB/s with ${GEN_SIZE}-byte messages (target >= ${GEN_VS_IPERF_PCT}%)"
fi
for ((i = 0; i < n; i++)); do
	[ "${RC[$i]:-0}" = 0 ] && continue
	echo "bench: ${NAMES[i]} failed; its stderr ends:" >&2
	tail -n 5 "$WORK/row$i.err" | sed 's/^/    /' >&2
done
echo "bench: results in ${RESULTS#"$top"/}" >&2
exit "$fail"
