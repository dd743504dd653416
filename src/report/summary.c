/*
 * The end-of-run text summary (also the only output with -q). A label
 * column, then counts; lines about problems appear only when there were
 * any, so a clean capture gets a short summary:
 *
 *   summary: 10 packets, 1234 bytes captured (1500 on the wire) in 1.234567 s
 *     time        2023-11-14 22:13:20.000000 to 2023-11-14 22:13:21.234567
 *     layers      eth 10, arp 2, ipv4 8, tcp 6, udp 2, payload 4
 *     truncated   2 packets: tcp 1, payload 1
 *     malformed   1 packet: ipv4 1
 *     undecoded   3 packets (link type 147)
 *     other       2 packets with a network protocol netlab does not decode
 *     fragments   4 IP fragments
 *     ethernet    1 frame under 64B, 0 oversize (>1518B)
 *     checksums   1 bad, 3 offload (not filled in: …)
 *     arp         3 requests, 2 replies, 1 gratuitous, 0 probes,
 *                 1 unanswered, 0 MAC changes, 0 conflicts
 *     arp table   2 entries
 *       10.0.0.1        00:11:22:33:44:55  frames 1-9      Intel Corporate
 *     capture     100 received, 0 dropped (buffer), 0 dropped (interface)
 *     file ended mid-record at byte 12345
 *
 * (the arp line is one line in the output). Under stream analysis
 * flowsum.c adds the streams, messages, merges and splits, framings and
 * caps; with UDP flows, app.c lists them.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common.h"
#include "flowtext.h"
#include "netlab/escape.h"
#include "netlab/report.h"

/* UDP flows named in the summary (all are counted) */
#define UDP_FLOWS_LISTED 10

/* Half-open connections per server endpoint, for the SYN flood check: a
 * small fixed table (the busiest few are what matter). */
#define FLOOD_SLOTS 32
#define FLOOD_MIN   100 /* half-open connections to one port to suspect */

/* Distinct sources are estimated by linear counting over a small bitmap
 * (Whang et al. 1990): fixed memory, good to a few thousand sources. */
#define SRC_BITS 4096

struct flood_slot {
	struct nl_addr addr;
	uint16_t port;
	uint64_t s0; /* S0 connections */
	int64_t first_ns, last_ns;
	uint64_t src[SRC_BITS / 64]; /* client addresses, hashed */
};

static unsigned addr_bit(const struct nl_addr *a)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned i = 0; i < (a->family == 6 ? 16u : 4u); i++)
		h = (h ^ a->b[i]) * 0x100000001b3ull;
	return (unsigned)(h % SRC_BITS);
}

/* ln(x) for 0 < x <= 1 without libm: x = y 2^e, y in [0.5, 1], and
 * ln y = 2 atanh((y - 1) / (y + 1)) as a series. */
static double ln01(double x)
{
	int e = 0;
	while (x < 0.5) {
		x *= 2;
		e--;
	}
	double y = (x - 1) / (x + 1), y2 = y * y, t = y, sum = 0;
	for (int k = 1; k < 40; k += 2) {
		sum += t / k;
		t *= y2;
	}
	return 2 * sum + e * 0.6931471805599453;
}

/* Linear counting: n = -m ln(zero bits / m); 0 when the map is full. */
static uint64_t distinct_sources(const struct flood_slot *f)
{
	unsigned zero = 0;
	for (unsigned i = 0; i < SRC_BITS / 64; i++)
		zero += 64 - (unsigned)__builtin_popcountll(f->src[i]);
	if (!zero)
		return 0;
	double m = SRC_BITS;
	return (uint64_t)(-m * ln01((double)zero / m) + 0.5);
}

/* Connections worth naming in a diagnostic: the few worst are kept. */
#define WORST 5

/* TIME_WAIT holders per endpoint: a client's TIME_WAITs toward one server
 * endpoint use up its ephemeral ports there (connect() then fails with
 * EADDRNOTAVAIL); a server's block a restart without SO_REUSEADDR. */
