/*
 * Link-layer decoding through nl_decode_packet: one hand-built frame per
 * link type, its decoded fields, and every prefix of it decoded against an
 * unmapped page (truncated on the right layer, never a crash).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/decode.h"
#include "support/guard.h"

#define L(x) NL_LAYER_BIT(NL_L_##x)
#define BYTES(...)                                                             \
	(const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

#define MAC_DST	  0x00, 0x11, 0x22, 0x33, 0x44, 0x55
#define MAC_SRC	  0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee
#define MAC_BCAST 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

/* 192.168.1.1:1234 -> 192.168.1.2:53, UDP, 4 payload bytes "ping"; both
 * checksums correct. 20 + 8 + 4 bytes. */
#define IP4_UDP                                                                \
	0x45, 0x00, 0x00, 0x20, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0xa5,      \
	    0x45, 192, 168, 1, 1, 192, 168, 1, 2, 0x04, 0xd2, 0x00, 0x35,      \
	    0x00, 0x0c, 0x98, 0xaa, 'p', 'i', 'n', 'g'
/* 2001:db8::1 -> 2001:db8::2, same UDP datagram. 40 + 8 + 4 bytes. */
#define IP6_ADDR(last)                                                         \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last
#define IP6_UDP                                                                \
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40, IP6_ADDR(1),           \
	    IP6_ADDR(2), 0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0xc0, 0x89, 'p',  \
	    'i', 'n', 'g'
/* who-has 192.168.1.2 tell 192.168.1.1. 28 bytes. */
#define ARP_REQ                                                                \
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, MAC_SRC, 192, 168, 1,  \
	    1, 0, 0, 0, 0, 0, 0, 192, 168, 1, 2
#define PAD2  0, 0
#define PAD8  0, 0, 0, 0, 0, 0, 0, 0
#define PAD10 PAD8, PAD2
#define PAD18 PAD8, PAD8, PAD2

/* Bytes [previous end, end) belong to layer: a capture cut inside them is
 * truncated there. Bytes after the last segment (padding, or a protocol
 * netlab does not decode) may be cut without an anomaly. */
struct seg {
	uint32_t end;
	enum nl_layer layer;
};

struct fixture {
	const char *name;
	uint32_t dlt;
	const uint8_t *b;
	uint32_t n;
	enum nl_link_kind kind;
	uint16_t hdr_len;
	uint16_t ethertype;
	uint32_t layers;
	uint32_t l3_off;
	struct seg seg[6];
};

/* One fixture per paragraph reads better than one field per line. */
/* clang-format off */
#define IP4_SEGS(o)                                                            \
	{(o) + 20, NL_L_IPV4}, {(o) + 28, NL_L_UDP}, {(o) + 32, NL_L_PAYLOAD}
#define IP6_SEGS(o)                                                            \
	{(o) + 40, NL_L_IPV6}, {(o) + 48, NL_L_UDP}, {(o) + 52, NL_L_PAYLOAD}
#define V4_LAYERS (L(IPV4) | L(UDP) | L(PAYLOAD))
#define V6_LAYERS (L(IPV6) | L(UDP) | L(PAYLOAD))

