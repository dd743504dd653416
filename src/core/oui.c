/*
 * MAC vendor database from the IEEE registries (MA-L: 24-bit, MA-M: 28-bit,
 * MA-S: 36-bit prefixes), in the CSV form Debian's ieee-data installs:
 *   Registry,Assignment,Organization Name,Organization Address
 * RFC 4180 quoting ("" inside quotes; quoted fields may span lines), CRLF.
 *
 * The three files are read into one buffer; names are unquoted in place and
 * packed at its front (the write position never passes the read position),
 * then the buffer is shrunk to the names: that is the string arena. Entries
 * are (prefix length, prefix) keys in one sorted array, so a look-up is at
 * most three binary searches, longest prefix first.
 *
 * Loading the ~42,000 registrations takes about 10 ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netlab/oui.h"

#define OUI_N_FILES 3
/* The registries are a few MB; anything far larger is not one of them. */
#define OUI_MAX_FILE (64u << 20)
/* Sort key: prefix length class (0: 24 bits, 1: 28, 2: 36) above the
 * prefix itself, so one sorted array serves all three registries. */
#define OUI_KEY(cls, prefix) ((uint64_t)(cls) << 36 | (prefix))
#define OUI_KEY_BITS	     38

static const char *const oui_files[OUI_N_FILES] = {"oui.csv", "mam.csv",
						   "oui36.csv"};

struct oui_ent {
	uint64_t key;  /* OUI_KEY(length class, prefix) */
	uint32_t name; /* offset of the NUL-terminated name in the arena */
};

struct nl_oui_db {
	struct oui_ent *ent;
	uint32_t n;
	char *names;
};

static void set_err(char *errbuf, const char *path, int err)
{
	/* The path is cut so the reason always fits. */
	if (errbuf)
		snprintf(errbuf, NL_ERRBUF_SIZE, "%.400s: %s", path,
			 strerror(err));
}

/* ---- CSV ---- */

enum csv_end { CSV_FIELD, CSV_RECORD, CSV_EOF };

/*
 * One field at *pp: its unquoted bytes go to dst (up to cap; dst NULL
 * skips them) and its full length is returned. Lenient as most readers
 * are: bytes after a closing quote belong to the field; an unclosed quote
 * runs to the end of the input. A CR before the LF that ends a record is
 * not part of the field.
 */
static size_t csv_field(const char **pp, const char *end, char *dst, size_t cap,
			enum csv_end *how)
{
	const char *p = *pp;
	size_t n = 0;

	if (p < end && *p == '"') {
		p++;
		while (p < end) {
			char ch = *p++;
			if (ch == '"') {
				if (p >= end || *p != '"')
					break;
				p++;
			}
			if (dst && n < cap)
				dst[n] = ch;
			n++;
		}
	}
	const char *raw = p;
	while (p < end && *p != ',' && *p != '\n')
		p++;
	size_t raw_len = (size_t)(p - raw);
	if (p < end && *p == '\n' && raw_len && raw[raw_len - 1] == '\r')
		raw_len--;
	for (size_t i = 0; i < raw_len; i++, n++)
		if (dst && n < cap)
			dst[n] = raw[i];

