/*
 * infra-host: the engine's host operations without spawning `ip`, `mount` or `umount`.
 *
 * Pinned network namespaces (a bind mount of the namespace on a file, as `ip netns add` does),
 * veth pairs into a bridge, macvlan links, addresses and the default route inside a namespace
 * (over rtnetlink), a container's overlay root filesystem, and their removal. One operation per
 * line: `OP key=value ...`; the answer is one line, `ok [words]` or `err ERRNO STEP<TAB>MESSAGE`.
 * `infra-host serve` answers lines from stdin until EOF (the engine keeps one running: no process
 * per container); `infra-host OP key=value ...` runs one operation (tests, by hand) and prints the
 * error on stderr. Values escape space, newline and '%' as %XX.
 *
 * Operations:
 *   netns-add    path=P                      pin a new namespace on P with lo up (kept if P is one);
 *                                            serve keeps one made ahead, while no request waits
 *   netns-del    path=P                      unmount and remove P (missing: fine)
 *   veth-add     netns=P bridge=B host=H ifname=I mac=M addr=A/N [gw=G] [mtu=U]
 *   macvlan-add  netns=P parent=D mode=bridge|private|vepa|passthru ifname=I mac=M addr=A/N [gw=G] [mtu=U]
 *   link-release name=H                      detach H from its bridge and down it now, delete it
 *                                            meanwhile (serve) or now (one-shot)
 *   link-del     name=H [netns=P]            delete a link (missing: fine)
 *   links        netns=P                     names of the links inside P
 *   settle                                   wait until the deletions started meanwhile are done
 *   mount-overlay lower=D[:D...] upper=D work=D target=D
 *                                            mount an overlay (index=off) on D
 *   umount       target=D                    unmount D (not mounted or missing: fine)
 *   spawn-shim   bin=B socket=S              start `B --spare-socket S` (infra-shim waiting for the
 *                                            engine's arguments) in a session of its own, stdio on
 *                                            /dev/null; answers its pid. serve only: it reaps them.
 *   layer-mknod  root=R path=P type=c|b|p mode=O uid=U gid=G [major=N minor=N] [mtime=S]
 *                                            make a device node or fifo at P inside the layer being
 *                                            unpacked at R (a whiteout is `type=c` 0:0)
 *   layer-xattr  root=R path=P name=N value=V
 *                                            set an extended attribute on the directory P inside R
 *                                            Both resolve P with openat2(RESOLVE_IN_ROOT |
 *                                            RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
 *                                            RESOLVE_NO_XDEV) from R: the kernel refuses any symlink
 *                                            on the way, so nothing lands outside R.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/signalfd.h>
#include <poll.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <linux/openat2.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define MAX_ARGS 16
#define MSG_MAX 4096
#define MAX_PENDING 256

/* ---- errors: the failing step, errno and the kernel's extended message ---- */

static char err_step[256];
static int err_no;
static char err_msg[512];

static int fail(int e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err_step, sizeof err_step, fmt, ap);
  va_end(ap);
  err_no = e;
  if (err_msg[0] == '\0') snprintf(err_msg, sizeof err_msg, "%s", strerror(e));
  return -1;
}

/* ---- arguments ---- */

struct args {
  int n;
  char *key[MAX_ARGS];
  char *val[MAX_ARGS];
};

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes %XX in place; returns -1 on a bad escape. */
static int unescape(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (*r == '%') {
      int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
      if (lo < 0) return -1;
      *w++ = (char)(hi * 16 + lo);
      r += 2;
    } else {
      *w++ = *r;
    }
  }
  *w = '\0';
  return 0;
}

static int add_arg(struct args *a, char *tok) {
  char *eq = strchr(tok, '=');
  if (eq == NULL || eq == tok) return fail(EINVAL, "parse argument '%s' (want key=value)", tok);
  if (a->n == MAX_ARGS) return fail(E2BIG, "parse arguments (more than %d)", MAX_ARGS);
  *eq = '\0';
  if (unescape(eq + 1) < 0) return fail(EINVAL, "parse value of %s (bad %%XX escape)", tok);
  a->key[a->n] = tok;
  a->val[a->n] = eq + 1;
  a->n++;
  return 0;
}

static const char *arg(const struct args *a, const char *key) {
  for (int i = 0; i < a->n; i++)
    if (strcmp(a->key[i], key) == 0) return a->val[i];
  return NULL;
}

/* Every key must be one of `known` (a misspelt option is an error, not a silent default). */
static int check_keys(const struct args *a, const char *const *known) {
  for (int i = 0; i < a->n; i++) {
    int ok = 0;
    for (const char *const *k = known; *k; k++)
      if (strcmp(*k, a->key[i]) == 0) ok = 1;
    if (!ok) return fail(EINVAL, "unknown option %s", a->key[i]);
  }
  return 0;
}

static int need(const struct args *a, const char *key, const char **out) {
  *out = arg(a, key);
  if (*out == NULL || **out == '\0') return fail(EINVAL, "missing option %s", key);
  return 0;
}

static int check_ifname(const char *what, const char *name) {
  if (strlen(name) >= IFNAMSIZ || strchr(name, '/') != NULL)
    return fail(EINVAL, "check %s name '%s' (at most %d characters, no '/')", what, name, IFNAMSIZ - 1);
  return 0;
}

/* ---- rtnetlink ---- */

