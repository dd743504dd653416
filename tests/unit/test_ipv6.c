/*
 * IPv6 decoder (RFC 8200): extension header chains (hop-by-hop, fragment,
 * destination options, segment routing, AH, ESP, no next header), every
 * prefix, hostile chains and lengths, jumbograms (RFC 2675).
 *
 * Fixture checksums were computed independently (Python) and confirmed with
 * tshark; the UDP one covers the final destination of the routing header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/decode.h"
#include "support/guard.h"

#include "support/decode_harness.h"
	}
}

/* clang-format off */
static const uint8_t hbh_frag_tcp[] = {
	/* IPv6 2001:db8::2 > 2001:db8::1, plen 63, hop-by-hop, flow 0xabcde */
	0x60, 0x0a, 0xbc, 0xde, 0x00, 0x3f, 0x00, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* hop-by-hop: next fragment, router alert (RFC 2711), PadN */
	0x2c, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,
	/* fragment: next TCP, offset 0, M, id 0xdeadbeef */
	0x06, 0x00, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef,
	/* TCP 443 > 40000 PSH|ACK seq 5000 ack 6000 win 300, nop nop TS */
	0x01, 0xbb, 0x9c, 0x40, 0x00, 0x00, 0x13, 0x88, 0x00, 0x00, 0x17, 0x70,
	0x80, 0x18, 0x01, 0x2c, 0x2d, 0xb8, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a,
	0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0,
	/* "hello, fragment" */
	0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x66, 0x72, 0x61, 0x67, 0x6d,
	0x65, 0x6e, 0x74,
};

static const uint8_t dst_srh_udp[] = {
	/* IPv6 2001:db8::1 > 2001:db8::100, plen 85, destination options */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x55, 0x3c, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00,
	/* destination options: next routing, PadN */
	0x2b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	/* SRH (RFC 8754): next UDP, len 4, type 4, segs left 1, last entry 1 */
	0x11, 0x04, 0x04, 0x01, 0x01, 0x00, 0x00, 0x00,
	/* segment list[0] = 2001:db8::2 (final), [1] = 2001:db8::100 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	/* UDP 53003 > 53, checksum over the final destination (RFC 8200 8.1) */
	0xcf, 0x0b, 0x00, 0x35, 0x00, 0x25, 0x01, 0x90,
	/* DNS query example.net A IN */
	0x0d, 0xdf, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x6e, 0x65, 0x74,
	0x00, 0x00, 0x01, 0x00, 0x01,
};

static const uint8_t later_frag6[] = {
	/* IPv6 2001:db8::1 > 2001:db8::2, plen 32, fragment */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x2c, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,
	/* fragment: next UDP, offset 1232, id 0x01020304 */
	0x11, 0x00, 0x04, 0xd0, 0x01, 0x02, 0x03, 0x04,
	/* fragment data */
	0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b,
};

