/*
 * IPv6 (RFC 8200) and its extension headers.
 *
 * The walk over extension headers is bounded by NL_MAX_IPV6_EXT. Each header
 * is checked twice: against the payload as sent (a header running past the
 * payload length is malformed) and against the capture (cut short by the
 * snapshot length is truncated).
 *
 * As decode.h has it, the decoder leaves the cursor over the upper-layer
 * header and returns NL_OK when it may be decoded (nl_decode_network() calls
 * nl_decode_transport() with pkt->ip_proto). A contradiction that leaves the
 * upper layer well defined is recorded and the payload still offered.
 */
#include <string.h>

#include "netlab/decode.h"
#include "internal.h"

#define IP6_HDR 40
#define IP6_ESP 50
#define IP6_AH	51

/* RFC 8200 §4.2 option types; RFC 2675 §2 jumbo payload */
#define IP6OPT_PAD1  0x00
#define IP6OPT_JUMBO 0xc2

static bool is_ext(uint8_t nh)
{
	switch (nh) {
	case NL_IPPROTO_HOPOPTS:
	case NL_IPPROTO_ROUTING:
	case NL_IPPROTO_FRAGMENT:
	case NL_IPPROTO_DSTOPTS:
	case IP6_AH:
		return true;
	default:
		return false;
	}
}

/*
 * Options of a hop-by-hop or destination options header (RFC 8200 §4.2):
 * Pad1 is a lone byte, every other option a type-length-value whose value
 * must fit in the header. False on the first one that does not.
 */
static bool tlv_options(struct nl_cur o, bool *has_jumbo, uint32_t *jumbo)
{
	while (nl_cur_left(&o) > 0) {
		uint8_t type = nl_cur_u8(&o);
		if (type == IP6OPT_PAD1)
			continue;
		if (nl_cur_left(&o) < 1)
			return false;
		uint8_t len = nl_cur_u8(&o);
		if (len > nl_cur_left(&o))
			return false;
		if (type == IP6OPT_JUMBO) {
			if (len != 4) /* RFC 2675 §2: Opt Data Len = 4 */
				return false;
			*jumbo = nl_cur_u32be(&o);
			*has_jumbo = true;
			continue;
		}
		nl_cur_skip(&o, len);
	}
	return true;
}

/* Ext header bytes as the header's own length field gives them. */
static uint32_t ext_size(uint8_t type, uint8_t hlen)
{
	if (type == NL_IPPROTO_FRAGMENT)
		return 8; /* RFC 8200 §4.5: fixed; the byte is reserved */
	if (type == IP6_AH)
		return ((uint32_t)hlen + 2) * 4; /* RFC 4302 §2.2 */
	return ((uint32_t)hlen + 1) * 8; /* RFC 8200 §4.3, §4.4, §4.6 */
}

/*
 * RFC 2675 §3: a jumbogram has payload length 0 and a jumbo option in the
 * hop-by-hop header, whose value (> 65535) counts the extension headers too.
 * Returns the payload length as sent.
 */
static uint32_t jumbo_payload(struct nl_packet *pkt, bool has_jumbo,
			      uint32_t jumbo, uint32_t avail)
{
	if (!has_jumbo) {
		/* Linux BIG TCP and some offload paths capture IPv6 packets
		 * with payload length 0 and no jumbo option; tcpdump decodes
		 * them over the rest of the frame, and so do we */
		if (avail > 0) {
			nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV6,
					  "payload length 0 without jumbo "
					  "option");
		}
		return avail;
	}
	pkt->ip6.jumbo_len = jumbo;
	if (jumbo <= 0xffff) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV6,
				  "jumbo payload length < 65536");
	}
	if (jumbo > avail) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV6,
				  "jumbo payload length exceeds frame");
		return avail;
	}
	return jumbo;
}

