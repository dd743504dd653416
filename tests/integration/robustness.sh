#!/usr/bin/env bash
# Damaged captures: every file under captures/ cut at 20 seeded random
# offsets, with bytes flipped in 10 seeded ways and with packets cut short
# (caplen < len) in 6, replayed in the default,
# -v, -X and --json modes. netlab must never crash: the exit status is 0, 1,
# 3 or 4 (never a signal, never a sanitizer report), and --json output always
# parses. A failing variant is kept under $NETLAB_BUILD/robustness-failures/.
#   ROBUSTNESS_SEED (default 1): change it to explore other variants.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null || ! command -v jq >/dev/null; then
	skip "robustness: needs python3 and jq"
	exit 0
fi
seed=${ROBUSTNESS_SEED:-1}
faildir=${NETLAB_BUILD:-$NETLAB_TOP/build}/robustness-failures

files=$(find captures -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
if [ -z "$files" ]; then
	skip "robustness: no captures in captures/"
	exit 0
fi

# make_variants FILE OUTDIR: 20 truncations, 10 bit-flip variants and 6 with
# packets cut short, named after what was done (trunc-OFFSET, flipany-N,
# fliphdr-N, snap-N).
make_variants() {
	python3 - "$1" "$2" "$seed" <<'EOF'
import os, random, struct, sys, zlib
path, outdir, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(path, "rb").read()
rng = random.Random(seed * 1000003 + zlib.crc32(os.path.basename(path).encode()))

def put(name, b):
    open(os.path.join(outdir, name), "wb").write(b)

# cut points: anywhere, including inside the file header
for off in sorted(rng.sample(range(len(data)), min(20, len(data)))):
    put("trunc-%06d.pcap" % off, data[:off])

# record layout of a classic pcap, to aim flips at packet headers
recs = []
if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        recs.append((off, off + 16, min(caplen, len(data) - off - 16)))
        off += 16 + caplen

# 4 variants: 1-8 random bytes anywhere (file header, record headers, data)
for i in range(4):
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        b[rng.randrange(len(b))] ^= rng.randint(1, 255)
    put("flipany-%d.pcap" % i, bytes(b))

# 6 variants: 1-3 bytes in the first 80 bytes of the data of a third of the
# packets (Ethernet, IP, TCP/UDP/ARP/ICMP headers: what decoders read)
for i in range(6 if recs else 0):
    b = bytearray(data)
    for (roff, doff, caplen) in recs:
        if caplen and rng.random() < 0.34:
            for _ in range(rng.randint(1, 3)):
                b[doff + rng.randrange(min(caplen, 80))] ^= rng.randint(1, 255)
    # and one record header field now and then (caplen, len)
    if rng.random() < 0.3:
        roff = rng.choice(recs)[0]
        b[roff + 8 + rng.randrange(8)] ^= rng.randint(1, 255)
    put("fliphdr-%d.pcap" % i, bytes(b))

# 6 variants: packets cut short as a small snaplen would (caplen < len), so
# every decoder meets its truncated case; the last one also claims wire
# lengths shorter than what was captured (a self-contradicting record).
for i in range(6 if recs else 0):
    out = bytearray(data[:24])
    for (roff, doff, caplen) in recs:
        hdr = bytearray(data[roff:doff])
        keep = caplen
        if rng.random() < 0.5:
            keep = rng.randint(0, caplen)
        hdr[8:12] = struct.pack(end + "I", keep)
        if i == 5 and rng.random() < 0.3:
            hdr[12:16] = struct.pack(end + "I", rng.randint(0, keep))
        out += hdr + data[doff:doff + keep]
    put("snap-%d.pcap" % i, bytes(out))
EOF
}

modes=("default:" "v:-v" "X:-X" "json:--json")
runs=0
for f in $files; do
	base=$(basename "$f")
	vdir=$TMPD/variants/$base
	mkdir -p "$vdir"
	if ! make_variants "$f" "$vdir"; then
		not_ok "robustness $base: cannot make variants"
		continue
	fi
	nvar=$(find "$vdir" -type f | wc -l)
	for m in "${modes[@]}"; do
		mname=${m%%:*} opt=${m#*:}
		bad=""
		for v in "$vdir"/*; do
			# shellcheck disable=SC2086
			"$NETLAB" replay $opt "$v" >"$TMPD/out" 2>"$TMPD/err"
			rc=$?
			runs=$((runs + 1))
			why=""
			case "$rc" in
			0 | 1 | 3 | 4) ;;
			*) why="exit status $rc" ;;
			esac
			if grep -qE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$TMPD/err"; then
				why="${why:+$why, }sanitizer report"
			fi
			if [ "$mname" = json ] && ! jq -c . <"$TMPD/out" >/dev/null 2>&1; then
				why="${why:+$why, }--json output does not parse"
			fi
			if [ -n "$why" ]; then
				mkdir -p "$faildir"
				cp "$v" "$faildir/$base.$(basename "$v")"
				bad="$bad
    $(basename "$v"): $why; reproduce: netlab replay $opt $faildir/$base.$(basename "$v")"
				grep -m 3 -E 'ERROR|runtime error|SUMMARY' "$TMPD/err" | sed 's/^/      /' >>"$TMPD/bad.$base.$mname"
			fi
		done
		if [ -z "$bad" ]; then
			ok "robustness $base ${opt:-(default)}: $nvar damaged variants, no crash"
		else
			not_ok "robustness $base ${opt:-(default)}: $(echo "$bad" | grep -c reproduce) of $nvar variants failed$bad"
			[ -f "$TMPD/bad.$base.$mname" ] && head -n 12 "$TMPD/bad.$base.$mname"
		fi
	done
done
echo "# robustness: $runs runs (seed $seed)"
exit 0