static const uint8_t esp6[] = {
	/* IPv6 2001:db8::1 > 2001:db8::2, plen 24, ESP */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x32, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,
	/* ESP SPI 0x1000 seq 1, encrypted */
	0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x03,
	0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

static const uint8_t nonext6[] = {
	/* IPv6 2001:db8::1 > 2001:db8::2, plen 8, destination options */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3c, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,
	/* destination options: next none (59), PadN */
	0x3b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t syn6[] = {
	/* IPv6 2001:db8::1 > 2001:db8::2, flow 0x12345, plen 40, TCP */
	0x60, 0x01, 0x23, 0x45, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,
	/* TCP 40000 > 22 SYN|ECE|CWR|AE seq 0xfffffff0 win 65535 */
	0x9c, 0x40, 0x00, 0x16, 0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x00,
	0xa1, 0xc2, 0xff, 0xff, 0x4e, 0x4a, 0x00, 0x00,
	/* mss 1440, sackOK, TS val 77 ecr 0, nop, wscale 8 */
	0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x4d,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x08,
};
/* clang-format on */

struct ip6_case {
	const char *name;
	const uint8_t *b;
	size_t n;
	struct bound bounds[6];
	uint32_t flow;
	uint16_t plen;
	uint8_t next, n_ext;
	uint8_t ext[NL_MAX_IPV6_EXT];
	uint16_t ext_len;
	bool frag, frag_more, later;
	uint16_t frag_off;
	uint32_t frag_id;
	uint8_t proto;
	uint32_t l4_off;
	enum nl_layer top;
	uint8_t csum_status; /* of the transport layer */
};

static const uint8_t addr1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t addr2[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const uint8_t addr100[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 0};

/* clang-format off */
static const struct ip6_case cases[] = {
	{
		.name = "hop-by-hop, fragment (first), TCP",
		.b = hbh_frag_tcp, .n = sizeof(hbh_frag_tcp),
		.bounds = {{1, NL_L_LINK}, {56, NL_L_IPV6}, {88, NL_L_TCP},
			   {103, NL_L_PAYLOAD}},
		.flow = 0xabcde, .plen = 63, .next = NL_IPPROTO_HOPOPTS,
		.n_ext = 2, .ext = {NL_IPPROTO_HOPOPTS, NL_IPPROTO_FRAGMENT},
		.ext_len = 16,
		.frag = true, .frag_more = true, .frag_id = 0xdeadbeef,
		.proto = NL_IPPROTO_TCP, .l4_off = 56, .top = NL_L_PAYLOAD,
		.csum_status = NL_CSUM_UNVERIFIED,
	},
	{
		.name = "destination options, SRH, UDP",
		.b = dst_srh_udp, .n = sizeof(dst_srh_udp),
		.bounds = {{1, NL_L_LINK}, {88, NL_L_IPV6}, {96, NL_L_UDP},
			   {125, NL_L_PAYLOAD}},
		.plen = 85, .next = NL_IPPROTO_DSTOPTS,
		.n_ext = 2, .ext = {NL_IPPROTO_DSTOPTS, NL_IPPROTO_ROUTING},
		.ext_len = 48,
		.proto = NL_IPPROTO_UDP, .l4_off = 88, .top = NL_L_PAYLOAD,
		.csum_status = NL_CSUM_OK, /* over the final destination */
	},
	{
		.name = "later fragment",
		.b = later_frag6, .n = sizeof(later_frag6),
		.bounds = {{1, NL_L_LINK}, {72, NL_L_IPV6}},
		.plen = 32, .next = NL_IPPROTO_FRAGMENT,
		.n_ext = 1, .ext = {NL_IPPROTO_FRAGMENT}, .ext_len = 8,
		.frag = true, .frag_off = 1232, .frag_id = 0x01020304,
		.later = true,
		.proto = NL_IPPROTO_UDP, .l4_off = 0, .top = NL_L_IPV6,
	},
	{
		.name = "ESP ends the walk",
		.b = esp6, .n = sizeof(esp6),
		.bounds = {{1, NL_L_LINK}, {64, NL_L_IPV6}},
		.plen = 24, .next = 50,
		.proto = 50, .l4_off = 40, .top = NL_L_IPV6,
	},
	{
		.name = "no next header",
		.b = nonext6, .n = sizeof(nonext6),
		.bounds = {{1, NL_L_LINK}, {48, NL_L_IPV6}},
		.plen = 8, .next = NL_IPPROTO_DSTOPTS,
		.n_ext = 1, .ext = {NL_IPPROTO_DSTOPTS}, .ext_len = 8,
		.proto = NL_IPPROTO_NONE, .l4_off = 0, .top = NL_L_IPV6,
	},
};
/* clang-format on */

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct ip6_case *ic = &cases[k];
		const struct nl_ipv6 *ip6 = &pkt.ip6;
		print_message("%s\n", ic->name);
		decode(NL_DLT_RAW, ic->b, ic->n, ic->n);

		assert_int_equal(pkt.n_anom, 0);
		assert_true(NL_HAS(&pkt, NL_L_IPV6));
		assert_false(NL_HAS(&pkt, NL_L_IPV4));
		assert_int_equal(pkt.l3_off, 0);
		assert_int_equal(ip6->tclass, 0);
		assert_int_equal(ip6->flow, ic->flow);
		assert_int_equal(ip6->plen, ic->plen);
		assert_int_equal(ip6->next, ic->next);
		assert_int_equal(ip6->hlim, 64);
		assert_int_equal(ip6->n_ext, ic->n_ext);
		assert_memory_equal(ip6->ext, ic->ext, ic->n_ext);
		assert_int_equal(ip6->ext_len, ic->ext_len);
		assert_int_equal(ip6->frag, ic->frag);
		assert_int_equal(ip6->frag_more, ic->frag_more);
		assert_int_equal(ip6->frag_off, ic->frag_off);
		assert_int_equal(ip6->frag_id, ic->frag_id);
		assert_int_equal(ip6->jumbo_len, 0);
		assert_int_equal(pkt.ip_fragment, ic->frag);
		assert_int_equal(pkt.ip_later_fragment, ic->later);
		assert_int_equal(pkt.ip_proto, ic->proto);
		assert_int_equal(pkt.l4_off, ic->l4_off);
		assert_int_equal(pkt.src.family, 6);
		assert_int_equal(pkt.layers >> ic->top, 1);
		if (NL_HAS(&pkt, NL_L_TCP))
			assert_int_equal(pkt.tcp.csum_status, ic->csum_status);
		if (NL_HAS(&pkt, NL_L_UDP))
			assert_int_equal(pkt.udp.csum_status, ic->csum_status);
	}
	/* the routing header's final destination is not the header's */
	decode(NL_DLT_RAW, dst_srh_udp, sizeof(dst_srh_udp),
	       sizeof(dst_srh_udp));
	assert_memory_equal(pkt.src.b, addr1, 16);
	assert_memory_equal(pkt.dst.b, addr100, 16);
	assert_int_equal(pkt.udp.dport, 53);
	assert_int_equal(pkt.payload_len, 29);

	decode(NL_DLT_RAW, hbh_frag_tcp, sizeof(hbh_frag_tcp),
	       sizeof(hbh_frag_tcp));
	assert_memory_equal(pkt.src.b, addr2, 16);
	assert_int_equal(pkt.tcp.sport, 443);
	assert_int_equal(pkt.tcp.ts_val, 1000);
	assert_int_equal(pkt.payload_len, 15);
	assert_memory_equal(pkt.payload, "hello, fragment", 15);
}

static void test_prefixes(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		print_message("%s\n", cases[k].name);
		check_prefixes(NL_DLT_RAW, cases[k].b, cases[k].n,
			       cases[k].bounds);
	}
}

