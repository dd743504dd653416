/*
 * ARP table: what the traffic says each IPv4 address resolves to.
 *
 * Two open-addressing hash tables (linear probing), sized once in
 * nl_arptable_new and never grown:
 *  - bindings, keyed by IPv4 address, learned from the sender fields of
 *    every request and reply (RFC 826 "merge" rule: a receiver updates its
 *    cache from the sender fields whatever the operation);
 *  - pending requests, keyed by (asker MAC, target address) and hashed on
 *    the target alone, so every question about one address lies in one
 *    probe run. A FIFO ring over the pending set evicts the oldest question
 *    when it is full.
 *
 * Notices, exactly:
 *  - MAC_CHANGED: a request or reply whose sender address is in the table
 *    with a different MAC. The binding moves to the new MAC (as the hosts'
 *    caches would). old_frame is the last frame that showed the old MAC.
 *  - CONFLICT, three cases, all within CONFLICT_WINDOW of capture time
 *    (RFC 5227 DEFEND_INTERVAL, 10 s):
 *    a) claim vs claim: on a MAC change as above, the old MAC had itself
 *       claimed the address within the window. Reported after the
 *       MAC_CHANGED notice for the same frame; both are counted.
 *    b) probe defended (RFC 5227 §2.1.1): after a probe from MAC P for
 *       address X, any request or reply with sender address X from another
 *       MAC H. old = H (the holder, this frame), new = P (the probe).
 *    c) simultaneous probes (RFC 5227 §2.1.1): a probe for X from P while
 *       a probe for X from another MAC Q is pending; once per pair.
 *
 * Unanswered: a plain request (not a probe, not an announcement) leaves a
 * pending question (asker, target); repeats of it add nothing. A reply with
 * sender address = target answers the asker named in its target hardware
 * address, or every asker when that is broadcast or zero. Questions still
 * pending at counts time, and those evicted unanswered, are "unanswered"
 * (an answer to an evicted question comes too late to take it back).
 * Pending questions are capped at cap, like the bindings; cap 0 asks for
 * NL_ARP_TABLE_DEFAULT_CAP.
 *
 * requests, replies, gratuitous and probes count packets by their decoded
 * kind (disjoint). At capacity an address not yet known is not learned;
 * table_full counts each packet refused so (the table cannot remember which
 * addresses it refused).
 */
#include <stdlib.h>
#include <string.h>

#include "netlab/arptable.h"

#define CONFLICT_WINDOW_SEC 10 /* RFC 5227 §1.1 DEFEND_INTERVAL */
#define ARP_TABLE_MAX_CAP   (1u << 24)
#define ARP_OP_REQUEST	    1
#define ARP_OP_REPLY	    2

struct arp_slot {
	struct nl_arp_entry e;	 /* e.used marks an occupied slot */
	struct nl_time claim_ts; /* when e.mac last claimed e.ip */
};

struct pend_slot {
	uint8_t mac[6]; /* asker */
	uint8_t ip[4];	/* address asked about */
	bool used;
	bool probe;    /* an RFC 5227 probe rather than a question */
	bool reported; /* already in a simultaneous-probe conflict */
	uint64_t frame;
	struct nl_time ts;
	uint64_t seq; /* which ring record owns this question */
};

struct pend_ring_rec {
	uint8_t mac[6];
	uint8_t ip[4];
	uint64_t seq;
};

struct nl_arp_table {
	uint32_t cap, n;
	uint32_t mask; /* hash slots - 1; slots are a power of two >= 2 cap */
	unsigned shift;
	struct arp_slot *slot;

	struct pend_slot *pend;	    /* same number of slots as bindings */
	struct pend_ring_rec *ring; /* insertion order, cap records */
	uint32_t ring_head, ring_n;
	uint64_t seq;
	uint64_t pend_questions;     /* pending non-probes */
	uint64_t unanswered_evicted; /* questions pushed out of the ring */

	struct nl_arp_counts c;
};

struct notice_out {
	struct nl_arp_notice *v;
	unsigned max, n;
};

