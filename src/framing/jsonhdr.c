/*
 * The JSON header of jsonhdr, scanned byte by byte as it arrives: a
 * resumable validator for one JSON object (RFC 8259 grammar, nesting at
 * most JSON_MAX_DEPTH) that picks the body length out of its top-level
 * members. Its whole state lives in struct nl_framer_json (a few dozen
 * bytes): no buffer, no recursion, so a hostile header costs one step per
 * byte and nothing else.
 */
#include <stdbool.h>
#include <string.h>

#include "framing_internal.h"

#define JSON_MAX_DEPTH 32 /* open containers; bits of j->stack */
#define NO_KEY	       0xff

static const char *const size_keys[] = {"file_size", "size", "length",
					"content_length"};
#define NKEYS	 4
#define ALL_KEYS 0x0f

enum {
	JS_START,     /* before the top-level '{' */
	JS_OBJ_FIRST, /* after '{': a key or '}' */
	JS_OBJ_NEXT,  /* after ',' in an object: a key */
	JS_KEY,	      /* inside a key string */
	JS_COLON,     /* after a key */
	JS_ARR_FIRST, /* after '[': a value or ']' */
	JS_VALUE,     /* a value */
	JS_STR,	      /* inside a string value */
	JS_NUM,	      /* inside a number */
	JS_SIZE,      /* inside the value of a size key */
	JS_LIT,	      /* inside true/false/null */
	JS_AFTER,     /* after a value: ',' or a closing bracket */
	JS_DONE,      /* after the top-level '}': white space only */
};

/* Number phases (j->sub in JS_NUM): the RFC 8259 number grammar. */
enum {
	NUM_SIGN,  /* after '-': a digit */
	NUM_INT,   /* integer digits (accepting) */
	NUM_DOT,   /* after '.': a digit */
	NUM_FRAC,  /* fraction digits (accepting) */
	NUM_E,	   /* after e/E: sign or digit */
	NUM_ESIGN, /* after the exponent sign: a digit */
	NUM_EXP,   /* exponent digits (accepting) */
};

static const char *const literals[] = {"true", "false", "null"};