static const struct fixture fixtures[] = {
	{"ethernet arp", NL_DLT_EN10MB,
	 BYTES(MAC_BCAST, MAC_SRC, 0x08, 0x06, ARP_REQ, PAD18),
	 NL_LINK_ETHERNET, 14, NL_ETHERTYPE_ARP, L(LINK) | L(ARP), 14,
	 {{14, NL_L_LINK}, {42, NL_L_ARP}}},
	{"ethernet ipv6", NL_DLT_EN10MB,
	 BYTES(MAC_DST, MAC_SRC, 0x86, 0xdd, IP6_UDP),
	 NL_LINK_ETHERNET, 14, NL_ETHERTYPE_IPV6, L(LINK) | V6_LAYERS, 14,
	 {{14, NL_L_LINK}, IP6_SEGS(14)}},
	{"802.1Q arp", NL_DLT_EN10MB,
	 BYTES(MAC_BCAST, MAC_SRC, 0x81, 0x00, 0x60, 0x0a, 0x08, 0x06, ARP_REQ,
	       PAD18),
	 NL_LINK_ETHERNET, 18, NL_ETHERTYPE_ARP, L(LINK) | L(VLAN) | L(ARP), 18,
	 {{14, NL_L_LINK}, {18, NL_L_VLAN}, {46, NL_L_ARP}}},
	{"802.1ad+802.1Q ipv4", NL_DLT_EN10MB,
	 BYTES(MAC_DST, MAC_SRC, 0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x30, 0xc8,
	       0x08, 0x00, IP4_UDP),
	 NL_LINK_ETHERNET, 22, NL_ETHERTYPE_IPV4, L(LINK) | L(VLAN) | V4_LAYERS,
	 22, {{14, NL_L_LINK}, {22, NL_L_VLAN}, IP4_SEGS(22)}},
	{"802.3 snap arp", NL_DLT_EN10MB,
	 BYTES(MAC_BCAST, MAC_SRC, 0x00, 0x24, 0xaa, 0xaa, 0x03, 0x00, 0x00,
	       0x00, 0x08, 0x06, ARP_REQ, PAD10),
	 NL_LINK_ETHERNET, 22, NL_ETHERTYPE_ARP, L(LINK) | L(ARP), 22,
	 {{22, NL_L_LINK}, {50, NL_L_ARP}}},
	/* spanning tree: LLC without SNAP, 35-byte configuration BPDU */
	{"802.3 llc stp", NL_DLT_EN10MB,
	 BYTES(0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, MAC_SRC, 0x00, 0x26,
	       0x42, 0x42, 0x03,
	       0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, MAC_SRC,
	       0x00, 0x00, 0x00, 0x00, 0x80, 0x00, MAC_SRC, 0x80, 0x01,
	       0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x0f, 0x00, PAD8),
	 NL_LINK_ETHERNET, 17, 0, L(LINK), 0, {{17, NL_L_LINK}}},
	{"ethernet unknown type", NL_DLT_EN10MB,
	 BYTES(MAC_DST, MAC_SRC, 0x88, 0xb5, 1, 2, 3, 4, 5, 6, 7, 8,
	       PAD8, PAD8, PAD8, PAD8, PAD8, PAD2),
	 NL_LINK_ETHERNET, 14, 0x88b5, L(LINK), 0, {{14, NL_L_LINK}}},
	{"sll ipv4", NL_DLT_LINUX_SLL,
	 BYTES(0x00, 0x00, 0x00, 0x01, 0x00, 0x06, MAC_SRC, 0x00, 0x00,
	       0x08, 0x00, IP4_UDP),
	 NL_LINK_SLL, 16, NL_ETHERTYPE_IPV4, L(LINK) | V4_LAYERS, 16,
	 {{16, NL_L_LINK}, IP4_SEGS(16)}},
	{"sll2 arp", NL_DLT_LINUX_SLL2,
	 BYTES(0x08, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01,
	       0x04, 0x06, MAC_SRC, 0x00, 0x00, ARP_REQ),
	 NL_LINK_SLL2, 20, NL_ETHERTYPE_ARP, L(LINK) | L(ARP), 20,
	 {{20, NL_L_LINK}, {48, NL_L_ARP}}},
	{"sll2 ipv6", NL_DLT_LINUX_SLL2,
	 BYTES(0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
	       0x00, 0x06, MAC_SRC, 0x00, 0x00, IP6_UDP),
	 NL_LINK_SLL2, 20, NL_ETHERTYPE_IPV6, L(LINK) | V6_LAYERS, 20,
	 {{20, NL_L_LINK}, IP6_SEGS(20)}},
	{"raw ipv4 (12)", NL_DLT_RAW, BYTES(IP4_UDP),
	 NL_LINK_RAW, 0, NL_ETHERTYPE_IPV4, L(LINK) | V4_LAYERS, 0,
	 {{1, NL_L_LINK}, IP4_SEGS(0)}},
	{"raw ipv6 (101)", NL_DLT_RAW_LINKTYPE, BYTES(IP6_UDP),
	 NL_LINK_RAW, 0, NL_ETHERTYPE_IPV6, L(LINK) | V6_LAYERS, 0,
	 {{1, NL_L_LINK}, IP6_SEGS(0)}},
	{"raw ipv4 (14)", NL_DLT_RAW_OPENBSD, BYTES(IP4_UDP),
	 NL_LINK_RAW, 0, NL_ETHERTYPE_IPV4, L(LINK) | V4_LAYERS, 0,
	 {{1, NL_L_LINK}, IP4_SEGS(0)}},
	{"ipv4 (228)", NL_DLT_IPV4, BYTES(IP4_UDP),
	 NL_LINK_RAW, 0, NL_ETHERTYPE_IPV4, L(LINK) | V4_LAYERS, 0,
	 {IP4_SEGS(0)}},
	{"ipv6 (229)", NL_DLT_IPV6, BYTES(IP6_UDP),
	 NL_LINK_RAW, 0, NL_ETHERTYPE_IPV6, L(LINK) | V6_LAYERS, 0,
	 {IP6_SEGS(0)}},
	{"null le ipv4", NL_DLT_NULL, BYTES(0x02, 0x00, 0x00, 0x00, IP4_UDP),
	 NL_LINK_NULL, 4, NL_ETHERTYPE_IPV4, L(LINK) | V4_LAYERS, 4,
	 {{4, NL_L_LINK}, IP4_SEGS(4)}},
	{"null be ipv6 (darwin)", NL_DLT_NULL,
	 BYTES(0x00, 0x00, 0x00, 0x1e, IP6_UDP),
	 NL_LINK_NULL, 4, NL_ETHERTYPE_IPV6, L(LINK) | V6_LAYERS, 4,
	 {{4, NL_L_LINK}, IP6_SEGS(4)}},
	{"null le ipv6 (freebsd)", NL_DLT_NULL,
	 BYTES(0x1c, 0x00, 0x00, 0x00, IP6_UDP),
	 NL_LINK_NULL, 4, NL_ETHERTYPE_IPV6, L(LINK) | V6_LAYERS, 4,
	 {{4, NL_L_LINK}, IP6_SEGS(4)}},
	{"loop ipv4", NL_DLT_LOOP, BYTES(0x00, 0x00, 0x00, 0x02, IP4_UDP),
	 NL_LINK_NULL, 4, NL_ETHERTYPE_IPV4, L(LINK) | V4_LAYERS, 4,
	 {{4, NL_L_LINK}, IP4_SEGS(4)}},
	{"loop ipv6 (openbsd)", NL_DLT_LOOP,
	 BYTES(0x00, 0x00, 0x00, 0x18, IP6_UDP),
	 NL_LINK_NULL, 4, NL_ETHERTYPE_IPV6, L(LINK) | V6_LAYERS, 4,
	 {{4, NL_L_LINK}, IP6_SEGS(4)}},
	{"unknown dlt", 147, BYTES(1, 2, 3, 4, 5, 6, 7, 8),
	 NL_LINK_UNKNOWN, 0, 0, 0, 0, {{0, NL_L_LINK}}},
};
/* clang-format on */

