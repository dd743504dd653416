/*
 * UDP flows, listed beside the TCP connections: UDP keeps message
 * boundaries, so one datagram is one message. The table counts, per flow
 * (4-tuple, both directions together) and direction, the datagrams, their
 * bytes and the smallest and largest. Fixed capacity allocated at start-up;
 * flows beyond it are counted, not tracked.
 */
#ifndef NETLAB_UDPFLOW_H
#define NETLAB_UDPFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/decode.h"
#include "netlab/status.h"

#define NL_UDP_DEFAULT_CAP 4096
#define NL_UDP_MAX_CAP	   (1u << 20)

struct nl_udp_flow {
	uint64_t id;	      /* 1-based, in order of first datagram */
	struct nl_addr addr[2]; /* [0] sent the first datagram */
	uint16_t port[2];
	bool used;
	uint64_t dgrams[2], bytes[2]; /* per direction (sender) */
	uint32_t min_len[2], max_len[2];
	int64_t first_ns, last_ns;
};

struct nl_udp_table;

struct nl_udp_counts {
	uint64_t flows;	    /* tracked */
	uint64_t untracked; /* datagrams of flows that found the table full */
	uint64_t dgrams;
	uint32_t cap;
};

NL_WUR enum nl_status nl_udptable_new(struct nl_udp_table **out, uint32_t cap);
void nl_udptable_free(struct nl_udp_table *t);
/* One decoded UDP datagram (not a later IP fragment). Returns its flow, or
 * NULL if it has none (table full); *dir is the sender's side, *index the
 * datagram's number in that direction (1-based). */
const struct nl_udp_flow *nl_udptable_observe(struct nl_udp_table *t,
					      const struct nl_packet *pkt,
					      uint8_t *dir, uint64_t *index);
void nl_udptable_counts(const struct nl_udp_table *t, struct nl_udp_counts *out);
/* The flows in order of id: i from 0 to counts.flows - 1. */
const struct nl_udp_flow *nl_udptable_get(const struct nl_udp_table *t,
					  uint64_t i);

#endif
