/*
 * IPv4 decoder (RFC 791): fixtures over Ethernet and raw IP, every prefix,
 * hostile header lengths, options, fragments, Ethernet padding and the
 * header checksum.
 *
 * Fixture checksums were computed independently (Python) and confirmed with
 * tshark -o ip.check_checksum:TRUE.
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
static const uint8_t dns_eth[] = {
	/* Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00,
	/* IPv4 192.0.2.10 > 192.0.2.53, id 0x0b1c, DF, ttl 64, UDP, len 57 */
	0x45, 0x00, 0x00, 0x39, 0x0b, 0x1c, 0x40, 0x00, 0x40, 0x11, 0xab, 0x58,
	0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x35,
	/* UDP 53001 > 53, length 37 */
	0xcf, 0x09, 0x00, 0x35, 0x00, 0x25, 0xca, 0x83,
	/* DNS query 0x1234: example.com A IN */
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d,
	0x00, 0x00, 0x01, 0x00, 0x01,
};

static const uint8_t igmp_ra[] = {
	/* IPv4 IHL 6, tos 0xc0, ttl 1, IGMP, 192.0.2.10 > 224.0.0.251 */
	0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0x41, 0x12,
	0xc0, 0x00, 0x02, 0x0a, 0xe0, 0x00, 0x00, 0xfb,
	/* option: router alert (RFC 2113) */
	0x94, 0x04, 0x00, 0x00,
	/* IGMPv2 membership report 224.0.0.251 */
	0x16, 0x00, 0x09, 0x04, 0xe0, 0x00, 0x00, 0xfb,
};

static const uint8_t frag1[] = {
	/* IPv4 id 0xbeef, MF, offset 0, UDP, total length 68 */
	0x45, 0x00, 0x00, 0x44, 0xbe, 0xef, 0x20, 0x00, 0x40, 0x11, 0xaf, 0x67,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* UDP 5353 > 9999, length 2008 */
	0x14, 0xe9, 0x27, 0x0f, 0x07, 0xd8, 0x4a, 0x62,
	/* first 40 bytes of the datagram payload */
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
	0x24, 0x25, 0x26, 0x27,
};

static const uint8_t frag2[] = {
	/* IPv4 id 0xbeef, offset 48, UDP, total length 60 */
	0x45, 0x00, 0x00, 0x3c, 0xbe, 0xef, 0x00, 0x06, 0x40, 0x11, 0xcf, 0x69,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* fragment data */
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
	0x24, 0x25, 0x26, 0x27,
};