#define N_FIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

static const struct nl_decode_opts plain = {.verify_checksums = false};
static const struct nl_decode_opts verify = {.verify_checksums = true};

static int has_anom(const struct nl_packet *pkt, enum nl_anomaly_kind kind,
		    enum nl_layer layer, const char *what)
{
	for (unsigned i = 0; i < pkt->n_anom; i++)
		if (pkt->anom[i].kind == kind && pkt->anom[i].layer == layer &&
		    (!what || strcmp(pkt->anom[i].what, what) == 0))
			return 1;
	return 0;
}

static void decode(struct nl_packet *pkt, uint32_t dlt, const uint8_t *b,
		   uint32_t caplen, uint32_t len)
{
	memset(pkt, 0xa5, sizeof(*pkt)); /* stale garbage from "last packet" */
	const uint8_t *g = guard_copy(b, caplen);
	nl_decode_packet(pkt, &plain, dlt, g, caplen, len);
}

static void test_fixtures_decode(void **state)
{
	(void)state;
	struct nl_packet pkt;

	for (size_t i = 0; i < N_FIXTURES; i++) {
		const struct fixture *f = &fixtures[i];
		decode(&pkt, f->dlt, f->b, f->n, f->n);
		if (pkt.n_anom != 0)
			fail_msg("%s: anomaly %s/%s", f->name,
				 nl_layer_name(pkt.anom[0].layer),
				 pkt.anom[0].what);
		if (pkt.link.kind != f->kind || pkt.link.dlt != f->dlt ||
		    pkt.link.hdr_len != f->hdr_len ||
		    pkt.link.ethertype != f->ethertype ||
		    pkt.layers != f->layers || pkt.l3_off != f->l3_off)
			fail_msg("%s: kind %d hdr_len %u ethertype 0x%04x "
				 "layers 0x%x l3_off %u",
				 f->name, pkt.link.kind, pkt.link.hdr_len,
				 pkt.link.ethertype, pkt.layers, pkt.l3_off);
		assert_int_equal(pkt.caplen, f->n);
		assert_int_equal(pkt.len, f->n);
		if (f->layers & L(UDP)) {
			assert_int_equal(pkt.ip_proto, NL_IPPROTO_UDP);
			assert_int_equal(pkt.udp.sport, 1234);
			assert_int_equal(pkt.udp.dport, 53);
			assert_int_equal(pkt.payload_len, 4);
			assert_memory_equal(pkt.payload, "ping", 4);
		}
	}
	guard_release();
}

/* The segment holding byte p, or NULL when a cut there loses nothing a
 * decoder looks at. */
static const struct seg *seg_at(const struct fixture *f, uint32_t p)
{
	for (size_t i = 0; i < 6 && f->seg[i].end; i++)
		if (p < f->seg[i].end)
			return &f->seg[i];
	return NULL;
}

