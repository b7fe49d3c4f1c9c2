// SPDX-License-Identifier: GPL-2.0
/* netmon-capture's BPF side: counts the L4 payload of every TCP and UDP packet per socket (and, for
 * UDP, per peer), remembers which process uses each socket, and passes up the first bytes of the few
 * packets that name a destination (DNS answers, TLS ClientHellos, QUIC Initials).
 *
 * Why it is built this way:
 * - cgroup_skb on the root cgroup v2 sees every packet of every socket, with the socket (its cookie),
 *   including merged offload packets before segmentation (egress) and after GRO (ingress): skb->len is
 *   the whole packet from the IP header, so payload = len - IP header - L4 header is exact even at 64 KB.
 * - The owner cannot be read from a packet (egress may run in softirq, in no process's context), so the
 *   socket hooks, which run in the calling task, record it: creation, connect, sendmsg/recvmsg with an
 *   address (a socket passed to another process belongs to whoever uses it), and release.
 * - Only sockets of one network namespace (the loader's, set before load) are reported. Packet hooks ask
 *   bpf_get_netns_cookie(skb), which recent kernels only allow there; on older ones the loader clears
 *   skb_netns_helper (the verifier then skips that call as dead code) and the socket hooks instead mark
 *   the sockets they see in other namespaces as foreign: a socket of another namespace not seen in use
 *   since we started is counted, an imprecision only of those kernels.
 * - Packets without payload (pure ACKs, a FIN after close) are not counted: a closed socket's key, once
 *   the loader has reported and deleted it, is not brought back to life by them.
 * - Every program returns 1: we observe and never filter. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "capture.h"

char LICENSE[] SEC("license") = "GPL";

/* The namespace whose sockets are reported (SO_NETNS_COOKIE of the loader); 0: all. */
const volatile __u64 target_netns = 0;
/* Whether this kernel lets packet hooks call bpf_get_netns_cookie (set by the loader). */
const volatile __u8 skb_netns_helper = 1;

/* Allocated as keys come (not preallocated): the table costs memory only for what is counted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, NM_MAX_FLOWS);
	__type(key, struct nm_flow_key);
	__type(value, struct nm_flow_val);
} flows SEC(".maps");

/* LRU: when full, forgetting the owner of the oldest socket beats not recording new ones. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NM_MAX_OWNERS);
	__type(key, __u64);
	__type(value, struct nm_owner);
} owners SEC(".maps");

/* Per-peer UDP keys each socket holds (the loader recounts them every snapshot; see capture.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NM_MAX_OWNERS);
	__type(key, __u64);
	__type(value, __u32);
} udp_peers SEC(".maps");

/* Without skb_netns_helper: sockets seen in use in another namespace. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NM_MAX_OWNERS);
	__type(key, __u64);
	__type(value, __u8);
} foreign SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NM_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, NM_RINGBUF_BYTES);
} events SEC(".maps");

/* An event is built here (too big for the stack), then copied into the ring buffer at its real size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nm_event);
} scratch SEC(".maps");

static __always_inline void stat_add(__u32 which, __u64 n)
{
	__u64 *slot = bpf_map_lookup_elem(&stats, &which);
	if (slot)
		*slot += n; /* per-CPU: no other writer */
}

static __always_inline int wanted_netns(__u64 netns)
{
	return target_netns == 0 || netns == target_netns;
}

