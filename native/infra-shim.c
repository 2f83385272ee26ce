/*
 * infra-shim: the per-container monitor for containers without a terminal or stdin. It keeps
 * conmon's contract as the engine uses it (flags, sync pipe, k8s-file log, ctl fifo, attach
 * socket, exit file) but runs one `runc run -d` instead of `runc create` + `runc start`, and
 * stays the container's parent through PR_SET_CHILD_SUBREAPER. -t/-i stay conmon's job.
 *
 * `infra-shim --spare-socket PATH`: started ahead of need (by the engine's infra-host), it connects
 * to the engine's unix socket PATH, says `spare PID`, and waits there for its arguments: a line with
 * their length in bytes, then the arguments, each ended by a NUL. It then executes itself with them
 * (so that it looks like any monitor), the socket as its sync pipe. A start costs the engine a write
 * instead of a fork. EOF before the arguments (the engine let it
 * go, or died) ends it quietly.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNTIME_ARGS 32
#define MAX_CLIENTS 16
#define CHUNK 8192              /* one read = at most one attach packet (1 stream byte + data) */
#define EARLY_CAP (1 << 20)     /* output kept while runc runs; past this, reading waits */
#define DRAIN_GRACE_MS 500      /* after the init exits, how long a grandchild may hold the pipes */
#define SPARE_ARGS_MAX 65536   /* bytes of arguments a spare shim accepts on its socket */
#define PIPE_READS 16           /* reads of one stream per wake-up: more than a default pipe (64 KiB) holds */

struct opts {
  const char *id, *runc, *bundle, *pidfile, *logpath, *exitdir, *sockdir, *shimpidfile;
  const char *rargs[MAX_RUNTIME_ARGS];
  int nrargs;
  long long logmax;
};

static struct opts o = {.runc = "runc", .logmax = -1};
static int syncfd = -1;
static int logfd = -1;
static long long logsize;
static int clients[MAX_CLIENTS];
static int nclients;
static char ctlpath[PATH_MAX], sockpath[PATH_MAX], sockdir_id[PATH_MAX];
static char exit_tmp[PATH_MAX], exit_path[PATH_MAX];
static int have_ctl, have_sock;

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

/* JSON string body of s (quotes, backslashes and control characters escaped). */
static void json_escape(char *out, size_t cap, const char *s, size_t n) {
  size_t j = 0;
  for (size_t i = 0; i < n && j + 7 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') { out[j++] = '\\'; out[j++] = (char)c; }
    else if (c == '\n') { out[j++] = '\\'; out[j++] = 'n'; }
    else if (c < 0x20) j += (size_t)snprintf(out + j, cap - j, "\\u%04x", c);
    else out[j++] = (char)c;
  }
  out[j] = 0;
}

static void sync_send(long pid, const char *msg, size_t len) {
  if (syncfd < 0) return;
  char buf[8192], esc[7000];
  int n;
  if (pid > 0) n = snprintf(buf, sizeof buf, "{\"data\": %ld}\n", pid);
  else {
    json_escape(esc, sizeof esc, msg, len);
    n = snprintf(buf, sizeof buf, "{\"data\": -1, \"message\": \"%s\"}\n", esc);
  }
  if (n > 0) write_all(syncfd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
  close(syncfd);
  syncfd = -1;
}

/* Removes what the shim made in the bundle and the socket directory. */
static void cleanup_files(void) {
  if (have_ctl) unlink(ctlpath);
  if (have_sock) { unlink(sockpath); rmdir(sockdir_id); }
  have_ctl = have_sock = 0;
}

__attribute__((noreturn, format(printf, 1, 2))) static void fail(const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof msg) n = sizeof msg - 1;
  dprintf(2, "infra-shim: %s\n", msg);
  char full[2100];
  int m = snprintf(full, sizeof full, "infra-shim: %s", msg);
  sync_send(-1, full, m > 0 ? (size_t)m : 0);
  cleanup_files();
  if (o.shimpidfile) unlink(o.shimpidfile);
  exit(1);
}

static int is_flag(const char *name, const char *s, const char *l) {
  return strcmp(name, s) == 0 || (l != NULL && strcmp(name, l) == 0);
}

/* A path built from parts; too long for PATH_MAX is an error, never a truncated path. */
static void path_of(char *out, size_t cap, const char *fmt, const char *a, const char *b) {
  int n = snprintf(out, cap, fmt, a, b);
  if (n < 0 || (size_t)n >= cap) fail("path too long: %s/%s", a, b);
}

