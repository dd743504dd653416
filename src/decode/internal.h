/*
 * Helpers shared by the IP and transport decoders (not installed, not part
 * of the public contract in decode.h).
 */
#ifndef NETLAB_DECODE_INTERNAL_H
#define NETLAB_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/decode.h"

/* Offset of p in the frame. */
static inline uint32_t nl_pkt_off(const struct nl_packet *pkt, const uint8_t *p)
{
	return (uint32_t)(p - pkt->data);
}

/*
 * Bytes as sent from p to the end of the IP datagram the packet carries: the
 * length a transport header and its payload were given by IP, which excludes
 * Ethernet padding. Without an IP layer, the rest of the frame.
 */
uint32_t nl_ip_payload_left(const struct nl_packet *pkt, const uint8_t *p);

/* True for the protocols nl_decode_transport() has a decoder for. */
bool nl_transport_known(uint8_t proto);

/*
 * Sum of the pseudo-header for an upper-layer checksum over the packet's IP
 * layer (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6, where the
 * destination is the final one when a routing header is present). False when
 * it cannot be formed (no IP layer, or a routing header we cannot follow).
 */
bool nl_csum_pseudo(const struct nl_packet *pkt, uint8_t proto, uint32_t len,
		    uint32_t *sum);

/*
 * Status of the checksum of an upper-layer message of len bytes as sent
 * (caplen captured) starting at p, whose checksum field holds stored.
 * With pseudo set, the pseudo-header is included; with offload set, a value
 * equal to the pseudo-header sum alone is reported as NL_CSUM_OFFLOAD.
 * On NL_CSUM_BAD, *want is the value the field should have held.
 */
enum nl_csum_status nl_csum_check(const struct nl_packet *pkt, uint8_t proto,
				  const uint8_t *p, uint32_t caplen,
				  uint32_t len, uint16_t stored, bool pseudo,
				  bool offload, uint16_t *want);

#endif
