/*
 * TCP decoder (RFC 9293): hand-built segments with the fields they must
 * decode to, every prefix of each (placed against an unmapped page), hostile
 * headers, and checksum verification including offload detection.
 *
 * Fixture checksums were computed independently (Python) and confirmed with
 * tshark -o tcp.check_checksum:TRUE.
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
		if (NL_HAS(&pkt, NL_L_TCP))
			assert_int_equal(pkt.tcp.csum_status,
					 NL_CSUM_UNVERIFIED);
	}
}

/* clang-format off */
static const uint8_t syn4[] = {
	/* IPv4 192.0.2.10 > 198.51.100.20, id 0x4a1f, DF, ttl 64, TCP */
	0x45, 0x00, 0x00, 0x3c, 0x4a, 0x1f, 0x40, 0x00, 0x40, 0x06, 0x04, 0x4b,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* TCP 51234 > 443 SYN seq 0x1a2b3c4d win 64240 doff 10 */
	0xc8, 0x22, 0x01, 0xbb, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xfa, 0xf0, 0x6d, 0xe6, 0x00, 0x00,
	/* mss 1460, sackOK, TS val 2216543 ecr 0, nop, wscale 7 */
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x21, 0xd2, 0x5f,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

static const uint8_t data4[] = {
	/* IPv4, TCP, total length 89 */
	0x45, 0x00, 0x00, 0x59, 0x4a, 0x20, 0x40, 0x00, 0x40, 0x06, 0x04, 0x2d,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* TCP 51234 > 80 PSH|ACK seq 1000 ack 2000 win 502 doff 8 */
	0xc8, 0x22, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0,
	0x80, 0x18, 0x01, 0xf6, 0xa8, 0xb6, 0x00, 0x00,
	/* nop, nop, TS val 2216600 ecr 3141592 */
	0x01, 0x01, 0x08, 0x0a, 0x00, 0x21, 0xd2, 0x98, 0x00, 0x2f, 0xef, 0xd8,
	/* "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n" */
	0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31,
	0x2e, 0x31, 0x0d, 0x0a, 0x48, 0x6f, 0x73, 0x74, 0x3a, 0x20, 0x65, 0x78,
	0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x0d, 0x0a, 0x0d,
	0x0a,
};

static const uint8_t sack4[] = {
	/* IPv4 198.51.100.20 > 192.0.2.10, TCP */
	0x45, 0x00, 0x00, 0x48, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x4e, 0x5e,
	0xc6, 0x33, 0x64, 0x14, 0xc0, 0x00, 0x02, 0x0a,
	/* TCP 443 > 51234 ACK seq 2000 ack 3552 win 1024 doff 13 */
	0x01, 0xbb, 0xc8, 0x22, 0x00, 0x00, 0x07, 0xd0, 0x00, 0x00, 0x0d, 0xe0,
	0xd0, 0x10, 0x04, 0x00, 0x1d, 0x78, 0x00, 0x00,
	/* nop, nop, TS, nop, nop, SACK 5000-6448 7896-9344 */
	0x01, 0x01, 0x08, 0x0a, 0x00, 0x21, 0xd2, 0xfc, 0x00, 0x2f, 0xef, 0xe0,
	0x01, 0x01, 0x05, 0x12, 0x00, 0x00, 0x13, 0x88, 0x00, 0x00, 0x19, 0x30,
	0x00, 0x00, 0x1e, 0xd8, 0x00, 0x00, 0x24, 0x80,
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

static const uint8_t ack_eth[] = {
	/* Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00,
	/* IPv4, total length 40 */
	0x45, 0x00, 0x00, 0x28, 0x4a, 0x21, 0x40, 0x00, 0x40, 0x06, 0x04, 0x5d,
	0xc0, 0x00, 0x02, 0x0a, 0xc6, 0x33, 0x64, 0x14,
	/* TCP 51234 > 80 ACK seq 1037 ack 2100 win 501 */
	0xc8, 0x22, 0x00, 0x50, 0x00, 0x00, 0x04, 0x0d, 0x00, 0x00, 0x08, 0x34,
	0x50, 0x10, 0x01, 0xf5, 0xec, 0xd9, 0x00, 0x00,
	/* Ethernet padding to 60 bytes */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* clang-format on */

struct tcp_case {
	const char *name;
	uint32_t dlt;
	const uint8_t *b;
	size_t n;
	struct bound bounds[5];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff;
	uint16_t flags, win;
	uint8_t n_opts;
	uint8_t opt_kind[NL_MAX_TCP_OPTS];
	uint16_t mss; /* 0: no MSS option */
	int wscale;   /* -1: no window scale option */
	bool sack_perm;
	bool has_ts;
	uint32_t ts_val, ts_ecr;
	uint8_t n_sack;
	struct nl_tcp_sack sack[NL_MAX_TCP_SACK];
	uint32_t l4_off, payload_off, payload_len;
};

/* clang-format off */
#define RAW4(ip_end, tcp_end)                                                  \
	{{1, NL_L_LINK}, {ip_end, NL_L_IPV4}, {tcp_end, NL_L_TCP},             \
	 {~0u, NL_L_PAYLOAD}}

static const struct tcp_case cases[] = {
	{
		.name = "SYN, Linux option order",
		.dlt = NL_DLT_RAW, .b = syn4, .n = sizeof(syn4),
		.bounds = RAW4(20, 60),
		.sport = 51234, .dport = 443, .seq = 0x1a2b3c4d, .ack = 0,
		.doff = 40, .flags = NL_TCP_SYN, .win = 64240,
		.n_opts = 5,
		.opt_kind = {NL_TCPOPT_MSS, NL_TCPOPT_SACK_PERM,
			     NL_TCPOPT_TIMESTAMP, NL_TCPOPT_NOP,
			     NL_TCPOPT_WSCALE},
		.mss = 1460, .wscale = 7, .sack_perm = true,
		.has_ts = true, .ts_val = 2216543, .ts_ecr = 0,
		.l4_off = 20,
	},
	{
		.name = "data segment",
		.dlt = NL_DLT_RAW, .b = data4, .n = sizeof(data4),
		.bounds = RAW4(20, 52),
		.sport = 51234, .dport = 80, .seq = 1000, .ack = 2000,
		.doff = 32, .flags = NL_TCP_PSH | NL_TCP_ACK, .win = 502,
		.n_opts = 3,
		.opt_kind = {NL_TCPOPT_NOP, NL_TCPOPT_NOP, NL_TCPOPT_TIMESTAMP},
		.wscale = -1,
		.has_ts = true, .ts_val = 2216600, .ts_ecr = 3141592,
		.l4_off = 20, .payload_off = 52, .payload_len = 37,
	},
	{
		.name = "ACK with two SACK blocks",
		.dlt = NL_DLT_RAW, .b = sack4, .n = sizeof(sack4),
		.bounds = RAW4(20, 72),
		.sport = 443, .dport = 51234, .seq = 2000, .ack = 3552,
		.doff = 52, .flags = NL_TCP_ACK, .win = 1024,
		.n_opts = 6,
		.opt_kind = {NL_TCPOPT_NOP, NL_TCPOPT_NOP, NL_TCPOPT_TIMESTAMP,
			     NL_TCPOPT_NOP, NL_TCPOPT_NOP, NL_TCPOPT_SACK},
		.wscale = -1,
		.has_ts = true, .ts_val = 2216700, .ts_ecr = 3141600,
		.n_sack = 2, .sack = {{5000, 6448}, {7896, 9344}},
		.l4_off = 20,
	},
	{
		.name = "IPv6 SYN asking for Accurate ECN (AE, CWR, ECE)",
		.dlt = NL_DLT_RAW, .b = syn6, .n = sizeof(syn6),
		.bounds = {{1, NL_L_LINK}, {40, NL_L_IPV6}, {80, NL_L_TCP}},
		.sport = 40000, .dport = 22, .seq = 0xfffffff0, .ack = 0,
		.doff = 40,
		.flags = NL_TCP_SYN | NL_TCP_ECE | NL_TCP_CWR | NL_TCP_AE,
		.win = 65535,
		.n_opts = 5,
		.opt_kind = {NL_TCPOPT_MSS, NL_TCPOPT_SACK_PERM,
			     NL_TCPOPT_TIMESTAMP, NL_TCPOPT_NOP,
			     NL_TCPOPT_WSCALE},
		.mss = 1440, .wscale = 8, .sack_perm = true,
		.has_ts = true, .ts_val = 77, .ts_ecr = 0,
		.l4_off = 40,
	},
	{
		.name = "Ethernet ACK padded to 60 bytes",
		.dlt = NL_DLT_EN10MB, .b = ack_eth, .n = sizeof(ack_eth),
		.bounds = {{14, NL_L_LINK}, {34, NL_L_IPV4}, {54, NL_L_TCP},
			   {60, NL_LAYER_COUNT}},
		.sport = 51234, .dport = 80, .seq = 1037, .ack = 2100,
		.doff = 20, .flags = NL_TCP_ACK, .win = 501,
		.wscale = -1,
		.l4_off = 34,
	},
};
/* clang-format on */

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct tcp_case *tc = &cases[k];
		print_message("%s\n", tc->name);
		decode(tc->dlt, tc->b, tc->n, tc->n);
		const struct nl_tcp *t = &pkt.tcp;

		assert_int_equal(pkt.n_anom, 0);
		assert_true(NL_HAS(&pkt, NL_L_TCP));
		assert_int_equal(pkt.ip_proto, NL_IPPROTO_TCP);
		assert_int_equal(t->sport, tc->sport);
		assert_int_equal(t->dport, tc->dport);
		assert_int_equal(t->seq, tc->seq);
		assert_int_equal(t->ack, tc->ack);
		assert_int_equal(t->doff, tc->doff);
		assert_int_equal(t->flags, tc->flags);
		assert_int_equal(t->win, tc->win);
		assert_int_equal(t->urg, 0);
		assert_int_equal(t->n_opts, tc->n_opts);
		assert_memory_equal(t->opt_kind, tc->opt_kind, tc->n_opts);
		assert_int_equal(t->has_mss, tc->mss != 0);
		assert_int_equal(t->mss, tc->mss);
		assert_int_equal(t->has_wscale, tc->wscale >= 0);
		if (tc->wscale >= 0)
			assert_int_equal(t->wscale, tc->wscale);
		assert_int_equal(t->sack_perm, tc->sack_perm);
		assert_int_equal(t->has_ts, tc->has_ts);
		assert_int_equal(t->ts_val, tc->ts_val);
		assert_int_equal(t->ts_ecr, tc->ts_ecr);
		assert_int_equal(t->n_sack, tc->n_sack);
		for (unsigned i = 0; i < tc->n_sack; i++) {
			assert_int_equal(t->sack[i].left, tc->sack[i].left);
			assert_int_equal(t->sack[i].right, tc->sack[i].right);
		}
		assert_int_equal(t->csum_status, NL_CSUM_OK);
		assert_int_equal(pkt.l4_off, tc->l4_off);
		assert_int_equal(pkt.payload_len, tc->payload_len);
		assert_int_equal(pkt.payload_caplen, tc->payload_len);
		assert_int_equal(NL_HAS(&pkt, NL_L_PAYLOAD),
				 tc->payload_len > 0);
		if (tc->payload_len) {
			assert_int_equal(pkt.payload_off, tc->payload_off);
			assert_ptr_equal(pkt.payload,
					 pkt.data + tc->payload_off);
		} else {
			assert_null(pkt.payload);
		}
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

/* A snapshot length that keeps the headers and part of the data. */
static void test_payload_cut_by_snaplen(void **state)
{
	(void)state;
	decode(NL_DLT_RAW, data4, 60, sizeof(data4));
	assert_true(NL_HAS(&pkt, NL_L_TCP));
	assert_true(NL_HAS(&pkt, NL_L_PAYLOAD));
	assert_int_equal(pkt.payload_len, 37); /* from the IP length */
	assert_int_equal(pkt.payload_caplen, 8);
	assert_memory_equal(pkt.payload, "GET / HT", 8);
	assert_int_equal(pkt.n_anom, 1);
	assert_int_equal(pkt.anom[0].kind, NL_ANOM_TRUNCATED);
	assert_int_equal(pkt.anom[0].layer, NL_L_PAYLOAD);
}

static uint8_t buf[2048];

/* syn4 with byte off set to v */
static void decode_syn_with(size_t off, uint8_t v)
{
	memcpy(buf, syn4, sizeof(syn4));
	buf[off] = v;
	decode(NL_DLT_RAW, buf, sizeof(syn4), sizeof(syn4));
}

static void test_data_offset_below_5(void **state)
{
	(void)state;
	for (uint8_t d = 0; d < 5; d++) {
		decode_syn_with(32, (uint8_t)(d << 4));
		expect_malformed(NL_L_TCP, "data offset < 5");
		assert_int_equal(pkt.tcp.doff, d * 4);
		assert_false(NL_HAS(&pkt, NL_L_PAYLOAD));
		assert_int_equal(pkt.payload_len, 0);
	}
}

static void test_data_offset_beyond_segment(void **state)
{
	(void)state;
	/* 60 bytes claimed, 40 in the segment */
	decode_syn_with(32, 0xf0);
	expect_malformed(NL_L_TCP, "data offset beyond segment");

	/* the frame holds 6 more bytes, but they are Ethernet padding, not
	 * part of the IP datagram */
	memcpy(buf, ack_eth, sizeof(ack_eth));
	buf[46] = 0x60;
	decode(NL_DLT_EN10MB, buf, sizeof(ack_eth), sizeof(ack_eth));
	expect_malformed(NL_L_TCP, "data offset beyond segment");

	/* beyond the capture but within the segment is a truncation */
	decode(NL_DLT_RAW, syn4, 45, sizeof(syn4));
	assert_int_equal(pkt.anom[0].kind, NL_ANOM_TRUNCATED);
	assert_int_equal(pkt.anom[0].layer, NL_L_TCP);
	assert_string_equal(pkt.anom[0].what, "options");
}

static void test_segment_shorter_than_header(void **state)
{
	(void)state;
	/* IP total length 30: 10 bytes of TCP as sent */
	memcpy(buf, syn4, 30);
	buf[2] = 0;
	buf[3] = 30;
	decode(NL_DLT_RAW, buf, 30, 30);
	expect_malformed(NL_L_TCP, "segment shorter than header");
	assert_false(NL_HAS(&pkt, NL_L_TCP));
}

static void test_option_lengths(void **state)
{
	(void)state;
	/* MSS (kind at 40) with length 0, then 1 */
	decode_syn_with(41, 0);
	expect_malformed(NL_L_TCP, "option length");
	decode_syn_with(41, 1);
	expect_malformed(NL_L_TCP, "option length");
	/* window scale (kind at 57) running 7 bytes past the header */
	decode_syn_with(58, 10);
	expect_malformed(NL_L_TCP, "option length");
	assert_false(pkt.tcp.has_wscale);
	assert_true(pkt.tcp.has_mss); /* what came before is kept */
	/* a kind in the last byte, with no room for its length */
	memcpy(buf, syn4, sizeof(syn4));
	buf[57] = NL_TCPOPT_NOP;
	buf[58] = NL_TCPOPT_NOP;
	buf[59] = NL_TCPOPT_WSCALE;
	decode(NL_DLT_RAW, buf, sizeof(syn4), sizeof(syn4));
	expect_malformed(NL_L_TCP, "option length");
	/* the malformed option does not stop the header or the checksum */
	assert_true(NL_HAS(&pkt, NL_L_TCP));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_BAD);
}

static void test_known_option_wrong_length(void **state)
{
	(void)state;
	/* MSS length 6 swallows SACK_PERM; the walk goes on */
	decode_syn_with(41, 6);
	expect_malformed(NL_L_TCP, "MSS option length");
	assert_false(pkt.tcp.has_mss);
	assert_false(pkt.tcp.sack_perm);
	assert_true(pkt.tcp.has_ts);
	assert_int_equal(pkt.tcp.ts_val, 2216543);
	assert_true(pkt.tcp.has_wscale);
	assert_int_equal(pkt.tcp.wscale, 7);
	assert_int_equal(pkt.tcp.n_opts, 4);

	/* timestamp (at 46) claiming 8 bytes: ends inside the old value */
	memcpy(buf, syn4, sizeof(syn4));
	buf[47] = 8;
	buf[54] = NL_TCPOPT_NOP;
	buf[55] = NL_TCPOPT_NOP;
	decode(NL_DLT_RAW, buf, sizeof(syn4), sizeof(syn4));
	expect_malformed(NL_L_TCP, "timestamp option length");
	assert_false(pkt.tcp.has_ts);

	/* SACK with a partial block */
	memcpy(buf, sack4, sizeof(sack4));
	buf[55] = 14;
	buf[66] = NL_TCPOPT_EOL;
	decode(NL_DLT_RAW, buf, sizeof(sack4), sizeof(sack4));
	expect_malformed(NL_L_TCP, "SACK option length");
	assert_int_equal(pkt.tcp.n_sack, 0);
}

/* 40 bytes of NOPs: the walk is bounded, only NL_MAX_TCP_OPTS are kept */
static void test_many_options(void **state)
{
	(void)state;
	memcpy(buf, syn4, 40);
	buf[3] = 80;
	buf[32] = 0xf0;
	memset(buf + 40, NL_TCPOPT_NOP, 40);
	decode(NL_DLT_RAW, buf, 80, 80);
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.tcp.doff, 60);
	assert_int_equal(pkt.tcp.n_opts, NL_MAX_TCP_OPTS);
	assert_int_equal(pkt.tcp.opt_kind[NL_MAX_TCP_OPTS - 1], NL_TCPOPT_NOP);

	/* EOL ends the list: what follows is padding, not options */
	buf[40] = NL_TCPOPT_MSS;
	buf[41] = 4;
	buf[42] = 0x05;
	buf[43] = 0xb4;
	buf[44] = NL_TCPOPT_EOL;
	buf[45] = 0x42; /* would be a bad option */
	decode(NL_DLT_RAW, buf, 80, 80);
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.tcp.n_opts, 2);
	assert_int_equal(pkt.tcp.mss, 1460);
}

