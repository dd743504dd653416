#!/usr/bin/env bash
# Cross-check netlab's decoding against tshark, frame by frame, for every
# file in captures/ and a 20,000-packet synthetic capture (when
# $NETLAB_BUILD/tools/synthcap was built):
#   - the same number of packets;
#   - per frame: frame and captured length, ethertype, ARP opcode and
#     addresses, IPv4/IPv6 source and destination, ICMP type and code, TCP
#     ports, absolute seq, ack (when ACK is set), flags and payload length,
#     UDP ports, length field and payload length;
#   - the summary's layer counts (arp, ipv4, ipv6, icmp, icmpv6, tcp, udp)
#     against the same counts taken from tshark's fields.
# Both sides are rendered into the same one-line-per-frame text and compared
# with diff (the first differences are shown on failure). XCHECK_KEEP=DIR
# keeps the last file's rendered lines (nl.txt, ts.txt) for a look.
. "$(dirname "$0")/lib.sh"

for t in tshark jq; do
	if ! command -v "$t" >/dev/null; then
		skip "tshark cross-check: needs $t"
		exit 0
	fi
done

files=$(find captures -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
synth=${NETLAB_BUILD:-}/tools/synthcap
if [ -n "${NETLAB_BUILD:-}" ] && [ -x "$synth" ]; then
	if "$synth" --packets 20000 "$TMPD/synth-20000.pcap" >/dev/null 2>"$TMPD/synth.err"; then
		files="$files $TMPD/synth-20000.pcap"
	else
		not_ok "tshark cross-check: synthcap --packets 20000 failed"
		sed 's/^/    /' "$TMPD/synth.err" | head -n 5
	fi
else
	skip "tshark cross-check of a synthetic capture: no \$NETLAB_BUILD/tools/synthcap"
fi
if [ -z "$files" ]; then
	skip "tshark cross-check: no captures"
	exit 0
fi

# TCP flag names as netlab spells them -> bits (anything unknown: 4096, so
# it shows up as a difference).
jq_common='
def flagbits: reduce (.[]?) as $f (0; . + ({"FIN":1,"SYN":2,"RST":4,"PSH":8,"ACK":16,
  "URG":32,"ECE":64,"CWR":128,"NS":256,"AE":256}[$f] // 4096));
def hex: ltrimstr("0x") | ascii_downcase | explode
  | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
'

# netlab --json -> one line per frame
netlab_lines='
select(.type == "packet") |
[ "\(.frame) len=\(.len) cap=\(.caplen)",
  (if .eth then "eth=\(.eth.ethertype)" else "eth=-" end),
  (if .arp then "arp op=\(.arp.op) \(.arp.sha) \(.arp.spa) > \(.arp.tha) \(.arp.tpa)"
   elif .ip then "ipv4 \(.ip.src) > \(.ip.dst)"
   elif .ipv6 then "ipv6 \(.ipv6.src) > \(.ipv6.dst)"
   else empty end),
  (if .icmp then "icmp type=\(.icmp.type) code=\(.icmp.code)"
   elif .icmpv6 then "icmpv6 type=\(.icmpv6.type) code=\(.icmpv6.code)"
   elif .tcp then (.tcp.flags | flagbits) as $f |
     "tcp \(.tcp.sport) > \(.tcp.dport) seq=\(.tcp.seq)"
     + (if ($f % 32) >= 16 then " ack=\(.tcp.ack)" else "" end)
     + " flags=\($f) len=\(.payload_len)"
   elif .udp then "udp \(.udp.sport) > \(.udp.dport) ulen=\(.udp.len) len=\(.payload_len)"
   else empty end)
] | join(" ")'

tshark_fields="frame.number frame.len frame.cap_len eth.type arp.opcode
 arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac arp.dst.proto_ipv4 ip.src
 ip.dst ipv6.src ipv6.dst icmp.type icmp.code icmpv6.type icmpv6.code
 tcp.srcport tcp.dstport tcp.seq tcp.ack tcp.flags tcp.len udp.srcport
 udp.dstport udp.length"
tshark_args=()
for f in $tshark_fields; do tshark_args+=(-e "$f"); done

# tshark fields (tab-separated, first occurrence: the outer header of an
# ICMP error) -> the same one line per frame
tshark_lines='
split("\t") as $f |
($f | length) as $n |
def f($i): if $i < $n then $f[$i] else "" end;
[ "\(f(0)) len=\(f(1)) cap=\(f(2))",
  (if f(3) != "" then "eth=\(f(3) | hex)" else "eth=-" end),
  (if f(4) != "" then "arp op=\(f(4)) \(f(5)) \(f(6)) > \(f(7)) \(f(8))"
   elif f(9) != "" then "ipv4 \(f(9)) > \(f(10))"
   elif f(11) != "" then "ipv6 \(f(11)) > \(f(12))"
   else empty end),
  (if f(13) != "" then "icmp type=\(f(13)) code=\(f(14))"
   elif f(15) != "" then "icmpv6 type=\(f(15)) code=\(f(16))"
   elif f(17) != "" then ((f(21) | hex) % 512) as $fl |
     "tcp \(f(17)) > \(f(18)) seq=\(f(19))"
     + (if ($fl % 32) >= 16 then " ack=\(f(20))" else "" end)
     + " flags=\($fl) len=\(f(22))"
   elif f(23) != "" then "udp \(f(23)) > \(f(24)) ulen=\(f(25)) len=\((f(25) | tonumber) - 8)"
   else empty end)
] | join(" ")'

# layer counts out of the per-frame lines
count_layers() {
	awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^(arp|ipv4|ipv6|icmp|icmpv6|tcp|udp)$/) n[$i]++ }
	END { printf "arp=%d ipv4=%d ipv6=%d icmp=%d icmpv6=%d tcp=%d udp=%d\n",
	      n["arp"], n["ipv4"], n["ipv6"], n["icmp"], n["icmpv6"], n["tcp"], n["udp"] }' "$1"
}

for f in $files; do
	base=$(basename "$f")
	if ! "$NETLAB" replay --json "$f" >"$TMPD/nl.json" 2>"$TMPD/nl.err"; then
		not_ok "tshark cross-check $base: netlab replay --json failed"
		sed 's/^/    /' "$TMPD/nl.err" | head -n 5
		continue
	fi
	if ! tshark -n -r "$f" -o tcp.relative_sequence_numbers:FALSE \
		-T fields -E separator=/t -E occurrence=f "${tshark_args[@]}" \
		>"$TMPD/ts.tsv" 2>"$TMPD/ts.err"; then
		not_ok "tshark cross-check $base: tshark failed"
		sed 's/^/    /' "$TMPD/ts.err" | head -n 5
		continue
	fi
	jq -r "$jq_common $netlab_lines" <"$TMPD/nl.json" >"$TMPD/nl.txt" 2>"$TMPD/jq.err" ||
		{ not_ok "tshark cross-check $base: netlab's JSON does not parse"; head -n 3 "$TMPD/jq.err"; continue; }
	jq -rR "$jq_common $tshark_lines" <"$TMPD/ts.tsv" >"$TMPD/ts.txt" 2>"$TMPD/jq.err" ||
		{ not_ok "tshark cross-check $base: cannot read tshark's fields"; head -n 3 "$TMPD/jq.err"; continue; }

	nl_n=$(wc -l <"$TMPD/nl.txt")
	ts_n=$(wc -l <"$TMPD/ts.txt")
	check_eq "tshark cross-check $base: packet count ($ts_n)" "$ts_n" "$nl_n"
	sum_n=$(tail -n 1 "$TMPD/nl.json" | jq -r 'select(.type == "summary") | .packets')
	check_eq "tshark cross-check $base: summary packet count" "$ts_n" "$sum_n"

	if diff "$TMPD/ts.txt" "$TMPD/nl.txt" >"$TMPD/diff"; then
		ok "tshark cross-check $base: $nl_n frames agree field by field"
	else
		nd=$(grep -c '^<' "$TMPD/diff")
		not_ok "tshark cross-check $base: $nd of $ts_n frames differ (< tshark, > netlab)"
		head -n 16 "$TMPD/diff" | sed 's/^/    /'
	fi

	want=$(count_layers "$TMPD/ts.txt")
	got=$(tail -n 1 "$TMPD/nl.json" | jq -r 'select(.type == "summary") | .layers |
		"arp=\(.arp) ipv4=\(.ipv4) ipv6=\(.ipv6) icmp=\(.icmp) icmpv6=\(.icmpv6) tcp=\(.tcp) udp=\(.udp)"')
	check_eq "tshark cross-check $base: summary layer counts ($want)" "$want" "$got"
done
[ -n "${XCHECK_KEEP:-}" ] && cp "$TMPD"/*.txt "$XCHECK_KEEP"/
exit 0