#define TW_SLOTS 64
#define TW_SHOWN 3
struct tw_slot {
	struct nl_addr client; /* client holders: the client's address */
	struct nl_addr server;
	uint16_t port; /* the server's */
	uint8_t side;  /* who holds them */
	uint32_t hash; /* of the endpoint(s): compared before the addresses */
	uint64_t n;
	uint64_t err; /* n may overcount by this (Space-Saving) */
};

/* The holders of one side: slots fill in order; a chained index by hash
 * finds an endpoint's slot, and a mask of the slots at the least count
 * names the one Space-Saving gives up, so a connection in TIME_WAIT costs
 * a few steps rather than a scan of all slots. */
struct tw_set {
	struct tw_slot slot[TW_SLOTS];
	uint8_t head[TW_SLOTS], next[TW_SLOTS]; /* slot + 1; 0 ends a chain */
	unsigned used;
	uint64_t at_min; /* once full: the slots whose n is the least */
};

struct named_conn {
	uint64_t id;
	struct nl_addr addr[2];
	uint16_t port[2];
	uint8_t side;
	uint64_t n, of; /* stalls / retransmissions, of segments */
	uint32_t max_us;
};

struct summary_sink {
	struct nl_outbuf *o;
	uint64_t stall_conns, stalls, rexmit_conns;
	struct named_conn stall[WORST], rexmit[WORST];
	struct nl_report_opts opts;
	/* diagnostics gathered as connections leave the table */
	uint64_t refused, rst_client, rst_server, rst_established, s0;
	uint64_t rst_unread;
	uint64_t tw_client, tw_server, sim_close;
	struct tw_set tw[2]; /* per holding side */
	uint64_t flood_other;
	struct flood_slot flood[FLOOD_SLOTS];
	struct nl_flowsum flows; /* stream analysis, see flowsum.c */
};

