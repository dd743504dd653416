/*
 * The -v layer blocks, the -x/-X hex dump and the text summary, against
 * exact output.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/sink_harness.h"

#include "netlab/arptable.h"
#include "netlab/report.h"


static const char *packet(sink_new_fn make)
{
	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt};
	return run_sink(make, &ev);
}

static void tcp_packet(void)
{
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = 4;
	pkt.ts = (struct nl_time){1700000000, 123456789};
	pkt.len = 1514;
	pkt.caplen = 96;
	pkt.layers = NL_LAYER_BIT(NL_L_LINK) | NL_LAYER_BIT(NL_L_VLAN) |
		     NL_LAYER_BIT(NL_L_IPV4) | NL_LAYER_BIT(NL_L_TCP) |
		     NL_LAYER_BIT(NL_L_PAYLOAD);
	struct nl_link *l = &pkt.link;
	l->kind = NL_LINK_ETHERNET;
	l->dlt = NL_DLT_EN10MB;
	l->type_len = NL_ETHERTYPE_VLAN;
	l->ethertype = NL_ETHERTYPE_IPV4;
	l->n_vlan = 1;
	l->vlan[0] = (struct nl_vlan_tag){0x8100, 5, false, 10};
	l->wire_frame_len = 1518;
	l->fcs_absent = true;
	memset(l->dst, 0xff, 6);
	l->src[5] = 1;
	addr(&pkt.src, "10.0.0.1");
	addr(&pkt.dst, "10.0.0.2");
	pkt.ip_proto = NL_IPPROTO_TCP;
	pkt.ip4 = (struct nl_ipv4){.ihl = 24,
				   .tot_len = 1496,
				   .id = 7238,
				   .df = true,
				   .mf = true,
				   .ttl = 64,
				   .proto = 6,
				   .csum = 0xb7f1,
				   .opt_len = 4,
				   .csum_status = NL_CSUM_BAD,
				   .csum_want = 0xb7f2};
	pkt.tcp = (struct nl_tcp){.sport = 54321,
				  .dport = 9000,
				  .seq = 1,
				  .ack = 2,
				  .doff = 32,
				  .flags = NL_TCP_PSH | NL_TCP_ACK,
				  .win = 512,
				  .csum = 0xfe30,
				  .csum_status = NL_CSUM_OFFLOAD,
				  .n_opts = 3,
				  .opt_kind = {1, 1, 8},
				  .has_ts = true,
				  .ts_val = 5,
				  .ts_ecr = 6};
	static const char data[] = "GET / HTTP/1.1\r\nHost: example.com\r\n"
				   "User-Agent: netlab\r\nAccept: */*\r\n\r\n";
	pkt.payload = (const uint8_t *)data;
	pkt.payload_len = 1440;
	pkt.payload_caplen = 6;
	pkt.anom[0] =
	    (struct nl_anomaly){NL_ANOM_TRUNCATED, NL_L_PAYLOAD, "data"};
	pkt.anom[1] =
	    (struct nl_anomaly){NL_ANOM_MALFORMED, NL_L_UDP, "length 3 < 8"};
	pkt.anom[2] =
	    (struct nl_anomaly){NL_ANOM_MALFORMED, NL_L_IPV4, "options"};
	pkt.n_anom = 3;
}

