/*
 * Buffered output without stdio: appends into a fixed buffer and write()s it
 * when full. The number and address formatters here are the hot path of the
 * text printer, so they avoid printf.
 */
#ifndef NETLAB_OUTBUF_H
#define NETLAB_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NL_OUTBUF_SIZE (256 * 1024)

struct nl_outbuf {
	int fd;
	char *buf;
	size_t len, cap;
	bool failed;     /* a write failed (EPIPE, ENOSPC…); output is dropped */
	int write_errno; /* errno of that failure */
	/* a memory sink for tests: when fd < 0 the buffer grows (up to cap_max) */
	size_t cap_max;
};

/* fd >= 0: write to fd. fd < 0: keep everything in memory (tests). */
bool nl_out_init(struct nl_outbuf *o, int fd);
void nl_out_free(struct nl_outbuf *o);
bool nl_out_flush(struct nl_outbuf *o);

/* Flush now unless n more bytes fit: what follows (a table row whose
 * columns are measured in the buffer) is then not cut by a flush. */
void nl_out_reserve(struct nl_outbuf *o, size_t n);
void nl_out_write(struct nl_outbuf *o, const void *p, size_t n);
void nl_out_str(struct nl_outbuf *o, const char *s);
void nl_out_char(struct nl_outbuf *o, char ch);
void nl_out_repeat(struct nl_outbuf *o, char ch, size_t n);
void nl_out_u64(struct nl_outbuf *o, uint64_t v);
void nl_out_i64(struct nl_outbuf *o, int64_t v);
void nl_out_u64_pad(struct nl_outbuf *o, uint64_t v, unsigned width, char pad);
void nl_out_hex(struct nl_outbuf *o, uint64_t v, unsigned min_digits);
void nl_out_hexbyte(struct nl_outbuf *o, uint8_t b);
void nl_out_mac(struct nl_outbuf *o, const uint8_t mac[6]);
void nl_out_ipv4(struct nl_outbuf *o, const uint8_t a[4]);
void nl_out_ipv6(struct nl_outbuf *o, const uint8_t a[16]); /* RFC 5952 */
void nl_out_printf(struct nl_outbuf *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Memory-mode contents, NUL-terminated (tests). */
const char *nl_out_cstr(struct nl_outbuf *o);

#endif
