/* netlab gen demo: placeholder until the three-view demo lands. */
#include <stdio.h>

#include "netlab/gen.h"

int nl_gen_demo_run(const struct nl_gen_opts *o, struct nl_outbuf *out,
		    char *errbuf)
{
	(void)o;
	(void)out;
	snprintf(errbuf, NL_ERRBUF_SIZE, "gen demo: not implemented yet");
	return 1;
}