	if (p >= end) {
		*how = CSV_EOF;
	} else {
		*how = *p == ',' ? CSV_FIELD : CSV_RECORD;
		p++;
	}
	*pp = p;
	return n;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "002272" (MA-L), "741AE09" (MA-M), "70B3D5F2F" (MA-S) -> *key. */
static bool assignment_key(const char *s, size_t n, uint64_t *key)
{
	unsigned cls;
	switch (n) {
	case 6:
		cls = 0;
		break;
	case 7:
		cls = 1;
		break;
	case 9:
		cls = 2;
		break;
	default:
		return false;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = hex_val(s[i]);
		if (d < 0)
			return false;
		v = v << 4 | (unsigned)d;
	}
	*key = OUI_KEY(cls, v);
	return true;
}

/*
 * From a field start to the start of the next record, honouring quotes as
 * csv_field does (a quote opens a field only at its start). The registries'
 * bulk is the address field we skip: memchr/memmem keep it fast.
 */
static const char *skip_fields(const char *p, const char *end)
{
	for (;;) {
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				const char *q =
				    memchr(p, '"', (size_t)(end - p));
				if (!q)
					return end;
				p = q + 1;
				if (p >= end || *p != '"')
					break;
				p++; /* "" is a quote inside */
			}
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		const char *next = memmem(p, (size_t)(stop - p), ",\"", 2);
		if (!next)
			return nl ? nl + 1 : end;
		p = next + 1;
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct loader {
	char *base;	     /* the buffer; names are packed at its front */
	char *w;	     /* next free byte of the arena */
	struct oui_ent *ent; /* capacity: one per line, an upper bound */
	uint32_t n;
};

/*
 * Parse the records in [p, end). The name is unquoted straight into the
 * arena at L->w: every record starts at or after L->w, and the registry and
 * assignment fields come first, so the bytes written always trail the
 * bytes read.
 */
static void parse_csv(struct loader *L, const char *p, const char *end)
{
	while (p < end) {
		enum csv_end how;
		char assign[10];

		(void)csv_field(&p, end, NULL, 0, &how); /* Registry */
		if (how != CSV_FIELD)
			continue;
		size_t n = csv_field(&p, end, assign, sizeof(assign), &how);
		uint64_t key; /* 0 is valid: Xerox's 00-00-00 */
		bool ok =
		    n <= sizeof(assign) && assignment_key(assign, n, &key);
		if (how != CSV_FIELD)
			continue;
		if (!ok) { /* the header, or a row we cannot use */
			p = skip_fields(p, end);
			continue;
		}
		size_t name_len = csv_field(&p, end, L->w, SIZE_MAX, &how);
		if (how == CSV_FIELD)
			p = skip_fields(p, end);

		/* Trim the stray spaces and tabs the registry has around
		 * some names; everything else is kept byte for byte. */
		char *s = L->w, *e = L->w + name_len;
		while (s < e && is_blank(*s))
			s++;
		while (e > s && is_blank(e[-1]))
			e--;
		if (s == e)
			continue;
		size_t len = (size_t)(e - s);
		memmove(L->w, s, len);
		L->w[len] = '\0';
		L->ent[L->n].key = key;
		L->ent[L->n].name = (uint32_t)(L->w - L->base);
		L->n++;
		L->w += len + 1;
	}
}

/*
 * LSD radix sort, 4 passes of 10 bits over the 38-bit keys: a few times
 * faster than qsort here, and stable, so of two rows for one assignment the
 * one met first stays first. tmp has room for n entries.
 */
static void sort_entries(struct oui_ent *a, struct oui_ent *tmp, uint32_t n)
{
	enum { DIGIT = 10, PASSES = 4 };
	_Static_assert(DIGIT * PASSES >= OUI_KEY_BITS, "radix covers key");
	_Static_assert(PASSES % 2 == 0, "result lands back in a");
	static const uint32_t mask = (1u << DIGIT) - 1;
	uint32_t pos[1u << DIGIT];

	for (unsigned pass = 0; pass < PASSES; pass++) {
		unsigned shift = pass * DIGIT;
		memset(pos, 0, sizeof(pos));
		for (uint32_t i = 0; i < n; i++)
			pos[(a[i].key >> shift) & mask]++;
		uint32_t sum = 0;
		for (uint32_t d = 0; d <= mask; d++) {
			uint32_t c = pos[d];
			pos[d] = sum;
			sum += c;
		}
		for (uint32_t i = 0; i < n; i++)
			tmp[pos[(a[i].key >> shift) & mask]++] = a[i];
		struct oui_ent *t = a;
		a = tmp;
		tmp = t;
	}
}

/* ---- loading ---- */

static enum nl_status open_all(const char *dir, int fd[OUI_N_FILES],
			       size_t size[OUI_N_FILES], char *errbuf)
{
	char path[PATH_MAX];

	for (int i = 0; i < OUI_N_FILES; i++) {
		fd[i] = -1;
		size[i] = 0;
	}
	for (int i = 0; i < OUI_N_FILES; i++) {
		int n =
		    snprintf(path, sizeof(path), "%s/%s", dir, oui_files[i]);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			set_err(errbuf, dir, ENAMETOOLONG);
			return NL_ERR_SYS;
		}
		fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fd[i] < 0) {
			/* A registry not installed is no error. */
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			set_err(errbuf, path, errno);
			return NL_ERR_SYS;
		}
		struct stat st;
		if (fstat(fd[i], &st) != 0) {
			set_err(errbuf, path, errno);
			return NL_ERR_SYS;
		}
		if (!S_ISREG(st.st_mode) || st.st_size > (off_t)OUI_MAX_FILE) {
			set_err(errbuf, path,
				S_ISREG(st.st_mode) ? EFBIG : EINVAL);
			return NL_ERR_SYS;
		}
		size[i] = (size_t)st.st_size;
	}
	return NL_OK;
}

