/*
 * Pieces of output shared by the sinks (not installed; not part of the
 * public contract in report.h). Written once so that the text, -v and JSON
 * outputs name things the same way.
 */
#ifndef NETLAB_REPORT_COMMON_H
#define NETLAB_REPORT_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/arptable.h"
#include "netlab/conn.h"
#include "netlab/decode.h"
#include "netlab/outbuf.h"
#include "netlab/report.h"

/* A string literal, its length known at compile time (no strlen() on the
 * hot path). */
#define NL_OUT_LIT(o, s) nl_out_write((o), "" s, sizeof(s) - 1)

/* Width of the frame-number column; "    !" lines up notices with it. */
#define NL_REPORT_FRAME_WIDTH 5

/* "SYN" … "AE" for bit i of the TCP flags (i < NL_REPORT_TCP_FLAGS). */
#define NL_REPORT_TCP_FLAGS 9
const char *nl_report_tcp_flag(unsigned i);
/* "SYN,ACK"; "none" when no flag is set. */
void nl_report_tcp_flags(struct nl_outbuf *o, uint16_t flags);
/* Options in wire order: "mss 1460,sack_perm,ts 1/0,nop,ws 7". */
void nl_report_tcp_opts(struct nl_outbuf *o, const struct nl_tcp *t);

/* "  streams     ": a summary line's label, padded to column 14 */
void nl_report_label(struct nl_outbuf *o, const char *l);
/* "3 packets" / "1 packet" */
void nl_report_count(struct nl_outbuf *o, uint64_t n, const char *one,
		     const char *many);

/* 10.0.0.1 or ::1 */
void nl_report_addr(struct nl_outbuf *o, const struct nl_addr *a);
/* 10.0.0.1:80 or [::1]:80 */
void nl_report_endpoint(struct nl_outbuf *o, const struct nl_addr *a,
			uint16_t port);
/* "aa:bb:cc:dd:ee:ff" as colon-separated hex of n bytes (any length). */
void nl_report_hexaddr(struct nl_outbuf *o, const uint8_t *p, unsigned n);

/*
 * What a MAC address is, in words: "none" (all zero), "broadcast",
 * "multicast", "local", the vendor from the OUI db, or NULL. Vendor names come
 * from a file and are escaped by the caller like wire data.
 */
const char *nl_report_mac_kind(const struct nl_report_opts *opts,
			       const uint8_t mac[6]);
/* " (Vendor)" after a MAC, or nothing. */
void nl_report_mac_note(struct nl_outbuf *o, const struct nl_report_opts *opts,
			const uint8_t mac[6]);

/* A name from a decode.h name table, or NULL when it has none (NULL, "" or
 * its "unknown"): the printers then show the number. */
const char *nl_report_name(const char *name);

/* "0x0800 (IPv4)" or "0x88b5" */
void nl_report_ethertype(struct nl_outbuf *o, uint16_t type);
/* SLL packet type in tcpdump's words: "In", "B", "M", "P", "Out". */
const char *nl_report_pkttype(uint16_t t);
/* "Ethernet II", "Linux cooked", … */
const char *nl_report_link_name(const struct nl_link *l);

/* IP payload bytes as sent (IPv4 total length or IPv6 payload length, less
 * the headers). */
uint32_t nl_report_ip_payload_len(const struct nl_packet *pkt);
/* "TCP", "UDP", or "ip-proto-47". */
void nl_report_ipproto(struct nl_outbuf *o, uint8_t proto);

/* ICMP type and code in words: "echo request", "destination unreachable
 * (port unreachable)", or "type 42 code 0". */
void nl_report_icmp_words(struct nl_outbuf *o, const struct nl_icmp *ic);
bool nl_report_icmp_is_echo(const struct nl_icmp *ic);
bool nl_report_icmp_has_mtu(const struct nl_icmp *ic);
bool nl_report_icmp_is_redirect(const struct nl_icmp *ic);

/* "    ! ARP 10.0.0.2 moved from … (frame 3) to … (frame 9)\n" */
void nl_report_arp_notice(struct nl_outbuf *o, const struct nl_arp_notice *n);

/* " [truncated tcp: options]" for each anomaly whose layer is in mask. */
void nl_report_anomalies(struct nl_outbuf *o, const struct nl_packet *pkt,
			 uint32_t mask);
/* "truncated" / "malformed" */
const char *nl_report_anom_kind(uint8_t kind);

/* TCP tracker notes (tcpnotes.c), shared by text, -v and the ladder. */
/* "handshake 1/3", "teardown 2+3/4, retry 1", "reset by client in
 * ESTABLISHED"; nothing for NL_ROLE_NONE. Returns whether it wrote. */
bool nl_report_tcp_role(struct nl_outbuf *o, const struct nl_tcp_note *n);
/* Changes of side k merged: "client SYN_SENT -> ESTABLISHED"; with
 * " (active closer)" on a move to TIME_WAIT. Returns whether it wrote. */
bool nl_report_tcp_side_changes(struct nl_outbuf *o,
				const struct nl_tcp_note *n, unsigned side);
/* Analysis flag i in words: "retransmission", "dup ack" … */
const char *nl_report_ta_words(unsigned i);
/* " [handshake 1/3] [client CLOSED -> SYN_SENT] [dup ack #2]" */
void nl_report_tcp_notes(struct nl_outbuf *o, const struct nl_tcp_note *n);
/* " [zero window] [dup ack #2]": the analysis flags only */
void nl_report_ta_list(struct nl_outbuf *o, const struct nl_tcp_note *n,
		       const char *sep);
/* "client"/"server" */
const char *nl_report_side(unsigned side);
/* milliseconds with 3 decimals from microseconds; "-" when negative */
void nl_report_ms(struct nl_outbuf *o, int64_t us);

#endif
