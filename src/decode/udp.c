/*
 * UDP (RFC 768).
 *
 * The UDP length must agree with the IP payload: below 8 or beyond it is
 * malformed (except in a first fragment, where it is the whole datagram's).
 * Shorter is legal on the wire (the surplus is where UDP options,
 * draft-ietf-tsvwg-udp-options, live) but still a disagreement worth
 * reporting, so it is noted as MALFORMED and the datagram is the UDP length.
 */
#include "netlab/decode.h"
#include "internal.h"

#define UDP_HDR 8

enum nl_status nl_decode_udp(struct nl_packet *pkt, struct nl_cur *c,
			     const struct nl_decode_opts *o)
{
	struct nl_udp *u = &pkt->udp;
	const uint8_t *start = c->p;
	uint32_t wire = nl_ip_payload_left(pkt, start);
	uint32_t cap = (uint32_t)nl_cur_left(c);
	enum nl_status st = NL_OK;
	bool v6 = NL_HAS(pkt, NL_L_IPV6) && pkt->src.family == 6;

	pkt->payload = NULL;
	pkt->payload_caplen = pkt->payload_len = pkt->payload_off = 0;
	if (cap > wire)
		cap = wire;

	*u = (struct nl_udp){0};
	u->sport = nl_cur_u16be(c);
	u->dport = nl_cur_u16be(c);
	u->len = nl_cur_u16be(c);
	u->csum = nl_cur_u16be(c);
	if (wire < UDP_HDR) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_UDP,
				  "datagram shorter than header");
		return NL_MALFORMED;
	}
	if (!nl_cur_ok(c)) {
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_UDP, "header");
		return NL_TRUNCATED;
	}
	pkt->layers |= NL_LAYER_BIT(NL_L_UDP);

	uint32_t len = u->len;
	if (len == 0 && v6 && pkt->ip6.jumbo_len > 0) {
		/* RFC 2675 §4: a UDP jumbogram's length field is 0; the
		 * length is the IP payload's */
		len = wire;
	} else if (len < UDP_HDR) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_UDP,
				  "length < 8");
		return NL_MALFORMED;
	} else if (len > wire && pkt->ip_fragment) {
		/* a first fragment: the length is the whole datagram's, of
		 * which this packet carries the IP payload */
		len = wire;
	} else if (len > wire) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_UDP,
				  "length exceeds IP payload");
		return NL_MALFORMED;
	} else if (len < wire) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_UDP,
				  "length shorter than IP payload");
		st = NL_MALFORMED;
	}
	if (cap > len)
		cap = len;
	if (c->end > start + cap)
		c->end = start + cap;

	pkt->payload_len = len - UDP_HDR;
	if (pkt->payload_len > 0) {
		pkt->layers |= NL_LAYER_BIT(NL_L_PAYLOAD);
		pkt->payload = c->p;
		pkt->payload_caplen = cap - UDP_HDR;
		pkt->payload_off = nl_pkt_off(pkt, c->p);
		if (pkt->payload_caplen < pkt->payload_len) {
			nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_PAYLOAD,
					  "payload");
			if (st == NL_OK)
				st = NL_TRUNCATED;
		}
	}

	if (u->csum == 0) {
		if (v6) {
			/* RFC 8200 §8.1: mandatory over IPv6 (RFC 6936's
			 * tunnel exception is not visible here) */
			nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_UDP,
					  "checksum 0 over IPv6");
			if (o && o->verify_checksums)
				u->csum_status = NL_CSUM_BAD;
			return NL_MALFORMED;
		}
		/* RFC 768: zero means the sender computed none */
		if (o && o->verify_checksums)
			u->csum_status = NL_CSUM_ABSENT;
		return st;
	}
	if (o && o->verify_checksums)
		u->csum_status = (uint8_t)nl_csum_check(
		    pkt, NL_IPPROTO_UDP, start, cap, len, u->csum, true, true,
		    &u->csum_want);
	return st;
}
