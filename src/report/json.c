/*
 * --json: JSON Lines. One object per line, each with a "type".
 *
 * Schema (a key is present only when its layer or condition is; layer names
 * ("tcp", "ipv4", "link" …) are those of nl_layer_name(); numbers are
 * JSON numbers, addresses are strings; every string that came from the wire
 * or from a data file is escaped: control bytes, DEL and bytes >= 0x80
 * become \u00XX, so the output is ASCII and always valid JSON):
 *
 * {"type":"packet",
 *  "frame":1, "ts":"2026-11-22T01:48:07.123456789Z",
 *  "ts_epoch":1700000000.123456789, "caplen":74, "len":74,
 *  "undecoded":true,                       link type not decoded
 *  "eth":{"src":"aa:…","dst":"ff:…","src_vendor":"Intel Corporate"|null,
 *         (vendor null: unknown, or a group/local/all-zero address)
 *         "dst_vendor":null,"ethertype":2048,"type_len":33024,
 *         "ieee8023":false,"frame_len":78,"fcs_absent":true,
 *         "undersize":false,"oversize":false},
 *  "sll":{"version":1|2,"pkttype":0,"direction":"In"|"B"|"M"|"P"|"Out"|null,
 *         "hatype":1,"addr":"aa:…","ethertype":2048,"ifindex":1 (v2 only)},
 *  "null":{"family":2},                    BSD loopback
 *  "vlan":[{"vid":10,"pcp":0,"dei":false,"tpid":33024}],
 *  "arp":{"op":1,"op_name":"request"|null,
 *         "kind":"request"|"reply"|"gratuitous"|"probe"|"other",
 *         "htype":1,"ptype":2048,"hlen":6,"plen":4,
 *         "sha":"aa:…","spa":"10.0.0.1","tha":"…","tpa":"…"},
 *         (not Ethernet/IPv4: addresses as colon-separated hex)
 *  "ip":{"src":"10.0.0.1","dst":"10.0.0.2","ttl":64,"id":7238,"tos":0,
 *        "rf":false,"df":true,"mf":false,"frag_off":0,"proto":6,
 *        "hdr_len":20,"total_len":60,"opt_len":0,"csum":47089,
 *        "checksum":CHECKSUM,"csum_want":1234 (bad only: the right value)},
 *  "ipv6":{"src":"::1","dst":"::1","hlim":64,"tclass":0,"flow":0,
 *          "plen":40,"next":6,"ext":[0,44],"ext_len":16,
 *          "jumbo_len":N (only if any),
 *          "frag":{"id":1,"off":0,"more":true} (only with a fragment header)},
 *  "fragment":true,                        part of a fragmented datagram
 *  "later_fragment":true,                  offset > 0: no transport header
 *  "icmp" | "icmpv6":{"type":8,"code":0,"type_name":"echo request"|null,
 *        "code_name":"port unreachable"|null,"csum":…,"checksum":CHECKSUM,
 *        "id":1,"seq":1 (echo),"mtu":1400 (frag needed / too big),
 *        "gateway":"10.0.0.254" (redirect),"target":"fe80::1" (NDP),
 *        "quote":{"proto":17,"src":"…","dst":"…",
 *                 "sport":…,"dport":… (TCP/UDP, when quoted)}},
 *  "tcp":{"sport":54321,"dport":9000,"seq":…,"ack":…,
 *         "flags":["SYN","ACK"],"flags_raw":18,"win":65495,"hdr_len":40,
 *         "urg":0,"len":0,"csum":…,"checksum":CHECKSUM,
 *         "options":{"list":["mss","sack_perm","ts","nop","ws"],
 *                    "mss":65495,"wscale":7,"sack_perm":true,
 *                    "ts":[1234,0],"sack":[[1000,2000]]}},
 *  "udp":{"sport":…,"dport":…,"len":13,"payload_len":5,"csum":…,
 *         "checksum":CHECKSUM},
 *  "conn":1,"dir":"c2s"|"s2c",            a tracked TCP packet: connection
 *  "rseq":0,"rack":1,                      id, direction, seq/ack relative
 *                                          to each direction's ISN ("tcp"
 *                                          keeps the absolute ones)
 *  "role":"handshake 1/3"|null, "states":{"client":"SYN_SENT",
 *  "server":"CLOSED"} (after the packet), "changes":[{"side":"client",
 *  "from":"CLOSED","to":"SYN_SENT"}], "analysis":["retransmission",…],
 *  "dup_ack":2 (with "dup_ack"), "midstream":true (picked up mid-stream),
 *  "payload_len":14, "payload_caplen":14,  with TCP or UDP (as sent and
 *                                          captured: they differ when the
 *                                          snapshot length cut the packet)
 *  "map_state":"mapped"|"pending"|"retrans"|"unframed"|"not_analysed"|
 *      "ignored",                          a TCP packet with payload under
 *                                          stream analysis; when "mapped":
 *  "map_offset":120,"map_bytes":176,"n_msgs":3,
 *  "messages":[{"index":3,"part":"whole"|"head"|"middle"|"tail",
 *      "bytes":120,"at":80,"msg_len":200|null (not known yet)}]
 *      (the first 7 parts and the last when n_msgs is larger),
 *  "merged":3 (parts of >= 2 messages), "split":true (a part is not
 *  whole), "offload":true (larger than the receiver's MSS: a GSO/TSO/GRO
 *  batch, not a wire segment),
 *  "udp_flow":{"id":2,"dir":"first"|"reply","index":4} (a UDP datagram:
 *      its flow and number in that direction),
 *  "sends":{"side":"client","first":1,"last":3,"n":3,"first_partial":false,
 *      "last_partial":true} (--truth: the sends whose bytes it carried),
 *  "truncated":[{"layer":"tcp","what":"options"}],
 *  "malformed":[{"layer":"ipv4","what":"IHL 12 < 20"}]}
 *
 * {"type":"app","side":"client","ev":"send","proto":"tcp"|"udp",
 *  "local":"ip:port","peer":"ip:port","index":2,"off":5,"len":5,"ret":5,
 *  "detail":"…","ts":S.NNNNNNNNN} (--truth: an application record, before
 *  the packet that carried a send's first byte, after the one that
 *  delivered a receive's last)
 *
 * CHECKSUM is "unchecked" | "ok" | "bad" | "offload" | "absent" |
 * "unverified" ("offload": not filled in, captured on the sending host with
 * checksum offload).
 *
 * {"type":"arp_notice","kind":"mac_changed"|"conflict","frame":9,
 *  "ip":"10.0.0.2","old_mac":"…","old_vendor":…|null,"old_frame":3,
 *  "new_mac":"…","new_vendor":…|null,"new_frame":9}
 *
 * Stream analysis objects come before the packet object of the frame that
 * caused them (at a connection's end, before its conn object):
 *
 * {"type":"message","conn":1,"dir":"c2s","index":3,"offset":0,"len":204,
 *  "header_len":4,"declared":200 (when the header gave a length),
 *  "frames":[4,6] (the first 7 and the last),"n_frames":2,
 *  "first_frame":4,"last_frame":6,"complete":true,
 *  "end":"complete"|"gap"|"end"|"error","split":true,
 *  "has_gap":true (bytes missing inside),"prefix":"\u0000…" (first bytes)}
 *  (every message, with or without --messages)
 *
 * {"type":"segmap","frame":12,"conn":1,"dir":"c2s","late":true,…} the map
 *  of an earlier frame known only now, with the packet's map fields
 *
 * {"type":"note","note":"framing"|"framing_error"|"resync"|"gap"|
 *  "conflict"|"midstream"|"not_analysed","conn":1,"dir":"c2s","frame":12,
 *  "framing":"u32le","how":"option"|"port"|"auto"|"fallback","confirm":5,
 *  "runner_up":"u32be","runner_confirm":2 (framing),
 *  "offset":…,"len":…,"reason":"lost"|"snaplen"|"cap" (gap),
 *  "why":"…" (when the stage gave one)}
 *
 * {"type":"conn",…} (--conns: when a connection leaves the table):
 *  "id","client":"ip:port","server":"ip:port","client_state",
 *  "server_state","conn_state" (Zeek's),"history" (Zeek's letters),
 *  "midstream","refused","simultaneous_open","simultaneous_close",
 *  "active_closer","reset_by":"client"|"server"|null,"reset_in":STATE,
 *  "rtt_ms","rtt_server_ms","rtt_client_ms" (null if unseen),"duration",
 *  "pkts_c2s","pkts_s2c","bytes_c2s","bytes_s2c" (payload),
 *  "wire_bytes_c2s","wire_bytes_s2c" (frames),"client_options",
 *  "server_options":{"mss","wscale","sack_perm","ts"},
 *  "analysis":{flag:count…},"stalls":N (Nagle + delayed ACK),
 *  "stall_side","stall_max_ms" (with stalls),
 *  under stream analysis: "framing_c2s","framing_s2c":"u32le"|null,
 *  "messages","merged_segments","split_messages" (both directions),
 *  "flow":{"c2s"|"s2c":{"framing","how","confirm","runner_up",
 *   "messages","incomplete","data_segments","merged_segments",
 *   "max_msgs_per_segment","split_messages","max_segments_per_message",
 *   "offload_segments","framing_errors","resyncs","bytes","gaps",
 *   "gap_bytes","conflicts","retrans_bytes","ooo_segments"}},
 *  "end":"end"|"closed"|"idle"|"evicted"|"reused"}
 *
 * {"type":"summary","packets":…,"bytes_captured":…,"bytes_wire":…,
 *  "first_ts":"…Z"|null,"last_ts":"…Z"|null,"duration":1.5,
 *  "linktype":1,"linktype_name":"EN10MB",
 *  "layers":{"link":…,"vlan":…,"arp":…, every layer by nl_layer_name()},
 *  "truncated":{"tcp":1, layers with a count,"packets":1},
 *  "malformed":{…,"packets":0},
 *  "undecoded":0,"other_network":0,"ip_fragments":0,
 *  "eth_undersize":0,"eth_oversize":0,
 *  "checksums":{"bad":0,"offload":0},
 *  "arp":{"requests","replies","gratuitous","probes","unanswered",
 *         "mac_changes","conflicts","table_full","entries","cap",
 *         "table":[{"ip":"…","mac":"…","vendor":…|null,"first_frame":1,
 *                   "last_frame":9,"changes":0}]} (when ARP tracking is on),
 *  "tcp":{"conns","midstream","reused","idle","evicted","closed","peak",
 *         "cap",
 *         "analysis":{flag:count…}} (when tracking is on),
 *  "flows":{"analysed","not_analysed" (flow table full),"messages",
 *           "incomplete","merged_segments","split_messages",
 *           "offload_segments","detect_fallbacks","active","peak","cap",
 *           "entry_bytes","pool":{"chunk_size","chunks","in_use","peak",
 *           "stream_cap","cap_hits","global_hits"}} (stream analysis on),
 *  "udp":{"flows","datagrams","untracked","list":[{"id","a","b",
 *          "dgrams_ab","dgrams_ba","bytes_ab","bytes_ba"}]} (the first 1000),
 *  "capture":{"received":…,"dropped":…,"ifdropped":…} (live only),
 *  "file_truncated_offset":N (only when the file ended mid-record)}
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common.h"
#include "jsonw.h"
#include "netlab/escape.h"
#include "netlab/oui.h"
#include "netlab/report.h"

/* UDP flows listed in the summary object (all are counted) */
#define UDP_FLOWS_LISTED 1000