static const uint8_t pad_eth[] = {
	/* Ethernet, IPv4 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00,
	/* IPv4, UDP, total length 30 */
	0x45, 0x00, 0x00, 0x1e, 0x0b, 0x1d, 0x40, 0x00, 0x40, 0x11, 0x43, 0x60,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* UDP 40000 > 7, length 10 */
	0x9c, 0x40, 0x00, 0x07, 0x00, 0x0a, 0x0e, 0xd7,
	/* "hi" */
	0x68, 0x69,
	/* Ethernet padding to 60 bytes */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
/* clang-format on */

struct ip4_case {
	const char *name;
	uint32_t dlt;
	const uint8_t *b;
	size_t n;
	struct bound bounds[6];
	uint32_t l3_off;
	uint8_t ihl, tos, ttl, proto, opt_len;
	uint16_t tot_len, id, frag_off;
	bool df, mf;
	uint8_t src[4], dst[4];
	bool later;
	uint32_t l4_off;
	enum nl_layer top; /* highest layer decoded */
	uint32_t payload_len;
};

/* clang-format off */
static const struct ip4_case cases[] = {
	{
		.name = "DNS query over Ethernet",
		.dlt = NL_DLT_EN10MB, .b = dns_eth, .n = sizeof(dns_eth),
		.bounds = {{14, NL_L_LINK}, {34, NL_L_IPV4}, {42, NL_L_UDP},
			   {71, NL_L_PAYLOAD}},
		.l3_off = 14, .ihl = 20, .ttl = 64, .proto = NL_IPPROTO_UDP,
		.tot_len = 57, .id = 0x0b1c, .df = true,
		.src = {192, 0, 2, 10}, .dst = {192, 0, 2, 53},
		.l4_off = 34, .top = NL_L_PAYLOAD, .payload_len = 29,
	},
	{
		.name = "IGMP with router alert option",
		.dlt = NL_DLT_RAW, .b = igmp_ra, .n = sizeof(igmp_ra),
		/* no decoder for IGMP: IPv4 notes the cut payload */
		.bounds = {{1, NL_L_LINK}, {32, NL_L_IPV4}},
		.ihl = 24, .tos = 0xc0, .ttl = 1, .proto = 2, .opt_len = 4,
		.tot_len = 32, .id = 0, .df = true,
		.src = {192, 0, 2, 10}, .dst = {224, 0, 0, 251},
		.l4_off = 24, .top = NL_L_IPV4,
	},
	{
		.name = "first fragment, UDP header inside",
		.dlt = NL_DLT_RAW, .b = frag1, .n = sizeof(frag1),
		.bounds = {{1, NL_L_LINK}, {20, NL_L_IPV4}, {28, NL_L_UDP},
			   {68, NL_L_PAYLOAD}},
		.ihl = 20, .ttl = 64, .proto = NL_IPPROTO_UDP,
		.tot_len = 68, .id = 0xbeef, .mf = true,
		.src = {192, 0, 2, 10}, .dst = {198, 51, 100, 20},
		.l4_off = 20, .top = NL_L_PAYLOAD, .payload_len = 40,
	},
	{
		.name = "later fragment",
		.dlt = NL_DLT_RAW, .b = frag2, .n = sizeof(frag2),
		.bounds = {{1, NL_L_LINK}, {60, NL_L_IPV4}},
		.ihl = 20, .ttl = 64, .proto = NL_IPPROTO_UDP,
		.tot_len = 60, .id = 0xbeef, .frag_off = 48,
		.src = {192, 0, 2, 10}, .dst = {198, 51, 100, 20},
		.later = true, .l4_off = 0, .top = NL_L_IPV4,
	},
	{
		.name = "short UDP datagram, Ethernet padding",
		.dlt = NL_DLT_EN10MB, .b = pad_eth, .n = sizeof(pad_eth),
		.bounds = {{14, NL_L_LINK}, {34, NL_L_IPV4}, {42, NL_L_UDP},
			   {44, NL_L_PAYLOAD}, {60, NL_LAYER_COUNT}},
		.l3_off = 14, .ihl = 20, .ttl = 64, .proto = NL_IPPROTO_UDP,
		.tot_len = 30, .id = 0x0b1d, .df = true,
		.src = {192, 0, 2, 10}, .dst = {198, 51, 100, 20},
		.l4_off = 34, .top = NL_L_PAYLOAD, .payload_len = 2,
	},
};
/* clang-format on */

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct ip4_case *ic = &cases[k];
		const struct nl_ipv4 *ip = &pkt.ip4;
		print_message("%s\n", ic->name);
		decode(ic->dlt, ic->b, ic->n, ic->n);

		assert_int_equal(pkt.n_anom, 0);
		assert_true(NL_HAS(&pkt, NL_L_IPV4));
		assert_false(NL_HAS(&pkt, NL_L_IPV6));
		assert_int_equal(pkt.l3_off, ic->l3_off);
		assert_int_equal(ip->ihl, ic->ihl);
		assert_int_equal(ip->tos, ic->tos);
		assert_int_equal(ip->tot_len, ic->tot_len);
		assert_int_equal(ip->id, ic->id);
		assert_int_equal(ip->df, ic->df);
		assert_int_equal(ip->mf, ic->mf);
		assert_false(ip->rf);
		assert_int_equal(ip->frag_off, ic->frag_off);
		assert_int_equal(ip->ttl, ic->ttl);
		assert_int_equal(ip->proto, ic->proto);
		assert_int_equal(ip->opt_len, ic->opt_len);
		assert_int_equal(ip->csum_status, NL_CSUM_OK);
		assert_int_equal(pkt.src.family, 4);
		assert_int_equal(pkt.dst.family, 4);
		assert_memory_equal(pkt.src.b, ic->src, 4);
		assert_memory_equal(pkt.dst.b, ic->dst, 4);
		assert_int_equal(pkt.ip_proto, ic->proto);
		assert_int_equal(pkt.ip_fragment, ic->mf || ic->frag_off);
		assert_int_equal(pkt.ip_later_fragment, ic->later);
		assert_int_equal(pkt.l4_off, ic->l4_off);
		/* nothing above the top layer */
		assert_int_equal(pkt.layers >> ic->top, 1);
		assert_int_equal(pkt.payload_len, ic->payload_len);
	}
}

