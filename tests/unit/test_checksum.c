/*
 * Internet checksum (RFC 1071) and offload detection.
 *
 * The sum is checked against a plain 16-bit reference over every length and
 * alignment, and the decoders' verdicts against packets captured on the
 * loopback interface of a Linux host, whose TCP and UDP checksums hold only
 * the pseudo-header sum (CHECKSUM_PARTIAL): tshark calls them incorrect,
 * "maybe caused by TCP checksum offload"; netlab must say OFFLOAD, and OK
 * once the correct value (from tshark) is put in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/decode.h"
#include "support/guard.h"
#include "../../src/decode/internal.h"

static struct nl_packet pkt;
static const struct nl_decode_opts verify = {.verify_checksums = true};

static void decode(uint32_t dlt, const uint8_t *b, size_t n)
{
	const uint8_t *g = guard_copy(b, n);
	nl_decode_packet(&pkt, &verify, dlt, g, (uint32_t)n, (uint32_t)n);
}

/* RFC 1071 §4.1, word by word: the reference the fast sum must match. */
static uint16_t ref_sum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* clang-format off */
static const uint8_t lo_syn4[] = {
	/* Ethernet (loopback), IPv4 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00,
	/* IPv4 127.0.0.1 > 127.0.0.1, TCP */
	0x45, 0x00, 0x00, 0x3c, 0xcf, 0x52, 0x40, 0x00, 0x40, 0x06, 0x6d, 0x67,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* TCP 41002 > 42267 SYN, sum 0xfe30: pseudo sum only (good: 0x7e2f) */
	0xa0, 0x2a, 0xa5, 0x1b, 0x41, 0xcd, 0x81, 0x1d, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xff, 0xd7, 0xfe, 0x30, 0x00, 0x00, 0x02, 0x04, 0xff, 0xd7,
	0x04, 0x02, 0x08, 0x0a, 0x70, 0x95, 0x59, 0x09, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x0a,
};

static const uint8_t lo_udp4[] = {
	/* Ethernet (loopback), IPv4 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00,
	/* IPv4 127.0.0.1 > 127.0.0.1, UDP */
	0x45, 0x00, 0x00, 0x29, 0xd3, 0x62, 0x40, 0x00, 0x40, 0x11, 0x69, 0x5f,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* UDP 56428 > 42554, checksum 0xfe28: pseudo sum only (good: 0x85f5) */
	0xdc, 0x6c, 0xa6, 0x3a, 0x00, 0x15, 0xfe, 0x28,
	/* "dns-ish-query" */
	0x64, 0x6e, 0x73, 0x2d, 0x69, 0x73, 0x68, 0x2d, 0x71, 0x75, 0x65, 0x72,
	0x79,
};

static const uint8_t lo_unreach4[] = {
	/* Ethernet (loopback), IPv4 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00,
	/* IPv4 127.0.0.1 > 127.0.0.1, tos 0xc0, ICMP */
	0x45, 0xc0, 0x00, 0x3e, 0x45, 0x6b, 0x00, 0x00, 0x40, 0x01, 0x36, 0x92,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* ICMP port unreachable (computed in software: correct) */
	0x03, 0x03, 0xe5, 0xd6, 0x00, 0x00, 0x00, 0x00,
	/* quoted IPv4, UDP */
	0x45, 0x00, 0x00, 0x22, 0xd3, 0x64, 0x40, 0x00, 0x40, 0x11, 0x69, 0x64,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* quoted UDP 58260 > 9, checksum 0xfe21 as sent */
	0xe3, 0x94, 0x00, 0x09, 0x00, 0x0e, 0xfe, 0x21,
	/* "nobody" */
	0x6e, 0x6f, 0x62, 0x6f, 0x64, 0x79,
};

static const uint8_t lo_syn6[] = {
	/* Ethernet (loopback), IPv6 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x86, 0xdd,
	/* IPv6 ::1 > ::1, TCP */
	0x60, 0x0a, 0x1b, 0xd5, 0x00, 0x28, 0x06, 0x40, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* TCP 44446 > 55751 SYN, sum 0x0030: pseudo sum only (good: 0x6cce) */
	0xad, 0x9e, 0xd9, 0xc7, 0xdb, 0xd0, 0x16, 0xcd, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xff, 0xc4, 0x00, 0x30, 0x00, 0x00, 0x02, 0x04, 0xff, 0xc4,
	0x04, 0x02, 0x08, 0x0a, 0x67, 0x7f, 0xff, 0xd3, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x0a,
};

