/*
 * The analysis pipeline for one capture: decode -> ARP table -> connection
 * table -> TCP tracker -> stream analysis (reassembly, framing, message
 * maps) -> sinks.
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
	cfg->conn_linger = NL_CONN_DEFAULT_LINGER;
	nl_flow_config_defaults(&cfg->flow);
	cfg->udp_cap = NL_UDP_DEFAULT_CAP;
}

static void emit(struct nl_ctx *ctx, const struct nl_event *ev);

/* The sinks' event type of each stream-analysis event. */
static const enum nl_event_type flow_ev_type[NL_FLOW_EV_COUNT] = {
    [NL_FLOW_MESSAGE] = NL_EV_MESSAGE,
    [NL_FLOW_SEGMAP] = NL_EV_SEGMAP,
    [NL_FLOW_NOTE] = NL_EV_FLOW_NOTE,
    [NL_FLOW_DATA] = NL_EV_FLOW_DATA,
};

/* The stream analysis reports: pass it on to the sinks. */
static void flow_event(void *arg, const struct nl_flow_event *fe)
{
	struct nl_ctx *ctx = arg;
	if ((unsigned)fe->type >= NL_FLOW_EV_COUNT)
		return;
	struct nl_event ev = {.type = flow_ev_type[fe->type],
			      .pkt = ctx->in_packet ? &ctx->pkt : NULL};
	switch (fe->type) {
	case NL_FLOW_MESSAGE:
		ev.u.message = fe->u.message;
		break;
	case NL_FLOW_SEGMAP:
		ev.u.segmap = fe->u.segmap;
		break;
	case NL_FLOW_NOTE:
		ev.u.note = fe->u.note;
		break;
	case NL_FLOW_DATA:
		ev.u.data = fe->u.data;
		break;
	case NL_FLOW_EV_COUNT:
		return;
	}
	emit(ctx, &ev);
}

/* An application record (--truth) is due: pass it on. */
static void app_event(void *arg, const struct nl_app_rec *r)
{
	struct nl_ctx *ctx = arg;
	struct nl_event ev = {.type = NL_EV_APP,
			      .pkt = ctx->in_packet ? &ctx->pkt : NULL};
	ev.u.app = r;
	emit(ctx, &ev);
}

/* The connection table retires a connection: finish its streams, then
 * tell the sinks. */
static void conn_retired(void *arg, const struct nl_conn *c,
			 enum nl_conn_end_reason why)
{
	struct nl_ctx *ctx = arg;
	struct nl_conn_end end = {.conn = c, .why = why};
	struct nl_flow_stats fs;
	if (ctx->flows && nl_flow_conn_end(ctx->flows, c, &fs))
		end.flow = &fs;
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
	if (cfg->n_truth) {
		enum nl_status st = nl_apptruth_open(&ctx->app, cfg->truth,
						     cfg->n_truth, errbuf);
		if (st != NL_OK) {
			nl_ctx_free(ctx);
			return st;
		}
	}
	if (cfg->udp_cap && nl_udptable_new(&ctx->udp, cfg->udp_cap) != NL_OK) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "cannot allocate a UDP flow table of %u entries",
			 cfg->udp_cap);
		nl_ctx_free(ctx);
		return NL_NOMEM;
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
		nl_conntable_set_linger(ctx->conns, cfg->conn_linger);
		if (cfg->flow.cap) {
			/* a record per connection the table can hold */
			struct nl_flow_config fc = cfg->flow;
			fc.records = cfg->conn_cap;
			st = nl_flowtable_new(&ctx->flows, &fc, flow_event,
					      ctx, errbuf);
			if (st != NL_OK) {
				nl_ctx_free(ctx);
				return st;
			}
		}
	}
	return NL_OK;
}

enum nl_status nl_ctx_add_sink(struct nl_ctx *ctx, struct nl_sink sink)
{
	if (ctx->n_sinks >= NL_MAX_SINKS)
		return NL_NOMEM;
	uint32_t events = sink.ops->events ? sink.ops->events : ~0u;
	ctx->sink_events[ctx->n_sinks] = events;
	ctx->sinks[ctx->n_sinks++] = sink;
	ctx->events |= events;
	if (ctx->flows) {
		/* stream analysis prepares only what some sink takes */
		uint32_t mask = 0;
		for (unsigned k = 0; k < NL_FLOW_EV_COUNT; k++)
			if (ctx->events & NL_EV_BIT(flow_ev_type[k]))
				mask |= 1u << k;
		nl_flowtable_set_wanted(ctx->flows, mask);
	}
	return NL_OK;
}

