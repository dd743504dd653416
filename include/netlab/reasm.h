/*
 * TCP stream reassembly, one direction at a time.
 *
 * A struct nl_reasm_stream is fed that direction's segments in capture order
 * and hands its consumer (the framers) the byte stream in order, exactly
 * once, as events:
 *
 *   DATA     bytes at a 64-bit stream offset, with the frame that carried
 *            them. An in-order segment's bytes are delivered straight from
 *            the packet (borrowed, valid during the callback only): no copy
 *            on the fast path. Only out-of-order data waiting for a hole is
 *            copied, into chunks of a pool shared by all streams.
 *   GAP      bytes that will never be delivered (never captured, cut off by
 *            the snapshot length, or given up at a memory cap): the
 *            consumer resumes after them (nl_framer_resync()).
 *   RETRANS  bytes seen again (already delivered, or already buffered and
 *            identical): absorbed, reported so a frame can be mapped to the
 *            stream range it repeated.
 *   CONFLICT an overlap whose bytes differ from the copy held.
 *   ...      see enum nl_reasm_ev_type.
 *
 * Why a callback and not a pull API: the fast path delivers bytes borrowed
 * from the current packet, which are only valid until the next packet is
 * read; a callback makes that lifetime explicit and lets one segment
 * produce any number of events (data, then buffered data it unblocked, then
 * FIN) without the reassembler holding a queue. The callback must not call
 * back into the same stream.
 *
 * The segment -> stream mapping is the frame on each DATA / RETRANS /
 * CONFLICT event: a segment's bytes are delivered as one or more DATA
 * events (several when it waited in the pool, one per chunk), in stream
 * order, each with its frame; nothing is kept after delivery.
 *
 * Offsets: 0 is the first data byte, i.e. sequence number ISN + 1 (RFC 9293
 * §3.4: the SYN occupies the ISN). A stream picked up mid-stream (first
 * segment seen without SYN) starts at that segment's first byte: its ISN is
 * taken as seq - 1, which matches the tracker's relative sequence numbers
 * (struct nl_tcp_side.base), and an NL_REASM_MIDSTREAM event says that what
 * came before is unknown (no gap is counted: its size is not known). Bytes
 * that later turn up before offset 0 are counted as retransmitted, with no
 * event (they have no offset). Sequence numbers are compared wrap-aware and
 * widened to 64-bit offsets, so streams longer than 4 GiB and ISNs near 2^32
 * just work.
 *
 * Memory: the stream struct itself (sizeof(struct nl_reasm_stream), see
 * NL_REASM_STREAM_BYTES) is all a connection embeds, twice. Buffered data
 * lives in one pool of NL_REASM_CHUNK-byte chunks allocated by
 * nl_reasm_new() and never grown. Caps (global max_buffer, per-stream
 * max_stream) count whole chunks. When out-of-order data cannot be stored
 * under a cap, nothing is dropped silently and the stream never stalls: it
 * stops waiting for the hole(s) before that data, which become GAP events
 * with reason NL_REASM_GAP_CAP (counted in cap_gaps / cap_gap_bytes), the
 * buffered data between them is delivered (freeing its chunks), and the new
 * data is then delivered straight from the packet. A copy of the given-up
 * bytes arriving later is counted as a retransmission. Why this rather
 * than dropping the new data: bytes the receiver already has are never sent
 * again, so dropped data would become a hole that stalls the stream until
 * the connection ends; giving up the oldest hole costs the same bytes at
 * most and keeps memory and analysis moving. At the global cap the stream
 * that needs memory gives up its own holes (streams never steal chunks).
 *
 * Pool: chunk metadata (offset, length, frame, next index) lives in its own
 * array beside the data, so a stream's pieces are a singly linked, sorted,
 * non-overlapping list of 32-bit indices (head, tail); a segment waiting out
 * of order is copied into ceil(len / NL_REASM_CHUNK) chunks of its own (no
 * packing across frames: each piece keeps the frame that carried it).
 * Allocation and release are O(1) (free list); insertion checks the tail
 * first, the common case of data arriving in order after a hole.
 *
 * Snapshot length: bytes sent but not captured become a GAP with reason
 * SNAPLEN when the stream reaches them, even if a full copy arrives later
 * (a capture's snaplen cuts every copy alike); that copy counts as a
 * retransmission.
 */
#ifndef NETLAB_REASM_H
#define NETLAB_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlab/status.h"

