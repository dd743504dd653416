/* Counters kept by the pipeline for the summary. */
#ifndef NETLAB_STATS_H
#define NETLAB_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/decode.h"

struct nl_stats {
	uint64_t packets;
	uint64_t bytes_captured, bytes_wire;
	struct nl_time first_ts, last_ts;

	uint64_t layer[NL_LAYER_COUNT];     /* packets carrying each layer */
	uint64_t truncated[NL_LAYER_COUNT]; /* packets cut short in that layer */
	uint64_t malformed[NL_LAYER_COUNT];
	uint64_t truncated_packets, malformed_packets; /* each packet once */
	uint64_t undecoded;       /* link type netlab does not decode */
	uint64_t other_network;   /* link decoded, network protocol unknown */
	uint64_t ip_fragments;
	uint64_t eth_undersize, eth_oversize;
	uint64_t csum_bad, csum_offload; /* with --verify-checksums */

	/* live capture only, from pcap_stats() */
	bool live;
	uint64_t pcap_received, pcap_dropped, pcap_ifdropped;
};

/* Count one decoded packet. */
void nl_stats_count(struct nl_stats *s, const struct nl_packet *pkt);

#endif
