#include "netlab/status.h"

const char *nl_status_name(enum nl_status s)
{
	static const char *const names[NL_STATUS_COUNT] = {
		[NL_OK] = "ok",
		[NL_NEED_MORE] = "need more",
		[NL_TRUNCATED] = "truncated",
		[NL_MALFORMED] = "malformed",
		[NL_UNSUPPORTED] = "unsupported",
		[NL_NOMEM] = "out of memory",
		[NL_ERR_SYS] = "system error",
	};
	if ((unsigned)s >= NL_STATUS_COUNT)
		return "unknown";
	return names[s];
}