enum nl_status nl_decode_ipv6(struct nl_packet *pkt, struct nl_cur *c,
			      const struct nl_decode_opts *o)
{
	struct nl_ipv6 *ip6 = &pkt->ip6;
	const uint8_t *start = c->p;
	uint32_t wire = nl_packet_wire_left(pkt, start);

	(void)o; /* no IPv6 header checksum (RFC 8200 §3) */
	pkt->ip_fragment = false;
	pkt->ip_later_fragment = false;
	pkt->l3_off = nl_pkt_off(pkt, start);

	struct nl_cur peek = *c;
	uint8_t v = nl_cur_u8(&peek);
	if (nl_cur_ok(&peek) && v >> 4 != 6) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV6,
				  "version is not 6");
		return NL_MALFORMED;
	}
	uint32_t vtf = nl_cur_u32be(c);
	uint16_t plen = nl_cur_u16be(c);
	uint8_t next = nl_cur_u8(c);
	uint8_t hlim = nl_cur_u8(c);
	uint8_t src[16], dst[16];
	nl_cur_copy(c, src, 16);
	nl_cur_copy(c, dst, 16);
	if (!nl_cur_ok(c)) {
		if (wire < IP6_HDR) {
			nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV6,
					  "frame shorter than header");
			return NL_MALFORMED;
		}
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_IPV6, "header");
		return NL_TRUNCATED;
	}

	*ip6 = (struct nl_ipv6){0};
	ip6->tclass = (uint8_t)(vtf >> 20);
	ip6->flow = vtf & 0xfffff;
	ip6->plen = plen;
	ip6->next = next;
	ip6->hlim = hlim;
	pkt->layers |= NL_LAYER_BIT(NL_L_IPV6);
	pkt->src = (struct nl_addr){.family = 6};
	pkt->dst = (struct nl_addr){.family = 6};
	memcpy(pkt->src.b, src, 16);
	memcpy(pkt->dst.b, dst, 16);
	pkt->ip_proto = next;

	uint32_t avail = wire - IP6_HDR;
	uint32_t pay_wire = plen;
	bool plen0 = plen == 0 && next != NL_IPPROTO_NONE;
	if (plen > avail) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV6,
				  "payload length exceeds frame");
		pay_wire = avail;
	} else if (plen0) {
		/* settled once the hop-by-hop header (if any) is read */
		pay_wire = avail;
		if (next != NL_IPPROTO_HOPOPTS) {
			pay_wire = jumbo_payload(pkt, false, 0, avail);
			plen0 = false;
		}
	}

	struct nl_cur pay = nl_cur_sub(c, pay_wire);
	const uint8_t *pay_start = pay.p;
	uint8_t nh = next;

	while (is_ext(nh)) {
		uint32_t rem = pay_wire - (uint32_t)(pay.p - pay_start);
		if (ip6->n_ext == NL_MAX_IPV6_EXT) {
			nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV6,
					  "extension header chain too long");
			return NL_MALFORMED;
		}
		if (nh == NL_IPPROTO_HOPOPTS && ip6->n_ext > 0) {
			/* RFC 8200 §4.3: only immediately after the header */
			nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV6,
					  "hop-by-hop header not first");
		}
		struct nl_cur h = pay;
		(void)nl_cur_u8(&h);
		uint32_t size = ext_size(nh, nl_cur_u8(&h));
		if (rem < 8 || (nl_cur_ok(&h) && size > rem)) {
			nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV6,
					  "extension header exceeds payload");
			return NL_MALFORMED;
		}
		if (!nl_cur_ok(&h) || size > nl_cur_left(&pay)) {
			nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_IPV6,
					  "extension header");
			return NL_TRUNCATED;
		}

		struct nl_cur e = nl_cur_sub(&pay, size);
		uint8_t enh = nl_cur_u8(&e);
		nl_cur_skip(&e, 1);
		ip6->ext[ip6->n_ext++] = nh;
		ip6->ext_len = (uint16_t)(ip6->ext_len + size);

		if (nh == NL_IPPROTO_HOPOPTS || nh == NL_IPPROTO_DSTOPTS) {
			bool has_jumbo = false;
			uint32_t jumbo = 0;
			if (!tlv_options(e, &has_jumbo, &jumbo)) {
				nl_packet_anomaly(pkt, NL_ANOM_MALFORMED,
						  NL_L_IPV6, "option length");
			}
			if (nh == NL_IPPROTO_HOPOPTS && plen0) {
				uint32_t used = (uint32_t)(pay.p - pay_start);
				pay_wire =
				    jumbo_payload(pkt, has_jumbo, jumbo, avail);
				if (pay_wire < used) /* reported as < 65536 */
					pay_wire = used;
				if ((size_t)(pay.end - pay_start) > pay_wire)
					pay.end = pay_start + pay_wire;
				plen0 = false;
			} else if (has_jumbo && nh == NL_IPPROTO_HOPOPTS) {
				/* RFC 2675 §3: never with a nonzero
				 * payload length */
				ip6->jumbo_len = jumbo;
				nl_packet_anomaly(pkt, NL_ANOM_MALFORMED,
						  NL_L_IPV6,
						  "jumbo option with nonzero "
						  "payload length");
			}
		} else if (nh == NL_IPPROTO_FRAGMENT) {
			uint16_t offlg = nl_cur_u16be(&e);
			ip6->frag = true;
			ip6->frag_off = offlg & 0xfff8;
			ip6->frag_more = (offlg & 1) != 0;
			ip6->frag_id = nl_cur_u32be(&e);
			pkt->ip_fragment = true;
			pkt->ip_later_fragment = ip6->frag_off > 0;
		}
		nh = enh;
		if (pkt->ip_later_fragment)
			break; /* what follows is fragment data, not headers */
	}

	pkt->ip_proto = nh;
	*c = pay;
	uint32_t used = (uint32_t)(pay.p - pay_start);
	bool cut = nl_cur_left(&pay) < pay_wire - used;
	bool above = !pkt->ip_later_fragment && nh != NL_IPPROTO_NONE;

	if (above)
		pkt->l4_off = nl_pkt_off(pkt, pay.p);
	/* nobody above will notice the cut: fragment data, no next header
	 * (RFC 8200 §4.7), or a protocol with no decoder */
	if (cut && !(above && nl_transport_known(nh)))
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_IPV6, "payload");
	return NL_OK;
}
