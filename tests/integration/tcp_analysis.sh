#!/usr/bin/env bash
# TCP analysis flags and per-connection counts against tshark: for the
# shipped captures and synthetic ones (tools/synthcap, with reordering,
# retransmissions and losses), netlab's tcp.analysis counts (summary) must
# equal tshark's (-z io,stat COUNT(tcp.analysis.*)), and each connection's
# frames and bytes each way must equal tshark's -z conv,tcp (exact frames;
# bytes exact, or to tshark's kB rounding) and, exactly, the sums of
# frame.len per tcp.stream and direction.
#
# Deliberate difference (netlab(1)): after segments missing from the
# capture (synthcap --gap) "ACKed unseen segment" and fast retransmission
# counts may differ; no capture here has gaps.
. "$(dirname "$0")/lib.sh"

if ! command -v tshark >/dev/null 2>&1; then
	skip "tcp analysis vs tshark: tshark not installed"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	skip "tcp analysis vs tshark: python3 not installed"
	exit 0
fi
synth=${NETLAB_BUILD:-build/rel}/tools/synthcap

fields="retransmission fast_retransmission spurious_retransmission
out_of_order duplicate_ack zero_window zero_window_probe zero_window_probe_ack
window_full window_update keep_alive keep_alive_ack lost_segment
ack_lost_segment"

# flags NAME FILE: compare the flag counts
flags() {
	local name=$1 f=$2 args="" x
	for x in $fields; do
		args="$args,COUNT(tcp.analysis.$x)tcp.analysis.$x"
	done
	tshark -r "$f" -q -z "io,stat,0$args" 2>/dev/null |
		awk -F'|' '/<>/ { for (i = 3; i < NF; i++) { gsub(/ /, "", $i); printf "%s ", $i } }' \
			>"$TMPD/ts.txt"
	"$NETLAB" replay -q --json "$f" >"$TMPD/nl.json" 2>"$TMPD/err"
	local out
	out=$(FIELDS="$fields" python3 - "$TMPD/nl.json" "$TMPD/ts.txt" <<'PY'
import json, os, sys
names = {"duplicate_ack": "dup_ack", "lost_segment": "previous_segment_not_captured",
         "ack_lost_segment": "acked_unseen_segment"}
summary = [json.loads(l) for l in open(sys.argv[1])][-1]
ours = summary.get("tcp", {}).get("analysis", {})
theirs = open(sys.argv[2]).read().split()
bad = []
for i, f in enumerate(os.environ["FIELDS"].split()):
    t = theirs[i] if i < len(theirs) else "?"
    o = ours.get(names.get(f, f), 0)
    if str(o) != t:
        bad.append("%s: netlab %s, tshark %s" % (f, o, t))
print("; ".join(bad))
PY
)
	if [ -z "$out" ] && [ -s "$TMPD/ts.txt" ]; then
		ok "tcp analysis flags agree with tshark: $name"
	else
		not_ok "tcp analysis flags agree with tshark: $name: ${out:-no tshark counts}"
	fi
}