struct req {
  struct nlmsghdr *h;
  char buf[MSG_MAX] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static void req_init(struct req *r, uint16_t type, uint16_t flags, const void *body, size_t len) {
  memset(r->buf, 0, sizeof r->buf);
  r->h = (struct nlmsghdr *)r->buf;
  r->h->nlmsg_len = NLMSG_LENGTH(len);
  r->h->nlmsg_type = type;
  r->h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  memcpy(NLMSG_DATA(r->h), body, len);
}

static struct rtattr *attr(struct req *r, uint16_t type, const void *data, size_t len) {
  size_t at = NLMSG_ALIGN(r->h->nlmsg_len);
  struct rtattr *a = (struct rtattr *)(r->buf + at);
  if (at + RTA_SPACE(len) > sizeof r->buf) abort(); /* requests are small and fixed: a bug, not input */
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  r->h->nlmsg_len = at + RTA_SPACE(len);
  return a;
}

static void attr_str(struct req *r, uint16_t type, const char *s) { attr(r, type, s, strlen(s) + 1); }
static void attr_u32(struct req *r, uint16_t type, uint32_t v) { attr(r, type, &v, sizeof v); }
static struct rtattr *nest(struct req *r, uint16_t type) { return attr(r, type, NULL, 0); }
static void nest_end(struct req *r, struct rtattr *a) { a->rta_len = (unsigned short)(r->buf + r->h->nlmsg_len - (char *)a); }

/* A raw buffer placed where a nested struct (VETH_INFO_PEER's ifinfomsg) goes. */
static void *reserve(struct req *r, size_t len) {
  size_t at = NLMSG_ALIGN(r->h->nlmsg_len);
  if (at + NLMSG_ALIGN(len) > sizeof r->buf) abort();
  r->h->nlmsg_len = at + NLMSG_ALIGN(len);
  return r->buf + at;
}

static int nl_open(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static uint32_t seq;

/* The extended ack's message (why the kernel refused), kept for the error line. */
static void ext_ack(const struct nlmsghdr *h, const struct nlmsgerr *e) {
  if (!(h->nlmsg_flags & NLM_F_ACK_TLVS)) return;
  size_t off = NLMSG_HDRLEN + sizeof *e; /* CAP_ACK: the request is not echoed */
  if (!(h->nlmsg_flags & NLM_F_CAPPED)) off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
  for (const struct rtattr *a = (const void *)((const char *)h + off); (const char *)a + sizeof *a <= (const char *)h + h->nlmsg_len && a->rta_len >= sizeof *a;
       a = (const void *)((const char *)a + RTA_ALIGN(a->rta_len))) {
    if (a->rta_type == NLMSGERR_ATTR_MSG) snprintf(err_msg, sizeof err_msg, "%s (%s)", (const char *)RTA_DATA(a), strerror(-e->error));
  }
}

/* Sends one request and waits for its ack; returns 0 or -errno (err_msg holds the kernel's reason). */
static int nl_talk(int fd, struct req *r) {
  r->h->nlmsg_seq = ++seq;
  if (send(fd, r->buf, r->h->nlmsg_len, 0) < 0) return -errno;
  char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error) ext_ack(h, e);
        return e->error;
      }
    }
  }
}

static int ifindex_of(const char *name) { return (int)if_nametoindex(name); }

/* Sets flags and (optionally) the master of a link. master: -1 leaves it, 0 detaches. */
static int link_set(int fd, int index, unsigned up, int master) {
  struct req r;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_change = IFF_UP, .ifi_flags = up ? IFF_UP : 0};
  req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
  if (master >= 0) attr_u32(&r, IFLA_MASTER, (uint32_t)master);
  return nl_talk(fd, &r);
}

static int link_del_index(int fd, int index) {
  struct req r;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
  req_init(&r, RTM_DELLINK, 0, &ifi, sizeof ifi);
  return nl_talk(fd, &r);
}

static int link_del_name(int fd, const char *name) {
  struct req r;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  req_init(&r, RTM_DELLINK, 0, &ifi, sizeof ifi);
  attr_str(&r, IFLA_IFNAME, name);
  return nl_talk(fd, &r);
}

/* ---- namespaces ---- */

static int host_ns = -1; /* the namespace we run in, to come back to */
static int host_nl = -1; /* rtnetlink socket in the host namespace */

/* An rtnetlink socket living in the namespace pinned at `path` (and the index of `ifname` there). */
static int nl_in(const char *path, const char *ifname, int *index) {
  int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) return fail(errno, "open namespace %s", path);
  if (setns(ns, CLONE_NEWNET) < 0) {
    int e = errno;
    close(ns);
    return fail(e, "enter namespace %s", path);
  }
  close(ns);
  int fd = nl_open();
  int e = errno;
  if (fd >= 0 && ifname != NULL) {
    *index = ifindex_of(ifname);
    if (*index == 0) e = errno;
  }
  if (setns(host_ns, CLONE_NEWNET) < 0) {
    /* Staying in a container's namespace would misdirect every later operation. */
    fprintf(stderr, "infra-host: cannot return to the host namespace: %s\n", strerror(errno));
    _exit(70);
  }
  if (fd < 0) return fail(e, "open rtnetlink in %s", path);
  if (ifname != NULL && *index == 0) {
    close(fd);
    return fail(e, "find %s in %s", ifname, path);
  }
  return fd;
}

static int mkdir_parents(const char *path) {
  char dir[4096];
  if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) return fail(ENAMETOOLONG, "namespace path %s", path);
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) return fail(errno, "create directory %s", dir); /* the engine's run dir: root's alone */
    *p = '/';
  }
  return 0;
}

/*
 * A namespace made ahead (serve, after a netns-add, while no request waits): the next netns-add
 * pins it instead of making one (~0.7 ms of the kernel's time). Held by an fd, never pinned: it
 * goes with this process.
 */
static int spare_ns = -1;
static int spare_wanted;
static int serving; /* serve, not one operation */
static void reset_error(void);