static void test_checksum(void **state)
{
	(void)state;
	/* a flipped payload byte */
	memcpy(buf, data4, sizeof(data4));
	buf[60] ^= 0x20;
	decode(NL_DLT_RAW, buf, sizeof(data4), sizeof(data4));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_BAD);
	assert_int_equal(pkt.n_anom, 0); /* a bad sum is a status */

	/* only the pseudo-header sum (0xec80, computed independently), as
	 * Linux leaves it for the NIC; and its complement */
	decode_syn_with(36, 0xec);
	buf[37] = 0x80;
	decode(NL_DLT_RAW, buf, sizeof(syn4), sizeof(syn4));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OFFLOAD);
	buf[36] = 0x13;
	buf[37] = 0x7f;
	decode(NL_DLT_RAW, buf, sizeof(syn4), sizeof(syn4));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OFFLOAD);
	buf[37] = 0x7e;
	decode(NL_DLT_RAW, buf, sizeof(syn4), sizeof(syn4));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_BAD);

	/* data segment: pseudo-header sum 0xec9d */
	memcpy(buf, data4, sizeof(data4));
	buf[36] = 0xec;
	buf[37] = 0x9d;
	decode(NL_DLT_RAW, buf, sizeof(data4), sizeof(data4));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_OFFLOAD);

	/* not asked */
	const uint8_t *g = guard_copy(syn4, sizeof(syn4));
	struct nl_decode_opts off = {.verify_checksums = false};
	nl_decode_packet(&pkt, &off, NL_DLT_RAW, g, sizeof(syn4), sizeof(syn4));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_UNCHECKED);
	assert_int_equal(pkt.ip4.csum_status, NL_CSUM_UNCHECKED);
	nl_decode_packet(&pkt, NULL, NL_DLT_RAW, g, sizeof(syn4), sizeof(syn4));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_UNCHECKED);
}

