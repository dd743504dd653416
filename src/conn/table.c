/*
 * The connection table: a chained hash table over a pool of entries
 * allocated once, with an LRU list threaded through the entries. libnids
 * evicts the oldest stream when its pool is full; so does this table,
 * counting it, and never allocates per packet.
 *
 * The LRU list is kept lazily (second chance): a packet only stamps its
 * connection's last_ns, in the cache line the lookup has read anyway, and
 * moving an entry to the head waits until it reaches the tail. An entry at
 * the tail that was active since it was queued (touched) goes
 * back to the head; the first one that was not is the least recently
 * active of all, since everything queued after it was queued later. So
 * eviction and the idle timeout are exact, and a packet touches no other
 * connection's memory. Entries are handed out in order and zeroed when
 * taken, so untouched pool pages cost no memory.
 *
 * A connection that is over moves to a second list, of closed ones, kept
 * the same way, and leaves from its cold end once its linger is over: the
 * table then holds what is open or recently closed, and a long capture
 * reuses warm entries instead of touching new memory.
 */
#include <stdlib.h>
#include <string.h>

#include "netlab/conn.h"
#include "netlab/table_mem.h"

#define NIL UINT32_MAX

/* A chain link: an entry's index and its full hash, in one load. */
struct link {
	uint32_t idx, hash;
};

/* A list threaded through the entries' lru_prev/lru_next. */
struct list {
	uint32_t head, tail;
};

struct nl_conn_table {
	struct nl_conn *e;
	/* bucket[b] is the first link of chain b, next[i] the one after
	 * entry i. Both hold the hash beside the index, so a lookup reads a
	 * link and then the entry that matches, not the bucket, a hash array
	 * and the entry one after the other: the capture's stream of bytes
	 * keeps evicting these arrays from the cache. Walking a chain (a SYN
	 * flood fills every bucket) reads only links. A retired entry's hash
	 * is computed again from its tuple. */
	struct link *bucket, *next;
	uint32_t cap, mask;
	uint32_t free_head; /* retired entries chained through next[].idx */
	uint32_t fresh;	    /* entries [fresh, cap) never used yet */
	/* open connections, and closed ones waiting out their linger: an
	 * entry is on one or the other (nl_conn.lingering says which) */
	struct list lru, closed;
	uint32_t idle_sec;
	int64_t linger_ns;	 /* 0: closed connections stay as open ones */
	/* ns of capture time; checked once a second, never (INT64_MAX) when
	 * neither an idle timeout nor a linger is set */
	int64_t next_idle_check;
	uint64_t next_id;
	nl_conn_retire_fn *retire;
	void *arg;
	struct nl_conn_counts n;
};

enum nl_status nl_conntable_new(struct nl_conn_table **out, uint32_t cap,
				uint32_t idle_timeout_sec,
				nl_conn_retire_fn *retire, void *arg)
{
	*out = NULL;
	if (cap == 0 || cap > NL_CONN_MAX_CAP)
		return NL_NOMEM;
	struct nl_conn_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NL_NOMEM;
	uint32_t nb = 1;
	while (nb < cap)
		nb <<= 1;
	/* entries are cleared when taken; the pool's pages are touched in
	 * order as connections come */
	t->cap = cap;
	t->e = nl_table_alloc(cap, sizeof(*t->e));
	t->bucket = malloc((size_t)nb * sizeof(*t->bucket));
	t->next = malloc((size_t)cap * sizeof(*t->next));
	if (!t->e || !t->bucket || !t->next) {
		nl_conntable_free(t);
		return NL_NOMEM;
	}
	for (uint32_t b = 0; b < nb; b++)
		t->bucket[b] = (struct link){NIL, 0};
	t->cap = cap;
	t->mask = nb - 1;
	t->free_head = NIL;
	t->fresh = 0;
	t->lru = t->closed = (struct list){NIL, NIL};
	t->idle_sec = idle_timeout_sec;
	t->next_idle_check = idle_timeout_sec ? 0 : INT64_MAX;
	t->next_id = 1;
	t->retire = retire;
	t->arg = arg;
	t->n.cap = cap;
	t->n.idle_timeout = idle_timeout_sec;
	t->n.entry_bytes = sizeof(struct nl_conn) + sizeof(struct link) +
			   (uint64_t)nb * sizeof(struct link) / cap;
	*out = t;
	return NL_OK;
}

