/*
 * The one-line printer: hand-filled packets against exact lines. These
 * lines are the format the golden tests pin; a change here is a change of
 * the user-visible format.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/sink_harness.h"

#include "netlab/oui.h"
#include "netlab/report.h"


/* An Ethernet frame of len bytes, all captured. */
static void frame(uint64_t n, uint32_t len)
{
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = n;
	pkt.ts.sec = 1700000000; /* 2023-11-14 22:13:20 UTC */
	pkt.ts.nsec = 123456789;
	pkt.caplen = pkt.len = len;
	pkt.layers = NL_LAYER_BIT(NL_L_LINK);
	pkt.link.dlt = NL_DLT_EN10MB;
	pkt.link.kind = NL_LINK_ETHERNET;
	pkt.link.hdr_len = 14;
	pkt.link.wire_frame_len = len + 4;
	pkt.link.fcs_absent = true;
	pkt.link.undersize = len + 4 < 64;
	static const uint8_t s[6] = {0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c};
	static const uint8_t d[6] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x02};
	memcpy(pkt.link.src, s, 6);
	memcpy(pkt.link.dst, d, 6);
}

static void ip(const char *src, const char *dst, uint8_t proto,
	       uint16_t payload)
{
	addr(&pkt.src, src);
	addr(&pkt.dst, dst);
	pkt.ip_proto = proto;
	pkt.l3_off = 14;
	if (pkt.src.family == 4) {
		pkt.layers |= NL_LAYER_BIT(NL_L_IPV4);
		pkt.link.type_len = pkt.link.ethertype = NL_ETHERTYPE_IPV4;
		pkt.ip4.ihl = 20;
		pkt.ip4.tot_len = (uint16_t)(20 + payload);
		pkt.ip4.ttl = 64;
		pkt.ip4.id = 7238;
		pkt.ip4.df = true;
		pkt.ip4.proto = proto;
		pkt.ip4.csum = 0xb7f1;
	} else {
		pkt.layers |= NL_LAYER_BIT(NL_L_IPV6);
		pkt.link.type_len = pkt.link.ethertype = NL_ETHERTYPE_IPV6;
		pkt.ip6.plen = payload;
		pkt.ip6.next = proto;
		pkt.ip6.hlim = 64;
	}
}

static void tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		uint16_t flags, uint16_t win)
{
	pkt.layers |= NL_LAYER_BIT(NL_L_TCP);
	pkt.tcp.sport = sport;
	pkt.tcp.dport = dport;
	pkt.tcp.seq = seq;
	pkt.tcp.ack = ack;
	pkt.tcp.flags = flags;
	pkt.tcp.win = win;
	pkt.tcp.doff = 20;
}

static void payload(const void *p, uint32_t n)
{
	pkt.layers |= NL_LAYER_BIT(NL_L_PAYLOAD);
	pkt.payload = p;
	pkt.payload_caplen = pkt.payload_len = n;
}

static const char *run(const struct nl_event *ev)
{
	return run_sink(nl_sink_text_new, ev);
}

static const char *line(void)
{
	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt};
	return run(&ev);
}

static void test_tcp_syn_options(void **state)
{
	(void)state;
	frame(1, 74);
	ip("127.0.0.1", "127.0.0.1", NL_IPPROTO_TCP, 40);
	tcp(54321, 9000, 2832737363u, 0, NL_TCP_SYN, 65495);
	pkt.tcp.doff = 40;
	static const uint8_t kinds[] = {NL_TCPOPT_MSS, NL_TCPOPT_SACK_PERM,
					NL_TCPOPT_TIMESTAMP, NL_TCPOPT_NOP,
					NL_TCPOPT_WSCALE};
	memcpy(pkt.tcp.opt_kind, kinds, sizeof(kinds));
	pkt.tcp.n_opts = sizeof(kinds);
	pkt.tcp.has_mss = pkt.tcp.has_wscale = pkt.tcp.has_ts = true;
	pkt.tcp.sack_perm = true;
	pkt.tcp.mss = 65495;
	pkt.tcp.wscale = 7;
	pkt.tcp.ts_val = 1234;
	assert_string_equal(line(),
			    "    1 22:13:20.123456 127.0.0.1:54321 > "
			    "127.0.0.1:9000 TCP [SYN] seq=2832737363 win=65495 "
			    "len=0 <mss 65495,sack_perm,ts 1234/0,nop,ws 7>\n");
}