static const char *const MALFORMED = "JSON header malformed";
static const char *const NOT_SIZE =
    "JSON header size is not a non-negative integer";

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(uint8_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void nl_jsonhdr_begin(struct nl_framer_json *j, uint32_t need)
{
	memset(j, 0, sizeof(*j));
	j->need = need;
	j->st = JS_START;
	j->key = NO_KEY;
	j->best_key = NO_KEY;
}

static bool in_array(const struct nl_framer_json *j)
{
	return j->depth && (j->stack >> (j->depth - 1) & 1);
}

/* Open a container; NULL or a reason. */
static const char *open_container(struct nl_framer_json *j, bool array)
{
	if (j->depth >= JSON_MAX_DEPTH)
		return "JSON header nested too deeply";
	if (array)
		j->stack |= 1u << j->depth;
	else
		j->stack &= ~(1u << j->depth);
	j->depth++;
	j->st = array ? JS_ARR_FIRST : JS_OBJ_FIRST;
	return NULL;
}

static void close_container(struct nl_framer_json *j)
{
	j->depth--;
	j->st = j->depth ? JS_AFTER : JS_DONE;
}

/* A string byte (key or value). Returns 1 at the closing quote, 0 to go
 * on, -1 malformed. j->sub: 0 plain, 1 after '\', 2..5 \u digits. */
static int string_byte(struct nl_framer_json *j, uint8_t c)
{
	if (j->sub == 1) {
		if (c == 'u')
			j->sub = 2;
		else if (c && strchr("\"\\/bfnrt", c))
			j->sub = 0;
		else
			return -1;
		return 0;
	}
	if (j->sub >= 2) {
		if (!is_hex(c))
			return -1;
		j->sub = j->sub == 5 ? 0 : (uint8_t)(j->sub + 1);
		return 0;
	}
	if (c == '"')
		return 1;
	if (c < 0x20)
		return -1;
	if (c == '\\')
		j->sub = 1;
	return 0;
}

static void key_byte(struct nl_framer_json *j, uint8_t c)
{
	for (unsigned k = 0; k < NKEYS; k++) {
		if (!(j->key_mask & 1u << k))
			continue;
		size_t len = strlen(size_keys[k]);
		if (j->key_pos >= len || size_keys[k][j->key_pos] != c)
			j->key_mask &= (uint8_t) ~(1u << k);
	}
	if (j->key_pos < 0xff)
		j->key_pos++;
}

static void key_end(struct nl_framer_json *j)
{
	j->key = NO_KEY;
	for (unsigned k = 0; k < NKEYS; k++)
		if ((j->key_mask & 1u << k) &&
		    strlen(size_keys[k]) == j->key_pos)
			j->key = (uint8_t)k;
}

/* A value begins with c. */
static const char *value_start(struct nl_framer_json *j, uint8_t c)
{
	if (j->key != NO_KEY) {
		if (!is_digit(c))
			return NOT_SIZE;
		j->num = (uint64_t)(c - '0');
		j->sub = c == '0'; /* 1: a leading zero, no digit may follow */
		j->st = JS_SIZE;
		return NULL;
	}
	switch (c) {
	case '"':
		j->sub = 0;
		j->st = JS_STR;
		return NULL;
	case '{':
		return open_container(j, false);
	case '[':
		return open_container(j, true);
	case 't':
	case 'f':
	case 'n':
		j->lit = c == 't' ? 0 : c == 'f' ? 1 : 2;
		j->sub = 1;
		j->st = JS_LIT;
		return NULL;
	case '-':
		j->sub = NUM_SIGN;
		j->st = JS_NUM;
		return NULL;
	default:
		if (!is_digit(c))
			return MALFORMED;
		j->sub = NUM_INT;
		j->st = JS_NUM;
		return NULL;
	}
}

/* After a value, c is ',' or a closing bracket. */
static const char *after_value(struct nl_framer_json *j, uint8_t c)
{
	if (is_ws(c))
		return NULL;
	bool arr = in_array(j);
	if (c == ',') {
		j->st = arr ? JS_VALUE : JS_OBJ_NEXT;
		j->key = NO_KEY;
		return NULL;
	}
	if (c == (arr ? ']' : '}')) {
		close_container(j);
		return NULL;
	}
	return MALFORMED;
}

/* Number byte; returns 1 if c is not part of the number (the number ended
 * before it), 0 to go on, -1 malformed. */
static int number_byte(struct nl_framer_json *j, uint8_t c)
{
	bool d = is_digit(c);
	switch (j->sub) {
	case NUM_SIGN:
		if (!d)
			return -1;
		j->sub = NUM_INT;
		return 0;
	case NUM_INT:
		if (d)
			return 0;
		if (c == '.') {
			j->sub = NUM_DOT;
			return 0;
		}
		break;
	case NUM_DOT:
		if (!d)
			return -1;
		j->sub = NUM_FRAC;
		return 0;
	case NUM_FRAC:
		if (d)
			return 0;
		break;
	case NUM_E:
		if (c == '+' || c == '-') {
			j->sub = NUM_ESIGN;
			return 0;
		}
		if (!d)
			return -1;
		j->sub = NUM_EXP;
		return 0;
	case NUM_ESIGN:
		if (!d)
			return -1;
		j->sub = NUM_EXP;
		return 0;
	default: /* NUM_EXP */
		return d ? 0 : 1;
	}
	if (c == 'e' || c == 'E') {
		j->sub = NUM_E;
		return 0;
	}
	return 1;
}

static void size_found(struct nl_framer_json *j)
{
	/* the first occurrence of the most preferred key wins */
	if (j->best_key == NO_KEY || j->key < j->best_key) {
		j->best_key = j->key;
		j->best = j->num;
	}
	j->key = NO_KEY;
}

const char *nl_jsonhdr_byte(struct nl_framer_json *j, uint8_t c)
{
	j->have++;
	switch (j->st) {
	case JS_START:
		if (is_ws(c))
			return NULL;
		if (c != '{')
			return "JSON header is not an object";
		return open_container(j, false);
	case JS_OBJ_FIRST:
	case JS_OBJ_NEXT:
		if (is_ws(c))
			return NULL;
		if (c == '}' && j->st == JS_OBJ_FIRST) {
			close_container(j);
			return NULL;
		}
		if (c != '"')
			return MALFORMED;
		j->st = JS_KEY;
		j->sub = 0;
		j->key_pos = 0;
		j->key_mask = j->depth == 1 ? ALL_KEYS : 0;
		return NULL;
	case JS_KEY: {
		bool escaped = j->sub != 0; /* inside an escape before c */
		int r = string_byte(j, c);
		if (r < 0)
			return MALFORMED;
		if (r == 1) {
			key_end(j);
			j->st = JS_COLON;
		} else if (escaped || c == '\\') {
			j->key_mask = 0; /* compared raw: no size key has one */
		} else {
			key_byte(j, c);
		}
		return NULL;
	}
	case JS_COLON:
		if (is_ws(c))
			return NULL;
		if (c != ':')
			return MALFORMED;
		j->st = JS_VALUE;
		return NULL;
	case JS_ARR_FIRST:
		if (is_ws(c))
			return NULL;
		if (c == ']') {
			close_container(j);
			return NULL;
		}
		return value_start(j, c);
	case JS_VALUE:
		if (is_ws(c))
			return NULL;
		return value_start(j, c);
	case JS_STR: {
		int r = string_byte(j, c);
		if (r < 0)
			return MALFORMED;
		if (r == 1)
			j->st = JS_AFTER;
		return NULL;
	}
	case JS_NUM: {
		int r = number_byte(j, c);
		if (r < 0)
			return MALFORMED;
		if (r == 0)
			return NULL;
		j->st = JS_AFTER;
		return after_value(j, c);
	}
	case JS_SIZE:
		if (is_digit(c)) {
			if (j->sub || j->num > (UINT64_MAX >> 1) / 10)
				return NOT_SIZE; /* leading zero, or > 63 bits
						  */
			j->num = j->num * 10 + (uint64_t)(c - '0');
			if (j->num > UINT64_MAX >> 1)
				return NOT_SIZE;
			return NULL;
		}
		if (c == '.' || c == 'e' || c == 'E')
			return NOT_SIZE;
		size_found(j);
		j->st = JS_AFTER;
		return after_value(j, c);
	case JS_LIT: {
		const char *w = literals[j->lit];
		if ((uint8_t)w[j->sub] != c)
			return MALFORMED;
		j->sub++;
		if (!w[j->sub])
			j->st = JS_AFTER;
		return NULL;
	}
	case JS_AFTER:
		return after_value(j, c);
	default: /* JS_DONE */
		return is_ws(c) ? NULL : "JSON header has trailing bytes";
	}
}

const char *nl_jsonhdr_end(const struct nl_framer_json *j, uint64_t *body)
{
	if (j->st != JS_DONE)
		return "JSON header truncated";
	if (j->best_key == NO_KEY)
		return "JSON header has no "
		       "file_size/size/length/content_length";
	*body = j->best;
	return NULL;
}