static void test_verbose_tcp(void **state)
{
	(void)state;
	tcp_packet();
	assert_string_equal(
	    packet(nl_sink_verbose_new),
	    "    4 22:13:20.123456 1514 bytes on the wire, 96 captured "
	    "(snapshot length)\n"
	    "  Link (Ethernet II): 00:00:00:00:00:01 > ff:ff:ff:ff:ff:ff "
	    "(broadcast), ethertype 0x8100 (802.1Q), 1518 bytes on the wire "
	    "with FCS (FCS not captured)\n"
	    "  Link (802.1Q): vlan 10, priority 5, dei 0, tpid 0x8100\n"
	    "    then ethertype 0x0800 (IPv4)\n"
	    "  Network (IPv4): 10.0.0.1 > 10.0.0.2, ttl 64, id 7238, flags "
	    "DF,MF, frag offset 0, header 24 bytes, total length 1496, "
	    "options 4 bytes, tos 0x00, proto 6 (TCP), checksum 0xb7f1 "
	    "(BAD, want 0xb7f2)\n"
	    "    ! malformed ipv4: options\n"
	    "  Transport (TCP): 54321 > 9000, flags [PSH,ACK] (0x018), seq 1, "
	    "ack 2, win 512, header 32 bytes, urg 0, payload 1440 bytes, "
	    "checksum 0xfe30 (not filled in: captured on the sending host "
	    "with checksum offload)\n"
	    "    options: nop,nop,ts 5/6\n"
	    "  Application: 1440 bytes (6 captured) \"GET / \"\n"
	    "    ! truncated payload: data\n"
	    "  Transport (udp): not decoded\n"
	    "    ! malformed udp: length 3 < 8\n");
}

static void test_verbose_others(void **state)
{
	(void)state;
	/* ARP over Linux cooked v2, IPv6 + ICMPv6, unknown link */
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = 1;
	pkt.caplen = pkt.len = 48;
	pkt.layers = NL_LAYER_BIT(NL_L_LINK) | NL_LAYER_BIT(NL_L_ARP);
	pkt.link = (struct nl_link){.kind = NL_LINK_SLL2,
				    .dlt = NL_DLT_LINUX_SLL2,
				    .ethertype = NL_ETHERTYPE_ARP,
				    .sll_pkttype = 4,
				    .sll_hatype = 1,
				    .sll_halen = 6,
				    .sll_ifindex = 2,
				    .sll_addr = {2, 0, 0, 0, 0, 9}};
	pkt.arp = (struct nl_arp){.htype = 1,
				  .ptype = 0x800,
				  .hlen = 6,
				  .plen = 4,
				  .op = 2,
				  .kind = NL_ARP_REPLY,
				  .eth_ipv4 = true,
				  .sha = {2, 0, 0, 0, 0, 9},
				  .spa = {10, 0, 0, 9},
				  .tha = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
				  .tpa = {10, 0, 0, 1}};
	opts.time_style = NL_TIME_NONE;
	assert_string_equal(
	    packet(nl_sink_verbose_new),
	    "    1 48 bytes on the wire, 48 captured\n"
	    "  Link (Linux cooked v2): Out (sent by us), ifindex 2, hatype 1, "
	    "address 02:00:00:00:00:09 (local), protocol 0x0806 (ARP)\n"
	    "  Network (ARP): reply, op 2 (reply), htype 1, ptype 0x0800 "
	    "(IPv4), hlen 6, plen 4\n"
	    "    sender 02:00:00:00:00:09 (local) 10.0.0.9\n"
	    "    target ff:ff:ff:ff:ff:ff (broadcast) 10.0.0.1\n");

	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = 2;
	pkt.caplen = pkt.len = 70;
	pkt.layers = NL_LAYER_BIT(NL_L_LINK) | NL_LAYER_BIT(NL_L_IPV6) |
		     NL_LAYER_BIT(NL_L_ICMPV6);
	pkt.link = (struct nl_link){.kind = NL_LINK_RAW,
				    .dlt = NL_DLT_RAW,
				    .ethertype = NL_ETHERTYPE_IPV6};
	addr(&pkt.src, "2001:db8::1");
	addr(&pkt.dst, "2001:db8::2");
	pkt.ip_proto = NL_IPPROTO_ICMPV6;
	pkt.ip6 = (struct nl_ipv6){.plen = 30,
				   .next = 0,
				   .hlim = 1,
				   .flow = 0xabcde,
				   .n_ext = 1,
				   .ext = {0},
				   .ext_len = 8};
	pkt.icmp = (struct nl_icmp){.v6 = true,
				    .type = 3,
				    .code = 0,
				    .csum = 0x1234,
				    .has_quote = true,
				    .quote_proto = NL_IPPROTO_UDP,
				    .quote_sport = 33434,
				    .quote_dport = 53};
	addr(&pkt.icmp.quote_src, "2001:db8::2");
	addr(&pkt.icmp.quote_dst, "2001:db8::99");
	assert_string_equal(
	    packet(nl_sink_verbose_new),
	    "    2 70 bytes on the wire, 70 captured\n"
	    "  Link (raw IP): no link header\n"
	    "  Network (IPv6): 2001:db8::1 > 2001:db8::2, hop limit 1, "
	    "traffic class 0x00, flow label 0xabcde, payload length 30, "
	    "next header 0, extension headers 0 (8 bytes), upper layer "
	    "ICMPv6\n"
	    "  Network (ICMPv6): type 3 code 0, time exceeded (hop limit "
	    "exceeded in transit), checksum 0x1234\n"
	    "    about: UDP 2001:db8::2 port 33434 > 2001:db8::99 port 53\n");

	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = 3;
	pkt.caplen = pkt.len = 10;
	pkt.link = (struct nl_link){.kind = NL_LINK_UNKNOWN, .dlt = 229 + 1};
	assert_string_equal(packet(nl_sink_verbose_new),
			    "    3 10 bytes on the wire, 10 captured\n"
			    "  Link (unknown): link type 230, not decoded\n");
}

