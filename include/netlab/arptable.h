/*
 * ARP table learned from the traffic: IPv4 address -> MAC, with a fixed
 * capacity chosen at start-up. Reports a MAC change for an address (spoofing
 * or fail-over), duplicate-address conflicts (RFC 5227: a probe or a claim
 * for an address another MAC holds) and requests never answered.
 */
#ifndef NETLAB_ARPTABLE_H
#define NETLAB_ARPTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/decode.h"
#include "netlab/status.h"

#define NL_ARP_TABLE_DEFAULT_CAP 4096

enum nl_arp_notice_kind {
	NL_ARP_NOTICE_MAC_CHANGED, /* an address moved to another MAC */
	NL_ARP_NOTICE_CONFLICT,    /* two MACs claim one address at once */
	NL_ARP_NOTICE_COUNT
};

struct nl_arp_notice {
	enum nl_arp_notice_kind kind;
	uint8_t ip[4];
	uint8_t old_mac[6], new_mac[6];
	uint64_t old_frame, new_frame; /* frames that showed each MAC */
};

struct nl_arp_entry {
	uint8_t ip[4];
	uint8_t mac[6];
	bool used;
	uint64_t first_frame, last_frame;
	uint32_t changes; /* times the MAC changed */
};

struct nl_arp_table;

NL_WUR enum nl_status nl_arptable_new(struct nl_arp_table **out, uint32_t cap);
void nl_arptable_free(struct nl_arp_table *t);

/*
 * Learn from one decoded ARP packet (pkt->layers has NL_L_ARP). Writes at most
 * max_notices notices and returns how many.
 */
unsigned nl_arptable_observe(struct nl_arp_table *t, const struct nl_packet *pkt,
			     struct nl_arp_notice *notices, unsigned max_notices);

/* Iterate entries in address order for the summary: fills out, returns count. */
uint32_t nl_arptable_entries(const struct nl_arp_table *t,
			     const struct nl_arp_entry **out, uint32_t max);

struct nl_arp_counts {
	uint64_t requests, replies, gratuitous, probes;
	uint64_t unanswered;   /* requests with no reply seen (at finish) */
	uint64_t mac_changes, conflicts;
	uint64_t table_full;   /* addresses not learned because of the cap */
	uint32_t entries, cap;
};
void nl_arptable_counts(const struct nl_arp_table *t, struct nl_arp_counts *out);

#endif