static const char *flag_value(int argc, char **argv, int *i, const char *name, const char *eq) {
  if (eq) return eq + 1;
  if (*i + 1 >= argc) fail("flag %s needs a value", name);
  return argv[++*i];
}

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-') fail("unexpected argument '%s'", a);
    char name[64];
    const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
    size_t nl = eq ? (size_t)(eq - a) : strlen(a);
    if (nl >= sizeof name) fail("unknown flag '%s'", a);
    memcpy(name, a, nl);
    name[nl] = 0;
#define IS(s, l) is_flag(name, s, l)
#define VAL flag_value(argc, argv, &i, name, eq)
    if (IS("-t", "--terminal") || IS("-i", "--stdin"))
      fail("%s is not supported: containers with a terminal or stdin run under conmon", name);
    else if (IS("-c", "--cid")) o.id = VAL;
    else if (IS("-u", "--cuuid") || IS("-n", "--name") || IS("--api-version", NULL) || IS("--log-level", NULL)) (void)VAL;
    else if (IS("-r", "--runtime")) o.runc = VAL;
    else if (IS("-b", "--bundle")) o.bundle = VAL;
    else if (IS("-p", "--container-pidfile")) o.pidfile = VAL;
    else if (IS("-l", "--log-path")) {
      const char *v = VAL;
      if (strncmp(v, "k8s-file:", 9) == 0) v += 9;
      else if (strchr(v, ':') && v[0] != '/') fail("log driver of '%s' is not supported (only k8s-file)", v);
      o.logpath = v;
    } else if (IS("--exit-dir", NULL)) o.exitdir = VAL;
    else if (IS("--socket-dir-path", NULL)) o.sockdir = VAL;
    else if (IS("--conmon-pidfile", NULL)) o.shimpidfile = VAL;
    else if (IS("--persist-dir", NULL) || IS("-P", NULL)) (void)VAL; /* OOM is read from the cgroup */
    else if (IS("--runtime-arg", NULL)) {
      if (o.nrargs >= MAX_RUNTIME_ARGS) fail("too many --runtime-arg (at most %d)", MAX_RUNTIME_ARGS);
      o.rargs[o.nrargs++] = VAL;
    } else if (IS("--log-size-max", NULL)) {
      const char *v = VAL;
      char *end;
      errno = 0;
      o.logmax = strtoll(v, &end, 10);
      if (errno || *end || end == v) fail("--log-size-max: '%s' is not a number", v);
    } else fail("unknown flag '%s'", a);
#undef IS
#undef VAL
  }
  if (!o.id || !o.bundle || !o.pidfile || !o.logpath || !o.exitdir || !o.sockdir)
    fail("missing flags: -c, -b, -p, -l, --exit-dir and --socket-dir-path are required");
}