static uint8_t buf[256];

static void set_plen(uint8_t *b, uint16_t plen)
{
	b[4] = (uint8_t)(plen >> 8);
	b[5] = (uint8_t)plen;
}

/*
 * IPv6 > n destination options headers (8 bytes, PadN) > UDP (8 bytes, no
 * payload, checksum not checked here). Returns the packet's length.
 */
static size_t build_chain(unsigned n)
{
	memcpy(buf, syn6, 40);
	buf[6] = NL_IPPROTO_DSTOPTS;
	size_t off = 40;
	for (unsigned i = 0; i < n; i++, off += 8) {
		static const uint8_t padn[6] = {1, 4, 0, 0, 0, 0};
		buf[off] = i + 1 < n ? NL_IPPROTO_DSTOPTS : NL_IPPROTO_UDP;
		buf[off + 1] = 0;
		memcpy(buf + off + 2, padn, 6);
	}
	/* 12345 > 53, length 8 */
	static const uint8_t udp[8] = {0x30, 0x39, 0x00, 0x35,
				       0x00, 0x08, 0x12, 0x34};
	memcpy(buf + off, udp, 8);
	off += 8;
	set_plen(buf, (uint16_t)(off - 40));
	return off;
}

static void test_chain_limit(void **state)
{
	(void)state;
	size_t n = build_chain(NL_MAX_IPV6_EXT);
	decode(NL_DLT_RAW, buf, n, n);
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.ip6.n_ext, NL_MAX_IPV6_EXT);
	assert_int_equal(pkt.ip6.ext_len, 8 * NL_MAX_IPV6_EXT);
	assert_true(NL_HAS(&pkt, NL_L_UDP));
	assert_int_equal(pkt.udp.dport, 53);

	for (unsigned k = NL_MAX_IPV6_EXT + 1; k <= 20; k++) {
		n = build_chain(k);
		decode(NL_DLT_RAW, buf, n, n);
		expect_malformed(NL_L_IPV6, "extension header chain too long");
		assert_int_equal(pkt.ip6.n_ext, NL_MAX_IPV6_EXT);
		assert_false(NL_HAS(&pkt, NL_L_UDP));
	}
}

static void test_ext_header_past_payload(void **state)
{
	(void)state;
	/* hop-by-hop claiming 88 bytes of a 63-byte payload */
	memcpy(buf, hbh_frag_tcp, sizeof(hbh_frag_tcp));
	buf[41] = 10;
	decode(NL_DLT_RAW, buf, sizeof(hbh_frag_tcp), sizeof(hbh_frag_tcp));
	expect_malformed(NL_L_IPV6, "extension header exceeds payload");
	assert_false(NL_HAS(&pkt, NL_L_TCP));

	/* payload length 44 leaves 36 bytes for the 40-byte SRH: the frame
	 * holds more, but the payload length rules */
	memcpy(buf, dst_srh_udp, sizeof(dst_srh_udp));
	set_plen(buf, 44);
	decode(NL_DLT_RAW, buf, sizeof(dst_srh_udp), sizeof(dst_srh_udp));
	expect_malformed(NL_L_IPV6, "extension header exceeds payload");

	/* the payload ends right after the chain: 2 bytes left for a header */
	memcpy(buf, nonext6, sizeof(nonext6));
	buf[40] = NL_IPPROTO_DSTOPTS;
	buf[48] = 59;
	buf[49] = 0;
	set_plen(buf, 10);
	decode(NL_DLT_RAW, buf, 50, 50);
	expect_malformed(NL_L_IPV6, "extension header exceeds payload");
}

