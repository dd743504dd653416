#!/usr/bin/env bash
# End-to-end correctness of stream analysis against ground truth: netlab's
# message boundaries (`"type":"message"` objects of --json) and per-segment
# message maps (the packets' "messages", and late "segmap" objects) must be
# exactly what the senders sent.
#
#  (a) tools/synthcap --truth, every framing it writes (u32le, u32be, u16le,
#      u16be, varint, line, jsonhdr), with reordering, retransmissions,
#      losses, gaps (never-captured segments), IPv6 and many concurrent
#      connections; --framing given (exact match required) and
#      auto-detected (judged by a quality floor: the share of truth
#      messages matched exactly and of directions given the sender's
#      framing; the case's figures are printed; the floors are a little
#      under what this detector measures, so a regression fails).
#  (b) the shipped captures made by netlab gen and the Python peers
#      (captures/*.truth.jsonl, written by the senders themselves), and
#      the framing auto-detection must choose for them.
#  (c) live (root): netlab gen server and client in a private namespace on
#      lo, and across a veth pair between two namespaces, captured with
#      netlab sniff, then replayed and compared with that run's truth.
#
# What "match" means (the comparison is the Python program below):
#  - Per connection and direction, the truth's messages (offset, length)
#    in stream order. The byte at each offset belongs to the first captured
#    frame that carried it (a retransmission or an overlapping segment adds
#    only bytes not seen before, as with --overlap first, the default;
#    bytes never captured belong to no frame).
#  - Up to the first message whose header (for line framing: any byte) was
#    never captured, netlab must report every message at the same offset,
#    with index = its position (1-based), and: if all its bytes were
#    captured, the same length, "complete":true, and exactly the frames
#    that carried its bytes, in stream order (n_frames; "frames" lists all
#    of them, or the first 7 and the last when there are more than 8); if
#    some were not, "complete":false or "has_gap":true (the gap lay inside
#    a body whose length was known: the framing stayed in step), and a
#    length that is the whole message or the bytes up to the cut. It must
#    report no other message there.
#  - After such a header gap the boundaries cannot be known from the
#    capture: netlab may resynchronise or not, but every message it then
#    reports complete must be a true message (no invented boundary).
#  - Each data segment up to that point: its map (a late "segmap" object if
#    there is one, else the packet's own) is "mapped" with the messages its
#    new bytes belong to, in order: index, part (whole/head/middle/tail:
#    whether the segment holds the message's first and last byte; a
#    message whose end netlab learns only later, as a turn's, may show
#    head for whole and middle for tail, with its length unknown), bytes of
#    the message it holds, msg_len 0 (not known yet) or the true length; the
#    count of messages ("merged" when 2 or more); a segment with no new byte
#    is "retrans".
#  - Both sides' truth: the bytes each sender's send() calls took must be
#    what the receiver's recv() calls returned, per direction.
#  - netlab gen truth: the client's "message" records are the c2s messages
#    (and the server's received "message" records must equal them). Python
#    peers write their messages themselves (tools/peers), also for their
#    length-then-ready protocol, where each message is one turn.
#  - With no header to read (netlab gen's merge and split, and its
#    length-then-ready, whose client sends the next length without waiting
#    for an answer to the body), netlab can only cut at PSH (framing none:
#    probable send()s) or where the other side starts speaking (turns).
#    Then its messages must tile the stream, be complete, end at a send()
#    end or at a segment with PSH (the kernel also sets PSH inside a large
#    send(): noted, no error), and every send() end that a segment with PSH
#    ends, and every turn start (a send() after the sender received
#    something), must be a message boundary.
# Needs python3; (c) needs root, ip, ethtool.
. "$(dirname "$0")/lib.sh"