void nl_ctx_set_linktype(struct nl_ctx *ctx, uint32_t dlt)
{
	ctx->dlt = dlt;
}

static void emit(struct nl_ctx *ctx, const struct nl_event *ev)
{
	uint32_t bit = NL_EV_BIT(ev->type);
	if (!(ctx->events & bit))
		return; /* -q: no sink takes packets */
	for (unsigned i = 0; i < ctx->n_sinks; i++)
		if (ctx->sink_events[i] & bit)
			ctx->sinks[i].ops->on_event(ctx->sinks[i].self, ev);
}

void nl_ctx_packet(struct nl_ctx *ctx, const struct nl_time *ts,
		   const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct nl_packet *pkt = &ctx->pkt;

	nl_decode_packet(pkt, &ctx->cfg.decode, ctx->dlt, data, caplen, len);
	pkt->frame = ctx->stats.packets + 1;
	pkt->ts = *ts;
	pkt->ts_ns = nl_time_ns(ts);
	nl_stats_count(&ctx->stats, pkt);

	unsigned n_notices = 0;
	if (ctx->arp && NL_HAS(pkt, NL_L_ARP))
		n_notices = nl_arptable_observe(ctx->arp, pkt, ctx->notices,
						NL_MAX_NOTICES);

	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = pkt};
	ctx->in_packet = true;
	/* TCP: connection table, then both sides' state machines. A later
	 * fragment has no TCP header and so no place in a connection. */
	if (ctx->conns && NL_HAS(pkt, NL_L_TCP)) {
		uint8_t dir;
		bool created;
		struct nl_conn *c =
		    nl_conntable_lookup(ctx->conns, pkt, &dir, &created);
		if (c) {
			/* a note whole only for sinks that take packets, or the
			 * truth records' stream offsets */
			nl_tcp_track(c, dir, pkt, &ctx->note,
				     (ctx->events & NL_EV_BIT(NL_EV_PACKET)) ||
					 ctx->app);
			if (ctx->note.n_changes)
				nl_conntable_changed(ctx->conns, c);
			ctx->note.new_conn = created;
			ev.tcp = &ctx->note;
			ev.conn = c;
			if (ctx->flows) {
				nl_flow_packet(ctx->flows, c, dir, pkt,
					       &ctx->segmap);
				if (pkt->payload_len)
					ev.segmap = &ctx->segmap;
			}
		}
	}
	if (ctx->udp && NL_HAS(pkt, NL_L_UDP))
		ev.udp = nl_udptable_observe(ctx->udp, pkt, &ev.udp_dir,
					     &ev.udp_index);
	if (ctx->app) {
		/* the stream offset of the payload: relative seq 1 is the
		 * first byte after the SYN */
		uint64_t off = ev.tcp && ev.tcp->rseq ? ev.tcp->rseq - 1 : 0;
		nl_apptruth_before(ctx->app, pkt, off, ev.udp_index,
				   &ctx->appmap, app_event, ctx);
		if (ctx->appmap.n_sends)
			ev.app = &ctx->appmap;
	}
	emit(ctx, &ev);
	if (ctx->app)
		nl_apptruth_after(ctx->app, app_event, ctx);
	ctx->in_packet = false;
	for (unsigned i = 0; i < n_notices; i++) {
		struct nl_event nev = {.type = NL_EV_ARP_NOTICE, .pkt = pkt};
		nev.u.arp = &ctx->notices[i];
		emit(ctx, &nev);
	}
}

void nl_ctx_finish(struct nl_ctx *ctx, const struct nl_summary *extra)
{
	nl_conntable_finish(ctx->conns);
	if (ctx->app)
		nl_apptruth_finish(ctx->app, app_event, ctx);
	struct nl_summary sum = {0};
	if (extra)
		sum = *extra;
	sum.stats = &ctx->stats;
	sum.arp = ctx->arp;
	sum.conns = ctx->conns;
	sum.flows = ctx->flows;
	sum.udp = ctx->udp;
	sum.app = ctx->app;
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
	nl_flowtable_free(ctx->flows);
	ctx->flows = NULL;
	nl_udptable_free(ctx->udp);
	ctx->udp = NULL;
	nl_apptruth_free(ctx->app);
	ctx->app = NULL;
}