static void test_tcp_payload(void **state)
{
	(void)state;
	frame(4, 80);
	ip("127.0.0.1", "127.0.0.1", NL_IPPROTO_TCP, 34);
	tcp(54321, 9000, 2832737364u, 991, NL_TCP_PSH | NL_TCP_ACK, 512);
	payload("helloworldegon", 14);
	assert_string_equal(line(),
			    "    4 22:13:20.123456 127.0.0.1:54321 > "
			    "127.0.0.1:9000 TCP [PSH,ACK] seq=2832737364 "
			    "ack=991 win=512 len=14 \"helloworldegon\"\n");
}

/* A payload that tries to drive the terminal comes out escaped, cut at 32
 * bytes with "..." after the closing quote. */
static void test_tcp_hostile_payload(void **state)
{
	(void)state;
	static const char evil[] = "\x1b]0;pwned\x07\x1b[2J\x9b"
				   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	frame(12345678, 120);
	ip("10.0.0.1", "10.0.0.2", NL_IPPROTO_TCP, 66);
	tcp(80, 40000, 1, 2, NL_TCP_ACK | NL_TCP_URG | NL_TCP_FIN, 3);
	pkt.tcp.urg = 9;
	payload(evil, sizeof(evil) - 1);
	const char *l = line();
	assert_string_equal(l, "12345678 22:13:20.123456 10.0.0.1:80 > "
			       "10.0.0.2:40000 TCP [FIN,ACK,URG] seq=1 ack=2 "
			       "win=3 urg=9 len=47 \"\\x1b]0;pwned\\x07\\x1b[2J"
			       "\\x9bAAAAAAAAAAAAAAAAA\"...\n");
	for (const unsigned char *p = (const unsigned char *)l; *p; p++)
		if (*p != '\n')
			assert_true(*p >= 0x20 && *p <= 0x7e);
}

static void test_tcp_ipv6_no_flags(void **state)
{
	(void)state;
	frame(2, 74);
	ip("::1", "2001:db8::1", NL_IPPROTO_TCP, 20);
	tcp(54321, 443, 7, 0, 0, 0);
	assert_string_equal(line(), "    2 22:13:20.123456 [::1]:54321 > "
				    "[2001:db8::1]:443 TCP [none] seq=7 win=0 "
				    "len=0\n");
}

static void test_udp(void **state)
{
	(void)state;
	frame(3, 60);
	ip("10.0.0.1", "10.0.0.2", NL_IPPROTO_UDP, 13);
	pkt.layers |= NL_LAYER_BIT(NL_L_UDP);
	pkt.udp.sport = 40000;
	pkt.udp.dport = 53;
	pkt.udp.len = 13;
	payload("hello", 5);
	assert_string_equal(line(), "    3 22:13:20.123456 10.0.0.1:40000 > "
				    "10.0.0.2:53 UDP len=5 \"hello\"\n");
	/* empty datagram: no preview */
	pkt.layers &= ~NL_LAYER_BIT(NL_L_PAYLOAD);
	pkt.payload_len = pkt.payload_caplen = 0;
	assert_string_equal(line(), "    3 22:13:20.123456 10.0.0.1:40000 > "
				    "10.0.0.2:53 UDP len=0\n");
}

static void icmp(bool v6, uint8_t type, uint8_t code)
{
	pkt.layers |= NL_LAYER_BIT(v6 ? NL_L_ICMPV6 : NL_L_ICMP);
	pkt.icmp.v6 = v6;
	pkt.icmp.type = type;
	pkt.icmp.code = code;
}