static unsigned ndigits(uint64_t v)
{
	unsigned n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void when(const struct summary_sink *s, const struct nl_time *t)
{
	if (s->opts.time_style == NL_TIME_UTC) {
		nl_time_write_iso(s->o, t);
		return;
	}
	struct nl_timefmt tf;
	nl_timefmt_init(&tf, NL_TIME_DATE, s->opts.time_digits);
	nl_timefmt_write(&tf, s->o, t);
}

static void head(struct summary_sink *s, const struct nl_stats *st)
{
	struct nl_outbuf *o = s->o;
	nl_out_str(o, "summary: ");
	nl_report_count(o, st->packets, "packet", "packets");
	nl_out_str(o, ", ");
	nl_out_u64(o, st->bytes_captured);
	nl_out_str(o, " bytes captured (");
	nl_out_u64(o, st->bytes_wire);
	nl_out_str(o, " on the wire)");
	if (st->packets) {
		/* the relative style prints last - first, sign and all */
		struct nl_timefmt tf;
		nl_timefmt_init(&tf, NL_TIME_RELATIVE, s->opts.time_digits);
		tf.have_first = true;
		tf.first = st->first_ts;
		nl_out_str(o, " in ");
		nl_timefmt_write(&tf, o, &st->last_ts);
		nl_out_str(o, " s");
	}
	nl_out_char(o, '\n');
	if (!st->packets)
		return;
	nl_report_label(o, "time");
	when(s, &st->first_ts);
	nl_out_str(o, " to ");
	when(s, &st->last_ts);
	nl_out_char(o, '\n');
}

/* "eth 10, ipv4 8": layers with a count, in stack order. */
static void layer_list(struct nl_outbuf *o, const uint64_t *v)
{
	bool any = false;
	for (unsigned l = 0; l < NL_LAYER_COUNT; l++) {
		if (!v[l])
			continue;
		if (any)
			nl_out_str(o, ", ");
		nl_out_str(o, nl_layer_name((enum nl_layer)l));
		nl_out_char(o, ' ');
		nl_out_u64(o, v[l]);
		any = true;
	}
	if (!any)
		nl_out_str(o, "none");
}

static void problems(struct nl_outbuf *o, const char *what, uint64_t packets,
		     const uint64_t *per_layer)
{
	if (!packets)
		return;
	nl_report_label(o, what);
	nl_report_count(o, packets, "packet", "packets");
	nl_out_str(o, ": ");
	layer_list(o, per_layer);
	nl_out_char(o, '\n');
}

static void counters(struct summary_sink *s, const struct nl_summary *sum)
{
	struct nl_outbuf *o = s->o;
	const struct nl_stats *st = sum->stats;
	nl_report_label(o, "layers");
	layer_list(o, st->layer);
	nl_out_char(o, '\n');
	problems(o, "truncated", st->truncated_packets, st->truncated);
	problems(o, "malformed", st->malformed_packets, st->malformed);
	if (st->undecoded) {
		nl_report_label(o, "undecoded");
		nl_report_count(o, st->undecoded, "packet", "packets");
		nl_out_str(o, " (link type ");
		nl_out_u64(o, sum->dlt);
		const char *n = nl_report_name(nl_linktype_name(sum->dlt));
		if (n) {
			nl_out_char(o, ' ');
			nl_out_str(o, n);
		}
		nl_out_str(o, ")\n");
	}
	if (st->other_network) {
		nl_report_label(o, "other");
		nl_report_count(o, st->other_network, "packet", "packets");
		nl_out_str(o, " with a network protocol netlab does not "
			      "decode\n");
	}
	if (st->ip_fragments) {
		nl_report_label(o, "fragments");
		nl_report_count(o, st->ip_fragments, "IP fragment", "IP fragments");
		nl_out_char(o, '\n');
	}
	if (st->eth_undersize || st->eth_oversize) {
		nl_report_label(o, "ethernet");
		nl_report_count(o, st->eth_undersize, "frame under 64B",
		      "frames under 64B");
		nl_out_str(o, ", ");
		nl_out_u64(o, st->eth_oversize);
		nl_out_str(o, " oversize (>1518B)\n");
	}
	if (s->opts.verify_checksums || st->csum_bad || st->csum_offload) {
		nl_report_label(o, "checksums");
		nl_out_u64(o, st->csum_bad);
		nl_out_str(o, " bad, ");
		nl_out_u64(o, st->csum_offload);
		nl_out_str(o, " offload");
		if (st->csum_offload)
			nl_out_str(o, " (not filled in: captured on the "
				      "sending host with checksum offload)");
		nl_out_char(o, '\n');
	}
}

static void arp_entry(struct summary_sink *s, const struct nl_arp_entry *e)
{
	struct nl_outbuf *o = s->o;
	nl_out_str(o, "    ");
	nl_out_ipv4(o, e->ip);
	unsigned w = ndigits(e->ip[0]) + ndigits(e->ip[1]) + ndigits(e->ip[2]) +
		     ndigits(e->ip[3]) + 3;
	nl_out_repeat(o, ' ', 16 - w);
	nl_out_mac(o, e->mac);
	nl_out_str(o, "  frames ");
	nl_out_u64(o, e->first_frame);
	nl_out_char(o, '-');
	nl_out_u64(o, e->last_frame);
	w = ndigits(e->first_frame) + ndigits(e->last_frame) + 1;
	nl_out_repeat(o, ' ', w < 9 ? 11 - w : 2);
	const char *k = nl_report_mac_kind(&s->opts, e->mac);
	if (k)
		nl_escape_c(o, (const uint8_t *)k, strlen(k));
	else
		nl_out_char(o, '-');
	if (e->changes) {
		nl_out_str(o, " (MAC changed ");
		nl_report_count(o, e->changes, "time)", "times)");
	}
	nl_out_char(o, '\n');
}

static void arp(struct summary_sink *s, const struct nl_arp_table *t)
{
	struct nl_outbuf *o = s->o;
	struct nl_arp_counts c;
	nl_arptable_counts(t, &c);
	if (!(c.requests | c.replies | c.gratuitous | c.probes | c.entries |
	      c.table_full))
		return; /* no ARP in this capture: nothing to say */
	nl_report_label(o, "arp");
	nl_report_count(o, c.requests, "request, ", "requests, ");
	nl_report_count(o, c.replies, "reply, ", "replies, ");
	nl_out_u64(o, c.gratuitous);
	nl_out_str(o, " gratuitous, ");
	nl_report_count(o, c.probes, "probe, ", "probes, ");
	nl_out_u64(o, c.unanswered);
	nl_out_str(o, " unanswered, ");
	nl_report_count(o, c.mac_changes, "MAC change, ", "MAC changes, ");
	nl_report_count(o, c.conflicts, "conflict", "conflicts");
	nl_out_char(o, '\n');
	if (!c.entries && !c.table_full)
		return;
	nl_report_label(o, "arp table");
	nl_report_count(o, c.entries, "entry", "entries");
	if (c.table_full) {
		nl_out_str(o, " (full at ");
		nl_out_u64(o, c.cap);
		nl_out_str(o, ": ");
		nl_out_u64(o, c.table_full);
		nl_out_str(o, " not learned)");
	}
	nl_out_char(o, '\n');
	/* once, at the end of the run: an allocation here is fine */
	const struct nl_arp_entry **e =
	    c.entries ? calloc(c.entries, sizeof(*e)) : NULL;
	uint32_t n = e ? nl_arptable_entries(t, e, c.entries) : 0;
	for (uint32_t i = 0; i < n; i++)
		arp_entry(s, e[i]);
	free(e);
}

static void on_summary(struct summary_sink *s, const struct nl_summary *sum)
{
	struct nl_outbuf *o = s->o;
	const struct nl_stats *st = sum->stats;
	if (st) {
		head(s, st);
		counters(s, sum);
	}
	if (sum->arp)
		arp(s, sum->arp);
	if (st && st->live) {
		nl_report_label(o, "capture");
		nl_out_u64(o, st->pcap_received);
		nl_out_str(o, " received, ");
		nl_out_u64(o, st->pcap_dropped);
		nl_out_str(o, " dropped (buffer), ");
		nl_out_u64(o, st->pcap_ifdropped);
		nl_out_str(o, " dropped (interface)\n");
	}
	if (sum->file_truncated) {
		nl_out_str(o, "  file ended mid-record at byte ");
		nl_out_u64(o, sum->file_truncated_offset);
		nl_out_char(o, '\n');
	}
}

static bool same_addr(const struct nl_addr *a, const struct nl_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->b, b->b, a->family == 6 ? 16 : 4);
}