static void open_log(void) {
  if (logfd >= 0) close(logfd);
  logfd = open(o.logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  struct stat st;
  logsize = logfd >= 0 && fstat(logfd, &st) == 0 ? (long long)st.st_size : 0;
}

/* RFC 3339 with nanoseconds and the local offset, as conmon writes it. */
static int format_time(char *out, size_t cap, const struct timespec *ts) {
  struct tm tm;
  localtime_r(&ts->tv_sec, &tm);
  char base[32];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  long off = tm.tm_gmtoff;
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  return snprintf(out, cap, "%s.%09ld%c%02ld:%02ld", base, ts->tv_nsec, sign, off / 3600, (off % 3600) / 60);
}

static void close_client(int i) {
  close(clients[i]);
  clients[i] = clients[--nclients];
}

/* One chunk of output: k8s-file records to the log, one packet to every attach client. */
static void handle_output(int stream, const struct timespec *ts, const char *data, size_t n) {
  if (n == 0) return;
  char tbuf[64];
  int tl = format_time(tbuf, sizeof tbuf, ts);
  const char *sname = stream == 2 ? "stdout" : "stderr";
  size_t lines = 1;
  for (size_t i = 0; i < n; i++) lines += data[i] == '\n';
  size_t cap = n + lines * ((size_t)tl + 16);
  char *rec = malloc(cap);
  if (rec) {
    size_t len = 0, start = 0;
    while (start < n) {
      const char *nlp = memchr(data + start, '\n', n - start);
      size_t end = nlp ? (size_t)(nlp - data) : n;
      len += (size_t)snprintf(rec + len, cap - len, "%s %s %c ", tbuf, sname, nlp ? 'F' : 'P');
      memcpy(rec + len, data + start, end - start);
      len += end - start;
      rec[len++] = '\n';
      start = nlp ? end + 1 : n;
    }
    if (logfd >= 0) {
      /* conmon's backstop: a file that would pass the limit starts again. */
      if (o.logmax > 0 && logsize + (long long)len > o.logmax) {
        if (ftruncate(logfd, 0) == 0) logsize = 0;
      }
      write_all(logfd, rec, len);
      logsize += (long long)len;
    }
    free(rec);
  }
  char pkt[CHUNK + 1];
  for (size_t off = 0; off < n; off += CHUNK - 1) {
    size_t part = n - off < CHUNK - 1 ? n - off : CHUNK - 1;
    pkt[0] = (char)stream;
    memcpy(pkt + 1, data + off, part);
    for (int i = 0; i < nclients;) {
      if (send(clients[i], pkt, part + 1, MSG_NOSIGNAL) < 0 && errno != EINTR) close_client(i);
      else i++;
    }
  }
}

/* Output that arrived while runc ran: container output on success, runc's error on failure. */
struct early { int stream; struct timespec ts; size_t n; };
static char *early_buf;
static size_t early_len, early_cap;

static void keep_early(int stream, const struct timespec *ts, const char *data, size_t n) {
  size_t need = early_len + sizeof(struct early) + n;
  if (need > early_cap) {
    size_t c = early_cap ? early_cap * 2 : 16384;
    while (c < need) c *= 2;
    char *nb = realloc(early_buf, c);
    if (!nb) return;
    early_buf = nb;
    early_cap = c;
  }
  struct early e = {stream, *ts, n};
  memcpy(early_buf + early_len, &e, sizeof e);
  memcpy(early_buf + early_len + sizeof e, data, n);
  early_len += sizeof e + n;
}

static void replay_early(int as_output, char *msg, size_t *msglen, size_t msgcap) {
  for (size_t off = 0; off < early_len;) {
    struct early e;
    memcpy(&e, early_buf + off, sizeof e);
    const char *d = early_buf + off + sizeof e;
    if (as_output) handle_output(e.stream, &e.ts, d, e.n);
    else {
      size_t take = e.n < msgcap - *msglen ? e.n : msgcap - *msglen;
      memcpy(msg + *msglen, d, take);
      *msglen += take;
    }
    off += sizeof e + e.n;
  }
  free(early_buf);
  early_buf = NULL;
  early_len = early_cap = 0;
}

static void make_ctl(void) {
  path_of(ctlpath, sizeof ctlpath, "%s/%s", o.bundle, "ctl");
  unlink(ctlpath);
  if (mkfifo(ctlpath, 0600) != 0) fail("cannot create %s: %s", ctlpath, strerror(errno));
  have_ctl = 1;
}

static int make_attach_socket(void) {
  path_of(sockdir_id, sizeof sockdir_id, "%s/%s", o.sockdir, o.id);
  mkdir(o.sockdir, 0700);
  if (mkdir(sockdir_id, 0700) != 0 && errno != EEXIST) fail("cannot create %s: %s", sockdir_id, strerror(errno));
  path_of(sockpath, sizeof sockpath, "%s/%s", sockdir_id, "attach");
  unlink(sockpath);
  have_sock = 1;
  int dfd = open(sockdir_id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) fail("cannot open %s: %s", sockdir_id, strerror(errno));
  /* Through the directory's fd: the full path may pass sun_path's 108 bytes. */
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/attach", dfd);
  int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, MAX_CLIENTS) != 0)
    fail("cannot listen on %s: %s", sockpath, strerror(errno));
  close(dfd);
  return s;
}

static void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  write_all(fd, text, strlen(text));
  close(fd);
}

/* The exit code, written atomically: the engine watches the directory. */
static void write_exit_file(int code) {
  char text[16];
  snprintf(text, sizeof text, "%d", code);
  write_file(exit_tmp, text);
  rename(exit_tmp, exit_path);
}