# conns NAME FILE: compare per-connection frames and bytes
conns() {
	local name=$1 f=$2 out
	tshark -r "$f" -q -z conv,tcp 2>/dev/null >"$TMPD/conv.txt"
	tshark -r "$f" -T fields -e tcp.stream -e tcp.srcport -e frame.len \
		-Y tcp 2>/dev/null >"$TMPD/streams.txt"
	"$NETLAB" replay -q --conns --json "$f" >"$TMPD/nl.json" 2>"$TMPD/err"
	out=$(python3 - "$TMPD/nl.json" "$TMPD/conv.txt" "$TMPD/streams.txt" <<'PY'
import json, re, sys
conns = [o for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "conn"]
def key(a, b):
    return tuple(sorted([a, b]))
def ep(s):  # "[::1]:80" -> "::1:80" as tshark prints it
    return s.replace("[", "").replace("]", "")
ours = {}
for c in conns:
    k = key(ep(c["client"]), ep(c["server"]))
    ours.setdefault(k, []).append(c)
bad = []
# -z conv,tcp: frames exact, bytes exact or to its kB rounding
row = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+([\d,]+) (bytes|kB|MB)\s+(\d+)\s+([\d,]+) (bytes|kB|MB)")
def close(n, v, unit):
    v = int(v.replace(",", ""))
    if unit == "bytes":
        return n == v
    scale = 1000 if unit == "kB" else 1000000
    return abs(n / scale - v) <= 1
seen = 0
for line in open(sys.argv[2]):
    m = row.match(line)
    if not m:
        continue
    seen += 1
    k = key(m.group(1), m.group(2))
    cs = ours.get(k)
    if not cs:
        bad.append("no netlab connection for %s <-> %s" % k)
        continue
    fa, ba, ua, fb, bb, ub = (int(m.group(3)), m.group(4), m.group(5),
                              int(m.group(6)), m.group(7), m.group(8))
    c2s = sum(c["pkts_c2s"] for c in cs); s2c = sum(c["pkts_s2c"] for c in cs)
    w_c2s = sum(c["wire_bytes_c2s"] for c in cs)
    w_s2c = sum(c["wire_bytes_s2c"] for c in cs)
    pairs = [((c2s, w_c2s), (s2c, w_s2c)), ((s2c, w_s2c), (c2s, w_c2s))]
    if not any(p[0][0] == fa and close(p[0][1], ba, ua) and
               p[1][0] == fb and close(p[1][1], bb, ub) for p in pairs):
        bad.append("%s <-> %s: tshark %d/%s %s, %d/%s %s; netlab %d/%d, %d/%d"
                   % (k + (fa, ba, ua, fb, bb, ub, c2s, w_c2s, s2c, w_s2c)))
if seen != len(ours):
    bad.append("tshark lists %d conversations, netlab %d tuples" % (seen, len(ours)))
# exact bytes per direction: frame.len summed per tcp.stream and source port
streams = {}
for line in open(sys.argv[3]):
    p = line.split()
    if len(p) < 3:
        continue
    d = streams.setdefault(int(p[0]), {})
    d[p[1]] = d.get(p[1], 0) + int(p[2])
theirs = sorted(tuple(sorted(d.values())) for d in streams.values())
mine = sorted(tuple(sorted(x for x in (c["wire_bytes_c2s"], c["wire_bytes_s2c"]) if x))
              for c in conns)
if theirs != mine:
    bad.append("frame bytes per stream and direction differ")
print("; ".join(bad[:5]))
PY
)
	if [ -z "$out" ]; then
		ok "tcp connection counts agree with tshark: $name"
	else
		not_ok "tcp connection counts agree with tshark: $name: $out"
	fi
}

for f in captures/*.pcap; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .pcap)
	flags "$n" "$f"
	conns "$n" "$f"
done

if [ ! -x "$synth" ]; then
	skip "tcp analysis vs tshark on synthetic captures: $synth not built"
	exit 0
fi
i=0
while read -r args; do
	[ -n "$args" ] || continue
	i=$((i + 1))
	# shellcheck disable=SC2086
	"$synth" $args "$TMPD/s$i.pcap" >/dev/null 2>&1 || {
		not_ok "synthcap $args"
		continue
	}
	flags "synthcap $args" "$TMPD/s$i.pcap"
	conns "synthcap $args" "$TMPD/s$i.pcap"
done <<'EOF_CASES'
--packets 20000 --seed 1
--packets 20000 --seed 2 --reorder 0.05 --retrans 0.05 --loss 0.05
--packets 20000 --seed 3 --v6 0.5 --reorder 0.1 --retrans 0.02
--packets 20000 --seed 5 --concurrency 50 --loss 0.1 --retrans 0.1 --reorder 0.1
--packets 5000 --profile synflood
EOF_CASES
