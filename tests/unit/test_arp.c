/*
 * ARP decoding (RFC 826): Ethernet/IPv4 fields, other hardware and
 * protocol lengths through borrowed pointers, the request / reply /
 * gratuitous / probe classification, truncated and malformed headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/decode.h"
#include "support/guard.h"

#define MAC_A		  0x02, 0x00, 0x00, 0x00, 0x00, 0x0a
#define MAC_B		  0x02, 0x00, 0x00, 0x00, 0x00, 0x0b
#define MAC_0		  0, 0, 0, 0, 0, 0
#define MAC_FF		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define ETH_HDR(dst, src) dst, src, 0x08, 0x06
#define ARP_ETH_IP4(op)	  0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, op

static const struct nl_decode_opts opts;

static int has_anom(const struct nl_packet *pkt, enum nl_anomaly_kind kind,
		    const char *what)
{
	for (unsigned i = 0; i < pkt->n_anom; i++)
		if (pkt->anom[i].kind == kind &&
		    pkt->anom[i].layer == NL_L_ARP &&
		    strcmp(pkt->anom[i].what, what) == 0)
			return 1;
	return 0;
}

static const uint8_t *decode(struct nl_packet *pkt, const uint8_t *b,
			     uint32_t caplen, uint32_t len)
{
	memset(pkt, 0xa5, sizeof(*pkt));
	const uint8_t *g = guard_copy(b, caplen);
	nl_decode_packet(pkt, &opts, NL_DLT_EN10MB, g, caplen, len);
	return g;
}

static void test_request_fields(void **state)
{
	(void)state;
	static const uint8_t f[60] = {
	    ETH_HDR(MAC_FF, MAC_A),
	    ARP_ETH_IP4(1),
	    MAC_A,
	    10,
	    0,
	    0,
	    1,
	    MAC_0,
	    10,
	    0,
	    0,
	    2,
	};
	static const uint8_t a[6] = {MAC_A}, zero[6] = {0};
	static const uint8_t spa[4] = {10, 0, 0, 1}, tpa[4] = {10, 0, 0, 2};
	struct nl_packet pkt;

	const uint8_t *g = decode(&pkt, f, sizeof(f), sizeof(f));
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.layers,
			 NL_LAYER_BIT(NL_L_LINK) | NL_LAYER_BIT(NL_L_ARP));
	assert_int_equal(pkt.l3_off, 14);
	assert_int_equal(pkt.arp.htype, 1);
	assert_int_equal(pkt.arp.ptype, 0x0800);
	assert_int_equal(pkt.arp.hlen, 6);
	assert_int_equal(pkt.arp.plen, 4);
	assert_int_equal(pkt.arp.op, 1);
	assert_int_equal(pkt.arp.kind, NL_ARP_REQUEST);
	assert_true(pkt.arp.eth_ipv4);
	assert_memory_equal(pkt.arp.sha, a, 6);
	assert_memory_equal(pkt.arp.spa, spa, 4);
	assert_memory_equal(pkt.arp.tha, zero, 6);
	assert_memory_equal(pkt.arp.tpa, tpa, 4);
	assert_ptr_equal(pkt.arp.sha_p, g + 22);
	assert_ptr_equal(pkt.arp.spa_p, g + 28);
	assert_ptr_equal(pkt.arp.tha_p, g + 32);
	assert_ptr_equal(pkt.arp.tpa_p, g + 38);
	guard_release();
}

struct kind_case {
	const char *name;
	uint16_t op;
	uint8_t spa[4], tpa[4];
	enum nl_arp_kind kind;
};

static const struct kind_case kind_cases[] = {
    {"request", 1, {10, 0, 0, 1}, {10, 0, 0, 2}, NL_ARP_REQUEST},
    {"reply", 2, {10, 0, 0, 2}, {10, 0, 0, 1}, NL_ARP_REPLY},
    {"announcement", 1, {10, 0, 0, 5}, {10, 0, 0, 5}, NL_ARP_GRATUITOUS},
    {"gratuitous reply", 2, {10, 0, 0, 5}, {10, 0, 0, 5}, NL_ARP_GRATUITOUS},
    {"probe", 1, {0, 0, 0, 0}, {10, 0, 0, 5}, NL_ARP_PROBE},
    {"probe for 0", 1, {0, 0, 0, 0}, {0, 0, 0, 0}, NL_ARP_PROBE},
    {"reply from 0", 2, {0, 0, 0, 0}, {0, 0, 0, 0}, NL_ARP_REPLY},
    {"reply to 0", 2, {10, 0, 0, 5}, {0, 0, 0, 0}, NL_ARP_REPLY},
    {"rarp request", 3, {0, 0, 0, 0}, {0, 0, 0, 0}, NL_ARP_OTHER},
    {"rarp reply", 4, {10, 0, 0, 1}, {10, 0, 0, 9}, NL_ARP_OTHER},
    {"inarp request", 8, {10, 0, 0, 1}, {0, 0, 0, 0}, NL_ARP_OTHER},
    {"inarp reply", 9, {10, 0, 0, 1}, {10, 0, 0, 1}, NL_ARP_OTHER},
    {"op 0", 0, {10, 0, 0, 1}, {10, 0, 0, 1}, NL_ARP_OTHER},
    {"op 65535", 0xffff, {10, 0, 0, 1}, {10, 0, 0, 2}, NL_ARP_OTHER},
};

static void test_classification(void **state)
{
	(void)state;
	struct nl_packet pkt;

	for (size_t i = 0; i < sizeof(kind_cases) / sizeof(kind_cases[0]);
	     i++) {
		const struct kind_case *k = &kind_cases[i];
		uint8_t f[42] = {ETH_HDR(MAC_FF, MAC_A), ARP_ETH_IP4(0), MAC_A};
		f[20] = (uint8_t)(k->op >> 8);
		f[21] = (uint8_t)k->op;
		memcpy(f + 28, k->spa, 4);
		memcpy(f + 38, k->tpa, 4);
		decode(&pkt, f, sizeof(f), sizeof(f));
		if (pkt.arp.kind != k->kind || pkt.arp.op != k->op ||
		    pkt.n_anom != 0)
			fail_msg("%s: kind %d op %u anomalies %u", k->name,
				 pkt.arp.kind, pkt.arp.op, pkt.n_anom);
		assert_true(pkt.arp.eth_ipv4);
	}
	guard_release();
}

static void test_other_hardware(void **state)
{
	(void)state;
	struct nl_packet pkt;
	/* InfiniBand (htype 32, RFC 4391): 20-byte hardware addresses. */
	uint8_t f[14 + 8 + 48] = {
	    ETH_HDR(MAC_FF, MAC_A), 0x00, 0x20, 0x08, 0x00, 20, 4, 0x00, 0x01};
	for (int i = 0; i < 20; i++)
		f[22 + i] = (uint8_t)(0xa0 + i);
	memcpy(f + 42, (const uint8_t[]){10, 1, 1, 1}, 4);
	memcpy(f + 66, (const uint8_t[]){10, 1, 1, 1}, 4);

	const uint8_t *g = decode(&pkt, f, sizeof(f), sizeof(f));
	assert_int_equal(pkt.n_anom, 0);
	assert_false(pkt.arp.eth_ipv4);
	assert_int_equal(pkt.arp.htype, 32);
	assert_int_equal(pkt.arp.hlen, 20);
	assert_ptr_equal(pkt.arp.sha_p, g + 22);
	assert_ptr_equal(pkt.arp.spa_p, g + 42);
	assert_ptr_equal(pkt.arp.tha_p, g + 46);
	assert_ptr_equal(pkt.arp.tpa_p, g + 66);
	assert_int_equal(pkt.arp.sha_p[19], 0xa0 + 19);
	/* IPv4 protocol addresses: the kind still follows RFC 5227. */
	assert_int_equal(pkt.arp.kind, NL_ARP_GRATUITOUS);

	/* Every prefix of it: truncated in ARP once past Ethernet. */
	for (uint32_t p = 14; p < sizeof(f); p++) {
		decode(&pkt, f, p, sizeof(f));
		assert_int_equal(pkt.n_anom, 1);
		assert_int_equal(pkt.anom[0].kind, NL_ANOM_TRUNCATED);
		assert_int_equal(pkt.anom[0].layer, NL_L_ARP);
		assert_int_equal(NL_HAS(&pkt, NL_L_ARP), p >= 22);
		assert_null(pkt.arp.sha_p);
		assert_false(pkt.arp.eth_ipv4);
	}
	guard_release();
}