/* A new namespace with lo up; its fd, or -1 (errno and the error set). Back in host_ns after. */
static int new_netns(void) {
  if (unshare(CLONE_NEWNET) < 0) return fail(errno, "create network namespace");
  int ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  int rc = ns < 0 ? fail(errno, "open the new namespace") : 0;
  if (rc == 0) {
    int fd = nl_open();
    if (fd < 0) rc = fail(errno, "open rtnetlink in a new namespace");
    else {
      int e = link_set(fd, 1, 1, -1); /* lo is index 1 in a new namespace */
      if (e < 0) rc = fail(-e, "set lo up in a new namespace");
      close(fd);
    }
  }
  if (setns(host_ns, CLONE_NEWNET) < 0) {
    fprintf(stderr, "infra-host: cannot return to the host namespace: %s\n", strerror(errno));
    _exit(70);
  }
  if (rc < 0) {
    if (ns >= 0) close(ns);
    return -1;
  }
  return ns;
}

static void make_spare(void) {
  if (spare_ns >= 0 || !spare_wanted) return;
  spare_ns = new_netns();
  reset_error(); /* a failure here is the next netns-add's to report, when it makes its own */
}

static int op_netns_add(const struct args *a, char *out, size_t outlen) {
  static const char *const keys[] = {"path", NULL};
  const char *path;
  if (check_keys(a, keys) < 0 || need(a, "path", &path) < 0) return -1;
  struct statfs sf;
  if (statfs(path, &sf) == 0 && (unsigned long)sf.f_type == NSFS_MAGIC) {
    snprintf(out, outlen, "kept"); /* a restarted donor finds its namespace, and its joiners keep theirs */
    return 0;
  }
  if (mkdir_parents(path) < 0) return -1;
  if (unlink(path) < 0 && errno != ENOENT) return fail(errno, "remove stale %s", path);
  int f = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (f < 0) return fail(errno, "create %s", path);
  close(f);
  spare_wanted = serving;
  int ns = spare_ns;
  spare_ns = -1;
  if (ns < 0 && (ns = new_netns()) < 0) {
    unlink(path);
    return -1;
  }
  char src[64];
  snprintf(src, sizeof src, "/proc/self/fd/%d", ns);
  int rc = mount(src, path, "none", MS_BIND, NULL) < 0 ? fail(errno, "bind namespace on %s", path) : 0;
  close(ns);
  if (rc < 0) unlink(path);
  snprintf(out, outlen, "created");
  return rc;
}

static int op_netns_del(const struct args *a) {
  static const char *const keys[] = {"path", NULL};
  const char *path;
  if (check_keys(a, keys) < 0 || need(a, "path", &path) < 0) return -1;
  /* Not mounted (EINVAL) or already gone (ENOENT): removing the file is all that is left. */
  if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) return fail(errno, "unmount %s", path);
  if (unlink(path) < 0 && errno != ENOENT) return fail(errno, "remove %s", path);
  return 0;
}

/* ---- addresses inside a namespace ---- */

struct ipv4 {
  struct in_addr addr;
  int plen;
};

static int parse_cidr(const char *s, struct ipv4 *out) {
  char ip[32];
  const char *slash = strchr(s, '/');
  if (slash == NULL || (size_t)(slash - s) >= sizeof ip) return fail(EINVAL, "parse address '%s' (want A.B.C.D/N)", s);
  memcpy(ip, s, (size_t)(slash - s));
  ip[slash - s] = '\0';
  char *end;
  long n = strtol(slash + 1, &end, 10);
  if (inet_pton(AF_INET, ip, &out->addr) != 1 || *end != '\0' || slash[1] == '\0' || n < 0 || n > 32)
    return fail(EINVAL, "parse address '%s' (want A.B.C.D/N)", s);
  out->plen = (int)n;
  return 0;
}

static int parse_mac(const char *s, unsigned char mac[6]) {
  unsigned v[6];
  char tail;
  if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
    return fail(EINVAL, "parse MAC address '%s'", s);
  for (int i = 0; i < 6; i++) mac[i] = (unsigned char)v[i];
  return 0;
}

static int parse_mtu(const char *s, uint32_t *mtu) {
  *mtu = 0;
  if (s == NULL) return 0;
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 68 || v > 65535) return fail(EINVAL, "parse mtu '%s' (68-65535)", s);
  *mtu = (uint32_t)v;
  return 0;
}

/* Address, link up and the default route of interface `index` in the namespace of socket `fd`. */
static int configure_inside(int fd, int index, const char *ifname, const struct ipv4 *ip, const char *gw) {
  struct req r;
  struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)ip->plen, .ifa_index = (unsigned)index, .ifa_scope = RT_SCOPE_UNIVERSE};
  req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
  attr(&r, IFA_LOCAL, &ip->addr, 4);
  attr(&r, IFA_ADDRESS, &ip->addr, 4);
  int e = nl_talk(fd, &r);
  if (e < 0) return fail(-e, "add address %s/%d to %s", inet_ntoa(ip->addr), ip->plen, ifname);
  e = link_set(fd, index, 1, -1);
  if (e < 0) return fail(-e, "set %s up", ifname);
  if (gw == NULL) return 0;
  struct in_addr via;
  if (inet_pton(AF_INET, gw, &via) != 1) return fail(EINVAL, "parse gateway '%s'", gw);
  struct rtmsg rt = {.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
  req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &rt, sizeof rt);
  attr(&r, RTA_GATEWAY, &via, 4);
  attr_u32(&r, RTA_OIF, (uint32_t)index);
  e = nl_talk(fd, &r);
  if (e < 0) return fail(-e, "add default route via %s dev %s", gw, ifname);
  return 0;
}

