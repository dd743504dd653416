#include "netlab/stats.h"

void nl_stats_count(struct nl_stats *s, const struct nl_packet *pkt)
{
	if (s->packets == 0)
		s->first_ts = pkt->ts;
	s->last_ts = pkt->ts;
	s->packets++;
	s->bytes_captured += pkt->caplen;
	s->bytes_wire += pkt->len;

	for (uint32_t bits = pkt->layers; bits; bits &= bits - 1)
		s->layer[__builtin_ctz(bits)]++;

	if (pkt->link.kind == NL_LINK_UNKNOWN)
		s->undecoded++;
	else if (!(pkt->layers & (NL_LAYER_BIT(NL_L_ARP) |
				  NL_LAYER_BIT(NL_L_IPV4) |
				  NL_LAYER_BIT(NL_L_IPV6))))
		s->other_network++;
	if (pkt->ip_fragment)
		s->ip_fragments++;
	if (pkt->link.kind == NL_LINK_ETHERNET) {
		s->eth_undersize += pkt->link.undersize;
		s->eth_oversize += pkt->link.oversize;
	}

	bool trunc = false, malf = false;
	for (unsigned i = 0; i < pkt->n_anom; i++) {
		const struct nl_anomaly *a = &pkt->anom[i];
		if (a->layer >= NL_LAYER_COUNT)
			continue;
		if (a->kind == NL_ANOM_TRUNCATED) {
			s->truncated[a->layer]++;
			trunc = true;
		} else {
			s->malformed[a->layer]++;
			malf = true;
		}
	}
	s->truncated_packets += trunc;
	s->malformed_packets += malf;

	/* checksums are only verified on request; count the verdicts */
	uint8_t cs[4] = {pkt->ip4.csum_status, pkt->tcp.csum_status,
			 pkt->udp.csum_status, pkt->icmp.csum_status};
	static const enum nl_layer cl[4] = {NL_L_IPV4, NL_L_TCP, NL_L_UDP,
					    NL_L_ICMP};
	for (unsigned i = 0; i < 4; i++) {
		bool present = NL_HAS(pkt, cl[i]) ||
			       (cl[i] == NL_L_ICMP && NL_HAS(pkt, NL_L_ICMPV6));
		if (!present)
			continue;
		s->csum_bad += cs[i] == NL_CSUM_BAD;
		s->csum_offload += cs[i] == NL_CSUM_OFFLOAD;
	}
}
