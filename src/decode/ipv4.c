/*
 * IPv4 (RFC 791).
 *
 * The datagram's extent as sent is its total length; the frame may hold more
 * (Ethernet pads short frames to 60 bytes) and the capture may hold less
 * (snapshot length). The transport layer sees a cursor clamped to the
 * captured part of the payload, and learns the length as sent from
 * nl_ip_payload_left().
 *
 * As decode.h has it, the decoder leaves the cursor over the payload and
 * returns NL_OK when the layer above may be decoded; nl_decode_network() then
 * calls nl_decode_transport(). A contradiction that still leaves the payload
 * well defined (total length 0 from segmentation offload, a length beyond
 * the frame, a bad option) is recorded and the payload is still offered.
 */
#include <string.h>

#include "netlab/decode.h"
#include "internal.h"

#define IP4_MIN_HDR 20

#define IP4_OPT_EOL 0
#define IP4_OPT_NOP 1

/* Static reasons, so anomalies never point into a buffer of ours. */
static const char *const ihl_reason[5] = {
    "IHL 0 < 5", "IHL 1 < 5", "IHL 2 < 5", "IHL 3 < 5", "IHL 4 < 5",
};

/*
 * RFC 791 §3.1: every option but End of Option List and No Operation has a
 * length octet counting the type and length octets; it must be at least 2
 * and stay within the header. Returns false on the first bad one.
 */
static bool ipv4_options_ok(struct nl_cur o)
{
	while (nl_cur_left(&o) > 0) {
		uint8_t type = nl_cur_u8(&o);
		if (type == IP4_OPT_EOL)
			return true;
		if (type == IP4_OPT_NOP)
			continue;
		if (nl_cur_left(&o) < 1)
			return false;
		uint8_t len = nl_cur_u8(&o);
		if (len < 2 || (size_t)(len - 2) > nl_cur_left(&o))
			return false;
		nl_cur_skip(&o, (size_t)(len - 2));
	}
	return true;
}

/* The fixed header is not all there: cut by the capture, or by the frame? */
static enum nl_status header_cut(struct nl_packet *pkt, uint32_t wire)
{
	if (wire < IP4_MIN_HDR) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV4,
				  "frame shorter than header");
		return NL_MALFORMED;
	}
	nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_IPV4, "header");
	return NL_TRUNCATED;
}

enum nl_status nl_decode_ipv4(struct nl_packet *pkt, struct nl_cur *c,
			      const struct nl_decode_opts *o)
{
	struct nl_ipv4 *ip = &pkt->ip4;
	const uint8_t *start = c->p;
	uint32_t wire = nl_packet_wire_left(pkt, start);

	pkt->ip_fragment = false;
	pkt->ip_later_fragment = false;
	pkt->l3_off = nl_pkt_off(pkt, start);

	uint8_t vihl = nl_cur_u8(c);
	if (!nl_cur_ok(c))
		return header_cut(pkt, wire);
	if (vihl >> 4 != 4) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV4,
				  "version is not 4");
		return NL_MALFORMED;
	}
	if ((vihl & 0x0f) < 5) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV4,
				  ihl_reason[vihl & 0x0f]);
		return NL_MALFORMED;
	}

	*ip = (struct nl_ipv4){0};
	ip->ihl = (uint8_t)((vihl & 0x0f) * 4);
	ip->tos = nl_cur_u8(c);
	ip->tot_len = nl_cur_u16be(c);
	ip->id = nl_cur_u16be(c);
	uint16_t frag = nl_cur_u16be(c);
	ip->ttl = nl_cur_u8(c);
	ip->proto = nl_cur_u8(c);
	ip->csum = nl_cur_u16be(c);
	uint8_t src[4], dst[4];
	nl_cur_copy(c, src, 4);
	nl_cur_copy(c, dst, 4);
	if (!nl_cur_ok(c))
		return header_cut(pkt, wire);
	/* RFC 791 §3.1 flags: reserved, DF, MF; offset in 8-byte units */
	ip->rf = (frag & 0x8000) != 0;
	ip->df = (frag & 0x4000) != 0;
	ip->mf = (frag & 0x2000) != 0;
	ip->frag_off = (uint16_t)((frag & 0x1fff) * 8);
	ip->opt_len = (uint8_t)(ip->ihl - IP4_MIN_HDR);

	pkt->layers |= NL_LAYER_BIT(NL_L_IPV4);
	pkt->src = (struct nl_addr){.family = 4};
	pkt->dst = (struct nl_addr){.family = 4};
	memcpy(pkt->src.b, src, 4);
	memcpy(pkt->dst.b, dst, 4);
	pkt->ip_proto = ip->proto;
	pkt->ip_fragment = ip->mf || ip->frag_off > 0;
	pkt->ip_later_fragment = ip->frag_off > 0;

	uint32_t dgram = ip->tot_len;
	if (ip->tot_len == 0) {
		/* Linux TSO: a segment captured before the NIC splits it
		 * carries total length 0; decode what the frame holds, as
		 * Wireshark does. */
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV4,
				  "total length 0 (segmentation offload?)");
		dgram = wire;
	} else if (ip->tot_len < ip->ihl) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV4,
				  "total length < header length");
		return NL_MALFORMED;
	} else if (ip->tot_len > wire) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV4,
				  "total length exceeds frame");
		dgram = wire;
	}
	if (ip->ihl > dgram) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV4,
				  "header length exceeds frame");
		return NL_MALFORMED;
	}

	struct nl_cur opts = nl_cur_sub(c, ip->opt_len);
	if (nl_cur_left(&opts) < ip->opt_len) {
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_IPV4, "options");
		return NL_TRUNCATED;
	}
	if (!ipv4_options_ok(opts)) {
		/* IHL still says where the payload starts: carry on */
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_IPV4,
				  "option length");
	}
	if (o && o->verify_checksums) {
		/* RFC 791 §3.1: the sum over the header, checksum included,
		 * is all ones */
		uint16_t f = nl_csum_fold(nl_csum_add(0, start, ip->ihl));
		ip->csum_status = f == 0xffff ? NL_CSUM_OK : NL_CSUM_BAD;
		if (f != 0xffff)
			ip->csum_want = (uint16_t)~nl_csum_fold(
				nl_csum_add(0, start, ip->ihl) +
				(uint16_t)~ip->csum);
	}

	/* the payload ends at the total length: Ethernet padding after it is
	 * not IP's */
	uint32_t pay_wire = dgram - ip->ihl;
	struct nl_cur pl = nl_cur_sub(c, pay_wire);
	*c = pl;
	if (!pkt->ip_later_fragment)
		pkt->l4_off = nl_pkt_off(pkt, pl.p);
	/* a later fragment (its transport header is in the first) or a
	 * protocol with no decoder: nobody above will notice the cut */
	if (nl_cur_left(&pl) < pay_wire &&
	    (pkt->ip_later_fragment || !nl_transport_known(ip->proto)))
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_IPV4, "payload");
	return NL_OK;
}