/* Once full: which slots hold the least count. */
static void tw_find_min(struct tw_set *w)
{
	uint64_t min = UINT64_MAX;
	w->at_min = 0;
	for (unsigned i = 0; i < TW_SLOTS; i++) {
		if (w->slot[i].n < min) {
			min = w->slot[i].n;
			w->at_min = 0;
		}
		if (w->slot[i].n == min)
			w->at_min |= 1ull << i;
	}
}

static void tw_link(struct tw_set *w, unsigned i)
{
	uint8_t *b = &w->head[w->slot[i].hash % TW_SLOTS];
	w->next[i] = *b;
	*b = (uint8_t)(i + 1);
}

static void tw_unlink(struct tw_set *w, unsigned i)
{
	uint8_t *pp = &w->head[w->slot[i].hash % TW_SLOTS];
	while (*pp && *pp != i + 1)
		pp = &w->next[*pp - 1];
	if (*pp)
		*pp = w->next[i];
}

static void tw_count(struct summary_sink *s, const struct nl_conn *c,
		     uint8_t side)
{
	struct tw_slot key = {.server = c->addr[NL_SERVER],
			      .port = c->port[NL_SERVER],
			      .side = side};
	if (side == NL_CLIENT)
		key.client = c->addr[NL_CLIENT];
	/* FNV-1a over what identifies the holder */
	uint32_t h = 2166136261u ^ key.port;
	const struct nl_addr *ids[2] = {&key.server, &key.client};
	for (unsigned k = 0; k < (side == NL_CLIENT ? 2u : 1u); k++)
		for (unsigned i = 0; i < (ids[k]->family == 6 ? 16u : 4u); i++)
			h = (h ^ ids[k]->b[i]) * 16777619u;
	key.hash = h;
	struct tw_set *w = &s->tw[side];
	for (uint8_t j = w->head[h % TW_SLOTS]; j; j = w->next[j - 1]) {
		struct tw_slot *t = &w->slot[j - 1];
		if (t->hash == h && t->port == key.port &&
		    same_addr(&t->server, &key.server) &&
		    (side == NL_SERVER || same_addr(&t->client, &key.client))) {
			t->n++;
			uint64_t bit = 1ull << (j - 1);
			if (w->at_min & bit) {
				w->at_min &= ~bit;
				if (!w->at_min)
					tw_find_min(w);
			}
			return;
		}
	}
	if (w->used < TW_SLOTS) {
		unsigned i = w->used++;
		w->slot[i] = key;
		w->slot[i].n = 1;
		tw_link(w, i);
		if (w->used == TW_SLOTS)
			tw_find_min(w);
		return;
	}
	/* Space-Saving (Metwally et al.): the least counted endpoint gives
	 * its slot up (the first such), so the heaviest holders stay,
	 * counted to within err */
	unsigned m = (unsigned)__builtin_ctzll(w->at_min);
	uint64_t n = w->slot[m].n;
	tw_unlink(w, m);
	w->slot[m] = key;
	w->slot[m].n = n + 1;
	w->slot[m].err = n;
	tw_link(w, m);
	w->at_min &= ~(1ull << m);
	if (!w->at_min)
		tw_find_min(w);
}