static void test_icmp(void **state)
{
	(void)state;
	frame(5, 98);
	ip("10.0.0.1", "10.0.0.2", NL_IPPROTO_ICMP, 64);
	icmp(false, 8, 0);
	pkt.icmp.id = 1;
	pkt.icmp.seq = 1;
	assert_string_equal(line(), "    5 22:13:20.123456 10.0.0.1 > 10.0.0.2 "
				    "ICMP echo request id=1 seq=1\n");

	/* an error shows the flow it quotes */
	frame(6, 70);
	ip("10.0.0.2", "10.0.0.1", NL_IPPROTO_ICMP, 36);
	icmp(false, 3, 3);
	pkt.icmp.has_quote = true;
	pkt.icmp.quote_proto = NL_IPPROTO_UDP;
	addr(&pkt.icmp.quote_src, "10.0.0.1");
	addr(&pkt.icmp.quote_dst, "10.0.0.2");
	pkt.icmp.quote_sport = 40000;
	pkt.icmp.quote_dport = 53;
	assert_string_equal(line(),
			    "    6 22:13:20.123456 10.0.0.2 > 10.0.0.1 ICMP "
			    "destination unreachable (port unreachable) for "
			    "UDP 10.0.0.1:40000 > 10.0.0.2:53\n");

	pkt.icmp.code = 4;
	pkt.icmp.mtu = 1400;
	pkt.icmp.has_quote = false;
	assert_string_equal(line(),
			    "    6 22:13:20.123456 10.0.0.2 > 10.0.0.1 ICMP "
			    "destination unreachable (fragmentation needed) "
			    "mtu=1400\n");

	frame(7, 86);
	ip("fe80::1", "ff02::1:ff00:2", NL_IPPROTO_ICMPV6, 32);
	icmp(true, 135, 0);
	pkt.icmp.has_target = true;
	addr(&pkt.dst, "ff02::1:ff00:2");
	struct nl_addr t;
	addr(&t, "fe80::2");
	memcpy(pkt.icmp.target, t.b, 16);
	assert_string_equal(line(),
			    "    7 22:13:20.123456 fe80::1 > ff02::1:ff00:2 "
			    "ICMPv6 neighbor solicitation target=fe80::2\n");

	pkt.icmp.type = 1; /* a code nobody named */
	pkt.icmp.code = 99;
	pkt.icmp.has_target = false;
	assert_string_equal(line(), "    7 22:13:20.123456 fe80::1 > "
				    "ff02::1:ff00:2 ICMPv6 destination "
				    "unreachable code 99\n");
	pkt.icmp.code = 0;
	pkt.icmp.type = 200; /* no name */
	pkt.icmp.has_target = false;
	assert_string_equal(line(), "    7 22:13:20.123456 fe80::1 > "
				    "ff02::1:ff00:2 ICMPv6 type 200 code 0\n");
}

static void arp(uint16_t op, enum nl_arp_kind kind, const char *spa,
		const char *tpa)
{
	frame(8, 60);
	pkt.layers |= NL_LAYER_BIT(NL_L_ARP);
	pkt.link.type_len = pkt.link.ethertype = NL_ETHERTYPE_ARP;
	struct nl_arp *a = &pkt.arp;
	a->htype = 1;
	a->ptype = 0x0800;
	a->hlen = 6;
	a->plen = 4;
	a->op = op;
	a->kind = kind;
	a->eth_ipv4 = true;
	static const uint8_t sha[6] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	memcpy(a->sha, sha, 6);
	assert_int_equal(inet_pton(AF_INET, spa, a->spa), 1);
	assert_int_equal(inet_pton(AF_INET, tpa, a->tpa), 1);
}