static void check_prefixes(const struct nl_decode_opts *o)
{
	struct nl_packet pkt;

	for (size_t i = 0; i < N_FIXTURES; i++) {
		const struct fixture *f = &fixtures[i];
		for (uint32_t p = 0; p < f->n; p++) {
			memset(&pkt, 0x5a, sizeof(pkt));
			const uint8_t *g = guard_copy(f->b, p);
			nl_decode_packet(&pkt, o, f->dlt, g, p, f->n);
			const struct seg *s = seg_at(f, p);
			int first_trunc = -1;
			for (unsigned k = 0; k < pkt.n_anom; k++) {
				if (pkt.anom[k].kind == NL_ANOM_MALFORMED)
					fail_msg(
					    "%s prefix %u: malformed "
					    "%s/%s",
					    f->name, p,
					    nl_layer_name(pkt.anom[k].layer),
					    pkt.anom[k].what);
				if (first_trunc < 0)
					first_trunc = pkt.anom[k].layer;
			}
			if (!s && first_trunc >= 0)
				fail_msg(
				    "%s prefix %u: truncated %s, expected "
				    "nothing",
				    f->name, p,
				    nl_layer_name((enum nl_layer)first_trunc));
			if (s && first_trunc != (int)s->layer)
				fail_msg("%s prefix %u: truncated %s, expected "
					 "%s",
					 f->name, p,
					 first_trunc < 0
					     ? "nowhere"
					     : nl_layer_name(
						   (enum nl_layer)first_trunc),
					 nl_layer_name(s->layer));
			/* Layers below the cut were decoded in full. */
			assert_int_equal(pkt.link.kind, f->kind);
		}
	}
	guard_release();
}

static void test_every_prefix_truncated(void **state)
{
	(void)state;
	check_prefixes(&plain);
}

static void test_every_prefix_truncated_verify(void **state)
{
	(void)state;
	check_prefixes(&verify);
}

static void test_ethernet_fields(void **state)
{
	(void)state;
	struct nl_packet pkt;
	const struct fixture *f = &fixtures[0];
	static const uint8_t bcast[6] = {MAC_BCAST}, src[6] = {MAC_SRC};

	decode(&pkt, f->dlt, f->b, f->n, f->n);
	assert_memory_equal(pkt.link.dst, bcast, 6);
	assert_memory_equal(pkt.link.src, src, 6);
	assert_int_equal(pkt.link.type_len, 0x0806);
	assert_false(pkt.link.is_8023);
	assert_int_equal(pkt.link.n_vlan, 0);
	assert_true(pkt.link.fcs_absent);
	assert_int_equal(pkt.link.wire_frame_len, 64);
	assert_false(pkt.link.undersize);
	assert_false(pkt.link.oversize);

	/* 42 bytes sent unpadded (an outgoing frame captured before the NIC
	 * pads it): 46 on the wire counting the FCS, under 64. */
	decode(&pkt, f->dlt, f->b, 42, 42);
	assert_int_equal(pkt.link.wire_frame_len, 46);
	assert_true(pkt.link.undersize);
	assert_int_equal(pkt.n_anom, 0);
	assert_true(NL_HAS(&pkt, NL_L_ARP));
	guard_release();
}

static void test_vlan_fields(void **state)
{
	(void)state;
	struct nl_packet pkt;
	const struct fixture *f = &fixtures[3]; /* 802.1ad + 802.1Q */

	assert_string_equal(f->name, "802.1ad+802.1Q ipv4");
	decode(&pkt, f->dlt, f->b, f->n, f->n);
	assert_int_equal(pkt.link.n_vlan, 2);
	assert_int_equal(pkt.link.type_len, NL_ETHERTYPE_QINQ);
	assert_int_equal(pkt.link.vlan[0].tpid, NL_ETHERTYPE_QINQ);
	assert_int_equal(pkt.link.vlan[0].vid, 100);
	assert_int_equal(pkt.link.vlan[0].pcp, 0);
	assert_false(pkt.link.vlan[0].dei);
	assert_int_equal(pkt.link.vlan[1].tpid, NL_ETHERTYPE_VLAN);
	assert_int_equal(pkt.link.vlan[1].vid, 200);
	assert_int_equal(pkt.link.vlan[1].pcp, 1);
	assert_true(pkt.link.vlan[1].dei);
	assert_int_equal(pkt.l4_off, 42);

	f = &fixtures[2]; /* 802.1Q, TCI 0x600a */
	decode(&pkt, f->dlt, f->b, f->n, f->n);
	assert_int_equal(pkt.link.n_vlan, 1);
	assert_int_equal(pkt.link.vlan[0].pcp, 3);
	assert_int_equal(pkt.link.vlan[0].vid, 10);
	assert_int_equal(pkt.link.wire_frame_len, 68);
	assert_false(pkt.link.undersize);
	guard_release();
}