static void test_zero_lengths(void **state)
{
	(void)state;
	struct nl_packet pkt;
	/* Unknown hardware and protocol, both lengths 0: odd, consistent. */
	static const uint8_t f[22] = {
	    ETH_HDR(MAC_FF, MAC_A), 0xff, 0xff, 0x12, 0x34, 0, 0, 0x00, 0x01};

	const uint8_t *g = decode(&pkt, f, sizeof(f), sizeof(f));
	assert_int_equal(pkt.n_anom, 0);
	assert_true(NL_HAS(&pkt, NL_L_ARP));
	assert_int_equal(pkt.arp.hlen, 0);
	assert_int_equal(pkt.arp.plen, 0);
	assert_ptr_equal(pkt.arp.sha_p, g + 22);
	assert_ptr_equal(pkt.arp.tpa_p, g + 22);
	assert_int_equal(pkt.arp.kind, NL_ARP_REQUEST);
	guard_release();
}

static void test_hlen_mismatch(void **state)
{
	(void)state;
	struct nl_packet pkt;
	static uint8_t f[14 + 8 + 2 * (255 + 4)];

	memcpy(f, (const uint8_t[]){ETH_HDR(MAC_FF, MAC_A), ARP_ETH_IP4(1)},
	       22);
	/* Ethernet hardware with hlen 0 and 255, all bytes present. */
	static const uint8_t hlens[] = {0, 5, 7, 255};
	for (size_t i = 0; i < sizeof(hlens); i++) {
		uint32_t n = 22 + 2 * (hlens[i] + 4);
		f[18] = hlens[i];
		const uint8_t *g = decode(&pkt, f, n, n);
		assert_int_equal(pkt.n_anom, 1);
		assert_true(has_anom(&pkt, NL_ANOM_MALFORMED,
				     "hardware length does not match type"));
		assert_true(NL_HAS(&pkt, NL_L_ARP));
		assert_false(pkt.arp.eth_ipv4);
		assert_int_equal(pkt.arp.hlen, hlens[i]);
		assert_ptr_equal(pkt.arp.spa_p, g + 22 + hlens[i]);
		assert_ptr_equal(pkt.arp.tpa_p, g + 22 + 2 * hlens[i] + 4);
	}

	/* Called directly, the decoder says the layer is malformed. */
	f[18] = 5;
	const uint8_t *g = guard_copy(f + 14, 8 + 2 * (5 + 4));
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = g;
	pkt.caplen = pkt.len = 8 + 2 * (5 + 4);
	struct nl_cur c = nl_cur_make(g, pkt.caplen);
	assert_int_equal(nl_decode_arp(&pkt, &c), NL_MALFORMED);
	assert_int_equal(nl_cur_left(&c), 0);
	assert_int_equal(pkt.arp.kind, NL_ARP_PROBE);

	/* hlen 255 in a minimum-size frame: the addresses cannot fit. */
	f[18] = 255;
	decode(&pkt, f, 60, 60);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED,
			     "hardware length does not match type"));
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED,
			     "ARP addresses extend beyond the frame"));
	assert_null(pkt.arp.sha_p);
	/* ...but a 600-byte frame cut at 60 is truncated (and still wrong). */
	decode(&pkt, f, 60, 600);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED,
			     "hardware length does not match type"));
	assert_true(has_anom(&pkt, NL_ANOM_TRUNCATED, "ARP addresses"));

	/* IPv4 with a protocol length other than 4. */
	f[18] = 6;
	f[19] = 16;
	decode(&pkt, f, 22 + 44, 22 + 44);
	assert_int_equal(pkt.n_anom, 1);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED,
			     "protocol length does not match type"));
	assert_int_equal(pkt.arp.kind, NL_ARP_REQUEST);
	guard_release();
}

