/*
 * The spawner (started by Spawner.start in spawner-client.ts): one small process per launcher that
 * prepares every evaluation's working directory and forks its process on the launcher's behalf.
 *
 * Why C: the spawner is what limits dispatch throughput (bench/dispatch). A Node process pays for
 * each child a fork() that copies the page tables of a ~40 MB heap, then blocks until the child has
 * exec'd. This process is a few hundred KB: its fork is cheap, and it does not wait for the exec.
 * The child prepares its own working directory and reports a failure through a close-on-exec pipe,
 * so directory creation and exec run on other cores while this loop already starts the next one.
 *
 * It is also the launcher's watchdog (docs/architecture.md, The C spawner): when its stdin ends, the launcher has exited or
 * died (even a SIGKILL closes the pipe), so every group it started and the launcher has not yet
 * released gets SIGTERM, then SIGKILL 2 s later, and the spawner exits.
 *
 * Protocol (see encodeRequest and SpawnerReport in spawner-client.ts):
 *   in:  records of NUL-terminated fields, the first the count of those that follow:
 *        spawn id cwd workdir result point pointJson stdout stderr argc argv... envc KEY=VALUE...
 *          (env is added to ours)
 *        release pgid       the launcher drained a group reported with members left
 *   out: JSON lines
 *        {"ev":"spawned","id","pid"}  pid is also the group id (each evaluation leads its own group)
 *        {"ev":"exit","id","code","signal","left"}  left: the group still has members (to release)
 *        {"ev":"error","id","message"}  could not start; nothing else follows for this id
 *        {"ev":"unprepared","id","message"}  could not write the working directory; nothing ran
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILL_AFTER_MS 2000
/* After the SIGKILL, a process in uninterruptible sleep (a hung NFS read) may linger: give up then. */
#define GIVE_UP_AFTER_MS 2000

/* A child started and not yet reaped. status_fd: read end of its close-on-exec pipe until the exec
 * (or a failure) is known, then -1. failed: it reported unprepared/error; its exit is not reported. */
struct kid {
  long id;
  pid_t pid;
  int status_fd;
  int failed;
};

static struct kid *kids;
static size_t nkids, capkids;
/* Groups started and not released: the ones to kill when the launcher goes. */
static pid_t *tracked;
static size_t ntracked, captracked;

static char *out;
static size_t outlen, outcap;

static void *grow(void *p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return p;
  size_t c = *cap ? *cap * 2 : 64;
  while (c < need) c *= 2;
  void *q = realloc(p, c * size);
  if (!q) {
    fputs("spruce spawner: out of memory\n", stderr);
    exit(70);
  }
  *cap = c;
  return q;
}

static void emit(const char *s, size_t n) {
  out = grow(out, &outcap, outlen + n, 1);
  memcpy(out + outlen, s, n);
  outlen += n;
}

static void emitf(const char *fmt, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  emit(buf, (size_t)n);
}

static void emit_json_string(const char *s) {
  emit("\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      emit(e, 2);
    } else if (c < 0x20) {
      emitf("\\u%04x", c);
    } else {
      emit((const char *)&c, 1);
    }
  }
  emit("\"", 1);
}

static void report_message(const char *ev, long id, const char *message) {
  emitf("{\"ev\":\"%s\",\"id\":%ld,\"message\":", ev, id);
  emit_json_string(message);
  emit("}\n", 2);
}

/* Reports go out once per loop turn: one write for all the exits the kernel reported at once. A
 * launcher that is gone cannot read: stdin's end does the cleanup, a write error is moot. */
static int flush_out(void) {
  size_t done = 0;
  while (done < outlen) {
    ssize_t n = write(1, out + done, outlen - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      outlen = 0;
      return -1;
    }
    done += (size_t)n;
  }
  outlen = 0;
  return 0;
}

/* Node's names, so the launcher reads the same codes as from node:fs and node:child_process. */
static const char *errno_name(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EEXIST: return "EEXIST";
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EROFS: return "EROFS";
    case EIO: return "EIO";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOMEM: return "ENOMEM";
    case EAGAIN: return "EAGAIN";
    case ENOEXEC: return "ENOEXEC";
    case E2BIG: return "E2BIG";
    case ETXTBSY: return "ETXTBSY";
    case ESTALE: return "ESTALE";
    default: return NULL;
  }
}

static const char *signal_name(int s) {
  switch (s) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGCHLD: return "SIGCHLD";
    case SIGCONT: return "SIGCONT";
    case SIGSTOP: return "SIGSTOP";
    case SIGTSTP: return "SIGTSTP";
    case SIGTTIN: return "SIGTTIN";
    case SIGTTOU: return "SIGTTOU";
    case SIGURG: return "SIGURG";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGVTALRM: return "SIGVTALRM";
    case SIGPROF: return "SIGPROF";
    case SIGWINCH: return "SIGWINCH";
    case SIGIO: return "SIGIO";
    case SIGSYS: return "SIGSYS";
#ifdef SIGPWR
    case SIGPWR: return "SIGPWR";
#endif
    default: return NULL;
  }
}

