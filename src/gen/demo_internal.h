/* Internal to src/gen: the demo's state, shared by demo.c and
 * demo_view.c. */
#ifndef NETLAB_DEMO_INTERNAL_H
#define NETLAB_DEMO_INTERNAL_H

#include <pthread.h>

#include "netlab/capture.h"
#include "netlab/decode.h"
#include "netlab/event.h"
#include "netlab/gen.h"

#define DEMO_MAX_RECS 4096 /* sends/recvs/messages kept for the views */
#define DEMO_MAX_SEGS 4096 /* segments kept for the wire view */
#define DEMO_PREVIEW  40
#define DEMO_ROWS     40 /* rows printed per view before "… N more" */

struct demo_rec {
	int side; /* 0 client, 1 server */
	enum nl_truth_ev ev;
	uint32_t conn, hdr;
	uint64_t off, len;
	int64_t ret;
	char check[8];
	uint8_t preview[DEMO_PREVIEW];
	uint32_t plen;
	bool more;
};

struct demo_seg {
	uint64_t frame;
	int dir; /* 0 client->server, 1 server->client */
	uint64_t rel;
	uint32_t len; /* payload; 0: a bare FIN (the table's, not the
		       * stacked wire view's) */
	bool fin;
	uint8_t preview[DEMO_PREVIEW];
	uint32_t plen;
	char map[128]; /* netlab's message map of this segment */
};

struct demo {
	enum nl_gen_scenario scenario;
	struct nl_gen_opts so, co;
	struct nl_gen_server *srv;
	struct nl_outbuf srvlog;
	uint16_t port;
	volatile sig_atomic_t stop;
	struct nl_gen_stats cst, sst;
	char cli_err[NL_ERRBUF_SIZE], srv_err[NL_ERRBUF_SIZE];
	char flood_line[256];
	bool in_ns;
	char ns_note[200];
	/* records, from both threads */
	pthread_mutex_t lock;
	struct demo_rec recs[DEMO_MAX_RECS];
	uint32_t nrecs;
	uint64_t dropped_recs;
	/* the wire */
	struct nl_capture *cap;
	char cap_note[NL_ERRBUF_SIZE + 64];
	uint64_t cap_dropped;
	struct nl_packet pkt;
	bool have_isn[2];
	uint32_t isn[2];
	uint64_t udp_off[2];
	struct demo_seg *segs;
	uint32_t nsegs;
	uint64_t more_segs, payload_segs[2];
	/* netlab's stream analysis of the capture (demo_flow_sink) */
	char flow_note[NL_ERRBUF_SIZE + 64];
	bool flow_on;
	uint64_t map_msgs, map_merged, map_split; /* client->server */
};

void demo_wire_packet(struct demo *d, const struct nl_packet *p);
/* A sink (self: struct demo) that keeps the inspector's message map of
 * each segment of the wire view. */
extern const struct nl_sink_ops demo_flow_sink_ops;
/* The views side by side (netlab/demolayout.h) when the width allows and
 * --stacked was not given, else one after another. */
void demo_print(struct demo *d, const struct nl_gen_opts *o,
		struct nl_outbuf *out);
void demo_free(struct demo *d);

#endif