static void test_arp(void **state)
{
	(void)state;
	arp(1, NL_ARP_REQUEST, "10.0.0.1", "10.0.0.2");
	assert_string_equal(line(),
			    "    8 22:13:20.123456 ARP who-has 10.0.0.2 "
			    "tell 10.0.0.1\n");
	arp(2, NL_ARP_REPLY, "10.0.0.2", "10.0.0.1");
	assert_string_equal(line(), "    8 22:13:20.123456 ARP reply 10.0.0.2 "
				    "is-at aa:bb:cc:dd:ee:ff\n");
	arp(1, NL_ARP_GRATUITOUS, "10.0.0.5", "10.0.0.5");
	assert_string_equal(line(), "    8 22:13:20.123456 ARP gratuitous "
				    "10.0.0.5 is-at aa:bb:cc:dd:ee:ff\n");
	arp(1, NL_ARP_PROBE, "0.0.0.0", "10.0.0.9");
	assert_string_equal(line(), "    8 22:13:20.123456 ARP probe who-has "
				    "10.0.0.9 (from aa:bb:cc:dd:ee:ff)\n");
	arp(3, NL_ARP_OTHER, "0.0.0.0", "0.0.0.0");
	assert_string_equal(line(),
			    "    8 22:13:20.123456 ARP op 3 (RARP request) "
			    "htype 1 ptype 0x0800 sha aa:bb:cc:dd:ee:ff spa "
			    "0.0.0.0 tha 00:00:00:00:00:00 tpa 0.0.0.0\n");

	/* not Ethernet/IPv4: generic, addresses in hex */
	static const uint8_t hw[2] = {0x12, 0x34};
	static const uint8_t pa[16] = {0xfe, 0x80, [15] = 1};
	arp(1, NL_ARP_REQUEST, "0.0.0.0", "0.0.0.0");
	pkt.arp.eth_ipv4 = false;
	pkt.arp.htype = 6;
	pkt.arp.ptype = 0x86dd;
	pkt.arp.hlen = 2;
	pkt.arp.plen = 16;
	pkt.arp.sha_p = pkt.arp.tha_p = hw;
	pkt.arp.spa_p = pa;
	pkt.arp.tpa_p = NULL; /* not captured */
	assert_string_equal(
	    line(), "    8 22:13:20.123456 ARP op 1 (request) htype 6 ptype "
		    "0x86dd sha 12:34 spa fe:80:00:00:00:00:00:00:00:00:00:"
		    "00:00:00:00:01 tha 12:34 tpa -\n");
}

static void test_other_frames(void **state)
{
	(void)state;
	frame(9, 60);
	pkt.link.type_len = pkt.link.ethertype = 0x88cc;
	assert_string_equal(line(),
			    "    9 22:13:20.123456 ethertype 0x88cc (LLDP)\n");
	pkt.link.type_len = pkt.link.ethertype = 0x88b4;
	assert_string_equal(line(), "    9 22:13:20.123456 ethertype 0x88b4\n");
	pkt.link.is_8023 = true;
	pkt.link.type_len = 38;
	pkt.link.ethertype = 0;
	assert_string_equal(line(), "    9 22:13:20.123456 802.3 LLC len=38\n");

	frame(10, 40);
	pkt.layers = 0;
	pkt.link.kind = NL_LINK_UNKNOWN;
	pkt.link.dlt = 147;
	assert_string_equal(
	    line(), "   10 22:13:20.123456 undecoded (link type 147)\n");

	/* an Ethernet header cut short: the anomaly says why */
	frame(11, 10);
	pkt.layers = 0;
	pkt.anom[0] =
	    (struct nl_anomaly){NL_ANOM_TRUNCATED, NL_L_LINK, "header"};
	pkt.n_anom = 1;
	assert_string_equal(line(), "   11 22:13:20.123456 Ethernet II "
				    "[truncated link: header]\n");
}