/* "              10.0.0.1 > 10.0.0.2:80: 12 client TIME_WAITs" */
static void tw_list(struct nl_outbuf *o, const struct summary_sink *s,
		    uint8_t side)
{
	bool shown[TW_SLOTS] = {false};
	const struct tw_slot *tw = s->tw[side].slot;
	for (unsigned k = 0; k < TW_SHOWN; k++) {
		/* by the count it surely has; a guess is no finding */
		int best = -1;
		for (unsigned i = 0; i < TW_SLOTS && tw[i].n; i++)
			if (!shown[i] && tw[i].n - tw[i].err >= 2 &&
			    (best < 0 || tw[i].n - tw[i].err >
					     tw[best].n - tw[best].err))
				best = (int)i;
		if (best < 0)
			return;
		shown[best] = true;
		const struct tw_slot *t = &tw[best];
		nl_out_str(o, "              ");
		if (side == NL_CLIENT) {
			nl_report_addr(o, &t->client);
			nl_out_str(o, " > ");
		}
		nl_report_endpoint(o, &t->server, t->port);
		nl_out_str(o, ": ");
		if (t->err)
			nl_out_str(o, "at least ");
		nl_out_u64(o, t->n - t->err);
		nl_out_str(o, side == NL_CLIENT ? " client" : " server");
		nl_out_str(o, t->n == 1 ? " TIME_WAIT" : " TIME_WAITs");
		if (k)
			;
		else if (side == NL_CLIENT)
			nl_out_str(o, " (each holds an ephemeral port toward "
				      "this server for 60 s on Linux: too many "
				      "and connect() fails with EADDRNOTAVAIL)");
		else
			nl_out_str(o, " (the server closes first: let clients "
				      "close first, or set SO_REUSEADDR for "
				      "restarts)");
		nl_out_char(o, '\n');
	}
}

static void flood_count(struct summary_sink *s, const struct nl_conn *c)
{
	const struct nl_addr *a = &c->addr[NL_SERVER];
	uint16_t port = c->port[NL_SERVER];
	struct flood_slot *free_slot = NULL;
	for (unsigned i = 0; i < FLOOD_SLOTS; i++) {
		struct flood_slot *f = &s->flood[i];
		if (!f->s0) {
			if (!free_slot)
				free_slot = f;
			continue;
		}
		if (f->port == port && same_addr(&f->addr, a)) {
			f->s0++;
			f->last_ns = c->last_ns;
			unsigned b = addr_bit(&c->addr[NL_CLIENT]);
			f->src[b / 64] |= 1ull << (b % 64);
			return;
		}
	}
	if (!free_slot) {
		s->flood_other++;
		return;
	}
	free_slot->addr = *a;
	free_slot->port = port;
	free_slot->s0 = 1;
	free_slot->first_ns = c->first_ns;
	free_slot->last_ns = c->last_ns;
	unsigned b = addr_bit(&c->addr[NL_CLIENT]);
	free_slot->src[b / 64] |= 1ull << (b % 64);
}