static void test_short_header(void **state)
{
	(void)state;
	struct nl_packet pkt;
	static const uint8_t f[60] = {ETH_HDR(MAC_FF, MAC_A), ARP_ETH_IP4(1)};

	/* Sent that short: malformed. Captured that short: truncated. */
	decode(&pkt, f, 19, 19);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED,
			     "frame too short for an ARP header"));
	assert_false(NL_HAS(&pkt, NL_L_ARP));
	decode(&pkt, f, 19, 60);
	assert_true(has_anom(&pkt, NL_ANOM_TRUNCATED, "ARP header"));
	decode(&pkt, f, 30, 30);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED,
			     "ARP addresses extend beyond the frame"));
	assert_true(NL_HAS(&pkt, NL_L_ARP));
	assert_int_equal(pkt.arp.op, 1);
	assert_int_equal(pkt.arp.kind, NL_ARP_REQUEST);
	guard_release();
}

static void test_direct_cursor(void **state)
{
	(void)state;
	struct nl_packet pkt;
	static const uint8_t a[28] = {ARP_ETH_IP4(2), MAC_B, 10, 0, 0, 2,
				      MAC_A,	      10,    0,	 0, 1};

	/* Called on its own, with the cursor at the ARP header. */
	for (uint32_t p = 0; p <= sizeof(a); p++) {
		const uint8_t *g = guard_copy(a, p);
		memset(&pkt, 0, sizeof(pkt));
		pkt.data = g;
		pkt.caplen = p;
		pkt.len = sizeof(a);
		struct nl_cur c = nl_cur_make(g, p);
		enum nl_status st = nl_decode_arp(&pkt, &c);
		if (p < sizeof(a)) {
			assert_int_equal(st, NL_TRUNCATED);
			assert_int_equal(pkt.n_anom, 1);
			assert_int_equal(pkt.anom[0].kind, NL_ANOM_TRUNCATED);
			assert_int_equal(pkt.anom[0].layer, NL_L_ARP);
		} else {
			assert_int_equal(st, NL_OK);
			assert_int_equal(pkt.n_anom, 0);
			assert_int_equal(pkt.arp.kind, NL_ARP_REPLY);
			assert_int_equal(nl_cur_left(&c), 0);
			assert_ptr_equal(c.p, g + 28);
		}
	}
	guard_release();
}