static void test_payload_length(void **state)
{
	(void)state;
	memcpy(buf, syn6, sizeof(syn6));
	set_plen(buf, 41);
	decode(NL_DLT_RAW, buf, sizeof(syn6), sizeof(syn6));
	expect_malformed(NL_L_IPV6, "payload length exceeds frame");
	assert_true(NL_HAS(&pkt, NL_L_TCP)); /* what the frame holds */

	/* 0 without a jumbo option, a TCP header following: decoded over
	 * the frame (Linux BIG TCP captures look like this) */
	set_plen(buf, 0);
	decode(NL_DLT_RAW, buf, sizeof(syn6), sizeof(syn6));
	expect_malformed(NL_L_IPV6, "payload length 0 without jumbo option");
	assert_int_equal(pkt.n_anom, 1);
	assert_true(NL_HAS(&pkt, NL_L_TCP));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OK);

	/* 0 with no next header: trailing bytes are padding, not data */
	memcpy(buf, syn6, 40);
	buf[6] = NL_IPPROTO_NONE;
	set_plen(buf, 0);
	memset(buf + 40, 0, 20);
	decode(NL_DLT_RAW, buf, 60, 60);
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.ip_proto, NL_IPPROTO_NONE);

	/* frame shorter than the fixed header */
	decode(NL_DLT_RAW, syn6, 30, 30);
	expect_malformed(NL_L_IPV6, "frame shorter than header");
}

static void test_hop_by_hop_not_first(void **state)
{
	(void)state;
	size_t n = build_chain(2);
	buf[40] = NL_IPPROTO_HOPOPTS; /* dstopts > hop-by-hop > UDP */
	decode(NL_DLT_RAW, buf, n, n);
	expect_malformed(NL_L_IPV6, "hop-by-hop header not first");
	assert_true(NL_HAS(&pkt, NL_L_UDP));
}

static void test_option_length(void **state)
{
	(void)state;
	memcpy(buf, hbh_frag_tcp, sizeof(hbh_frag_tcp));
	buf[47] = 1; /* PadN running one byte past its header */
	decode(NL_DLT_RAW, buf, sizeof(hbh_frag_tcp), sizeof(hbh_frag_tcp));
	expect_malformed(NL_L_IPV6, "option length");
	assert_true(NL_HAS(&pkt, NL_L_TCP));
	/* a type with no room for its length */
	buf[46] = 0;
	buf[47] = 0x3e;
	decode(NL_DLT_RAW, buf, sizeof(hbh_frag_tcp), sizeof(hbh_frag_tcp));
	expect_malformed(NL_L_IPV6, "option length");
}

static void test_version(void **state)
{
	(void)state;
	static const uint8_t eth6[14] = {0x02, 0x00, 0x00, 0x00, 0x00,
					 0x02, 0x02, 0x00, 0x00, 0x00,
					 0x00, 0x01, 0x86, 0xdd};
	memcpy(buf, eth6, 14);
	memcpy(buf + 14, syn6, sizeof(syn6));
	buf[14] = 0x45;
	decode(NL_DLT_EN10MB, buf, 14 + sizeof(syn6), 14 + sizeof(syn6));
	expect_malformed(NL_L_IPV6, "version is not 6");
}

/* RFC 4302: AH counts its length in 4-byte units, less 2. */
static void test_ah(void **state)
{
	(void)state;
	memcpy(buf, syn6, 40);
	buf[6] = 51;
	set_plen(buf, 64);
	/* clang-format off */
	static const uint8_t ah[24] = {NL_IPPROTO_TCP, 4, 0, 0,
				       0, 0, 0x10, 0,	/* SPI */
				       0, 0, 0, 1};	/* sequence */
	/* clang-format on */
	memcpy(buf + 40, ah, 24);
	memcpy(buf + 64, syn6 + 40, 40);
	decode(NL_DLT_RAW, buf, 104, 104);
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.ip6.n_ext, 1);
	assert_int_equal(pkt.ip6.ext[0], 51);
	assert_int_equal(pkt.ip6.ext_len, 24);
	assert_int_equal(pkt.l4_off, 64);
	assert_int_equal(pkt.tcp.mss, 1440);
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OK);
}