# a private copy: a rebuild during the run must not swap the binary
cp "$NETLAB" "$TMPD/netlab" && NETLAB=$TMPD/netlab
synth=${NETLAB_BUILD:-}/tools/synthcap
NS_A=nltruth$$a NS_B=nltruth$$b
cap_pid="" srv_pid=""
cleanup() {
	[ -n "$cap_pid" ] && kill -TERM "$cap_pid" 2>/dev/null
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

if ! command -v python3 >/dev/null; then
	skip "ground truth: needs python3"
	exit 0
fi

cat >"$TMPD/cmp.py" <<'PY'
import json, sys
from collections import defaultdict

# ---- netlab's output ------------------------------------------------------
def load_netlab(path):
    pk = {}          # frame -> packet object
    late = {}        # frame -> last late segmap object
    msgs = defaultdict(list)  # (conn, dir) -> message objects
    global FRAMINGS
    FRAMINGS = {}             # (conn, dir) -> framing chosen
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            t = o.get("type")
            if t == "packet":
                pk[o["frame"]] = o
            elif t == "segmap":
                late[o["frame"]] = o
            elif t == "message":
                msgs[(o["conn"], o["dir"])].append(o)
            elif t == "note" and o.get("note") == "framing":
                FRAMINGS[(o["conn"], o["dir"])] = o.get("framing")
    return pk, late, msgs

def endpoints(p):
    ip = p.get("ip") or p.get("ip6") or p.get("ipv6") or {}
    tcp = p.get("tcp") or {}
    if "src" not in ip or "sport" not in tcp:
        return None
    def fmt(a, port):
        return ("[%s]:%d" % (a, port)) if ":" in a else ("%s:%d" % (a, port))
    return fmt(ip["src"], tcp["sport"]), fmt(ip["dst"], tcp["dport"])

# ---- byte ownership: which frame first carried each byte ------------------
def ownership(segs):
    """segs: [(frame, off, len)] -> pieces [(a, b, frame)] sorted by a: the
    bytes each frame was the first in the capture to carry."""
    covered = []  # sorted disjoint [a, b)
    pieces = []
    for fr, off, ln in sorted(segs):
        a, b = off, off + ln
        if ln <= 0:
            continue
        new = [(a, b)]
        for ca, cb in covered:
            nxt = []
            for x, y in new:
                if cb <= x or ca >= y:
                    nxt.append((x, y))
                    continue
                if x < ca:
                    nxt.append((x, ca))
                if cb < y:
                    nxt.append((cb, y))
            new = nxt
        for x, y in new:
            pieces.append((x, y, fr))
        covered = merge(covered + [(a, b)])
    pieces.sort()
    return pieces

def merge(iv):
    iv.sort()
    out = []
    for a, b in iv:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out

def owned(pieces, a, b):
    return sum(max(0, min(b, y) - max(a, x)) for x, y, _ in pieces)

# ---- the comparison of one direction --------------------------------------
class Report:
    def __init__(self, limit=12):
        self.errors = []
        self.notes = []
        self.limit = limit
    def err(self, s):
        self.errors.append(s)
    def note(self, s):
        self.notes.append(s)

def part_of(first, last):
    return "whole" if first and last else "head" if first else "tail" if last else "middle"

def compare_dir(rep, name, tmsgs, segs, nmsgs, pk, late, check_maps, turns=False):
    """tmsgs: truth [(off, len, hl)] sorted; segs: [(frame, off, len)];
    nmsgs: netlab message objects of this conn/dir."""
    pieces = ownership(segs)
    # where the framer must lose step: the first message whose header (or,
    # for a framing without a header, any byte) was never captured
    L = None
    for i, (off, ln, hl) in enumerate(tmsgs):
        need = hl if hl > 0 else ln
        if owned(pieces, off, off + need) < need:
            L = i
            break
    in_step = tmsgs if L is None else tmsgs[:L]
    stop = None if L is None else tmsgs[L][0]
    byoff = {m["offset"]: m for m in nmsgs}
    got = 0
    for i, (off, ln, hl) in enumerate(in_step):
        m = byoff.get(off)
        cap = owned(pieces, off, off + ln)
        complete = cap == ln
        if m is None:
            rep.err("%s: message #%d (offset %d, %d bytes) not reported" % (name, i + 1, off, ln))
            continue
        problems = []
        if m.get("index") != i + 1:
            problems.append("index %s, expected %d" % (m.get("index"), i + 1))
        if complete:
            if m["len"] != ln:
                problems.append("len %d, expected %d" % (m["len"], ln))
            if m.get("complete") is not True:
                problems.append("not complete (end %s)" % m.get("end"))
            frames = []  # in stream order: by the first byte each carried
            for x, y, fr in pieces:
                if x < off + ln and y > off and fr not in frames:
                    frames.append(fr)
            nf = m.get("n_frames", len(m.get("frames", [])))
            listed = m.get("frames", [])
            want_listed = frames if len(frames) <= 8 else frames[:7] + frames[-1:]
            if nf != len(frames) or listed != want_listed:
                problems.append("frames %s (n_frames %s), expected %s" % (listed, nf, want_listed))
        else:
            last = max((min(y, off + ln) for x, y, _ in pieces if x < off + ln and y > off), default=off)
            if m.get("complete") is not False and m.get("has_gap") is not True:
                problems.append("reported complete without has_gap, but %d of its %d bytes were never captured" % (ln - cap, ln))
            if m["len"] not in (ln, last - off):
                problems.append("len %d, expected %d (whole) or %d (up to the cut)" % (m["len"], ln, last - off))
        if problems:
            rep.err("%s: message #%d at offset %d: %s" % (name, i + 1, off, "; ".join(problems)))
        else:
            got += 1
    # beyond the point where step is lost: no invented boundaries
    tset = {(o, l) for o, l, _ in tmsgs}
    extra = 0
    recovered = 0
    for m in nmsgs:
        if stop is not None and m["offset"] >= stop:
            if m.get("complete"):
                if (m["offset"], m["len"]) in tset:
                    recovered += 1
                else:
                    extra += 1
                    if extra <= 3:
                        rep.err("%s: after the gap at offset %d netlab reports a complete message at offset %d len %d that the truth does not have" % (name, stop, m["offset"], m["len"]))
        elif m["offset"] not in {o for o, _, _ in in_step}:
            rep.err("%s: netlab reports a message at offset %d len %d (index %s) that the truth does not have" % (name, m["offset"], m["len"], m.get("index")))
    if stop is not None:
        rep.note("%s: step lost at offset %d (message %d of %d: header not captured); %d later messages recovered" % (name, stop, L + 1, len(tmsgs), recovered))
    # segment maps
    nmap = 0
    if check_maps:
        fr_pieces = defaultdict(list)
        for x, y, fr in pieces:
            fr_pieces[fr].append((x, y))
        for fr, off, ln in sorted(segs):
            if ln <= 0:
                continue
            ps = fr_pieces.get(fr, [])
            if stop is not None and (off + ln > stop or any(y > stop for _, y in ps)):
                continue
            obj = late.get(fr) or pk.get(fr)
            if obj is None:
                rep.err("%s: frame %d: no packet object" % (name, fr))
                continue
            state = obj.get("map_state")
            if not ps:
                if state not in ("retrans",):
                    rep.err("%s: frame %d carries only bytes already seen: map_state %s, expected retrans" % (name, fr, state))
                continue
            exp = []
            for i, (mo, ml, hl) in enumerate(tmsgs):
                ov = [(max(x, mo), min(y, mo + ml)) for x, y in ps if x < mo + ml and y > mo]
                if not ov:
                    continue
                nb = sum(b - a for a, b in ov)
                first = any(a == mo for a, _ in ov)
                last = any(b == mo + ml for _, b in ov)
                exp.append({"index": i + 1, "part": part_of(first, last), "bytes": nb, "msg_len": ml})
            if state != "mapped":
                rep.err("%s: frame %d: map_state %s, expected mapped" % (name, fr, state))
                continue
            parts = obj.get("messages", [])
            n = obj.get("n_msgs", obj.get("merged") or len(parts))
            want = exp if len(exp) <= 8 else exp[:7] + exp[-1:]
            bad = n != len(exp) or len(parts) != len(want)
            if not bad:
                for g, w in zip(parts, want):
                    part = g.get("part")
                    # the end of a turn (or of a probable send) is known
                    # only later: mapped then, its last segment says
                    # head/middle with the length unknown
                    unknown_end = g.get("msg_len") in (None, 0) and (part, w["part"]) in (("head", "whole"), ("middle", "tail"))
                    if g.get("index") != w["index"] or (part != w["part"] and not unknown_end) or g.get("bytes") != w["bytes"] or g.get("msg_len") not in (None, 0, w["msg_len"]):
                        bad = True
            if bad:
                rep.err("%s: frame %d map %s (n=%d), expected %s (n=%d)" % (name, fr, [(p.get("index"), p.get("part"), p.get("bytes"), p.get("msg_len")) for p in parts], n, [(w["index"], w["part"], w["bytes"], w["msg_len"]) for w in want], len(exp)))
            else:
                nmap += 1
    return got, nmap

# ---- synthcap truth ------------------------------------------------------
def synth(truth, out, check_maps):
    pk, late, nmsgs = load_netlab(out)
    conns, segs, msgs = {}, defaultdict(list), defaultdict(list)
    with open(truth) as f:
        for line in f:
            o = json.loads(line)
            t = o["type"]
            if t == "conn":
                conns[o["conn"]] = o
            elif t == "seg":
                segs[(o["conn"], o["dir"])].append((o["frame"], o["seq_off"], o["len"]))
            elif t == "msg":
                msgs[(o["conn"], o["dir"])].append((o["offset"], o["len"], o.get("header_len", 4)))
    rep = Report()
    tot = totm = 0
    for (c, d), ml in sorted(msgs.items()):
        syn = pk.get(conns[c]["syn_frame"])
        if syn is None or "conn" not in syn:
            rep.err("conn %d: its SYN (frame %d) has no netlab conn id" % (c, conns[c]["syn_frame"]))
            continue
        nc = syn["conn"]
        ml.sort()
        g, nm = compare_dir(rep, "conn %d (netlab %d) %s" % (c, nc, d), ml, segs[(c, d)], nmsgs.get((nc, d), []), pk, late, check_maps)
        tot += g
        totm += nm
    return rep, tot, totm, sum(len(v) for v in msgs.values())

# ---- gen / peer truth ------------------------------------------------------
def gen(truth, out, expect, check_maps):
    pk, late, nmsgs = load_netlab(out)
    recs = [json.loads(l) for l in open(truth) if l.strip()]
    # netlab conn id and direction per (client, server) address pair
    ids = {}
    segs = defaultdict(list)
    psh = defaultdict(set)  # stream offsets where a segment with PSH ended
    for fr, p in sorted(pk.items()):
        if "conn" not in p or "tcp" not in p:
            continue
        ep = endpoints(p)
        if ep is None:
            continue
        cs = ep if p.get("dir") == "c2s" else (ep[1], ep[0])
        ids[cs] = p["conn"]
        if p.get("payload_len", 0) > 0 and "rseq" in p:
            segs[(p["conn"], p["dir"])].append((fr, p["rseq"] - 1, p["payload_len"]))
            if "PSH" in p["tcp"].get("flags", []):
                psh[(p["conn"], p["dir"])].add(p["rseq"] - 1 + p["payload_len"])
    rep = Report()
    tm = defaultdict(list)   # (netlab conn, dir) -> [(off, len, hl)]
    recvd = defaultdict(list)
    recv_bytes = defaultdict(int)
    sends = defaultdict(list)
    for r in recs:
        if r.get("proto") != "tcp" or "local" not in r or "peer" not in r:
            continue
        client = r["side"] == "client"
        key = (r["local"], r["peer"]) if client else (r["peer"], r["local"])
        if key not in ids:
            continue
        nc = ids[key]
        sdir = "c2s" if client else "s2c"
        if r["ev"] == "send" and r.get("ret", 0) > 0:
            sends[(nc, sdir)].append(r)
        elif r["ev"] == "recv" and r.get("ret", 0) > 0:
            # what this side received: the other direction
            recv_bytes[(nc, "s2c" if client else "c2s")] += r["ret"]
        elif r["ev"] == "message":
            if "framing" in r:          # a Python peer: the sender's message
                tm[(nc, sdir)].append((r["off"], r["len"], r.get("hdr", 0)))
            elif client:                # netlab gen: the client's message
                tm[(nc, "c2s")].append((r["off"], r["len"], r.get("hdr", 0)))
            else:                       # netlab gen server: what it received
                recvd[(nc, "c2s")].append((r["off"], r["len"]))
    if not ids:
        rep.err("no TCP connection of the truth file found in the capture")
    peer_recs = any("framing" in r for r in recs if r.get("ev") == "message")
    if expect == "turns" and not peer_recs:
        # netlab gen's length-then-ready: its messages are the send()s, and
        # the turns (a send after the sender received something) are a
        # coarser cut. Whether netlab picks turns or none (probable sends),
        # its boundaries must be send boundaries and must include every
        # turn boundary.
        starts = defaultdict(set)
        for side in ("client", "server"):
            heard = True
            for r in recs:
                if r.get("side") != side or r.get("proto") != "tcp" or "peer" not in r:
                    continue
                client = side == "client"
                key = (r["local"], r["peer"]) if client else (r["peer"], r["local"])
                if key not in ids:
                    continue
                k = (ids[key], "c2s" if client else "s2c")
                if r["ev"] == "recv" and r.get("ret", 0) > 0:
                    heard = True
                elif r["ev"] == "send" and r.get("ret", 0) > 0:
                    if heard:
                        starts[k].add(r["off"])
                    heard = False
        return sends_rule(rep, sends, nmsgs, starts, psh)
    if expect == "none":
        return sends_rule(rep, sends, nmsgs, defaultdict(set), psh)
    sides = {r.get("side") for r in recs}
    if sides >= {"client", "server"}:
        for k in sorted(set(sends) | set(recv_bytes)):
            sent = sum(r["ret"] for r in sends.get(k, []))
            if sent != recv_bytes.get(k, 0):
                rep.err("conn %s %s: the sender sent %d bytes, the receiver's recv() calls returned %d" % (k[0], k[1], sent, recv_bytes.get(k, 0)))
    for k, v in recvd.items():
        sent = [(o, l) for o, l, _ in sorted(tm.get(k, []))]
        if sorted(v) != sent:
            rep.err("conn %s %s: the server received other messages than the client sent: %s vs %s" % (k[0], k[1], sorted(v)[:5], sent[:5]))
    tot = totm = ntruth = 0
    for k, ml in sorted(tm.items()):
        ml.sort()
        ntruth += len(ml)
        g, nm = compare_dir(rep, "conn %s %s" % k, ml, segs[k], nmsgs.get(k, []), pk, late, check_maps)
        tot += g
        totm += nm
    for k, v in nmsgs.items():
        if k not in tm and v:
            rep.err("conn %s %s: netlab reports %d messages, the truth has none in that direction" % (k[0], k[1], len(v)))
    return rep, tot, totm, ntruth

def sends_rule(rep, sends, nmsgs, starts, psh):
    """Without a header netlab can only guess sends: a message ends at a
    segment with PSH (framing none) or where the peer starts speaking
    (turns). Its messages must tile each direction's stream, be complete,
    end at a send() end or a PSH segment end (the kernel also sets PSH
    inside a large send(): such a cut is noted, it is no error), and every
    send() end that is also a PSH segment end, and every turn start given,
    must be a boundary."""
    tot = n = 0
    for k, v in sorted(sends.items()):
        ends = {r["off"] + r["ret"] for r in v}
        total = max(ends)
        ms = sorted(nmsgs.get(k, []), key=lambda m: m["offset"])
        n += len(ms)
        at = 0
        for m in ms:
            good = True
            if m["offset"] != at:
                rep.err("conn %s %s: a message at offset %d, expected one at %d (messages must tile the stream)" % (k[0], k[1], m["offset"], at))
                good = False
            e = m["offset"] + m["len"]
            if e not in ends and e not in psh.get(k, ()):
                rep.err("conn %s %s: message at offset %d len %d ends neither where a send() ended nor at a PSH" % (k[0], k[1], m["offset"], m["len"]))
                good = False
            elif e not in ends:
                rep.note("conn %s %s: message at offset %d len %d ends at a PSH inside a send()" % (k[0], k[1], m["offset"], m["len"]))
            if m.get("complete") is not True:
                rep.err("conn %s %s: message at offset %d not complete (%s)" % (k[0], k[1], m["offset"], m.get("end")))
                good = False
            at = m["offset"] + m["len"]
            tot += good
        if at != total:
            rep.err("conn %s %s: netlab's messages cover %d bytes, %d were sent" % (k[0], k[1], at, total))
        mstarts = {m["offset"] for m in ms}
        mends = {m["offset"] + m["len"] for m in ms}
        for e in sorted(ends & psh.get(k, set())):
            if e not in mends:
                rep.err("conn %s %s: a send() ended at offset %d with PSH, but no message ends there" % (k[0], k[1], e))
        for t in sorted(starts.get(k, ())):
            if t not in mstarts:
                rep.err("conn %s %s: the sender's turn at offset %d does not start a message" % (k[0], k[1], t))
    return rep, tot, 0, n

def main():
    mode, truth, out = sys.argv[1:4]
    opts = sys.argv[4:]
    expect = "framed"
    want_framing = {}
    floor = None
    for o in opts:
        if o.startswith("--expect="):
            expect = o.split("=", 1)[1]
        elif o.startswith("--floor="):  # --floor=MATCH:FRAMING:NAME
            fm, ff, fname = o.split("=", 1)[1].split(":")
            floor = (float(fm), float(ff), fname)
        elif o.startswith("--framing="):  # --framing=c2s:u32le,s2c:u32le
            for kv in o.split("=", 1)[1].split(","):
                d, f = kv.split(":")
                want_framing[d] = f
    _, late, _ = load_netlab(out)
    pk, _, _ = load_netlab(out)
    check_maps = any("map_state" in p for p in pk.values())
    if mode == "synth":
        rep, got, nmap, n = synth(truth, out, check_maps)
    else:
        rep, got, nmap, n = gen(truth, out, expect, check_maps)
    for d, f in sorted(want_framing.items()):
        got_f = sorted({v for (c, dd), v in FRAMINGS.items() if dd == d})
        if got_f != [f]:
            rep.err("%s: framing detected %s, expected %s" % (d, ", ".join(map(str, got_f)) or "none reported", f))
    print("# %d of %d truth messages matched; %d segment maps matched%s" % (got, n, nmap, "" if check_maps else " (no map_state in the output: maps not checked)"))
    if FRAMINGS:
        count = defaultdict(int)
        for v in FRAMINGS.values():
            count[v] += 1
        print("# framing chosen per direction: " + ", ".join("%s %d" % kv for kv in sorted(count.items(), key=lambda kv: -kv[1])))
    for s in rep.notes[:5]:
        print("# " + s)
    if len(rep.notes) > 5:
        print("# ... %d more notes" % (len(rep.notes) - 5))
    for s in rep.errors[:rep.limit]:
        print(s)
    if len(rep.errors) > rep.limit:
        print("... %d more differences" % (len(rep.errors) - rep.limit))
    if floor and n:
        # auto-detection judged by its quality floor: the share of truth
        # messages matched exactly and of directions given the framing
        # the sender used (the differences above are what it missed)
        fm, ff, fname = floor
        dirs = len(FRAMINGS)
        right = sum(1 for v in FRAMINGS.values() if v == fname)
        print("# floor: %.4f of messages matched (>= %.2f), %.4f of directions %s (>= %.2f)"
              % (got / n, fm, right / max(dirs, 1), fname, ff))
        sys.exit(0 if got / n >= fm and right / max(dirs, 1) >= ff else 1)
    sys.exit(1 if rep.errors or n == 0 else 0)

main()
PY

# compare NAME MODE TRUTH JSON [--expect=KIND]: one ok / not ok line
compare() {
	local name=$1
	shift
	if python3 "$TMPD/cmp.py" "$@" >"$TMPD/cmp.out" 2>&1; then
		ok "$name"
		grep '^#' "$TMPD/cmp.out" | head -n 4 | sed 's/^# /#   /'
	else
		not_ok "$name"
		sed 's/^/    /' "$TMPD/cmp.out" | head -n 24
	fi
}

# Stream analysis must be there (it prints message objects) for any of this.
"$NETLAB" replay --json captures/gen-framed.pcap >"$TMPD/probe.json" 2>&1
if ! grep -q '"type":"message"' "$TMPD/probe.json"; then
	skip "ground truth: netlab replay --json prints no message objects (stream analysis not built in)"
	exit 0
fi

# The comparison must be able to fail: a doctored output is caught.
python3 - "$TMPD/probe.json" "$TMPD/doctored.json" <<'PY'
import json, sys
done = False
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as o:
    for line in f:
        j = json.loads(line)
        if not done and j.get("type") == "message" and j.get("len", 0) > 4:
            j["len"] -= 1
            done = True
        o.write(json.dumps(j) + "\n")
PY
if python3 "$TMPD/cmp.py" gen captures/gen-framed.truth.jsonl "$TMPD/doctored.json" >/dev/null 2>&1; then
	not_ok "ground truth: a message length off by one goes unnoticed"
else
	ok "ground truth: a message length off by one is caught"
fi

# ---- (a) synthcap --------------------------------------------------------
if [ -x "$synth" ]; then
	# NAME  OPTIONS (--framing F is given to both synthcap and netlab;
	# "auto" runs netlab without it)
	while read -r name nlframing opts; do
		[ -n "$name" ] || continue
		# shellcheck disable=SC2086
		if ! "$synth" $opts --truth "$TMPD/s.truth" "$TMPD/s.pcap" 2>"$TMPD/s.err"; then
			not_ok "synthcap $name: $(cat "$TMPD/s.err")"
			continue
		fi
		fopt="" floor=""
		case $nlframing in
		# auto:MATCH:FRAMING:NAME: auto-detection, judged by its floor
		auto:*) floor="--floor=${nlframing#auto:}" nlframing=auto ;;
		*) fopt="--framing $nlframing" ;;
		esac
		# shellcheck disable=SC2086
		"$NETLAB" replay --json $fopt "$TMPD/s.pcap" >"$TMPD/s.json" 2>"$TMPD/s.err"
		rc=$?
		if [ "$rc" -ne 0 ] || [ -s "$TMPD/s.err" ]; then
			not_ok "synthcap $name: netlab exit status $rc: $(head -c 300 "$TMPD/s.err")"
			continue
		fi
		compare "synthcap $name ($opts; netlab --framing $nlframing)" synth "$TMPD/s.truth" "$TMPD/s.json" $floor
	done <<-'CASES'
		clean          u32le  --packets 12000 --seed 11
		clean-auto     auto:0.99:0.98:u32le   --packets 12000 --seed 11
		reorder        u32le  --packets 12000 --seed 12 --reorder 0.05
		retrans        u32le  --packets 12000 --seed 13 --retrans 0.05 --loss 0.03
		gaps           u32le  --packets 12000 --seed 14 --gap 0.01
		mixed-auto     auto:0.90:0.98:u32le   --packets 12000 --seed 15 --reorder 0.03 --retrans 0.03 --loss 0.02 --gap 0.005 --v6 0.5
		concurrency    u32le  --packets 16000 --seed 16 --concurrency 1000 --reorder 0.02 --retrans 0.02
		u32be          u32be  --packets 5000 --seed 21 --framing u32be --reorder 0.03 --retrans 0.03 --gap 0.005
		u32be-auto     auto:0.99:0.98:u32be   --packets 5000 --seed 21 --framing u32be --reorder 0.03 --retrans 0.03
		u16le          u16le  --packets 5000 --seed 22 --framing u16le --retrans 0.03 --gap 0.005
		u16be          u16be  --packets 5000 --seed 23 --framing u16be --reorder 0.03
		u16be-auto     auto:0.97:0.95:u16be   --packets 5000 --seed 23 --framing u16be --reorder 0.03
		varint         varint --packets 5000 --seed 24 --framing varint --reorder 0.03 --retrans 0.03
		varint-gaps    varint --packets 5000 --seed 31 --framing varint --reorder 0.05 --retrans 0.05 --loss 0.03 --gap 0.01 --v6 0.3
		line           line   --packets 5000 --seed 25 --framing line --reorder 0.03 --retrans 0.03
		line-gaps      line   --packets 5000 --seed 31 --framing line --reorder 0.05 --retrans 0.05 --loss 0.03 --gap 0.01 --v6 0.3
		line-auto      auto:0.99:0.98:line   --packets 5000 --seed 25 --framing line --reorder 0.03 --retrans 0.03
		jsonhdr        jsonhdr --packets 5000 --seed 26 --framing jsonhdr --reorder 0.03 --retrans 0.03 --gap 0.005
		jsonhdr-auto   auto:0.99:0.98:jsonhdr   --packets 5000 --seed 26 --framing jsonhdr --reorder 0.03 --retrans 0.03
	CASES