/* Copies the payload start [off, off+n) into an event and queues it. n is clamped to what fits. */
static __always_inline void emit(struct __sk_buff *skb, const struct nm_flow_key *key, __u32 off, __u32 n,
				 __u32 len, __u32 seq, __u8 direction, __u8 kind, __u32 cap)
{
	__u32 zero = 0;
	struct nm_event *e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return;
	if (n > cap)
		n = cap;
	/* The verifier needs a length it can bound where the copy happens: a 64-bit value, checked last. */
	__u64 size = n;
	asm volatile("" : "+r"(size));
	if (size == 0 || size > NM_TLS_STREAM_BYTES)
		return;
	__builtin_memcpy(&e->hdr.key, key, sizeof(*key));
	e->hdr.ts_ns = bpf_ktime_get_ns();
	e->hdr.len = len;
	e->hdr.caplen = (__u32)size;
	e->hdr.tcp_seq = seq;
	e->hdr.direction = direction;
	e->hdr.kind = kind;
	if (bpf_skb_load_bytes(skb, off, e->data, size) != 0)
		return;
	if (bpf_ringbuf_output(&events, e, sizeof(struct nm_event_hdr) + size, 0) != 0)
		stat_add(NM_STAT_RINGBUF_DROP, 1);
}

/* In a socket hook: whether to follow this socket; a socket of another namespace is remembered as such. */
static __always_inline int ours(__u64 netns, __u64 cookie)
{
	if (wanted_netns(netns))
		return 1;
	if (!skb_netns_helper) {
		__u8 one = 1;
		bpf_map_update_elem(&foreign, &cookie, &one, BPF_ANY);
	}
	return 0;
}

