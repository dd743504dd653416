/*
 * ARP table: learning, MAC changes, RFC 5227 conflicts, unanswered
 * requests, the capacity limit, and the address-ordered listing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netlab/arptable.h"

#define OP_REQ 1
#define OP_REP 2

static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ZERO[6];

static void mac(uint8_t m[6], unsigned id)
{
	static const uint8_t base[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x00};
	memcpy(m, base, 6);
	m[4] = (uint8_t)(id >> 8);
	m[5] = (uint8_t)id;
}

static uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

/* One Ethernet ARP frame decoded the way the pipeline does it. */
struct frame {
	uint8_t b[60];
	struct nl_packet pkt;
};

static struct nl_packet *arp(struct frame *f, uint64_t frame, int64_t sec,
			     uint32_t nsec, uint16_t op, const uint8_t sha[6],
			     uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
	static const struct nl_decode_opts opts;
	uint8_t *b = f->b;

	memset(b, 0, sizeof(f->b));
	memcpy(b, tha[0] & 1 || !memcmp(tha, ZERO, 6) ? BCAST : tha, 6);
	memcpy(b + 6, sha, 6);
	b[12] = 0x08;
	b[13] = 0x06;
	memcpy(b + 14, (const uint8_t[]){0x00, 0x01, 0x08, 0x00, 6, 4}, 6);
	b[20] = (uint8_t)(op >> 8);
	b[21] = (uint8_t)op;
	memcpy(b + 22, sha, 6);
	for (int i = 0; i < 4; i++) {
		b[28 + i] = (uint8_t)(spa >> (24 - 8 * i));
		b[38 + i] = (uint8_t)(tpa >> (24 - 8 * i));
	}
	memcpy(b + 32, tha, 6);
	nl_decode_packet(&f->pkt, &opts, NL_DLT_EN10MB, b, 60, 60);
	f->pkt.frame = frame;
	f->pkt.ts.sec = sec;
	f->pkt.ts.nsec = nsec;
	assert_true(NL_HAS(&f->pkt, NL_L_ARP));
	assert_true(f->pkt.arp.eth_ipv4);
	return &f->pkt;
}

struct ctx {
	struct nl_arp_table *t;
	struct frame f;
	struct nl_arp_notice nt[8];
	unsigned n;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	if (!c || nl_arptable_new(&c->t, 64) != NL_OK)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	nl_arptable_free(c->t);
	free(c);
	return 0;
}

/* Observe one ARP packet; returns the number of notices. */
static unsigned obs(struct ctx *c, uint64_t frame, int64_t sec, uint32_t nsec,
		    uint16_t op, unsigned sha_id, uint32_t spa,
		    const uint8_t *tha, uint32_t tpa)
{
	uint8_t sha[6];
	mac(sha, sha_id);
	struct nl_packet *p =
	    arp(&c->f, frame, sec, nsec, op, sha, spa, tha ? tha : ZERO, tpa);
	c->n = nl_arptable_observe(c->t, p, c->nt, 8);
	return c->n;
}

static struct nl_arp_counts counts(const struct ctx *c)
{
	struct nl_arp_counts k;
	nl_arptable_counts(c->t, &k);
	return k;
}

static void assert_notice(const struct nl_arp_notice *n,
			  enum nl_arp_notice_kind kind, uint32_t addr,
			  unsigned old_id, uint64_t old_frame, unsigned new_id,
			  uint64_t new_frame)
{
	uint8_t om[6], nm[6];
	const uint8_t a[4] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16),
			      (uint8_t)(addr >> 8), (uint8_t)addr};
	mac(om, old_id);
	mac(nm, new_id);
	assert_int_equal(n->kind, kind);
	assert_memory_equal(n->ip, a, 4);
	assert_memory_equal(n->old_mac, om, 6);
	assert_memory_equal(n->new_mac, nm, 6);
	assert_int_equal(n->old_frame, old_frame);
	assert_int_equal(n->new_frame, new_frame);
}