static void test_hex(void **state)
{
	(void)state;
	uint8_t b[37];
	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(0x3c + i * 7);
	b[0] = 0x1b; /* ESC: a dot in the ASCII column */
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = b;
	pkt.caplen = sizeof(b);
	pkt.len = 1000;
	opts.hex = true;
	assert_string_equal(
	    packet(nl_sink_hex_new),
	    "  0000  1b 43 4a 51 58 5f 66 6d  74 7b 82 89 90 97 "
	    "9e a5\n"
	    "  0010  ac b3 ba c1 c8 cf d6 dd  e4 eb f2 f9 00 07 "
	    "0e 15\n"
	    "  0020  1c 23 2a 31 38\n");
	opts.hex_ascii = true;
	assert_string_equal(
	    packet(nl_sink_hex_new),
	    "  0000  1b 43 4a 51 58 5f 66 6d  74 7b 82 89 90 97 "
	    "9e a5   .CJQX_fmt{......\n"
	    "  0010  ac b3 ba c1 c8 cf d6 dd  e4 eb f2 f9 00 07 "
	    "0e 15   ................\n"
	    "  0020  1c 23 2a 31 38                              "
	    "       .#*18\n");
	/* exactly eight bytes: no gap after them */
	pkt.caplen = 8;
	assert_string_equal(
	    packet(nl_sink_hex_new),
	    "  0000  1b 43 4a 51 58 5f 66 6d                     "
	    "       .CJQX_fm\n");
	pkt.caplen = 0;
	assert_string_equal(packet(nl_sink_hex_new), "");
	/* only packets: notices and the summary have no bytes */
	struct nl_arp_notice n = {0};
	struct nl_event ev = {.type = NL_EV_ARP_NOTICE, .u.arp = &n};
	assert_string_equal(run_sink(nl_sink_hex_new, &ev), "");
}

static void test_hex_large_offsets(void **state)
{
	(void)state;
	static uint8_t big[70000];
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = big;
	pkt.caplen = pkt.len = sizeof(big);
	opts.hex = true;
	const char *s = packet(nl_sink_hex_new);
	/* past 64 KiB the offset column widens rather than wraps */
	assert_non_null(strstr(s, "\n  0fff0  00 00"));
	assert_non_null(strstr(s, "\n  11100  00 00"));
	assert_null(strstr(s, "\n  0000  00 00 00 00 00 00 00 00  00 00 00 00 "
			      "00 00 00 00\n  0010"));
	assert_int_equal(strlen(s), (sizeof(big) / 16) * 58);
}