static long read_pidfile(void) {
  char buf[32] = {0};
  int fd = open(o.pidfile, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  long pid = strtol(buf, NULL, 10);
  return pid > 0 ? pid : -1;
}

static pid_t spawn_runc(int outw, int errw) {
  const char *argv[MAX_RUNTIME_ARGS + 10];
  int n = 0;
  argv[n++] = o.runc;
  for (int i = 0; i < o.nrargs; i++) argv[n++] = o.rargs[i];
  argv[n++] = "run";
  argv[n++] = "-d";
  argv[n++] = "--pid-file";
  argv[n++] = o.pidfile;
  argv[n++] = "-b";
  argv[n++] = o.bundle;
  argv[n++] = o.id;
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid != 0) return pid;
  /* runc and the container start with the default signal state, stdin /dev/null. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  int nul = open("/dev/null", O_RDONLY);
  if (nul < 0 || dup2(nul, 0) < 0 || dup2(outw, 1) < 0 || dup2(errw, 2) < 0) _exit(127);
  execvp(o.runc, (char *const *)argv);
  dprintf(2, "cannot run %s: %s\n", o.runc, strerror(errno));
  _exit(127);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

/* A spare's arguments, from the engine's socket; it is the sync pipe after (syncfd). */
static char spare_buf[SPARE_ARGS_MAX + 1];
static char *spare_argv[2 * MAX_RUNTIME_ARGS + 64];

/* Exactly n bytes, or 0 at EOF before any; a short read after some is an error. */
static size_t read_full(int fd, char *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail("reading arguments: %s", strerror(errno));
    if (r == 0) break;
    got += (size_t)r;
  }
  return got;
}

static int read_spare_args(char *argv0, const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof a.sun_path) fail("socket path too long: %s", path);
  strcpy(a.sun_path, path);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) exit(0); /* no engine listens: nothing to do */
  syncfd = fd; /* from here on a failure is reported to the engine */
  char hello[48];
  int hn = snprintf(hello, sizeof hello, "spare %d\n", (int)getpid());
  write_all(fd, hello, (size_t)hn);
  char head[24];
  size_t hl = 0;
  for (;;) { /* the length line */
    if (read_full(fd, head + hl, 1) == 0) exit(0); /* released unused */
    if (head[hl] == '\n') break;
    if (++hl >= sizeof head - 1) fail("bad argument header");
  }
  head[hl] = 0;
  char *end;
  unsigned long len = strtoul(head, &end, 10);
  if (*end != 0 || len == 0 || len > SPARE_ARGS_MAX) fail("bad argument length '%s'", head);
  if (read_full(fd, spare_buf, len) != len) fail("the engine closed the socket within the arguments");
  spare_buf[len] = 0;
  if (spare_buf[len - 1] != 0) fail("arguments not ended by NUL");
  int n = 0;
  spare_argv[n++] = argv0;
  for (size_t i = 0; i < len; i += strlen(spare_buf + i) + 1) {
    if (n >= (int)(sizeof spare_argv / sizeof spare_argv[0]) - 1) fail("too many arguments");
    spare_argv[n++] = spare_buf + i;
  }
  spare_argv[n] = NULL;
  return n;
}

/* Reads what the pipes hold now into the log; 1 when both are at EOF (closed then, -1). */
static int drain_to_eof(int pipes[2], char *buf, size_t cap) {
  for (int i = 0; i < 2; i++)
    while (pipes[i] >= 0) {
      ssize_t n = read(pipes[i], buf, cap - 1);
      if (n > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        handle_output(2 + i, &ts, buf, (size_t)n);
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(pipes[i]);
        pipes[i] = -1;
      } else if (errno == EAGAIN) break;
    }
  return pipes[0] < 0 && pipes[1] < 0;
}

/* The container is gone: the rest of its output, attach clients, our files, then the exit file. */
static void finish_monitor(int pipes[2], int lsock, char *buf, size_t cap, int status) {
  for (int i = 0; i < 2; i++) {
    ssize_t n;
    while (pipes[i] >= 0 && (n = read(pipes[i], buf, cap - 1)) > 0) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      handle_output(2 + i, &ts, buf, (size_t)n);
    }
  }
  for (int i = nclients - 1; i >= 0; i--) {
    shutdown(clients[i], SHUT_RDWR);
    close_client(i);
  }
  close(lsock);
  cleanup_files();
  if (logfd >= 0) close(logfd);
  write_exit_file(exit_code_of(status));
}