static void test_fragments(void **state)
{
	(void)state;
	/* the first fragment has the transport header */
	frame(12, 1514);
	ip("10.0.0.1", "10.0.0.2", NL_IPPROTO_UDP, 1480);
	pkt.ip4.df = false;
	pkt.ip4.mf = true;
	pkt.ip4.id = 54321;
	pkt.ip_fragment = true;
	pkt.layers |= NL_LAYER_BIT(NL_L_UDP);
	pkt.udp.sport = 5000;
	pkt.udp.dport = 5001;
	pkt.udp.len = 3008;
	pkt.payload_len = 3000;
	assert_string_equal(line(), "   12 22:13:20.123456 10.0.0.1:5000 > "
				    "10.0.0.2:5001 UDP len=3000 frag id=54321 "
				    "off=0 len=1480 +MF\n");
	/* later ones do not */
	frame(13, 562);
	ip("10.0.0.1", "10.0.0.2", NL_IPPROTO_UDP, 1528);
	pkt.ip4.df = false;
	pkt.ip4.id = 54321;
	pkt.ip4.frag_off = 1480;
	pkt.ip_fragment = pkt.ip_later_fragment = true;
	assert_string_equal(line(), "   13 22:13:20.123456 10.0.0.1 > 10.0.0.2 "
				    "UDP frag id=54321 off=1480 len=1528\n");
	/* IPv6 fragment header; a protocol without a decoder */
	frame(14, 100);
	ip("2001:db8::1", "2001:db8::2", 47, 48);
	pkt.ip6.frag = pkt.ip6.frag_more = true;
	pkt.ip6.frag_id = 0xdeadbeef;
	pkt.ip6.frag_off = 0;
	pkt.ip6.n_ext = 1;
	pkt.ip6.ext[0] = NL_IPPROTO_FRAGMENT;
	pkt.ip6.ext_len = 8;
	pkt.ip_fragment = true;
	assert_string_equal(line(), "   14 22:13:20.123456 2001:db8::1 > "
				    "2001:db8::2 GRE frag id=3735928559 off=0 "
				    "len=40 +MF\n");
	pkt.ip_fragment = false;
	pkt.ip_proto = 253;
	assert_string_equal(line(), "   14 22:13:20.123456 2001:db8::1 > "
				    "2001:db8::2 ip-proto-253 len=40\n");
}

/* -e with a vendor database; vendor names are escaped like wire data. */
static void test_link_ethernet(void **state)
{
	(void)state;
	char dir[] = "/tmp/nl_oui_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/oui.csv", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("Registry,Assignment,Organization Name,Organization Address\n"
	      "MA-L,001B21,Intel Corporate,Somewhere\n"
	      "MA-L,0000AA,\"Evil\x1b[2JCorp\",Nowhere\n",
	      f);
	fclose(f);
	struct nl_oui_db *db = NULL;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_oui_load(&db, dir, err), NL_OK);
	unlink(path);
	rmdir(dir);

	opts.link = true;
	opts.oui = db;
	frame(1, 74);
	ip("10.0.0.1", "10.0.0.2", NL_IPPROTO_TCP, 20);
	tcp(1, 2, 3, 0, NL_TCP_SYN, 4);
	assert_string_equal(line(),
			    "    1 22:13:20.123456 00:1b:21:0a:0b:0c (Intel "
			    "Corporate) > 02:42:ac:11:00:02 (local), ethertype "
			    "0x0800 (IPv4), 74B: 10.0.0.1:1 > 10.0.0.2:2 TCP "
			    "[SYN] seq=3 win=4 len=0\n");

	/* runt, broadcast, hostile vendor name, VLAN tags */
	arp(1, NL_ARP_REQUEST, "10.0.0.1", "10.0.0.2");
	pkt.caplen = pkt.len = 42;
	pkt.link.undersize = true;
	static const uint8_t evil[6] = {0x00, 0x00, 0xaa, 1, 2, 3};
	memcpy(pkt.link.src, evil, 6);
	memset(pkt.link.dst, 0xff, 6);
	pkt.link.n_vlan = 2;
	pkt.link.vlan[0] = (struct nl_vlan_tag){0x88a8, 0, false, 100};
	pkt.link.vlan[1] = (struct nl_vlan_tag){0x8100, 5, true, 10};
	pkt.link.type_len = 0x88a8;
	assert_string_equal(
	    line(), "    8 22:13:20.123456 00:00:aa:01:02:03 "
		    "(Evil\\x1b[2JCorp) > ff:ff:ff:ff:ff:ff (broadcast), "
		    "vlan 100 p 0, vlan 10 p 5 dei, ethertype 0x0806 "
		    "(ARP), 42B (short <64B): ARP who-has 10.0.0.2 tell "
		    "10.0.0.1\n");

	/* multicast, oversize */
	frame(2, 9000);
	pkt.link.oversize = true;
	static const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0, 0, 0xfb};
	memcpy(pkt.link.dst, mc, 6);
	pkt.link.type_len = pkt.link.ethertype = 0x88cc;
	assert_string_equal(line(),
			    "    2 22:13:20.123456 00:1b:21:0a:0b:0c (Intel "
			    "Corporate) > 01:00:5e:00:00:fb (multicast), "
			    "ethertype 0x88cc (LLDP), 9000B (oversize >1518B): "
			    "ethertype 0x88cc (LLDP)\n");
	nl_oui_free(db);
}