else
	skip "synthcap ground truth: no \$NETLAB_BUILD/tools/synthcap"
fi

# ---- (b) shipped captures ------------------------------------------------
# capture  what its messages are  the framing auto-detection must choose
while read -r cap expect framing; do
	[ -n "$cap" ] || continue
	if [ ! -f "captures/$cap.pcap" ] || [ ! -f "captures/$cap.truth.jsonl" ]; then
		not_ok "truth $cap: captures/$cap.pcap or its .truth.jsonl is missing (tools/make-captures.sh)"
		continue
	fi
	"$NETLAB" replay --json "captures/$cap.pcap" >"$TMPD/c.json" 2>"$TMPD/c.err"
	rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$TMPD/c.err" ]; then
		not_ok "truth $cap: netlab exit status $rc: $(head -c 300 "$TMPD/c.err")"
		continue
	fi
	compare "truth $cap: netlab's messages are the sender's ($expect${framing:+; auto: $framing})" gen \
		"captures/$cap.truth.jsonl" "$TMPD/c.json" "--expect=$expect" ${framing:+"--framing=$framing"}
done <<-'CASES'
	gen-merge-split    framed  c2s:u32le
	gen-framed         framed  c2s:u32le
	gen-jsonhdr        framed  c2s:jsonhdr
	gen-reset          framed  c2s:u32le
	gen-retrans        framed  c2s:u32le
	gen-ready          turns
	gen-merge          none
	gen-split          none
	py-structpack      framed  c2s:u32le,s2c:u32le
	py-structpack-mss  framed  c2s:u32le,s2c:u32le
	py-upload          framed  c2s:jsonhdr
	py-upload-mss      framed  c2s:jsonhdr
	py-ready           turns
	py-ready-mss       turns
