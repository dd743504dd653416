/*
 * The application's own record beside the packets: `netlab replay --truth
 * FILE` reads the JSON Lines ground truth that `netlab gen --truth` writes
 * (one record per send()/recv()/connect()/accept()/close() …, with the
 * connection's 4-tuple and the stream offset of the bytes) and anchors each
 * record to the packet it explains:
 *
 *   send()      before the first segment that carries its first byte, and
 *               each segment says which sends' bytes it carried (the merge
 *               of several sends into one segment, or a send split over
 *               several segments, shown from the sender's own record);
 *   recv()      after the segment that carried its last byte (the earliest
 *               moment the receiver could have had them all); a recv of 0
 *               bytes (peer closed) after the peer's FIN;
 *   sendto()/recvfrom() (UDP)  with the datagram of the same number in its
 *               flow: one datagram is one message;
 *   connect(), accept(), socket options  at the connection's first packet;
 *   close() and errors  at that side's FIN or RST, or at the end.
 *
 * Anchoring by stream offset, not by timestamp: the capture's timestamp of
 * a segment and the application's timestamp of the send() that wrote it
 * come from the same clock but the send() returns after its segment was
 * captured, so time order would put causes after effects.
 *
 * The records are read at start-up into one array (at most
 * NL_APP_MAX_RECORDS; the rest is counted and ignored), sorted by stream
 * and offset; nothing is allocated per packet.
 */
#ifndef NETLAB_APPTRUTH_H
#define NETLAB_APPTRUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/decode.h"
#include "netlab/status.h"

#define NL_APP_MAX_FILES   4
#define NL_APP_MAX_RECORDS (1u << 18) /* ~50 MB of records at most */

enum nl_app_kind {
	NL_APP_SEND,	/* send() / sendto() */
	NL_APP_RECV,	/* recv() / recvfrom() */
	NL_APP_CONNECT, /* connect(), accept(), listen(), socket options */
	NL_APP_CLOSE,	/* close(), shutdown(), errors */
	NL_APP_KIND_COUNT
};

struct nl_app_rec {
	int64_t ns;	    /* the application's timestamp */
	uint8_t kind;	    /* enum nl_app_kind */
	bool udp;
	bool printed;	    /* already reported */
	char side[8];	    /* "client", "server" (as written) */
	char ev[12];	    /* "send", "recv", "connect", "sockopts" … */
	char detail[80];    /* errno name, options, reason */
	struct nl_addr local, peer;
	uint16_t local_port, peer_port;
	uint64_t off;	    /* stream offset (TCP) */
	uint64_t len;	    /* bytes asked for */
	int64_t ret;	    /* bytes done; -1 error */
	uint64_t index;	    /* 1-based among this socket's records of its
			       kind (send #3, recv #2) */
};

/* Which sends a segment (or datagram) carried. */
struct nl_app_map {
	uint32_t n_sends;	/* sends with bytes in it; 0: none known */
	uint64_t first, last;	/* their indices */
	bool first_partial;	/* the first began in an earlier segment */
	bool last_partial;	/* the last continues in a later one */
	char side[8];
};

struct nl_apptruth;

struct nl_app_counts {
	uint64_t records, ignored, bad_lines, printed;
	uint32_t files;
};

/* Read the files (each as written by `netlab gen --truth`). A file that
 * cannot be read or holds no record fills errbuf. */
NL_WUR enum nl_status nl_apptruth_open(struct nl_apptruth **out,
				       const char *const *paths, unsigned n,
				       char *errbuf);
void nl_apptruth_free(struct nl_apptruth *t);

typedef void nl_app_fn(void *arg, const struct nl_app_rec *r);

/*
 * A decoded TCP or UDP packet (offset: the stream offset of its first
 * payload byte, from the tracker's relative sequence number; udp_index:
 * the datagram's number in its direction). Reports through fn the records
 * due before the packet, fills *map, and keeps the records due after it
 * for nl_apptruth_after().
 */
void nl_apptruth_before(struct nl_apptruth *t, const struct nl_packet *pkt,
			uint64_t offset, uint64_t udp_index,
			struct nl_app_map *map, nl_app_fn *fn, void *arg);
void nl_apptruth_after(struct nl_apptruth *t, nl_app_fn *fn, void *arg);
/* End of the capture: every record not reported yet, in file order. */
void nl_apptruth_finish(struct nl_apptruth *t, nl_app_fn *fn, void *arg);
void nl_apptruth_counts(const struct nl_apptruth *t, struct nl_app_counts *out);

#endif
