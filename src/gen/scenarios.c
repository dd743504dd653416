/*
 * What the generator sends: the classic demo messages, reproducible
 * generated bodies with an embedded CRC-32 tag (see netlab/gen.h), and the
 * JSON header of the upload protocol.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "netlab/gen.h"

static const char *const scenario_names[NL_GEN_SCENARIO_COUNT] = {
    [NL_GEN_MERGE] = "merge",	[NL_GEN_SPLIT] = "split",
    [NL_GEN_FRAMED] = "framed", [NL_GEN_JSONHDR] = "jsonhdr",
    [NL_GEN_READY] = "ready",	[NL_GEN_UDP] = "udp",
    [NL_GEN_FLOOD] = "flood",
};

const char *nl_gen_scenario_name(enum nl_gen_scenario s)
{
	return s < NL_GEN_SCENARIO_COUNT ? scenario_names[s] : "?";
}

/* CRC-32 (IEEE 802.3, reflected 0xedb88320, as zlib.crc32), slicing-by-8:
 * the server verifies every byte of a flood with it. t[0] is the classic
 * byte table; t[k][i] = t[k-1][i] >> 8 ^ t[0][t[k-1][i] & 0xff]. Built once;
 * demo mode calls this from two threads. */
static uint32_t crc32_tab[8][256];
static pthread_once_t crc32_once = PTHREAD_ONCE_INIT;

static void crc32_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc32_tab[0][i] = c;
	}
	for (int k = 1; k < 8; k++)
		for (int i = 0; i < 256; i++)
			crc32_tab[k][i] = crc32_tab[k - 1][i] >> 8 ^
					  crc32_tab[0][crc32_tab[k - 1][i] & 0xff];
}