CASES

# ---- (c) live ------------------------------------------------------------
if ! is_root; then
	skip "live ground truth: needs root (network namespaces, capture)"
	exit 0
fi
for t in ip ethtool; do
	if ! command -v "$t" >/dev/null; then
		skip "live ground truth: needs $t"
		exit 0
	fi
done

# capture_start NS IFACE FILE FILTER...: netlab sniff in NS, until its socket
# is open (the namespace is private: the only packet socket is ours)
capture_start() {
	local ns=$1 iface=$2 file=$3
	shift 3
	ip netns exec "$ns" "$NETLAB" sniff -q -B 4096 -w "$file" "$iface" "$@" \
		>"$TMPD/sniff.out" 2>"$TMPD/sniff.err" &
	cap_pid=$!
	wait_for_capture "$ns" "$cap_pid"
}
capture_stop() {
	sleep 0.5 # libpcap hands over what it buffered
	kill -TERM "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
	cap_pid=""
}
# server_start NS ARGS...: netlab gen server, until it listens
server_start() {
	local ns=$1
	shift
	: >"$TMPD/srv.out" # here, not in the child: the wait below must not see the last run's
	ip netns exec "$ns" "$NETLAB" gen server "$@" >>"$TMPD/srv.out" 2>&1 &
	srv_pid=$!
	for _ in $(seq 200); do
		grep -q '^listening' "$TMPD/srv.out" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}
