#!/usr/bin/env bash
# `make bench`: time netlab against cat, tcpdump and tshark on one synthetic
# capture, and check the performance targets. See tools/BENCH.md.
#   tools/bench.sh BUILD_DIR
#
# Environment (all optional):
#   BENCH_PACKETS=2000000   packets in bench-out/mixed.pcap
#   BENCH_ROUNDS=5          rounds for the round-robin rows
#   BENCH_PREFIX=200000     packets in the prefix the slow rows run on
#   BENCH_SEED=1            synthcap seed
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
PREFIX_PACKETS=${BENCH_PREFIX:-200000}
SEED=${BENCH_SEED:-1}
SYN_PACKETS=2000000
RSS_LIMIT_MIB=32
SPEEDUP_TARGET=4

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
row "tcpdump -nn -r" rr tcpdump -nn -r @PCAP@
row "tcpdump -nn -r (TZ=UTC)" rr env TZ=UTC tcpdump -nn -r @PCAP@
row "tshark -r" prefix tshark -r @PCAP@
# Later rows, e.g.:
# row "netlab replay -q --conns" rr "$NETLAB" replay -q --conns @PCAP@
# row "tshark -q -z conv,tcp" prefix tshark -q -z conv,tcp -r @PCAP@
# row "tcpflow -r" once tcpflow -o "$WORK/flow" -r @PCAP@

# The rows the targets and ratio columns refer to.
R_NETLAB="netlab replay"
R_TCPDUMP="tcpdump -nn -r"
R_TSHARK="tshark -r"
NETLAB_ROWS=("netlab replay" "netlab replay -q")

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

SKIP=()
n=${#NAMES[@]}
for ((i = 0; i < n; i++)); do
	eval "set -- ${CMDS[i]}"
	prog=$(program_of "$@")
	if ! command -v "$prog" >/dev/null 2>&1; then
		SKIP[i]="$prog not installed"
	fi
done

echo "bench: $ROUNDS round-robin rounds over $PACKETS packets" >&2
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < n; i++)); do
		if [ "${MODES[i]}" != rr ] || [ -n "${SKIP[i]:-}" ]; then continue; fi
		eval "set -- ${CMDS[i]}"
		timed "$PCAP" "row$i" "$@"
	done
	echo "bench: round $r/$ROUNDS done" >&2
done
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
echo "bench: synflood: netlab replay -q once" >&2
timed "$SYNFLOOD" synflood "$NETLAB" replay -q @PCAP@

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
say "$(awk -v t="$syn_t" -v r="$syn_rss" -v n="$SYN_PACKETS" -v f="$SYNFLOOD" -v rc="$syn_rc" \
	'BEGIN { printf "synflood  netlab replay -q %s: %d SYNs, %.3f s, peak RSS %.1f MiB%s\n", f, n, t, r / 1024, rc ? "  (exit status " rc ")" : "" }')"

# ---- targets ---------------------------------------------------------------
say ""
fail=0
verdict() { # verdict OK|FAIL|SKIP TEXT
	say "$1: $2"
	[ "$1" = FAIL ] && fail=1
	return 0
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
	ok=$(awk -v r="$worst" -v l="$RSS_LIMIT_MIB" 'BEGIN { print (r > 0 && r / 1024 < l) ? "PASS" : "FAIL" }')
	verdict "$ok" "netlab peak RSS ${mb} MiB on the mixed capture ($where) (target < ${RSS_LIMIT_MIB} MiB)"
	mb=$(awk -v r="$syn_rss" 'BEGIN { printf "%.1f", r / 1024 }')
	ok=$(awk -v r="$syn_rss" -v l="$RSS_LIMIT_MIB" 'BEGIN { print (r > 0 && r / 1024 < l) ? "PASS" : "FAIL" }')
	[ "$syn_rc" = 0 ] || ok=FAIL
	verdict "$ok" "netlab peak RSS ${mb} MiB under a ${SYN_PACKETS}-SYN flood (target < ${RSS_LIMIT_MIB} MiB)"
fi
for ((i = 0; i < n; i++)); do
	[ "${RC[$i]:-0}" = 0 ] && continue
	echo "bench: ${NAMES[i]} failed; its stderr ends:" >&2
	tail -n 5 "$WORK/row$i.err" | sed 's/^/    /' >&2
done
echo "bench: results in ${RESULTS#"$top"/}" >&2
exit "$fail"
