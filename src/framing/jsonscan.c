/*
 * A small bounded JSON scanner for jsonhdr headers: validates one JSON
 * object (nesting at most JSON_MAX_DEPTH) and picks the body length out of
 * its top-level members. It allocates nothing and never recurses, so a
 * hostile header costs at most NL_FRAMING_JSONHDR_MAX steps.
 */
#include <stdbool.h>
#include <string.h>

#include "framing_internal.h"

#define JSON_MAX_DEPTH 32

static const char *const size_keys[] = {"file_size", "size", "length",
					"content_length"};
#define NKEYS (sizeof(size_keys) / sizeof(size_keys[0]))

struct scan {
	const uint8_t *p, *end;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* A string starting at its opening quote; raw, rawlen: its inner bytes. */
static bool string(struct scan *s, const uint8_t **raw, size_t *rawlen)
{
	if (s->p >= s->end || *s->p != '"')
		return false;
	const uint8_t *start = ++s->p;
	while (s->p < s->end) {
		uint8_t c = *s->p;
		if (c == '"') {
			*raw = start;
			*rawlen = (size_t)(s->p - start);
			s->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			s->p++;
			if (s->p >= s->end)
				return false;
			if (*s->p == 'u') {
				for (int k = 0; k < 4; k++) {
					s->p++;
					if (s->p >= s->end ||
					    !strchr("0123456789abcdefABCDEF",
						    *s->p) ||
					    !*s->p)
						return false;
				}
			} else if (!strchr("\"\\/bfnrt", *s->p) || !*s->p) {
				return false;
			}
		}
		s->p++;
	}
	return false;
}

static bool number(struct scan *s)
{
	const uint8_t *start = s->p;
	if (s->p < s->end && *s->p == '-')
		s->p++;
	const uint8_t *d = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	if (s->p == d)
		return false;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		d = s->p;
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
		if (s->p == d)
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		d = s->p;
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
		if (s->p == d)
			return false;
	}
	return s->p > start;
}

static bool literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return false;
	s->p += n;
	return true;
}

/* A scalar value (string, number, literal). */
static bool scalar(struct scan *s)
{
	const uint8_t *r;
	size_t rl;
	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '"':
		return string(s, &r, &rl);
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		return number(s);
	}
}

/* A plain non-negative integer value: digits only, no leading zeros, fits
 * in 63 bits. */
static bool size_value(struct scan *s, uint64_t *v)
{
	const uint8_t *d = s->p;
	uint64_t x = 0;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
		if (x > (UINT64_MAX >> 1) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s->p - '0');
		s->p++;
	}
	size_t n = (size_t)(s->p - d);
	if (n == 0 || (n > 1 && *d == '0'))
		return false;
	if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E'))
		return false;
	*v = x;
	return true;
}

const char *nl_jsonhdr_scan(const uint8_t *p, size_t n, uint64_t *body)
{
	struct scan s = {p, p + n};
	/* stack of open containers: '{' or '[' */
	char stack[JSON_MAX_DEPTH];
	int depth = 0;
	bool found[NKEYS] = {false};
	uint64_t vals[NKEYS] = {0};

	ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return "JSON header is not an object";
	stack[depth++] = '{';
	s.p++;
	bool first = true;
	while (depth > 0) {
		ws(&s);
		if (s.p >= s.end)
			return "JSON header truncated";
		char top = stack[depth - 1];
		if (*s.p == (top == '{' ? '}' : ']')) {
			s.p++;
			depth--;
			first = false;
			continue;
		}
		if (!first) {
			if (*s.p != ',')
				return "JSON header malformed";
			s.p++;
			ws(&s);
		}
		first = false;
		int key = -1;
		if (top == '{') {
			const uint8_t *k;
			size_t kl;
			if (!string(&s, &k, &kl))
				return "JSON header malformed";
			for (size_t i = 0; depth == 1 && i < NKEYS; i++)
				if (kl == strlen(size_keys[i]) &&
				    !memcmp(k, size_keys[i], kl))
					key = (int)i;
			ws(&s);
			if (s.p >= s.end || *s.p != ':')
				return "JSON header malformed";
			s.p++;
			ws(&s);
		}
		if (s.p >= s.end)
			return "JSON header truncated";
		if (key >= 0) {
			uint64_t v;
			if (!size_value(&s, &v))
				return "JSON header size is not a non-negative "
				       "integer";
			if (!found[key]) {
				found[key] = true;
				vals[key] = v;
			}
			continue;
		}
		if (*s.p == '{' || *s.p == '[') {
			if (depth >= JSON_MAX_DEPTH)
				return "JSON header nested too deeply";
			stack[depth++] = (char)*s.p;
			s.p++;
			first = true;
			continue;
		}
		if (!scalar(&s))
			return "JSON header malformed";
	}
	ws(&s);
	if (s.p != s.end)
		return "JSON header has trailing bytes";
	for (size_t i = 0; i < NKEYS; i++)
		if (found[i]) {
			*body = vals[i];
			return NULL;
		}
	return "JSON header has no file_size/size/length/content_length";
}
