/*
 * UDP decoder (RFC 768): DNS-like datagrams over IPv4 and IPv6, every prefix,
 * hostile lengths, and the checksum rules (0 = none over IPv4, forbidden over
 * IPv6; a computed 0 is sent as 0xffff).
 *
 * Fixture checksums were computed independently (Python) and confirmed with
 * tshark -o udp.check_checksum:TRUE.
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
		if (NL_HAS(&pkt, NL_L_UDP) && pkt.udp.csum != 0)
			assert_int_equal(pkt.udp.csum_status,
					 NL_CSUM_UNVERIFIED);
	}
}

/* clang-format off */
static const uint8_t dns4[] = {
	/* IPv4 192.0.2.10 > 192.0.2.53, UDP, total length 57 */
	0x45, 0x00, 0x00, 0x39, 0x0b, 0x1c, 0x40, 0x00, 0x40, 0x11, 0xab, 0x58,
	0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x35,
	/* UDP 53001 > 53, length 37 */
	0xcf, 0x09, 0x00, 0x35, 0x00, 0x25, 0xca, 0x83,
	/* DNS query 0x1234: example.com A IN */
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d,
	0x00, 0x00, 0x01, 0x00, 0x01,
};

static const uint8_t dns6[] = {
	/* IPv6 2001:db8::1 > 2001:db8::53, UDP, plen 37, hlim 64 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x25, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x53,
	/* UDP 53002 > 53 */
	0xcf, 0x0a, 0x00, 0x35, 0x00, 0x25, 0x3b, 0x5d,
	/* DNS query 0xabcd: example.org AAAA IN */
	0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x6f, 0x72, 0x67,
	0x00, 0x00, 0x1c, 0x00, 0x01,
};

static const uint8_t nocsum4[] = {
	/* IPv4, UDP, total length 36 */
	0x45, 0x00, 0x00, 0x24, 0x01, 0x01, 0x40, 0x00, 0x40, 0x11, 0x4d, 0x76,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* UDP 49152 > 7777, checksum 0 (none, RFC 768) */
	0xc0, 0x00, 0x1e, 0x61, 0x00, 0x10, 0x00, 0x00,
	/* "zero-sum" */
	0x7a, 0x65, 0x72, 0x6f, 0x2d, 0x73, 0x75, 0x6d,
};

static const uint8_t ffff4[] = {
	/* IPv4, UDP, total length 36 */
	0x45, 0x00, 0x00, 0x24, 0x0f, 0xfe, 0x40, 0x00, 0x40, 0x11, 0x3e, 0x79,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* UDP 1234 > 5678, computed sum 0 sent as 0xffff (RFC 768) */
	0x04, 0xd2, 0x16, 0x2e, 0x00, 0x10, 0xff, 0xff,
	/* "cksum" + 2 bytes chosen to make the sum 0 + "!" */
	0x63, 0x6b, 0x73, 0x75, 0x6d, 0x79, 0xb4, 0x21,
};
/* clang-format on */

struct udp_case {
	const char *name;
	const uint8_t *b;
	size_t n;
	struct bound bounds[5];
	uint16_t sport, dport, len, csum;
	uint8_t csum_status;
	uint32_t l4_off, payload_len;
	const char *payload;
};

/* clang-format off */
static const struct udp_case cases[] = {
	{
		.name = "DNS query over IPv4",
		.b = dns4, .n = sizeof(dns4),
		.bounds = {{1, NL_L_LINK}, {20, NL_L_IPV4}, {28, NL_L_UDP},
			   {57, NL_L_PAYLOAD}},
		.sport = 53001, .dport = 53, .len = 37, .csum = 0xca83,
		.csum_status = NL_CSUM_OK,
		.l4_off = 20, .payload_len = 29,
		.payload = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
			   "\x07" "example\x03" "com",
	},
	{
		.name = "DNS AAAA query over IPv6",
		.b = dns6, .n = sizeof(dns6),
		.bounds = {{1, NL_L_LINK}, {40, NL_L_IPV6}, {48, NL_L_UDP},
			   {77, NL_L_PAYLOAD}},
		.sport = 53002, .dport = 53, .len = 37, .csum = 0x3b5d,
		.csum_status = NL_CSUM_OK,
		.l4_off = 40, .payload_len = 29,
		.payload = "\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
			   "\x07" "example\x03" "org",
	},
	{
		.name = "no checksum over IPv4",
		.b = nocsum4, .n = sizeof(nocsum4),
		.bounds = {{1, NL_L_LINK}, {20, NL_L_IPV4}, {28, NL_L_UDP},
			   {36, NL_L_PAYLOAD}},
		.sport = 49152, .dport = 7777, .len = 16, .csum = 0,
		.csum_status = NL_CSUM_ABSENT,
		.l4_off = 20, .payload_len = 8, .payload = "zero-sum",
	},
	{
		.name = "computed sum 0, sent as 0xffff",
		.b = ffff4, .n = sizeof(ffff4),
		.bounds = {{1, NL_L_LINK}, {20, NL_L_IPV4}, {28, NL_L_UDP},
			   {36, NL_L_PAYLOAD}},
		.sport = 1234, .dport = 5678, .len = 16, .csum = 0xffff,
		.csum_status = NL_CSUM_OK,
		.l4_off = 20, .payload_len = 8, .payload = "cksum\x79\xb4!",
	},
};
/* clang-format on */

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct udp_case *uc = &cases[k];
		print_message("%s\n", uc->name);
		decode(NL_DLT_RAW, uc->b, uc->n, uc->n);
		assert_int_equal(pkt.n_anom, 0);
		assert_true(NL_HAS(&pkt, NL_L_UDP));
		assert_int_equal(pkt.ip_proto, NL_IPPROTO_UDP);
		assert_int_equal(pkt.udp.sport, uc->sport);
		assert_int_equal(pkt.udp.dport, uc->dport);
		assert_int_equal(pkt.udp.len, uc->len);
		if (uc->csum)
			assert_int_equal(pkt.udp.csum, uc->csum);
		assert_int_equal(pkt.udp.csum_status, uc->csum_status);
		assert_int_equal(pkt.l4_off, uc->l4_off);
		assert_true(NL_HAS(&pkt, NL_L_PAYLOAD));
		assert_int_equal(pkt.payload_off, uc->l4_off + 8);
		assert_int_equal(pkt.payload_len, uc->payload_len);
		assert_int_equal(pkt.payload_caplen, uc->payload_len);
		assert_memory_equal(pkt.payload, uc->payload,
				    strlen(uc->payload));
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