/* ---- links being deleted meanwhile (serve): a new link of the same name waits for them ---- */

static struct {
  pid_t pid;
  char name[IFNAMSIZ];
} pending[MAX_PENDING];

static void reap(void) {
  for (int i = 0; i < MAX_PENDING; i++)
    if (pending[i].pid > 0 && waitpid(pending[i].pid, NULL, WNOHANG) != 0) pending[i].pid = 0;
}

/* Waits for the deletion of `name` (NULL: of every link) started meanwhile. */
static void wait_deleted(const char *name) {
  for (int i = 0; i < MAX_PENDING; i++)
    if (pending[i].pid > 0 && (name == NULL || strcmp(pending[i].name, name) == 0)) {
      waitpid(pending[i].pid, NULL, 0);
      pending[i].pid = 0;
    }
}

/* Deletes `name` in a child (the kernel takes ~20 ms to tear a veth down); synchronous when no slot or one-shot. */
static int delete_meanwhile(const char *name, int index) {
  reap();
  int slot = -1;
  for (int i = 0; i < MAX_PENDING && slot < 0; i++)
    if (pending[i].pid == 0) slot = i;
  pid_t pid = serving && slot >= 0 ? fork() : -1;
  if (pid == 0) {
    /* The engine's pipes are the parent's, not ours. A socket of our own: acks on the shared one could reach the parent. */
    close(0);
    close(1);
    int fd = nl_open();
    int e = fd < 0 ? -errno : link_del_index(fd, index);
    _exit(e < 0 && e != -ENODEV ? 1 : 0);
  }
  if (pid > 0) {
    pending[slot].pid = pid;
    snprintf(pending[slot].name, sizeof pending[slot].name, "%s", name);
    return 0;
  }
  int e = link_del_index(host_nl, index);
  if (e < 0 && e != -ENODEV) return fail(-e, "delete %s", name);
  return 0;
}

static int any_pending(void) {
  reap();
  for (int i = 0; i < MAX_PENDING; i++)
    if (pending[i].pid > 0) return 1;
  return 0;
}

/*
 * Creates a link; a name still held by a link being deleted meanwhile (a peer's eth0 after a
 * disconnect, say) is retried once those deletions are done.
 */
static int create_link(struct req *r) {
  int e = nl_talk(host_nl, r);
  if (e == -EEXIST && any_pending()) {
    wait_deleted(NULL);
    err_msg[0] = '\0';
    e = nl_talk(host_nl, r);
  }
  return e;
}

/* ---- operations on links ---- */

struct endpoint {
  const char *netns, *ifname, *gw;
  unsigned char mac[6];
  struct ipv4 ip;
  uint32_t mtu;
};

static int parse_endpoint(const struct args *a, struct endpoint *ep) {
  const char *mac, *addr;
  if (need(a, "netns", &ep->netns) < 0 || need(a, "ifname", &ep->ifname) < 0 || need(a, "mac", &mac) < 0 || need(a, "addr", &addr) < 0) return -1;
  if (check_ifname("interface", ep->ifname) < 0 || parse_mac(mac, ep->mac) < 0 || parse_cidr(addr, &ep->ip) < 0 || parse_mtu(arg(a, "mtu"), &ep->mtu) < 0) return -1;
  ep->gw = arg(a, "gw");
  return 0;
}

/* The peer in the namespace: addressed and routed; on failure the caller removes the pair. */
static int finish_inside(const struct endpoint *ep) {
  int index;
  int fd = nl_in(ep->netns, ep->ifname, &index);
  if (fd < 0) return -1;
  int rc = configure_inside(fd, index, ep->ifname, &ep->ip, ep->gw);
  close(fd);
  return rc;
}

static int op_veth_add(const struct args *a) {
  static const char *const keys[] = {"netns", "bridge", "host", "ifname", "mac", "addr", "gw", "mtu", NULL};
  struct endpoint ep;
  const char *bridge, *host;
  if (check_keys(a, keys) < 0 || need(a, "bridge", &bridge) < 0 || need(a, "host", &host) < 0 || parse_endpoint(a, &ep) < 0) return -1;
  if (check_ifname("bridge", bridge) < 0 || check_ifname("host-side veth", host) < 0) return -1;
  int br = ifindex_of(bridge);
  if (br == 0) return fail(errno, "find bridge %s", bridge);
  int ns = open(ep.netns, O_RDONLY | O_CLOEXEC);
  if (ns < 0) return fail(errno, "open namespace %s", ep.netns);
  wait_deleted(host);

  struct req r;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_change = IFF_UP, .ifi_flags = IFF_UP};
  req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  attr_str(&r, IFLA_IFNAME, host);
  if (ep.mtu) attr_u32(&r, IFLA_MTU, ep.mtu);
  attr_u32(&r, IFLA_MASTER, (uint32_t)br);
  struct rtattr *li = nest(&r, IFLA_LINKINFO);
  attr_str(&r, IFLA_INFO_KIND, "veth");
  struct rtattr *data = nest(&r, IFLA_INFO_DATA);
  struct rtattr *peer = nest(&r, VETH_INFO_PEER);
  struct ifinfomsg *pifi = reserve(&r, sizeof(struct ifinfomsg));
  pifi->ifi_family = AF_UNSPEC;
  attr_str(&r, IFLA_IFNAME, ep.ifname);
  attr(&r, IFLA_ADDRESS, ep.mac, 6);
  attr_u32(&r, IFLA_NET_NS_FD, (uint32_t)ns);
  if (ep.mtu) attr_u32(&r, IFLA_MTU, ep.mtu);
  nest_end(&r, peer);
  nest_end(&r, data);
  nest_end(&r, li);
  int e = create_link(&r);
  close(ns);
  if (e < 0) return fail(-e, "create veth %s (peer %s in %s) on bridge %s", host, ep.ifname, ep.netns, bridge);

  int rc = 0;
  int hi = ifindex_of(host);
  if (hi == 0) rc = fail(errno, "find %s", host);
  if (rc == 0) {
    /* br_netfilter DNATs some frames back to the port they came from (hairpin to a published port). */
    struct ifinfomsg s = {.ifi_family = AF_UNSPEC, .ifi_index = hi};
    req_init(&r, RTM_NEWLINK, 0, &s, sizeof s);
    li = nest(&r, IFLA_LINKINFO);
    attr_str(&r, IFLA_INFO_SLAVE_KIND, "bridge");
    data = nest(&r, IFLA_INFO_SLAVE_DATA);
    unsigned char on = 1;
    attr(&r, IFLA_BRPORT_MODE, &on, 1);
    nest_end(&r, data);
    nest_end(&r, li);
    e = nl_talk(host_nl, &r);
    if (e < 0) rc = fail(-e, "set hairpin on %s", host);
  }
  if (rc == 0) rc = finish_inside(&ep);
  if (rc < 0) link_del_name(host_nl, host); /* nothing half-made: the pair goes with its host end */
  return rc;
}