void nl_conntable_free(struct nl_conn_table *t)
{
	if (!t)
		return;
	nl_table_free(t->e, t->cap, sizeof(*t->e));
	free(t->bucket);
	free(t->next);
	free(t);
}

/* One endpoint's key: folded to 64 bits and multiplied once. The same
 * formula for both families (an IPv4 address's other 12 bytes are zero,
 * see netlab/decode.h): no branch on the family, which a capture mixing
 * IPv4 and IPv6 would mispredict. For IPv4 it is one-to-one: the address
 * is bits 0-31 of x, the port bits 40-55, and multiplying by an odd
 * number and x ^ (x >> 29) are both invertible. */
static inline uint64_t mix(const struct nl_addr *a, uint16_t port)
{
	uint64_t w[2];
	memcpy(w, a->b, 16);
	uint64_t x = w[0] ^ (w[1] * 0x9e3779b97f4a7c15ull);
	x = (x ^ ((uint64_t)port << 40)) * 0xff51afd7ed558ccdull;
	return x ^ (x >> 29);
}

/* The bucket of two endpoints' keys: commutative, so both directions
 * find the same one. */
static inline uint32_t tuple_hash(uint64_t ka, uint64_t kb)
{
	uint64_t h = ka + kb;
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* Zero when the addresses are equal: fixed-size loads, no branch (an
 * IPv4 address's other 12 bytes are zero). */
static inline uint64_t addr_diff(const struct nl_addr *a,
				 const struct nl_addr *b)
{
	uint64_t x[2], y[2];
	memcpy(x, a->b, 16);
	memcpy(y, b->b, 16);
	return (x[0] ^ y[0]) | (x[1] ^ y[1]) | (uint64_t)(a->family ^ b->family);
}

/* Zero when the packet goes from side d of c to the other side. */
static inline uint64_t tuple_diff(const struct nl_conn *c, unsigned d,
				  const struct nl_packet *pkt)
{
	return addr_diff(&c->addr[d], &pkt->src) |
	       addr_diff(&c->addr[!d], &pkt->dst) |
	       (uint16_t)(c->port[d] ^ pkt->tcp.sport) |
	       (uint16_t)(c->port[!d] ^ pkt->tcp.dport);
}

static struct list *list_of(struct nl_conn_table *t, const struct nl_conn *c)
{
	return c->lingering ? &t->closed : &t->lru;
}

static void list_unlink(struct nl_conn_table *t, struct list *l, uint32_t i)
{
	struct nl_conn *c = &t->e[i];
	if (c->lru_prev != NIL)
		t->e[c->lru_prev].lru_next = c->lru_next;
	else
		l->head = c->lru_next;
	if (c->lru_next != NIL)
		t->e[c->lru_next].lru_prev = c->lru_prev;
	else
		l->tail = c->lru_prev;
}

static void list_push_head(struct nl_conn_table *t, struct list *l,
			   uint32_t i)
{
	struct nl_conn *c = &t->e[i];
	c->lru_prev = NIL;
	c->lru_next = l->head;
	if (l->head != NIL)
		t->e[l->head].lru_prev = i;
	l->head = i;
	if (l->tail == NIL)
		l->tail = i;
}

/* The least recently active entry of list l: give a second chance to
 * those active since they were queued. NIL when the list is empty. */
static uint32_t cold_end(struct nl_conn_table *t, struct list *l)
{
	uint32_t i;
	while ((i = l->tail) != NIL && t->e[i].touched) {
		struct nl_conn *c = &t->e[i];
		c->touched = false;
		if (l->head != i) {
			list_unlink(t, l, i);
			list_push_head(t, l, i);
		}
		if (l->head == l->tail)
			break;
	}
	return i;
}

/* The analysis flags of all connections: each one's counts join the
 * total when it leaves (the tracker counts them per connection). */
static void add_flags(struct nl_conn_counts *n, const struct nl_conn *c)
{
	for (unsigned k = 0; k < NL_TA_COUNT; k++)
		n->ta[k] += c->ta_count[k];
}

static __attribute__((noinline)) void retire(struct nl_conn_table *t, uint32_t i,
		   enum nl_conn_end_reason why)
{
	struct nl_conn *c = &t->e[i];
	if (t->retire)
		t->retire(t->arg, c, why);
	add_flags(&t->n, c);
	switch (why) {
	case NL_CONN_END_EVICTED:
		t->n.evicted++;
		break;
	case NL_CONN_END_IDLE:
		t->n.idle++;
		break;
	case NL_CONN_END_REUSED:
		t->n.reused++;
		break;
	case NL_CONN_END_CLOSED:
		t->n.closed++;
		break;
	default:
		break;
	}
	uint32_t h = tuple_hash(c->key[0], c->key[1]);
	struct link *pp = &t->bucket[h & t->mask];
	while (pp->idx != NIL && pp->idx != i)
		pp = &t->next[pp->idx];
	if (pp->idx == i)
		*pp = t->next[i];
	list_unlink(t, list_of(t, c), i);
	c->used = false;
	t->next[i].idx = t->free_head;
	t->free_head = i;
	t->n.active--;
}

bool nl_conn_over(const struct nl_conn *c)
{
	uint8_t a = c->side[0].state, b = c->side[1].state;
	bool ended = c->side[0].fin_seen || c->side[1].fin_seen ||
		     c->side[0].rst_seen || c->side[1].rst_seen;
	return ended && (a == NL_TCPS_CLOSED || a == NL_TCPS_TIME_WAIT) &&
	       (b == NL_TCPS_CLOSED || b == NL_TCPS_TIME_WAIT);
}

/* A SYN on a tuple whose connection is over (or a new attempt with a new
 * ISN) starts a new connection: the port was reused. */
static bool starts_anew(const struct nl_conn *c, uint8_t dir,
			const struct nl_packet *pkt)
{
	const struct nl_tcp *tcp = &pkt->tcp;
	if ((tcp->flags & (NL_TCP_SYN | NL_TCP_ACK | NL_TCP_RST)) != NL_TCP_SYN)
		return false;
	const struct nl_tcp_side *s = &c->side[dir];
	if (nl_conn_over(c))
		return true;
	return s->syn_seen && tcp->seq != s->base;
}

/* Move entry i from one list to the other. */
static void move_to(struct nl_conn_table *t, uint32_t i, bool lingering)
{
	struct nl_conn *c = &t->e[i];
	list_unlink(t, list_of(t, c), i);
	c->lingering = lingering;
	c->touched = false;
	list_push_head(t, list_of(t, c), i);
}

/* Once a second of capture time: closed connections whose linger is over
 * leave from the cold end of their list, idle ones from the LRU list's. */
static __attribute__((noinline)) void expire(struct nl_conn_table *t,
					      int64_t now)
{
	t->next_idle_check = now + 1000000000ll;
	uint32_t i;
	int64_t idle_ns = (int64_t)t->idle_sec * 1000000000ll;
	if (t->linger_ns) {
		/* a closed connection never outstays an open one */
		int64_t linger = t->idle_sec && idle_ns < t->linger_ns
				     ? idle_ns
				     : t->linger_ns;
		int64_t limit = now - linger;
		while ((i = cold_end(t, &t->closed)) != NIL &&
		       t->e[i].last_ns <= limit) {
			/* a late segment can take a side out of CLOSED or
			 * TIME_WAIT again: it lingers no more */
			if (nl_conn_over(&t->e[i]))
				retire(t, i, NL_CONN_END_CLOSED);
			else
				move_to(t, i, false);
		}
	}
	if (t->idle_sec) {
		int64_t limit = now - idle_ns;
		while ((i = cold_end(t, &t->lru)) != NIL &&
		       t->e[i].last_ns <= limit)
			retire(t, i, NL_CONN_END_IDLE);
	}
}

void nl_conntable_set_linger(struct nl_conn_table *t, uint32_t sec)
{
	t->linger_ns = (int64_t)sec * 1000000000ll;
	t->n.linger = sec;
	if (!t->idle_sec && !t->linger_ns)
		t->next_idle_check = INT64_MAX; /* nothing ever expires */
	else if (t->next_idle_check == INT64_MAX)
		t->next_idle_check = 0;
}

void nl_conntable_changed(struct nl_conn_table *t, struct nl_conn *c)
{
	if (!t->linger_ns || c->lingering || !nl_conn_over(c))
		return;
	move_to(t, (uint32_t)(c - t->e), true);
}

/* The entry to give up when the table is full: a closed connection whose
 * linger is not over loses nothing but the rest of it (and the chance to
 * see its tuple reused); otherwise the least recently active one. */
static uint32_t victim(struct nl_conn_table *t, enum nl_conn_end_reason *why)
{
	uint32_t i = cold_end(t, &t->closed);
	if (i != NIL && nl_conn_over(&t->e[i])) {
		*why = NL_CONN_END_CLOSED;
		return i;
	}
	/* (a late segment took i out of CLOSED: it is as open as the rest) */
	uint32_t j = cold_end(t, &t->lru);
	*why = NL_CONN_END_EVICTED;
	if (j == NIL || (i != NIL && t->e[i].last_ns <= t->e[j].last_ns))
		return i;
	return j;
}

/* A new connection for the packet's tuple, at the head of chain *bp. */
static __attribute__((noinline)) struct nl_conn *
insert(struct nl_conn_table *t, const struct nl_packet *pkt, struct link *bp,
       uint32_t h, uint8_t *dir)
{
	uint32_t i;
	if (t->free_head != NIL) {
		i = t->free_head;
		t->free_head = t->next[i].idx;
	} else if (t->fresh < t->cap) {
		i = t->fresh++;
	} else {
		enum nl_conn_end_reason why;
		uint32_t v = victim(t, &why);
		retire(t, v, why);
		i = t->free_head;
		t->free_head = t->next[i].idx;
	}
	struct nl_conn *c = &t->e[i];
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->id = t->next_id++;
	t->next[i] = *bp;
	*bp = (struct link){i, h};
	c->last_ns = pkt->ts_ns;
	list_push_head(t, &t->lru, i);
	t->n.conns++;
	t->n.active++;
	if (t->n.active > t->n.peak)
		t->n.peak = t->n.active;
	nl_tcp_conn_init(c, NL_CLIENT, pkt);
	/* the init may have chosen the receiver as the client */
	*dir = tuple_diff(c, NL_CLIENT, pkt) ? NL_SERVER : NL_CLIENT;
	c->family = c->addr[0].family;
	for (int k = 0; k < 2; k++)
		c->key[k] = mix(&c->addr[k], c->port[k]);
	if (c->midstream)
		t->n.midstream++;
	return c;
}

struct nl_conn *nl_conntable_lookup(struct nl_conn_table *t,
				    const struct nl_packet *pkt, uint8_t *dir,
				    bool *created)
{
	*created = false;
	if (!NL_HAS(pkt, NL_L_TCP))
		return NULL;
	int64_t now = pkt->ts_ns;
	if (now >= t->next_idle_check)
		expire(t, now);

	uint64_t ks = mix(&pkt->src, pkt->tcp.sport);
	uint64_t kd = mix(&pkt->dst, pkt->tcp.dport);
	uint32_t h = tuple_hash(ks, kd);
	struct link *bp = &t->bucket[h & t->mask];
	for (struct link l = *bp; l.idx != NIL; l = t->next[l.idx]) {
		if (l.hash != h)
			continue;
		uint32_t i = l.idx;
		struct nl_conn *c = &t->e[i];
		/* both directions compared without a branch: which one a
		 * packet goes is a coin toss for the branch predictor */
		uint64_t fam = c->family ^ pkt->src.family;
		uint64_t fwd = (c->key[0] ^ ks) | (c->key[1] ^ kd) | fam;
		uint64_t rev = (c->key[1] ^ ks) | (c->key[0] ^ kd) | fam;
		if (__builtin_expect(c->family == 6, 0)) {
			/* an IPv6 key is not one-to-one: the tuple decides */
			fwd = tuple_diff(c, NL_CLIENT, pkt);
			rev = tuple_diff(c, NL_SERVER, pkt);
		}
		if (fwd && rev)
			continue;
		uint8_t d = fwd ? NL_SERVER : NL_CLIENT;
		if (__builtin_expect((pkt->tcp.flags & NL_TCP_SYN) != 0, 0) &&
		    starts_anew(c, d, pkt)) {
			retire(t, i, NL_CONN_END_REUSED);
			break;
		}
		c->last_ns = now; /* its place in the LRU list: see above */
		c->touched = true;
		*dir = d;
		return c;
	}
	*created = true;
	return insert(t, pkt, bp, h, dir);
}

/* An entry to retire at the end, its id beside it: sorting pointers by
 * the ids behind them read thousands of entries at random, many times. */
struct id_idx {
	uint64_t id;
	uint32_t idx;
};

static int by_id(const void *a, const void *b)
{
	const struct id_idx *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* v[0..n) in id order. Ids are dense (one per connection, and the table
 * holds the recent ones), so they usually fit a direct-mapped array of
 * next_id - lowest slots: placed in one pass instead of sorted. */
static void order_by_id(struct id_idx *v, uint32_t n, uint64_t lo,
			uint64_t next_id)
{
	uint64_t span = next_id - lo;
	uint32_t *slot = span <= 4 * (uint64_t)n ? calloc(span, sizeof(*slot))
						  : NULL;
	if (!slot) {
		qsort(v, n, sizeof(*v), by_id);
		return;
	}
	for (uint32_t k = 0; k < n; k++)
		slot[v[k].id - lo] = v[k].idx + 1;
	uint32_t k = 0;
	for (uint64_t j = 0; j < span; j++)
		if (slot[j])
			v[k++] = (struct id_idx){lo + j, slot[j] - 1};
	free(slot);
}

/* Empty the table: every entry fresh again, every chain empty. */
static void reset(struct nl_conn_table *t)
{
	for (uint32_t b = 0; b <= t->mask; b++)
		t->bucket[b] = (struct link){NIL, 0};
	t->free_head = NIL;
	t->fresh = 0;
	t->lru = t->closed = (struct list){NIL, NIL};
	t->n.active = 0;
}

void nl_conntable_finish(struct nl_conn_table *t)
{
	if (!t || !t->n.active)
		return;
	/* Once, at the end: an allocation is fine. The entries are found in
	 * memory order, which the prefetcher follows (the LRU list would jump
	 * about 26 MiB at random), and the table is then emptied at once
	 * rather than unlinked entry by entry. Entries are handed out in id
	 * order until one is reused, so the ordering is often skipped. */
	struct id_idx *v = malloc((size_t)t->n.active * sizeof(*v));
	if (!v) { /* no memory to sort: list order */
		while (t->closed.tail != NIL)
			retire(t, t->closed.tail, NL_CONN_END_CAPTURE);
		while (t->lru.tail != NIL)
			retire(t, t->lru.tail, NL_CONN_END_CAPTURE);
		return;
	}
	uint32_t n = 0;
	bool sorted = true;
	uint64_t lo = UINT64_MAX;
	for (uint32_t i = 0; i < t->fresh && n < t->n.active; i++) {
		if (!t->e[i].used)
			continue;
		uint64_t id = t->e[i].id;
		if (n && id < v[n - 1].id)
			sorted = false;
		lo = id < lo ? id : lo;
		v[n++] = (struct id_idx){id, i};
	}
	if (!sorted)
		order_by_id(v, n, lo, t->next_id);
	for (uint32_t k = 0; k < n; k++) {
		/* reordered, the entries are scattered: fetch ahead */
		if (!sorted && k + 4 < n) {
			const char *a = (const char *)&t->e[v[k + 4].idx];
			for (size_t off = 0; off < sizeof(struct nl_conn);
			     off += 64)
				__builtin_prefetch(a + off);
		}
		struct nl_conn *c = &t->e[v[k].idx];
		if (t->retire)
			t->retire(t->arg, c, NL_CONN_END_CAPTURE);
		add_flags(&t->n, c);
		c->used = false;
	}
	free(v);
	reset(t);
}

void nl_conntable_counts(const struct nl_conn_table *t,
			 struct nl_conn_counts *out)
{
	*out = t->n;
	/* the flags of connections still open (none after the finish) */
	for (uint32_t i = 0, n = 0; i < t->fresh && n < t->n.active; i++) {
		if (t->e[i].used) {
			add_flags(out, &t->e[i]);
			n++;
		}
	}
}

const char *nl_conn_end_name(enum nl_conn_end_reason r)
{
	static const char *const names[NL_CONN_END_COUNT] = {
	    [NL_CONN_END_REUSED] = "reused",
	    [NL_CONN_END_IDLE] = "idle",
	    [NL_CONN_END_EVICTED] = "evicted",
	    [NL_CONN_END_CAPTURE] = "end",
	    [NL_CONN_END_CLOSED] = "closed",
	};
	return (unsigned)r < NL_CONN_END_COUNT ? names[r] : "?";
}