#define NL_REASM_CHUNK		    512 /* bytes of data per pool chunk */
#define NL_REASM_DEFAULT_MAX_BUFFER (16ull * 1024 * 1024) /* --max-buffer */
#define NL_REASM_DEFAULT_MAX_STREAM (1ull * 1024 * 1024)
#define NL_REASM_MAX_STREAM	    (1ull << 31) /* per-stream cap limit */
/* A segment starting further than this from the delivery point (ahead or
 * behind) is not plausible within any window (RFC 7323 caps it at 1 GiB):
 * reported as suspicious, not buffered. */
#define NL_REASM_MAX_DISTANCE (1ll << 30)

/* Which copy of overlapping bytes wins (--overlap first|last). */
enum nl_reasm_overlap {
	/* the bytes seen first (RFC 9293 §3.10.7.4 trims a segment to the
	 * unreceived part of the window: what a receiver holds is kept) */
	NL_REASM_FIRST,
	/* the last copy seen before the byte was delivered. A byte is
	 * delivered as soon as every byte before it is present, and bytes
	 * already delivered cannot be taken back (nor compared: they are
	 * not kept), so "last" only ever replaces bytes that were waiting in
	 * the pool, including by the segment that fills their hole */
	NL_REASM_LAST,
	NL_REASM_OVERLAP_COUNT
};

enum nl_reasm_ev_type {
	NL_REASM_DATA,	     /* offset, len, data, frame */
	NL_REASM_GAP,	     /* offset, len, reason: skipped, never delivered */
	NL_REASM_RETRANS,    /* offset, len, frame: bytes seen again */
	NL_REASM_CONFLICT,   /* offset, len, frame: differing overlap (the span
				from the first to the last differing byte) */
	NL_REASM_AFTER_FIN,  /* offset, len, frame: data beyond the FIN */
	NL_REASM_SUSPICIOUS, /* offset (of the delivery point), len, frame:
				segment > NL_REASM_MAX_DISTANCE away */
	NL_REASM_MIDSTREAM,  /* offset 0, frame: the stream was picked up
				mid-stream; what came before is unknown */
	NL_REASM_FIN,	     /* offset: end of stream reached, all delivered */
	NL_REASM_RST,	     /* offset: the stream was reset (after flushing) */
	NL_REASM_EV_COUNT
};

enum nl_reasm_gap_reason {
	NL_REASM_GAP_LOST,    /* never captured (hole at finish, RST or FIN) */
	NL_REASM_GAP_SNAPLEN, /* sent, but cut off by the snapshot length */
	NL_REASM_GAP_CAP,     /* hole given up at a memory cap */
	NL_REASM_GAP_REASON_COUNT
};

struct nl_reasm_event {
	enum nl_reasm_ev_type type;
	uint8_t reason;	     /* NL_REASM_GAP: enum nl_reasm_gap_reason */
	uint64_t offset;     /* stream offset of the first byte */
	uint64_t len;	     /* bytes */
	const uint8_t *data; /* NL_REASM_DATA only; valid during the call */
	uint64_t frame;	     /* frame that carried the bytes (DATA: the
				original carrier, even when delivered later);
				for GAP/FIN/RST the frame being processed
				(FIN: the one that completed the stream),
				0 from nl_reasm_finish() */
};

struct nl_reasm_stream;
typedef void nl_reasm_fn(void *ctx, const struct nl_reasm_stream *s,
			 const struct nl_reasm_event *ev);

/* Per-stream counters (bytes are payload bytes, not chunk bytes, except
 * max_buffered which is the chunk memory held at the worst moment). */
struct nl_reasm_counters {
	uint64_t delivered_bytes;
	uint64_t gap_bytes;	    /* every reason, cap and snaplen included */
	uint64_t retrans_bytes;	    /* overlapping or already delivered */
	uint64_t cap_gap_bytes;	    /* "dropped at the cap": holes given up */
	uint64_t snaplen_gap_bytes; /* cut off by the snapshot length */
	uint32_t conflict_bytes;    /* 32-bit counters saturate */
	uint32_t after_fin_bytes;
	uint32_t max_buffered; /* peak chunk bytes held by this stream */
	uint32_t gaps, cap_gaps;
	uint32_t retrans_segs;	 /* segments with any retransmitted byte */
	uint32_t conflicts;	 /* overlaps with differing bytes */
	uint32_t ooo_segs;	 /* segments (partly) buffered out of order */
	uint32_t suspicious;	 /* segments too far away, ignored */
	uint32_t after_end_segs; /* segments after RST or finish, ignored */
};

/* One direction. Zero it (or nl_reasm_stream_init()) before use; release
 * it with nl_reasm_finish() or nl_reasm_release(). Opaque to the pipeline
 * but embeddable; fields are for the reassembler and for tests. */