static void test_learn_sorted(void **state)
{
	struct ctx *c = *state;
	const uint32_t addrs[] = {ip(10, 0, 0, 9),    ip(10, 0, 0, 1),
				  ip(192, 168, 0, 1), ip(10, 0, 1, 0),
				  ip(1, 2, 3, 4),     ip(10, 0, 0, 10)};
	const uint32_t sorted[] = {ip(1, 2, 3, 4),  ip(10, 0, 0, 1),
				   ip(10, 0, 0, 9), ip(10, 0, 0, 10),
				   ip(10, 0, 1, 0), ip(192, 168, 0, 1)};

	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(obs(c, i + 1, i, 0, i % 2 ? OP_REP : OP_REQ,
				     i + 1, addrs[i], NULL, ip(10, 9, 9, 9)),
				 0);
	/* Seen again: last_frame moves, nothing else. */
	assert_int_equal(
	    obs(c, 50, 50, 0, OP_REQ, 2, addrs[1], NULL, ip(10, 9, 9, 9)), 0);

	const struct nl_arp_entry *e[8];
	assert_int_equal(nl_arptable_entries(c->t, e, 8), 6);
	for (unsigned i = 0; i < 6; i++) {
		uint8_t want[4] = {
		    (uint8_t)(sorted[i] >> 24), (uint8_t)(sorted[i] >> 16),
		    (uint8_t)(sorted[i] >> 8), (uint8_t)sorted[i]};
		assert_memory_equal(e[i]->ip, want, 4);
		assert_true(e[i]->used);
		assert_int_equal(e[i]->changes, 0);
	}
	/* 10.0.0.1 came from MAC 2 at frame 2 and again at frame 50. */
	uint8_t m2[6];
	mac(m2, 2);
	assert_memory_equal(e[1]->mac, m2, 6);
	assert_int_equal(e[1]->first_frame, 2);
	assert_int_equal(e[1]->last_frame, 50);

	/* Fewer slots than entries: the lowest addresses, in order. */
	assert_int_equal(nl_arptable_entries(c->t, e, 3), 3);
	assert_int_equal(e[0]->ip[0], 1);
	assert_int_equal(e[1]->ip[3], 1);
	assert_int_equal(e[2]->ip[3], 9);
	assert_int_equal(nl_arptable_entries(c->t, e, 0), 0);

	struct nl_arp_counts k = counts(c);
	assert_int_equal(k.entries, 6);
	assert_int_equal(k.cap, 64);
	assert_int_equal(k.requests, 4);
	assert_int_equal(k.replies, 3);
	assert_int_equal(k.mac_changes, 0);
	assert_int_equal(k.conflicts, 0);
	assert_int_equal(k.table_full, 0);
}

static void test_mac_changed(void **state)
{
	struct ctx *c = *state;
	uint32_t x = ip(10, 0, 0, 7);

	obs(c, 1, 100, 0, OP_REP, 1, x, NULL, ip(10, 0, 0, 1));
	obs(c, 3, 101, 0, OP_REQ, 1, x, NULL, ip(10, 0, 0, 1));
	/* Long after MAC 1 last spoke: the address moved (fail-over). */
	assert_int_equal(obs(c, 9, 200, 0, OP_REP, 2, x, BCAST, x), 1);
	assert_notice(&c->nt[0], NL_ARP_NOTICE_MAC_CHANGED, x, 1, 3, 2, 9);

	const struct nl_arp_entry *e[1];
	assert_int_equal(nl_arptable_entries(c->t, e, 1), 1);
	uint8_t m2[6];
	mac(m2, 2);
	assert_memory_equal(e[0]->mac, m2, 6);
	assert_int_equal(e[0]->changes, 1);
	assert_int_equal(e[0]->first_frame, 1);
	assert_int_equal(e[0]->last_frame, 9);

	struct nl_arp_counts k = counts(c);
	assert_int_equal(k.mac_changes, 1);
	assert_int_equal(k.conflicts, 0);
	assert_int_equal(k.gratuitous, 1);
}