static int macvlan_mode(const char *s, uint32_t *mode) {
  static const struct {
    const char *name;
    uint32_t mode;
  } modes[] = {{"private", MACVLAN_MODE_PRIVATE}, {"vepa", MACVLAN_MODE_VEPA}, {"bridge", MACVLAN_MODE_BRIDGE}, {"passthru", MACVLAN_MODE_PASSTHRU}};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    if (strcmp(s, modes[i].name) == 0) {
      *mode = modes[i].mode;
      return 0;
    }
  return fail(EINVAL, "parse macvlan mode '%s' (bridge, private, vepa or passthru)", s);
}

static int op_macvlan_add(const struct args *a) {
  static const char *const keys[] = {"netns", "parent", "mode", "ifname", "mac", "addr", "gw", "mtu", NULL};
  struct endpoint ep;
  const char *parent, *mode_s = arg(a, "mode");
  uint32_t mode = MACVLAN_MODE_BRIDGE;
  if (check_keys(a, keys) < 0 || need(a, "parent", &parent) < 0 || parse_endpoint(a, &ep) < 0) return -1;
  if (macvlan_mode(mode_s ? mode_s : "bridge", &mode) < 0 || check_ifname("parent", parent) < 0) return -1;
  int pi = ifindex_of(parent);
  if (pi == 0) return fail(errno, "find parent interface %s", parent);
  int ns = open(ep.netns, O_RDONLY | O_CLOEXEC);
  if (ns < 0) return fail(errno, "open namespace %s", ep.netns);
  struct req r;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  attr_str(&r, IFLA_IFNAME, ep.ifname);
  attr_u32(&r, IFLA_LINK, (uint32_t)pi);
  attr(&r, IFLA_ADDRESS, ep.mac, 6);
  attr_u32(&r, IFLA_NET_NS_FD, (uint32_t)ns);
  if (ep.mtu) attr_u32(&r, IFLA_MTU, ep.mtu);
  struct rtattr *li = nest(&r, IFLA_LINKINFO);
  attr_str(&r, IFLA_INFO_KIND, "macvlan");
  struct rtattr *data = nest(&r, IFLA_INFO_DATA);
  attr_u32(&r, IFLA_MACVLAN_MODE, mode);
  nest_end(&r, data);
  nest_end(&r, li);
  int e = create_link(&r);
  close(ns);
  if (e < 0) return fail(-e, "create macvlan %s on %s in %s", ep.ifname, parent, ep.netns);
  int index;
  int fd = nl_in(ep.netns, ep.ifname, &index);
  if (fd < 0) return -1;
  int rc = configure_inside(fd, index, ep.ifname, &ep.ip, ep.gw);
  if (rc < 0) link_del_index(fd, index);
  close(fd);
  return rc;
}

static int op_link_release(const struct args *a) {
  static const char *const keys[] = {"name", NULL};
  const char *name;
  if (check_keys(a, keys) < 0 || need(a, "name", &name) < 0 || check_ifname("link", name) < 0) return -1;
  int index = ifindex_of(name);
  if (index == 0) return 0; /* gone already (its namespace went first) */
  /* Off the bridge and down now: its address may go to the next container at once. */
  int e = link_set(host_nl, index, 0, 0);
  if (e < 0 && e != -ENODEV) return fail(-e, "detach %s from its bridge", name);
  return delete_meanwhile(name, index);
}

static int op_link_del(const struct args *a) {
  static const char *const keys[] = {"name", "netns", NULL};
  const char *name, *netns = arg(a, "netns");
  if (check_keys(a, keys) < 0 || need(a, "name", &name) < 0 || check_ifname("link", name) < 0) return -1;
  int fd = host_nl;
  if (netns != NULL && (fd = nl_in(netns, NULL, NULL)) < 0) return -1;
  if (fd == host_nl) wait_deleted(name);
  int e = link_del_name(fd, name);
  if (fd != host_nl) close(fd);
  if (e < 0 && e != -ENODEV) return fail(-e, "delete %s", name);
  return 0;
}