static void test_link_cooked(void **state)
{
	(void)state;
	opts.link = true;
	frame(3, 80);
	pkt.link.kind = NL_LINK_SLL2;
	pkt.link.dlt = NL_DLT_LINUX_SLL2;
	pkt.link.sll_pkttype = 4;
	pkt.link.sll_ifindex = 1;
	pkt.link.sll_halen = 6;
	pkt.link.sll_hatype = 772;
	ip("127.0.0.1", "127.0.0.1", NL_IPPROTO_UDP, 8);
	pkt.layers |= NL_LAYER_BIT(NL_L_UDP);
	pkt.udp.sport = 1;
	pkt.udp.dport = 2;
	assert_string_equal(
	    line(), "    3 22:13:20.123456 Out ifindex 1 "
		    "00:00:00:00:00:00 (none), ethertype 0x0800 (IPv4), "
		    "80B: "
		    "127.0.0.1:1 > 127.0.0.1:2 UDP len=0\n");
	pkt.link.kind = NL_LINK_SLL;
	pkt.link.sll_pkttype = 1;
	pkt.link.sll_halen = 0;
	assert_string_equal(line(),
			    "    3 22:13:20.123456 B, ethertype 0x0800 "
			    "(IPv4), 80B: 127.0.0.1:1 > 127.0.0.1:2 UDP "
			    "len=0\n");
	pkt.link.sll_pkttype = 9;
	pkt.link.sll_halen = 2;
	pkt.link.sll_addr[0] = 0xab;
	assert_string_equal(line(), "    3 22:13:20.123456 pkttype 9 ab:00, "
				    "ethertype 0x0800 (IPv4), 80B: 127.0.0.1:1 "
				    "> 127.0.0.1:2 UDP len=0\n");
	pkt.link.kind = NL_LINK_RAW;
	assert_string_equal(line(), "    3 22:13:20.123456 raw, 80B: "
				    "127.0.0.1:1 > 127.0.0.1:2 UDP len=0\n");
	pkt.link.kind = NL_LINK_NULL;
	pkt.link.null_family = 2;
	assert_string_equal(line(), "    3 22:13:20.123456 family 2, 80B: "
				    "127.0.0.1:1 > 127.0.0.1:2 UDP len=0\n");
}