uint32_t nl_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	pthread_once(&crc32_once, crc32_build);
	crc = ~crc;
	while (n >= 8) {
		uint32_t lo =
		    crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			   (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		crc = crc32_tab[7][lo & 0xff] ^ crc32_tab[6][(lo >> 8) & 0xff] ^
		      crc32_tab[5][(lo >> 16) & 0xff] ^ crc32_tab[4][lo >> 24] ^
		      crc32_tab[3][p[4]] ^ crc32_tab[2][p[5]] ^
		      crc32_tab[1][p[6]] ^ crc32_tab[0][p[7]];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = (crc >> 8) ^ crc32_tab[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

static uint64_t mix(uint64_t x)
{
	/* splitmix64 finaliser */
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static const char *const classic[] = {"hello", "world", "egon"};

static bool classic_messages(const struct nl_gen_opts *o)
{
	return o->size_max == 0 && o->scenario != NL_GEN_JSONHDR &&
	       o->scenario != NL_GEN_FLOOD;
}

uint64_t nl_gen_default_count(const struct nl_gen_opts *o)
{
	switch (o->scenario) {
	case NL_GEN_SPLIT:
	case NL_GEN_JSONHDR:
		return 1;
	case NL_GEN_FLOOD:
		return 0; /* until --duration */
	default:
		return 3;
	}
}

uint64_t nl_gen_message_len(const struct nl_gen_opts *o, uint32_t conn,
			    uint64_t index)
{
	if (classic_messages(o)) {
		if (o->scenario == NL_GEN_SPLIT)
			return 14; /* "helloworldegon" */
		return strlen(classic[index % 3]);
	}
	uint64_t lo = o->size_min, hi = o->size_max;
	if (hi == 0)
		lo = hi = o->scenario == NL_GEN_JSONHDR ? 4096 : 1024;
	if (lo == hi)
		return lo;
	uint64_t r = mix(o->seed ^ mix(((uint64_t)conn << 40) ^ index));
	return lo + r % (hi - lo + 1);
}

void nl_gen_fill(uint8_t *buf, size_t len, uint64_t seed, uint32_t conn,
		 uint64_t index)
{
	if (len < NL_GEN_TAG_LEN) {
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)('a' + (index + i) % 26);
		return;
	}
	char head[48];
	int hn = snprintf(head, sizeof(head), "c%" PRIu32 " m%" PRIu64 " ",
			  conn, index);
	size_t body = len - NL_GEN_TAG_LEN;
	uint8_t *p = buf + NL_GEN_TAG_LEN;
	size_t i = 0;
	for (; i < body && i < (size_t)hn; i++)
		p[i] = (uint8_t)head[i];
	uint64_t r = mix(seed ^ mix(((uint64_t)conn << 40) ^ index ^ 0x5a5a));
	for (; i < body; i++) {
		if ((i & 7) == 0)
			r = mix(r);
		p[i] = (uint8_t)('a' + (r >> (8 * (i & 7))) % 26);
	}
	uint32_t crc = nl_crc32(0, p, body);
	char tag[NL_GEN_TAG_LEN + 1];
	snprintf(tag, sizeof(tag), "NLG%08" PRIx32 ":", crc);
	memcpy(buf, tag, NL_GEN_TAG_LEN);
}

size_t nl_gen_message(const struct nl_gen_opts *o, uint32_t conn,
		      uint64_t index, uint8_t *buf, size_t cap)
{
	uint64_t len = nl_gen_message_len(o, conn, index);
	if (len > cap)
		len = cap;
	if (classic_messages(o)) {
		const char *m = o->scenario == NL_GEN_SPLIT
				    ? "helloworldegon"
				    : classic[index % 3];
		memcpy(buf, m, (size_t)len);
		return (size_t)len;
	}
	nl_gen_fill(buf, (size_t)len, o->seed, conn, index);
	return (size_t)len;
}

void nl_gen_check_begin(struct nl_gen_check *c)
{
	memset(c, 0, sizeof(*c));
}

void nl_gen_check_update(struct nl_gen_check *c, const uint8_t *p, size_t n)
{
	c->len += n;
	if (c->tag_have < NL_GEN_TAG_LEN) {
		size_t k = NL_GEN_TAG_LEN - c->tag_have;
		if (k > n)
			k = n;
		memcpy(c->tag + c->tag_have, p, k);
		c->tag_have += (uint32_t)k;
		p += k;
		n -= k;
	}
	if (n)
		c->crc = nl_crc32(c->crc, p, n);
}

enum nl_gen_verdict nl_gen_check_end(const struct nl_gen_check *c)
{
	if (c->tag_have < NL_GEN_TAG_LEN || memcmp(c->tag, "NLG", 3) ||
	    c->tag[11] != ':')
		return NL_GEN_UNTAGGED;
	uint32_t want = 0;
	for (int i = 3; i < 11; i++) {
		uint8_t ch = c->tag[i];
		uint32_t d;
		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else
			return NL_GEN_UNTAGGED;
		want = want << 4 | d;
	}
	return want == c->crc ? NL_GEN_CRC_OK : NL_GEN_CRC_BAD;
}

size_t nl_gen_jsonhdr(char *buf, size_t cap, const char *name, uint64_t size)
{
	/* json.dumps escapes '"', '\\' and control characters; non-ASCII
	 * bytes are written as \u00XX (Latin-1), which json.loads accepts. */
	size_t n = 0;
	int k = snprintf(buf, cap, "{\"func\": \"put\", \"file_name\": \"");
	if (k < 0 || (size_t)k >= cap)
		return 0;
	n = (size_t)k;
	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		char esc[8];
		if (*s == '"' || *s == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *s);
		else if (*s < 0x20 || *s >= 0x7f)
			snprintf(esc, sizeof(esc), "\\u%04x", *s);
		else
			snprintf(esc, sizeof(esc), "%c", *s);
		size_t el = strlen(esc);
		if (n + el >= cap)
			return 0;
		memcpy(buf + n, esc, el);
		n += el;
	}
	k = snprintf(buf + n, cap - n, "\", \"file_size\": %" PRIu64 "}", size);
	if (k < 0 || (size_t)k >= cap - n)
		return 0;
	return n + (size_t)k;
}
