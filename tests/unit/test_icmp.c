/*
 * ICMP (RFC 792) and ICMPv6 (RFC 4443, RFC 4861) decoder: echo, errors with
 * their quoted headers, Neighbor Discovery; every prefix; hostile lengths;
 * checksums (ICMPv6 over its pseudo-header); names in words.
 *
 * Fixture checksums were computed independently (Python) and confirmed with
 * tshark.
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
		if (NL_HAS(&pkt, NL_L_ICMP) || NL_HAS(&pkt, NL_L_ICMPV6))
			assert_int_equal(pkt.icmp.csum_status,
					 NL_CSUM_UNVERIFIED);
	}
}

/* clang-format off */
static const uint8_t echo4[] = {
	/* IPv4 192.0.2.10 > 198.51.100.1, ICMP, total length 44 */
	0x45, 0x00, 0x00, 0x2c, 0x22, 0x22, 0x40, 0x00, 0x40, 0x01, 0x2c, 0x70,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x01,
	/* ICMP echo request id 0x1d2e seq 7 */
	0x08, 0x00, 0x97, 0x7f, 0x1d, 0x2e, 0x00, 0x07,
	/* data "abcdefghijklmnop" */
	0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c,
	0x6d, 0x6e, 0x6f, 0x70,
};

static const uint8_t unreach4[] = {
	/* IPv4 198.51.100.1 > 192.0.2.10, tos 0xc0, ICMP, total length 56 */
	0x45, 0xc0, 0x00, 0x38, 0x44, 0x44, 0x00, 0x00, 0x40, 0x01, 0x49, 0x82,
	0xc6, 0x33, 0x64, 0x01, 0xc0, 0x00, 0x02, 0x0a,
	/* ICMP destination unreachable, port unreachable */
	0x03, 0x03, 0xe9, 0x75, 0x00, 0x00, 0x00, 0x00,
	/* quoted IPv4 192.0.2.10 > 198.51.100.1, UDP, total length 60 */
	0x45, 0x00, 0x00, 0x3c, 0x33, 0x33, 0x40, 0x00, 0x01, 0x11, 0x5a, 0x3f,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x01,
	/* quoted UDP 53001 > 33434 (the first 8 bytes, RFC 792) */
	0xcf, 0x09, 0x82, 0x9a, 0x00, 0x28, 0xc1, 0xba,
};

static const uint8_t fragneed4[] = {
	/* IPv4 198.51.100.1 > 192.0.2.10, ICMP */
	0x45, 0xc0, 0x00, 0x38, 0x44, 0x45, 0x00, 0x00, 0x40, 0x01, 0x49, 0x81,
	0xc6, 0x33, 0x64, 0x01, 0xc0, 0x00, 0x02, 0x0a,
	/* ICMP unreachable, frag needed, next-hop MTU 1400 (RFC 1191) */
	0x03, 0x04, 0x2d, 0x43, 0x00, 0x00, 0x05, 0x78,
	/* quoted IPv4 192.0.2.10 > 198.51.100.20, DF, TCP, total length 1500 */
	0x45, 0x00, 0x05, 0xdc, 0x55, 0x55, 0x40, 0x00, 0x40, 0x06, 0xf3, 0x74,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* quoted TCP 51234 > 443, first 8 bytes */
	0xc8, 0x22, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x63,
};

static const uint8_t redirect4[] = {
	/* IPv4 192.0.2.1 > 192.0.2.10, ICMP */
	0x45, 0x00, 0x00, 0x38, 0x44, 0x46, 0x00, 0x00, 0x40, 0x01, 0xb2, 0x73,
	0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x0a,
	/* ICMP redirect for host, gateway 192.0.2.254 */
	0x05, 0x01, 0x6d, 0xbf, 0xc0, 0x00, 0x02, 0xfe,
	/* quoted IPv4, TCP */
	0x45, 0x00, 0x05, 0xdc, 0x55, 0x55, 0x40, 0x00, 0x40, 0x06, 0xf3, 0x74,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* quoted TCP, first 8 bytes */
	0xc8, 0x22, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x63,
};

static const uint8_t ns6[] = {
	/* IPv6 fe80::1 > ff02::1:ff00:2, ICMPv6, plen 32, hlim 255 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0xff, 0x00, 0x00, 0x02,
	/* ICMPv6 neighbor solicitation */
	0x87, 0x00, 0x4b, 0x5f, 0x00, 0x00, 0x00, 0x00,
	/* target 2001:db8::2 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,
	/* option: source link-layer address 02:00:00:00:00:01 */
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
};