static const uint8_t lo_udp6[] = {
	/* Ethernet (loopback), IPv6 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x86, 0xdd,
	/* IPv6 ::1 > ::1, UDP */
	0x60, 0x0d, 0x14, 0xfe, 0x00, 0x0d, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* UDP 48905 > 9, checksum 0x0020: pseudo sum only (good: 0xe524) */
	0xbf, 0x09, 0x00, 0x09, 0x00, 0x0d, 0x00, 0x20,
	/* "v6udp" */
	0x76, 0x36, 0x75, 0x64, 0x70,
};
/* clang-format on */

/* RFC 1071 §3 numerical example: the sum of these bytes is ddf2. */
static void test_rfc1071_example(void **state)
{
	(void)state;
	static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03,
				    0xf4, 0xf5, 0xf6, 0xf7};
	assert_int_equal(nl_csum_fold(nl_csum_add(0, b, sizeof(b))), 0xddf2);
	/* in two chunks (the first even) */
	uint32_t s = nl_csum_add(0, b, 2);
	assert_int_equal(nl_csum_fold(nl_csum_add(s, b + 2, 6)), 0xddf2);
}

static void test_odd_length(void **state)
{
	(void)state;
	static const uint8_t b[] = {0xab, 0xcd, 0xef};
	/* the odd byte is the high half of a zero-padded word */
	assert_int_equal(nl_csum_fold(nl_csum_add(0, b, 1)), 0xab00);
	assert_int_equal(nl_csum_fold(nl_csum_add(0, b, 3)), 0x9ace);
	assert_int_equal(nl_csum_fold(nl_csum_add(0, b, 0)), 0);
}

static void test_fold(void **state)
{
	(void)state;
	assert_int_equal(nl_csum_fold(0x1fffe), 0xffff);
	assert_int_equal(nl_csum_fold(0xffff0001u), 0x0001);
	assert_int_equal(nl_csum_fold(0xffffffffu), 0xffff);
	assert_int_equal(nl_csum_fold(0x12345), 0x2346);
	/* a running sum near the top does not lose its carry */
	static const uint8_t ff[] = {0xff, 0xff};
	assert_int_equal(nl_csum_fold(nl_csum_add(0xffffffffu, ff, 2)), 0xffff);
	static const uint8_t one[] = {0x00, 0x01};
	assert_int_equal(nl_csum_fold(nl_csum_add(0xffffffffu, one, 2)),
			 0x0001);
}

/* Every length and alignment, buffers ending at an unmapped page. */
static void test_against_reference(void **state)
{
	(void)state;
	static uint8_t src[70000];
	srand(1071);
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)rand();

	for (size_t start = 0; start < 8; start++) {
		for (size_t n = 0; n <= 300; n++) {
			const uint8_t *g = guard_copy(src + start, n);
			uint16_t got =
			    nl_csum_fold(nl_csum_add(0, g, (uint32_t)n));
			if (got != ref_sum(src + start, n))
				print_message("start %zu n %zu\n", start, n);
			assert_int_equal(got, ref_sum(src + start, n));
		}
	}
	/* all ones: the largest words, for the carries */
	memset(src, 0xff, sizeof(src));
	const uint8_t *g = guard_copy(src, sizeof(src));
	assert_int_equal(nl_csum_fold(nl_csum_add(0, g, sizeof(src))),
			 ref_sum(src, sizeof(src)));
	g = guard_copy(src, sizeof(src) - 1);
	assert_int_equal(nl_csum_fold(nl_csum_add(0, g, sizeof(src) - 1)),
			 ref_sum(src, sizeof(src) - 1));
}

/* Decode frame (with the checksum at csum_off set to v) and return pkt. */
static uint8_t buf[256];

static void decode_with(const uint8_t *b, size_t n, size_t csum_off, uint16_t v)
{
	memcpy(buf, b, n);
	buf[csum_off] = (uint8_t)(v >> 8);
	buf[csum_off + 1] = (uint8_t)v;
	decode(NL_DLT_EN10MB, buf, n);
}

static void test_loopback_tcp4(void **state)
{
	(void)state;
	decode(NL_DLT_EN10MB, lo_syn4, sizeof(lo_syn4));
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.ip4.csum_status, NL_CSUM_OK);
	assert_int_equal(pkt.tcp.csum, 0xfe30);
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OFFLOAD);

	/* what the kernel stored is our pseudo-header sum */
	uint32_t ph;
	assert_true(nl_csum_pseudo(&pkt, NL_IPPROTO_TCP, 40, &ph));
	assert_int_equal(nl_csum_fold(ph), 0xfe30);

	decode_with(lo_syn4, sizeof(lo_syn4), 50, 0x7e2f);
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OK);
	decode_with(lo_syn4, sizeof(lo_syn4), 50, 0x7e2e);
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_BAD);
	assert_int_equal(pkt.tcp.csum_want, 0x7e2f);
	/* the complement of the pseudo-header sum is accepted too */
	decode_with(lo_syn4, sizeof(lo_syn4), 50, 0x01cf);
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OFFLOAD);
}

