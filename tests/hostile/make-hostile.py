#!/usr/bin/env python3
"""Generate deliberately broken and hostile capture files.

    tests/hostile/make-hostile.py OUTDIR

Writes one file per case into OUTDIR and OUTDIR/EXPECT, a table of
"NAME PACKETS STATUS" lines for the cases where the number of packets
netlab must report and its exit status are known (tests/integration/
hostile.sh checks them; "-" means not checked). Python 3, standard library
only; the output is deterministic.
"""
import os
import struct
import sys

# ---------------------------------------------------------------- builders

LT_NULL, LT_EN10MB, LT_RAW, LT_LOOP = 0, 1, 101, 108
LT_SLL, LT_IPV4, LT_IPV6, LT_SLL2 = 113, 228, 229, 276

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
IP_A, IP_B = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
IP6_A = bytes.fromhex("fd000000000000000000000000000001")
IP6_B = bytes.fromhex("fd000000000000000000000000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(payload, etype=0x0800, dst=MAC_B, src=MAC_A):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(payload, proto=6, src=IP_A, dst=IP_B, ihl=5, tot_len=None, frag=0x4000,
         ident=1, opts=b""):
    if tot_len is None:
        tot_len = 20 + len(opts) + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot_len & 0xFFFF, ident,
                      frag, 64, proto, 0, src, dst) + opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(payload, nxt=6, src=IP6_A, dst=IP6_B, plen=None):
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB", 0x60000000, plen & 0xFFFF, nxt, 64) + src + dst + payload


def tcp(payload=b"", sport=40000, dport=9000, seq=1000, ack=0, flags=0x18,
        doff=None, opts=b"", win=65535):
    if doff is None:
        doff = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (doff & 0xF) << 4,
                       flags, win, 0, 0) + opts + payload


def udp(payload=b"", sport=40000, dport=53, length=None):
    if length is None:
        length = 8 + len(payload)
    return struct.pack("!HHHH", sport, dport, length & 0xFFFF, 0) + payload


def arp(hlen=6, plen=4, op=1, htype=1, ptype=0x0800, body=None):
    hdr = struct.pack("!HHBBH", htype, ptype, hlen, plen, op)
    if body is None:
        body = (MAC_A[:hlen].ljust(hlen, b"\xaa") + IP_A[:plen].ljust(plen, b"\x01") +
                b"\0" * hlen + IP_B[:plen].ljust(plen, b"\x02"))
    return hdr + body


def good_tcp_frame(seq=1000, payload=b"hello"):
    return eth(ipv4(tcp(payload, seq=seq)))


# A record: (data, caplen, len). caplen/len None: from the data.
def rec(data, caplen=None, length=None):
    return (data, len(data) if caplen is None else caplen,
            len(data) if length is None else length)


def pcap(records, linktype=LT_EN10MB, snaplen=262144, magic=0xA1B2C3D4,
         t0=1700000000):
    out = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for i, (data, caplen, length) in enumerate(records):
        out += struct.pack("<IIII", t0 + i, 1000 * i, caplen, length) + data
    return out


def ng_block(btype, body, total=None):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body) if total is None else total
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def ng_shb():
    return ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def ng_idb(linktype=LT_EN10MB, snaplen=262144):
    return ng_block(1, struct.pack("<HHI", linktype, 0, snaplen))


def ng_epb(data, ifid=0, ts=1700000000 * 1000000, caplen=None, length=None):
    caplen = len(data) if caplen is None else caplen
    length = len(data) if length is None else length
    return ng_block(6, struct.pack("<IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF,
                                   caplen, length) + data)


# ---------------------------------------------------------------- the cases

CASES = {}  # name -> bytes
EXPECT = {}  # name -> (packets, exit status)


def case(name, data, packets=None, status=None):
    CASES[name] = data
    if packets is not None or status is not None:
        EXPECT[name] = (packets, status)