static enum nl_status read_all(int fd, char *buf, size_t want, size_t *got,
			       const char *name, char *errbuf)
{
	size_t n = 0;
	while (n < want) {
		ssize_t r = read(fd, buf + n, want - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_err(errbuf, name, errno);
			return NL_ERR_SYS;
		}
		if (r == 0)
			break; /* shrank since fstat: take what is there */
		n += (size_t)r;
	}
	*got = n;
	return NL_OK;
}

static uint32_t count_lines(const char *p, size_t n)
{
	uint32_t lines = 1;
	const char *end = p + n;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p++;
	}
	return lines;
}

static void close_all(int fd[OUI_N_FILES])
{
	for (int i = 0; i < OUI_N_FILES; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

static enum nl_status load_files(struct nl_oui_db *db, const char *dir,
				 char *errbuf)
{
	int fd[OUI_N_FILES];
	size_t size[OUI_N_FILES], got[OUI_N_FILES] = {0}, total = 0;
	enum nl_status st = open_all(dir, fd, size, errbuf);
	char *buf = NULL;
	struct loader L = {0};

	if (st != NL_OK)
		goto out;
	for (int i = 0; i < OUI_N_FILES; i++)
		total += size[i];
	if (total == 0)
		goto out;
	buf = malloc(total);
	if (!buf) {
		st = NL_NOMEM;
		goto out;
	}
	uint32_t lines = 0;
	size_t off = 0;
	for (int i = 0; i < OUI_N_FILES; i++) {
		if (fd[i] < 0)
			continue;
		st = read_all(fd[i], buf + off, size[i], &got[i], oui_files[i],
			      errbuf);
		if (st != NL_OK)
			goto out;
		lines += count_lines(buf + off, got[i]);
		off += got[i];
	}

	L.base = L.w = buf;
	/* One block: the entries, then as many again as sort space. */
	L.ent = malloc((size_t)lines * 2 * sizeof(*L.ent));
	if (!L.ent) {
		st = NL_NOMEM;
		goto out;
	}
	off = 0;
	for (int i = 0; i < OUI_N_FILES; i++) {
		parse_csv(&L, buf + off, buf + off + got[i]);
		off += got[i];
	}
	sort_entries(L.ent, L.ent + lines, L.n);
	uint32_t n = 0;
	for (uint32_t i = 0; i < L.n; i++)
		if (n == 0 || L.ent[i].key != L.ent[n - 1].key)
			L.ent[n++] = L.ent[i];

	if (n == 0)
		goto out;
	size_t arena = (size_t)(L.w - buf);
	char *names = realloc(buf, arena);
	struct oui_ent *ent = realloc(L.ent, (size_t)n * sizeof(*ent));
	db->names = names ? names : buf; /* shrinking may fail: keep it */
	db->ent = ent ? ent : L.ent;
	db->n = n;
	buf = NULL;
	L.ent = NULL;
out:
	free(L.ent);
	free(buf);
	close_all(fd);
	return st;
}

enum nl_status nl_oui_load(struct nl_oui_db **out, const char *dir,
			   char *errbuf)
{
	*out = NULL;
	if (!dir || !*dir) {
		dir = getenv("NETLAB_IEEE_DATA");
		if (!dir || !*dir)
			dir = NL_OUI_DEFAULT_DIR;
	}
	struct nl_oui_db *db = calloc(1, sizeof(*db));
	if (!db)
		return NL_NOMEM;
	enum nl_status st = load_files(db, dir, errbuf);
	if (st != NL_OK) {
		nl_oui_free(db);
		return st;
	}
	*out = db;
	return NL_OK;
}

void nl_oui_free(struct nl_oui_db *db)
{
	if (!db)
		return;
	free(db->ent);
	free(db->names);
	free(db);
}

static const struct oui_ent *find(const struct nl_oui_db *db, uint64_t key)
{
	uint32_t lo = 0, hi = db->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (db->ent[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < db->n && db->ent[lo].key == key ? &db->ent[lo] : NULL;
}

const char *nl_oui_lookup(const struct nl_oui_db *db, const uint8_t mac[6])
{
	/* Longest prefix wins: MA-S (36 bits), MA-M (28), MA-L (24). */
	static const unsigned cls[] = {2, 1, 0}, bits[] = {36, 28, 24};

	if (!db || db->n == 0 || !mac)
		return NULL;
	uint64_t m = 0;
	for (int i = 0; i < 6; i++)
		m = m << 8 | mac[i];
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		const struct oui_ent *e =
		    find(db, OUI_KEY(cls[i], m >> (48 - bits[i])));
		if (e)
			return db->names + e->name;
	}
	return NULL;
}

uint32_t nl_oui_count(const struct nl_oui_db *db)
{
	return db ? db->n : 0;
}
