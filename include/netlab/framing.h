/*
 * Application framing: the SPEC language shared by the inspector
 * (--framing) and the generator (netlab gen ... --framing), and resumable
 * message splitters.
 *
 * A framer is fed one direction's byte stream in order, in chunks of any
 * size, and reports where messages end as stream offsets. It allocates
 * nothing and keeps only a few bytes of state (a partial length field, the
 * JSON scanner of jsonhdr, the HTTP header scanner), never the message
 * bodies: the caller keeps bytes if it needs them.
 *
 * SPEC:
 *   u8 u16le u16be u32le u32be u64le u64be    length prefix (the length
 *                                             counts the bytes after it)
 *   len:SIZE:ENDIAN[,offset=N][,adjust=N]      general length field: SIZE 1,
 *         2, 3, 4 or 8 bytes, ENDIAN le|be, at OFFSET from the message
 *         start; value + ADJUST = bytes that follow the field (Netty's
 *         LengthFieldBasedFrameDecoder)
 *   varint                                    protobuf base-128 length
 *   line                                      LF or CRLF terminated
 *   jsonhdr                                   u32le header length, JSON
 *         header, body of the header's file_size/size/length/content_length
 *   tls                                       TLS records: len:2:be,offset=3
 *         with the header checked (type 20..24, version 3.0..3.4, length at
 *         most 2^14 + 2048)
 *   http                                      HTTP/1.x requests and
 *         responses: Content-Length or chunked bodies, pipelining; a
 *         response with neither (and not 1xx/204/304) runs until close
 *   turns                                     a message is what one side
 *         sends before the other side sends data; a turn of ASCII digits
 *         answered by the peer's "ready" announces the length of the next
 *         turn, which then ends as soon as that many bytes arrived
 *   none                                      no framing: a message is a
 *         probable send(), what ends at a segment with PSH
 *   auto                                      inspector only: detected
 *         (netlab/detect.h)
 * Python's struct.pack('i', n) on x86 is u32le; struct.pack('!I', n) u32be.
 */
#ifndef NETLAB_FRAMING_H
#define NETLAB_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlab/status.h"

#define NL_FRAMING_DEFAULT_MAX_MESSAGE (64ull * 1024 * 1024)
#define NL_FRAMING_JSONHDR_MAX	       65536 /* largest JSON header accepted */
#define NL_FRAMING_LINE_MAX	       (1024 * 1024) /* longest line before "no LF" */
#define NL_FRAMING_HTTP_HDR_MAX	       65536 /* HTTP header block / trailers */
#define NL_FRAMING_TLS_MAX	       (16384 + 2048) /* TLS record body, RFC 5246 */

enum nl_framing_kind {
	NL_FRAMING_NONE,
	NL_FRAMING_LENPREFIX,
	NL_FRAMING_VARINT,
	NL_FRAMING_LINE,
	NL_FRAMING_JSONHDR,
	NL_FRAMING_TURNS,
	NL_FRAMING_HTTP,
	NL_FRAMING_TLS,
	NL_FRAMING_AUTO,
	NL_FRAMING_KIND_COUNT
};

struct nl_framing_spec {
	enum nl_framing_kind kind;
	/* NL_FRAMING_LENPREFIX */
	uint8_t len_size; /* 1, 2, 3, 4 or 8 */
	bool big_endian;
	uint32_t len_offset; /* bytes from message start to the field */
	int64_t adjust;	     /* value + adjust = bytes after the field */
};

/* Parse a SPEC; on error fill errbuf (NL_ERRBUF_SIZE) naming what is wrong. */
NL_WUR enum nl_status
nl_framing_parse(const char *spec, struct nl_framing_spec *out, char *errbuf);
/* Canonical text of a spec ("u32le", "len:2:be,offset=3", "line"). */
void nl_framing_format(const struct nl_framing_spec *spec, char *buf,
		       size_t size);
/* Header bytes that precede a body of body_len (for writers: 4 for u32le).
 * Returns the header length, 0 if the spec has no fixed header or the length
 * does not fit the field. */
size_t nl_framing_encode_header(const struct nl_framing_spec *spec,
				uint64_t body_len, uint8_t *out,
				size_t out_size);

enum nl_frame_result {
	NL_FRAME_MORE,	  /* all input consumed, no boundary yet */
	NL_FRAME_MESSAGE, /* a message ended: see struct nl_frame */
	NL_FRAME_ERROR,	  /* the stream does not follow the framing */
};

struct nl_frame {
	uint64_t start;	     /* stream offset of the message's first byte */
	uint64_t len;	     /* whole message, header included */
	uint32_t header_len; /* bytes of header (length field, JSON header…) */
	const char *error;   /* NL_FRAME_ERROR: static reason */
	uint64_t error_at;   /* NL_FRAME_ERROR: stream offset of the problem */
};

/* Per-kind scanner state, inside struct nl_framer (no allocation). */
struct nl_framer_json {	     /* jsonhdr: the streaming JSON header scanner */
	uint64_t num;	     /* size value being read */
	uint64_t best;	     /* value of the preferred size key so far */
	uint32_t need, have; /* JSON header bytes: announced, seen */
	uint32_t stack;	     /* bit d set: open container d is an array */
	uint8_t depth;	     /* open containers */
	uint8_t st;	     /* scanner state */
	uint8_t sub;	     /* escape, \u digit, literal or number phase */
	uint8_t lit;	     /* literal being matched */
	uint8_t key_mask;    /* size keys still matching the key being read */
	uint8_t key_pos;
	uint8_t key;	  /* size key whose value comes next, 0xff none */
	uint8_t best_key; /* 0xff: none found yet */
};