server_wait() {
	for _ in $(seq 200); do
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.05
	done
	kill "$srv_pid" 2>/dev/null
	wait "$srv_pid" 2>/dev/null
	srv_pid=""
}

make_lo_ns() {
	ip netns add "$1" || return 1
	ip -n "$1" link set lo mtu 1500 up
	ip netns exec "$1" ethtool -K lo tso off gso off gro off >/dev/null 2>&1
}

# live NAME NS IFACE HOST EXPECT "SERVER OPTIONS" "CLIENT OPTIONS" [CLIENT_NS]
#      ["REPLAY OPTIONS"]
live() {
	local name=$1 ns=$2 iface=$3 host=$4 expect=$5 sopts=$6 copts=$7 cns=${8:-$2}
	local ropts=${9:-}
	rm -f "$TMPD/l.c" "$TMPD/l.s"
	capture_start "$ns" "$iface" "$TMPD/l.pcap" tcp port 9100
	# shellcheck disable=SC2086
	if ! server_start "$ns" --bind "$host" --port 9100 --exit-after 1 --truth "$TMPD/l.s" $sopts; then
		not_ok "live $name: the server did not start: $(cat "$TMPD/srv.out")"
		capture_stop
		return
	fi
	# shellcheck disable=SC2086
	ip netns exec "$cns" "$NETLAB" gen client "$host:9100" --truth "$TMPD/l.c" -q $copts \
		>"$TMPD/cli.out" 2>&1
	local crc=$?
	server_wait
	capture_stop
	if [ "$crc" -ne 0 ]; then
		not_ok "live $name: client exit status $crc: $(head -c 300 "$TMPD/cli.out")"
		return
	fi
	cat "$TMPD/l.c" "$TMPD/l.s" >"$TMPD/l.truth"
	# shellcheck disable=SC2086
	"$NETLAB" replay --json $ropts "$TMPD/l.pcap" >"$TMPD/l.json" 2>"$TMPD/l.err"
	local rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$TMPD/l.err" ]; then
		not_ok "live $name: netlab exit status $rc: $(head -c 300 "$TMPD/l.err")"
		return
	fi
	compare "live $name: netlab's messages are the client's ($expect)" gen \
		"$TMPD/l.truth" "$TMPD/l.json" "--expect=$expect"
}

