/*
 * Text and JSON for the application's records (replay --truth) and the UDP
 * flows, shared by the sinks. Internal to src/report.
 */
#ifndef NETLAB_REPORT_APP_H
#define NETLAB_REPORT_APP_H

#include "jsonw.h"
#include "netlab/apptruth.h"
#include "netlab/udpflow.h"

/* "app client send #2: 5 B at stream offset 5" (one line, no newline) */
void nl_report_app_rec(struct nl_outbuf *o, const struct nl_app_rec *r);
/* " sends #1-#3 (3 sends in one segment)" after a packet's other notes */
void nl_report_app_map(struct nl_outbuf *o, const struct nl_app_map *m);
/* {"type":"app", …} line */
void nl_json_app_rec(struct nl_outbuf *o, const struct nl_app_rec *r);
/* "sends":{…} member of a packet object */
void nl_json_app_map(struct jw *w, const struct nl_app_map *m);
/* " datagram #3 of udp flow 2 (one datagram, one message)" */
void nl_report_udp_dgram(struct nl_outbuf *o, const struct nl_udp_flow *f,
			 uint8_t dir, uint64_t index);
/* "udp" member of the JSON packet object */
void nl_json_udp_dgram(struct jw *w, const struct nl_udp_flow *f, uint8_t dir,
		       uint64_t index);
/* The UDP flows, one line each, for the text summary (at most max) */
void nl_report_udp_flows(struct nl_outbuf *o, const struct nl_udp_table *t,
			 unsigned max);
/* "udp_flows":[…] member of the JSON summary (at most max) */
void nl_json_udp_flows(struct jw *w, const struct nl_udp_table *t,
		       unsigned max);

#endif