static void track(pid_t pgid) {
  tracked = grow(tracked, &captracked, ntracked + 1, sizeof *tracked);
  tracked[ntracked++] = pgid;
}

static void untrack(pid_t pgid) {
  for (size_t i = 0; i < ntracked; i++)
    if (tracked[i] == pgid) {
      tracked[i] = tracked[--ntracked];
      return;
    }
}

/* ---- In the child, between fork and exec ---- */

/* Tells the spawner why the child gives up (kind 'U': unprepared, 'E': could not start) and exits. */
static void child_fail(int status_fd, char kind, const char *fmt, ...) {
  char buf[4096];
  buf[0] = kind;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + 1, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n > sizeof buf - 2) n = (int)sizeof buf - 2;
  ssize_t ignored = write(status_fd, buf, (size_t)n + 1);
  (void)ignored;
  _exit(127);
}

/* As node:fs words it: "ENOTDIR: not a directory, mkdir '/a/b'". */
static void child_fs_fail(int status_fd, int e, const char *syscall, const char *path) {
  const char *name = errno_name(e);
  char msg[64];
  strncpy(msg, strerror(e), sizeof msg - 1);
  msg[sizeof msg - 1] = 0;
  if (msg[0] >= 'A' && msg[0] <= 'Z') msg[0] = (char)(msg[0] - 'A' + 'a');
  if (name) child_fail(status_fd, 'U', "%s: %s, %s '%s'", name, msg, syscall, path);
  child_fail(status_fd, 'U', "E%d: %s, %s '%s'", e, msg, syscall, path);
}

/* As node:child_process words a failed start: "spawn /bin/sh ENOENT". */
static void child_start_fail(int status_fd, const char *program, int e) {
  const char *name = errno_name(e);
  if (name) child_fail(status_fd, 'E', "spawn %s %s", program, name);
  child_fail(status_fd, 'E', "spawn %s E%d", program, e);
}

/* mkdir -p; returns 1 when it created the last component, 0 when it was there, -1 (errno) on error. */
static int mkdir_p(char *path) {
  if (mkdir(path, 0777) == 0) return 1;
  if (errno == EEXIST) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
    errno = ENOTDIR;
    return -1;
  }
  if (errno != ENOENT) return -1;
  char *slash = strrchr(path, '/');
  if (!slash || slash == path) return -1;
  *slash = 0;
  int parent = mkdir_p(path);
  *slash = '/';
  if (parent < 0) return -1;
  if (mkdir(path, 0777) == 0 || errno == EEXIST) return 1;
  return -1;
}

/* Creates (or truncates) a file for the child; a failure ends the child as unprepared. */
static int create_file(int status_fd, const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) child_fs_fail(status_fd, errno, "open", path);
  return fd;
}

struct spawn_req {
  long id;
  char *cwd, *workdir, *result, *point, *point_json, *out, *err;
  char **argv;
  char **env;
  size_t envc;
};

static void child(const struct spawn_req *r, int status_fd) {
  /* What exec keeps: ignored signals (ours, and any the launcher inherited, from nohup say) and the
   * blocked mask. The evaluation gets neither, as from node:child_process. */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* Its own session and group, so signals to -pid reach everything it forks and nothing of ours. */
  setsid();

  /* The working directory: created if missing; if it was there (a retry), an earlier attempt's
   * result must not be taken for this one's. */
  int created = mkdir_p(r->workdir);
  if (created < 0) child_fs_fail(status_fd, errno, "mkdir", r->workdir);
  if (created == 0 && unlink(r->result) < 0 && errno != ENOENT) child_fs_fail(status_fd, errno, "unlink", r->result);
  int point = create_file(status_fd, r->point);
  size_t n = strlen(r->point_json);
  if (write(point, r->point_json, n) != (ssize_t)n || write(point, "\n", 1) != 1) child_fs_fail(status_fd, errno ? errno : EIO, "write", r->point);
  close(point);
  int o = create_file(status_fd, r->out);
  int e = create_file(status_fd, r->err);
  int in = open("/dev/null", O_RDONLY);
  if (in < 0) child_fs_fail(status_fd, errno, "open", "/dev/null");
  dup2(in, 0);
  dup2(o, 1);
  dup2(e, 2);
  /* The evaluation gets 0, 1 and 2 only: the originals go, and everything else we hold (the
   * launcher's pipes, other children's status pipes) is close-on-exec. */
  if (in > 2) close(in);
  if (o > 2) close(o);
  if (e > 2) close(e);

  if (chdir(r->cwd) < 0) child_start_fail(status_fd, r->argv[0], errno);
  for (size_t i = 0; i < r->envc; i++) putenv(r->env[i]);
  /* execvp searches the PATH of the environment just set, as Node does with options.env. */
  execvp(r->argv[0], r->argv);
  child_start_fail(status_fd, r->argv[0], errno);
}