static void test_prefixes(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		print_message("%s\n", cases[k].name);
		check_prefixes(cases[k].dlt, cases[k].b, cases[k].n,
			       cases[k].bounds);
	}
}

/* The first fragment's UDP length is the datagram's, not this packet's. */
static void test_first_fragment_udp(void **state)
{
	(void)state;
	decode(NL_DLT_RAW, frag1, sizeof(frag1), sizeof(frag1));
	assert_int_equal(pkt.udp.len, 2008);
	assert_int_equal(pkt.payload_caplen, 40);
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_UNVERIFIED);
}

static uint8_t buf[256];

/* dns_eth with the IPv4 header byte at off (from the IP header) set to v */
static void decode_ip_with(size_t off, uint8_t v)
{
	memcpy(buf, dns_eth, sizeof(dns_eth));
	buf[14 + off] = v;
	decode(NL_DLT_EN10MB, buf, sizeof(dns_eth), sizeof(dns_eth));
}

static void decode_tot_len(uint16_t tot_len)
{
	memcpy(buf, dns_eth, sizeof(dns_eth));
	buf[16] = (uint8_t)(tot_len >> 8);
	buf[17] = (uint8_t)tot_len;
	decode(NL_DLT_EN10MB, buf, sizeof(dns_eth), sizeof(dns_eth));
}

static void test_ihl_below_5(void **state)
{
	static const char *const what[] = {
	    "IHL 0 < 5", "IHL 1 < 5", "IHL 2 < 5", "IHL 3 < 5", "IHL 4 < 5"};
	(void)state;
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		decode_ip_with(0, (uint8_t)(0x40 | ihl));
		expect_malformed(NL_L_IPV4, what[ihl]);
		assert_int_equal(pkt.n_anom, 1);
		assert_false(NL_HAS(&pkt, NL_L_IPV4));
		assert_false(NL_HAS(&pkt, NL_L_UDP));
	}
}

static void test_version_not_4(void **state)
{
	(void)state;
	decode_ip_with(0, 0x65);
	expect_malformed(NL_L_IPV4, "version is not 4");
}

/* Linux TSO leaves total length 0 in segments captured before the split. */
static void test_total_length_zero(void **state)
{
	(void)state;
	decode_tot_len(0);
	expect_malformed(NL_L_IPV4, "total length 0 (segmentation offload?)");
	assert_int_equal(pkt.n_anom, 1);
	assert_true(NL_HAS(&pkt, NL_L_UDP)); /* decoded over the frame */
	assert_int_equal(pkt.payload_len, 29);
}

static void test_total_length_below_ihl(void **state)
{
	(void)state;
	for (uint16_t len = 1; len < 20; len++) {
		decode_tot_len(len);
		expect_malformed(NL_L_IPV4, "total length < header length");
		assert_false(NL_HAS(&pkt, NL_L_UDP));
	}
	/* 22 < IHL 24 */
	memcpy(buf, igmp_ra, sizeof(igmp_ra));
	buf[3] = 22;
	decode(NL_DLT_RAW, buf, sizeof(igmp_ra), sizeof(igmp_ra));
	expect_malformed(NL_L_IPV4, "total length < header length");
}

static void test_total_length_beyond_frame(void **state)
{
	(void)state;
	decode_tot_len(58);
	expect_malformed(NL_L_IPV4, "total length exceeds frame");
	decode_tot_len(0xffff);
	expect_malformed(NL_L_IPV4, "total length exceeds frame");
	assert_int_equal(pkt.ip4.tot_len, 0xffff);

	/* beyond the capture but within the frame is a truncation, seen by
	 * the layer the capture stops in */
	decode(NL_DLT_EN10MB, dns_eth, 50, sizeof(dns_eth));
	assert_int_equal(pkt.n_anom, 1);
	assert_int_equal(pkt.anom[0].kind, NL_ANOM_TRUNCATED);
	assert_int_equal(pkt.anom[0].layer, NL_L_PAYLOAD);
	assert_int_equal(pkt.payload_len, 29);
	assert_int_equal(pkt.payload_caplen, 8);
}