struct json_sink {
	struct nl_outbuf *o;
	struct nl_report_opts opts;
};


static void jtime(struct jw *w, const char *k, size_t kn,
		  const struct nl_time *t)
{
	jw_key(w, k, kn);
	nl_out_char(w->o, '"');
	nl_time_write_iso(w->o, t);
	nl_out_char(w->o, '"');
}

/* Only the vendor: broadcast/multicast/local/zero are plain in the
 * address (and 00:00:00:00:00:00 is loopback's, not Xerox's). */
static const char *vendor(const struct json_sink *s, const uint8_t mac[6])
{
	if (!s->opts.oui || nl_mac_is_group(mac) || nl_mac_is_local(mac) ||
	    !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return NULL;
	return nl_oui_lookup(s->opts.oui, mac);
}

static void jcsum(struct jw *w, uint16_t have, uint8_t status, uint16_t want)
{
	static const char *const names[NL_CSUM_COUNT] = {
	    "unchecked", "ok", "bad", "offload", "absent", "unverified",
	};
	ju(w, JK("csum"), have);
	js(w, JK("checksum"),
	   status < NL_CSUM_COUNT ? names[status] : "unchecked");
	if (status == NL_CSUM_BAD)
		ju(w, JK("csum_want"), want);
}

static void eth_obj(struct json_sink *s, struct jw *w, const struct nl_link *l)
{
	jw_open(w, JK("eth"), '{');
	jmac(w, JK("src"), l->src);
	jmac(w, JK("dst"), l->dst);
	js(w, JK("src_vendor"), vendor(s, l->src));
	js(w, JK("dst_vendor"), vendor(s, l->dst));
	ju(w, JK("ethertype"), l->ethertype);
	ju(w, JK("type_len"), l->type_len);
	jb(w, JK("ieee8023"), l->is_8023);
	ju(w, JK("frame_len"), l->wire_frame_len);
	jb(w, JK("fcs_absent"), l->fcs_absent);
	jb(w, JK("undersize"), l->undersize);
	jb(w, JK("oversize"), l->oversize);
	jw_close(w, '}');
	if (!l->n_vlan)
		return;
	jw_open(w, JK("vlan"), '[');
	for (unsigned i = 0; i < l->n_vlan && i < NL_MAX_VLAN; i++) {
		jw_open(w, JK_ELEM, '{');
		ju(w, JK("vid"), l->vlan[i].vid);
		ju(w, JK("pcp"), l->vlan[i].pcp);
		jb(w, JK("dei"), l->vlan[i].dei);
		ju(w, JK("tpid"), l->vlan[i].tpid);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void link_obj(struct json_sink *s, struct jw *w,
		     const struct nl_packet *pkt)
{
	const struct nl_link *l = &pkt->link;
	if (l->kind == NL_LINK_UNKNOWN || l->kind >= NL_LINK_KIND_COUNT) {
		jb(w, JK("undecoded"), true);
		return;
	}
	if (!NL_HAS(pkt, NL_L_LINK))
		return;
	switch (l->kind) {
	case NL_LINK_ETHERNET:
		eth_obj(s, w, l);
		break;
	case NL_LINK_SLL:
	case NL_LINK_SLL2:
		jw_open(w, JK("sll"), '{');
		ju(w, JK("version"), l->kind == NL_LINK_SLL2 ? 2 : 1);
		ju(w, JK("pkttype"), l->sll_pkttype);
		js(w, JK("direction"), nl_report_pkttype(l->sll_pkttype));
		ju(w, JK("hatype"), l->sll_hatype);
		jhexaddr(w, JK("addr"), l->sll_addr,
			 l->sll_halen < 8 ? l->sll_halen : 8);
		ju(w, JK("ethertype"), l->ethertype);
		if (l->kind == NL_LINK_SLL2)
			ju(w, JK("ifindex"), l->sll_ifindex);
		jw_close(w, '}');
		break;
	case NL_LINK_NULL:
		jw_open(w, JK("null"), '{');
		ju(w, JK("family"), l->null_family);
		jw_close(w, '}');
		break;
	default:
		break;
	}
}

static void arp_obj(struct jw *w, const struct nl_arp *a)
{
	static const char *const kinds[NL_ARP_KIND_COUNT] = {
	    "request", "reply", "gratuitous", "probe", "other",
	};
	jw_open(w, JK("arp"), '{');
	ju(w, JK("op"), a->op);
	js(w, JK("op_name"), nl_report_name(nl_arp_op_name(a->op)));
	js(w, JK("kind"),
	   a->kind < NL_ARP_KIND_COUNT ? kinds[a->kind] : "other");
	ju(w, JK("htype"), a->htype);
	ju(w, JK("ptype"), a->ptype);
	ju(w, JK("hlen"), a->hlen);
	ju(w, JK("plen"), a->plen);
	if (a->eth_ipv4) {
		jmac(w, JK("sha"), a->sha);
		jip4(w, JK("spa"), a->spa);
		jmac(w, JK("tha"), a->tha);
		jip4(w, JK("tpa"), a->tpa);
	} else {
		jhexaddr(w, JK("sha"), a->sha_p, a->hlen);
		jhexaddr(w, JK("spa"), a->spa_p, a->plen);
		jhexaddr(w, JK("tha"), a->tha_p, a->hlen);
		jhexaddr(w, JK("tpa"), a->tpa_p, a->plen);
	}
	jw_close(w, '}');
}

static void ipv4_obj(struct jw *w, const struct nl_packet *pkt)
{
	const struct nl_ipv4 *ip = &pkt->ip4;
	jw_open(w, JK("ip"), '{');
	jaddr(w, JK("src"), &pkt->src);
	jaddr(w, JK("dst"), &pkt->dst);
	ju(w, JK("ttl"), ip->ttl);
	ju(w, JK("id"), ip->id);
	ju(w, JK("tos"), ip->tos);
	jb(w, JK("rf"), ip->rf);
	jb(w, JK("df"), ip->df);
	jb(w, JK("mf"), ip->mf);
	ju(w, JK("frag_off"), ip->frag_off);
	ju(w, JK("proto"), ip->proto);
	ju(w, JK("hdr_len"), ip->ihl);
	ju(w, JK("total_len"), ip->tot_len);
	ju(w, JK("opt_len"), ip->opt_len);
	jcsum(w, ip->csum, ip->csum_status, ip->csum_want);
	jw_close(w, '}');
}

static void ipv6_obj(struct jw *w, const struct nl_packet *pkt)
{
	const struct nl_ipv6 *ip = &pkt->ip6;
	jw_open(w, JK("ipv6"), '{');
	jaddr(w, JK("src"), &pkt->src);
	jaddr(w, JK("dst"), &pkt->dst);
	ju(w, JK("hlim"), ip->hlim);
	ju(w, JK("tclass"), ip->tclass);
	ju(w, JK("flow"), ip->flow);
	ju(w, JK("plen"), ip->plen);
	ju(w, JK("next"), ip->next);
	jw_open(w, JK("ext"), '[');
	for (unsigned i = 0; i < ip->n_ext && i < NL_MAX_IPV6_EXT; i++)
		ju(w, JK_ELEM, ip->ext[i]);
	jw_close(w, ']');
	ju(w, JK("ext_len"), ip->ext_len);
	if (ip->jumbo_len)
		ju(w, JK("jumbo_len"), ip->jumbo_len);
	if (ip->frag) {
		jw_open(w, JK("frag"), '{');
		ju(w, JK("id"), ip->frag_id);
		ju(w, JK("off"), ip->frag_off);
		jb(w, JK("more"), ip->frag_more);
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

static void icmp_obj(struct jw *w, const struct nl_icmp *ic)
{
	if (ic->v6)
		jw_open(w, JK("icmpv6"), '{');
	else
		jw_open(w, JK("icmp"), '{');
	ju(w, JK("type"), ic->type);
	ju(w, JK("code"), ic->code);
	js(w, JK("type_name"),
	   nl_report_name(nl_icmp_type_name(ic->v6, ic->type)));
	js(w, JK("code_name"),
	   nl_report_name(nl_icmp_code_name(ic->v6, ic->type, ic->code)));
	jcsum(w, ic->csum, ic->csum_status, ic->csum_want);
	if (nl_report_icmp_is_echo(ic)) {
		ju(w, JK("id"), ic->id);
		ju(w, JK("seq"), ic->seq);
	}
	if (nl_report_icmp_has_mtu(ic))
		ju(w, JK("mtu"), ic->mtu);
	if (nl_report_icmp_is_redirect(ic))
		jip4(w, JK("gateway"), ic->gateway);
	if (ic->has_target) {
		struct nl_addr t = {.family = 6};
		memcpy(t.b, ic->target, 16);
		jaddr(w, JK("target"), &t);
	}
	if (ic->has_quote) {
		jw_open(w, JK("quote"), '{');
		ju(w, JK("proto"), ic->quote_proto);
		jaddr(w, JK("src"), &ic->quote_src);
		jaddr(w, JK("dst"), &ic->quote_dst);
		/* zero ports: the quote stopped before the transport header */
		if ((ic->quote_proto == NL_IPPROTO_TCP ||
		     ic->quote_proto == NL_IPPROTO_UDP) &&
		    (ic->quote_sport || ic->quote_dport)) {
			ju(w, JK("sport"), ic->quote_sport);
			ju(w, JK("dport"), ic->quote_dport);
		}
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

static const char *tcp_opt_name(uint8_t k)
{
	switch (k) {
	case NL_TCPOPT_EOL:
		return "eol";
	case NL_TCPOPT_NOP:
		return "nop";
	case NL_TCPOPT_MSS:
		return "mss";
	case NL_TCPOPT_WSCALE:
		return "ws";
	case NL_TCPOPT_SACK_PERM:
		return "sack_perm";
	case NL_TCPOPT_SACK:
		return "sack";
	case NL_TCPOPT_TIMESTAMP:
		return "ts";
	case NL_TCPOPT_MPTCP:
		return "mptcp";
	case NL_TCPOPT_FASTOPEN:
		return "tfo";
	}
	return NULL;
}

static void tcp_options(struct jw *w, const struct nl_tcp *t)
{
	jw_open(w, JK("options"), '{');
	jw_open(w, JK("list"), '[');
	for (unsigned i = 0; i < t->n_opts && i < NL_MAX_TCP_OPTS; i++) {
		const char *n = tcp_opt_name(t->opt_kind[i]);
		if (n) {
			js(w, JK_ELEM, n);
		} else {
			jw_key(w, JK_ELEM);
			nl_out_str(w->o, "\"opt-");
			nl_out_u64(w->o, t->opt_kind[i]);
			nl_out_char(w->o, '"');
		}
	}
	jw_close(w, ']');
	if (t->has_mss)
		ju(w, JK("mss"), t->mss);
	if (t->has_wscale)
		ju(w, JK("wscale"), t->wscale);
	if (t->sack_perm)
		jb(w, JK("sack_perm"), true);
	if (t->has_ts) {
		jw_open(w, JK("ts"), '[');
		ju(w, JK_ELEM, t->ts_val);
		ju(w, JK_ELEM, t->ts_ecr);
		jw_close(w, ']');
	}
	if (t->n_sack) {
		jw_open(w, JK("sack"), '[');
		for (unsigned i = 0; i < t->n_sack && i < NL_MAX_TCP_SACK;
		     i++) {
			jw_open(w, JK_ELEM, '[');
			ju(w, JK_ELEM, t->sack[i].left);
			ju(w, JK_ELEM, t->sack[i].right);
			jw_close(w, ']');
		}
		jw_close(w, ']');
	}
	jw_close(w, '}');
}

static void tcp_obj(struct jw *w, const struct nl_packet *pkt)
{
	const struct nl_tcp *t = &pkt->tcp;
	jw_open(w, JK("tcp"), '{');
	ju(w, JK("sport"), t->sport);
	ju(w, JK("dport"), t->dport);
	ju(w, JK("seq"), t->seq);
	ju(w, JK("ack"), t->ack);
	jw_open(w, JK("flags"), '[');
	for (unsigned i = 0; i < NL_REPORT_TCP_FLAGS; i++)
		if (t->flags & (1u << i))
			js(w, JK_ELEM, nl_report_tcp_flag(i));
	jw_close(w, ']');
	ju(w, JK("flags_raw"), t->flags);
	ju(w, JK("win"), t->win);
	ju(w, JK("hdr_len"), t->doff);
	ju(w, JK("urg"), t->urg);
	ju(w, JK("len"), pkt->payload_len);
	jcsum(w, t->csum, t->csum_status, t->csum_want);
	if (t->n_opts)
		tcp_options(w, t);
	jw_close(w, '}');
}

static void udp_obj(struct jw *w, const struct nl_packet *pkt)
{
	const struct nl_udp *u = &pkt->udp;
	jw_open(w, JK("udp"), '{');
	ju(w, JK("sport"), u->sport);
	ju(w, JK("dport"), u->dport);
	ju(w, JK("len"), u->len);
	ju(w, JK("payload_len"), pkt->payload_len);
	jcsum(w, u->csum, u->csum_status, u->csum_want);
	jw_close(w, '}');
}

static void anomalies(struct jw *w, const struct nl_packet *pkt, uint8_t kind)
{
	unsigned n =
	    pkt->n_anom < NL_MAX_ANOMALIES ? pkt->n_anom : NL_MAX_ANOMALIES;
	bool open = false;
	for (unsigned i = 0; i < n; i++) {
		const struct nl_anomaly *a = &pkt->anom[i];
		if (a->kind != kind || a->layer >= NL_LAYER_COUNT)
			continue;
		if (!open) {
			if (kind == NL_ANOM_MALFORMED)
				jw_open(w, JK("malformed"), '[');
			else
				jw_open(w, JK("truncated"), '[');
		}
		open = true;
		jw_open(w, JK_ELEM, '{');
		js(w, JK("layer"), nl_layer_name(a->layer));
		js(w, JK("what"), a->what);
		jw_close(w, '}');
	}
	if (open)
		jw_close(w, ']');
}

static void on_packet(struct json_sink *s, const struct nl_event *ev)
{
	const struct nl_packet *pkt = ev->pkt;
	const struct nl_tcp_note *n = ev->tcp;
	const struct nl_segmap *map = ev->segmap;
	struct jw w = {.o = s->o};
	w.first[0] = true;
	jw_open(&w, JK_ELEM, '{');
	js(&w, JK("type"), "packet");
	ju(&w, JK("frame"), pkt->frame);
	jtime(&w, JK("ts"), &pkt->ts);
	jw_key(&w, JK("ts_epoch"));
	nl_time_write_epoch(s->o, &pkt->ts);
	ju(&w, JK("caplen"), pkt->caplen);
	ju(&w, JK("len"), pkt->len);
	link_obj(s, &w, pkt);
	if (NL_HAS(pkt, NL_L_ARP))
		arp_obj(&w, &pkt->arp);
	if (NL_HAS(pkt, NL_L_IPV4))
		ipv4_obj(&w, pkt);
	if (NL_HAS(pkt, NL_L_IPV6))
		ipv6_obj(&w, pkt);
	if (pkt->ip_fragment)
		jb(&w, JK("fragment"), true);
	if (pkt->ip_later_fragment)
		jb(&w, JK("later_fragment"), true);
	if (NL_HAS(pkt, NL_L_ICMP) || NL_HAS(pkt, NL_L_ICMPV6))
		icmp_obj(&w, &pkt->icmp);
	if (NL_HAS(pkt, NL_L_TCP))
		tcp_obj(&w, pkt);
	if (NL_HAS(pkt, NL_L_UDP))
		udp_obj(&w, pkt);
	if (n)
		nl_json_tcp_note(&w, n);
	if (NL_HAS(pkt, NL_L_TCP) || NL_HAS(pkt, NL_L_UDP)) {
		ju(&w, JK("payload_len"), pkt->payload_len);
		ju(&w, JK("payload_caplen"), pkt->payload_caplen);
	}
	if (map)
		nl_json_segmap_fields(&w, map);
	if (ev->udp)
		nl_json_udp_dgram(&w, ev->udp, ev->udp_dir, ev->udp_index);
	if (ev->app && ev->app->n_sends)
		nl_json_app_map(&w, ev->app);
	anomalies(&w, pkt, NL_ANOM_TRUNCATED);
	anomalies(&w, pkt, NL_ANOM_MALFORMED);
	jw_close(&w, '}');
	nl_out_char(s->o, '\n');
}

static void on_notice(struct json_sink *s, const struct nl_event *ev)
{
	const struct nl_arp_notice *n = ev->u.arp;
	struct jw w = {.o = s->o};
	w.first[0] = true;
	jw_open(&w, JK_ELEM, '{');
	js(&w, JK("type"), "arp_notice");
	js(&w, JK("kind"),
	   n->kind == NL_ARP_NOTICE_CONFLICT ? "conflict" : "mac_changed");
	if (ev->pkt)
		ju(&w, JK("frame"), ev->pkt->frame);
	jip4(&w, JK("ip"), n->ip);
	jmac(&w, JK("old_mac"), n->old_mac);
	js(&w, JK("old_vendor"), vendor(s, n->old_mac));
	ju(&w, JK("old_frame"), n->old_frame);
	jmac(&w, JK("new_mac"), n->new_mac);
	js(&w, JK("new_vendor"), vendor(s, n->new_mac));
	ju(&w, JK("new_frame"), n->new_frame);
	jw_close(&w, '}');
	nl_out_char(s->o, '\n');
}

static void per_layer(struct jw *w, const char *k, size_t kn, const uint64_t *v,
		      bool all, uint64_t packets)
{
	jw_open(w, k, kn, '{');
	for (unsigned l = 0; l < NL_LAYER_COUNT; l++) {
		if (!all && !v[l])
			continue;
		jw_dkey(w, nl_layer_name((enum nl_layer)l));
		nl_out_u64(w->o, v[l]);
	}
	if (!all)
		ju(w, JK("packets"), packets);
	jw_close(w, '}');
}

static void arp_summary(struct json_sink *s, struct jw *w,
			const struct nl_arp_table *t)
{
	struct nl_arp_counts c;
	nl_arptable_counts(t, &c);
	jw_open(w, JK("arp"), '{');
	ju(w, JK("requests"), c.requests);
	ju(w, JK("replies"), c.replies);
	ju(w, JK("gratuitous"), c.gratuitous);
	ju(w, JK("probes"), c.probes);
	ju(w, JK("unanswered"), c.unanswered);
	ju(w, JK("mac_changes"), c.mac_changes);
	ju(w, JK("conflicts"), c.conflicts);
	ju(w, JK("table_full"), c.table_full);
	ju(w, JK("entries"), c.entries);
	ju(w, JK("cap"), c.cap);
	/* once, at the end of the run: an allocation here is fine */
	const struct nl_arp_entry **e =
	    c.entries ? calloc(c.entries, sizeof(*e)) : NULL;
	uint32_t n = e ? nl_arptable_entries(t, e, c.entries) : 0;
	jw_open(w, JK("table"), '[');
	for (uint32_t i = 0; i < n; i++) {
		jw_open(w, JK_ELEM, '{');
		jip4(w, JK("ip"), e[i]->ip);
		jmac(w, JK("mac"), e[i]->mac);
		js(w, JK("vendor"), vendor(s, e[i]->mac));
		ju(w, JK("first_frame"), e[i]->first_frame);
		ju(w, JK("last_frame"), e[i]->last_frame);
		ju(w, JK("changes"), e[i]->changes);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	free(e);
	jw_close(w, '}');
}

static void on_summary(struct json_sink *s, const struct nl_summary *sum)
{
	const struct nl_stats *st = sum->stats;
	struct jw w = {.o = s->o};
	w.first[0] = true;
	jw_open(&w, JK_ELEM, '{');
	js(&w, JK("type"), "summary");
	if (st) {
		ju(&w, JK("packets"), st->packets);
		ju(&w, JK("bytes_captured"), st->bytes_captured);
		ju(&w, JK("bytes_wire"), st->bytes_wire);
		if (st->packets) {
			jtime(&w, JK("first_ts"), &st->first_ts);
			jtime(&w, JK("last_ts"), &st->last_ts);
			jw_key(&w, JK("duration"));
			struct nl_time d = st->last_ts;
			d.sec -= st->first_ts.sec;
			if (d.nsec < st->first_ts.nsec) {
				d.sec--;
				d.nsec += 1000000000;
			}
			d.nsec -= st->first_ts.nsec;
			nl_time_write_epoch(s->o, &d);
		} else {
			js(&w, JK("first_ts"), NULL);
			js(&w, JK("last_ts"), NULL);
			ju(&w, JK("duration"), 0);
		}
	}
	ju(&w, JK("linktype"), sum->dlt);
	js(&w, JK("linktype_name"), nl_linktype_name(sum->dlt));
	if (st) {
		per_layer(&w, JK("layers"), st->layer, true, 0);
		per_layer(&w, JK("truncated"), st->truncated, false,
			  st->truncated_packets);
		per_layer(&w, JK("malformed"), st->malformed, false,
			  st->malformed_packets);
		ju(&w, JK("undecoded"), st->undecoded);
		ju(&w, JK("other_network"), st->other_network);
		ju(&w, JK("ip_fragments"), st->ip_fragments);
		ju(&w, JK("eth_undersize"), st->eth_undersize);
		ju(&w, JK("eth_oversize"), st->eth_oversize);
		jw_open(&w, JK("checksums"), '{');
		ju(&w, JK("bad"), st->csum_bad);
		ju(&w, JK("offload"), st->csum_offload);
		jw_close(&w, '}');
	}
	if (sum->arp)
		arp_summary(s, &w, sum->arp);
	if (sum->conns)
		nl_json_tcp_summary(&w, sum->conns);
	if (sum->flows)
		nl_json_flow_summary(&w, sum->flows);
	if (sum->udp)
		nl_json_udp_flows(&w, sum->udp, UDP_FLOWS_LISTED);
	if (st && st->live) {
		jw_open(&w, JK("capture"), '{');
		ju(&w, JK("received"), st->pcap_received);
		ju(&w, JK("dropped"), st->pcap_dropped);
		ju(&w, JK("ifdropped"), st->pcap_ifdropped);
		jw_close(&w, '}');
	}
	if (sum->file_truncated)
		ju(&w, JK("file_truncated_offset"), sum->file_truncated_offset);
	jw_close(&w, '}');
	nl_out_char(s->o, '\n');
}

static void json_event(void *self, const struct nl_event *ev)
{
	struct json_sink *s = self;
	switch (ev->type) {
	case NL_EV_PACKET:
		if (ev->pkt)
			on_packet(s, ev);
		break;
	case NL_EV_CONN_END:
		if (s->opts.conns && ev->u.conn_end)
			nl_json_conn(s->o, ev->u.conn_end->conn,
				     ev->u.conn_end->why, ev->u.conn_end->flow);
		break;
	case NL_EV_ARP_NOTICE:
		if (ev->u.arp)
			on_notice(s, ev);
		break;
	case NL_EV_SUMMARY:
		if (ev->u.summary)
			on_summary(s, ev->u.summary);
		break;
	/* each object stands alone: printed as they arrive */
	case NL_EV_MESSAGE:
		if (ev->u.message)
			nl_json_message(s->o, ev->u.message);
		break;
	case NL_EV_SEGMAP:
		if (ev->u.segmap)
			nl_json_segmap(s->o, ev->u.segmap);
		break;
	case NL_EV_FLOW_NOTE:
		if (ev->u.note)
			nl_json_note(s->o, ev->u.note);
		break;
	case NL_EV_APP:
		if (ev->u.app)
			nl_json_app_rec(s->o, ev->u.app);
		break;
	case NL_EV_FLOW_DATA:
	case NL_EV_COUNT:
		break;
	}
}

static void json_close(void *self)
{
	struct json_sink *s = self;
	(void)nl_out_flush(s->o);
	free(s);
}

static const struct nl_sink_ops json_ops = {
    .name = "json",
    .on_event = json_event,
    .close = json_close,
};

enum nl_status nl_sink_json_new(struct nl_sink *out, struct nl_outbuf *o,
				const struct nl_report_opts *opts)
{
	struct json_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	s->o = o;
	s->opts = *opts;
	out->ops = &json_ops;
	out->self = s;
	return NL_OK;
}