static void test_checksums_anomalies(void **state)
{
	(void)state;
	frame(15, 60);
	ip("10.0.0.1", "10.0.0.2", NL_IPPROTO_TCP, 20);
	tcp(1, 2, 3, 4, NL_TCP_ACK, 5);
	pkt.ip4.csum = 0x1234;
	pkt.ip4.csum_status = NL_CSUM_BAD;
	pkt.ip4.csum_want = 0xabcd;
	pkt.tcp.csum_status = NL_CSUM_OFFLOAD;
	pkt.anom[0] =
	    (struct nl_anomaly){NL_ANOM_TRUNCATED, NL_L_TCP, "options"};
	pkt.anom[1] =
	    (struct nl_anomaly){NL_ANOM_MALFORMED, NL_L_IPV4, "IHL 12 < 20"};
	pkt.n_anom = 2;
	const char *tail = " 10.0.0.1:1 > 10.0.0.2:2 TCP [ACK] seq=3 ack=4 "
			   "win=5 len=0";
	char want[512];
	/* checksum notes only when asked for */
	snprintf(want, sizeof(want),
		 "   15 22:13:20.123456%s [truncated tcp: options] "
		 "[malformed ipv4: IHL 12 < 20]\n",
		 tail);
	assert_string_equal(line(), want);
	opts.verify_checksums = true;
	snprintf(want, sizeof(want),
		 "   15 22:13:20.123456%s [bad ip csum 0x1234, want 0xabcd] "
		 "[csum offload] [truncated tcp: options] "
		 "[malformed ipv4: IHL 12 < 20]\n",
		 tail);
	assert_string_equal(line(), want);
	pkt.ip4.csum_status = NL_CSUM_OK;
	pkt.tcp.csum_status = NL_CSUM_BAD;
	pkt.tcp.csum = 0;
	pkt.tcp.csum_want = 0xfe30;
	pkt.n_anom = 0;
	snprintf(want, sizeof(want),
		 "   15 22:13:20.123456%s [bad tcp csum 0x0000, want 0xfe30]\n",
		 tail);
	assert_string_equal(line(), want);
	/* the value is right, its use is not (UDP checksum 0 over IPv6) */
	frame(16, 62);
	ip("::1", "::1", NL_IPPROTO_UDP, 8);
	pkt.layers |= NL_LAYER_BIT(NL_L_UDP);
	pkt.udp = (struct nl_udp){
	    .sport = 7, .dport = 7, .len = 8, .csum_status = NL_CSUM_BAD};
	assert_string_equal(line(),
			    "   16 22:13:20.123456 [::1]:7 > [::1]:7 UDP "
			    "len=0 [bad udp csum 0x0000]\n");
	/* absent and unverified are not worth a note on the line */
	pkt.udp.csum_status = NL_CSUM_ABSENT;
	assert_string_equal(line(),
			    "   16 22:13:20.123456 [::1]:7 > [::1]:7 UDP "
			    "len=0\n");
}

static void test_arp_notice(void **state)
{
	(void)state;
	struct nl_arp_notice n = {
	    .kind = NL_ARP_NOTICE_MAC_CHANGED,
	    .ip = {10, 0, 0, 2},
	    .old_mac = {0xaa, 0xbb, 0xcc, 0, 0, 1},
	    .new_mac = {0xbb, 0xcc, 0xdd, 0, 0, 2},
	    .old_frame = 3,
	    .new_frame = 9,
	};
	struct nl_event ev = {.type = NL_EV_ARP_NOTICE, .u.arp = &n};
	assert_string_equal(run(&ev),
			    "    ! ARP 10.0.0.2 moved from aa:bb:cc:00:00:01 "
			    "(frame 3) to bb:cc:dd:00:00:02 (frame 9)\n");
	n.kind = NL_ARP_NOTICE_CONFLICT;
	assert_string_equal(run(&ev), "    ! ARP conflict: 10.0.0.2 claimed by "
				      "aa:bb:cc:00:00:01 (frame 3) and "
				      "bb:cc:dd:00:00:02 (frame 9)\n");
	/* the summary is not this sink's business */
	struct nl_stats st = {0};
	struct nl_summary sum = {.stats = &st};
	ev = (struct nl_event){.type = NL_EV_SUMMARY, .u.summary = &sum};
	assert_string_equal(run(&ev), "");
}