static int op_links(const struct args *a, char *out, size_t outlen) {
  static const char *const keys[] = {"netns", NULL};
  const char *netns;
  if (check_keys(a, keys) < 0 || need(a, "netns", &netns) < 0) return -1;
  int fd = nl_in(netns, NULL, NULL);
  if (fd < 0) return -1;
  struct req r;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  req_init(&r, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof ifi);
  r.h->nlmsg_seq = ++seq;
  size_t used = 0;
  out[0] = '\0';
  int rc = 0;
  if (send(fd, r.buf, r.h->nlmsg_len, 0) < 0) rc = fail(errno, "list links in %s", netns);
  char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
  for (int done = 0; rc == 0 && !done;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      rc = fail(errno, "list links in %s", netns);
      break;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) done = 1;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error) rc = fail(-e->error, "list links in %s", netns);
        done = 1;
      }
      if (h->nlmsg_type != RTM_NEWLINK) continue;
      struct ifinfomsg *li = NLMSG_DATA(h);
      int len = (int)IFLA_PAYLOAD(h);
      for (struct rtattr *at = IFLA_RTA(li); RTA_OK(at, len); at = RTA_NEXT(at, len))
        if (at->rta_type == IFLA_IFNAME) used += (size_t)snprintf(out + used, used < outlen ? outlen - used : 0, "%s%s", used ? " " : "", (char *)RTA_DATA(at));
    }
  }
  close(fd);
  return rc;
}

/* ---- a container's root filesystem ---- */

/* A directory the overlay needs: named in the error when it is missing or not a directory. */
static int check_dir(const char *what, const char *path) {
  struct stat st;
  if (stat(path, &st) < 0) return fail(errno, "check %s directory %s", what, path);
  if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR, "check %s directory %s", what, path);
  return 0;
}

/* A ',' would end the option inside the mount data; overlay has no escape for it. */
static int check_option_path(const char *what, const char *path) {
  if (strchr(path, ',') != NULL) return fail(EINVAL, "check %s path %s (a ',' cannot be passed to overlay)", what, path);
  return 0;
}

static int op_mount_overlay(const struct args *a) {
  static const char *const keys[] = {"lower", "upper", "work", "target", NULL};
  const char *lower, *upper, *work, *target;
  if (check_keys(a, keys) < 0 || need(a, "lower", &lower) < 0 || need(a, "upper", &upper) < 0 || need(a, "work", &work) < 0 || need(a, "target", &target) < 0) return -1;
  if (check_option_path("lower", lower) < 0 || check_option_path("upper", upper) < 0 || check_option_path("work", work) < 0) return -1;
  /* The kernel copies at most one page of mount data: a longer string would be cut short. */
  long page = sysconf(_SC_PAGESIZE);
  size_t limit = page > 0 ? (size_t)page : 4096;
  size_t need_len = strlen(lower) + strlen(upper) + strlen(work) + sizeof "lowerdir=,upperdir=,workdir=,index=off";
  if (need_len > limit)
    return fail(E2BIG, "mount overlay on %s (options are %zu bytes with %zu-byte lowerdir; the kernel takes at most %zu: fewer or shorter lower directories)", target, need_len, strlen(lower), limit);
  char *data = malloc(need_len);
  if (data == NULL) return fail(ENOMEM, "mount overlay on %s", target);
  snprintf(data, need_len, "lowerdir=%s,upperdir=%s,workdir=%s,index=off", lower, upper, work);
  /* Each directory checked first: overlay's own EINVAL/ENOENT does not say which one. */
  int rc = 0;
  char *copy = strdup(lower);
  if (copy == NULL) rc = fail(ENOMEM, "mount overlay on %s", target);
  char *save = NULL;
  for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; rc == 0 && d != NULL; d = strtok_r(NULL, ":", &save)) rc = check_dir("lower", d);
  free(copy);
  if (rc == 0) rc = check_dir("upper", upper);
  if (rc == 0) rc = check_dir("work", work);
  if (rc == 0) rc = check_dir("target", target);
  if (rc == 0 && mount("overlay", target, "overlay", 0, data) < 0) rc = fail(errno, "mount overlay on %s (lowerdir %s, upperdir %s, workdir %s)", target, lower, upper, work);
  free(data);
  return rc;
}

static int op_umount(const struct args *a) {
  static const char *const keys[] = {"target", NULL};
  const char *target;
  if (check_keys(a, keys) < 0 || need(a, "target", &target) < 0) return -1;
  /* Not a mount point (EINVAL) or gone (ENOENT): nothing to unmount. */
  if (umount2(target, UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT) return fail(errno, "unmount %s", target);
  return 0;
}

/* ---- a layer being unpacked: the writes Node cannot make, resolved by the kernel inside the layer ---- */

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

/* No symlink (a later tar entry may have put one on the way), no magic link, no other mount, no way up. */
#define LAYER_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

static int openat2_in(int dirfd, const char *path, int flags) {
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = LAYER_RESOLVE};
  return (int)syscall(__NR_openat2, dirfd, path, &how, sizeof how);
}

/* A relative path of plain names: Node checks the same, this is the helper's own guard. */
static int check_layer_path(const char *rel) {
  if (rel[0] == '/') return fail(EINVAL, "check layer path '%s' (absolute)", rel);
  for (const char *p = rel;;) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return fail(EINVAL, "check layer path '%s' (empty, '.' or '..' component)", rel);
    if (n > NAME_MAX) return fail(ENAMETOOLONG, "check layer path '%s' (a name longer than %d bytes)", rel, NAME_MAX);
    if (slash == NULL) return 0;
    p = slash + 1;
  }
}