static void test_claims_conflict(void **state)
{
	struct ctx *c = *state;
	uint32_t x = ip(10, 0, 0, 7);

	obs(c, 1, 100, 0, OP_REP, 1, x, NULL, ip(10, 0, 0, 1));
	/* MAC 2 claims it 2 s later: a change, and both are alive. */
	assert_int_equal(obs(c, 2, 102, 0, OP_REP, 2, x, NULL, ip(10, 0, 0, 1)),
			 2);
	assert_notice(&c->nt[0], NL_ARP_NOTICE_MAC_CHANGED, x, 1, 1, 2, 2);
	assert_notice(&c->nt[1], NL_ARP_NOTICE_CONFLICT, x, 1, 1, 2, 2);
	/* MAC 1 answers again: it flips back, still a conflict. */
	assert_int_equal(obs(c, 3, 103, 0, OP_REP, 1, x, NULL, ip(10, 0, 0, 1)),
			 2);
	assert_notice(&c->nt[1], NL_ARP_NOTICE_CONFLICT, x, 2, 2, 1, 3);

	/* Exactly 10 s is inside the window, a nanosecond more is not. */
	obs(c, 4, 200, 0, OP_REP, 1, ip(10, 0, 0, 8), NULL, x);
	assert_int_equal(obs(c, 5, 210, 0, OP_REP, 2, ip(10, 0, 0, 8), NULL, x),
			 2);
	obs(c, 6, 300, 0, OP_REP, 1, ip(10, 0, 0, 9), NULL, x);
	assert_int_equal(obs(c, 7, 310, 1, OP_REP, 2, ip(10, 0, 0, 9), NULL, x),
			 1);
	assert_int_equal(c->nt[0].kind, NL_ARP_NOTICE_MAC_CHANGED);

	struct nl_arp_counts k = counts(c);
	assert_int_equal(k.mac_changes, 4);
	assert_int_equal(k.conflicts, 3);
}

static void test_probe_defended(void **state)
{
	struct ctx *c = *state;
	uint32_t x = ip(10, 0, 0, 7);
	uint8_t p[6];
	mac(p, 5);

	obs(c, 1, 0, 0, OP_REP, 1, x, NULL, ip(10, 0, 0, 1));
	/* MAC 5 probes for x long after; MAC 1, the holder, defends. */
	assert_int_equal(obs(c, 10, 100, 0, OP_REQ, 5, 0, NULL, x), 0);
	assert_int_equal(obs(c, 11, 100, 200000000, OP_REP, 1, x, p, 0), 1);
	assert_notice(&c->nt[0], NL_ARP_NOTICE_CONFLICT, x, 1, 11, 5, 10);
	/* The probe has had its answer: no second report. */
	assert_int_equal(obs(c, 12, 100, 500000000, OP_REP, 1, x, p, 0), 0);

	struct nl_arp_counts k = counts(c);
	assert_int_equal(k.probes, 1);
	assert_int_equal(k.conflicts, 1);
	assert_int_equal(k.mac_changes, 0);
	assert_int_equal(k.unanswered, 0);
	assert_int_equal(k.entries, 1); /* a prober has no address */
}

static void test_probe_undisputed(void **state)
{
	struct ctx *c = *state;
	uint32_t x = ip(10, 0, 0, 7);

	/* Three probes, no answer, then the prober's own announcement. */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(obs(c, i + 1, i, 0, OP_REQ, 5, 0, NULL, x), 0);
	assert_int_equal(obs(c, 4, 5, 0, OP_REQ, 5, x, NULL, x), 0);
	/* A defence far outside the window is no longer about the probe. */
	obs(c, 5, 20, 0, OP_REQ, 6, 0, NULL, ip(10, 0, 0, 8));
	assert_int_equal(obs(c, 6, 31, 0, OP_REP, 1, ip(10, 0, 0, 8), NULL, 0),
			 0);

	struct nl_arp_counts k = counts(c);
	assert_int_equal(k.probes, 4);
	assert_int_equal(k.gratuitous, 1);
	assert_int_equal(k.conflicts, 0);
	assert_int_equal(k.unanswered, 0); /* probes expect no answer */
}

