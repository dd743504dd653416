/*
 * Per-packet entry point: reset the reused struct nl_packet, then run the
 * link, network and transport decoders in turn, each deciding whether the
 * one above may look at the bytes it left.
 */
#include "netlab/decode.h"

/*
 * Called once per packet at well over a million packets a second, so only
 * what a later stage could read stale is cleared here: the layer bits and
 * anomaly count (which govern every per-layer struct and anom[]), the common
 * IP view and the offsets. Each layer decoder clears its own struct when it
 * runs (nl_decode_link the link struct), so a packet pays only for the
 * layers it has. frame and ts belong to the caller.
 */
static void packet_reset(struct nl_packet *pkt)
{
	pkt->layers = 0;
	pkt->n_anom = 0;
	pkt->src.family = 0;
	pkt->dst.family = 0;
	pkt->ip_proto = 0;
	pkt->ip_fragment = false;
	pkt->ip_later_fragment = false;
	pkt->payload = NULL;
	pkt->payload_caplen = 0;
	pkt->payload_len = 0;
	pkt->l3_off = 0;
	pkt->l4_off = 0;
	pkt->payload_off = 0;
}

void nl_decode_packet(struct nl_packet *pkt, const struct nl_decode_opts *opts,
		      uint32_t dlt, const uint8_t *data, uint32_t caplen,
		      uint32_t len)
{
	/* A zero-length capture may come with no buffer at all; pointer
	 * arithmetic on NULL is undefined even for an offset of 0. */
	static const uint8_t empty[1];
	static const struct nl_decode_opts no_opts;

	if (data == NULL) {
		data = empty;
		caplen = 0;
	}
	if (opts == NULL)
		opts = &no_opts;

	packet_reset(pkt);
	pkt->data = data;
	pkt->caplen = caplen;
	pkt->len = len;
	pkt->link.dlt = dlt;

	/* pcap promises caplen <= len. A writer that breaks the promise gives
	 * a record that contradicts itself; decode what was captured as if it
	 * had been sent, so "as sent" checks stay meaningful. */
	if (caplen > len) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_LINK,
				  "captured length exceeds length on the wire");
		pkt->len = caplen;
	}

	struct nl_cur c = nl_cur_make(data, caplen);
	if (nl_decode_link(pkt, &c, opts) != NL_OK)
		return;
	nl_decode_network(pkt, &c, pkt->link.ethertype, opts);
}

bool nl_decode_linktype_supported(uint32_t dlt)
{
	switch (dlt) {
	case NL_DLT_NULL:
	case NL_DLT_EN10MB:
	case NL_DLT_RAW:
	case NL_DLT_RAW_OPENBSD:
	case NL_DLT_RAW_LINKTYPE:
	case NL_DLT_LOOP:
	case NL_DLT_LINUX_SLL:
	case NL_DLT_IPV4:
	case NL_DLT_IPV6:
	case NL_DLT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

void nl_decode_network(struct nl_packet *pkt, struct nl_cur *c,
		       uint16_t ethertype, const struct nl_decode_opts *o)
{
	enum nl_status st;

	switch (ethertype) {
	case NL_ETHERTYPE_IPV4:
		pkt->l3_off = (uint32_t)(c->p - pkt->data);
		st = nl_decode_ipv4(pkt, c, o);
		break;
	case NL_ETHERTYPE_IPV6:
		pkt->l3_off = (uint32_t)(c->p - pkt->data);
		st = nl_decode_ipv6(pkt, c, o);
		break;
	case NL_ETHERTYPE_ARP:
		pkt->l3_off = (uint32_t)(c->p - pkt->data);
		st = nl_decode_arp(pkt, c);
		/* ARP is the top layer: nothing above it to decode. */
		(void)st;
		return;
	default:
		/* Not a protocol netlab decodes: the link layer is all. */
		return;
	}

	/* A later fragment starts in the middle of the upper-layer data
	 * (RFC 791 fragment offset, RFC 8200 §4.5): no header to decode. */
	if (st == NL_OK && !pkt->ip_later_fragment)
		nl_decode_transport(pkt, c, pkt->ip_proto, o);
}

void nl_packet_anomaly(struct nl_packet *pkt, enum nl_anomaly_kind kind,
		       enum nl_layer layer, const char *what)
{
	/* The first anomalies are kept: the lowest layer's problem explains
	 * the ones that follow from it. */
	if (pkt->n_anom >= NL_MAX_ANOMALIES)
		return;
	struct nl_anomaly *a = &pkt->anom[pkt->n_anom++];
	a->kind = (uint8_t)kind;
	a->layer = (uint8_t)layer;
	a->what = what;
}

uint32_t nl_packet_wire_left(const struct nl_packet *pkt, const uint8_t *p)
{
	if (p < pkt->data)
		return pkt->len;
	size_t off = (size_t)(p - pkt->data);
	if (off >= pkt->len)
		return 0;
	return pkt->len - (uint32_t)off;
}