/* RFC 2675 sum: the reference for the jumbogram's UDP checksum */
static uint16_t ref_csum(const uint8_t *p, size_t n, uint64_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void test_jumbogram(void **state)
{
	(void)state;
	enum { DATA = 70000, TOTAL = 40 + 8 + 8 + DATA };
	static uint8_t j[TOTAL];
	uint32_t jlen = TOTAL - 40;
	uint32_t ulen = 8 + DATA;

	memcpy(j, syn6, 40);
	set_plen(j, 0);
	j[6] = NL_IPPROTO_HOPOPTS;
	/* hop-by-hop: next UDP, jumbo payload option (type 0xc2, len 4) */
	uint8_t hbh[8] = {NL_IPPROTO_UDP, 0, 0xc2, 4};
	for (int i = 0; i < 4; i++)
		hbh[4 + i] = (uint8_t)(jlen >> (24 - 8 * i));
	memcpy(j + 40, hbh, 8);
	/* UDP length 0 in a jumbogram (RFC 2675 §4) */
	uint8_t udp[8] = {0x13, 0x88, 0x13, 0x89, 0, 0, 0, 0};
	memcpy(j + 48, udp, 8);
	for (size_t i = 0; i < DATA; i++)
		j[56 + i] = (uint8_t)(i * 7);
	/* pseudo-header: src, dst, 32-bit length, next header */
	uint64_t s = 0;
	for (int i = 8; i < 40; i += 2)
		s += (uint32_t)j[i] << 8 | j[i + 1];
	s += (ulen >> 16) + (ulen & 0xffff) + NL_IPPROTO_UDP;
	uint16_t c = ref_csum(j + 48, ulen, s);
	j[54] = (uint8_t)(c >> 8);
	j[55] = (uint8_t)c;

	decode(NL_DLT_RAW, j, TOTAL, TOTAL);
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.ip6.jumbo_len, jlen);
	assert_int_equal(pkt.ip6.plen, 0);
	assert_true(NL_HAS(&pkt, NL_L_UDP));
	assert_int_equal(pkt.payload_len, DATA);
	assert_int_equal(pkt.payload_caplen, DATA);
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_OK);

	/* a jumbo length that fits 16 bits is an error (RFC 2675 §3) */
	memcpy(buf, j, 56);
	buf[44] = buf[45] = 0;
	buf[46] = 0;
	buf[47] = 16;
	decode(NL_DLT_RAW, buf, 56, 56);
	expect_malformed(NL_L_IPV6, "jumbo payload length < 65536");

	/* beyond the frame */
	decode(NL_DLT_RAW, j, 1000, 1000);
	expect_malformed(NL_L_IPV6, "jumbo payload length exceeds frame");

	/* with a nonzero payload length */
	memcpy(buf, j, 56);
	set_plen(buf, 16);
	decode(NL_DLT_RAW, buf, 56, 56);
	expect_malformed(NL_L_IPV6, "jumbo option with nonzero payload length");
}

static void test_entry_point(void **state)
{
	(void)state;
	const uint8_t *g = guard_copy(hbh_frag_tcp, sizeof(hbh_frag_tcp));
	memset(&pkt, 0xa5, sizeof(pkt)); /* stale state from a last packet */
	pkt.layers = 0;
	pkt.n_anom = 0;
	pkt.data = g;
	pkt.caplen = pkt.len = sizeof(hbh_frag_tcp);
	struct nl_cur c = nl_cur_make(g, sizeof(hbh_frag_tcp));
	assert_int_equal(nl_decode_ipv6(&pkt, &c, NULL), NL_OK);
	assert_int_equal(pkt.ip6.n_ext, 2);
	assert_int_equal(pkt.ip_proto, NL_IPPROTO_TCP);
	assert_ptr_equal(c.p, g + 56);
	assert_int_equal(nl_cur_left(&c), 47);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_chain_limit),
	    cmocka_unit_test(test_ext_header_past_payload),
	    cmocka_unit_test(test_payload_length),
	    cmocka_unit_test(test_hop_by_hop_not_first),
	    cmocka_unit_test(test_option_length),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_ah),
	    cmocka_unit_test(test_jumbogram),
	    cmocka_unit_test(test_entry_point),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	guard_release();
	return rc;
}