static void test_loopback_udp4(void **state)
{
	(void)state;
	decode(NL_DLT_EN10MB, lo_udp4, sizeof(lo_udp4));
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_OFFLOAD);
	assert_int_equal(pkt.payload_len, 13);
	decode_with(lo_udp4, sizeof(lo_udp4), 40, 0x85f5);
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_OK);
	decode_with(lo_udp4, sizeof(lo_udp4), 40, 0x85f4);
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_BAD);
	assert_int_equal(pkt.udp.csum_want, 0x85f5);
}

/* ICMP has no pseudo-header and Linux computes it in software. */
static void test_loopback_icmp4(void **state)
{
	(void)state;
	decode(NL_DLT_EN10MB, lo_unreach4, sizeof(lo_unreach4));
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.icmp.type, 3);
	assert_int_equal(pkt.icmp.code, 3);
	assert_int_equal(pkt.icmp.csum_status, NL_CSUM_OK);
	assert_true(pkt.icmp.has_quote);
	assert_int_equal(pkt.icmp.quote_sport, 58260);
	assert_int_equal(pkt.icmp.quote_dport, 9);
	/* the quoted UDP checksum is left alone: no UDP layer here */
	assert_false(NL_HAS(&pkt, NL_L_UDP));
}

static void test_loopback_tcp6(void **state)
{
	(void)state;
	decode(NL_DLT_EN10MB, lo_syn6, sizeof(lo_syn6));
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OFFLOAD);
	uint32_t ph;
	assert_true(nl_csum_pseudo(&pkt, NL_IPPROTO_TCP, 40, &ph));
	assert_int_equal(nl_csum_fold(ph), 0x0030);
	decode_with(lo_syn6, sizeof(lo_syn6), 70, 0x6cce);
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OK);
	decode_with(lo_syn6, sizeof(lo_syn6), 70, 0x6ccf);
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_BAD);
	assert_int_equal(pkt.tcp.csum_want, 0x6cce);
}

static void test_loopback_udp6(void **state)
{
	(void)state;
	decode(NL_DLT_EN10MB, lo_udp6, sizeof(lo_udp6));
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_OFFLOAD);
	decode_with(lo_udp6, sizeof(lo_udp6), 60, 0xe524);
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_OK);
	/* a flipped payload byte */
	buf[63] ^= 1;
	decode(NL_DLT_EN10MB, buf, sizeof(lo_udp6));
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_BAD);
}

static void test_ipv4_header(void **state)
{
	(void)state;
	decode(NL_DLT_EN10MB, lo_syn4, sizeof(lo_syn4));
	assert_int_equal(pkt.ip4.csum, 0x6d67);
	assert_int_equal(pkt.ip4.csum_status, NL_CSUM_OK);
	memcpy(buf, lo_syn4, sizeof(lo_syn4));
	buf[22] = 63; /* TTL */
	decode(NL_DLT_EN10MB, buf, sizeof(lo_syn4));
	assert_int_equal(pkt.ip4.csum_status, NL_CSUM_BAD);
	/* RFC 1624: TTL 64 -> 63 lowers the word 0x4006 by 0x0100, so the
	 * checksum rises by 0x0100 */
	assert_int_equal(pkt.ip4.csum_want, 0x6e67);
	/* the bad header sum is a status, not an anomaly */
	assert_int_equal(pkt.n_anom, 0);
}

/* Cannot check: not all captured, or not given a pseudo-header. */
static void test_unverified(void **state)
{
	(void)state;
	const uint8_t *g = guard_copy(lo_syn4, sizeof(lo_syn4) - 1);
	nl_decode_packet(&pkt, &verify, NL_DLT_EN10MB, g, sizeof(lo_syn4) - 1,
			 sizeof(lo_syn4));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_UNVERIFIED);

	memset(&pkt, 0, sizeof(pkt));
	uint32_t ph = 1;
	assert_false(nl_csum_pseudo(&pkt, NL_IPPROTO_TCP, 20, &ph));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc1071_example),
	    cmocka_unit_test(test_odd_length),
	    cmocka_unit_test(test_fold),
	    cmocka_unit_test(test_against_reference),
	    cmocka_unit_test(test_loopback_tcp4),
	    cmocka_unit_test(test_loopback_udp4),
	    cmocka_unit_test(test_loopback_icmp4),
	    cmocka_unit_test(test_loopback_tcp6),
	    cmocka_unit_test(test_loopback_udp6),
	    cmocka_unit_test(test_ipv4_header),
	    cmocka_unit_test(test_unverified),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	guard_release();
	return rc;
}
