/*
 * infra: the `infra` command. `infra run` (and `infra container run`) without Node's start-up: the
 * command line, cwd and environment go to the engine as one `POST /run` (the argv form, see
 * src/providers/local-runtime/engine/engine-run-argv.ts) and the answer is attach frames
 * ([type:1][len:4 BE][payload]: 2 stdout, 3 stderr, 6 exit {"exitCode":N}). Everything else, and
 * every case the engine hands back (nobody listens, an old engine, a usage error, -i/-t, --help),
 * runs the Node CLI (dist/cli/main.js beside this binary's dist/native/) with the same argv; in
 * those cases nothing was created. Signals received while the container runs go to it through the
 * engine's kill route (Docker's sig-proxy); a third Ctrl-C stops waiting and leaves it running.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

enum { FRAME_STDOUT = 2, FRAME_STDERR = 3, FRAME_EXIT = 6, FRAME_ERROR = 7 };
enum { ENGINE_FAILED = 125 }; /* Docker's exit code for a failure of the engine itself */

static int g_argc;
static char **g_argv;
static char g_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char g_id[128];             /* the container, once the engine named it */
static int g_sigpipe[2] = {-1, -1}; /* self-pipe: the handler writes the signal number */
static int g_interrupts;
static int g_pending[NSIG];         /* signals received before the container had an id */
static int g_out_dead[3];           /* a closed stdout (EPIPE) is not written to again */

static const int FORWARDED[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

/* ---- the Node CLI ---- */

static void handle_signals(void);

static _Noreturn void exec_node(void) {
  for (size_t i = 0; i < sizeof FORWARDED / sizeof FORWARDED[0]; i++) signal(FORWARDED[i], SIG_DFL);
  if (g_sigpipe[0] >= 0) handle_signals(); /* the ones still in the pipe count too */
  signal(SIGPIPE, SIG_DFL); /* an ignored SIGPIPE would survive exec */
  for (int s = 1; s < NSIG; s++)
    if (g_pending[s]) _exit(128 + s); /* interrupted before anything ran: do not start it after all */
  static char exe[PATH_MAX], main_js[PATH_MAX + 32];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  char *slash;
  if (n <= 0 || (exe[n] = 0, slash = strrchr(exe, '/')) == NULL) {
    fprintf(stderr, "infra: cannot find the infra installation from /proc/self/exe: %s\n", strerror(errno));
    exit(1);
  }
  *slash = 0; /* .../dist/native */
  slash = strrchr(exe, '/');
  if (slash) *slash = 0; /* .../dist */
  snprintf(main_js, sizeof main_js, "%s/cli/main.js", exe);
  const char *node = getenv("INFRA_NODE");
  if (!node || !*node) node = "node";
  char **args = calloc((size_t)g_argc + 3, sizeof *args);
  if (!args) { perror("infra"); exit(1); }
  args[0] = (char *)node;
  /* `--`: Node 20 otherwise takes a `--env-file F` among the script's arguments as its own. */
  args[1] = "--";
  args[2] = main_js;
  for (int i = 1; i < g_argc; i++) args[i + 2] = g_argv[i];
  execvp(node, args);
  fprintf(stderr, "infra: cannot run %s (the Node.js the CLI needs; set INFRA_NODE to its path): %s\n", node, strerror(errno));
  exit(127);
}

/* ---- a growable buffer, and JSON strings ---- */

struct buf { char *p; size_t len, cap; };

static void put(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) exec_node(); /* out of memory: the Node CLI will not do better, but it says so */
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}
static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_json(struct buf *b, const char *s, size_t n) {
  put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; put(b, esc, 2); }
    else if (c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", c); put(b, esc, 6); }
    else put(b, (const char *)&c, 1); /* other bytes as they are: the engine reads UTF-8 */
  }
  put(b, "\"", 1);
}

/* ---- I/O that survives signals, short writes and non-blocking descriptors ---- */

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = fd < 3 ? write(fd, p, n) : send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) { handle_signals(); continue; }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        if (poll(&pf, 1, -1) < 0 && errno == EINTR) handle_signals();
        continue;
      }
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* The container's output: a reader that went away (EPIPE) stops that stream, not the run. */
static void out(int fd, const char *p, size_t n) {
  if (g_out_dead[fd]) return;
  if (write_all(fd, p, n) < 0) g_out_dead[fd] = 1;
}

static int connect_engine(void) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  memcpy(a.sun_path, g_socket, sizeof a.sun_path);
  while (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    if (errno == EINTR) continue;
    close(fd);
    return -1;
  }
  return fd;
}