static void test_checksum_fragment(void **state)
{
	(void)state;
	/* MF set: the sum covers a datagram this packet holds only part of */
	memcpy(buf, data4, sizeof(data4));
	buf[6] = 0x20;
	buf[7] = 0x00;
	decode(NL_DLT_RAW, buf, sizeof(data4), sizeof(data4));
	assert_true(pkt.ip_fragment);
	assert_false(pkt.ip_later_fragment);
	assert_true(NL_HAS(&pkt, NL_L_TCP));
	assert_int_equal(pkt.tcp.csum_status, NL_CSUM_UNVERIFIED);
}

/* The per-layer entry point on its own, as decode.h offers it to tests. */
static void test_entry_point(void **state)
{
	(void)state;
	const uint8_t *g = guard_copy(syn4 + 20, 40);
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = g;
	pkt.caplen = pkt.len = 40;
	struct nl_cur c = nl_cur_make(g, 40);
	assert_int_equal(nl_decode_tcp(&pkt, &c, NULL), NL_OK);
	assert_int_equal(pkt.tcp.dport, 443);
	assert_int_equal(pkt.tcp.mss, 1460);
	assert_ptr_equal(c.p, g + 40); /* left at the payload */

	c = nl_cur_make(g, 40);
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = g;
	pkt.caplen = 30;
	pkt.len = 40;
	c.end = g + 30;
	assert_int_equal(nl_decode_tcp(&pkt, &c, NULL), NL_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_payload_cut_by_snaplen),
	    cmocka_unit_test(test_data_offset_below_5),
	    cmocka_unit_test(test_data_offset_beyond_segment),
	    cmocka_unit_test(test_segment_shorter_than_header),
	    cmocka_unit_test(test_option_lengths),
	    cmocka_unit_test(test_known_option_wrong_length),
	    cmocka_unit_test(test_many_options),
	    cmocka_unit_test(test_checksum),
	    cmocka_unit_test(test_checksum_fragment),
	    cmocka_unit_test(test_entry_point),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	guard_release();
	return rc;
}