static void test_stale_fields_cleared(void **state)
{
	(void)state;
	struct nl_packet pkt;
	uint8_t f[60] = {
	    ETH_HDR(MAC_FF, MAC_A), ARP_ETH_IP4(1), MAC_A, 10, 0, 0, 1};

	decode(&pkt, f, sizeof(f), sizeof(f));
	assert_true(pkt.arp.eth_ipv4);
	/* The same struct, now a truncated ARP: nothing left over. */
	nl_decode_packet(&pkt, &opts, NL_DLT_EN10MB, f, 30, 60);
	assert_false(pkt.arp.eth_ipv4);
	assert_null(pkt.arp.sha_p);
	assert_null(pkt.arp.tpa_p);
	assert_int_equal(pkt.arp.sha[0], 0);
	guard_release();
}

static void test_op_names(void **state)
{
	(void)state;
	assert_string_equal(nl_arp_op_name(1), "request");
	assert_string_equal(nl_arp_op_name(2), "reply");
	assert_string_equal(nl_arp_op_name(3), "RARP request");
	assert_string_equal(nl_arp_op_name(4), "RARP reply");
	assert_string_equal(nl_arp_op_name(8), "InARP request");
	assert_string_equal(nl_arp_op_name(9), "InARP reply");
	assert_string_equal(nl_arp_op_name(0), "unknown");
	assert_string_equal(nl_arp_op_name(999), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request_fields),
	    cmocka_unit_test(test_classification),
	    cmocka_unit_test(test_other_hardware),
	    cmocka_unit_test(test_zero_lengths),
	    cmocka_unit_test(test_hlen_mismatch),
	    cmocka_unit_test(test_short_header),
	    cmocka_unit_test(test_direct_cursor),
	    cmocka_unit_test(test_stale_fields_cleared),
	    cmocka_unit_test(test_op_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