/* Keep c in v (sorted by rate n/of, worst first) if it is among the worst. */
static void keep_worst(struct named_conn *v, const struct nl_conn *c,
		       uint8_t side, uint64_t n, uint64_t of, uint32_t max_us)
{
	unsigned k = WORST;
	while (k > 0 &&
	       (!v[k - 1].of || (double)n / (double)of >
				    (double)v[k - 1].n / (double)v[k - 1].of))
		k--;
	if (k >= WORST)
		return;
	memmove(&v[k + 1], &v[k], (WORST - 1 - k) * sizeof(*v));
	struct named_conn *e = &v[k];
	e->id = c->id;
	memcpy(e->addr, c->addr, sizeof(e->addr));
	memcpy(e->port, c->port, sizeof(e->port));
	e->side = side;
	e->n = n;
	e->of = of;
	e->max_us = max_us;
}

static void on_conn_end(struct summary_sink *s, const struct nl_conn *c)
{
	if (c->stalls) {
		s->stall_conns++;
		s->stalls += c->stalls;
		uint64_t segs = c->side[c->stall_side].pkts;
		keep_worst(s->stall, c, c->stall_side, c->stalls,
			   segs ? segs : 1, c->stall_max_us);
	}
	uint32_t rx = c->ta_count[NL_TA_RETRANSMISSION];
	uint64_t pk = (uint64_t)c->side[0].pkts + c->side[1].pkts;
	if (rx) {
		s->rexmit_conns++;
		keep_worst(s->rexmit, c, 2, rx, pk, 0);
	}
	const char *zs = nl_conn_zeek_state(c);
	if (c->refused)
		s->refused++;
	if (c->reset_by == NL_CLIENT)
		s->rst_client++;
	if (c->reset_by == NL_SERVER)
		s->rst_server++;
	if (c->reset_by < 2 && c->reset_state != NL_TCPS_SYN_SENT &&
	    c->reset_state != NL_TCPS_CLOSED &&
	    c->reset_state != NL_TCPS_LISTEN)
		s->rst_established++;
	if (c->reset_by < 2) {
		/* close() with unread data sends RST instead of FIN (RFC 9293
		 * §3.10.4; Linux does): the resetter sent no FIN, and the
		 * peer's data came after the resetter last sent anything */
		const struct nl_tcp_side *x = &c->side[c->reset_by];
		const struct nl_tcp_side *p = &c->side[!c->reset_by];
		if (!x->fin_seen && p->bytes && p->nextseq_ns > x->nextseq_ns)
			s->rst_unread++;
	}
	for (uint8_t k = 0; k < 2; k++) {
		if (c->side[k].state != NL_TCPS_TIME_WAIT)
			continue;
		if (k == NL_CLIENT)
			s->tw_client++;
		else
			s->tw_server++;
		tw_count(s, c, k);
	}
	s->sim_close += c->sim_close;
	if (!strcmp(zs, "S0")) {
		s->s0++;
		flood_count(s, c);
	}
}

/* "    #3 10.0.0.1:40000 > 10.0.0.2:80: 12 of 340 segments (3.5%)" */
static void named(struct nl_outbuf *o, const struct named_conn *e,
		  const char *one, const char *many)
{
	const char *what = e->n == 1 ? one : many;
	nl_out_str(o, "              #");
	nl_out_u64(o, e->id);
	nl_out_char(o, ' ');
	nl_report_endpoint(o, &e->addr[NL_CLIENT], e->port[NL_CLIENT]);
	nl_out_str(o, " > ");
	nl_report_endpoint(o, &e->addr[NL_SERVER], e->port[NL_SERVER]);
	nl_out_str(o, ": ");
	nl_out_u64(o, e->n);
	nl_out_char(o, ' ');
	nl_out_str(o, what);
	if (e->side < 2) {
		nl_out_str(o, " by the ");
		nl_out_str(o, nl_report_side(e->side));
		nl_out_str(o, ", up to ");
		nl_report_ms(o, e->max_us);
		nl_out_str(o, " ms\n");
		return;
	}
	nl_out_str(o, " of ");
	nl_out_u64(o, e->of);
	nl_out_str(o, " (");
	uint64_t pm = e->n * 1000 / e->of; /* per mille */
	nl_out_u64(o, pm / 10);
	nl_out_char(o, '.');
	nl_out_u64(o, pm % 10);
	nl_out_str(o, "%)\n");
}