def build():
    g1, g2 = good_tcp_frame(1000), good_tcp_frame(1005, b"world")

    # ---- the file container
    case("empty.pcap", b"", 0, 1)
    case("wrong-magic.pcap", b"\xde\xad\xbe\xef" + pcap([rec(g1)])[4:], 0, 1)
    case("magic-only.pcap", pcap([])[:4], 0, 1)
    case("header-cut.pcap", pcap([])[:13], 0, 1)
    case("header-only.pcap", pcap([]), 0, 0)
    case("snaplen-0.pcap", pcap([rec(g1), rec(g2)], snaplen=0), 2, 0)
    case("snaplen-1.pcap", pcap([rec(g1[:1], length=len(g1)), rec(g2[:1], length=len(g2))],
                                snaplen=1), 2, 0)
    case("caplen-gt-len.pcap", pcap([rec(g1), rec(g2, length=20), rec(g1, length=0)]))
    big = eth(ipv4(tcp(b"A" * 300000), tot_len=65535))
    case("caplen-over-256k.pcap", pcap([rec(g1), rec(big)]))
    case("caplen-huge-no-data.pcap", pcap([rec(g1)]) + struct.pack("<IIII", 1, 0, 0x7FFFFFFF, 0x7FFFFFFF))
    case("zero-length-records.pcap",
         pcap([rec(b""), rec(b"", length=60), rec(g1), rec(b"", length=0)]), 4, 0)
    two = pcap([rec(g1), rec(g2)])
    case("cut-mid-record-header.pcap", two + struct.pack("<IIII", 9, 0, 60, 60)[:9], 2, 3)
    case("cut-mid-record-data.pcap", two + struct.pack("<IIII", 9, 0, 60, 60) + g1[:30], 2, 3)
    case("cut-mid-first-record.pcap", pcap([])  + struct.pack("<IIII", 9, 0, 60, 60)[:5], 0, 3)
    case("swapped-endian.pcap", struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) +
         struct.pack(">IIII", 1, 0, len(g1), len(g1)) + g1, 1, 0)
    case("nanosecond-magic.pcap", pcap([rec(g1)], magic=0xA1B23C4D), 1, 0)
    case("unknown-linktype.pcap", pcap([rec(g1)], linktype=147), 1, 0)
    case("max-timestamp.pcap", pcap([rec(g1), rec(g2)], t0=0xFFFFFFFE), 2, 0)

    # ---- pcapng
    case("pcapng-unknown-blocks.pcapng",
         ng_shb() + ng_idb() + ng_block(0x0BAD0BAD, b"junk") + ng_epb(g1) +
         ng_block(0x00000BAD, b"\x01\x02\x03\x04" * 5) + ng_epb(g2), 2, 0)
    case("pcapng-no-idb.pcapng", ng_shb() + ng_epb(g1) + ng_epb(g2))
    case("pcapng-bad-ifid.pcapng", ng_shb() + ng_idb() + ng_epb(g1) + ng_epb(g2, ifid=7))
    case("pcapng-short-block-len.pcapng",
         ng_shb() + ng_idb() + ng_epb(g1) + ng_block(6, b"\0" * 20, total=8))
    case("pcapng-odd-block-len.pcapng",
         ng_shb() + ng_idb() + ng_epb(g1) + ng_block(6, b"\0" * 20, total=33))
    case("pcapng-cut-mid-block.pcapng", (ng_shb() + ng_idb() + ng_epb(g1) + ng_epb(g2))[:-10])
    case("pcapng-caplen-beyond-block.pcapng",
         ng_shb() + ng_idb() + ng_epb(g1) + ng_epb(g2, caplen=5000))
    case("pcapng-snaplen-0.pcapng", ng_shb() + ng_idb(snaplen=0) + ng_epb(g1))
    case("pcapng-idb-unknown-linktype.pcapng", ng_shb() + ng_idb(linktype=0xFFF) + ng_epb(g1))
    case("pcapng-shb-only.pcapng", ng_shb(), 0, 1)  # libpcap: no IDB
    # 64-bit timestamps far beyond what fits in int64 nanoseconds
    case("pcapng-huge-timestamp.pcapng",
         ng_shb() + ng_idb() + ng_epb(g1, ts=(1 << 63) + 5) + ng_epb(g2, ts=(1 << 64) - 1))

    # ---- every link type with truncated headers: each prefix of the link
    # header, then a whole packet (which must still be reported)
    ip_pkt = ipv4(tcp(b"after"))
    links = {
        "en10mb": (LT_EN10MB, eth(ip_pkt), 14),
        "en10mb-vlan": (LT_EN10MB, eth(b"\x00\x05\x08\x00" + ip_pkt, etype=0x8100), 18),
        "linux-sll": (LT_SLL, struct.pack("!HHH", 0, 1, 6) + MAC_A + b"\0\0\x08\x00" + ip_pkt, 16),
        "linux-sll2": (LT_SLL2, struct.pack("!HHIHBB", 0x0800, 0, 1, 1, 0, 6) + MAC_A + b"\0\0" + ip_pkt, 20),
        "raw": (LT_RAW, ip_pkt, 20),
        "null": (LT_NULL, struct.pack("<I", 2) + ip_pkt, 4),
        "loop": (LT_LOOP, struct.pack(">I", 2) + ip_pkt, 4),
        "ipv4": (LT_IPV4, ip_pkt, 20),
        "ipv6": (LT_IPV6, ipv6(tcp(b"after")), 40),
    }
    for name, (lt, frame, hlen) in links.items():
        recs = [rec(frame[:n]) for n in range(hlen)] + [rec(frame)]
        # the same prefixes reported as cut by the snapshot length
        recs += [rec(frame[:n], length=len(frame)) for n in range(hlen)]
        case("link-%s-truncated.pcap" % name, pcap(recs, linktype=lt), len(recs), 0)
    # SLL with an address length beyond the 8-byte field, SLL2 likewise
    case("link-linux-sll-halen-255.pcap",
         pcap([rec(struct.pack("!HHH", 0, 1, 255) + MAC_A + b"\0\0\x08\x00" + ip_pkt)], linktype=LT_SLL), 1, 0)
    case("link-linux-sll2-halen-255.pcap",
         pcap([rec(struct.pack("!HHIHBB", 0x0800, 0, 1, 1, 0, 255) + MAC_A + b"\0\0" + ip_pkt)],
              linktype=LT_SLL2), 1, 0)
    case("link-null-unknown-family.pcap",
         pcap([rec(struct.pack("<I", 0xFFFFFFFF) + ip_pkt), rec(struct.pack("<I", 24) + ip_pkt)],
              linktype=LT_NULL), 2, 0)
    vlans = b"".join(struct.pack("!HH", i, 0x8100) for i in range(12))
    case("vlan-12-tags.pcap", pcap([rec(eth(vlans + struct.pack("!HH", 12, 0x0800) + ip_pkt,
                                            etype=0x8100))]), 1, 0)

    # ---- IPv4
    recs = []
    for ihl in range(5):
        recs.append(rec(eth(ipv4(tcp(b"x"), ihl=ihl))))
    recs.append(rec(eth(ipv4(tcp(b"x"), tot_len=0))))
    recs.append(rec(eth(ipv4(tcp(b"x"), tot_len=10))))        # < IHL
    recs.append(rec(eth(ipv4(tcp(b"x"), tot_len=65535))))     # beyond the frame
    recs.append(rec(eth(ipv4(tcp(b"x"), ihl=15))))            # options beyond the packet
    recs.append(rec(eth(ipv4(tcp(b"x"), ihl=15, opts=b"\x07\xff" + b"\x01" * 38))))  # bad RR option
    recs.append(rec(eth(b"\x45")))
    recs.append(rec(eth(b"\x65" + b"\0" * 30)))               # version 6 under ethertype IPv4
    case("ipv4-ihl-and-length.pcap", pcap(recs), len(recs), 0)

    # fragments with overlapping offsets (v4 and v6)
    frags = []
    body = tcp(b"F" * 64)
    for off, more, chunk in ((0, 1, body[:48]), (16, 1, body[8:56]), (8, 0, body[:40]),
                             (0, 0, body[:8]), (8191 * 8, 1, b"Z" * 16)):
        frags.append(rec(eth(ipv4(chunk, ident=77, frag=(more << 13) | (off // 8)))))
    for off, more in ((0, 1), (8, 1), (0, 0), (65528, 0)):
        fh = struct.pack("!BBHI", 6, 0, (off & 0xFFF8) | more, 99)
        frags.append(rec(eth(ipv6(fh + body[:24], nxt=44), etype=0x86DD)))
    case("ip-fragments-overlapping.pcap", pcap(frags), len(frags), 0)

    # ---- IPv6 extension headers
    recs = []
    # a chain of 40 hop-by-hop/destination headers: longer than any limit
    chain = b""
    for i in range(40):
        nxt = 60 if i < 39 else 6
        chain += struct.pack("!BB", nxt, 0) + b"\x01\x04\0\0\0\0"
    recs.append(rec(eth(ipv6(chain + tcp(b"x"), nxt=0), etype=0x86DD)))
    # routing header pointing to itself ("loop"), 20 times
    loop = b"".join(struct.pack("!BBBB", 43, 0, 0, 0) + b"\0" * 4 for _ in range(20))
    recs.append(rec(eth(ipv6(loop, nxt=43), etype=0x86DD)))
    # a header whose length runs past the packet
    recs.append(rec(eth(ipv6(struct.pack("!BB", 6, 255) + b"\0" * 6, nxt=0), etype=0x86DD)))
    # the chain is longer than the captured packet
    recs.append(rec(eth(ipv6(chain, nxt=0), etype=0x86DD)[:100],
                    length=len(eth(ipv6(chain, nxt=0), etype=0x86DD))))
    # payload length 0 (jumbogram without the option) and beyond the frame
    recs.append(rec(eth(ipv6(tcp(b"x"), plen=0), etype=0x86DD)))
    recs.append(rec(eth(ipv6(tcp(b"x"), plen=65535), etype=0x86DD)))
    # jumbo payload option with a tiny length
    jumbo = struct.pack("!BB", 6, 0) + b"\xc2\x04" + struct.pack("!I", 5)
    recs.append(rec(eth(ipv6(jumbo + tcp(b"x"), nxt=0, plen=0), etype=0x86DD)))
    # hop-by-hop option lengths that run past the header
    recs.append(rec(eth(ipv6(struct.pack("!BB", 6, 0) + b"\x05\xff\0\0\0\0" + tcp(), nxt=0), etype=0x86DD)))
    case("ipv6-extension-headers.pcap", pcap(recs), len(recs), 0)

    # ---- TCP
    recs = []
    for doff in range(5):
        recs.append(rec(eth(ipv4(tcp(b"data", doff=doff)))))
    recs.append(rec(eth(ipv4(tcp(b"", doff=15)))))             # beyond the packet
    recs.append(rec(eth(ipv4(tcp(b"x" * 10, doff=15)))))
    recs.append(rec(eth(ipv4(tcp(b"", doff=15)))[:40], length=80))
    recs.append(rec(eth(ipv4(tcp(b"", doff=6)))[:34 + 21], length=34 + 24))
    case("tcp-data-offset.pcap", pcap(recs), len(recs), 0)

    recs = []
    for opts in (b"\x02\x00\x00\x00",          # MSS with length 0
                 b"\x02\x01\x00\x00",          # length 1
                 b"\x02\x28\x05\xb4",          # length past the header
                 b"\x08\x0a\0\0\0\x01",        # timestamp cut by the header end
                 b"\x05\x03\0\0",              # SACK length 3
                 b"\x05\x22" + b"\0" * 34 + b"\x00\x00",  # SACK with 4+ blocks, odd
                 b"\x03\x03\xff\x00",          # window scale 255
                 b"\x01" * 40,                 # 40 NOPs
                 b"\xfe\x02" * 20,             # 20 unknown options
                 b"\x1e\x00\x00\x00",          # MPTCP length 0
                 b"\x22\x01\x00\x00"):         # fast open length 1
        recs.append(rec(eth(ipv4(tcp(b"p", flags=0x02, opts=opts)))))
    case("tcp-options.pcap", pcap(recs), len(recs), 0)

    # ---- ARP
    recs = [rec(eth(arp(hlen=h), etype=0x0806)) for h in (0, 1, 255)]
    recs += [rec(eth(arp(plen=p), etype=0x0806)) for p in (0, 255)]
    recs += [rec(eth(arp(hlen=255, plen=255, body=b"\xaa" * 1020), etype=0x0806))]
    recs += [rec(eth(arp(op=0xFFFF), etype=0x0806)), rec(eth(b"\0\x01\x08", etype=0x0806))]
    case("arp-hardware-length.pcap", pcap(recs), len(recs), 0)

    # ---- ICMP quoting broken headers
    recs = []
    for quoted in (b"", b"\x45", ipv4(b"", ihl=3)[:20], ipv4(tcp(), ihl=15)[:24],
                   ipv4(udp(b"q"), proto=17)):
        recs.append(rec(eth(ipv4(struct.pack("!BBHI", 3, 3, 0, 0) + quoted, proto=1))))
    recs.append(rec(eth(ipv6(struct.pack("!BBHI", 1, 4, 0, 0) + b"\x60\0", nxt=58), etype=0x86DD)))
    recs.append(rec(eth(ipv6(struct.pack("!BBHI", 135, 0, 0, 0), nxt=58), etype=0x86DD)))
    case("icmp-quotes.pcap", pcap(recs), len(recs), 0)

    # ---- terminal escapes in every place wire bytes reach output
    hostile = [b"\x1b]0;pwned\x07", b"\x1b[2J\x1b[H", b"\x1b[31mred\x1b[0m",
               b"abc\x08\x08\x08xyz", b"\x07\x07bell", b"\xff\xfe\xc3\x28\xe2\x28\xa1",
               b"\x9b31m csi \x9b0m", b"\x1bP+q\x1b\\", b"\r\n\x00\x7f\x85\xa0",
               b"GET /\x1b]2;x\x07 HTTP/1.1\r\nHost: \x1b[6n\r\n\r\n"]
    recs = []
    for i, p in enumerate(hostile):
        recs.append(rec(eth(ipv4(tcp(p, seq=1000 + 100 * i, dport=80)))))
        recs.append(rec(eth(ipv4(udp(p), proto=17))))
        recs.append(rec(eth(ipv6(udp(p), nxt=17), etype=0x86DD)))
    # escapes inside ARP addresses of unusual lengths and in an unknown
    # ethertype's payload
    recs.append(rec(eth(arp(hlen=8, plen=8, body=b"\x1b]0;ti\x07\x1b[2J" * 2), etype=0x0806)))
    recs.append(rec(eth(b"\x1b[2J\x1b]0;x\x07" * 4, etype=0x88B5)))
    case("terminal-escapes.pcap", pcap(recs), len(recs), 0)
    # the same payloads over a full TCP connection (for --conns/--ladder)
    conn = [rec(eth(ipv4(tcp(sport=40000, dport=80, seq=100, flags=0x02)))),
            rec(eth(ipv4(tcp(sport=80, dport=40000, seq=500, ack=101, flags=0x12), src=IP_B, dst=IP_A),
                    src=MAC_B, dst=MAC_A)),
            rec(eth(ipv4(tcp(sport=40000, dport=80, seq=101, ack=501, flags=0x10))))]
    seq = 101
    for p in hostile:
        conn.append(rec(eth(ipv4(tcp(p, sport=40000, dport=80, seq=seq, ack=501, flags=0x18)))))
        seq += len(p)
    conn.append(rec(eth(ipv4(tcp(sport=40000, dport=80, seq=seq, ack=501, flags=0x04)))))
    case("terminal-escapes-conn.pcap", pcap(conn), len(conn), 0)

    # ---- random-looking garbage frames with a valid container (seeded)
    state = 12345
    recs = []
    for i in range(200):
        n = (i * 7) % 120
        b = bytearray()
        for _ in range(n):
            state = (state * 1103515245 + 12345) & 0x7FFFFFFF
            b.append(state >> 16 & 0xFF)
        lt_frame = bytes(b)
        recs.append(rec(eth(lt_frame, etype=(0x0800, 0x86DD, 0x0806, 0x8100)[i % 4])))
    case("garbage-payloads.pcap", pcap(recs), len(recs), 0)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-hostile.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    build()
    for name, data in CASES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    with open(os.path.join(out, "EXPECT"), "w") as f:
        for name in CASES:
            p, s = EXPECT.get(name, (None, None))
            f.write("%s %s %s\n" % (name, "-" if p is None else p, "-" if s is None else s))


if __name__ == "__main__":
    main()