static uint8_t buf[256];

/* dns4 (or dns6) with the UDP length field set to len */
static void decode_len(const uint8_t *b, size_t n, size_t l4, uint16_t len)
{
	memcpy(buf, b, n);
	buf[l4 + 4] = (uint8_t)(len >> 8);
	buf[l4 + 5] = (uint8_t)len;
	decode(NL_DLT_RAW, buf, n, n);
}

static void test_length_below_8(void **state)
{
	(void)state;
	for (uint16_t len = 0; len < 8; len++) {
		decode_len(dns4, sizeof(dns4), 20, len);
		expect_malformed(NL_L_UDP, "length < 8");
		assert_false(NL_HAS(&pkt, NL_L_PAYLOAD));
		decode_len(dns6, sizeof(dns6), 40, len);
		expect_malformed(NL_L_UDP, "length < 8");
	}
}

static void test_length_beyond_ip_payload(void **state)
{
	(void)state;
	decode_len(dns4, sizeof(dns4), 20, 38);
	expect_malformed(NL_L_UDP, "length exceeds IP payload");
	assert_false(NL_HAS(&pkt, NL_L_PAYLOAD));
	decode_len(dns6, sizeof(dns6), 40, 0xffff);
	expect_malformed(NL_L_UDP, "length exceeds IP payload");
}

/* Legal on the wire, but worth a note; the datagram is the UDP length. */
static void test_length_short_of_ip_payload(void **state)
{
	(void)state;
	decode_len(dns4, sizeof(dns4), 20, 30);
	expect_malformed(NL_L_UDP, "length shorter than IP payload");
	assert_int_equal(pkt.n_anom, 1);
	assert_true(NL_HAS(&pkt, NL_L_UDP));
	assert_int_equal(pkt.payload_len, 22);
	assert_int_equal(pkt.payload_caplen, 22);
}

static void test_shorter_than_header(void **state)
{
	(void)state;
	/* IP total length 24: 4 bytes of UDP as sent */
	memcpy(buf, dns4, 24);
	buf[3] = 24;
	decode(NL_DLT_RAW, buf, 24, 24);
	expect_malformed(NL_L_UDP, "datagram shorter than header");
	assert_false(NL_HAS(&pkt, NL_L_UDP));
}

static void test_checksum(void **state)
{
	(void)state;
	/* flipped byte */
	memcpy(buf, dns4, sizeof(dns4));
	buf[40] ^= 0x80;
	decode(NL_DLT_RAW, buf, sizeof(dns4), sizeof(dns4));
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_BAD);
	assert_int_equal(pkt.n_anom, 0);

	/* pseudo-header sum only (0x8476, computed independently) */
	memcpy(buf, dns4, sizeof(dns4));
	buf[26] = 0x84;
	buf[27] = 0x76;
	decode(NL_DLT_RAW, buf, sizeof(dns4), sizeof(dns4));
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_OFFLOAD);

	/* RFC 8200 §8.1: a zero checksum is not allowed over IPv6 */
	memcpy(buf, dns6, sizeof(dns6));
	buf[46] = buf[47] = 0;
	decode(NL_DLT_RAW, buf, sizeof(dns6), sizeof(dns6));
	expect_malformed(NL_L_UDP, "checksum 0 over IPv6");
	assert_int_equal(pkt.udp.csum_status, NL_CSUM_BAD);
	assert_int_equal(pkt.payload_len, 29); /* still decoded */
}

/* Ethernet padding after the datagram is not UDP's. */
static void test_padding(void **state)
{
	(void)state;
	static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2,    2,
					0, 0, 0, 0, 1, 0x08, 0x00};
	memset(buf, 0xee, sizeof(buf));
	memcpy(buf, eth, 14);
	memcpy(buf + 14, nocsum4, sizeof(nocsum4));
	decode(NL_DLT_EN10MB, buf, 60, 60);
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.payload_len, 8);
	assert_int_equal(pkt.payload_caplen, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_length_below_8),
	    cmocka_unit_test(test_length_beyond_ip_payload),
	    cmocka_unit_test(test_length_short_of_ip_payload),
	    cmocka_unit_test(test_shorter_than_header),
	    cmocka_unit_test(test_checksum),
	    cmocka_unit_test(test_padding),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	guard_release();
	return rc;
}