static void tcp_lines(struct summary_sink *s, const struct nl_conn_table *t)
{
	struct nl_outbuf *o = s->o;
	struct nl_conn_counts n;
	nl_conntable_counts(t, &n);
	if (!n.conns)
		return;
	nl_report_label(o, "tcp conns");
	nl_report_count(o, n.conns, "connection", "connections");
	nl_out_str(o, " (");
	nl_out_u64(o, n.midstream);
	nl_out_str(o, " mid-stream, ");
	nl_out_u64(o, n.reused);
	nl_out_str(o, " port reuse, ");
	nl_out_u64(o, n.idle);
	nl_out_str(o, " idle, ");
	nl_out_u64(o, n.evicted);
	nl_out_str(o, " evicted");
	if (n.closed) {
		nl_out_str(o, ", ");
		nl_out_u64(o, n.closed);
		nl_out_str(o, " retired after closing");
	}
	nl_out_str(o, "; peak ");
	nl_out_u64(o, n.peak);
	nl_out_str(o, " of ");
	nl_out_u64(o, n.cap);
	nl_out_str(o, ")\n");
	bool any = false;
	for (unsigned i = 0; i < NL_TA_COUNT; i++) {
		if (!n.ta[i])
			continue;
		if (!any)
			nl_report_label(o, "tcp flags");
		else
			nl_out_str(o, ", ");
		nl_out_u64(o, n.ta[i]);
		nl_out_char(o, ' ');
		nl_out_str(o, nl_report_ta_words(i));
		any = true;
	}
	if (any)
		nl_out_char(o, '\n');
	if (s->refused) {
		nl_report_label(o, "refused");
		nl_report_count(o, s->refused, "connection", "connections");
		nl_out_str(o, " answered by RST: nobody listened "
			      "(connect() failed with ECONNREFUSED)\n");
	}
	if (s->rst_client || s->rst_server) {
		nl_report_label(o, "resets");
		nl_report_count(o, s->rst_client, "by a client", "by clients");
		nl_out_str(o, ", ");
		nl_report_count(o, s->rst_server, "by a server", "by servers");
		if (s->rst_established) {
			nl_out_str(o, "; ");
			nl_out_u64(o, s->rst_established);
			nl_out_str(o, " after the handshake (the peer's next "
				      "call fails with ECONNRESET)");
		}
		if (s->rst_unread) {
			nl_out_str(o, "; ");
			nl_out_u64(o, s->rst_unread);
			nl_out_str(o,
				   " look like close() with unread data (the "
				   "peer's data came last: read it before "
				   "closing)");
		}
		nl_out_char(o, '\n');
	}
	if (s->tw_client || s->tw_server) {
		nl_report_label(o, "time_wait");
		nl_report_count(o, s->tw_client, "client", "clients");
		nl_out_str(o, ", ");
		nl_report_count(o, s->tw_server, "server", "servers");
		nl_out_str(o, " closed first and hold TIME_WAIT");
		if (s->tw_server)
			nl_out_str(o, " (a restarted server bind()s with "
				      "EADDRINUSE unless SO_REUSEADDR)");
		nl_out_char(o, '\n');
		tw_list(o, s, NL_CLIENT);
		tw_list(o, s, NL_SERVER);

	}
	if (s->s0) {
		nl_report_label(o, "no answer");
		nl_report_count(o, s->s0, "connection attempt", "connection attempts");
		nl_out_str(o, " never answered (connect() ends in "
			      "ETIMEDOUT)\n");
	}
	if (s->rexmit_conns) {
		nl_report_label(o, "retransmits");
		nl_report_count(o, s->rexmit_conns, "connection", "connections");
		nl_out_str(o, " retransmitted; the highest rates:\n");
		for (unsigned i = 0; i < WORST && s->rexmit[i].of; i++)
			named(o, &s->rexmit[i], "segment", "segments");
	}
	if (s->stalls) {
		nl_report_label(o, "stalls");
		nl_report_count(o, s->stalls, "write-write-read stall",
		      "write-write-read stalls");
		nl_out_str(o,
			   " (Nagle + delayed ACK): a small segment held "
			   "back until the peer's delayed ACK; fix: "
			   "TCP_NODELAY on the writer, or write each message "
			   "in one call\n");
		for (unsigned i = 0; i < WORST && s->stall[i].of; i++)
			named(o, &s->stall[i], "segment held", "segments held");
	}
	for (unsigned i = 0; i < FLOOD_SLOTS; i++) {
		const struct flood_slot *f = &s->flood[i];
		if (f->s0 < FLOOD_MIN)
			continue;
		nl_report_label(o, "syn flood?");
		nl_out_u64(o, f->s0);
		nl_out_str(o, " half-open connections to ");
		nl_report_endpoint(o, &f->addr, f->port);
		int64_t us = (f->last_ns - f->first_ns) / 1000;
		if (us > 0) {
			nl_out_str(o, " at ");
			nl_out_u64(
			    o, (uint64_t)((double)f->s0 * 1e6 / (double)us));
			nl_out_str(o, "/s");
		}
		uint64_t srcs = distinct_sources(f);
		nl_out_str(o, " from ");
		if (srcs) {
			nl_out_str(o, "about ");
			nl_out_u64(o, srcs);
		} else {
			nl_out_str(o, "over 30000"); /* the bitmap is full */
		}
		nl_out_str(o,
			   srcs == 1 ? " source address" : " source addresses");
		nl_out_str(o, " (SYNs never completed: a SYN flood, or a "
			      "server that does not answer)\n");
	}
}