static void test_simultaneous_probes(void **state)
{
	struct ctx *c = *state;
	uint32_t x = ip(10, 0, 0, 7);

	assert_int_equal(obs(c, 1, 10, 0, OP_REQ, 5, 0, NULL, x), 0);
	assert_int_equal(obs(c, 2, 10, 500000000, OP_REQ, 6, 0, NULL, x), 1);
	assert_notice(&c->nt[0], NL_ARP_NOTICE_CONFLICT, x, 5, 1, 6, 2);
	/* Their repeated probes do not report the same pair again. */
	assert_int_equal(obs(c, 3, 11, 0, OP_REQ, 5, 0, NULL, x), 0);
	assert_int_equal(obs(c, 4, 11, 500000000, OP_REQ, 6, 0, NULL, x), 0);
	/* Another probe for another address: unrelated. */
	assert_int_equal(obs(c, 5, 12, 0, OP_REQ, 7, 0, NULL, ip(10, 0, 0, 8)),
			 0);
	assert_int_equal(counts(c).conflicts, 1);
}

static void test_unanswered(void **state)
{
	struct ctx *c = *state;
	uint32_t a = ip(10, 0, 0, 1), b = ip(10, 0, 0, 2);
	uint32_t x = ip(10, 0, 0, 50), y = ip(10, 0, 0, 51);
	uint8_t ma[6];
	mac(ma, 1);

	obs(c, 1, 1, 0, OP_REQ, 1, a, NULL, x);
	obs(c, 2, 2, 0, OP_REQ, 1, a, NULL, x); /* a repeat counts once */
	obs(c, 3, 3, 0, OP_REQ, 2, b, NULL, x);
	obs(c, 4, 4, 0, OP_REQ, 1, a, NULL, y);
	assert_int_equal(counts(c).unanswered, 3);
	assert_int_equal(counts(c).requests, 4);

	/* x asking something itself answers nobody. */
	obs(c, 5, 5, 0, OP_REQ, 9, x, NULL, ip(10, 0, 0, 77));
	assert_int_equal(counts(c).unanswered, 4);
	obs(c, 5, 5, 0, OP_REP, 77, ip(10, 0, 0, 77), NULL, x);
	assert_int_equal(counts(c).unanswered, 3);
	/* x answers a: (a, x) is done, (b, x) still waits. */
	obs(c, 5, 5, 0, OP_REP, 9, x, ma, a);
	assert_int_equal(counts(c).unanswered, 2);
	assert_int_equal(counts(c).requests, 5);
	/* A reply from someone other than the target answers nothing. */
	obs(c, 6, 6, 0, OP_REP, 8, ip(10, 0, 0, 99), ma, a);
	assert_int_equal(counts(c).unanswered, 2);
	/* A broadcast reply from x answers everyone asking for x. */
	obs(c, 7, 7, 0, OP_REP, 9, x, BCAST, ip(10, 0, 0, 255));
	assert_int_equal(counts(c).unanswered, 1);
	/* Asked again after the answer: a new question. */
	obs(c, 8, 8, 0, OP_REQ, 1, a, NULL, x);
	assert_int_equal(counts(c).unanswered, 2);

	/* Announcements ask nothing. */
	obs(c, 9, 9, 0, OP_REQ, 3, ip(10, 0, 0, 3), NULL, ip(10, 0, 0, 3));
	assert_int_equal(counts(c).unanswered, 2);
	assert_int_equal(counts(c).gratuitous, 1);
}

static void test_many_askers_one_target(void **state)
{
	struct ctx *c = *state;
	uint32_t x = ip(10, 0, 0, 50);

	/* Forty askers cluster in one probe run; answer every third one,
	 * then the rest by broadcast, checking the count at each step. */
	for (unsigned i = 0; i < 40; i++)
		obs(c, i + 1, i, 0, OP_REQ, 100 + i, ip(10, 1, 0, i), NULL, x);
	obs(c, 41, 41, 0, OP_REQ, 200, ip(10, 2, 0, 1), NULL, ip(10, 0, 0, 60));
	assert_int_equal(counts(c).unanswered, 41);
	unsigned left = 41;
	for (unsigned i = 0; i < 40; i += 3) {
		uint8_t m[6];
		mac(m, 100 + i);
		obs(c, 100 + i, 100, 0, OP_REP, 1, x, m, ip(10, 1, 0, i));
		assert_int_equal(counts(c).unanswered, --left);
		/* The same answer twice changes nothing. */
		obs(c, 100 + i, 100, 0, OP_REP, 1, x, m, ip(10, 1, 0, i));
		assert_int_equal(counts(c).unanswered, left);
	}
	obs(c, 200, 200, 0, OP_REP, 1, x, BCAST, 0);
	assert_int_equal(counts(c).unanswered, 1);
	obs(c, 201, 201, 0, OP_REP, 3, ip(10, 0, 0, 60), BCAST, 0);
	assert_int_equal(counts(c).unanswered, 0);
}