struct nl_framer_http {
	uint64_t cl;	   /* Content-Length */
	uint64_t left;	   /* chunk bytes still to skip */
	uint32_t hdr_len;  /* header block length once complete */
	uint32_t line_len; /* bytes of the current line */
	uint16_t status;   /* response status code */
	uint8_t phase;	   /* where in the message */
	uint8_t sub;	   /* position in the start line / a token */
	uint8_t flags;
	uint8_t name_mask; /* header names still matching */
	uint8_t name_pos;
	uint8_t tok; /* Transfer-Encoding token state */
};

struct nl_framer_turns {
	uint64_t value; /* the turn's number, while it is all digits */
	uint8_t digits; /* 0 nothing yet, 1 digits, 2 digits then white
			   space, 3 not a number */
	uint8_t ndig;
};

struct nl_framer {
	struct nl_framing_spec spec;
	uint64_t max_message;
	uint64_t offset;    /* stream bytes consumed so far */
	uint64_t msg_start; /* offset where the current message began */
	uint64_t msg_len;   /* whole length once known, else 0 */
	uint32_t hdr_have;  /* header bytes gathered so far */
	uint32_t hdr_need;  /* header bytes needed before the length is known */
	uint8_t hdr[14];    /* partial fixed header / varint */
	uint8_t state;
	bool failed; /* after an error; nl_framer_resync() clears it */
	union {
		struct nl_framer_json json;
		struct nl_framer_http http;
		struct nl_framer_turns turns;
	} u;
};
#if defined(__x86_64__)
/* The flow stage embeds two framers per connection in a fixed table
 * (16384 flows by default): this is a memory budget. */
_Static_assert(sizeof(struct nl_framer) <= 128, "struct nl_framer grew");
#endif

/* max_message 0 = NL_FRAMING_DEFAULT_MAX_MESSAGE. Every kind but AUTO
 * (NL_UNSUPPORTED: choosing is the flow stage's business). Allocates
 * nothing. */
NL_WUR enum nl_status nl_framer_init(struct nl_framer *f,
				     const struct nl_framing_spec *spec,
				     uint64_t max_message);
/* Nothing to release (kept for callers written when jsonhdr allocated). */
void nl_framer_free(struct nl_framer *f);

/*
 * Feed up to n bytes. Returns how many were consumed: everything (result
 * MORE), or up to and including the last byte of one message (MESSAGE, with
 * *out filled), or up to the offending byte (ERROR). Call again with the
 * rest. After an error the framer consumes nothing until
 * nl_framer_resync() or nl_framer_reset().
 */
size_t nl_framer_feed(struct nl_framer *f, const uint8_t *p, size_t n,
		      enum nl_frame_result *result, struct nl_frame *out);
/*
 * The fast path of length prefixes: between two messages, consume the
 * whole messages at the start of p (header and body both in hand), up to
 * max of them; their lengths go to lens[], their number to *count. Stops
 * before a message cut by the end of p and before a length out of range
 * (nl_framer_feed() then takes over and reports it). The same framer
 * state as feeding those bytes through nl_framer_feed(). Other kinds, or
 * within a message: consumes nothing.
 */
size_t nl_framer_whole(struct nl_framer *f, const uint8_t *p, size_t n,
		       uint32_t *lens, unsigned max, unsigned *count);
/*
 * A gap: n bytes of the stream at the current offset will never be seen.
 * Returns true if the framer stays in step (the gap lies inside a body
 * whose length is known, an HTTP body read until close, or a turn/none
 * message); false if it lost step: it then consumes nothing until
 * nl_framer_resync(). A gap that ends exactly at the end of a message
 * leaves the message to the next nl_framer_feed() (call it even with
 * n = 0: it reports the message consuming nothing) or nl_framer_end().
 */
bool nl_framer_skip(struct nl_framer *f, uint64_t n);
/* TURNS: the peer began a turn (its first bytes: peer, n). Ends the
 * message in progress, if any (true, *out filled). When that turn was
 * ASCII digits (optionally followed by white space) and the peer's bytes
 * are "ready", the next message is that many bytes long: it ends as soon
 * as they arrived (nl_framer_msg_len() tells it). Other kinds: false. */
bool nl_framer_turn_end(struct nl_framer *f, const uint8_t *peer, size_t n,
			struct nl_frame *out);
/* NONE: a segment with PSH ended at the current offset; ends the message
 * (a probable send()) in progress, if any. Other kinds: false. */
bool nl_framer_push(struct nl_framer *f, struct nl_frame *out);
/* End of stream: ends a message that runs to the end of the stream
 * (TURNS, NONE, an HTTP response read until close), or one a gap just
 * completed. False otherwise (also
 * for a TURNS message of announced length): a partial message of another
 * framing is the caller's to report as cut. */
bool nl_framer_end(struct nl_framer *f, struct nl_frame *out);
/* The whole length of the message in progress, header included, once
 * known; 0 otherwise. */
uint64_t nl_framer_msg_len(const struct nl_framer *f);
/* Bytes of the current message still expected (0 if not yet known). */
uint64_t nl_framer_pending(const struct nl_framer *f);
/* Start over at stream offset `offset` as if a message began there. */
void nl_framer_resync(struct nl_framer *f, uint64_t offset);
void nl_framer_reset(struct nl_framer *f);

#endif
