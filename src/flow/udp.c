/*
 * UDP flow table (include/netlab/udpflow.h): open addressing over twice the
 * capacity in slots, entries handed out in order of first datagram (so the
 * list is in id order without sorting). No eviction: a UDP exchange has no
 * end to wait for, and a bounded list of the first flows is what a summary
 * can show anyway.
 */
#include <stdlib.h>
#include <string.h>

#include "netlab/conn.h"
#include "netlab/udpflow.h"

struct nl_udp_table {
	struct nl_udp_flow *e; /* cap entries, in id order */
	uint32_t *slot;	       /* entry index + 1; 0 empty */
	uint32_t cap, mask, used;
	struct nl_udp_counts n;
};

enum nl_status nl_udptable_new(struct nl_udp_table **out, uint32_t cap)
{
	*out = NULL;
	if (cap == 0 || cap > NL_UDP_MAX_CAP)
		return NL_NOMEM;
	struct nl_udp_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NL_NOMEM;
	uint32_t slots = 2;
	while (slots < 2 * cap)
		slots <<= 1;
	t->e = calloc(cap, sizeof(*t->e));
	t->slot = calloc(slots, sizeof(*t->slot));
	if (!t->e || !t->slot) {
		nl_udptable_free(t);
		return NL_NOMEM;
	}
	t->cap = cap;
	t->mask = slots - 1;
	t->n.cap = cap;
	*out = t;
	return NL_OK;
}

void nl_udptable_free(struct nl_udp_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->slot);
	free(t);
}

static uint64_t fold(const struct nl_addr *a, uint16_t port)
{
	uint64_t h = port;
	for (int i = 0; i < 16; i += 4) {
		uint32_t w;
		memcpy(&w, a->b + i, 4);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	}
	return h ^ (h >> 29);
}

static bool same_addr(const struct nl_addr *a, const struct nl_addr *b)
{
	return a->family == b->family && !memcmp(a->b, b->b, 16);
}

const struct nl_udp_flow *nl_udptable_observe(struct nl_udp_table *t,
					      const struct nl_packet *pkt,
					      uint8_t *dir, uint64_t *index)
{
	if (!NL_HAS(pkt, NL_L_UDP))
		return NULL;
	const struct nl_addr *s = &pkt->src, *d = &pkt->dst;
	uint16_t sp = pkt->udp.sport, dp = pkt->udp.dport;
	/* the same hash whichever way the datagram goes */
	uint64_t h = fold(s, sp) + fold(d, dp);
	uint32_t i = (uint32_t)(h ^ (h >> 32)) & t->mask;
	struct nl_udp_flow *f = NULL;
	for (;; i = (i + 1) & t->mask) {
		uint32_t k = t->slot[i];
		if (!k)
			break;
		struct nl_udp_flow *e = &t->e[k - 1];
		if (e->port[0] == sp && e->port[1] == dp &&
		    same_addr(&e->addr[0], s) && same_addr(&e->addr[1], d)) {
			f = e;
			*dir = 0;
			break;
		}
		if (e->port[0] == dp && e->port[1] == sp &&
		    same_addr(&e->addr[0], d) && same_addr(&e->addr[1], s)) {
			f = e;
			*dir = 1;
			break;
		}
	}
	int64_t ns = pkt->ts_ns;
	if (!f) {
		if (t->used == t->cap) {
			t->n.untracked++;
			return NULL;
		}
		f = &t->e[t->used++];
		t->slot[i] = t->used;
		f->used = true;
		f->id = ++t->n.flows;
		f->addr[0] = *s;
		f->addr[1] = *d;
		f->port[0] = sp;
		f->port[1] = dp;
		f->first_ns = ns;
		*dir = 0;
	}
	/* the datagram's payload as sent (the UDP length field) */
	uint32_t len = pkt->payload_len;
	uint8_t k = *dir;
	if (!f->dgrams[k] || len < f->min_len[k])
		f->min_len[k] = len;
	if (len > f->max_len[k])
		f->max_len[k] = len;
	f->dgrams[k]++;
	f->bytes[k] += len;
	f->last_ns = ns;
	t->n.dgrams++;
	*index = f->dgrams[k];
	return f;
}

void nl_udptable_counts(const struct nl_udp_table *t, struct nl_udp_counts *out)
{
	*out = t->n;
}

const struct nl_udp_flow *nl_udptable_get(const struct nl_udp_table *t,
					  uint64_t i)
{
	return i < t->used ? &t->e[i] : NULL;
}
