/* See sockname.h. */
#include "sockname.h"

/* IPv6 as RFC 5952 writes it: the longest run of two or more zero
 * groups (the first such) as "::" */
static void out_in6(struct out *o, const __u8 *a)
{
	unsigned g[8], best = 0, at = 8;

	for (unsigned i = 0; i < 8; i++)
		g[i] = a[2 * i] << 8 | a[2 * i + 1];
	for (unsigned i = 0, n; i < 8; i += n ? n : 1) {
		for (n = 0; i + n < 8 && !g[i + n]; n++)
			;
		if (n > best && n > 1)
			best = n, at = i;
	}
	for (unsigned i = 0; i < 8; i++) {
		if (i == at) {
			out_str(o, "::");
			i += best - 1;
			continue;
		}
		if (i && i != at + best)
			out_chr(o, ':');
		out_hex(o, g[i], 0);
	}
}

void out_sockaddr(struct out *o, __u32 family, const __u8 *a, __u32 len)
{
	if (family == AF_INET && len >= 8) {
		for (int i = 4; i < 8; i++) {
			out_u64(o, a[i]);
			out_chr(o, i < 7 ? '.' : ':');
		}
		out_u64(o, a[2] << 8 | a[3]);
	} else if (family == AF_INET6 && len >= 24) {
		out_chr(o, '[');
		out_in6(o, a + 8);
		out_str(o, "]:");
		out_u64(o, a[2] << 8 | a[3]);
	} else if (family == AF_UNIX && len > 2) {
		/* an abstract name starts with a NUL: written @name */
		out_chr(o, a[2] ? a[2] : '@');
		for (unsigned i = 3; i < len && (a[i] || !a[2]); i++)
			out_chr(o, a[i] >= ' ' && a[i] < 127 ? a[i] : '?');
	} else {
		out_str(o, "(unnamed)");
	}
}

void out_sock(struct out *o, const struct ckpt_sock *s)
{
	static const char types[] = "?\0stream\0datagram\0?\0?\0seqpacket";
	static const char what[] = "?\0socket\0socket on\0listener on\0connection\0connection";

	if (s->family == AF_UNIX)
		outf(o, "UNIX %s ", nth_str(types, s->type <= 5 ? s->type : 0));
	else
		outf(o, "%s ", s->type == SOCK_STREAM ? "TCP" : "UDP");
	if (s->state == CKPT_SS_CONNECTED && s->type == SOCK_DGRAM)
		out_str(o, "socket");
	else
		out_str(o, nth_str(what, s->state <= CKPT_SS_MAX ? s->state : 0));
	if (s->state == CKPT_SS_UNBOUND)
		return;
	out_chr(o, ' ');
	out_sockaddr(o, s->family, s->local, s->local_len);
	if (s->state == CKPT_SS_CLOSED)
		out_str(o, " (ended)");
	if (s->state == CKPT_SS_CONNECTED) {
		out_str(o, " -> ");
		out_sockaddr(o, s->family, s->peer, s->peer_len);
	}
}
