/* A socket of a SOCKET record in words, for the library's warnings and
 * myrestart's messages and --info: "TCP listener on 127.0.0.1:8765",
 * "TCP connection 127.0.0.1:40112 -> 127.0.0.1:8765", "UNIX stream
 * listener on /run/app.sock", "UDP socket on [::]:5353". */
#ifndef CKPT_SOCKNAME_H
#define CKPT_SOCKNAME_H

#include "out.h"
#include "image.h"

#define AF_INET      2
#define AF_INET6     10
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17

/* an address as getsockname gave it (len 0 or 2: unnamed) */
void out_sockaddr(struct out *o, __u32 family, const __u8 *a, __u32 len);
/* what the socket is: protocol, state, addresses */
void out_sock(struct out *o, const struct ckpt_sock *s);

#endif