int main(int argc, char **argv) {
  const char *sp = getenv("_OCI_SYNCPIPE");
  if (sp && *sp) {
    syncfd = atoi(sp);
    if (fcntl(syncfd, F_SETFD, FD_CLOEXEC) != 0) syncfd = -1;
  }
  unsetenv("_OCI_SYNCPIPE");
  if (argc == 3 && strcmp(argv[1], "--spare-socket") == 0) {
    argc = read_spare_args(argv[0], argv[2]);
    argv = spare_argv;
    /* Itself again with the container's flags, the socket as its sync pipe: `ps` and /proc show
     * a monitor as any other (its container's id), not as a spare. Should that fail, on as we are. */
    char fdtext[16];
    snprintf(fdtext, sizeof fdtext, "%d", syncfd);
    if (fcntl(syncfd, F_SETFD, 0) == 0 && setenv("_OCI_SYNCPIPE", fdtext, 1) == 0) {
      execv("/proc/self/exe", argv);
      unsetenv("_OCI_SYNCPIPE");
      fcntl(syncfd, F_SETFD, FD_CLOEXEC);
    }
  }
  parse_args(argc, argv);
  path_of(exit_tmp, sizeof exit_tmp, "%s/.%s.tmp", o.exitdir, o.id);
  path_of(exit_path, sizeof exit_path, "%s/%s", o.exitdir, o.id);
  tzset();
  setsid(); /* already a session leader when the engine spawned it detached: EPERM is fine */

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  if (sfd < 0) fail("signalfd: %s", strerror(errno));
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) fail("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));

  if (o.shimpidfile) {
    char text[24];
    snprintf(text, sizeof text, "%d", (int)getpid());
    write_file(o.shimpidfile, text);
  }
  open_log();
  if (logfd < 0) fail("cannot open log %s: %s", o.logpath, strerror(errno));
  make_ctl();
  int lsock = make_attach_socket();
  int ctl = open(ctlpath, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  int ctl_keep = open(ctlpath, O_WRONLY | O_CLOEXEC); /* no EOF on ctl between writers */
  if (ctl < 0 || ctl_keep < 0) fail("cannot open %s: %s", ctlpath, strerror(errno));

  int outp[2], errp[2];
  if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) fail("pipe: %s", strerror(errno));
  pid_t runc = spawn_runc(outp[1], errp[1]);
  if (runc < 0) fail("fork: %s", strerror(errno));
  close(outp[1]);
  close(errp[1]);
  int pipes[2] = {outp[0], errp[0]}; /* stream 2, stream 3; -1 once at EOF */
  for (int i = 0; i < 2; i++) fcntl(pipes[i], F_SETFL, O_NONBLOCK);

  int runc_done = 0, runc_status = 0;
  long ctr = 0;
  int ctr_done = 0, ctr_status = 0;
  pid_t early_pid[64];
  int early_st[64], nearly = 0;
  long long grace_end = 0;
  char ctlbuf[256];
  size_t ctllen = 0;
  char buf[CHUNK];

  for (;;) {
    if (ctr_done && ((pipes[0] < 0 && pipes[1] < 0) || now_ms() >= grace_end)) break;
    struct pollfd pf[5 + MAX_CLIENTS];
    int np = 0;
    pf[np++] = (struct pollfd){sfd, POLLIN, 0};
    int reading = runc_done || early_len < EARLY_CAP;
    for (int i = 0; i < 2; i++) pf[np++] = (struct pollfd){reading ? pipes[i] : -1, POLLIN, 0};
    pf[np++] = (struct pollfd){ctl, POLLIN, 0};
    pf[np++] = (struct pollfd){lsock, POLLIN, 0};
    for (int i = 0; i < nclients; i++) pf[np++] = (struct pollfd){clients[i], POLLIN, 0};
    int timeout = ctr_done ? (int)(grace_end - now_ms()) : -1;
    if (ctr_done && timeout < 0) timeout = 0;
    if (poll(pf, (nfds_t)np, timeout) < 0 && errno != EINTR) fail("poll: %s", strerror(errno));

    for (int i = 0; i < 2; i++) {
      if (pipes[i] < 0 || !(pf[1 + i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      /* Up to a pipe's worth at once: what one stream wrote earlier is not overtaken by the other. */
      for (int k = 0; k < PIPE_READS && pipes[i] >= 0; k++) {
        ssize_t n = read(pipes[i], buf, sizeof buf - 1);
        if (n > 0) {
          struct timespec ts;
          clock_gettime(CLOCK_REALTIME, &ts);
          if (runc_done) handle_output(2 + i, &ts, buf, (size_t)n);
          else keep_early(2 + i, &ts, buf, (size_t)n);
          if (n < (ssize_t)sizeof buf - 1) break;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          close(pipes[i]);
          pipes[i] = -1;
        } else break;
      }
    }

    if (pf[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {}
      int st;
      pid_t p;
      while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        if (p == runc) { runc_done = 1; runc_status = st; }
        else if (ctr > 0 && p == ctr) { ctr_done = 1; ctr_status = st; }
        else if (ctr == 0 && nearly < 64) { early_pid[nearly] = p; early_st[nearly++] = st; }
      }
      if (runc_done == 1) {
        runc_done = 2;
        ctr = WIFEXITED(runc_status) && WEXITSTATUS(runc_status) == 0 ? read_pidfile() : -1;
        if (ctr <= 0) {
          /* runc failed: drain what it said, report it, leave nothing behind. */
          for (int i = 0; i < 2; i++)
            while (pipes[i] >= 0) {
              ssize_t n = read(pipes[i], buf, sizeof buf);
              if (n <= 0) break;
              struct timespec ts = {0, 0};
              keep_early(2 + i, &ts, buf, (size_t)n);
            }
          char msg[6000];
          size_t ml = 0;
          replay_early(0, msg, &ml, sizeof msg);
          while (ml > 0 && (msg[ml - 1] == '\n' || msg[ml - 1] == ' ')) ml--;
          if (ml == 0) ml = (size_t)snprintf(msg, sizeof msg, "runc exited with code %d", exit_code_of(runc_status));
          sync_send(-1, msg, ml);
          cleanup_files();
          if (o.shimpidfile) unlink(o.shimpidfile);
          return 1;
        }
        for (int i = 0; i < nearly; i++)
          if (early_pid[i] == ctr) { ctr_done = 1; ctr_status = early_st[i]; }
        if (ctr_done) {
          /* A short container, gone already: its output and exit file before the sync message, so
           * that the engine finds the exit as the start returns (no second wake-up). Only when
           * nothing else holds its pipes; otherwise as below. */
          replay_early(1, NULL, NULL, 0);
          if (drain_to_eof(pipes, buf, sizeof buf)) {
            finish_monitor(pipes, lsock, buf, sizeof buf, ctr_status);
            sync_send(ctr, NULL, 0);
            return 0;
          }
        }
        sync_send(ctr, NULL, 0);
        /* From here on nobody reads our stdio: the engine may be gone. */
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) { dup2(nul, 0); dup2(nul, 1); dup2(nul, 2); if (nul > 2) close(nul); }
        replay_early(1, NULL, NULL, 0);
      }
      if (ctr_done && grace_end == 0) grace_end = now_ms() + DRAIN_GRACE_MS;
    }

    if (pf[3].revents & POLLIN) {
      ssize_t n = read(ctl, ctlbuf + ctllen, sizeof ctlbuf - 1 - ctllen);
      if (n > 0) {
        ctllen += (size_t)n;
        ctlbuf[ctllen] = 0;
        char *line = ctlbuf, *nlp;
        while ((nlp = strchr(line, '\n'))) {
          *nlp = 0;
          int type = 0, a = 0, b = 0;
          if (sscanf(line, "%d %d %d", &type, &a, &b) >= 1 && type == 2) open_log(); /* 1 = resize: no terminal */
          line = nlp + 1;
        }
        ctllen = strlen(line);
        memmove(ctlbuf, line, ctllen);
        if (ctllen >= sizeof ctlbuf - 1) ctllen = 0; /* a line too long to be ours */
      }
    }

    if (pf[4].revents & POLLIN) {
      int c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
      if (c >= 0 && nclients < MAX_CLIENTS) {
        /* A client that stops reading is dropped after this, not allowed to stall the container. */
        struct timeval tv = {2, 0};
        setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        clients[nclients++] = c;
      } else if (c >= 0) close(c);
    }
    /* Client input would be stdin, which these containers do not have: read and drop it. */
    for (int i = nclients - 1; i >= 0; i--) {
      int idx = 5 + i;
      if (idx >= np || !(pf[idx].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (pf[idx].fd != clients[i]) continue;
      ssize_t n = recv(clients[i], buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) close_client(i);
    }
  }

  /* Whatever a lingering process wrote until now still counts. */
  finish_monitor(pipes, lsock, buf, sizeof buf, ctr_status);
  return 0;
}
