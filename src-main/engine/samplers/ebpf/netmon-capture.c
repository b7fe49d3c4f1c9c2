/* netmon-capture: the privileged half of netmon's eBPF sampler. It loads netmon-capture.bpf.c, attaches
 * it to the root cgroup v2, and prints what it counted to stdout, one snapshot per interval. netmon itself
 * never runs as root: only this program needs rights (root, or file capabilities
 * cap_bpf,cap_net_admin,cap_perfmon set on it).
 *
 * Usage: netmon-capture [--interval-ms N | --on-request] [--cgroup PATH] [--all-netns]
 *   --interval-ms N  time between snapshots (default 1000, 50..600000)
 *   --on-request     a snapshot for each line read on stdin instead (netmon reads the interface counters
 *                    just before asking); a line starting with 'f' asks for a final one, which reports
 *                    every released socket as closed at once
 *   --cgroup PATH    the cgroup v2 to attach to (default: the cgroup2 mount found in /proc/mounts)
 *   --all-netns      report sockets of every network namespace (default: only this process's own)
 *   --check          loads the BPF programs without attaching them, prints "ok" and exits 0, or the
 *                    reason it cannot run here (on stderr) and exits 1
 *   --version        prints the protocol version and exits
 * It exits (detaching everything) on SIGTERM, SIGINT, SIGHUP, its parent's death, and end of file on
 * stdin when stdin is a pipe or socket. Errors: one line on stderr, exit status 1.
 *
 * Output protocol, version 1: text lines, fields separated by one TAB. First line:
 *   V  1  <netns cookie, decimal; 0 with --all-netns>  <interval ms; 0 with --on-request>
 * Then, per snapshot (and one last time at exit):
 *   S  <snapshot number>  <wall ms>  <monotonic ms>
 *   F  <flow>  live flow: cumulative counters since the helper first saw it
 *   C  <flow>  a key's final counters: a released socket's, or a UDP peer of an open socket quiet for
 *      10 s (NM_UDP_PEER_AGE_NS; if that peer comes back it is a new key counting from zero); the key is
 *      forgotten after this line. A UDP key with remote address 0.0.0.0 or :: and port 0 holds the bytes
 *      of the socket's peers past its first NM_UDP_PEERS_PER_SOCKET (see capture.h)
 *   P  <cookie>  <proto>  <family>  <remote address>  <remote port>  <dir in|out>  <kind dns|tls|quic>
 *      <wall ms>  <tcp seq or ->  <packet payload length>  <payload start, lower-case hex>
 *   E  <snapshot number>  <flow keys not inserted: map full>  <their bytes>  <owners not inserted>
 *      <packet starts lost>  <live flow keys>
 * where <flow> is
 *   <cookie hex>  <tcp|udp>  <4|6>  <remote address>  <remote port>  <bytes in>  <bytes out>  <packets in>
 *   <packets out>  <pid or 0>  <uid>  <comm, %XX-escaped: bytes < 0x20, 0x7f and '%'; - if unknown>
 * Bytes are L4 payload. A key is a socket cookie (as ss prints it) and, for UDP, the remote end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "capture.h"
#include "netmon-capture.skel.h"

#define PROTOCOL_VERSION 1
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif
/* A released socket is reported closed once it has been quiet this long: after close() the kernel may
 * still send what was queued (an orphaned TCP socket), and those bytes belong to the same flow. */
