/*
 * Shared harness of the IP-layer decoder tests (test_ipv4, test_ipv6,
 * test_tcp, test_udp, test_icmp): decode a fixture from a guarded buffer with
 * checksum verification on, look up anomalies, and check every prefix.
 * Header-only (static) so each test keeps its own packet.
 */
#ifndef NETLAB_TEST_DECODE_HARNESS_H
#define NETLAB_TEST_DECODE_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netlab/decode.h"
#include "support/guard.h"

#define NL_TEST_UNUSED __attribute__((unused))

static struct nl_packet pkt;
NL_TEST_UNUSED static const struct nl_decode_opts verify = {.verify_checksums = true};

/* Decode cap bytes of b (wire bytes on the wire) from a guarded buffer. */
NL_TEST_UNUSED static void decode(uint32_t dlt, const uint8_t *b, size_t cap, size_t wire)
{
	const uint8_t *g = guard_copy(b, cap);
	nl_decode_packet(&pkt, &verify, dlt, g, (uint32_t)cap, (uint32_t)wire);
}

NL_TEST_UNUSED static const struct nl_anomaly *anom(enum nl_anomaly_kind kind)
{
	for (unsigned i = 0; i < pkt.n_anom; i++)
		if (pkt.anom[i].kind == kind)
			return &pkt.anom[i];
	return NULL;
}

NL_TEST_UNUSED static void expect_malformed(enum nl_layer layer, const char *what)
{
	const struct nl_anomaly *a = anom(NL_ANOM_MALFORMED);
	assert_non_null(a);
	assert_string_equal(a->what, what);
	assert_int_equal(a->layer, layer);
}

/* Layer the capture cuts when it stops before end; NL_LAYER_COUNT for a
 * cut that loses nothing (Ethernet padding). */
struct bound {
	uint32_t end;
	uint8_t layer;
};

/*
 * Every proper prefix decodes without a crash (the guard page catches any
 * over-read), with exactly one anomaly: TRUNCATED on the layer the cut falls
 * in, and a checksum that could not be verified.
 */
NL_TEST_UNUSED static void check_prefixes(uint32_t dlt, const uint8_t *b, size_t n,
			   const struct bound *bd)
{
	for (size_t cap = 0; cap < n; cap++) {
		size_t i = 0;
		while (cap >= bd[i].end)
			i++;
		decode(dlt, b, cap, n);
		if (bd[i].layer == NL_LAYER_COUNT) {
			assert_int_equal(pkt.n_anom, 0);
			continue;
		}
		const struct nl_anomaly *t = anom(NL_ANOM_TRUNCATED);
		if (!t || t->layer != bd[i].layer || pkt.n_anom != 1)
			print_message("prefix %zu of %zu\n", cap, n);
		assert_non_null(t);
		assert_int_equal(t->layer, bd[i].layer);
		assert_int_equal(pkt.n_anom, 1);

#endif