static void test_vlan_limit(void **state)
{
	(void)state;
	struct nl_packet pkt;
	uint8_t b[80] = {MAC_DST, MAC_SRC};
	size_t o = 12;

	/* NL_MAX_VLAN tags decode; one more is malformed. */
	for (int tags = NL_MAX_VLAN; tags <= NL_MAX_VLAN + 1; tags++) {
		o = 12;
		for (int i = 0; i < tags; i++) {
			b[o++] = i % 3 == 0 ? 0x88 : i % 3 == 1 ? 0x81 : 0x91;
			b[o++] = i % 3 == 0 ? 0xa8 : 0x00;
			b[o++] = 0x00;
			b[o++] = (uint8_t)(i + 1);
		}
		b[o++] = 0x88; /* local experimental: no decoder */
		b[o++] = 0xb5;
		memset(b + o, 0, sizeof(b) - o);
		decode(&pkt, NL_DLT_EN10MB, b, sizeof(b), sizeof(b));
		if (tags == NL_MAX_VLAN) {
			assert_int_equal(pkt.n_anom, 0);
			assert_int_equal(pkt.link.n_vlan, NL_MAX_VLAN);
			assert_int_equal(pkt.link.vlan[3].vid, 4);
			assert_int_equal(pkt.link.vlan[2].tpid, 0x9100);
			assert_int_equal(pkt.link.ethertype, 0x88b5);
			assert_int_equal(pkt.link.hdr_len,
					 14 + 4 * NL_MAX_VLAN);
		} else {
			assert_int_equal(pkt.n_anom, 1);
			assert_true(has_anom(&pkt, NL_ANOM_MALFORMED, NL_L_VLAN,
					     "too many VLAN tags"));
			assert_int_equal(pkt.link.n_vlan, NL_MAX_VLAN);
			assert_int_equal(pkt.link.ethertype, 0);
		}
	}
	guard_release();
}

static void test_frame_size_limits(void **state)
{
	(void)state;
	static uint8_t b[1600];
	struct nl_packet pkt;

	memcpy(b, (const uint8_t[]){MAC_DST, MAC_SRC, 0x88, 0xb5}, 14);
	decode(&pkt, NL_DLT_EN10MB, b, 1514, 1514);
	assert_int_equal(pkt.link.wire_frame_len, 1518);
	assert_false(pkt.link.oversize);
	decode(&pkt, NL_DLT_EN10MB, b, 1515, 1515);
	assert_true(pkt.link.oversize);
	/* A snapshot length does not change the size on the wire. */
	decode(&pkt, NL_DLT_EN10MB, b, 60, 1515);
	assert_true(pkt.link.oversize);
	assert_int_equal(pkt.n_anom, 0);

	/* One tag allows 4 more bytes. */
	memcpy(b + 12, (const uint8_t[]){0x81, 0x00, 0x00, 0x05, 0x88, 0xb5},
	       6);
	decode(&pkt, NL_DLT_EN10MB, b, 1518, 1518);
	assert_false(pkt.link.oversize);
	decode(&pkt, NL_DLT_EN10MB, b, 1519, 1519);
	assert_true(pkt.link.oversize);
	guard_release();
}

static void test_8023_fields(void **state)
{
	(void)state;
	struct nl_packet pkt;
	const struct fixture *f = &fixtures[4];

	assert_string_equal(f->name, "802.3 snap arp");
	decode(&pkt, f->dlt, f->b, f->n, f->n);
	assert_true(pkt.link.is_8023);
	assert_int_equal(pkt.link.type_len, 36);
	assert_int_equal(pkt.arp.op, 1);

	/* STP: LLC without SNAP, no network protocol. */
	f = &fixtures[5];
	decode(&pkt, f->dlt, f->b, f->n, f->n);
	assert_true(pkt.link.is_8023);
	assert_int_equal(pkt.link.type_len, 38);
	guard_release();
}

static void test_8023_malformed(void **state)
{
	(void)state;
	struct nl_packet pkt;
	uint8_t b[60] = {MAC_DST, MAC_SRC, 0x00, 0x40, 0xaa, 0xaa, 0x03};

	/* Length 64 > the 46 bytes the frame has. */
	decode(&pkt, NL_DLT_EN10MB, b, 60, 60);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED, NL_L_LINK,
			     "802.3 length beyond the frame"));
	assert_int_equal(pkt.link.ethertype, 0);
	assert_int_equal(pkt.layers, L(LINK));

	/* 0x05dd..0x05ff: neither length nor EtherType. */
	b[12] = 0x05;
	b[13] = 0xff;
	decode(&pkt, NL_DLT_EN10MB, b, 60, 60);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED, NL_L_LINK,
			     "802.3 length above 1500"));

	/* A length too short for SNAP after the SNAP SAPs. */
	b[12] = 0x00;
	b[13] = 0x05;
	decode(&pkt, NL_DLT_EN10MB, b, 60, 60);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED, NL_L_LINK,
			     "802.3 length too short for SNAP"));

	/* SNAP with a vendor OUI: no EtherType, nothing wrong. */
	memcpy(b + 12,
	       (const uint8_t[]){0x00, 0x08, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c,
				 0x20, 0x00},
	       10);
	decode(&pkt, NL_DLT_EN10MB, b, 60, 60);
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.link.ethertype, 0);
	assert_int_equal(pkt.link.hdr_len, 22);
	guard_release();
}