static __always_inline int count(struct __sk_buff *skb, __u8 direction)
{
	if (target_netns != 0) {
		if (skb_netns_helper) {
			if (bpf_get_netns_cookie(skb) != target_netns)
				return 1;
		} else {
			__u64 c = bpf_get_socket_cookie(skb);
			if (bpf_map_lookup_elem(&foreign, &c))
				return 1;
		}
	}

	struct nm_flow_key key = {};
	__u32 l4 = 0;
	__u8 proto = 0;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) != 0)
			return 1;
		/* Reassembled before ingress, fragmented after egress: a fragment here would be odd. */
		if (ip.frag_off & bpf_htons(0x1fff))
			return 1;
		l4 = ip.ihl * 4;
		proto = ip.protocol;
		__u32 remote = direction == NM_OUT ? ip.daddr : ip.saddr;
		__builtin_memcpy(key.raddr, &remote, 4);
		key.family = 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) != 0)
			return 1;
		/* Extension headers are not followed: TCP and UDP directly after the header only. */
		l4 = sizeof(ip6);
		proto = ip6.nexthdr;
		if (direction == NM_OUT)
			__builtin_memcpy(key.raddr, &ip6.daddr, 16);
		else
			__builtin_memcpy(key.raddr, &ip6.saddr, 16);
		key.family = 6;
	} else {
		return 1;
	}

	__u32 hdr = 0;
	__u32 seq = 0;
	if (proto == IPPROTO_TCP) {
		struct tcphdr tcp;
		if (bpf_skb_load_bytes(skb, l4, &tcp, sizeof(tcp)) != 0)
			return 1;
		hdr = tcp.doff * 4;
		seq = bpf_ntohl(tcp.seq);
		key.rport = bpf_ntohs(direction == NM_OUT ? tcp.dest : tcp.source);
	} else if (proto == IPPROTO_UDP) {
		struct udphdr udp;
		if (bpf_skb_load_bytes(skb, l4, &udp, sizeof(udp)) != 0)
			return 1;
		hdr = sizeof(udp);
		key.rport = bpf_ntohs(direction == NM_OUT ? udp.dest : udp.source);
	} else {
		return 1;
	}
	if (skb->len <= l4 + hdr)
		return 1;
	__u32 payload = skb->len - l4 - hdr;
	__u32 start = l4 + hdr;
	key.proto = proto;
	key.cookie = bpf_get_socket_cookie(skb);

	struct nm_flow_val *v = bpf_map_lookup_elem(&flows, &key);
	__u8 other_peers = 0;
	__u32 *peers = 0;
	if (!v && proto == IPPROTO_UDP) {
		/* A new peer: past the socket's share of keys, its bytes go to the socket's "other peers" key. */
		peers = bpf_map_lookup_elem(&udp_peers, &key.cookie);
		if (peers && *peers >= NM_UDP_PEERS_PER_SOCKET) {
			__builtin_memset(key.raddr, 0, sizeof(key.raddr));
			key.rport = 0;
			other_peers = 1;
			v = bpf_map_lookup_elem(&flows, &key);
		}
	}
	if (!v) {
		struct nm_flow_val fresh = {};
		fresh.uid = bpf_get_socket_uid(skb);
		int inserted = bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST) == 0;
		if (!inserted && bpf_map_lookup_elem(&flows, &key) == 0) {
			stat_add(NM_STAT_FLOW_FULL, 1);
			stat_add(NM_STAT_FLOW_FULL_BYTES, payload);
			return 1;
		}
		if (inserted && proto == IPPROTO_UDP && !other_peers) {
			if (peers) {
				__sync_fetch_and_add(peers, 1);
			} else {
				__u32 one = 1;
				if (bpf_map_update_elem(&udp_peers, &key.cookie, &one, BPF_NOEXIST) != 0) {
					peers = bpf_map_lookup_elem(&udp_peers, &key.cookie);
					if (peers)
						__sync_fetch_and_add(peers, 1);
				}
			}
		}
		v = bpf_map_lookup_elem(&flows, &key);
		if (!v)
			return 1;
	}

	__u64 before_out = v->bytes_out;
	if (direction == NM_OUT) {
		__sync_fetch_and_add(&v->bytes_out, payload);
		__sync_fetch_and_add(&v->pkts_out, 1);
	} else {
		__sync_fetch_and_add(&v->bytes_in, payload);
		__sync_fetch_and_add(&v->pkts_in, 1);
	}
	v->last_ns = bpf_ktime_get_ns();

	/* Packet starts for naming; nothing else's payload ever leaves the kernel. The "other peers" key
	 * names nothing: its state (DNS queries pending, Initials seen) would be shared by every peer. */
	if (other_peers)
		return 1;
	__u8 first = 0;
	if (bpf_skb_load_bytes(skb, start, &first, 1) != 0)
		return 1;
	if (proto == IPPROTO_UDP) {
		if (direction == NM_OUT && key.rport == 53) {
			/* A query: the socket may now take one answer from this server. */
			if (v->dns_pending < NM_DNS_PENDING_MAX)
				v->dns_pending++;
		} else if (direction == NM_IN && key.rport == 53) {
			/* Only an answer this socket asked this server for names anything: a datagram from :53 to a
			 * socket that sent no query there (a spoofer on the LAN, to any open port) is counted, not read. */
			if (v->dns_pending > 0) {
				v->dns_pending--;
				emit(skb, &key, start, payload, payload, 0, NM_IN, NM_KIND_DNS, NM_DATAGRAM_BYTES);
			}
		} else if (direction == NM_OUT && ((first & 0xf0) == 0xc0 || (first & 0xf0) == 0xd0) &&
			   v->quic_initials < NM_QUIC_INITIALS_PER_FLOW) {
			__sync_fetch_and_add(&v->quic_initials, 1);
			emit(skb, &key, start, payload, payload, 0, NM_OUT, NM_KIND_QUIC, NM_DATAGRAM_BYTES);
		}
	} else if (direction == NM_OUT) {
		if (v->tls_state == NM_TLS_UNKNOWN) {
			/* The stream's first payload decides: a TLS handshake record holding a ClientHello (type 1),
			 * or never anything. Only that first record is passed up: what follows it (a TLS 1.2
			 * client's Certificate, application data) never leaves the kernel. */
			__u8 rec[6] = {};
			if (before_out == 0 && first == 0x16 && bpf_skb_load_bytes(skb, start, rec, sizeof(rec)) == 0 && rec[5] == 0x01) {
				__u32 end = 5 + (((__u32)rec[3] << 8) | rec[4]);
				v->tls_isn = seq;
				v->tls_end = end < NM_TLS_STREAM_BYTES ? end : NM_TLS_STREAM_BYTES;
				v->tls_state = NM_TLS_CAPTURING;
			} else {
				v->tls_state = NM_TLS_DONE;
			}
		}
		if (v->tls_state == NM_TLS_CAPTURING) {
			__u32 offset = seq - v->tls_isn; /* wraps correctly */
			__u32 end = v->tls_end;
			if (end > NM_TLS_STREAM_BYTES)
				end = NM_TLS_STREAM_BYTES;
			if (offset < end)
				emit(skb, &key, start, payload, payload, seq, NM_OUT, NM_KIND_TLS, end - offset);
			else if (offset < 0x80000000u)
				v->tls_state = NM_TLS_DONE;
		}
	}
	return 1;
}

