/*
 * Bounds-checked reader over captured bytes.
 *
 * Every read checks the remaining length. A failed read sets a sticky error
 * flag and returns 0; later reads fail too. A decoder reads a whole header,
 * then checks nl_cur_ok() once. No packet byte is ever reached through a
 * struct cast.
 */
#ifndef NETLAB_CURSOR_H
#define NETLAB_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct nl_cur {
	const uint8_t *p;   /* next byte to read */
	const uint8_t *end; /* one past the last captured byte */
	bool err;           /* a read went past end */
};

static inline struct nl_cur nl_cur_make(const uint8_t *p, size_t n)
{
	struct nl_cur c = {p, p + n, false};
	return c;
}

static inline size_t nl_cur_left(const struct nl_cur *c)
{
	return (size_t)(c->end - c->p);
}

static inline bool nl_cur_ok(const struct nl_cur *c)
{
	return !c->err;
}

/* True if n more bytes can be read; otherwise sets the error flag. */
static inline bool nl_cur_need(struct nl_cur *c, size_t n)
{
	if (c->err || nl_cur_left(c) < n) {
		c->err = true;
		return false;
	}
	return true;
}

static inline uint8_t nl_cur_u8(struct nl_cur *c)
{
	if (!nl_cur_need(c, 1))
		return 0;
	return *c->p++;
}

static inline uint16_t nl_cur_u16be(struct nl_cur *c)
{
	if (!nl_cur_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return v;
}

static inline uint16_t nl_cur_u16le(struct nl_cur *c)
{
	if (!nl_cur_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	return v;
}

static inline uint32_t nl_cur_u32be(struct nl_cur *c)
{
	if (!nl_cur_need(c, 4))
		return 0;
	uint32_t v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
		     (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	return v;
}

static inline uint32_t nl_cur_u32le(struct nl_cur *c)
{
	if (!nl_cur_need(c, 4))
		return 0;
	uint32_t v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
		     (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	return v;
}

static inline uint64_t nl_cur_u64be(struct nl_cur *c)
{
	uint64_t hi = nl_cur_u32be(c);
	uint64_t lo = nl_cur_u32be(c);
	return c->err ? 0 : hi << 32 | lo;
}

static inline uint64_t nl_cur_u64le(struct nl_cur *c)
{
	uint64_t lo = nl_cur_u32le(c);
	uint64_t hi = nl_cur_u32le(c);
	return c->err ? 0 : hi << 32 | lo;
}

/* Borrow n bytes (valid as long as the packet is); NULL on failure. */
static inline const uint8_t *nl_cur_bytes(struct nl_cur *c, size_t n)
{
	if (!nl_cur_need(c, n))
		return NULL;
	const uint8_t *r = c->p;
	c->p += n;
	return r;
}

/* Copy n bytes into dst (zero-filled on failure). */
static inline void nl_cur_copy(struct nl_cur *c, void *dst, size_t n)
{
	const uint8_t *src = nl_cur_bytes(c, n);
	/* n is a constant at every call (an address, a MAC): these become
	 * a move or two */
	if (src)
		memcpy(dst, src, n);
	else
		memset(dst, 0, n);
}

static inline void nl_cur_skip(struct nl_cur *c, size_t n)
{
	(void)nl_cur_bytes(c, n);
}

/*
 * A sub-cursor over the next n bytes, clamped to what the parent still holds;
 * the parent advances past it. Compare nl_cur_left() of the result with n to
 * learn whether the capture cut the region short.
 */
static inline struct nl_cur nl_cur_sub(struct nl_cur *c, size_t n)
{
	size_t left = c->err ? 0 : nl_cur_left(c);
	if (n > left)
		n = left;
	struct nl_cur s = {c->p, c->p + n, false};
	c->p += n;
	return s;
}

#endif