static void test_short_frames_malformed(void **state)
{
	(void)state;
	struct nl_packet pkt;
	static const uint8_t b[64] = {0x45};

	/* The whole frame was captured and it is shorter than the header. */
	static const struct {
		uint32_t dlt, n;
	} cases[] = {
	    {NL_DLT_EN10MB, 13},     {NL_DLT_LINUX_SLL, 15},
	    {NL_DLT_LINUX_SLL2, 19}, {NL_DLT_NULL, 3},
	    {NL_DLT_LOOP, 0},	     {NL_DLT_RAW, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		decode(&pkt, cases[i].dlt, b, cases[i].n, cases[i].n);
		assert_int_equal(pkt.n_anom, 1);
		assert_int_equal(pkt.anom[0].kind, NL_ANOM_MALFORMED);
		assert_int_equal(pkt.anom[0].layer, NL_L_LINK);
		assert_int_equal(pkt.layers, 0);
	}

	/* caplen > len contradicts itself. */
	decode(&pkt, NL_DLT_RAW, fixtures[10].b, fixtures[10].n, 20);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED, NL_L_LINK,
			     "captured length exceeds length on the wire"));
	assert_int_equal(pkt.len, fixtures[10].n);

	/* A raw packet that is not IP. */
	decode(&pkt, NL_DLT_RAW, (const uint8_t[]){0x50, 0, 0, 0}, 4, 4);
	assert_true(has_anom(&pkt, NL_ANOM_MALFORMED, NL_L_LINK,
			     "raw packet is neither IPv4 nor IPv6"));
	assert_int_equal(pkt.layers, 0);

	/* Nothing at all, not even a buffer. */
	memset(&pkt, 0xa5, sizeof(pkt));
	nl_decode_packet(&pkt, NULL, NL_DLT_EN10MB, NULL, 0, 0);
	assert_int_equal(pkt.n_anom, 1);
	assert_int_equal(pkt.anom[0].kind, NL_ANOM_MALFORMED);
	guard_release();
}

static void test_sll_fields(void **state)
{
	(void)state;
	struct nl_packet pkt;
	static const uint8_t src[6] = {MAC_SRC};

	const struct fixture *f = &fixtures[7];
	assert_string_equal(f->name, "sll ipv4");
	decode(&pkt, f->dlt, f->b, f->n, f->n);
	assert_int_equal(pkt.link.sll_pkttype, 0);
	assert_int_equal(pkt.link.sll_hatype, 1);
	assert_int_equal(pkt.link.sll_halen, 6);
	assert_memory_equal(pkt.link.sll_addr, src, 6);
	assert_int_equal(pkt.link.sll_ifindex, 0);

	f = &fixtures[8];
	assert_string_equal(f->name, "sll2 arp");
	decode(&pkt, f->dlt, f->b, f->n, f->n);
	assert_int_equal(pkt.link.sll_pkttype, 4);
	assert_int_equal(pkt.link.sll_hatype, 1);
	assert_int_equal(pkt.link.sll_halen, 6);
	assert_int_equal(pkt.link.sll_ifindex, 3);
	assert_memory_equal(pkt.link.sll_addr, src, 6);

	/* Netlink (ARPHRD_NETLINK 824): protocol is a netlink family. */
	decode(&pkt, NL_DLT_LINUX_SLL,
	       (const uint8_t[]){0x00, 0x04, 0x03, 0x38, 0x00, 0x00, PAD8, 0x08,
				 0x00, 1, 2, 3, 4},
	       20, 20);
	assert_int_equal(pkt.link.ethertype, 0);
	assert_int_equal(pkt.layers, L(LINK));
	assert_int_equal(pkt.n_anom, 0);

	/* ETH_P_802_2 (4): an LLC header follows, here SNAP + IPv4 type. */
	decode(&pkt, NL_DLT_LINUX_SLL,
	       (const uint8_t[]){0x00, 0x00, 0x00, 0x01, 0x00, 0x06,   MAC_SRC,
				 0x00, 0x00, 0x00, 0x04, 0xaa, 0xaa,   0x03,
				 0x00, 0x00, 0x00, 0x08, 0x06, ARP_REQ},
	       52, 52);
	assert_int_equal(pkt.link.ethertype, NL_ETHERTYPE_ARP);
	assert_int_equal(pkt.link.hdr_len, 24);
	assert_true(NL_HAS(&pkt, NL_L_ARP));
	assert_int_equal(pkt.n_anom, 0);

	/* A VLAN tag libpcap put back in line. */
	decode(&pkt, NL_DLT_LINUX_SLL,
	       (const uint8_t[]){0x00, 0x00, 0x00, 0x01, 0x00, 0x06, MAC_SRC,
				 0x00, 0x00, 0x81, 0x00, 0x00, 0x2a, 0x08, 0x06,
				 ARP_REQ},
	       48, 48);
	assert_int_equal(pkt.link.n_vlan, 1);
	assert_int_equal(pkt.link.vlan[0].vid, 42);
	assert_int_equal(pkt.link.ethertype, NL_ETHERTYPE_ARP);
	assert_int_equal(pkt.l3_off, 20);
	assert_true(NL_HAS(&pkt, NL_L_ARP));
	guard_release();
}