static void test_table_full(void **state)
{
	(void)state;
	struct ctx c = {0};
	assert_int_equal(nl_arptable_new(&c.t, 4), NL_OK);

	for (unsigned i = 0; i < 6; i++)
		obs(&c, i + 1, i, 0, OP_REP, i + 1, ip(10, 0, 0, i + 1), NULL,
		    ip(10, 0, 0, 100));
	struct nl_arp_counts k = counts(&c);
	assert_int_equal(k.entries, 4);
	assert_int_equal(k.cap, 4);
	assert_int_equal(k.table_full, 2);
	/* A known address is still tracked at the cap. */
	assert_int_equal(obs(&c, 20, 100, 0, OP_REP, 9, ip(10, 0, 0, 2), NULL,
			     ip(10, 0, 0, 100)),
			 1);
	assert_int_equal(c.nt[0].kind, NL_ARP_NOTICE_MAC_CHANGED);

	/* Pending questions are bounded too: the oldest are pushed out and
	 * counted unanswered. */
	for (unsigned i = 0; i < 7; i++)
		obs(&c, 30 + i, 200, 0, OP_REQ, 1, ip(10, 0, 0, 1), NULL,
		    ip(10, 0, 1, i));
	assert_int_equal(counts(&c).unanswered, 7);
	assert_int_equal(counts(&c).entries, 4);
	/* The newest ones can still be answered. */
	uint8_t m1[6];
	mac(m1, 1);
	obs(&c, 40, 201, 0, OP_REP, 50, ip(10, 0, 1, 6), m1, ip(10, 0, 0, 1));
	assert_int_equal(counts(&c).unanswered, 6);
	nl_arptable_free(c.t);
}

static void test_notice_limit(void **state)
{
	struct ctx *c = *state;
	uint32_t x = ip(10, 0, 0, 7);
	uint8_t m1[6], m2[6];
	mac(m1, 1);
	mac(m2, 2);

	obs(c, 1, 1, 0, OP_REP, 1, x, NULL, 0);
	struct nl_packet *p = arp(&c->f, 2, 2, 0, OP_REP, m2, x, ZERO, 0);
	struct nl_arp_notice one[1];
	assert_int_equal(nl_arptable_observe(c->t, p, one, 1), 1);
	assert_int_equal(one[0].kind, NL_ARP_NOTICE_MAC_CHANGED);
	p = arp(&c->f, 3, 3, 0, OP_REP, m1, x, ZERO, 0);
	assert_int_equal(nl_arptable_observe(c->t, p, NULL, 4), 0);
	/* Counted even when there was no room to report. */
	assert_int_equal(counts(c).mac_changes, 2);
	assert_int_equal(counts(c).conflicts, 2);
}