make_lo_ns "$NS_A" || { not_ok "live: cannot create a network namespace"; exit 0; }
live "lo u32le, MSS 536" "$NS_A" lo 127.0.0.1 framed "--framing u32le" \
	"--scenario framed --size 12-3000 --count 30 --mss 536 --seed 31"
live "lo u32le, cork" "$NS_A" lo 127.0.0.1 framed "--framing u32le" \
	"--scenario framed --size 5-700 --count 40 --cork --mss 600 --seed 32"
live "lo u16be" "$NS_A" lo 127.0.0.1 framed "--framing u16be" \
	"--scenario framed --framing u16be --size 12-2000 --count 25 --seed 33"
live "lo varint" "$NS_A" lo 127.0.0.1 framed "--framing varint" \
	"--scenario framed --framing varint --size 12-600 --count 25 --seed 34"
live "lo line" "$NS_A" lo 127.0.0.1 framed "--framing line" \
	"--scenario framed --framing line --size 20-400 --count 25 --seed 35"
live "lo jsonhdr, MSS 1000" "$NS_A" lo 127.0.0.1 framed "--framing jsonhdr" \
	"--scenario jsonhdr --size 1000-20000 --count 3 --mss 1000 --seed 36"
live "lo ready" "$NS_A" lo 127.0.0.1 turns "--ready" \
	"--scenario ready --size 100-3000 --count 3 --seed 37"
