/*
 * Internet checksum (RFC 1071) and the pseudo-headers of TCP, UDP and
 * ICMPv6.
 *
 * nl_csum_add() returns a running 32-bit one's-complement sum; only the last
 * chunk given to it may have an odd length (RFC 1071 §4.1 pads that last
 * byte with zero). nl_csum_fold() folds it to 16 bits WITHOUT complementing:
 * a region that includes a correct checksum folds to 0xffff, and the value
 * to store in a checksum field is ~nl_csum_fold(sum).
 */
#include <string.h>

#include "netlab/decode.h"
#include "internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define NL_HOST_BE 1
#else
#define NL_HOST_BE 0
#endif

/*
 * Sum in host byte order, 64 bits at a time with end-around carry, then fold.
 * RFC 1071 §2(B): the one's-complement sum is byte-order independent up to a
 * final swap, so summing native words and swapping once is exact.
 */
static uint16_t sum_native(const uint8_t *p, uint32_t n)
{
	uint64_t acc = 0, w;

	while (n >= 32) {
		uint64_t a, b, c, d;
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&d, p + 24, 8);
		acc += a;
		acc += (acc < a);
		acc += b;
		acc += (acc < b);
		acc += c;
		acc += (acc < c);
		acc += d;
		acc += (acc < d);
		p += 32;
		n -= 32;
	}
	while (n >= 8) {
		memcpy(&w, p, 8);
		acc += w;
		acc += (acc < w);
		p += 8;
		n -= 8;
	}
	if (n >= 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		acc += v;
		acc += (acc < v);
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t v;
		memcpy(&v, p, 2);
		acc += v;
		acc += (acc < v);
		p += 2;
		n -= 2;
	}
	if (n) {
		/* the odd byte is the high-order half of a zero-padded word */
		uint16_t v = 0;
		memcpy(&v, p, 1);
		acc += v;
		acc += (acc < v);
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)acc;
}

uint32_t nl_csum_add(uint32_t sum, const uint8_t *p, uint32_t n)
{
	uint32_t s = sum_native(p, n);

	if (!NL_HOST_BE)
		s = (uint32_t)(((s & 0xffu) << 8) | (s >> 8));
	uint64_t t = (uint64_t)sum + s;
	return (uint32_t)((t & 0xffffffffu) + (t >> 32));
}

uint16_t nl_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * RFC 8200 §8.1: with a routing header, the pseudo-header carries the final
 * destination. Walk the extension headers already validated by the IPv6
 * decoder (their types are in ip6.ext[]) and find it. False for a routing
 * type whose final address we cannot read (RPL's compressed form).
 */
static bool ipv6_final_dst(const struct nl_packet *pkt, uint8_t dst[16])
{
	const uint8_t *base = pkt->data + pkt->l3_off + 40;
	struct nl_cur c = nl_cur_make(pkt->data, pkt->caplen);

	memcpy(dst, pkt->dst.b, 16);
	if (pkt->l3_off + 40u > pkt->caplen)
		return false;
	c.p = base;
	for (unsigned i = 0; i < pkt->ip6.n_ext && i < NL_MAX_IPV6_EXT; i++) {
		struct nl_cur h = c;
		uint8_t type = pkt->ip6.ext[i];
		(void)nl_cur_u8(&h);
		uint8_t hlen = nl_cur_u8(&h);
		size_t len = (size_t)(hlen + 1) * 8;

		if (type == NL_IPPROTO_FRAGMENT)
			len = 8;
		else if (type == 51) /* AH: RFC 4302 §2.2, 4-byte units */
			len = (size_t)(hlen + 2) * 4;
		if (type == NL_IPPROTO_ROUTING) {
			uint8_t rtype = nl_cur_u8(&h);
			uint8_t left = nl_cur_u8(&h);
			nl_cur_skip(&h, 4);
			if (!nl_cur_ok(&h))
				return false;
			if (left != 0) {
				/* type 0 (RFC 5095, deprecated) lists the
				 * hops in order, the last is the final one;
				 * type 2 (RFC 6275) holds just the home
				 * address; SRH (RFC 8754 §4.1) puts the
				 * final segment first. */
				size_t n = hlen / 2, skip;
				if (rtype == 0 && n > 0)
					skip = (n - 1) * 16;
				else if (rtype == 2 || (rtype == 4 && n > 0))
					skip = 0;
				else
					return false;
				nl_cur_skip(&h, skip);
				nl_cur_copy(&h, dst, 16);
				if (!nl_cur_ok(&h))
					return false;
			}
		}
		nl_cur_skip(&c, len);
		if (!nl_cur_ok(&c))
			return false;
	}
	return true;
}

bool nl_csum_pseudo(const struct nl_packet *pkt, uint8_t proto, uint32_t len,
		    uint32_t *sum)
{
	uint8_t ph[40];

	if (NL_HAS(pkt, NL_L_IPV6) && pkt->src.family == 6) {
		/* RFC 8200 §8.1: src, dst, 32-bit length, 3 zero bytes, next
		 * header. */
		uint8_t dst[16];
		if (!ipv6_final_dst(pkt, dst))
			return false;
		memcpy(ph, pkt->src.b, 16);
		memcpy(ph + 16, dst, 16);
		ph[32] = (uint8_t)(len >> 24);
		ph[33] = (uint8_t)(len >> 16);
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = proto;
		*sum = nl_csum_add(0, ph, 40);
		return true;
	}
	if (NL_HAS(pkt, NL_L_IPV4) && pkt->src.family == 4) {
		/* RFC 9293 §3.1: src, dst, zero, protocol, 16-bit length */
		memcpy(ph, pkt->src.b, 4);
		memcpy(ph + 4, pkt->dst.b, 4);
		ph[8] = 0;
		ph[9] = proto;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		*sum = nl_csum_add(0, ph, 12);
		return true;
	}
	return false;
}

enum nl_csum_status nl_csum_check(const struct nl_packet *pkt, uint8_t proto,
				  const uint8_t *p, uint32_t caplen,
				  uint32_t len, uint16_t stored, bool pseudo,
				  bool offload, uint16_t *want)
{
	uint32_t ph = 0;

	/* a fragment's checksum covers the whole datagram, which this packet
	 * does not hold */
	if (pkt->ip_fragment || caplen < len)
		return NL_CSUM_UNVERIFIED;
	if (pseudo && !nl_csum_pseudo(pkt, proto, len, &ph))
		return NL_CSUM_UNVERIFIED;
	uint32_t sum = nl_csum_add(ph, p, len);
	if (nl_csum_fold(sum) == 0xffff)
		return NL_CSUM_OK;
	/*
	 * Linux CHECKSUM_PARTIAL: a packet captured on its way out (loopback,
	 * veth, a NIC with offload) holds only the folded pseudo-header sum,
	 * for the hardware to finish (tcp_v4_send_check()). Some stacks store
	 * the complement instead; accept both.
	 */
	if (offload && pseudo) {
		uint16_t f = nl_csum_fold(ph);
		uint16_t not_f = (uint16_t)(0xffffu - f); /* ~f in 16 bits */
		if (stored == f || stored == not_f)
			return NL_CSUM_OFFLOAD;
	}
	/* remove the stored value (add its complement), then complement */
	uint16_t w = (uint16_t)~nl_csum_fold(sum + (uint16_t)~stored);
	/* RFC 768: a computed zero is sent as all ones */
	if (w == 0 && proto == NL_IPPROTO_UDP)
		w = 0xffff;
	*want = w;
	return NL_CSUM_BAD;
}