#define CLOSE_QUIET_NS (1500ULL * 1000 * 1000)
#define MAX_QUEUED_EVENTS 20000

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void fail(const char *fmt, ...)
{
	va_list ap;
	fputs("netmon-capture: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* libbpf's own warnings and the verifier log only with NETMON_CAPTURE_DEBUG set. */
	if (level == LIBBPF_DEBUG || getenv("NETMON_CAPTURE_DEBUG") == NULL)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *permission_hint(void)
{
	return "needs root or the file capabilities cap_bpf,cap_net_admin,cap_perfmon on this program "
	       "(sudo setcap cap_bpf,cap_net_admin,cap_perfmon+ep <path to netmon-capture>)";
}

/* The cgroup2 mount point, from a mounts table (prefix: where that table's paths are reachable from here). */
static int find_cgroup2_in(const char *table, const char *prefix, char *out, size_t size)
{
	FILE *f = fopen(table, "r");
	if (!f)
		return -1;
	char dev[256], dir[PATH_MAX], type[64];
	int found = -1;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, "cgroup2") == 0) {
			snprintf(out, size, "%s%s", prefix, dir);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Ours, or else init's: `ip netns exec` remounts /sys in a new mount namespace without the cgroup
 * mounts, but the root cgroup is the same one, reachable through /proc/1/root. */
static int find_cgroup2(char *out, size_t size)
{
	if (find_cgroup2_in("/proc/self/mounts", "", out, size) == 0)
		return 0;
	return find_cgroup2_in("/proc/1/mounts", "/proc/1/root", out, size);
}

/* Last resort (no cgroup2 mount we can reach, e.g. under `ip netns exec` where /proc/1/root is denied):
 * mount the hierarchy on a temporary folder, open it, and detach the mount at once. The open folder
 * keeps working; nothing stays mounted. Needs CAP_SYS_ADMIN (root). Returns an fd or -1. */
static int open_cgroup2_privately(void)
{
	char dir[] = "/tmp/netmon-cgroup2-XXXXXX";
	if (!mkdtemp(dir))
		return -1;
	int fd = -1;
	if (mount("none", dir, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		umount2(dir, MNT_DETACH);
	}
	rmdir(dir);
	return fd;
}

/* ---- packet starts, queued between snapshots ---- */

struct queued {
	struct nm_event_hdr hdr;
	uint8_t *data;
};

static struct queued *queue;
static size_t queued_count;
static uint64_t queue_overflow;

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct nm_event_hdr))
		return 0;
	const struct nm_event *e = data;
	size_t caplen = e->hdr.caplen;
	if (caplen > size - sizeof(struct nm_event_hdr))
		caplen = size - sizeof(struct nm_event_hdr);
	if (queued_count >= MAX_QUEUED_EVENTS) {
		queue_overflow++;
		return 0;
	}
	uint8_t *copy = malloc(caplen ? caplen : 1);
	if (!copy) {
		queue_overflow++;
		return 0;
	}
	memcpy(copy, e->data, caplen);
	queue[queued_count].hdr = e->hdr;
	queue[queued_count].hdr.caplen = (uint32_t)caplen;
	queue[queued_count].data = copy;
	queued_count++;
	return 0;
}

/* ---- output ---- */

static void print_address(const struct nm_flow_key *k)
{
	char text[INET6_ADDRSTRLEN];
	if (!inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->raddr, text, sizeof(text)))
		snprintf(text, sizeof(text), "?");
	fputs(text, stdout);
}

static void print_key(const struct nm_flow_key *k)
{
	printf("%" PRIx64 "\t%s\t%u\t", (uint64_t)k->cookie, k->proto == IPPROTO_TCP ? "tcp" : "udp", k->family);
	print_address(k);
	printf("\t%u", k->rport);
}

static void print_comm(const char *comm)
{
	if (comm[0] == '\0') {
		fputc('-', stdout);
		return;
	}
	for (int i = 0; i < 16 && comm[i] != '\0'; i++) {
		unsigned char c = (unsigned char)comm[i];
		if (c < 0x20 || c == 0x7f || c == '%')
			printf("%%%02X", c);
		else
			fputc(c, stdout);
	}
}

static void print_flow(char tag, const struct nm_flow_key *k, const struct nm_flow_val *v, const struct nm_owner *o)
{
	putchar(tag);
	putchar('\t');
	print_key(k);
	printf("\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%u\t%u\t", (uint64_t)v->bytes_in, (uint64_t)v->bytes_out,
	       (uint64_t)v->pkts_in, (uint64_t)v->pkts_out, o ? o->pid : 0, o ? o->uid : v->uid);
	print_comm(o ? o->comm : "");
	putchar('\n');
}

static uint64_t stat_sum(int fd, uint32_t which, int ncpu)
{
	uint64_t values[ncpu > 0 ? ncpu : 1];
	uint64_t sum = 0;
	if (bpf_map_lookup_elem(fd, &which, values) != 0)
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += values[i];
	return sum;
}