struct nl_reasm_stream {
	uint64_t next;	     /* offset of the next byte to deliver */
	uint64_t fin_off;    /* offset the FIN occupies (valid if fin_seen) */
	uint32_t isn;	     /* seq of the SYN; offset 0 is isn + 1 */
	uint32_t head, tail; /* buffered pieces, sorted, non-overlapping */
	uint32_t chunks;     /* pool chunks held */
	bool have_isn, midstream, fin_seen, fin_done, reset, finished;
	struct nl_reasm_counters c;
};

/* 120 bytes on LP64: 240 per connection */
#define NL_REASM_STREAM_BYTES sizeof(struct nl_reasm_stream)

struct nl_reasm_config {
	uint64_t max_buffer; /* pool bytes for all streams; 0 = default */
	uint64_t max_stream; /* per stream; 0 = default; clamped to max_buffer
				and to NL_REASM_MAX_STREAM */
	enum nl_reasm_overlap overlap;
};

/* Pool-wide figures, for the summary. */
struct nl_reasm_pool_stats {
	uint32_t chunk_size, chunks, in_use, peak;
	uint32_t stream_cap;  /* chunks one stream may hold */
	uint64_t cap_hits;    /* times a cap forced a stream past a hole */
	uint64_t global_hits; /* of which the pool, not the stream, was full */
};

/* One reassembler: the configuration and the chunk pool. */
struct nl_reasm;

/* Allocates the whole pool now. NL_NOMEM (errbuf filled) if it cannot. */
NL_WUR enum nl_status nl_reasm_new(struct nl_reasm **out,
				   const struct nl_reasm_config *cfg,
				   char *errbuf);
void nl_reasm_free(struct nl_reasm *r);
void nl_reasm_pool_stats(const struct nl_reasm *r,
			 struct nl_reasm_pool_stats *out);

void nl_reasm_stream_init(struct nl_reasm_stream *s);
/* Start a stream whose ISN is already known (the TCP tracker saw the SYN,
 * or took the first sequence number seen minus one mid-stream), for a
 * consumer that joins after the stream's first segments carried no data.
 * No MIDSTREAM event is emitted: the caller knows. */
void nl_reasm_stream_start(struct nl_reasm_stream *s, uint32_t isn,
			   bool midstream);

/* One segment of this direction, as captured. */
struct nl_reasm_seg {
	uint32_t seq;
	uint16_t flags; /* NL_TCP_SYN, _FIN, _RST bits (netlab/decode.h) */
	const uint8_t *payload; /* captured bytes (may be NULL if caplen 0) */
	uint32_t caplen;	/* captured payload bytes */
	uint32_t len;		/* payload bytes as sent (>= caplen) */
	uint64_t frame;
};

/*
 * Feed one segment; events go to fn(ctx, s, ev) before it returns.
 *  - SYN: sets the ISN (first one only); its data starts at offset 0.
 *  - FIN: the stream ends at offset(seq) + len (first FIN only); FIN is
 *    emitted once every byte before it is delivered or gapped. Data beyond
 *    it, arriving or already buffered, is AFTER_FIN and never delivered.
 *  - RST: RFC 9293 §3.5.3: its data is a diagnostic, not stream data, and
 *    is ignored. What is buffered is flushed as by nl_reasm_finish() (holes
 *    become LOST gaps), then RST; later segments are ignored.
 *  - a segment more than NL_REASM_MAX_DISTANCE from the delivery point is
 *    SUSPICIOUS and otherwise ignored (RST included: RFC 5961 §3).
 */
void nl_reasm_segment(struct nl_reasm *r, struct nl_reasm_stream *s,
		      const struct nl_reasm_seg *seg, nl_reasm_fn *fn,
		      void *ctx);
/*
 * The connection ends: every remaining hole becomes a GAP (reason LOST), the
 * buffered data after it is delivered, and if a FIN was seen the bytes up
 * to it are a final gap before the FIN event. Frees the stream's chunks.
 * Later segments are counted in after_end_segs and ignored.
 */
void nl_reasm_finish(struct nl_reasm *r, struct nl_reasm_stream *s,
		     nl_reasm_fn *fn, void *ctx);
/* Free the stream's chunks without delivering anything (e.g. an evicted
 * connection whose analysis is abandoned). */
void nl_reasm_release(struct nl_reasm *r, struct nl_reasm_stream *s);

const char *nl_reasm_ev_name(enum nl_reasm_ev_type t);	   /* "data", "gap" */
const char *nl_reasm_gap_name(enum nl_reasm_gap_reason r); /* "lost" … */

#endif