/* --truth: what was read and placed, and what was not */
static void truth_line(struct nl_outbuf *o, const struct nl_apptruth *t)
{
	struct nl_app_counts c;
	nl_apptruth_counts(t, &c);
	nl_report_label(o, "truth");
	nl_report_count(o, c.records, "record", "records");
	nl_out_str(o, " of the application's from ");
	nl_report_count(o, c.files, "file", "files");
	if (c.ignored) {
		nl_out_str(o, "; ");
		nl_out_u64(o, c.ignored);
		nl_out_str(o, " beyond the cap ignored");
	}
	if (c.bad_lines) {
		nl_out_str(o, "; ");
		nl_report_count(o, c.bad_lines, "line", "lines");
		nl_out_str(o, " not understood");
	}
	nl_out_char(o, '\n');
}

static void summary_event(void *self, const struct nl_event *ev)
{
	struct summary_sink *s = self;
	if (ev->type == NL_EV_CONN_END && ev->u.conn_end) {
		on_conn_end(s, ev->u.conn_end->conn);
		if (ev->u.conn_end->flow)
			nl_flowsum_conn(&s->flows, ev->u.conn_end->conn,
					ev->u.conn_end->flow);
	}
	if (ev->type == NL_EV_SUMMARY && ev->u.summary) {
		on_summary(s, ev->u.summary);
		if (ev->u.summary->conns)
			tcp_lines(s, ev->u.summary->conns);
		if (ev->u.summary->flows)
			nl_flowsum_lines(&s->flows, s->o, ev->u.summary->flows);
		if (ev->u.summary->udp)
			nl_report_udp_flows(s->o, ev->u.summary->udp,
					    UDP_FLOWS_LISTED);
		if (ev->u.summary->app)
			truth_line(s->o, ev->u.summary->app);
	}
}

static void summary_close(void *self)
{
	struct summary_sink *s = self;
	(void)nl_out_flush(s->o);
	free(s);
}

static const struct nl_sink_ops summary_ops = {
    .name = "summary",
    .on_event = summary_event,
    .close = summary_close,
    .events = NL_EV_BIT(NL_EV_CONN_END) | NL_EV_BIT(NL_EV_SUMMARY),
};

enum nl_status nl_sink_summary_new(struct nl_sink *out, struct nl_outbuf *o,
				   const struct nl_report_opts *opts)
{
	struct summary_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	s->o = o;
	s->opts = *opts;
	out->ops = &summary_ops;
	out->self = s;
	return NL_OK;
}