static void test_null_families(void **state)
{
	(void)state;
	struct nl_packet pkt;
	static const struct {
		uint32_t dlt;
		uint8_t hdr[4];
		uint32_t family;
		uint16_t ethertype;
	} cases[] = {
	    {NL_DLT_NULL, {2, 0, 0, 0}, 2, NL_ETHERTYPE_IPV4},
	    {NL_DLT_NULL, {0, 0, 0, 2}, 2, NL_ETHERTYPE_IPV4},
	    {NL_DLT_NULL, {24, 0, 0, 0}, 24, NL_ETHERTYPE_IPV6},
	    {NL_DLT_NULL, {0, 0, 0, 28}, 28, NL_ETHERTYPE_IPV6},
	    {NL_DLT_NULL, {30, 0, 0, 0}, 30, NL_ETHERTYPE_IPV6},
	    {NL_DLT_NULL, {7, 0, 0, 0}, 7, 0},
	    {NL_DLT_LOOP, {0, 0, 0, 24}, 24, NL_ETHERTYPE_IPV6},
	    {NL_DLT_LOOP, {2, 0, 0, 0}, 0x02000000, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[4 + 52];
		memcpy(b, cases[i].hdr, 4);
		if (cases[i].ethertype == NL_ETHERTYPE_IPV4)
			memcpy(b + 4, (const uint8_t[]){IP4_UDP}, 32);
		else
			memcpy(b + 4, (const uint8_t[]){IP6_UDP}, 52);
		uint32_t n = cases[i].ethertype == NL_ETHERTYPE_IPV4 ? 36 : 56;
		decode(&pkt, cases[i].dlt, b, n, n);
		assert_int_equal(pkt.link.kind, NL_LINK_NULL);
		assert_int_equal(pkt.link.null_family, cases[i].family);
		assert_int_equal(pkt.link.ethertype, cases[i].ethertype);
		assert_int_equal(pkt.n_anom, 0);
		assert_int_equal(NL_HAS(&pkt, NL_L_UDP),
				 cases[i].ethertype != 0);
	}
	guard_release();
}

static void test_unknown_dlt(void **state)
{
	(void)state;
	struct nl_packet pkt;
	struct nl_cur c = nl_cur_make((const uint8_t *)"abcd", 4);

	decode(&pkt, 147, (const uint8_t *)"abcd", 4, 4);
	assert_int_equal(pkt.link.kind, NL_LINK_UNKNOWN);
	assert_int_equal(pkt.layers, 0);
	assert_int_equal(pkt.n_anom, 0);
	assert_int_equal(pkt.l3_off, 0);

	memset(&pkt, 0, sizeof(pkt));
	pkt.link.dlt = 147;
	assert_int_equal(nl_decode_link(&pkt, &c, &plain), NL_UNSUPPORTED);
	assert_int_equal(nl_cur_left(&c), 4);
	guard_release();
}

static void test_reuse_clears_state(void **state)
{
	(void)state;
	struct nl_packet pkt;
	const struct fixture *v = &fixtures[3], *a = &fixtures[0];

	/* A tagged IPv4 frame, then an untagged ARP into the same struct. */
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = 77;
	pkt.ts.sec = 5;
	nl_decode_packet(&pkt, &plain, v->dlt, v->b, v->n, v->n);
	nl_decode_packet(&pkt, &plain, a->dlt, a->b, a->n, a->n);
	assert_int_equal(pkt.layers, a->layers);
	assert_int_equal(pkt.link.n_vlan, 0);
	assert_int_equal(pkt.src.family, 0);
	assert_int_equal(pkt.l4_off, 0);
	assert_null(pkt.payload);
	assert_int_equal(pkt.payload_len, 0);
	assert_int_equal(pkt.n_anom, 0);
	/* frame and ts are the caller's. */
	assert_int_equal(pkt.frame, 77);
	assert_int_equal(pkt.ts.sec, 5);
}

static void test_wire_left(void **state)
{
	(void)state;
	struct nl_packet pkt;
	static const uint8_t b[10];

	nl_decode_packet(&pkt, &plain, 147, b, 10, 100);
	assert_int_equal(nl_packet_wire_left(&pkt, b), 100);
	assert_int_equal(nl_packet_wire_left(&pkt, b + 10), 90);
	pkt.len = 10;
	assert_int_equal(nl_packet_wire_left(&pkt, b + 10), 0);
}

static void test_anomaly_cap(void **state)
{
	(void)state;
	struct nl_packet pkt;

	nl_decode_packet(&pkt, &plain, 147, NULL, 0, 0);
	for (int i = 0; i < NL_MAX_ANOMALIES + 3; i++)
		nl_packet_anomaly(&pkt, NL_ANOM_TRUNCATED,
				  i == 0 ? NL_L_TCP : NL_L_UDP, "x");
	assert_int_equal(pkt.n_anom, NL_MAX_ANOMALIES);
	assert_int_equal(pkt.anom[0].layer, NL_L_TCP);
}

static void test_linktypes(void **state)
{
	(void)state;
	static const struct {
		uint32_t dlt;
		const char *name;
	} known[] = {
	    {0, "NULL"},	 {1, "EN10MB"}, {12, "RAW"},
	    {14, "RAW"},	 {101, "RAW"},	{108, "LOOP"},
	    {113, "LINUX_SLL"},	 {228, "IPV4"}, {229, "IPV6"},
	    {276, "LINUX_SLL2"},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_true(nl_decode_linktype_supported(known[i].dlt));
		assert_string_equal(nl_linktype_name(known[i].dlt),
				    known[i].name);
	}
	assert_false(nl_decode_linktype_supported(105));
	assert_false(nl_decode_linktype_supported(127));
	assert_null(nl_linktype_name(105));
}

static void test_names(void **state)
{
	(void)state;
	static const char *const layers[NL_LAYER_COUNT] = {
	    "link", "vlan",   "arp", "ipv4", "ipv6",
	    "icmp", "icmpv6", "tcp", "udp",  "payload",
	};
	for (int i = 0; i < NL_LAYER_COUNT; i++)
		assert_string_equal(nl_layer_name((enum nl_layer)i), layers[i]);
	assert_string_equal(nl_layer_name(NL_LAYER_COUNT), "unknown");

	assert_string_equal(nl_csum_status_name(NL_CSUM_UNCHECKED),
			    "unchecked");
	assert_string_equal(nl_csum_status_name(NL_CSUM_OK), "ok");
	assert_string_equal(nl_csum_status_name(NL_CSUM_BAD), "bad");
	assert_string_equal(nl_csum_status_name(NL_CSUM_OFFLOAD), "offload");
	assert_string_equal(nl_csum_status_name(NL_CSUM_ABSENT), "absent");
	assert_string_equal(nl_csum_status_name(NL_CSUM_UNVERIFIED),
			    "unverified");
	assert_string_equal(nl_csum_status_name(NL_CSUM_COUNT), "unknown");

	assert_string_equal(nl_ethertype_name(0x0800), "IPv4");
	assert_string_equal(nl_ethertype_name(0x0806), "ARP");
	assert_string_equal(nl_ethertype_name(0x86dd), "IPv6");
	assert_string_equal(nl_ethertype_name(0x8100), "802.1Q");
	assert_string_equal(nl_ethertype_name(0x88a8), "802.1ad");
	assert_string_equal(nl_ethertype_name(0x88cc), "LLDP");
	assert_null(nl_ethertype_name(0x1234));
	assert_null(nl_ethertype_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures_decode),
	    cmocka_unit_test(test_every_prefix_truncated),
	    cmocka_unit_test(test_every_prefix_truncated_verify),
	    cmocka_unit_test(test_ethernet_fields),
	    cmocka_unit_test(test_vlan_fields),
	    cmocka_unit_test(test_vlan_limit),
	    cmocka_unit_test(test_frame_size_limits),
	    cmocka_unit_test(test_8023_fields),
	    cmocka_unit_test(test_8023_malformed),
	    cmocka_unit_test(test_short_frames_malformed),
	    cmocka_unit_test(test_sll_fields),
	    cmocka_unit_test(test_null_families),
	    cmocka_unit_test(test_unknown_dlt),
	    cmocka_unit_test(test_reuse_clears_state),
	    cmocka_unit_test(test_wire_left),
	    cmocka_unit_test(test_anomaly_cap),
	    cmocka_unit_test(test_linktypes),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