static uint32_t ip_u32(const uint8_t ip[4])
{
	return (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 |
	       (uint32_t)ip[2] << 8 | ip[3];
}

/* Fibonacci hashing: the top bits of a multiplicative hash. */
static uint32_t ip_home(const struct nl_arp_table *t, const uint8_t ip[4])
{
	return (uint32_t)((ip_u32(ip) * 0x9e3779b97f4a7c15ull) >> t->shift);
}

static bool mac_eq(const uint8_t a[6], const uint8_t b[6])
{
	return memcmp(a, b, 6) == 0;
}

static bool ip_eq(const uint8_t a[4], const uint8_t b[4])
{
	return memcmp(a, b, 4) == 0;
}

/* |a - b| <= window, without overflow for any pair of timestamps. */
static bool within_window(const struct nl_time *a, const struct nl_time *b)
{
	int64_t ds = a->sec - b->sec;
	if (ds > CONFLICT_WINDOW_SEC + 1 || ds < -(CONFLICT_WINDOW_SEC + 1))
		return false;
	int64_t ns = ds * 1000000000 + ((int64_t)a->nsec - (int64_t)b->nsec);
	if (ns < 0)
		ns = -ns;
	return ns <= (int64_t)CONFLICT_WINDOW_SEC * 1000000000;
}

enum nl_status nl_arptable_new(struct nl_arp_table **out, uint32_t cap)
{
	*out = NULL;
	if (cap == 0)
		cap = NL_ARP_TABLE_DEFAULT_CAP;
	if (cap > ARP_TABLE_MAX_CAP)
		return NL_NOMEM;

	/* At most half full keeps linear-probing runs short. */
	uint32_t slots = 2, bits = 1;
	while (slots < 2 * cap) {
		slots <<= 1;
		bits++;
	}

	struct nl_arp_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NL_NOMEM;
	t->slot = calloc(slots, sizeof(*t->slot));
	t->pend = calloc(slots, sizeof(*t->pend));
	t->ring = calloc(cap, sizeof(*t->ring));
	if (!t->slot || !t->pend || !t->ring) {
		nl_arptable_free(t);
		return NL_NOMEM;
	}
	t->cap = cap;
	t->mask = slots - 1;
	t->shift = 64 - bits;
	t->c.cap = cap;
	*out = t;
	return NL_OK;
}

void nl_arptable_free(struct nl_arp_table *t)
{
	if (!t)
		return;
	free(t->slot);
	free(t->pend);
	free(t->ring);
	free(t);
}

static void notice(struct notice_out *o, enum nl_arp_notice_kind kind,
		   const uint8_t ip[4], const uint8_t old_mac[6],
		   uint64_t old_frame, const uint8_t new_mac[6],
		   uint64_t new_frame)
{
	if (o->n >= o->max)
		return;
	struct nl_arp_notice *n = &o->v[o->n++];
	n->kind = kind;
	memcpy(n->ip, ip, 4);
	memcpy(n->old_mac, old_mac, 6);
	memcpy(n->new_mac, new_mac, 6);
	n->old_frame = old_frame;
	n->new_frame = new_frame;
}

/* ---- pending questions and probes ---- */

static struct pend_slot *pend_find(struct nl_arp_table *t, const uint8_t mac[6],
				   const uint8_t ip[4])
{
	for (uint32_t i = ip_home(t, ip);; i = (i + 1) & t->mask) {
		struct pend_slot *s = &t->pend[i];
		if (!s->used)
			return NULL;
		if (ip_eq(s->ip, ip) && mac_eq(s->mac, mac))
			return s;
	}
}

/* Backward-shift deletion keeps every run free of holes (no tombstones). */
static void pend_delete(struct nl_arp_table *t, struct pend_slot *s)
{
	uint32_t i = (uint32_t)(s - t->pend);

	if (!t->pend[i].probe)
		t->pend_questions--;
	for (uint32_t j = i;;) {
		t->pend[i].used = false;
		for (;;) {
			j = (j + 1) & t->mask;
			if (!t->pend[j].used)
				return;
			uint32_t k = ip_home(t, t->pend[j].ip);
			/* j may move back to i unless its home lies in (i, j].
			 */
			bool stays =
			    i <= j ? (i < k && k <= j) : (i < k || k <= j);
			if (!stays)
				break;
		}
		t->pend[i] = t->pend[j];
		i = j;
	}
}

/* Make room in the ring: drop its oldest record, and the question it owns
 * if that is still pending (a record whose question was answered, or asked
 * again later under a newer record, is stale). */
static void pend_ring_pop(struct nl_arp_table *t)
{
	struct pend_ring_rec *r = &t->ring[t->ring_head];
	struct pend_slot *s = pend_find(t, r->mac, r->ip);

	if (s && s->seq == r->seq) {
		if (!s->probe)
			t->unanswered_evicted++;
		pend_delete(t, s);
	}
	t->ring_head = (t->ring_head + 1) % t->cap;
	t->ring_n--;
}

static struct pend_slot *pend_add(struct nl_arp_table *t, const uint8_t mac[6],
				  const uint8_t ip[4], bool probe,
				  const struct nl_packet *pkt)
{
	struct pend_slot *s = pend_find(t, mac, ip);

	if (s) {
		/* A repeat: the same question still counts once. */
		if (s->probe && !probe)
			t->pend_questions++;
		else if (!s->probe && probe)
			t->pend_questions--;
		s->probe = probe;
		s->frame = pkt->frame;
		s->ts = pkt->ts;
		return s;
	}
	if (t->ring_n == t->cap)
		pend_ring_pop(t);

	uint32_t i = ip_home(t, ip);
	while (t->pend[i].used)
		i = (i + 1) & t->mask;
	s = &t->pend[i];
	memset(s, 0, sizeof(*s));
	memcpy(s->mac, mac, 6);
	memcpy(s->ip, ip, 4);
	s->used = true;
	s->probe = probe;
	s->frame = pkt->frame;
	s->ts = pkt->ts;
	s->seq = ++t->seq;
	if (!probe)
		t->pend_questions++;

	struct pend_ring_rec *r = &t->ring[(t->ring_head + t->ring_n) % t->cap];
	memcpy(r->mac, mac, 6);
	memcpy(r->ip, ip, 4);
	r->seq = s->seq;
	t->ring_n++;
	return s;
}

/*
 * Sender mac spoke for address ip (RFC 5227 §2.1.1): every other MAC's
 * probe for ip pending within the window has been defended. The sender's
 * own probe for ip, if any, is over too: it now uses the address.
 */
static void probes_defended(struct nl_arp_table *t, const uint8_t ip[4],
			    const uint8_t mac[6], const struct nl_packet *pkt,
			    struct notice_out *o)
{
	uint32_t i = ip_home(t, ip);

	while (t->pend[i].used) {
		struct pend_slot *s = &t->pend[i];
		if (s->probe && ip_eq(s->ip, ip)) {
			if (!mac_eq(s->mac, mac) &&
			    within_window(&pkt->ts, &s->ts)) {
				t->c.conflicts++;
				notice(o, NL_ARP_NOTICE_CONFLICT, ip, mac,
				       pkt->frame, s->mac, s->frame);
			}
			/* The slot now holds the next one of the run. */
			pend_delete(t, s);
			continue;
		}
		i = (i + 1) & t->mask;
	}
}

/* A reply answers its asker, or everyone asking when sent to no one. */
static void questions_answered(struct nl_arp_table *t, const uint8_t ip[4],
			       const uint8_t tha[6])
{
	static const uint8_t zero[6];

	if (!(tha[0] & 1) && !mac_eq(tha, zero)) {
		struct pend_slot *s = pend_find(t, tha, ip);
		if (s)
			pend_delete(t, s);
		return;
	}
	uint32_t i = ip_home(t, ip);
	while (t->pend[i].used) {
		if (ip_eq(t->pend[i].ip, ip)) {
			pend_delete(t, &t->pend[i]);
			continue;
		}
		i = (i + 1) & t->mask;
	}
}

/* A probe for ip while another MAC probes for it too: both lose. */
static void probe_seen(struct nl_arp_table *t, const struct nl_arp *a,
		       const struct nl_packet *pkt, struct notice_out *o)
{
	bool clash = false;

	for (uint32_t i = ip_home(t, a->tpa); t->pend[i].used;
	     i = (i + 1) & t->mask) {
		struct pend_slot *s = &t->pend[i];
		if (!s->probe || s->reported || !ip_eq(s->ip, a->tpa) ||
		    mac_eq(s->mac, a->sha) || !within_window(&pkt->ts, &s->ts))
			continue;
		s->reported = true;
		clash = true;
		t->c.conflicts++;
		notice(o, NL_ARP_NOTICE_CONFLICT, a->tpa, s->mac, s->frame,
		       a->sha, pkt->frame);
	}
	struct pend_slot *mine = pend_add(t, a->sha, a->tpa, true, pkt);
	if (clash)
		mine->reported = true;
}

/* ---- bindings ---- */

static struct arp_slot *slot_find(struct nl_arp_table *t, const uint8_t ip[4],
				  bool *found)
{
	uint32_t i = ip_home(t, ip);

	while (t->slot[i].e.used && !ip_eq(t->slot[i].e.ip, ip))
		i = (i + 1) & t->mask;
	*found = t->slot[i].e.used;
	return &t->slot[i];
}

static void learn(struct nl_arp_table *t, const uint8_t ip[4],
		  const uint8_t mac[6], const struct nl_packet *pkt,
		  struct notice_out *o)
{
	bool found;
	struct arp_slot *s = slot_find(t, ip, &found);
	struct nl_arp_entry *e = &s->e;

	if (!found) {
		if (t->n >= t->cap) {
			t->c.table_full++;
			return;
		}
		memcpy(e->ip, ip, 4);
		memcpy(e->mac, mac, 6);
		e->used = true;
		e->first_frame = e->last_frame = pkt->frame;
		e->changes = 0;
		s->claim_ts = pkt->ts;
		t->n++;
		return;
	}
	if (!mac_eq(e->mac, mac)) {
		t->c.mac_changes++;
		notice(o, NL_ARP_NOTICE_MAC_CHANGED, ip, e->mac, e->last_frame,
		       mac, pkt->frame);
		if (within_window(&pkt->ts, &s->claim_ts)) {
			t->c.conflicts++;
			notice(o, NL_ARP_NOTICE_CONFLICT, ip, e->mac,
			       e->last_frame, mac, pkt->frame);
		}
		memcpy(e->mac, mac, 6);
		e->changes++;
	}
	e->last_frame = pkt->frame;
	s->claim_ts = pkt->ts;
}

/* A sender hardware address a binding can be learned from: not zero and
 * not a group address (802 sources are individual addresses). */
static bool mac_learnable(const uint8_t mac[6])
{
	static const uint8_t zero[6];
	return !(mac[0] & 1) && !mac_eq(mac, zero);
}

unsigned nl_arptable_observe(struct nl_arp_table *t,
			     const struct nl_packet *pkt,
			     struct nl_arp_notice *notices,
			     unsigned max_notices)
{
	struct notice_out o = {notices, notices ? max_notices : 0, 0};
	static const uint8_t any[4];

	if (!t || !pkt || !NL_HAS(pkt, NL_L_ARP))
		return 0;
	const struct nl_arp *a = &pkt->arp;
	switch (a->kind) {
	case NL_ARP_REQUEST:
		t->c.requests++;
		break;
	case NL_ARP_REPLY:
		t->c.replies++;
		break;
	case NL_ARP_GRATUITOUS:
		t->c.gratuitous++;
		break;
	case NL_ARP_PROBE:
		t->c.probes++;
		break;
	default:
		break;
	}
	if (!a->eth_ipv4 || (a->op != ARP_OP_REQUEST && a->op != ARP_OP_REPLY))
		return 0;

	bool sender_ip = !ip_eq(a->spa, any);
	if (sender_ip)
		probes_defended(t, a->spa, a->sha, pkt, &o);
	if (a->op == ARP_OP_REPLY && sender_ip)
		questions_answered(t, a->spa, a->tha);
	if (a->kind == NL_ARP_PROBE)
		probe_seen(t, a, pkt, &o);
	else if (a->kind == NL_ARP_REQUEST)
		(void)pend_add(t, a->sha, a->tpa, false, pkt);
	if (sender_ip && mac_learnable(a->sha))
		learn(t, a->spa, a->sha, pkt, &o);
	return o.n;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct nl_arp_entry *a = *(const struct nl_arp_entry *const *)x;
	const struct nl_arp_entry *b = *(const struct nl_arp_entry *const *)y;
	return memcmp(a->ip, b->ip, 4);
}

/*
 * The max lowest addresses, in order. Sorting the caller's array keeps the
 * table untouched (it is const); past max, each further entry is placed by
 * insertion among the lowest so far.
 */
uint32_t nl_arptable_entries(const struct nl_arp_table *t,
			     const struct nl_arp_entry **out, uint32_t max)
{
	uint32_t n = 0;
	bool sorted = false;

	if (!t || !out || max == 0)
		return 0;
	for (uint32_t i = 0; i <= t->mask; i++) {
		const struct nl_arp_entry *e = &t->slot[i].e;
		if (!e->used)
			continue;
		if (n < max) {
			out[n++] = e;
			continue;
		}
		if (!sorted) {
			qsort(out, n, sizeof(*out), entry_cmp);
			sorted = true;
		}
		if (memcmp(e->ip, out[n - 1]->ip, 4) >= 0)
			continue;
		uint32_t j = n - 1;
		while (j > 0 && memcmp(e->ip, out[j - 1]->ip, 4) < 0) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = e;
	}
	if (!sorted)
		qsort(out, n, sizeof(*out), entry_cmp);
	return n;
}

void nl_arptable_counts(const struct nl_arp_table *t, struct nl_arp_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (!t)
		return;
	*out = t->c;
	out->unanswered = t->unanswered_evicted + t->pend_questions;
	out->entries = t->n;
	out->cap = t->cap;
}