/* $INFRA_RUN/engine.sock, as resolveLayout names it (an empty INFRA_RUN counts, as there). */
static int socket_path(void) {
  const char *run = getenv("INFRA_RUN");
  if (!run) run = "/run/infra";
  const char *sep = (*run == 0 || run[strlen(run) - 1] == '/') ? "" : "/";
  int n = snprintf(g_socket, sizeof g_socket, "%s%sengine.sock", run, sep);
  return n > 0 && (size_t)n < sizeof g_socket ? 0 : -1;
}

/* ---- signals: forwarded to the container through POST /containers/ID/kill ---- */

static void on_signal(int sig) {
  int saved = errno;
  unsigned char b = (unsigned char)sig;
  if (write(g_sigpipe[1], &b, 1) < 0) { /* a full pipe already holds enough wake-ups */ }
  errno = saved;
}

static const char *signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    default: return "SIGKILL";
  }
}

static void forward(int sig) {
  int fd = connect_engine();
  if (fd < 0) return;
  char req[512];
  int n = snprintf(req, sizeof req, "POST /containers/%s/kill?signal=%s HTTP/1.0\r\nHost: engine\r\nContent-Length: 0\r\n\r\n", g_id, signal_name(sig));
  if (n > 0 && (size_t)n < sizeof req && write_all(fd, req, (size_t)n) == 0) {
    /* Wait for the answer (a few ms), so that signals reach the container in order. */
    char sink[512];
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    while (poll(&pf, 1, 5000) > 0 || errno == EINTR) {
      ssize_t r = read(fd, sink, sizeof sink);
      if (r == 0 || (r < 0 && errno != EINTR)) break;
    }
  }
  close(fd);
}

static void handle_signals(void) {
  unsigned char sigs[64];
  ssize_t n;
  while ((n = read(g_sigpipe[0], sigs, sizeof sigs)) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      int sig = sigs[i];
      if (sig == SIGINT && ++g_interrupts >= 3) {
        if (g_id[0])
          fprintf(stderr, "\ninfra: three interrupts: stopped waiting; the container %.12s keeps running (`infra stop %.12s` stops it).\n", g_id, g_id);
        else
          fprintf(stderr, "\ninfra: three interrupts: stopped waiting for the engine (`infra ps -a` shows whether the container was made).\n");
        _exit(130);
      }
      if (g_id[0]) forward(sig);
      else g_pending[sig] = 1;
    }
  }
}

static void install_signals(void) {
  signal(SIGPIPE, SIG_IGN);
  if (pipe2(g_sigpipe, O_CLOEXEC | O_NONBLOCK) < 0) return; /* then signals keep their default action */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: a blocked write returns so that the signal is seen */
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof FORWARDED / sizeof FORWARDED[0]; i++) sigaction(FORWARDED[i], &sa, NULL);
}

/* ---- the response: frames ---- */

struct frames {
  unsigned char head[5];
  size_t have;       /* bytes of head read */
  uint32_t left;     /* payload bytes still to come */
  char exit[4096];   /* the exit frame's JSON */
  size_t exit_len;
};

/* Exits when the exit frame is complete. */
static void frame_done(struct frames *f) {
  if (f->head[0] == FRAME_EXIT) {
    f->exit[f->exit_len] = 0;
    const char *k = strstr(f->exit, "\"exitCode\"");
    if (k) {
      k += strlen("\"exitCode\"");
      while (*k == ' ' || *k == ':') k++;
      char *end;
      long code = strtol(k, &end, 10);
      if (end != k) exit((int)(code & 0xff));
    }
    fprintf(stderr, "infra: the engine sent an exit without a code: %s\n", f->exit);
    exit(ENGINE_FAILED);
  }
  f->have = 0;
}

static void frames_push(struct frames *f, const char *p, size_t n) {
  while (n > 0) {
    if (f->have < 5) {
      size_t take = 5 - f->have < n ? 5 - f->have : n;
      memcpy(f->head + f->have, p, take);
      f->have += take;
      p += take;
      n -= take;
      if (f->have == 5) {
        f->left = (uint32_t)f->head[1] << 24 | (uint32_t)f->head[2] << 16 | (uint32_t)f->head[3] << 8 | f->head[4];
        f->exit_len = 0;
        if (f->left == 0) frame_done(f);
      }
      continue;
    }
    size_t take = f->left < n ? f->left : n;
    switch (f->head[0]) {
      case FRAME_STDOUT: out(1, p, take); break;
      case FRAME_STDERR: case FRAME_ERROR: out(2, p, take); break;
      case FRAME_EXIT: {
        size_t room = sizeof f->exit - 1 - f->exit_len, keep = take < room ? take : room;
        memcpy(f->exit + f->exit_len, p, keep);
        f->exit_len += keep;
        break;
      }
      default: break; /* a frame type of a newer engine: skipped */
    }
    f->left -= (uint32_t)take;
    p += take;
    n -= take;
    if (f->left == 0) frame_done(f);
  }
}