SEC("cgroup_skb/ingress")
int count_ingress(struct __sk_buff *skb)
{
	return count(skb, NM_IN);
}

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
	return count(skb, NM_OUT);
}

/* Records the calling task as the socket's user. */
static __always_inline void own(__u64 cookie)
{
	struct nm_owner o = {};
	o.pid = bpf_get_current_pid_tgid() >> 32;
	o.uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(o.comm, sizeof(o.comm));
	struct nm_owner *old = bpf_map_lookup_elem(&owners, &cookie);
	if (old && old->pid == o.pid && old->released_ns == 0)
		return; /* the common case (every sendto of a UDP socket): nothing changed */
	if (bpf_map_update_elem(&owners, &cookie, &o, BPF_ANY) != 0)
		stat_add(NM_STAT_OWNER_FULL, 1);
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	if (!(sk->protocol == IPPROTO_TCP || sk->protocol == IPPROTO_UDP))
		return 1;
	__u64 cookie = bpf_get_socket_cookie(sk);
	if (ours(bpf_get_netns_cookie(sk), cookie))
		own(cookie);
	return 1;
}

SEC("cgroup/sock_release")
int sock_release(struct bpf_sock *sk)
{
	if (!(sk->protocol == IPPROTO_TCP || sk->protocol == IPPROTO_UDP))
		return 1;
	__u64 cookie = bpf_get_socket_cookie(sk);
	/* A foreign socket stays marked: an orphaned TCP socket still sends after close (LRU forgets it later). */
	if (!ours(bpf_get_netns_cookie(sk), cookie))
		return 1;
	struct nm_owner *o = bpf_map_lookup_elem(&owners, &cookie);
	if (o) {
		o->released_ns = bpf_ktime_get_ns();
		return 1;
	}
	/* A socket older than us: the closing task is the best owner we will ever know. */
	struct nm_owner fresh = {};
	fresh.pid = bpf_get_current_pid_tgid() >> 32;
	fresh.uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
	fresh.released_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&owners, &cookie, &fresh, BPF_ANY) != 0)
		stat_add(NM_STAT_OWNER_FULL, 1);
	return 1;
}

static __always_inline int addr_hook(struct bpf_sock_addr *ctx)
{
	__u64 cookie = bpf_get_socket_cookie(ctx);
	if (ours(bpf_get_netns_cookie(ctx), cookie))
		own(cookie);
	return 1;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx) { return addr_hook(ctx); }
SEC("cgroup/connect6")
int connect6(struct bpf_sock_addr *ctx) { return addr_hook(ctx); }
SEC("cgroup/sendmsg4")
int sendmsg4(struct bpf_sock_addr *ctx) { return addr_hook(ctx); }
SEC("cgroup/sendmsg6")
int sendmsg6(struct bpf_sock_addr *ctx) { return addr_hook(ctx); }
SEC("cgroup/recvmsg4")
int recvmsg4(struct bpf_sock_addr *ctx) { return addr_hook(ctx); }
SEC("cgroup/recvmsg6")
int recvmsg6(struct bpf_sock_addr *ctx) { return addr_hook(ctx); }
