/*
 * Application framing: the SPEC language shared by the inspector
 * (--framing) and the generator (netlab gen ... --framing), and resumable
 * message splitters.
 *
 * A framer is fed one direction's byte stream in order, in chunks of any
 * size, and reports where messages end as stream offsets. It keeps only a
 * few bytes of partial header (a bounded buffer for jsonhdr's JSON header),
 * never the message bodies: the caller keeps bytes if it needs them.
 *
 * SPEC:
 *   u8 u16le u16be u32le u32be u64le u64be    length prefix (the length
 *                                             counts the bytes after it)
 *   len:SIZE:ENDIAN[,offset=N][,adjust=N]      general length field: SIZE 1,
 *         2, 3, 4 or 8 bytes, ENDIAN le|be, at OFFSET from the message
 *         start; value + ADJUST = bytes that follow the field (Netty's
 *         LengthFieldBasedFrameDecoder). TLS records: len:2:be,offset=3
 *   varint                                    protobuf base-128 length
 *   line                                      LF or CRLF terminated
 *   jsonhdr                                   u32le header length, JSON
 *         header, body of the header's file_size/size/length/content_length
 *   turns http tls none auto                  (inspector only; see issue 4)
 * Python's struct.pack('i', n) on x86 is u32le; struct.pack('!I', n) u32be.
 */
#ifndef NETLAB_FRAMING_H
#define NETLAB_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlab/status.h"

#define NL_FRAMING_DEFAULT_MAX_MESSAGE (64ull * 1024 * 1024)
#define NL_FRAMING_JSONHDR_MAX 65536 /* largest JSON header accepted */
#define NL_FRAMING_LINE_MAX (1024 * 1024) /* longest line before "no LF" */

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
	uint8_t len_size;    /* 1, 2, 3, 4 or 8 */
	bool big_endian;
	uint32_t len_offset; /* bytes from message start to the field */
	int64_t adjust;      /* value + adjust = bytes after the field */
};

/* Parse a SPEC; on error fill errbuf (NL_ERRBUF_SIZE) naming what is wrong. */
NL_WUR enum nl_status nl_framing_parse(const char *spec,
				       struct nl_framing_spec *out,
				       char *errbuf);
/* Canonical text of a spec ("u32le", "len:2:be,offset=3", "line"). */
void nl_framing_format(const struct nl_framing_spec *spec, char *buf,
		       size_t size);
/* Header bytes that precede a body of body_len (for writers: 4 for u32le).
 * Returns the header length, 0 if the spec has no fixed header or the length
 * does not fit the field. */
size_t nl_framing_encode_header(const struct nl_framing_spec *spec,
				uint64_t body_len, uint8_t *out, size_t out_size);

enum nl_frame_result {
	NL_FRAME_MORE,    /* all input consumed, no boundary yet */
	NL_FRAME_MESSAGE, /* a message ended: see struct nl_frame */
	NL_FRAME_ERROR,   /* the stream does not follow the framing */
};

struct nl_frame {
	uint64_t start;      /* stream offset of the message's first byte */
	uint64_t len;        /* whole message, header included */
	uint32_t header_len; /* bytes of header (length field, JSON header…) */
	const char *error;   /* NL_FRAME_ERROR: static reason */
	uint64_t error_at;   /* NL_FRAME_ERROR: stream offset of the problem */
};

struct nl_framer {
	struct nl_framing_spec spec;
	uint64_t max_message;
	uint64_t offset;    /* stream bytes consumed so far */
	uint64_t msg_start; /* offset where the current message began */
	uint64_t msg_len;   /* whole length once known, else 0 */
	uint32_t hdr_have;  /* header bytes gathered so far */
	uint32_t hdr_need;  /* header bytes needed before the length is known */
	uint8_t hdr[16];    /* partial fixed header */
	uint8_t *json;      /* jsonhdr only: bounded header buffer */
	uint32_t json_cap, json_len, json_need;
	int state;
	bool failed; /* after an error; nl_framer_resync() clears it */
};

/* max_message 0 = NL_FRAMING_DEFAULT_MAX_MESSAGE. Allocates only for
 * jsonhdr (NL_FRAMING_JSONHDR_MAX). */
NL_WUR enum nl_status nl_framer_init(struct nl_framer *f,
				     const struct nl_framing_spec *spec,
				     uint64_t max_message);
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
 * A gap: n bytes of the stream at the current offset will never be seen.
 * Returns true if the framer stays in step (the gap lies inside a body
 * whose length is known, or a turn/none message); false if it lost step:
 * it then consumes nothing until nl_framer_resync().
 */
bool nl_framer_skip(struct nl_framer *f, uint64_t n);
/* TURNS: the peer began a turn (its first bytes: peer, n). Ends the
 * message in progress, if any (true, *out filled). Other kinds: false. */
bool nl_framer_turn_end(struct nl_framer *f, const uint8_t *peer, size_t n,
			struct nl_frame *out);
/* NONE: a segment with PSH ended at the current offset; ends the message
 * (a probable send()) in progress, if any. Other kinds: false. */
bool nl_framer_push(struct nl_framer *f, struct nl_frame *out);
/* End of stream: ends a message that runs to the end of the stream
 * (TURNS, NONE, an HTTP response read until close). False otherwise: a
 * partial message of another framing is the caller's to report as cut. */
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