/* Reads what is there; 0 at the end; handles signals meanwhile. */
static ssize_t read_some(int fd, char *p, size_t n) {
  for (;;) {
    struct pollfd pf[2] = {{.fd = fd, .events = POLLIN}, {.fd = g_sigpipe[0], .events = POLLIN}};
    int r = poll(pf, g_sigpipe[0] >= 0 ? 2 : 1, -1);
    if (r < 0 && errno != EINTR) return -1;
    if (g_sigpipe[0] >= 0) handle_signals();
    if (r <= 0 || !(pf[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t got = read(fd, p, n);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    return got;
  }
}

static _Noreturn void lost_engine(const char *when) {
  size_t dir = strlen(g_socket) - strlen("engine.sock"); /* the log is beside the socket */
  fprintf(stderr, "infra: the engine closed the connection %s, before the container's exit code (`infra ps -a` shows what is left; the engine's log is %.*sengine.log).\n",
          when, (int)dir, g_socket);
  exit(ENGINE_FAILED);
}

/* The value of a response header (case-insensitive name), copied into out. */
static void header(const char *head, const char *name, char *dst, size_t cap) {
  size_t nl = strlen(name);
  for (const char *l = strstr(head, "\r\n"); l; l = strstr(l, "\r\n")) {
    l += 2;
    if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
      const char *v = l + nl + 1;
      while (*v == ' ') v++;
      size_t i = 0;
      while (v[i] && v[i] != '\r' && i + 1 < cap && (v[i] == '_' || v[i] == '-' || v[i] == '.' || (v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z'))) i++;
      memcpy(dst, v, i);
      dst[i] = 0;
      return;
    }
  }
}

static _Noreturn void fast_run(int skip) {
  if (socket_path() < 0) exec_node();
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) exec_node();
  struct buf body = {0};
  puts_(&body, "{\"argv\":[");
  for (int i = skip; i < g_argc; i++) {
    if (i > skip) put(&body, ",", 1);
    put_json(&body, g_argv[i], strlen(g_argv[i]));
  }
  puts_(&body, "],\"cwd\":");
  put_json(&body, cwd, strlen(cwd));
  puts_(&body, ",\"env\":{");
  int first = 1;
  for (char **e = environ; *e; e++) {
    const char *eq = strchr(*e, '=');
    if (!eq || eq == *e) continue;
    if (!first) put(&body, ",", 1);
    first = 0;
    put_json(&body, *e, (size_t)(eq - *e));
    put(&body, ":", 1);
    put_json(&body, eq + 1, strlen(eq + 1));
  }
  puts_(&body, isatty(1) ? "},\"stdoutTty\":true" : "},\"stdoutTty\":false");
  puts_(&body, isatty(2) ? ",\"stderrTty\":true}" : ",\"stderrTty\":false}");

  int fd = connect_engine();
  if (fd < 0) exec_node(); /* nobody listens: the Node CLI starts the engine */
  install_signals();
  struct buf req = {0};
  char head[160];
  snprintf(head, sizeof head, "POST /run HTTP/1.0\r\nHost: engine\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n", body.len);
  puts_(&req, head);
  put(&req, body.p, body.len);
  /* The engine reads the whole body before it acts: a request cut short created nothing. */
  if (write_all(fd, req.p, req.len) < 0) { close(fd); exec_node(); }
  free(req.p);
  free(body.p);

  char resp[16384];
  size_t have = 0;
  char *end = NULL;
  while (!end) {
    if (have == sizeof resp - 1) lost_engine("with a response head too large");
    ssize_t r = read_some(fd, resp + have, sizeof resp - 1 - have);
    if (r <= 0) lost_engine("before it answered");
    have += (size_t)r;
    resp[have] = 0;
    end = strstr(resp, "\r\n\r\n");
  }
  *end = 0;
  const char *sp = strchr(resp, ' ');
  if (!sp || strncmp(sp + 1, "200", 3) != 0) { close(fd); exec_node(); } /* 404 old engine, 400, 409 ... */
  header(resp, "x-infra-container", g_id, sizeof g_id);
  if (g_id[0])
    for (int s = 1; s < NSIG; s++)
      if (g_pending[s]) { g_pending[s] = 0; forward(s); }

  static struct frames f;
  size_t off = (size_t)(end + 4 - resp);
  frames_push(&f, resp + off, have - off);
  static char chunk[65536];
  for (;;) {
    ssize_t r = read_some(fd, chunk, sizeof chunk);
    if (r <= 0) lost_engine("while the container ran");
    frames_push(&f, chunk, (size_t)r);
  }
}

int main(int argc, char **argv) {
  g_argc = argc;
  g_argv = argv;
  if (argc >= 2 && strcmp(argv[1], "run") == 0) fast_run(2);
  if (argc >= 3 && strcmp(argv[1], "container") == 0 && strcmp(argv[2], "run") == 0) fast_run(3);
  exec_node();
}