live "lo ::1 u32le" "$NS_A" lo ::1 framed "--framing u32le" \
	"--scenario framed --size 12-3000 --count 20 --mss 700 --seed 38"
# general length fields are not guessed: netlab is told (--framing SPEC)
live "lo len:2:be,offset=3 (given)" "$NS_A" lo 127.0.0.1 framed "--framing len:2:be,offset=3" \
	"--scenario framed --framing len:2:be,offset=3 --size 12-2000 --count 20 --mss 600 --seed 39" \
	"$NS_A" "--framing len:2:be,offset=3"
live "lo len:4:le,adjust=-4 (given)" "$NS_A" lo 127.0.0.1 framed "--framing len:4:le,adjust=-4" \
	"--scenario framed --framing len:4:le,adjust=-4 --size 12-2000 --count 20 --mss 600 --seed 40" \
	"$NS_A" "--framing len:4:le,adjust=-4"
ip netns del "$NS_A"

# two namespaces joined by a veth pair; the capture runs on the server's side
ok_veth=true
ip netns add "$NS_A" && ip netns add "$NS_B" || ok_veth=false
if $ok_veth && ip link add "vt$$a" type veth peer name "vt$$b" 2>/dev/null; then
	ip link set "vt$$a" netns "$NS_A"
	ip link set "vt$$b" netns "$NS_B"
	ip -n "$NS_A" link set "vt$$a" name veth0
	ip -n "$NS_B" link set "vt$$b" name veth0
	ip -n "$NS_A" addr add 10.98.0.1/24 dev veth0
	ip -n "$NS_B" addr add 10.98.0.2/24 dev veth0
	for ns in "$NS_A" "$NS_B"; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set veth0 up
		ip netns exec "$ns" ethtool -K veth0 tso off gso off gro off >/dev/null 2>&1
	done
	for _ in $(seq 50); do
		ip -n "$NS_A" link show veth0 | grep -q LOWER_UP && break
		sleep 0.1
	done
	live "veth u32le, MSS 536" "$NS_B" veth0 10.98.0.2 framed "--framing u32le" \
		"--scenario framed --size 12-3000 --count 30 --mss 536 --seed 41" "$NS_A"
	live "veth jsonhdr" "$NS_B" veth0 10.98.0.2 framed "--framing jsonhdr" \
		"--scenario jsonhdr --size 2000-30000 --count 2 --seed 42" "$NS_A"
	live "veth ready" "$NS_B" veth0 10.98.0.2 turns "--ready" \
		"--scenario ready --size 100-3000 --count 3 --seed 43" "$NS_A"
else
	skip "live ground truth over veth: cannot create the namespaces or a veth pair"
fi
exit 0