/* The layer's root directory (given by the engine, never by the archive). */
static int open_layer_root(const char *root) {
  if (root[0] != '/') return fail(EINVAL, "check layer root '%s' (must be absolute)", root);
  int fd = open(root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(errno, "open layer root %s", root);
  return fd;
}

/* The directory holding rel's last name, opened beneath root (copied into buf); *base is that name. */
static int layer_parent(const char *root, const char *rel, char *buf, size_t buflen, const char **base) {
  if (check_layer_path(rel) < 0) return -1;
  if (snprintf(buf, buflen, "%s", rel) >= (int)buflen) return fail(ENAMETOOLONG, "check layer path (longer than %zu bytes)", buflen - 1);
  char *slash = strrchr(buf, '/');
  const char *dir = ".";
  *base = buf;
  if (slash != NULL) {
    *slash = '\0';
    dir = buf;
    *base = slash + 1;
  }
  int rfd = open_layer_root(root);
  if (rfd < 0) return -1;
  int fd = openat2_in(rfd, dir, O_PATH | O_DIRECTORY);
  int e = errno;
  close(rfd);
  if (fd < 0) return fail(e, "open directory '%s' inside layer %s", dir, root);
  return fd;
}

/* An unsigned number (octal when base 8) within max; a bad one names its option. */
static int parse_num(const struct args *a, const char *key, int base, unsigned long long max, int required, unsigned long long *out) {
  const char *s = arg(a, key);
  if (s == NULL || *s == '\0') {
    if (required) return fail(EINVAL, "missing option %s", key);
    return 1;
  }
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, base);
  if (errno != 0 || *end != '\0' || s[0] == '-' || v > max) return fail(EINVAL, "parse %s '%s'", key, s);
  *out = v;
  return 0;
}

static int op_layer_mknod(const struct args *a) {
  static const char *const keys[] = {"root", "path", "type", "mode", "uid", "gid", "major", "minor", "mtime", NULL};
  const char *root, *path, *type;
  unsigned long long mode, uid, gid, major = 0, minor = 0, mtime = 0;
  if (check_keys(a, keys) < 0 || need(a, "root", &root) < 0 || need(a, "path", &path) < 0 || need(a, "type", &type) < 0) return -1;
  if (parse_num(a, "mode", 8, 07777, 1, &mode) < 0 || parse_num(a, "uid", 10, 0xfffffffeULL, 1, &uid) < 0 || parse_num(a, "gid", 10, 0xfffffffeULL, 1, &gid) < 0) return -1;
  int has_mtime = parse_num(a, "mtime", 10, (unsigned long long)INT64_MAX, 0, &mtime);
  if (has_mtime < 0 || parse_num(a, "major", 10, 0xfffffULL, 0, &major) < 0 || parse_num(a, "minor", 10, 0xfffffULL, 0, &minor) < 0) return -1;
  mode_t kind;
  if (strcmp(type, "c") == 0) kind = S_IFCHR;
  else if (strcmp(type, "b") == 0) kind = S_IFBLK;
  else if (strcmp(type, "p") == 0) kind = S_IFIFO;
  else return fail(EINVAL, "parse type '%s' (c, b or p)", type);
  char buf[PATH_MAX];
  const char *base = NULL;
  int pfd = layer_parent(root, path, buf, sizeof buf, &base);
  if (pfd < 0) return -1;
  int rc = 0, made = 0;
  if (mknodat(pfd, base, kind | (mode_t)mode, kind == S_IFIFO ? 0 : makedev((unsigned)major, (unsigned)minor)) < 0) rc = fail(errno, "make %s '%s' inside layer %s", type, path, root);
  /* Never following the last name either; owner first, since chown clears setuid bits. */
  else if ((made = 1) && fchownat(pfd, base, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0) rc = fail(errno, "chown '%s' inside layer %s", path, root);
  else if (syscall(__NR_fchmodat2, pfd, base, (mode_t)mode, AT_SYMLINK_NOFOLLOW) < 0) rc = fail(errno, "chmod '%s' inside layer %s", path, root);
  else if (has_mtime == 0) {
    struct timespec ts[2] = {{.tv_sec = (time_t)mtime}, {.tv_sec = (time_t)mtime}};
    if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0) rc = fail(errno, "set the times of '%s' inside layer %s", path, root);
  }
  if (rc < 0 && made) unlinkat(pfd, base, 0); /* nothing half-made */
  close(pfd);
  return rc;
}

static int op_layer_xattr(const struct args *a) {
  static const char *const keys[] = {"root", "path", "name", "value", NULL};
  const char *root, *path, *name, *value = arg(a, "value");
  if (check_keys(a, keys) < 0 || need(a, "root", &root) < 0 || need(a, "path", &path) < 0 || need(a, "name", &name) < 0) return -1;
  if (value == NULL) return fail(EINVAL, "missing option value");
  if (check_layer_path(path) < 0) return -1;
  int rfd = open_layer_root(root);
  if (rfd < 0) return -1;
  int fd = openat2_in(rfd, path, O_RDONLY | O_DIRECTORY);
  int e = errno;
  close(rfd);
  if (fd < 0) return fail(e, "open directory '%s' inside layer %s", path, root);
  int rc = fsetxattr(fd, name, value, strlen(value), 0) < 0 ? fail(errno, "set %s on '%s' inside layer %s", name, path, root) : 0;
  close(fd);
  return rc;
}

/* ---- dispatch ---- */

/* ---- spare shims (serve): our children until they exit, reaped as they do ---- */

static pid_t *shims;
static size_t nshims, capshims;

static void reap_shims(void) {
  for (size_t i = 0; i < nshims;) {
    if (waitpid(shims[i], NULL, WNOHANG) != 0) shims[i] = shims[--nshims]; /* gone (or not ours) */
    else i++;
  }
}