static void test_time_styles(void **state)
{
	(void)state;
	frame(1, 60);
	pkt.link.type_len = pkt.link.ethertype = 0x88cc;
	opts.time_style = NL_TIME_NONE;
	assert_string_equal(line(), "    1 ethertype 0x88cc (LLDP)\n");
	opts.time_style = NL_TIME_EPOCH;
	opts.time_digits = 9;
	assert_string_equal(line(), "    1 1700000000.123456789 ethertype "
				    "0x88cc (LLDP)\n");

	/* relative time runs across packets of one sink */
	opts.time_style = NL_TIME_RELATIVE;
	opts.time_digits = 6;
	struct nl_sink sink = {0}; /* gcc cannot tell the assert stops */
	mem.len = 0;
	assert_int_equal(nl_sink_text_new(&sink, &mem, &opts), NL_OK);
	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt};
	sink.ops->on_event(sink.self, &ev);
	pkt.frame = 2;
	pkt.ts.sec += 2;
	sink.ops->on_event(sink.self, &ev);
	sink.ops->close(sink.self);
	assert_string_equal(nl_out_cstr(&mem),
			    "    1 0.000000 ethertype 0x88cc (LLDP)\n"
			    "    2 2.000000 ethertype 0x88cc (LLDP)\n");
}

/* End to end with the real decoder: the bytes of a loopback SYN. */
static void test_decoded_syn(void **state)
{
	(void)state;
	static const uint8_t f[] = {
	    /* Ethernet */
	    0,
	    0,
	    0,
	    0,
	    0,
	    0,
	    0,
	    0,
	    0,
	    0,
	    0,
	    0,
	    0x08,
	    0x00,
	    /* IPv4: 60 bytes, DF, ttl 64, TCP */
	    0x45,
	    0x00,
	    0x00,
	    0x3c,
	    0x1c,
	    0x46,
	    0x40,
	    0x00,
	    0x40,
	    0x06,
	    0x20,
	    0x74,
	    0x7f,
	    0x00,
	    0x00,
	    0x01,
	    0x7f,
	    0x00,
	    0x00,
	    0x01,
	    /* TCP 54321 > 9000 SYN, 40-byte header */
	    0xd4,
	    0x31,
	    0x23,
	    0x28,
	    0xa8,
	    0xd8,
	    0x24,
	    0x53,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0xa0,
	    0x02,
	    0xff,
	    0xd7,
	    0xfe,
	    0x30,
	    0x00,
	    0x00,
	    /* mss 65495, sack_perm, ts 1234/0, nop, ws 7 */
	    0x02,
	    0x04,
	    0xff,
	    0xd7,
	    0x04,
	    0x02,
	    0x08,
	    0x0a,
	    0x00,
	    0x00,
	    0x04,
	    0xd2,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x01,
	    0x03,
	    0x03,
	    0x07,
	};
	struct nl_decode_opts dopts = {0};
	nl_decode_packet(&pkt, &dopts, NL_DLT_EN10MB, f, sizeof(f), sizeof(f));
	pkt.frame = 1;
	pkt.ts = (struct nl_time){1700000000, 123456789};
	assert_string_equal(line(),
			    "    1 22:13:20.123456 127.0.0.1:54321 > "
			    "127.0.0.1:9000 TCP [SYN] seq=2832737363 win=65495 "
			    "len=0 <mss 65495,sack_perm,ts 1234/0,nop,ws 7>\n");
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_tcp_syn_options),
	    T(test_tcp_payload),
	    T(test_tcp_hostile_payload),
	    T(test_tcp_ipv6_no_flags),
	    T(test_udp),
	    T(test_icmp),
	    T(test_arp),
	    T(test_other_frames),
	    T(test_fragments),
	    T(test_link_ethernet),
	    T(test_link_cooked),
	    T(test_checksums_anomalies),
	    T(test_arp_notice),
	    T(test_time_styles),
	    T(test_decoded_syn),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
