/*
 * The analysis context: one per capture, passed down the pipeline
 * decode -> ARP table -> connection table -> TCP tracker -> stream
 * analysis (reassembly -> framing -> message maps) -> sinks. No global state: two captures can be analysed in one process.
 */
#ifndef NETLAB_PIPELINE_H
#define NETLAB_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/apptruth.h"
#include "netlab/arptable.h"
#include "netlab/conn.h"
#include "netlab/decode.h"
#include "netlab/event.h"
#include "netlab/flow.h"
#include "netlab/stats.h"
#include "netlab/status.h"
#include "netlab/udpflow.h"

#define NL_MAX_SINKS 12
#define NL_MAX_NOTICES 4

struct nl_config {
	struct nl_decode_opts decode;
	uint32_t arp_cap; /* ARP table capacity; 0 turns ARP tracking off */
	uint32_t conn_cap; /* TCP connection table capacity; 0: no tracking */
	uint32_t conn_idle; /* seconds of capture time; 0: never idle */
	uint32_t conn_linger; /* closed ones: seconds of capture time; 0: keep */
	/* stream analysis (reassembly, framing, message maps); needs
	 * tracking. flow.cap 0 (--max-flows 0) turns it off */
	struct nl_flow_config flow;
	uint32_t udp_cap; /* UDP flow table capacity; 0 turns it off */
	/* replay --truth FILE (netlab gen's ground truth), up to 4 */
	const char *truth[NL_APP_MAX_FILES];
	unsigned n_truth;
};

void nl_config_defaults(struct nl_config *cfg);

struct nl_ctx {
	struct nl_config cfg;
	struct nl_stats stats;
	struct nl_packet pkt; /* reused for every packet */
	struct nl_arp_table *arp;
	struct nl_arp_notice notices[NL_MAX_NOTICES];
	struct nl_conn_table *conns;
	struct nl_tcp_note note; /* the tracker's notes on the current packet */
	struct nl_flow_table *flows;
	struct nl_udp_table *udp;
	struct nl_apptruth *app;
	struct nl_app_map appmap; /* the current packet's sends */
	struct nl_segmap segmap; /* the current packet's message map */
	bool in_packet; /* events now are caused by ctx->pkt */
	struct nl_sink sinks[NL_MAX_SINKS];
	uint32_t sink_events[NL_MAX_SINKS]; /* NL_EV_BIT()s each takes */
	uint32_t events;		    /* and all of them together */
	unsigned n_sinks;
	uint32_t dlt;
};

NL_WUR enum nl_status nl_ctx_init(struct nl_ctx *ctx, const struct nl_config *cfg,
				  char *errbuf);
/* Sinks receive events in the order they were added. */
NL_WUR enum nl_status nl_ctx_add_sink(struct nl_ctx *ctx, struct nl_sink sink);
void nl_ctx_set_linktype(struct nl_ctx *ctx, uint32_t dlt);
/* Run one captured packet through every stage. data is borrowed. */
void nl_ctx_packet(struct nl_ctx *ctx, const struct nl_time *ts,
		   const uint8_t *data, uint32_t caplen, uint32_t len);
/* End of input: emit the summary event. */
void nl_ctx_finish(struct nl_ctx *ctx, const struct nl_summary *extra);
/* Close every sink and free the stages. */
void nl_ctx_free(struct nl_ctx *ctx);

#endif
