/*
 * Framing auto-detection (--framing auto, the default): which framing of
 * netlab/framing.h explains a direction's first bytes.
 *
 * Detection is a pure function of what the flow stage has seen of one
 * direction so far: its first delivered bytes (a bounded prefix, at most
 * detect_bytes), the segments that delivered them (with PSH), whether the
 * turn or the stream has ended, and a little of the other direction. It
 * runs every candidate framer over the prefix from scratch (framers are
 * cheap and resumable; nothing is kept between calls), scores them and
 * either decides or asks for more data. The flow stage calls it again as
 * data arrives, with final = true when no more evidence will come in time
 * (turn ended, stream ended, prefix full, too many segments, connection
 * end): then it always decides, falling back to turns (the peer spoke) or
 * none.
 *
 * A candidate explains the stream when every length it reads is plausible
 * (within max_message), its parse never loses step, and its message
 * boundaries fall where the sender stopped (segment ends with PSH, the end
 * of the turn): a message still incomplete at the end of a turn counts
 * against it. Candidates in order of specificity: http, tls, jsonhdr,
 * line, the length prefixes (u32le, u32be, u16le, u16be, u64le, u64be,
 * u8), varint; then the fallbacks turns and none.
 *
 * How it decides:
 *  - a turn of ASCII digits answered by the peer's "ready": turns (it
 *    knows the length-then-ready pattern);
 *  - the peer's framing (peer_spec), if it explains these bytes too;
 *    else the framing learned on the server port (hint), if it does
 *    with a message end on a segment end;
 *  - a signature, in that order: an HTTP/1.x request or status line, a
 *    TLS record header, a u32le length then a JSON object with a size
 *    (when final with the prefix full: 60 valid bytes of a longer one).
 *    One is enough, even before final;
 *  - line: printable text (UTF-8 allowed) whose lines end at segment ends;
 *  - a length prefix or varint, if its message ends hit at least half the
 *    PSH segment ends (all segment ends if the sender never sets PSH),
 *    not all its messages are empty, and its evidence is worth at least
 *    12 bits (+ log2 of the alignments tried): each hit counts log2 of
 *    the mean message length (chance would hit with 1 / that), and each
 *    length read counts its high bytes that had to be zero, each worth
 *    -log2 of the share of zero bytes in the bodies. Random bytes, text
 *    and zeros read as u8/varint/u16 fail this; one short u16 message
 *    does too (turns frames it the same). The best by this score wins;
 *  - before final it decides only on a signature, the peer's framing or
 *    4 hits well ahead of the runner-up; when final, on anything viable,
 *    else turns (the peer spoke) or none.
 * Cost: each run stops at its first error and skips bodies in bulk (at
 * most 512 messages), so a call costs about the candidates' headers plus
 * a memchr for line; 64 KiB of random bytes take well under a
 * millisecond, mid-stream (33 alignments) a few.
 *
 * Mid-stream (the capture started inside a connection): buf[0] may be in
 * the middle of a message, so each candidate is also tried from each
 * segment start in the prefix (line: each start right after an LF); the
 * result says where the first whole message begins.
 */
#ifndef NETLAB_DETECT_H
#define NETLAB_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/framing.h"

#define NL_DETECT_DEFAULT_BYTES 4096 /* prefix held per direction */
#define NL_DETECT_MAX_BYTES	65536
#define NL_DETECT_SLOTS		1024 /* directions detecting at once */
#define NL_DETECT_MAX_SEGS	32   /* segments remembered per prefix */
#define NL_DETECT_PEER_BYTES	64   /* first bytes of the other direction */

struct nl_detect_seg {
	uint32_t start, end; /* offsets in buf: [start, end) */
	bool push;	     /* the segment had PSH */
};

struct nl_detect_input {
	const uint8_t *buf; /* the direction's first delivered bytes */
	uint32_t len;
	const struct nl_detect_seg *segs; /* the segments that carried them */
	uint32_t n_segs;
	bool midstream;	     /* picked up mid-stream: buf[0] may be inside a
				message */
	bool turn_ended;     /* the peer has sent data since this turn began
				(and buf holds the whole turn: not set when
				the prefix filled first) */
	bool stream_ended;   /* FIN, RST or the connection's end (same) */
	bool peer_spoke;     /* the other direction has sent data at all */
	const uint8_t *peer; /* its first bytes (up to NL_DETECT_PEER_BYTES) */
	uint32_t peer_len;
	/* the other direction's framing once chosen (NULL if not): a
	 * response usually speaks like its request */
	const struct nl_framing_spec *peer_spec;
	/* this direction's own framing before a gap it could not cross
	 * (NULL if none): tried first, like peer_spec, to find where its
	 * messages start again (buf then begins after the gap) */
	const struct nl_framing_spec *prior;
	/* the framing chosen last for the same direction of another
	 * connection to the same server port (NULL if none): servers speak
	 * one protocol on a port. Tried first when there is neither
	 * peer_spec nor prior, and alone if it reads these bytes with a
	 * message ending where a segment ended (like prior) */
	const struct nl_framing_spec *hint;
	uint64_t max_message; /* 0 = NL_FRAMING_DEFAULT_MAX_MESSAGE */
};

struct nl_detect_result {
	struct nl_framing_spec spec; /* chosen */
	bool fallback;		     /* turns or none: nothing explained it */
	uint32_t start;		     /* offset in buf where the first whole
					message begins (0 unless midstream) */
	uint32_t confirm;	     /* whole messages that confirm it */
	bool has_runner_up;
	struct nl_framing_spec runner_up;
	uint32_t runner_confirm;
	const char *why; /* static: one phrase on why it won ("3 messages end
			    at segment ends", "HTTP request line") */
};

/* Returns true when it decided (always when final). */
bool nl_framing_detect(const struct nl_detect_input *in, bool final,
		       struct nl_detect_result *out);

#endif