static const uint8_t echo6[] = {
	/* IPv6 2001:db8::1 > 2001:db8::2, ICMPv6, plen 17 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x11, 0x3a, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,
	/* ICMPv6 echo request id 0x42 seq 1 */
	0x80, 0x00, 0x4c, 0x52, 0x00, 0x42, 0x00, 0x01,
	/* "ping6data" */
	0x70, 0x69, 0x6e, 0x67, 0x36, 0x64, 0x61, 0x74, 0x61,
};

static const uint8_t ptb6[] = {
	/* IPv6 2001:db8:ffff::1 > 2001:db8::1, ICMPv6, plen 72 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x48, 0x3a, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* ICMPv6 packet too big, MTU 1280 */
	0x02, 0x00, 0x2b, 0xda, 0x00, 0x00, 0x05, 0x00,
	/* quoted IPv6 2001:db8::1 > 2001:db8::2, UDP, plen 1460 */
	0x60, 0x00, 0x00, 0x00, 0x05, 0xb4, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,
	/* quoted UDP 40001 > 443 */
	0x9c, 0x41, 0x01, 0xbb, 0x05, 0xb4, 0xfb, 0x14,
	/* first 16 bytes of the quoted payload */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
/* clang-format on */

static const uint8_t ip4_c[4] = {192, 0, 2, 10};
static const uint8_t ip4_r[4] = {198, 51, 100, 1};
static const uint8_t ip4_s[4] = {198, 51, 100, 20};
static const uint8_t ip6_1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t ip6_2[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

struct icmp_case {
	const char *name;
	const uint8_t *b;
	size_t n;
	struct bound bounds[4];
	bool v6;
	uint8_t type, code;
	const char *type_name, *code_name;
	uint16_t id, seq;
	uint32_t mtu;
	uint8_t gateway[4];
	const uint8_t *target;
	/* the quote */
	bool has_quote;
	uint8_t quote_proto;
	const uint8_t *qsrc, *qdst;
	uint16_t qsport, qdport;
};

/* clang-format off */
#define V4(end) {{1, NL_L_LINK}, {20, NL_L_IPV4}, {end, NL_L_ICMP}}
#define V6(end) {{1, NL_L_LINK}, {40, NL_L_IPV6}, {end, NL_L_ICMPV6}}

static const struct icmp_case cases[] = {
	{
		.name = "echo request",
		.b = echo4, .n = sizeof(echo4), .bounds = V4(44),
		.type = 8, .code = 0,
		.type_name = "echo request", .code_name = "",
		.id = 0x1d2e, .seq = 7,
	},
	{
		.name = "port unreachable quoting UDP",
		.b = unreach4, .n = sizeof(unreach4), .bounds = V4(56),
		.type = 3, .code = 3,
		.type_name = "destination unreachable",
		.code_name = "port unreachable",
		.has_quote = true, .quote_proto = NL_IPPROTO_UDP,
		.qsrc = ip4_c, .qdst = ip4_r, .qsport = 53001, .qdport = 33434,
	},
	{
		.name = "fragmentation needed quoting TCP",
		.b = fragneed4, .n = sizeof(fragneed4), .bounds = V4(56),
		.type = 3, .code = 4,
		.type_name = "destination unreachable",
		.code_name = "fragmentation needed",
		.mtu = 1400,
		.has_quote = true, .quote_proto = NL_IPPROTO_TCP,
		.qsrc = ip4_c, .qdst = ip4_s, .qsport = 51234, .qdport = 443,
	},
	{
		.name = "redirect",
		.b = redirect4, .n = sizeof(redirect4), .bounds = V4(56),
		.type = 5, .code = 1,
		.type_name = "redirect", .code_name = "redirect for host",
		.gateway = {192, 0, 2, 254},
		.has_quote = true, .quote_proto = NL_IPPROTO_TCP,
		.qsrc = ip4_c, .qdst = ip4_s, .qsport = 51234, .qdport = 443,
	},
	{
		.name = "neighbor solicitation",
		.b = ns6, .n = sizeof(ns6), .bounds = V6(72), .v6 = true,
		.type = 135, .code = 0,
		.type_name = "neighbor solicitation", .code_name = "",
		.target = ip6_2,
	},
	{
		.name = "ICMPv6 echo request",
		.b = echo6, .n = sizeof(echo6), .bounds = V6(57), .v6 = true,
		.type = 128, .code = 0,
		.type_name = "echo request", .code_name = "",
		.id = 0x42, .seq = 1,
	},
	{
		.name = "packet too big quoting IPv6 and UDP",
		.b = ptb6, .n = sizeof(ptb6), .bounds = V6(112), .v6 = true,
		.type = 2, .code = 0,
		.type_name = "packet too big", .code_name = "",
		.mtu = 1280,
		.has_quote = true, .quote_proto = NL_IPPROTO_UDP,
		.qsrc = ip6_1, .qdst = ip6_2, .qsport = 40001, .qdport = 443,
	},
};
/* clang-format on */

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct icmp_case *ic = &cases[k];
		const struct nl_icmp *m = &pkt.icmp;
		print_message("%s\n", ic->name);
		decode(NL_DLT_RAW, ic->b, ic->n, ic->n);

		assert_int_equal(pkt.n_anom, 0);
		assert_true(NL_HAS(&pkt, ic->v6 ? NL_L_ICMPV6 : NL_L_ICMP));
		assert_false(NL_HAS(&pkt, ic->v6 ? NL_L_ICMP : NL_L_ICMPV6));
		assert_false(NL_HAS(&pkt, NL_L_UDP));
		assert_false(NL_HAS(&pkt, NL_L_TCP));
		assert_false(NL_HAS(&pkt, NL_L_PAYLOAD));
		assert_int_equal(pkt.l4_off, ic->v6 ? 40 : 20);
		assert_int_equal(m->v6, ic->v6);
		assert_int_equal(m->type, ic->type);
		assert_int_equal(m->code, ic->code);
		assert_string_equal(nl_icmp_type_name(m->v6, m->type),
				    ic->type_name);
		assert_string_equal(nl_icmp_code_name(m->v6, m->type, m->code),
				    ic->code_name);
		assert_int_equal(m->csum_status, NL_CSUM_OK);
		assert_int_equal(m->id, ic->id);
		assert_int_equal(m->seq, ic->seq);
		assert_int_equal(m->mtu, ic->mtu);
		assert_memory_equal(m->gateway, ic->gateway, 4);
		assert_int_equal(m->has_target, ic->target != NULL);
		if (ic->target)
			assert_memory_equal(m->target, ic->target, 16);
		assert_int_equal(m->has_quote, ic->has_quote);
		if (!ic->has_quote)
			continue;
		uint8_t fam = ic->v6 ? 6 : 4;
		size_t alen = ic->v6 ? 16 : 4;
		assert_int_equal(m->quote_proto, ic->quote_proto);
		assert_int_equal(m->quote_src.family, fam);
		assert_int_equal(m->quote_dst.family, fam);
		assert_memory_equal(m->quote_src.b, ic->qsrc, alen);
		assert_memory_equal(m->quote_dst.b, ic->qdst, alen);
		assert_int_equal(m->quote_sport, ic->qsport);
		assert_int_equal(m->quote_dport, ic->qdport);
		/* the quote's own addresses do not leak into the packet's */
		assert_memory_not_equal(pkt.src.b, ic->qsrc, alen);
	}
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

/* A prefix that ends inside the quote: the ICMP message is truncated (one
 * anomaly, on ICMP), the quote is simply short. */
static void test_quote_cut_by_capture(void **state)
{
	(void)state;
	decode(NL_DLT_RAW, unreach4, 40, sizeof(unreach4));
	assert_int_equal(pkt.n_anom, 1);
	assert_int_equal(pkt.anom[0].layer, NL_L_ICMP);
	assert_string_equal(pkt.anom[0].what, "message");
	assert_false(pkt.icmp.has_quote);

	/* the whole quoted IP header but not the ports */
	decode(NL_DLT_RAW, unreach4, 50, sizeof(unreach4));
	assert_int_equal(pkt.n_anom, 1);
	assert_true(pkt.icmp.has_quote);
	assert_int_equal(pkt.icmp.quote_proto, NL_IPPROTO_UDP);
	assert_int_equal(pkt.icmp.quote_sport, 0);
}

static uint8_t buf[256];

/* A quote the sender cut short, or that is not an IP header at all, is
 * not the packet's problem: no anomaly, no quote. */
static void test_odd_quotes(void **state)
{
	(void)state;
	/* IP payload ends 10 bytes into the quote */
	memcpy(buf, unreach4, 38);
	buf[3] = 38;
	decode(NL_DLT_RAW, buf, 38, 38);
	assert_int_equal(pkt.n_anom, 0);
	assert_true(NL_HAS(&pkt, NL_L_ICMP));
	assert_false(pkt.icmp.has_quote);

	/* a quoted "IPv4" header with version 0 */
	memcpy(buf, unreach4, sizeof(unreach4));
	buf[28] = 0x05;
	decode(NL_DLT_RAW, buf, sizeof(unreach4), sizeof(unreach4));
	assert_int_equal(pkt.n_anom, 0);
	assert_false(pkt.icmp.has_quote);
	assert_int_equal(pkt.icmp.csum_status, NL_CSUM_BAD);

	/* quoting a later fragment: addresses, no ports */
	memcpy(buf, unreach4, sizeof(unreach4));
	buf[34] = 0x00;
	buf[35] = 0x10;
	decode(NL_DLT_RAW, buf, sizeof(unreach4), sizeof(unreach4));
	assert_true(pkt.icmp.has_quote);
	assert_int_equal(pkt.icmp.quote_sport, 0);
	assert_int_equal(pkt.icmp.quote_dport, 0);
}

static void test_too_short(void **state)
{
	(void)state;
	/* 4 bytes of ICMPv4: not even the 8-byte header */
	memcpy(buf, echo4, 24);
	buf[3] = 24;
	decode(NL_DLT_RAW, buf, 24, 24);
	expect_malformed(NL_L_ICMP, "message shorter than header");
	assert_false(NL_HAS(&pkt, NL_L_ICMP));

	/* a neighbor solicitation with no room for its target */
	memcpy(buf, ns6, 60);
	buf[5] = 20;
	decode(NL_DLT_RAW, buf, 60, 60);
	expect_malformed(NL_L_ICMPV6, "message shorter than header");

	/* 2 bytes of ICMPv6 */
	memcpy(buf, echo6, 42);
	buf[5] = 2;
	decode(NL_DLT_RAW, buf, 42, 42);
	expect_malformed(NL_L_ICMPV6, "message shorter than header");
}

/* RFC 4861 §4.6: options in 8-byte units; length 0 is invalid. */
static void test_ndp_options(void **state)
{
	(void)state;
	memcpy(buf, ns6, sizeof(ns6));
	buf[65] = 0;
	decode(NL_DLT_RAW, buf, sizeof(ns6), sizeof(ns6));
	expect_malformed(NL_L_ICMPV6, "NDP option length 0");
	assert_true(pkt.icmp.has_target);

	buf[65] = 2; /* 16 bytes, 8 in the message */
	decode(NL_DLT_RAW, buf, sizeof(ns6), sizeof(ns6));
	expect_malformed(NL_L_ICMPV6, "option length");

	/* an odd trailing byte cannot be an option */
	memcpy(buf, ns6, sizeof(ns6));
	buf[5] = 33;
	buf[72] = 0;
	decode(NL_DLT_RAW, buf, 73, 73);
	expect_malformed(NL_L_ICMPV6, "option length");

	/* the same option cut by the capture is a truncation only */
	memcpy(buf, ns6, sizeof(ns6));
	buf[65] = 2;
	decode(NL_DLT_RAW, buf, 70, sizeof(ns6));
	assert_int_equal(pkt.n_anom, 1);
	assert_int_equal(pkt.anom[0].kind, NL_ANOM_TRUNCATED);
}

static void test_checksum(void **state)
{
	(void)state;
	memcpy(buf, echo4, sizeof(echo4));
	buf[43] ^= 0x01;
	decode(NL_DLT_RAW, buf, sizeof(echo4), sizeof(echo4));
	assert_int_equal(pkt.icmp.csum_status, NL_CSUM_BAD);
	assert_int_equal(pkt.n_anom, 0);

	/* ICMPv6 covers the pseudo-header: another source breaks it */
	memcpy(buf, echo6, sizeof(echo6));
	buf[23] = 3;
	decode(NL_DLT_RAW, buf, sizeof(echo6), sizeof(echo6));
	assert_int_equal(pkt.icmp.csum_status, NL_CSUM_BAD);
	/* ... while ICMPv4 does not */
	memcpy(buf, echo4, sizeof(echo4));
	buf[15] = 11;
	decode(NL_DLT_RAW, buf, sizeof(echo4), sizeof(echo4));
	assert_int_equal(pkt.icmp.csum_status, NL_CSUM_OK);

	/* a first fragment: cannot be checked */
	memcpy(buf, echo4, sizeof(echo4));
	buf[6] = 0x20;
	decode(NL_DLT_RAW, buf, sizeof(echo4), sizeof(echo4));
	assert_int_equal(pkt.icmp.csum_status, NL_CSUM_UNVERIFIED);
	assert_int_equal(pkt.icmp.id, 0x1d2e);
}

/* NDP and MLD messages the decoder knows by type and minimum length. */
static void test_ndp_mld(void **state)
{
	(void)state;
	/* router solicitation with a source link-layer address option */
	memcpy(buf, ns6, 40);
	buf[5] = 16;
	static const uint8_t rs[16] = {133, 0, 0, 0, 0, 0, 0, 0,
				       1,   1, 2, 0, 0, 0, 0, 1};
	memcpy(buf + 40, rs, 16);
	decode(NL_DLT_RAW, buf, 56, 56);
	assert_int_equal(pkt.n_anom, 0);
	assert_string_equal(nl_icmp_type_name(true, pkt.icmp.type),
			    "router solicitation");
	assert_int_equal(pkt.icmp.csum_status, NL_CSUM_BAD);

	/* router advertisement shorter than its 16-byte fixed part */
	buf[5] = 12;
	buf[40] = 134;
	decode(NL_DLT_RAW, buf, 52, 52);
	expect_malformed(NL_L_ICMPV6, "message shorter than header");

	/* MLDv1 report: 24 bytes */
	memcpy(buf, ns6, 64);
	buf[5] = 24;
	buf[40] = 131;
	decode(NL_DLT_RAW, buf, 64, 64);
	assert_int_equal(pkt.n_anom, 0);
	assert_false(pkt.icmp.has_target);
	assert_string_equal(nl_icmp_type_name(true, 131),
			    "multicast listener report");
	buf[5] = 20;
	decode(NL_DLT_RAW, buf, 60, 60);
	expect_malformed(NL_L_ICMPV6, "message shorter than header");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(nl_icmp_type_name(false, 0), "echo reply");
	assert_string_equal(nl_icmp_type_name(false, 11), "time exceeded");
	assert_string_equal(nl_icmp_type_name(false, 200), "unknown");
	assert_string_equal(nl_icmp_code_name(false, 11, 0),
			    "TTL exceeded in transit");
	assert_string_equal(nl_icmp_code_name(false, 3, 13),
			    "communication administratively prohibited");
	assert_string_equal(nl_icmp_code_name(false, 3, 16), "");
	assert_string_equal(nl_icmp_code_name(false, 8, 0), "");
	assert_string_equal(nl_icmp_type_name(true, 1),
			    "destination unreachable");
	assert_string_equal(nl_icmp_code_name(true, 1, 4), "port unreachable");
	assert_string_equal(nl_icmp_code_name(true, 1, 0),
			    "no route to destination");
	assert_string_equal(nl_icmp_code_name(true, 3, 0),
			    "hop limit exceeded in transit");
	assert_string_equal(nl_icmp_type_name(true, 136),
			    "neighbor advertisement");
	assert_string_equal(nl_icmp_type_name(true, 143),
			    "multicast listener report v2");
	assert_string_equal(nl_icmp_type_name(true, 8), "unknown");
	assert_string_equal(nl_icmp_code_name(true, 200, 1), "");
	assert_string_equal(nl_ipproto_name(1), "ICMP");
	assert_string_equal(nl_ipproto_name(6), "TCP");
	assert_string_equal(nl_ipproto_name(17), "UDP");
	assert_string_equal(nl_ipproto_name(58), "ICMPv6");
	assert_string_equal(nl_ipproto_name(47), "GRE");
	assert_string_equal(nl_ipproto_name(132), "SCTP");
	assert_string_equal(nl_ipproto_name(89), "OSPF");
	assert_null(nl_ipproto_name(253));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_quote_cut_by_capture),
	    cmocka_unit_test(test_odd_quotes),
	    cmocka_unit_test(test_too_short),
	    cmocka_unit_test(test_ndp_options),
	    cmocka_unit_test(test_checksum),
	    cmocka_unit_test(test_ndp_mld),
	    cmocka_unit_test(test_names),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	guard_release();
	return rc;
}