struct keybuf {
	struct nm_flow_key *keys;
	size_t n, cap;
};

static void keybuf_push(struct keybuf *b, const struct nm_flow_key *k)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct nm_flow_key *grown = realloc(b->keys, cap * sizeof(*grown));
		if (!grown)
			return; /* forgotten next time instead */
		b->keys = grown;
		b->cap = cap;
	}
	b->keys[b->n++] = *k;
}

static int is_udp_peer(const struct nm_flow_key *k)
{
	static const __u8 zero[16];
	return k->proto == IPPROTO_UDP && (k->rport != 0 || memcmp(k->raddr, zero, sizeof(zero)) != 0);
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Reports and deletes the UDP keys of open sockets that have been quiet too long (`aged`), reading each
 * one's final counters as it is deleted so no packet falls between the two; then sets each socket's
 * count of per-peer keys from what is left in the table (`live`). A packet that adds a peer while this
 * runs may go uncounted in udp_peers until the next snapshot: a socket then holds a few keys more than
 * its share, never a byte less. */
static void age_udp_peers(int flows_fd, int owners_fd, int peers_fd, const struct keybuf *aged, const struct keybuf *live)
{
	struct nm_flow_val v;
	struct nm_owner o;
	for (size_t i = 0; i < aged->n; i++) {
		const struct nm_flow_key *k = &aged->keys[i];
		if (bpf_map_lookup_and_delete_elem(flows_fd, k, &v) != 0) {
			if (errno == ENOENT || bpf_map_lookup_elem(flows_fd, k, &v) != 0)
				continue;
			bpf_map_delete_elem(flows_fd, k); /* kernels without lookup-and-delete on hash maps */
		}
		int known = bpf_map_lookup_elem(owners_fd, &k->cookie, &o) == 0;
		print_flow('C', k, &v, known ? &o : NULL);
	}

	static uint64_t *cookies;
	static size_t cap;
	size_t n = 0;
	if (cap < live->n) {
		uint64_t *grown = realloc(cookies, live->n * sizeof(*grown));
		if (!grown)
			return; /* recounted next time */
		cookies = grown;
		cap = live->n;
	}
	for (size_t i = 0; i < live->n; i++)
		if (is_udp_peer(&live->keys[i]))
			cookies[n++] = live->keys[i].cookie;
	qsort(cookies, n, sizeof(*cookies), compare_u64);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && cookies[j] == cookies[i])
			j++;
		__u32 count = (__u32)(j - i);
		bpf_map_update_elem(peers_fd, &cookies[i], &count, BPF_ANY);
		i = j;
	}
	/* Sockets left with no per-peer key start again from zero. */
	uint64_t cookie, next_cookie;
	int has_key = 0;
	static struct keybuf gone;
	gone.n = 0;
	while (bpf_map_get_next_key(peers_fd, has_key ? &cookie : NULL, &next_cookie) == 0) {
		cookie = next_cookie;
		has_key = 1;
		if (!bsearch(&cookie, cookies, n, sizeof(*cookies), compare_u64)) {
			struct nm_flow_key k = { .cookie = cookie };
			keybuf_push(&gone, &k);
		}
	}
	for (size_t i = 0; i < gone.n; i++)
		bpf_map_delete_elem(peers_fd, &gone.keys[i].cookie);
}

static int cookie_in(const struct keybuf *b, uint64_t cookie)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->keys[i].cookie == cookie)
			return 1;
	return 0;
}