static void test_summary_text(void **state)
{
	(void)state;
	struct nl_arp_table *t;
	assert_int_equal(nl_arptable_new(&t, 8), NL_OK);
	struct nl_packet p;
	memset(&p, 0, sizeof(p));
	p.frame = 3;
	p.layers = NL_LAYER_BIT(NL_L_LINK) | NL_LAYER_BIT(NL_L_ARP);
	p.arp = (struct nl_arp){.htype = 1,
				.ptype = 0x800,
				.hlen = 6,
				.plen = 4,
				.op = 1,
				.kind = NL_ARP_REQUEST,
				.eth_ipv4 = true,
				.sha = {0x02, 0, 0, 0, 0, 1},
				.spa = {192, 168, 100, 200},
				.tpa = {192, 168, 100, 1}};
	struct nl_arp_notice notes[4];
	nl_arptable_observe(t, &p, notes, 4);

	struct nl_stats st = {0};
	st.packets = 12;
	st.bytes_captured = 1234;
	st.bytes_wire = 1500;
	st.first_ts = (struct nl_time){1700000000, 0};
	st.last_ts = (struct nl_time){1700000001, 234567000};
	st.layer[NL_L_LINK] = 12;
	st.layer[NL_L_ARP] = 1;
	st.layer[NL_L_IPV4] = 10;
	st.layer[NL_L_TCP] = 10;
	st.truncated[NL_L_TCP] = 1;
	st.truncated[NL_L_PAYLOAD] = 1;
	st.truncated_packets = 2;
	st.malformed[NL_L_IPV4] = 1;
	st.malformed_packets = 1;
	st.undecoded = 1;
	st.ip_fragments = 1;
	st.eth_undersize = 1;
	st.csum_offload = 3;
	st.live = true;
	st.pcap_received = 20;
	st.pcap_dropped = 2;
	struct nl_summary sum = {.stats = &st,
				 .arp = t,
				 .dlt = 1,
				 .file_truncated = true,
				 .file_truncated_offset = 9999};
	struct nl_event ev = {.type = NL_EV_SUMMARY, .u.summary = &sum};
	assert_string_equal(
	    run_sink(nl_sink_summary_new, &ev),
	    "summary: 12 packets, 1234 bytes captured (1500 on the wire) in "
	    "1.234567 s\n"
	    "  time        2023-11-14T22:13:20.000000000Z to "
	    "2023-11-14T22:13:21.234567000Z\n"
	    "  layers      link 12, arp 1, ipv4 10, tcp 10\n"
	    "  truncated   2 packets: tcp 1, payload 1\n"
	    "  malformed   1 packet: ipv4 1\n"
	    "  undecoded   1 packet (link type 1 EN10MB)\n"
	    "  fragments   1 IP fragment\n"
	    "  ethernet    1 frame under 64B, 0 oversize (>1518B)\n"
	    "  checksums   0 bad, 3 offload (not filled in: captured on the "
	    "sending host with checksum offload)\n"
	    "  arp         1 request, 0 replies, 0 gratuitous, 0 probes, "
	    "1 unanswered, 0 MAC changes, 0 conflicts\n"
	    "  arp table   1 entry\n"
	    "    192.168.100.200 02:00:00:00:00:01  frames 3-3        local\n"
	    "  capture     20 received, 2 dropped (buffer), 0 dropped "
	    "(interface)\n"
	    "  file ended mid-record at byte 9999\n");
	nl_arptable_free(t);

	/* an empty capture: one line, and local dates otherwise */
	memset(&st, 0, sizeof(st));
	sum = (struct nl_summary){.stats = &st};
	assert_string_equal(run_sink(nl_sink_summary_new, &ev),
			    "summary: 0 packets, 0 bytes captured (0 on the "
			    "wire)\n  layers      none\n");
	st.packets = 1;
	st.first_ts = st.last_ts = (struct nl_time){1700000000, 5000};
	opts.time_style = NL_TIME_LOCAL;
	assert_string_equal(run_sink(nl_sink_summary_new, &ev),
			    "summary: 1 packet, 0 bytes captured (0 on the "
			    "wire) in 0.000000 s\n"
			    "  time        2023-11-14 22:13:20.000005 to "
			    "2023-11-14 22:13:20.000005\n"
			    "  layers      none\n");
	/* packets are not the summary sink's business */
	tcp_packet();
	assert_string_equal(packet(nl_sink_summary_new), "");
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_verbose_tcp),       T(test_verbose_others), T(test_hex),
	    T(test_hex_large_offsets), T(test_summary_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