static void test_frame_shorter_than_header(void **state)
{
	(void)state;
	decode(NL_DLT_RAW, dns_eth + 14, 12, 12);
	expect_malformed(NL_L_IPV4, "frame shorter than header");
	/* the same bytes cut by the capture */
	decode(NL_DLT_RAW, dns_eth + 14, 12, 40);
	assert_int_equal(pkt.anom[0].kind, NL_ANOM_TRUNCATED);
	assert_int_equal(pkt.anom[0].layer, NL_L_IPV4);
}

static void test_option_lengths(void **state)
{
	(void)state;
	static const uint8_t bad_len[] = {0, 1, 5, 200};
	for (size_t i = 0; i < sizeof(bad_len); i++) {
		memcpy(buf, igmp_ra, sizeof(igmp_ra));
		buf[21] = bad_len[i];
		decode(NL_DLT_RAW, buf, sizeof(igmp_ra), sizeof(igmp_ra));
		expect_malformed(NL_L_IPV4, "option length");
		/* IHL still places the payload */
		assert_int_equal(pkt.l4_off, 24);
	}
	/* NOP, NOP, NOP, EOL */
	memcpy(buf, igmp_ra, sizeof(igmp_ra));
	buf[20] = buf[21] = buf[22] = 1;
	buf[23] = 0;
	decode(NL_DLT_RAW, buf, sizeof(igmp_ra), sizeof(igmp_ra));
	assert_int_equal(pkt.n_anom, 0);
	/* a type with no room left for its length */
	buf[23] = 0x94;
	decode(NL_DLT_RAW, buf, sizeof(igmp_ra), sizeof(igmp_ra));
	expect_malformed(NL_L_IPV4, "option length");
}

static void test_header_checksum(void **state)
{
	(void)state;
	decode(NL_DLT_RAW, igmp_ra, sizeof(igmp_ra), sizeof(igmp_ra));
	assert_int_equal(pkt.ip4.csum_status, NL_CSUM_OK);
	assert_int_equal(pkt.ip4.csum, 0x4112);
	/* the options are covered too */
	memcpy(buf, igmp_ra, sizeof(igmp_ra));
	buf[22] = 1;
	decode(NL_DLT_RAW, buf, sizeof(igmp_ra), sizeof(igmp_ra));
	assert_int_equal(pkt.ip4.csum_status, NL_CSUM_BAD);
	assert_int_equal(pkt.n_anom, 0);
}

/* The entry point leaves the cursor over the payload, padding excluded. */
static void test_entry_point(void **state)
{
	(void)state;
	const uint8_t *g = guard_copy(pad_eth + 14, 46);
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = g;
	pkt.caplen = pkt.len = 46;
	struct nl_cur c = nl_cur_make(g, 46);
	assert_int_equal(nl_decode_ipv4(&pkt, &c, NULL), NL_OK);
	assert_ptr_equal(c.p, g + 20);
	assert_int_equal(nl_cur_left(&c), 10);
	assert_int_equal(pkt.ip4.csum_status, NL_CSUM_UNCHECKED);

	/* a later fragment: the caller must not look for a header */
	g = guard_copy(frag2, sizeof(frag2));
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = g;
	pkt.caplen = pkt.len = sizeof(frag2);
	c = nl_cur_make(g, sizeof(frag2));
	assert_int_equal(nl_decode_ipv4(&pkt, &c, NULL), NL_OK);
	assert_true(pkt.ip_later_fragment);
	assert_int_equal(nl_cur_left(&c), 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_first_fragment_udp),
	    cmocka_unit_test(test_ihl_below_5),
	    cmocka_unit_test(test_version_not_4),
	    cmocka_unit_test(test_total_length_zero),
	    cmocka_unit_test(test_total_length_below_ihl),
	    cmocka_unit_test(test_total_length_beyond_frame),
	    cmocka_unit_test(test_frame_shorter_than_header),
	    cmocka_unit_test(test_option_lengths),
	    cmocka_unit_test(test_header_checksum),
	    cmocka_unit_test(test_entry_point),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	guard_release();
	return rc;
}