/* One snapshot; `final` reports every released socket as closed regardless of how recently it was quiet. */
static void snapshot(struct netmon_capture_bpf *skel, uint64_t number, uint64_t mono_to_wall_ns, int ncpu, int final)
{
	int flows_fd = bpf_map__fd(skel->maps.flows);
	int owners_fd = bpf_map__fd(skel->maps.owners);
	int stats_fd = bpf_map__fd(skel->maps.stats);
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	static struct keybuf closed, live_cookies, aged;
	closed.n = 0;
	live_cookies.n = 0;
	aged.n = 0;

	printf("S\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", number, (now + mono_to_wall_ns) / 1000000, now / 1000000);

	struct nm_flow_key key, next;
	struct nm_flow_val v;
	struct nm_owner o;
	uint64_t live = 0;
	int has_key = 0;
	while (bpf_map_get_next_key(flows_fd, has_key ? &key : NULL, &next) == 0) {
		key = next;
		has_key = 1;
		if (bpf_map_lookup_elem(flows_fd, &key, &v) != 0)
			continue;
		int known = bpf_map_lookup_elem(owners_fd, &key.cookie, &o) == 0;
		if (known && o.released_ns != 0 && (final || (now > o.released_ns + CLOSE_QUIET_NS && now > v.last_ns + CLOSE_QUIET_NS))) {
			print_flow('C', &key, &v, &o);
			keybuf_push(&closed, &key);
		} else if (key.proto == IPPROTO_UDP && now > v.last_ns + NM_UDP_PEER_AGE_NS) {
			keybuf_push(&aged, &key); /* reported closed below, as it is deleted */
		} else {
			print_flow('F', &key, &v, known ? &o : NULL);
			keybuf_push(&live_cookies, &key);
			live++;
		}
	}
	for (size_t i = 0; i < closed.n; i++)
		bpf_map_delete_elem(flows_fd, &closed.keys[i]);
	age_udp_peers(flows_fd, owners_fd, bpf_map__fd(skel->maps.udp_peers), &aged, &live_cookies);

	/* Released sockets whose keys are all gone (or that never carried payload) are forgotten. */
	uint64_t cookie, next_cookie;
	has_key = 0;
	static struct keybuf forget;
	forget.n = 0;
	while (bpf_map_get_next_key(owners_fd, has_key ? &cookie : NULL, &next_cookie) == 0) {
		cookie = next_cookie;
		has_key = 1;
		if (bpf_map_lookup_elem(owners_fd, &cookie, &o) != 0 || o.released_ns == 0)
			continue;
		if ((final || now > o.released_ns + CLOSE_QUIET_NS) && !cookie_in(&live_cookies, cookie)) {
			struct nm_flow_key k = { .cookie = cookie };
			keybuf_push(&forget, &k);
		}
	}
	for (size_t i = 0; i < forget.n; i++)
		bpf_map_delete_elem(owners_fd, &forget.keys[i].cookie);

	for (size_t i = 0; i < queued_count; i++) {
		const struct queued *q = &queue[i];
		const char *kind = q->hdr.kind == NM_KIND_DNS ? "dns" : q->hdr.kind == NM_KIND_TLS ? "tls" : "quic";
		fputs("P\t", stdout);
		print_key(&q->hdr.key);
		printf("\t%s\t%s\t%" PRIu64 "\t", q->hdr.direction == NM_OUT ? "out" : "in", kind,
		       (uint64_t)((q->hdr.ts_ns + mono_to_wall_ns) / 1000000));
		if (q->hdr.key.proto == IPPROTO_TCP)
			printf("%u", q->hdr.tcp_seq);
		else
			putchar('-');
		printf("\t%u\t", q->hdr.len);
		static const char hex[] = "0123456789abcdef";
		for (uint32_t j = 0; j < q->hdr.caplen; j++) {
			putchar(hex[q->data[j] >> 4]);
			putchar(hex[q->data[j] & 15]);
		}
		putchar('\n');
		free(q->data);
	}
	queued_count = 0;

	printf("E\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", number,
	       stat_sum(stats_fd, NM_STAT_FLOW_FULL, ncpu), stat_sum(stats_fd, NM_STAT_FLOW_FULL_BYTES, ncpu),
	       stat_sum(stats_fd, NM_STAT_OWNER_FULL, ncpu), stat_sum(stats_fd, NM_STAT_RINGBUF_DROP, ncpu) + queue_overflow,
	       live);
	if (fflush(stdout) != 0)
		stop_requested = 1; /* the reader is gone */
}

