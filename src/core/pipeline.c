/*
 * The analysis pipeline for one capture: decode -> ARP table -> connection
 * table -> TCP tracker -> sinks. Later stages (reassembly, framing) plug in
 * between tracking and the packet event, in nl_ctx_packet().
 */
#include "netlab/pipeline.h"

#include <stdio.h>
#include <string.h>

void nl_config_defaults(struct nl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->arp_cap = NL_ARP_TABLE_DEFAULT_CAP;
	cfg->conn_cap = NL_CONN_DEFAULT_CAP;
	cfg->conn_idle = NL_CONN_DEFAULT_IDLE;
}

static void emit(struct nl_ctx *ctx, const struct nl_event *ev);

/* The connection table retires a connection: tell the sinks. */
static void conn_retired(void *arg, const struct nl_conn *c,
			 enum nl_conn_end_reason why)
{
	struct nl_ctx *ctx = arg;
	struct nl_conn_end end = {.conn = c, .why = why};
	struct nl_event ev = {.type = NL_EV_CONN_END};
	ev.u.conn_end = &end;
	emit(ctx, &ev);
}

enum nl_status nl_ctx_init(struct nl_ctx *ctx, const struct nl_config *cfg,
			   char *errbuf)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = *cfg;
	ctx->dlt = NL_DLT_EN10MB;
	if (cfg->arp_cap) {
		enum nl_status st = nl_arptable_new(&ctx->arp, cfg->arp_cap);
		if (st != NL_OK) {
			snprintf(errbuf, NL_ERRBUF_SIZE,
				 "cannot allocate an ARP table of %u entries",
				 cfg->arp_cap);
			return st;
		}
	}
	if (cfg->conn_cap) {
		enum nl_status st = nl_conntable_new(&ctx->conns, cfg->conn_cap,
						     cfg->conn_idle,
						     conn_retired, ctx);
		if (st != NL_OK) {
			snprintf(errbuf, NL_ERRBUF_SIZE,
				 "cannot allocate a connection table of %u "
				 "entries",
				 cfg->conn_cap);
			nl_arptable_free(ctx->arp);
			ctx->arp = NULL;
			return st;
		}
	}
	return NL_OK;
}

enum nl_status nl_ctx_add_sink(struct nl_ctx *ctx, struct nl_sink sink)
{
	if (ctx->n_sinks >= NL_MAX_SINKS)
		return NL_NOMEM;
	ctx->sinks[ctx->n_sinks++] = sink;
	return NL_OK;
}

void nl_ctx_set_linktype(struct nl_ctx *ctx, uint32_t dlt)
{
	ctx->dlt = dlt;
}

static void emit(struct nl_ctx *ctx, const struct nl_event *ev)
{
	for (unsigned i = 0; i < ctx->n_sinks; i++)
		ctx->sinks[i].ops->on_event(ctx->sinks[i].self, ev);
}

void nl_ctx_packet(struct nl_ctx *ctx, const struct nl_time *ts,
		   const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct nl_packet *pkt = &ctx->pkt;

	nl_decode_packet(pkt, &ctx->cfg.decode, ctx->dlt, data, caplen, len);
	pkt->frame = ctx->stats.packets + 1;
	pkt->ts = *ts;
	nl_stats_count(&ctx->stats, pkt);

	unsigned n_notices = 0;
	if (ctx->arp && NL_HAS(pkt, NL_L_ARP))
		n_notices = nl_arptable_observe(ctx->arp, pkt, ctx->notices,
						NL_MAX_NOTICES);

	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = pkt};
	/* TCP: connection table, then both sides' state machines. A later
	 * fragment has no TCP header and so no place in a connection. */
	if (ctx->conns && NL_HAS(pkt, NL_L_TCP)) {
		uint8_t dir;
		bool created;
		struct nl_conn *c =
		    nl_conntable_lookup(ctx->conns, pkt, &dir, &created);
		if (c) {
			nl_tcp_track(c, dir, pkt, &ctx->note);
			ctx->note.new_conn = created;
			nl_conntable_count_flags(ctx->conns, ctx->note.analysis);
			ev.tcp = &ctx->note;
			ev.conn = c;
		}
	}
	emit(ctx, &ev);
	for (unsigned i = 0; i < n_notices; i++) {
		struct nl_event nev = {.type = NL_EV_ARP_NOTICE, .pkt = pkt};
		nev.u.arp = &ctx->notices[i];
		emit(ctx, &nev);
	}
}

void nl_ctx_finish(struct nl_ctx *ctx, const struct nl_summary *extra)
{
	nl_conntable_finish(ctx->conns);
	struct nl_summary sum = {0};
	if (extra)
		sum = *extra;
	sum.stats = &ctx->stats;
	sum.arp = ctx->arp;
	sum.conns = ctx->conns;
	sum.dlt = ctx->dlt;
	struct nl_event ev = {.type = NL_EV_SUMMARY, .pkt = NULL};
	ev.u.summary = &sum;
	emit(ctx, &ev);
}

void nl_ctx_free(struct nl_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->n_sinks; i++)
		if (ctx->sinks[i].ops->close)
			ctx->sinks[i].ops->close(ctx->sinks[i].self);
	ctx->n_sinks = 0;
	nl_arptable_free(ctx->arp);
	ctx->arp = NULL;
	nl_conntable_free(ctx->conns);
	ctx->conns = NULL;
}
