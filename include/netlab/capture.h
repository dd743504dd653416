/*
 * Capture source: packets from a file (pcap or pcapng, "-" for standard
 * input) or a live interface, through libpcap. Bytes returned by
 * nl_capture_next() are borrowed until the next call.
 */
#ifndef NETLAB_CAPTURE_H
#define NETLAB_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/decode.h"
#include "netlab/status.h"

/* Why opening failed, so the CLI can pick the exit status. */
enum nl_capture_error {
	NL_CAPERR_NONE,
	NL_CAPERR_FILTER,    /* bad BPF expression */
	NL_CAPERR_OPEN,      /* missing/unreadable file, not a capture */
	NL_CAPERR_NODEV,     /* no such interface */
	NL_CAPERR_PERM,      /* capture needs root or CAP_NET_RAW */
	NL_CAPERR_OTHER,
	NL_CAPERR_COUNT
};

struct nl_capture_opts {
	const char *filter;     /* BPF expression or NULL */
	int snaplen;            /* 0: libpcap's default (262144) */
	bool no_promisc;        /* -p */
	int buffer_kib;         /* -B, in KiB; 0: default */
	bool immediate;         /* --immediate */
	const char *write_file; /* -w: also write packets here */
};

enum nl_capture_result {
	NL_CAP_PACKET,  /* a packet is returned */
	NL_CAP_TIMEOUT, /* live: nothing yet (check for signals, flush output) */
	NL_CAP_EOF,     /* end of file, or stopped by nl_capture_stop() */
	NL_CAP_ERROR,   /* read error or truncated file; see errbuf/offset */
};

struct nl_capture;

NL_WUR enum nl_status nl_capture_open_file(struct nl_capture **out,
					   const char *path,
					   const struct nl_capture_opts *opts,
					   enum nl_capture_error *why,
					   char *errbuf);
NL_WUR enum nl_status nl_capture_open_live(struct nl_capture **out,
					   const char *iface,
					   const struct nl_capture_opts *opts,
					   enum nl_capture_error *why,
					   char *errbuf);

uint32_t nl_capture_linktype(const struct nl_capture *c);
bool nl_capture_is_live(const struct nl_capture *c);

enum nl_capture_result nl_capture_next(struct nl_capture *c, struct nl_time *ts,
				       const uint8_t **data, uint32_t *caplen,
				       uint32_t *len, char *errbuf);

/* After NL_CAP_ERROR on a file: true when the file ended mid-record, with the
 * byte offset of that record. */
bool nl_capture_truncated(const struct nl_capture *c, uint64_t *offset);

/* Async-signal-safe: make the capture return NL_CAP_EOF soon. */
void nl_capture_stop(struct nl_capture *c);

/* Live: libpcap's counters. false if unavailable. */
bool nl_capture_stats(struct nl_capture *c, uint64_t *received,
		      uint64_t *dropped, uint64_t *ifdropped);

/* Finish the -w file: NL_ERR_SYS, with errbuf saying why, when any write
 * to it failed (a full disk). NL_OK without one. */
NL_WUR enum nl_status nl_capture_finish_dump(struct nl_capture *c,
					     char *errbuf);

/* Flush and close (and finish the -w file if still open). */
void nl_capture_close(struct nl_capture *c);

/* "lo, eth0, any" for error messages. */
void nl_capture_list_interfaces(char *buf, size_t size);

#endif