/* ---- In the spawner ---- */

static void start(struct spawn_req *r) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) {
    report_message("error", r->id, errno_name(errno) ? errno_name(errno) : "pipe failed");
    return;
  }
  pid_t pid = fork();
  if (pid < 0) {
    const char *name = errno_name(errno);
    char msg[256];
    snprintf(msg, sizeof msg, "spawn %s %s", r->argv[0], name ? name : "fork failed");
    close(pipefd[0]);
    close(pipefd[1]);
    report_message("error", r->id, msg);
    return;
  }
  if (pid == 0) {
    close(pipefd[0]);
    child(r, pipefd[1]);
  }
  close(pipefd[1]);
  kids = grow(kids, &capkids, nkids + 1, sizeof *kids);
  kids[nkids++] = (struct kid){.id = r->id, .pid = pid, .status_fd = pipefd[0], .failed = 0};
  track(pid);
}

/* The child's status pipe is readable: nothing and EOF means it exec'd (spawned); a message means it
 * gave up before running anything. Blocks at most until the child exits, which it does at once. */
static void read_status(struct kid *k) {
  char buf[4096];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(k->status_fd, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
    if (len >= sizeof buf - 1) break;
  }
  buf[len] = 0;
  close(k->status_fd);
  k->status_fd = -1;
  if (len == 0) {
    emitf("{\"ev\":\"spawned\",\"id\":%ld,\"pid\":%d}\n", k->id, (int)k->pid);
    return;
  }
  k->failed = 1;
  untrack(k->pid);
  report_message(buf[0] == 'U' ? "unprepared" : "error", k->id, buf + 1);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < nkids; i++) {
      if (kids[i].pid != pid) continue;
      struct kid k = kids[i];
      kids[i] = kids[--nkids];
      /* Its spawned (or failure) report comes before its exit. */
      if (k.status_fd >= 0) read_status(&k);
      if (k.failed) break;
      /* Usually the group died with its leader: then it is forgotten here and now, and the launcher
       * neither drains it nor sends a release. An empty group never comes back. */
      int left = kill(-pid, 0) == 0;
      if (!left) untrack(pid);
      emitf("{\"ev\":\"exit\",\"id\":%ld,\"code\":", k.id);
      if (WIFEXITED(status)) emitf("%d", WEXITSTATUS(status));
      else emit("null", 4);
      emit(",\"signal\":", 10);
      const char *sig = WIFSIGNALED(status) ? signal_name(WTERMSIG(status)) : NULL;
      if (sig) emitf("\"%s\"", sig);
      else emit("null", 4);
      emitf(",\"left\":%s}\n", left ? "true" : "false");
      break;
    }
  }
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Whether a group still has a live (non-zombie) member: members orphaned to a PID 1 that never
 * reaps (containers) stay zombies for ever and must not count. */