static int op_spawn_shim(const struct args *a, char *out, size_t outlen) {
  static const char *const keys[] = {"bin", "socket", NULL};
  const char *bin, *sock;
  if (check_keys(a, keys) < 0 || need(a, "bin", &bin) < 0 || need(a, "socket", &sock) < 0) return -1;
  if (!serving) return fail(EINVAL, "spawn-shim needs serve (its children are reaped there)");
  if (bin[0] != '/') return fail(EINVAL, "spawn-shim: bin must be an absolute path, not %s", bin);
  if (nshims == capshims) {
    size_t cap = capshims ? capshims * 2 : 64;
    pid_t *p = realloc(shims, cap * sizeof *p);
    if (p == NULL) return fail(ENOMEM, "spawn-shim");
    shims = p;
    capshims = cap;
  }
  pid_t pid = fork();
  if (pid < 0) return fail(errno, "fork for %s", bin);
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    int nul = open("/dev/null", O_RDWR);
    if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0) _exit(127);
    if (nul > 2) close(nul);
    execl(bin, bin, "--spare-socket", sock, (char *)NULL);
    _exit(127);
  }
  shims[nshims++] = pid;
  snprintf(out, outlen, "%d", (int)pid);
  return 0;
}

static int dispatch(const char *op, const struct args *a, char *out, size_t outlen) {
  out[0] = '\0';
  if (strcmp(op, "netns-add") == 0) return op_netns_add(a, out, outlen);
  if (strcmp(op, "netns-del") == 0) return op_netns_del(a);
  if (strcmp(op, "veth-add") == 0) return op_veth_add(a);
  if (strcmp(op, "macvlan-add") == 0) return op_macvlan_add(a);
  if (strcmp(op, "link-release") == 0) return op_link_release(a);
  if (strcmp(op, "link-del") == 0) return op_link_del(a);
  if (strcmp(op, "links") == 0) return op_links(a, out, outlen);
  if (strcmp(op, "mount-overlay") == 0) return op_mount_overlay(a);
  if (strcmp(op, "umount") == 0) return op_umount(a);
  if (strcmp(op, "spawn-shim") == 0) return op_spawn_shim(a, out, outlen);
  if (strcmp(op, "layer-mknod") == 0) return op_layer_mknod(a);
  if (strcmp(op, "layer-xattr") == 0) return op_layer_xattr(a);
  if (strcmp(op, "settle") == 0 && a->n == 0) {
    wait_deleted(NULL);
    return 0;
  }
  return fail(EINVAL, "unknown operation %s", op);
}

/* One request line: `OP key=value ...`. */
static int run_line(char *line, char *out, size_t outlen) {
  struct args a = {0};
  char *save = NULL;
  char *op = strtok_r(line, " \t", &save);
  if (op == NULL) return fail(EINVAL, "parse request (empty)");
  for (char *tok; (tok = strtok_r(NULL, " \t", &save)) != NULL;)
    if (add_arg(&a, tok) < 0) return -1;
  return dispatch(op, &a, out, outlen);
}

/* A path may hold a newline or tab (escaped on the way in): the answer must stay one line. */
static void one_line(char *s) {
  for (; *s; s++)
    if (*s == '\n' || *s == '\t' || *s == '\r') *s = ' ';
}

static void reset_error(void) {
  err_step[0] = '\0';
  err_msg[0] = '\0';
  err_no = 0;
}

/* Whether a request is waiting (in stdin's buffer or the pipe). glibc's FILE fields: built static against it. */
static int request_waiting(void) {
  if (stdin->_IO_read_ptr < stdin->_IO_read_end) return 1;
  struct pollfd p = {0, POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

static int serve(void) {
  serving = 1;
  static char line[65536];
  static char out[16384];
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* SIGCHLD as a file: spare shims we started are reaped as they exit, between requests. */
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  for (;;) {
    if (!request_waiting()) make_spare(); /* idle: the next netns-add's namespace */
    while (sfd >= 0 && !request_waiting()) {
      struct pollfd p[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
      if (poll(p, 2, -1) < 0 && errno != EINTR) break;
      if (p[1].revents & POLLIN) {
        struct signalfd_siginfo si;
        while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {}
        reap_shims();
      }
      if (p[0].revents) break;
    }
    if (fgets(line, sizeof line, stdin) == NULL) break;
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
    else if (!feof(stdin)) {
      /* An over-long request: answer once and skip the rest of it. */
      for (int c; (c = getchar()) != EOF && c != '\n';) {}
      printf("err %d read request\trequest longer than %zu bytes\n", E2BIG, sizeof line - 1);
      continue;
    }
    reset_error();
    reap();
    if (run_line(line, out, sizeof out) == 0) printf(out[0] ? "ok %s\n" : "ok\n", out);
    else {
      one_line(err_step);
      one_line(err_msg);
      printf("err %d %s\t%s\n", err_no, err_step, err_msg);
    }
  }
  /* Deletions still running finish before we go: reaped here, not left as zombies for PID 1. */
  wait_deleted(NULL);
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  host_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  host_nl = nl_open();
  if (host_ns < 0 || host_nl < 0) {
    fprintf(stderr, "infra-host: cannot open the host namespace or rtnetlink: %s\n", strerror(errno));
    return 1;
  }
  if (argc == 2 && strcmp(argv[1], "serve") == 0) return serve();
  if (argc < 2) {
    fprintf(stderr, "usage: infra-host serve | infra-host OP key=value ...\n");
    return 2;
  }
  struct args a = {0};
  char out[16384];
  reset_error();
  int rc = 0;
  for (int i = 2; i < argc && rc == 0; i++) rc = add_arg(&a, argv[i]);
  if (rc == 0) rc = dispatch(argv[1], &a, out, sizeof out);
  if (rc < 0) {
    fprintf(stderr, "infra-host: %s: %s (errno %d)\n", err_step, err_msg, err_no);
    return 1;
  }
  if (out[0]) printf("%s\n", out);
  return 0;
}