int main(int argc, char **argv)
{
	long interval_ms = 1000;
	int on_request = 0;
	char cgroup_path[PATH_MAX] = "";
	int all_netns = 0;
	int check = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--interval-ms") == 0 && i + 1 < argc) {
			char *end;
			interval_ms = strtol(argv[++i], &end, 10);
			if (*end != '\0' || interval_ms < 50 || interval_ms > 600000)
				fail("--interval-ms wants a number of milliseconds from 50 to 600000, not '%s'", argv[i]);
		} else if (strcmp(argv[i], "--cgroup") == 0 && i + 1 < argc) {
			snprintf(cgroup_path, sizeof(cgroup_path), "%s", argv[++i]);
		} else if (strcmp(argv[i], "--on-request") == 0) {
			on_request = 1;
		} else if (strcmp(argv[i], "--check") == 0) {
			check = 1;
		} else if (strcmp(argv[i], "--all-netns") == 0) {
			all_netns = 1;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("netmon-capture protocol %d\n", PROTOCOL_VERSION);
			return 0;
		} else {
			fail("unknown argument '%s' (usage: netmon-capture [--interval-ms N | --on-request] [--cgroup PATH] [--all-netns])", argv[i]);
		}
	}

	/* Watching other cgroups or other network namespaces is more than the group was granted (the
	 * machine's own traffic in this namespace): only root may ask for it. */
	if ((cgroup_path[0] != '\0' || all_netns) && getuid() != 0)
		fail("--cgroup and --all-netns are for root only (they reach past this network namespace or into other users' cgroups)");
	if (getenv("NETMON_CAPTURE_NO_SKB_NETNS") != NULL && getuid() != 0)
		fail("NETMON_CAPTURE_NO_SKB_NETNS is for root only (it counts sockets of other network namespaces)");

	/* Gone with whoever started us, even if they could not stop us. */
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 0;
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	libbpf_set_print(quiet_libbpf);

	int cgroup_fd = -1;
	if (cgroup_path[0] != '\0') {
		cgroup_fd = open(cgroup_path, O_RDONLY | O_DIRECTORY);
		if (cgroup_fd < 0)
			fail("cannot open the cgroup %s: %s", cgroup_path, strerror(errno));
	} else {
		if (find_cgroup2(cgroup_path, sizeof(cgroup_path)) == 0)
			cgroup_fd = open(cgroup_path, O_RDONLY | O_DIRECTORY);
		if (cgroup_fd < 0) {
			cgroup_fd = open_cgroup2_privately();
			snprintf(cgroup_path, sizeof(cgroup_path), "(cgroup2, mounted privately)");
		}
		if (cgroup_fd < 0)
			fail("no cgroup v2 hierarchy found in /proc/mounts: mount one (mount -t cgroup2 none /sys/fs/cgroup/unified) or pass --cgroup");
	}

	uint64_t netns = 0;
	if (!all_netns) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		socklen_t len = sizeof(netns);
		if (s < 0 || getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &netns, &len) != 0)
			fail("cannot read this network namespace's cookie (SO_NETNS_COOKIE needs Linux 5.14): %s", strerror(errno));
		close(s);
	}

	/* Before 5.11 BPF memory counted against RLIMIT_MEMLOCK; harmless since. */
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	setrlimit(RLIMIT_MEMLOCK, &unlimited);

	/* First with the per-packet namespace check; a kernel that refuses it gets the fallback (see the BPF side). */
	struct netmon_capture_bpf *skel = NULL;
	int err = 0;
	/* NETMON_CAPTURE_NO_SKB_NETNS=1 forces the fallback, to test it on a kernel that has the helper. */
	const char *force = getenv("NETMON_CAPTURE_NO_SKB_NETNS");
	for (int helper = force && strcmp(force, "1") == 0 ? 0 : 1; helper >= 0; helper--) {
		skel = netmon_capture_bpf__open();
		if (!skel)
			fail("cannot open the BPF program: %s", strerror(errno));
		skel->rodata->target_netns = netns;
		skel->rodata->skb_netns_helper = (__u8)helper;
		/* The foreign map serves only the fallback: one entry (the least a map may have) otherwise. */
		if (helper)
			bpf_map__set_max_entries(skel->maps.foreign, 1);
		err = netmon_capture_bpf__load(skel);
		if (err == 0 || err == -EPERM || err == -EACCES)
			break;
		netmon_capture_bpf__destroy(skel);
		skel = NULL;
	}
	if (err) {
		if (err == -EPERM || err == -EACCES)
			fail("%s: %s", permission_hint(), strerror(-err));
		fail("the kernel refused the BPF program (%s): Linux 5.14 or newer is needed; run with NETMON_CAPTURE_DEBUG=1 for the verifier's log",
		     strerror(-err));
	}
	if (!skel->rodata->skb_netns_helper && netns != 0)
		fprintf(stderr, "netmon-capture: this kernel cannot tell network namespaces apart in packet hooks: "
				"sockets of other namespaces not seen in use since start are counted too\n");

	if (check) {
		printf("ok\n");
		netmon_capture_bpf__destroy(skel);
		return 0;
	}

	struct bpf_program *progs[] = {
		skel->progs.count_ingress, skel->progs.count_egress, skel->progs.sock_create, skel->progs.sock_release,
		skel->progs.connect4,      skel->progs.connect6,     skel->progs.sendmsg4,    skel->progs.sendmsg6,
		skel->progs.recvmsg4,      skel->progs.recvmsg6,
	};
	/* bpf_link: if we die, the kernel detaches the programs with the last reference to the link. */
	struct bpf_link *links[sizeof(progs) / sizeof(progs[0])] = { 0 };
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		links[i] = bpf_program__attach_cgroup(progs[i], cgroup_fd);
		if (!links[i]) {
			int e = errno;
			if (e == EPERM || e == EACCES)
				fail("%s: %s", permission_hint(), strerror(e));
			fail("cannot attach %s to the cgroup %s: %s", bpf_program__name(progs[i]), cgroup_path, strerror(e));
		}
	}

	queue = calloc(MAX_QUEUED_EVENTS, sizeof(*queue));
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!queue || !rb)
		fail("out of memory setting up the ring buffer");

	int ncpu = libbpf_num_possible_cpus();
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	struct stat st;
	int watch_stdin = fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
	if (on_request && !watch_stdin)
		fail("--on-request reads its requests from stdin, which must be a pipe");
	if (on_request)
		interval_ms = 0;
	uint64_t mono_to_wall_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	printf("V\t%d\t%" PRIu64 "\t%ld\n", PROTOCOL_VERSION, netns, interval_ms);
	fflush(stdout);

	uint64_t number = 0;
	/* With --on-request the timer only wakes us to drain the ring buffer. */
	uint64_t period_ns = (uint64_t)(on_request ? 1000 : interval_ms) * 1000000;
	uint64_t next = clock_ns(CLOCK_MONOTONIC) + period_ns;
	int final_requested = 0;
	struct pollfd fds[2] = { { .fd = ring_buffer__epoll_fd(rb), .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
	while (!stop_requested) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC);
		if (now >= next) {
			ring_buffer__consume(rb);
			if (!on_request) {
				/* Wall time may have jumped: the offset is re-read each time. */
				mono_to_wall_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
				snapshot(skel, ++number, mono_to_wall_ns, ncpu, 0);
			}
			next += period_ns;
			if (next <= now)
				next = now + period_ns;
			continue;
		}
		int timeout = (int)((next - now) / 1000000) + 1;
		if (poll(fds, watch_stdin ? 2 : 1, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fail("poll: %s", strerror(errno));
		}
		if (fds[0].revents & POLLIN)
			ring_buffer__consume(rb);
		if (watch_stdin && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			char buf[256];
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
			if (on_request && n > 0) {
				/* Requests that arrive together are answered by one snapshot. */
				int asked = 0;
				for (ssize_t j = 0; j < n; j++) {
					if (buf[j] == '\n')
						asked = 1;
					if (buf[j] == 'f')
						final_requested = 1;
				}
				if (asked) {
					ring_buffer__consume(rb);
					snapshot(skel, ++number, clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC), ncpu, final_requested);
				}
			}
		}
	}

	ring_buffer__consume(rb);
	snapshot(skel, ++number, clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC), ncpu, 1);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		bpf_link__destroy(links[i]);
	ring_buffer__free(rb);
	netmon_capture_bpf__destroy(skel);
	close(cgroup_fd);
	return 0;
}