static int group_alive(pid_t pgid) {
  if (kill(-pgid, 0) < 0) return 0;
  DIR *d = opendir("/proc");
  if (!d) return 1;
  int alive = 0;
  struct dirent *ent;
  char path[300], buf[512];
  while (!alive && (ent = readdir(d))) {
    if (ent->d_name[0] < '0' || ent->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", ent->d_name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    /* Fields after "(comm) ": state ppid pgrp; comm may itself hold spaces and parentheses. */
    char *p = strrchr(buf, ')');
    char state;
    int ppid, pgrp;
    if (p && sscanf(p + 2, "%c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid && state != 'Z' && state != 'X') alive = 1;
  }
  closedir(d);
  return alive;
}

/* The launcher is gone: SIGTERM to every group it had not released, SIGKILL 2 s later, then exit. */
static void reap_and_exit(void) {
  for (size_t i = 0; i < ntracked; i++) kill(-tracked[i], SIGTERM);
  long kill_at = now_ms() + KILL_AFTER_MS;
  int killed = 0;
  while (ntracked > 0) {
    reap();
    outlen = 0; /* nobody reads our reports any more */
    for (size_t i = 0; i < ntracked;) {
      if (group_alive(tracked[i])) i++;
      else tracked[i] = tracked[--ntracked];
    }
    if (ntracked == 0) break;
    long now = now_ms();
    if (!killed && now >= kill_at) {
      for (size_t i = 0; i < ntracked; i++) kill(-tracked[i], SIGKILL);
      killed = 1;
    }
    if (now >= kill_at + GIVE_UP_AFTER_MS) break;
    struct timespec pause = {0, (killed ? 20 : 50) * 1000000L};
    nanosleep(&pause, NULL);
  }
  exit(0);
}

/* ---- Requests ---- */

static char *in;
static size_t inlen, incap;

/* One record from in[*pos]: "count\0" then count NUL-terminated fields. Returns the count, 0 while
 * the record is not complete yet. */
static size_t split_record(size_t *pos, char ***fields, size_t *capfields) {
  size_t p = *pos;
  char *nul = memchr(in + p, 0, inlen - p);
  if (!nul) return 0;
  size_t n = (size_t)strtoul(in + p, NULL, 10);
  if (n == 0) {
    fputs("spruce spawner: malformed request (field count)\n", stderr);
    exit(2);
  }
  p = (size_t)(nul - in) + 1;
  *fields = grow(*fields, capfields, n + 1, sizeof **fields);
  for (size_t i = 0; i < n; i++) {
    nul = memchr(in + p, 0, inlen - p);
    if (!nul) return 0;
    (*fields)[i] = in + p;
    p = (size_t)(nul - in) + 1;
  }
  (*fields)[n] = NULL;
  *pos = p;
  return n;
}

static void bad_request(const char *why) {
  fprintf(stderr, "spruce spawner: malformed request (%s)\n", why);
  exit(2);
}

static void apply(char **f, size_t n) {
  if (strcmp(f[0], "release") == 0) {
    if (n != 2) bad_request("release");
    untrack((pid_t)atol(f[1]));
    return;
  }
  if (strcmp(f[0], "spawn") != 0 || n < 10) bad_request(f[0]);
  struct spawn_req r = {.id = atol(f[1]), .cwd = f[2], .workdir = f[3], .result = f[4], .point = f[5], .point_json = f[6], .out = f[7], .err = f[8]};
  size_t argc = (size_t)atol(f[9]);
  if (argc == 0 || 10 + argc >= n) bad_request("argc");
  /* argv needs a NULL after it: the env count's field is copied out, then overwritten. */
  size_t envc = (size_t)atol(f[10 + argc]);
  if (11 + argc + envc != n) bad_request("envc");
  f[10 + argc] = NULL;
  r.argv = f + 10;
  r.env = f + 11 + argc;
  r.envc = envc;
  start(&r);
}

/* Returns 0 at the end of stdin. */
static int read_requests(void) {
  in = grow(in, &incap, inlen + 65536, 1);
  ssize_t n = read(0, in + inlen, incap - inlen);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (n <= 0) return 0;
  inlen += (size_t)n;
  static char **fields;
  static size_t capfields;
  size_t pos = 0, nf;
  while ((nf = split_record(&pos, &fields, &capfields)) > 0) apply(fields, nf);
  memmove(in, in + pos, inlen - pos);
  inlen -= pos;
  return 1;
}

int main(void) {
  /* A batch system ending the job signals every process of it. We ignore that: the launcher gets the
   * same SIGTERM and stops the evaluations through us, so they are recorded as interrupted (and
   * re-run) rather than lost half-started. We follow the launcher through its pipe alone. */
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) {
    perror("spruce spawner: signalfd");
    return 70;
  }
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);
  /* Descriptors the launcher's own parent leaked to it (node:child_process passes on whatever is not
   * close-on-exec) stop here: an evaluation gets 0, 1 and 2 only. A stray pipe end held by a
   * long-running evaluation would keep its reader from ever seeing the end of it. */
  DIR *inherited = opendir("/proc/self/fd");
  if (inherited) {
    struct dirent *ent;
    while ((ent = readdir(inherited))) {
      int fd = atoi(ent->d_name);
      if (fd > 2 && fd != dirfd(inherited)) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    closedir(inherited);
  }

  struct pollfd *fds = NULL;
  size_t capfds = 0;
  for (;;) {
    fds = grow(fds, &capfds, nkids + 2, sizeof *fds);
    fds[0] = (struct pollfd){.fd = 0, .events = POLLIN};
    fds[1] = (struct pollfd){.fd = sfd, .events = POLLIN};
    size_t nfds = 2;
    for (size_t i = 0; i < nkids; i++)
      if (kids[i].status_fd >= 0) fds[nfds++] = (struct pollfd){.fd = kids[i].status_fd, .events = POLLIN};
    if (poll(fds, nfds, -1) < 0) {
      if (errno == EINTR) continue;
      perror("spruce spawner: poll");
      reap_and_exit();
    }
    /* Starts first (their spawned reports precede any exit), then exits. */
    for (size_t j = 2; j < nfds; j++) {
      if (!fds[j].revents) continue;
      for (size_t i = 0; i < nkids; i++)
        if (kids[i].status_fd == fds[j].fd) {
          read_status(&kids[i]);
          break;
        }
    }
    if (fds[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {
      }
      reap();
    }
    int more = 1;
    if (fds[0].revents) more = read_requests();
    if (flush_out() < 0 || !more) reap_and_exit();
  }
}