static void test_ignored(void **state)
{
	struct ctx *c = *state;
	struct nl_packet pkt;
	static const struct nl_decode_opts opts;
	static const uint8_t ip4[] = {0x45, 0, 0,  20, 0, 0, 0,	 0, 64, 17,
				      0,    0, 10, 0,  0, 1, 10, 0, 0,	2};

	/* Not ARP at all. */
	nl_decode_packet(&pkt, &opts, NL_DLT_RAW, ip4, sizeof(ip4),
			 sizeof(ip4));
	assert_int_equal(nl_arptable_observe(c->t, &pkt, c->nt, 8), 0);
	/* Bogus sender MACs are not learned. */
	struct nl_packet *p =
	    arp(&c->f, 1, 1, 0, OP_REP, ZERO, ip(10, 0, 0, 1), ZERO, 0);
	nl_arptable_observe(c->t, p, c->nt, 8);
	p = arp(&c->f, 2, 2, 0, OP_REP, BCAST, ip(10, 0, 0, 2), ZERO, 0);
	nl_arptable_observe(c->t, p, c->nt, 8);
	/* RARP: counted nowhere, learned nowhere. */
	uint8_t m[6];
	mac(m, 1);
	p = arp(&c->f, 3, 3, 0, 4, m, ip(10, 0, 0, 3), m, ip(10, 0, 0, 4));
	nl_arptable_observe(c->t, p, c->nt, 8);
	/* Truncated ARP: the addresses are not there to learn. */
	nl_decode_packet(&c->f.pkt, &opts, NL_DLT_EN10MB, c->f.b, 30, 60);
	assert_int_equal(nl_arptable_observe(c->t, &c->f.pkt, c->nt, 8), 0);

	struct nl_arp_counts k = counts(c);
	assert_int_equal(k.entries, 0);
	assert_int_equal(k.replies, 2);
	assert_int_equal(k.requests, 0);
	assert_int_equal(nl_arptable_observe(NULL, p, c->nt, 8), 0);
}

static void test_new_limits(void **state)
{
	(void)state;
	struct nl_arp_table *t = (struct nl_arp_table *)1;
	struct nl_arp_counts k;

	assert_int_equal(nl_arptable_new(&t, 0), NL_OK);
	nl_arptable_counts(t, &k);
	assert_int_equal(k.cap, NL_ARP_TABLE_DEFAULT_CAP);
	assert_int_equal(k.entries, 0);
	nl_arptable_free(t);
	assert_int_equal(nl_arptable_new(&t, UINT32_MAX), NL_NOMEM);
	assert_null(t);
	nl_arptable_free(NULL);
	nl_arptable_counts(NULL, &k);
	assert_int_equal(k.cap, 0);
}

/* Random questions and answers against a plain model of the pending set,
 * with clustered targets to exercise deletion inside probe runs. */
static void test_pending_model(void **state)
{
	(void)state;
	struct ctx c = {0};
	enum { ASKERS = 12, TARGETS = 24 };
	static bool want[ASKERS][TARGETS];
	unsigned seed = 12345;

	memset(want, 0, sizeof(want));
	assert_int_equal(nl_arptable_new(&c.t, 1024), NL_OK);
	for (unsigned step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = seed >> 8;
		unsigned asker = r % ASKERS, target = (r / ASKERS) % TARGETS;
		uint32_t tip = ip(10, 0, (target % 3) * 64, target);
		uint32_t aip = ip(10, 9, 0, asker);
		switch ((r >> 16) % 4) {
		case 0:
		case 1:
			obs(&c, step, step, 0, OP_REQ, asker + 1, aip, NULL,
			    tip);
			want[asker][target] = true;
			break;
		case 2: {
			uint8_t m[6];
			mac(m, asker + 1);
			obs(&c, step, step, 0, OP_REP, 500 + target, tip, m,
			    aip);
			want[asker][target] = false;
			break;
		}
		default:
			if ((r >> 20) % 8)
				break;
			obs(&c, step, step, 0, OP_REP, 500 + target, tip, BCAST,
			    0);
			for (unsigned i = 0; i < ASKERS; i++)
				want[i][target] = false;
			break;
		}
		uint64_t n = 0;
		for (unsigned i = 0; i < ASKERS; i++)
			for (unsigned j = 0; j < TARGETS; j++)
				n += want[i][j];
		if (counts(&c).unanswered != n)
			fail_msg("step %u: unanswered %llu, model %llu", step,
				 (unsigned long long)counts(&c).unanswered,
				 (unsigned long long)n);
	}
	assert_int_equal(counts(&c).entries, ASKERS + TARGETS);
	nl_arptable_free(c.t);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_learn_sorted),
	    T(test_mac_changed),
	    T(test_claims_conflict),
	    T(test_probe_defended),
	    T(test_probe_undisputed),
	    T(test_simultaneous_probes),
	    T(test_unanswered),
	    T(test_many_askers_one_target),
	    cmocka_unit_test(test_table_full),
	    T(test_notice_limit),
	    T(test_ignored),
	    cmocka_unit_test(test_new_limits),
	    cmocka_unit_test(test_pending_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
