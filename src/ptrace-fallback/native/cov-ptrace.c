/*
 * cov-ptrace: the native half of cov's breakpoint (ptrace) engine. One single-threaded process:
 * reads one job (a MessagePack map) on stdin, launches the program under ptrace, arms a one-byte
 * trap on every address it was given, and reports hits and process events as MessagePack maps on
 * fd 3. The program's own stdout/stderr are inherited untouched.
 *
 * Design notes: spec/ptrace-engine.md. In short: traps are written through /proc/<pid>/mem; the
 * load bias of an image is AT_ENTRY (from /proc/<pid>/auxv) minus the ELF e_entry the job gives;
 * the tracer blocks in waitpid(-1, __WALL); PTRACE_O_EXITKILL kills the tracees if this process
 * dies; every signal that is not one of our traps is re-injected (SIGCHLD included). One-shot mode
 * (default) restores the original byte for good on the first hit, so no thread can ever run over
 * a half-restored instruction; count mode single-steps the trapping thread over the original
 * instruction and re-arms, with per-thread stepping state.
 *
 * Job (MessagePack map, read to EOF from stdin):
 *   path: str            program to execve (absolute or relative to cwd)
 *   argv: [str]          argv, argv[0] included
 *   env: {str: str}      complete environment
 *   cwd?: str            working directory
 *   mode?: "oneshot" | "count"        default "oneshot"
 *   countLimit?: uint    count mode: an address that has trapped this many times is restored for
 *                        good (its count stops there, a lower bound); 0 = none (default)
 *   timeoutMs?: uint     0 = none; on expiry the process group is killed and results reported
 *   lingerMs?: uint      after the root process exits, how long traced descendants may still run
 *                        before they are killed (default 2000)
 *   stdinFd?: int        fd of this process to give the program as stdin; default /dev/null
 *   images: [{ path: str, buildId?: bin, entry: uint, addresses: bin (u64 LE, strictly ascending,
 *            link-time addresses), groups?: bin (u32 LE, one per address) }]
 *            groups (one-shot mode): addresses with the same group id stand for the same thing
 *            (one line of one function; ids are shared by all images); when one traps, the
 *            others are restored before the tracer next waits idle (batched: see
 *            restore_group), and a group already hit is not armed again.
 *   groupStateFile?: str   one byte per group id, shared by successive runs (locked): groups
 *            hit by earlier runs are not armed; this run's are added at the end.
 *            Executables to arm when a traced process execs them (matched by inode, path or GNU
 *            build id). A traced process other than the root that execs anything else is
 *            detached.
 *
 * Events (MessagePack maps on fd 3; key "t" names the event):
 *   spawn {pid}                     the root process exec'd successfully
 *   exec {pid, path, image}         a traced process exec'd; image = index or -1 (detached)
 *   fork {pid, child, kind}         kind "fork" | "vfork" | "clone" (a new process)
 *   signal {pid, sig}               a signal re-injected into a tracee
 *   hits {image, idx: bin u32 LE}   one-shot: newly hit address indices of an image
 *   counts {image, idx: bin u32 LE, n: bin u64 LE}   count mode: per-address hit counts (at end)
 *   warning {message, pid?}
 *   error {message, errno?, advice?} the job could not be run
 *   exit {pid, code? | signal?}     a traced process ended
 *   done {reason, exitCode?, signal?, armed, hits, traps, threads, processes, execs, signals,
 *         steps, elapsedMs, armMs, approximate, saturated}   always last; reason "exit" | "timeout" |
 *         "interrupt" | "error"
 *
 * Exit status: 0 when the job ran (whatever the program did), 1 when it could not be run, 2 for a
 * malformed job.
 *
 * Runner mode: `cov-ptrace --job FILE --events DIR PROGRAM [ARGS...]` (what cargo runs as
 * `target.runner`). The job file holds mode, timeoutMs, lingerMs and images only; the program,
 * its arguments, environment, working directory and stdin are this process's own; events go to
 * a new file DIR/events-<pid>.msgpack; errors are also printed on stderr; and the helper ends the
 * way the program did (same exit code, or the same signal), so cargo reports it unchanged.
 *
 * Linux only; x86_64 (int3, PC rewound by one) and aarch64 (BRK #0, PC at the trap).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if !defined(__linux__)
#error "cov-ptrace supports Linux only"
#endif

#if defined(__x86_64__)
#define BP_SIZE 1
static const uint8_t BP_BYTES[BP_SIZE] = {0xcc};
/* int3 leaves the PC one byte past the trap. */
#define TRAP_PC_OFFSET 1
#elif defined(__aarch64__)
#include <asm/ptrace.h>
#define BP_SIZE 4
/* BRK #0, little-endian; the PC stays at the BRK. */
static const uint8_t BP_BYTES[BP_SIZE] = {0x00, 0x00, 0x20, 0xd4};
#define TRAP_PC_OFFSET 0
#else
#error "cov-ptrace supports x86_64 and aarch64 only"
#endif

#ifndef PTRACE_O_EXITKILL
#define PTRACE_O_EXITKILL (1 << 20)
#endif
#ifndef TRAP_TRACE
#define TRAP_TRACE 2
#endif
#ifndef TRAP_BRKPT
#define TRAP_BRKPT 1
#endif
#ifndef KCMP_VM
#define KCMP_VM 1
#endif

/* ------------------------------------------------------------------------------------------ */
/* small utilities                                                                            */
/* ------------------------------------------------------------------------------------------ */

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "cov-ptrace: out of memory\n");
    _exit(1);
  }
  return p;
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) {
    fprintf(stderr, "cov-ptrace: out of memory\n");
    _exit(1);
  }
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) {
    fprintf(stderr, "cov-ptrace: out of memory\n");
    _exit(1);
  }
  return p;
}

static char *xstrndup(const char *s, size_t n) {
  char *p = xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------------------------------------ */
/* MessagePack: a growable writer and a bounds-checked reader                                 */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  uint8_t *data;
  size_t len, cap;
} buf_t;

static void buf_reserve(buf_t *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra) cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

static void buf_put(buf_t *b, const void *p, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void buf_byte(buf_t *b, uint8_t v) { buf_put(b, &v, 1); }

static void buf_be(buf_t *b, uint64_t v, int bytes) {
  uint8_t t[8];
  for (int i = 0; i < bytes; i++) t[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
  buf_put(b, t, (size_t)bytes);
}

static void mp_map(buf_t *b, uint32_t n) {
  if (n < 16) buf_byte(b, (uint8_t)(0x80 | n));
  else if (n < 65536) { buf_byte(b, 0xde); buf_be(b, n, 2); }
  else { buf_byte(b, 0xdf); buf_be(b, n, 4); }
}

static void mp_uint(buf_t *b, uint64_t v) {
  if (v < 128) buf_byte(b, (uint8_t)v);
  else if (v < 256) { buf_byte(b, 0xcc); buf_be(b, v, 1); }
  else if (v < 65536) { buf_byte(b, 0xcd); buf_be(b, v, 2); }
  else if (v <= 0xffffffffu) { buf_byte(b, 0xce); buf_be(b, v, 4); }
  else { buf_byte(b, 0xcf); buf_be(b, v, 8); }
}

static void mp_int(buf_t *b, int64_t v) {
  if (v >= 0) { mp_uint(b, (uint64_t)v); return; }
  if (v >= -32) buf_byte(b, (uint8_t)(int8_t)v);
  else if (v >= -128) { buf_byte(b, 0xd0); buf_be(b, (uint64_t)v, 1); }
  else if (v >= -32768) { buf_byte(b, 0xd1); buf_be(b, (uint64_t)v, 2); }
  else if (v >= INT32_MIN) { buf_byte(b, 0xd2); buf_be(b, (uint64_t)v, 4); }
  else { buf_byte(b, 0xd3); buf_be(b, (uint64_t)v, 8); }
}

static void mp_bool(buf_t *b, int v) { buf_byte(b, v ? 0xc3 : 0xc2); }

static void mp_strn(buf_t *b, const char *s, size_t n) {
  if (n < 32) buf_byte(b, (uint8_t)(0xa0 | n));
  else if (n < 256) { buf_byte(b, 0xd9); buf_be(b, n, 1); }
  else if (n < 65536) { buf_byte(b, 0xda); buf_be(b, n, 2); }
  else { buf_byte(b, 0xdb); buf_be(b, n, 4); }
  buf_put(b, s, n);
}

static void mp_str(buf_t *b, const char *s) { mp_strn(b, s, strlen(s)); }

static void mp_bin(buf_t *b, const void *p, size_t n) {
  if (n < 256) { buf_byte(b, 0xc4); buf_be(b, n, 1); }
  else if (n < 65536) { buf_byte(b, 0xc5); buf_be(b, n, 2); }
  else { buf_byte(b, 0xc6); buf_be(b, n, 4); }
  buf_put(b, p, n);
}

/* Reader: every read checks bounds; on malformed input it records the first error and returns
 * neutral values, so callers check mr->err once at the end. */
typedef struct {
  const uint8_t *p;
  size_t len, pos;
  const char *err;
  size_t err_at;
} mpr_t;

enum { MP_NIL, MP_BOOL, MP_INT, MP_UINT, MP_FLOAT, MP_STR, MP_BIN, MP_ARRAY, MP_MAP, MP_EXT, MP_BAD };

typedef struct {
  int type;
  uint64_t u; /* value for ints/bools, length for str/bin/array/map/ext */
  int64_t i;
  const uint8_t *data; /* str/bin/ext payload */
} mpv_t;

static void mpr_fail(mpr_t *r, const char *what) {
  if (!r->err) {
    r->err = what;
    r->err_at = r->pos;
  }
  r->pos = r->len;
}

static uint64_t mpr_be(mpr_t *r, int bytes) {
  if (r->len - r->pos < (size_t)bytes) {
    mpr_fail(r, "truncated number");
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) v = (v << 8) | r->p[r->pos + (size_t)i];
  r->pos += (size_t)bytes;
  return v;
}

static const uint8_t *mpr_bytes(mpr_t *r, uint64_t n) {
  if (r->len - r->pos < n) {
    mpr_fail(r, "truncated string or bin");
    return NULL;
  }
  const uint8_t *d = r->p + r->pos;
  r->pos += (size_t)n;
  return d;
}

/* Reads one value header; str/bin/ext payloads are consumed, array/map contents are not. */
static mpv_t mpr_next(mpr_t *r) {
  mpv_t v = {MP_BAD, 0, 0, NULL};
  if (r->pos >= r->len) {
    mpr_fail(r, "unexpected end of job");
    return v;
  }
  uint8_t c = r->p[r->pos++];
  if (c <= 0x7f) { v.type = MP_UINT; v.u = c; v.i = c; return v; }
  if (c >= 0xe0) { v.type = MP_INT; v.i = (int8_t)c; return v; }
  if ((c & 0xf0) == 0x80) { v.type = MP_MAP; v.u = c & 0x0f; return v; }
  if ((c & 0xf0) == 0x90) { v.type = MP_ARRAY; v.u = c & 0x0f; return v; }
  if ((c & 0xe0) == 0xa0) { v.type = MP_STR; v.u = c & 0x1f; v.data = mpr_bytes(r, v.u); return v; }
  switch (c) {
  case 0xc0: v.type = MP_NIL; return v;
  case 0xc2: v.type = MP_BOOL; v.u = 0; return v;
  case 0xc3: v.type = MP_BOOL; v.u = 1; return v;
  case 0xc4: case 0xc5: case 0xc6:
    v.type = MP_BIN; v.u = mpr_be(r, 1 << (c - 0xc4)); v.data = mpr_bytes(r, v.u); return v;
  case 0xc7: case 0xc8: case 0xc9:
    v.type = MP_EXT; v.u = mpr_be(r, 1 << (c - 0xc7)); mpr_be(r, 1); v.data = mpr_bytes(r, v.u); return v;
  case 0xca: v.type = MP_FLOAT; mpr_be(r, 4); return v;
  case 0xcb: v.type = MP_FLOAT; mpr_be(r, 8); return v;
  case 0xcc: case 0xcd: case 0xce: case 0xcf:
    v.type = MP_UINT; v.u = mpr_be(r, 1 << (c - 0xcc)); v.i = (int64_t)v.u; return v;
  case 0xd0: v.type = MP_INT; v.i = (int8_t)mpr_be(r, 1); return v;
  case 0xd1: v.type = MP_INT; v.i = (int16_t)mpr_be(r, 2); return v;
  case 0xd2: v.type = MP_INT; v.i = (int32_t)mpr_be(r, 4); return v;
  case 0xd3: v.type = MP_INT; v.i = (int64_t)mpr_be(r, 8); return v;
  case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
    v.type = MP_EXT; v.u = 1u << (c - 0xd4); mpr_be(r, 1); v.data = mpr_bytes(r, v.u); return v;
  case 0xd9: case 0xda: case 0xdb:
    v.type = MP_STR; v.u = mpr_be(r, 1 << (c - 0xd9)); v.data = mpr_bytes(r, v.u); return v;
  case 0xdc: v.type = MP_ARRAY; v.u = mpr_be(r, 2); return v;
  case 0xdd: v.type = MP_ARRAY; v.u = mpr_be(r, 4); return v;
  case 0xde: v.type = MP_MAP; v.u = mpr_be(r, 2); return v;
  case 0xdf: v.type = MP_MAP; v.u = mpr_be(r, 4); return v;
  default:
    r->pos--;
    mpr_fail(r, "unknown MessagePack type byte");
    return v;
  }
}

/* Skips one whole value (with its contents), bounded in depth. */
static void mpr_skip_value(mpr_t *r, mpv_t v, int depth) {
  if (depth > 32) {
    mpr_fail(r, "nesting too deep");
    return;
  }
  if (v.type == MP_ARRAY || v.type == MP_MAP) {
    uint64_t n = v.type == MP_MAP ? v.u * 2 : v.u;
    for (uint64_t i = 0; i < n && !r->err; i++) mpr_skip_value(r, mpr_next(r), depth + 1);
  }
}

static int mpv_is(const mpv_t *v, const char *key) {
  size_t n = strlen(key);
  return v->type == MP_STR && v->u == n && memcmp(v->data, key, n) == 0;
}

static int mpv_uint(const mpv_t *v, uint64_t *out) {
  if (v->type == MP_UINT) { *out = v->u; return 1; }
  if (v->type == MP_INT && v->i >= 0) { *out = (uint64_t)v->i; return 1; }
  return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* events on fd 3                                                                             */
/* ------------------------------------------------------------------------------------------ */

static int event_fd = 3;
static int runner_mode;
static buf_t events;
static int events_broken;

static void flush_events(void) {
  size_t off = 0;
  while (off < events.len && !events_broken) {
    ssize_t w = write(event_fd, events.data + off, events.len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      events_broken = 1; /* the reader went away: keep tracing, results are lost anyway */
      break;
    }
    off += (size_t)w;
  }
  events.len = 0;
}

static void maybe_flush(void) {
  if (events.len >= 256 * 1024) flush_events();
}

static void ev_warning(pid_t pid, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  mp_map(&events, pid ? 3 : 2);
  mp_str(&events, "t");
  mp_str(&events, "warning");
  mp_str(&events, "message");
  mp_str(&events, msg);
  if (pid) {
    mp_str(&events, "pid");
    mp_int(&events, pid);
  }
  maybe_flush();
}

static void ev_error(int err, const char *advice, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  mp_map(&events, 2 + (err ? 2 : 0) + (advice ? 1 : 0));
  mp_str(&events, "t");
  mp_str(&events, "error");
  mp_str(&events, "message");
  mp_str(&events, msg);
  if (err) {
    mp_str(&events, "errno");
    mp_int(&events, err);
    mp_str(&events, "code");
    mp_str(&events, strerrorname_np(err) ? strerrorname_np(err) : "E?");
  }
  if (advice) {
    mp_str(&events, "advice");
    mp_str(&events, advice);
  }
  flush_events();
  if (runner_mode) fprintf(stderr, "cov-ptrace: %s%s%s\n", msg, advice ? "\n  hint: " : "", advice ? advice : "");
}

/* ------------------------------------------------------------------------------------------ */
/* job state                                                                                  */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  char *path;
  dev_t dev;
  ino_t ino;
  int have_stat;
  uint8_t *build_id;
  size_t build_id_len;
  uint64_t entry;
  uint64_t *addrs; /* link-time addresses, strictly ascending */
  size_t n;
  uint8_t *orig; /* n * BP_SIZE original bytes, read when first armed */
  int orig_valid;
  uint8_t *hit;     /* one-shot: 1 once reported */
  uint64_t *counts; /* count mode: hits per address */
  uint32_t *pending; /* one-shot: hit indices not yet sent */
  size_t npending, cap_pending;
  /* One-shot groups (optional): addresses that stand for the same line of the same function.
   * Once one traps, the others are restored (queued, see restore_group) without waiting for
   * their traps. */
  uint32_t *group;         /* per address */
  size_t group_entries;    /* as read; must equal n */
  size_t ngroups;
  uint32_t *group_start;   /* ngroups + 1 offsets into group_members */
  uint32_t *group_members; /* address indices, by group */
} image_t;

/* One address space (mm): shared by threads and vfork children, copied on fork. */
typedef struct as_s {
  int refs;
  int image; /* index into images, -1 = nothing armed */
  uint64_t bias;
  int memfd;     /* /proc/<tid>/mem, opened lazily */
  int live;      /* tasks currently using it */
  int max_live;  /* most tasks that shared it at once */
  uint16_t *stepping; /* count mode: threads currently stepping over each address */
  uint8_t *group_restored; /* one-shot groups already restored in this address space */
  /* One-shot: address indices of restored groups whose original bytes are still to be written
   * (see restore_group); `queue_listed` is set while the AS is on the `queued_as` list. */
  uint32_t *queue;
  size_t nqueue, cap_queue;
  int queue_listed;
} as_t;

typedef struct {
  pid_t tid, tgid;
  as_t *as;
  int expect_stop; /* the initial SIGSTOP of a new task is still to come */
  int stepping;    /* count mode: single-stepping over addrs[step_index] */
  size_t step_index;
} task_t;

typedef struct {
  pid_t tid;
  int status;
} orphan_t;

static image_t *images;
static size_t nimages;
/* One-shot groups are ids shared by all images (one line of one function, wherever it was
 * compiled): a group hit in any image or any earlier run is not armed again. */
static uint8_t *groups_done;
static size_t ngroups_total;
static char *group_state_file;
static int count_mode;
static uint64_t count_limit; /* count mode: 0 = none */
static uint64_t timeout_ms, linger_ms = 2000;
static int stdin_fd = -1;
static char *job_path, *job_cwd;
static char **job_argv, **job_env;

static task_t *tasks;
static size_t ntasks, cap_tasks;
/* Address spaces with queued group restores (each holds a reference). */
static as_t **queued_as;
static size_t nqueued_as, cap_queued_as;
static unsigned stops_while_queued;
static orphan_t *orphans;
static size_t norphans, cap_orphans;

static pid_t root_pid;
static int root_exited, root_code = -1, root_signal;
static int have_root_status;

static volatile sig_atomic_t got_timeout, got_interrupt, kill_sent;
static volatile sig_atomic_t deadline_armed;
static int64_t deadline_ns; /* written only while SIGALRM is blocked or before the timer starts */
static int64_t linger_deadline_ns;

static struct {
  uint64_t armed, hits, traps, threads, processes, execs, signals, steps;
  uint64_t saturated; /* count mode: addresses that reached count_limit */
  int64_t arm_ns;
  int approximate;
} stats;

/* COV_PTRACE_STATS=1: where the tracer's time goes, printed on stderr at the end (development
 * aid; the event protocol does not carry it). Stops are classified by their wait status. */
enum { PK_TRAP, PK_NEW_TASK, PK_FIRST_STOP, PK_EXIT, PK_EXEC, PK_SIGNAL, PK_OTHER, PK_COUNT };
static const char *const PK_NAMES[PK_COUNT] = {"trap",     "clone/fork", "first-stop", "exit",
                                               "exec",     "signal",     "other"};
static struct {
  int on;
  uint64_t count[PK_COUNT];
  int64_t ns[PK_COUNT];
  int64_t wait_ns, setup_ns, parse_ns;
  uint64_t waits, restore_writes, ptrace_calls;
} prof;

/* ------------------------------------------------------------------------------------------ */
/* tasks                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static task_t *find_task(pid_t tid) {
  for (size_t i = 0; i < ntasks; i++)
    if (tasks[i].tid == tid) return &tasks[i];
  return NULL;
}

static as_t *as_new(int image, uint64_t bias) {
  as_t *as = xcalloc(1, sizeof *as);
  as->image = image;
  as->bias = bias;
  as->memfd = -1;
  if (count_mode && image >= 0) as->stepping = xcalloc(images[image].n, sizeof(uint16_t));
  if (!count_mode && image >= 0 && images[image].group)
    as->group_restored = xcalloc(images[image].ngroups, 1);
  return as;
}

static void as_ref(as_t *as) { as->refs++; }

static void as_unref(as_t *as) {
  if (--as->refs > 0) return;
  if (as->memfd >= 0) close(as->memfd);
  free(as->stepping);
  free(as->group_restored);
  free(as->queue);
  free(as);
}

static void task_set_as(task_t *t, as_t *as) {
  if (t->as) {
    t->as->live--;
    as_unref(t->as);
  }
  t->as = as;
  if (as) {
    as_ref(as);
    as->live++;
    if (as->live > as->max_live) as->max_live = as->live;
    if (count_mode && as->image >= 0 && as->live > 1) stats.approximate = 1;
  }
}

static task_t *add_task(pid_t tid, pid_t tgid, as_t *as) {
  if (ntasks == cap_tasks) {
    cap_tasks = cap_tasks ? cap_tasks * 2 : 64;
    tasks = xrealloc(tasks, cap_tasks * sizeof *tasks);
  }
  task_t *t = &tasks[ntasks++];
  memset(t, 0, sizeof *t);
  t->tid = tid;
  t->tgid = tgid;
  task_set_as(t, as);
  return t;
}

static void remove_task(task_t *t) {
  if (t->stepping && t->as && t->as->stepping && t->as->stepping[t->step_index] > 0)
    t->as->stepping[t->step_index]--;
  task_set_as(t, NULL);
  *t = tasks[--ntasks];
}

static int take_orphan(pid_t tid, int *status) {
  for (size_t i = 0; i < norphans; i++) {
    if (orphans[i].tid == tid) {
      *status = orphans[i].status;
      orphans[i] = orphans[--norphans];
      return 1;
    }
  }
  return 0;
}

static void add_orphan(pid_t tid, int status) {
  if (norphans == cap_orphans) {
    cap_orphans = cap_orphans ? cap_orphans * 2 : 16;
    orphans = xrealloc(orphans, cap_orphans * sizeof *orphans);
  }
  orphans[norphans].tid = tid;
  orphans[norphans].status = status;
  norphans++;
}

/* ------------------------------------------------------------------------------------------ */
/* registers and memory                                                                       */
/* ------------------------------------------------------------------------------------------ */

static int get_pc(pid_t tid, uint64_t *pc) {
#if defined(__x86_64__)
  errno = 0;
  long v = ptrace(PTRACE_PEEKUSER, tid, (void *)offsetof(struct user_regs_struct, rip), NULL);
  if (errno) return -1;
  *pc = (uint64_t)v;
  return 0;
#else
  struct user_pt_regs regs;
  struct iovec io = {&regs, sizeof regs};
  if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io) < 0) return -1;
  *pc = regs.pc;
  return 0;
#endif
}

static int set_pc(pid_t tid, uint64_t pc) {
#if defined(__x86_64__)
  return (int)ptrace(PTRACE_POKEUSER, tid, (void *)offsetof(struct user_regs_struct, rip),
                     (void *)pc);
#else
  struct user_pt_regs regs;
  struct iovec io = {&regs, sizeof regs};
  if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io) < 0) return -1;
  regs.pc = pc;
  return (int)ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &io);
#endif
}

static int as_memfd(as_t *as, pid_t tid) {
  if (as->memfd >= 0) return as->memfd;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", (int)tid);
  as->memfd = open(path, O_RDWR | O_CLOEXEC);
  return as->memfd;
}

static int mem_write(int fd, uint64_t addr, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = pwrite(fd, p, n, (off_t)addr);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    addr += (uint64_t)w;
    n -= (size_t)w;
  }
  return 0;
}

static int mem_read(int fd, uint64_t addr, uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t r = pread(fd, p, n, (off_t)addr);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    addr += (uint64_t)r;
    n -= (size_t)r;
  }
  return 0;
}

/* Index of link-time address `a` in the image, or -1. */
static long find_addr(const image_t *im, uint64_t a) {
  size_t lo = 0, hi = im->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (im->addrs[mid] < a) lo = mid + 1;
    else hi = mid;
  }
  return lo < im->n && im->addrs[lo] == a ? (long)lo : -1;
}

/* ------------------------------------------------------------------------------------------ */
/* images: identification, load bias, arming                                                  */
/* ------------------------------------------------------------------------------------------ */

/* Reads the GNU build id of the ELF file open at fd; returns its length (0 if none). */
static size_t read_build_id(int fd, uint8_t *out, size_t cap) {
  Elf64_Ehdr eh;
  if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh) return 0;
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64) return 0;
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 4096) return 0;
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != (ssize_t)sizeof ph) return 0;
    if (ph.p_type != PT_NOTE || ph.p_filesz > 65536) continue;
    uint8_t *notes = xmalloc(ph.p_filesz);
    size_t got = 0;
    if (pread(fd, notes, ph.p_filesz, (off_t)ph.p_offset) == (ssize_t)ph.p_filesz) {
      size_t off = 0;
      while (off + 12 <= ph.p_filesz) {
        uint32_t namesz, descsz, type;
        memcpy(&namesz, notes + off, 4);
        memcpy(&descsz, notes + off + 4, 4);
        memcpy(&type, notes + off + 8, 4);
        size_t name_off = off + 12;
        size_t desc_off = name_off + ((namesz + 3u) & ~3u);
        size_t next = desc_off + ((descsz + 3u) & ~3u);
        if (next > ph.p_filesz || desc_off > ph.p_filesz) break;
        if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(notes + name_off, "GNU", 4) == 0 &&
            descsz <= cap) {
          memcpy(out, notes + desc_off, descsz);
          got = descsz;
          break;
        }
        off = next;
      }
    }
    free(notes);
    if (got) return got;
  }
  return 0;
}

/* Which job image the process `pid` now runs (after exec), or -1. */
static int identify_image(pid_t pid, char *exe, size_t exe_cap) {
  char link[64];
  snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
  ssize_t n = readlink(link, exe, exe_cap - 1);
  exe[n > 0 ? n : 0] = 0;
  struct stat st;
  int have = stat(link, &st) == 0;
  for (size_t i = 0; i < nimages; i++) {
    if (have && images[i].have_stat && images[i].dev == st.st_dev && images[i].ino == st.st_ino)
      return (int)i;
    if (n > 0 && strcmp(exe, images[i].path) == 0) return (int)i;
  }
  int any_id = 0;
  for (size_t i = 0; i < nimages; i++) any_id |= images[i].build_id_len > 0;
  if (!any_id) return -1;
  int fd = open(link, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  uint8_t id[64];
  size_t idlen = read_build_id(fd, id, sizeof id);
  close(fd);
  if (idlen == 0) return -1;
  for (size_t i = 0; i < nimages; i++)
    if (images[i].build_id_len == idlen && memcmp(images[i].build_id, id, idlen) == 0) return (int)i;
  return -1;
}

/* AT_ENTRY of process `pid`, from /proc/<pid>/auxv. */
static int read_at_entry(pid_t pid, uint64_t *entry) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/auxv", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  uint64_t pair[2];
  int found = -1;
  for (;;) {
    ssize_t r = read(fd, pair, sizeof pair);
    if (r < 0 && errno == EINTR) continue;
    if (r != (ssize_t)sizeof pair || pair[0] == AT_NULL) break;
    if (pair[0] == AT_ENTRY) {
      *entry = pair[1];
      found = 0;
      break;
    }
  }
  close(fd);
  return found;
}

/* Count mode: whether address k has trapped count_limit times (it is no longer re-armed). */
static int saturated(const image_t *im, size_t k) {
  return count_limit != 0 && im->counts[k] >= count_limit;
}

/* Writes traps on every address of the AS's image (skipping one-shot addresses already hit in
 * an earlier process, and count-mode addresses at their limit): chunked read-modify-write while the process is stopped right after exec
 * and has a single thread. Returns the number armed, or -1. */
static long arm_as(as_t *as, pid_t tid) {
  image_t *im = &images[as->image];
  int fd = as_memfd(as, tid);
  if (fd < 0) return -1;
  int64_t t0 = now_ns();
  const uint64_t CHUNK = 64 * 1024;
  uint8_t *buf = xmalloc(CHUNK + BP_SIZE);
  if (!im->orig_valid) im->orig = xmalloc(im->n * BP_SIZE);
  long armed = 0;
  size_t i = 0;
  while (i < im->n) {
    uint64_t start = im->addrs[i];
    size_t j = i;
    while (j < im->n && im->addrs[j] + BP_SIZE - start <= CHUNK) j++;
    uint64_t span = im->addrs[j - 1] + BP_SIZE - start;
    int chunk_ok = mem_read(fd, start + as->bias, buf, span) == 0;
    if (chunk_ok) {
      long in_chunk = 0;
      for (size_t k = i; k < j; k++) {
        uint8_t *at = buf + (im->addrs[k] - start);
        if (!im->orig_valid) memcpy(im->orig + k * BP_SIZE, at, BP_SIZE);
        if (!count_mode && (im->hit[k] || (im->group && groups_done[im->group[k]]))) continue;
        if (count_mode && saturated(im, k)) continue;
        memcpy(at, BP_BYTES, BP_SIZE);
        in_chunk++;
      }
      chunk_ok = mem_write(fd, start + as->bias, buf, span) == 0;
      if (chunk_ok) armed += in_chunk;
    }
    if (!chunk_ok) {
      /* A chunk that spans unmapped memory: go address by address, skipping failures. */
      for (size_t k = i; k < j; k++) {
        uint64_t a = im->addrs[k] + as->bias;
        if (!im->orig_valid && mem_read(fd, a, im->orig + k * BP_SIZE, BP_SIZE) != 0) {
          memset(im->orig + k * BP_SIZE, 0, BP_SIZE);
          continue;
        }
        if (!count_mode && (im->hit[k] || (im->group && groups_done[im->group[k]]))) continue;
        if (count_mode && saturated(im, k)) continue;
        if (mem_write(fd, a, BP_BYTES, BP_SIZE) == 0) armed++;
      }
    }
    i = j;
  }
  free(buf);
  im->orig_valid = 1;
  if (as->group_restored) memcpy(as->group_restored, groups_done, im->ngroups);
  stats.arm_ns += now_ns() - t0;
  return armed;
}

/* Writes the original bytes back at address index `k` in `as`. */
static int restore_byte(as_t *as, pid_t tid, size_t k) {
  image_t *im = &images[as->image];
  prof.restore_writes++;
  int fd = as_memfd(as, tid);
  if (fd < 0) return -1;
  return mem_write(fd, im->addrs[k] + as->bias, im->orig + k * BP_SIZE, BP_SIZE);
}

static int rearm_byte(as_t *as, pid_t tid, size_t k) {
  image_t *im = &images[as->image];
  int fd = as_memfd(as, tid);
  if (fd < 0) return -1;
  return mem_write(fd, im->addrs[k] + as->bias, BP_BYTES, BP_SIZE);
}

static void record_hit(int image, size_t k) {
  image_t *im = &images[image];
  stats.traps++;
  if (count_mode) {
    if (im->counts[k]++ == 0) stats.hits++;
    return;
  }
  if (im->hit[k]) return;
  im->hit[k] = 1;
  stats.hits++;
  if (im->npending == im->cap_pending) {
    im->cap_pending = im->cap_pending ? im->cap_pending * 2 : 1024;
    im->pending = xrealloc(im->pending, im->cap_pending * sizeof(uint32_t));
  }
  im->pending[im->npending++] = (uint32_t)k;
  if (im->npending >= 16384) {
    mp_map(&events, 3);
    mp_str(&events, "t");
    mp_str(&events, "hits");
    mp_str(&events, "image");
    mp_uint(&events, (uint64_t)image);
    mp_str(&events, "idx");
    mp_bin(&events, im->pending, im->npending * sizeof(uint32_t));
    im->npending = 0;
    maybe_flush();
  }
}

static void emit_pending_hits(void) {
  for (size_t i = 0; i < nimages; i++) {
    image_t *im = &images[i];
    if (im->npending == 0) continue;
    mp_map(&events, 3);
    mp_str(&events, "t");
    mp_str(&events, "hits");
    mp_str(&events, "image");
    mp_uint(&events, i);
    mp_str(&events, "idx");
    mp_bin(&events, im->pending, im->npending * sizeof(uint32_t)); /* host order = LE */
    im->npending = 0;
  }
}

static void emit_counts(void) {
  for (size_t i = 0; i < nimages; i++) {
    image_t *im = &images[i];
    size_t nz = 0;
    for (size_t k = 0; k < im->n; k++) nz += im->counts[k] != 0;
    if (nz == 0) continue;
    uint32_t *idx = xmalloc(nz * sizeof *idx);
    uint64_t *cnt = xmalloc(nz * sizeof *cnt);
    size_t m = 0;
    for (size_t k = 0; k < im->n; k++) {
      if (im->counts[k] == 0) continue;
      idx[m] = (uint32_t)k;
      cnt[m] = im->counts[k];
      m++;
    }
    mp_map(&events, 4);
    mp_str(&events, "t");
    mp_str(&events, "counts");
    mp_str(&events, "image");
    mp_uint(&events, i);
    mp_str(&events, "idx");
    mp_bin(&events, idx, nz * sizeof *idx);
    mp_str(&events, "n");
    mp_bin(&events, cnt, nz * sizeof *cnt);
    free(idx);
    free(cnt);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* resuming and killing                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void resume(task_t *t, int sig) {
  long req = t->stepping ? PTRACE_SINGLESTEP : PTRACE_CONT;
  if (ptrace((enum __ptrace_request)req, t->tid, NULL, (void *)(long)sig) < 0 && errno != ESRCH)
    ev_warning(t->tid, "cannot resume task %d: %s", (int)t->tid, strerror(errno));
}

static void kill_everything(void) {
  if (root_pid > 0) kill(-root_pid, SIGKILL);
  for (size_t i = 0; i < ntasks; i++) kill(tasks[i].tid, SIGKILL);
  for (size_t i = 0; i < norphans; i++) kill(orphans[i].tid, SIGKILL);
}

static void on_alarm(int sig) {
  (void)sig;
  if (deadline_armed && !kill_sent && now_ns() >= deadline_ns) {
    got_timeout = 1;
    kill_sent = 1;
    if (root_pid > 0) kill(-root_pid, SIGKILL);
  }
}

static void on_interrupt(int sig) {
  (void)sig;
  got_interrupt = 1;
  if (!kill_sent) {
    kill_sent = 1;
    if (root_pid > 0) kill(-root_pid, SIGKILL);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* event handling                                                                             */
/* ------------------------------------------------------------------------------------------ */

static void ev_exit(pid_t pid, int status) {
  mp_map(&events, 3);
  mp_str(&events, "t");
  mp_str(&events, "exit");
  mp_str(&events, "pid");
  mp_int(&events, pid);
  if (WIFEXITED(status)) {
    mp_str(&events, "code");
    mp_int(&events, WEXITSTATUS(status));
  } else {
    mp_str(&events, "signal");
    mp_int(&events, WTERMSIG(status));
  }
  /* Send what we have at every process exit, so a killed helper loses little. */
  emit_pending_hits();
  flush_events();
}

/* The task `t` (tgid `pid`) has just exec'd: identify the image and arm it, or detach. */
static void handle_exec(task_t *t, int is_root_start) {
  pid_t pid = t->tid;
  char exe[4096];
  int image = identify_image(pid, exe, sizeof exe);
  stats.execs++;
  t->stepping = 0;
  if (image < 0 && !is_root_start && pid != root_pid) {
    mp_map(&events, 4);
    mp_str(&events, "t");
    mp_str(&events, "exec");
    mp_str(&events, "pid");
    mp_int(&events, pid);
    mp_str(&events, "path");
    mp_str(&events, exe);
    mp_str(&events, "image");
    mp_int(&events, -1);
    task_set_as(t, NULL);
    remove_task(t);
    if (ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0 && errno != ESRCH)
      ev_warning(pid, "cannot detach process %d: %s", (int)pid, strerror(errno));
    return;
  }
  uint64_t bias = 0;
  if (image >= 0) {
    uint64_t at_entry;
    if (read_at_entry(pid, &at_entry) != 0) {
      ev_warning(pid, "cannot read /proc/%d/auxv (%s): %s not armed", (int)pid, strerror(errno), exe);
      image = -1;
    } else {
      bias = at_entry - images[image].entry;
    }
  }
  as_t *as = as_new(image, bias);
  task_set_as(t, as);
  if (image >= 0) {
    long armed = arm_as(as, pid);
    if (armed < 0) {
      ev_warning(pid, "cannot write breakpoints into process %d (%s): %s not armed", (int)pid,
                 strerror(errno), exe);
      as->image = -1;
    } else {
      stats.armed += (uint64_t)armed;
    }
  }
  if (is_root_start) {
    mp_map(&events, 2);
    mp_str(&events, "t");
    mp_str(&events, "spawn");
    mp_str(&events, "pid");
    mp_int(&events, pid);
  }
  mp_map(&events, 4);
  mp_str(&events, "t");
  mp_str(&events, "exec");
  mp_str(&events, "pid");
  mp_int(&events, pid);
  mp_str(&events, "path");
  mp_str(&events, exe);
  mp_str(&events, "image");
  mp_int(&events, as->image);
  maybe_flush();
  resume(t, 0);
}

/* True when tasks a and b share one mm (kcmp); assumes they do when kcmp is unavailable. */
static int same_vm(pid_t a, pid_t b) {
  long r = syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);
  return r != 1 && r != 2;
}

static pid_t read_tgid(pid_t tid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
  FILE *f = fopen(path, "re");
  if (!f) return tid;
  pid_t tgid = tid;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "Tgid:", 5) == 0) {
      tgid = (pid_t)atoi(line + 5);
      break;
    }
  }
  fclose(f);
  return tgid;
}

/* True when `tid` is a thread of process `tgid`: one path lookup (the kernel checks the thread
 * group), much cheaper than generating and reading /proc/<tid>/status on every thread creation. */
static int is_thread_of(pid_t tgid, pid_t tid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d", (int)tgid, (int)tid);
  return access(path, F_OK) == 0;
}

static void handle_trap(task_t *t, int status);

/* A PTRACE_EVENT_{CLONE,FORK,VFORK} stop of parent `t`. */
static void handle_new_task(task_t *t, int event) {
  unsigned long msg = 0;
  if (ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &msg) < 0) {
    resume(t, 0);
    return;
  }
  pid_t child = (pid_t)msg;
  as_t *as;
  pid_t tgid;
  const char *kind = NULL;
  if (event == PTRACE_EVENT_CLONE) {
    tgid = is_thread_of(t->tgid, child) ? t->tgid : read_tgid(child);
    if (tgid == t->tgid) {
      as = t->as;
      stats.threads++;
    } else {
      kind = "clone";
      stats.processes++;
      as = same_vm(t->tid, child) ? t->as : NULL;
    }
  } else if (event == PTRACE_EVENT_VFORK) {
    tgid = child;
    kind = "vfork";
    stats.processes++;
    /* Shares the parent's memory until it execs, so it shares its table too: nothing is armed
     * for it, and a trap it hits is handled as a thread's would be (the restore is what the
     * parent needs anyway). */
    as = t->as;
  } else {
    tgid = child;
    kind = "fork";
    stats.processes++;
    as = NULL;
  }
  if (as == NULL) {
    /* A copy of the parent's memory, traps included: keep tracing it with the same table. */
    as = as_new(t->as ? t->as->image : -1, t->as ? t->as->bias : 0);
  }
  pid_t parent_tid = t->tid;
  pid_t parent_tgid = t->tgid;
  task_t *c = add_task(child, tgid, as); /* may move the task table */
  c->expect_stop = 1;
  if (kind) {
    mp_map(&events, 4);
    mp_str(&events, "t");
    mp_str(&events, "fork");
    mp_str(&events, "pid");
    mp_int(&events, parent_tgid);
    mp_str(&events, "child");
    mp_int(&events, child);
    mp_str(&events, "kind");
    mp_str(&events, kind);
    maybe_flush();
  }
  int early;
  if (take_orphan(child, &early)) {
    /* Its first stop was reported before this event; handle it now. */
    if (WIFSTOPPED(early) && WSTOPSIG(early) == SIGSTOP && (early >> 16) == 0) {
      c->expect_stop = 0;
      resume(c, 0);
    } else if (WIFSTOPPED(early)) {
      c->expect_stop = 0;
      if (WSTOPSIG(early) == SIGTRAP) handle_trap(c, early);
      else resume(c, WSTOPSIG(early));
    }
  }
  t = find_task(parent_tid);
  if (t) resume(t, 0);
}

/* The members of each group of `im` (address indices by group id, a counting sort), built on
 * first use: most images of a job never run in a given process. */
static void index_groups(image_t *im) {
  im->group_start = xcalloc(im->ngroups + 1, sizeof(uint32_t));
  for (size_t j = 0; j < im->n; j++) im->group_start[im->group[j] + 1]++;
  for (size_t g = 0; g < im->ngroups; g++) im->group_start[g + 1] += im->group_start[g];
  uint32_t *fill = xmalloc((im->ngroups + 1) * sizeof(uint32_t));
  memcpy(fill, im->group_start, (im->ngroups + 1) * sizeof(uint32_t));
  im->group_members = xmalloc((im->n ? im->n : 1) * sizeof(uint32_t));
  for (size_t j = 0; j < im->n; j++) im->group_members[fill[im->group[j]]++] = (uint32_t)j;
  free(fill);
}

/* Queued restores closer than this (bytes) are written as one read-modify-write of the span. */
#define RESTORE_GAP 8192
/* A span is never longer than this. */
#define RESTORE_SPAN 65536
/* A queue this long is written at once. */
#define RESTORE_QUEUE_MAX 256
/* Queued restores are written after this many stops handled while they wait, even if the tracer
 * is never idle (a stream of traps from many threads would otherwise keep hitting queued
 * addresses). */
#define RESTORE_AFTER_STOPS 4

static int index_order(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Writes the original bytes of every queued address of `as` (nothing if no task uses it any
 * more). Addresses ascend with their indices; neighbours closer than RESTORE_GAP go as one span:
 * read, original bytes patched in, written back. The other bytes of a span are written back as
 * they were read, which is safe while other threads run: only this (single-threaded) tracer
 * writes the tracee's code, so nothing changes between the read and the write, and a thread
 * executing there sees each byte either unchanged or, at a queued address, restored. */
static void write_queue(as_t *as) {
  static uint8_t span_buf[RESTORE_SPAN + BP_SIZE];
  size_t n = as->nqueue;
  as->nqueue = 0;
  if (n == 0 || as->live == 0 || as->memfd < 0 || as->image < 0) return;
  image_t *im = &images[as->image];
  uint32_t *q = as->queue;
  qsort(q, n, sizeof *q, index_order);
  size_t i = 0;
  while (i < n) {
    uint64_t start = im->addrs[q[i]];
    size_t j = i + 1;
    while (j < n && im->addrs[q[j]] - im->addrs[q[j - 1]] <= RESTORE_GAP &&
           im->addrs[q[j]] + BP_SIZE - start <= RESTORE_SPAN)
      j++;
    prof.restore_writes++;
    uint64_t span = im->addrs[q[j - 1]] + BP_SIZE - start;
    int ok = j - i > 1 && mem_read(as->memfd, start + as->bias, span_buf, span) == 0;
    if (ok) {
      for (size_t k = i; k < j; k++)
        memcpy(span_buf + (im->addrs[q[k]] - start), im->orig + (size_t)q[k] * BP_SIZE, BP_SIZE);
      ok = mem_write(as->memfd, start + as->bias, span_buf, span) == 0;
    }
    if (!ok) {
      /* one address, or a span that could not be read or written: byte by byte (a failure here
       * only costs a trap later, which is handled like any other) */
      for (size_t k = i; k < j; k++)
        mem_write(as->memfd, im->addrs[q[k]] + as->bias, im->orig + (size_t)q[k] * BP_SIZE,
                  BP_SIZE);
    }
    i = j;
  }
}

/* Writes every queued restore. */
static void write_queued_restores(void) {
  stops_while_queued = 0;
  for (size_t i = 0; i < nqueued_as; i++) {
    as_t *as = queued_as[i];
    write_queue(as);
    as->queue_listed = 0;
    as_unref(as);
  }
  nqueued_as = 0;
}

/* One-shot: the group of address k has been hit in `as`; its other addresses no longer need
 * traps. They are queued, not written at once: a group's addresses are copies of one line in
 * different functions (monomorphised or inlined), far apart, so writing them one by one costs a
 * system call each (8 per trap on serde_json's tests), while the queue, written when the tracer is
 * next idle (or a few stops later, or when it is long), lets the restores of many groups share
 * spans. A queued address that runs before its restore is written simply traps and is handled
 * like any other hit. */
static void restore_group(as_t *as, size_t k) {
  image_t *im = &images[as->image];
  if (!im->group_start) index_groups(im);
  uint32_t g = im->group[k];
  groups_done[g] = 1;
  if (as->group_restored[g]) return;
  as->group_restored[g] = 1;
  uint32_t first = im->group_start[g], end = im->group_start[g + 1];
  if (end - first <= 1) return;
  if (as->nqueue + (end - first) > as->cap_queue) {
    as->cap_queue = as->nqueue + (end - first) + (as->cap_queue ? as->cap_queue : 1024);
    as->queue = xrealloc(as->queue, as->cap_queue * sizeof(uint32_t));
  }
  for (uint32_t i = first; i < end; i++)
    if (im->group_members[i] != k) as->queue[as->nqueue++] = im->group_members[i];
  if (!as->queue_listed) {
    as->queue_listed = 1;
    as_ref(as);
    if (nqueued_as == cap_queued_as) {
      cap_queued_as = cap_queued_as ? 2 * cap_queued_as : 8;
      queued_as = xrealloc(queued_as, cap_queued_as * sizeof *queued_as);
    }
    queued_as[nqueued_as++] = as;
  }
  if (as->nqueue >= RESTORE_QUEUE_MAX) write_queue(as);
}

static void handle_breakpoint(task_t *t, uint64_t pc) {
  as_t *as = t->as;
  uint64_t trap_addr = pc - TRAP_PC_OFFSET;
  long k = find_addr(&images[as->image], trap_addr - as->bias);
  record_hit(as->image, (size_t)k);
  /* Unconditional: another thread may have restored it already, or a fork child may hold a trap
   * the parent's bookkeeping no longer shows; writing the original byte again is harmless. */
  if (restore_byte(as, t->tid, (size_t)k) != 0)
    ev_warning(t->tid, "cannot restore the original instruction at 0x%llx: %s",
               (unsigned long long)trap_addr, strerror(errno));
  if (as->group_restored) restore_group(as, (size_t)k);
  if (TRAP_PC_OFFSET && set_pc(t->tid, trap_addr) != 0)
    ev_warning(t->tid, "cannot rewind the PC to 0x%llx: %s", (unsigned long long)trap_addr,
               strerror(errno));
  if (count_mode && saturated(&images[as->image], (size_t)k)) {
    /* the count stops here: the original instruction stays, as in one-shot mode */
    if (images[as->image].counts[k] == count_limit) stats.saturated++;
  } else if (count_mode) {
    t->stepping = 1;
    t->step_index = (size_t)k;
    as->stepping[k]++;
    stats.steps++;
  }
  resume(t, 0);
}

static void finish_step(task_t *t) {
  as_t *as = t->as;
  size_t k = t->step_index;
  t->stepping = 0;
  if (as && as->image >= 0 && as->stepping) {
    if (as->stepping[k] > 0) as->stepping[k]--;
    if (as->stepping[k] == 0 && !saturated(&images[as->image], k) && rearm_byte(as, t->tid, k) != 0)
      ev_warning(t->tid, "cannot re-arm a breakpoint: %s", strerror(errno));
  }
}

static int is_trap_code(int code) {
#if defined(__x86_64__)
  return code == SI_KERNEL || code == TRAP_BRKPT;
#else
  return code == TRAP_BRKPT;
#endif
}

/* A SIGTRAP signal-delivery-stop: our breakpoint, the end of a single step, or a real SIGTRAP. */
static void handle_trap(task_t *t, int status) {
  (void)status;
  siginfo_t si;
  if (ptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si) < 0) {
    resume(t, 0);
    return;
  }
  int user_sent = si.si_code == SI_USER || si.si_code == SI_TKILL || si.si_code == SI_QUEUE;
  if (!user_sent && is_trap_code(si.si_code) && t->as && t->as->image >= 0) {
    uint64_t pc;
    if (get_pc(t->tid, &pc) == 0) {
      uint64_t a = pc - TRAP_PC_OFFSET - t->as->bias;
      if (find_addr(&images[t->as->image], a) >= 0) {
        if (t->stepping) finish_step(t); /* a step ended on the next trap */
        handle_breakpoint(t, pc);
        return;
      }
    }
  }
  if (t->stepping && !user_sent) {
    finish_step(t);
    resume(t, 0);
    return;
  }
  stats.signals++;
  resume(t, SIGTRAP);
}

/* The PK_* kind of a wait status, for COV_PTRACE_STATS. */
static int stop_kind(int status) {
  if (WIFEXITED(status) || WIFSIGNALED(status)) return PK_EXIT;
  if (!WIFSTOPPED(status)) return PK_OTHER;
  switch (status >> 16) {
  case 0:
    break;
  case PTRACE_EVENT_CLONE:
  case PTRACE_EVENT_FORK:
  case PTRACE_EVENT_VFORK:
    return PK_NEW_TASK;
  case PTRACE_EVENT_EXEC:
    return PK_EXEC;
  default:
    return PK_OTHER;
  }
  if (WSTOPSIG(status) == SIGTRAP) return PK_TRAP;
  if (WSTOPSIG(status) == SIGSTOP) return PK_FIRST_STOP;
  return PK_SIGNAL;
}

static void print_prof(void) {
  fprintf(stderr, "cov-ptrace stats (pid %d): parse %.1f ms, setup %.1f ms, waiting %.1f ms in %llu waits, "
                  "arming %.1f ms, %llu restore writes\n",
          (int)getpid(), prof.parse_ns / 1e6, prof.setup_ns / 1e6, prof.wait_ns / 1e6,
          (unsigned long long)prof.waits, stats.arm_ns / 1e6, (unsigned long long)prof.restore_writes);
  for (int k = 0; k < PK_COUNT; k++) {
    if (prof.count[k] == 0) continue;
    fprintf(stderr, "  %-10s %8llu stops %9.1f ms %7.2f us/stop\n", PK_NAMES[k],
            (unsigned long long)prof.count[k], prof.ns[k] / 1e6,
            prof.ns[k] / 1e3 / (double)prof.count[k]);
  }
}

static int is_stop_signal(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void handle_status(pid_t tid, int status) {
  task_t *t = find_task(tid);
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    int dummy;
    if (!t) {
      take_orphan(tid, &dummy);
      return;
    }
    if (t->tid == t->tgid) ev_exit(tid, status);
    if (tid == root_pid) {
      root_exited = 1;
      have_root_status = 1;
      if (WIFEXITED(status)) root_code = WEXITSTATUS(status);
      else root_signal = WTERMSIG(status);
    }
    remove_task(t);
    return;
  }
  if (!WIFSTOPPED(status)) return;
  if (!t) {
    add_orphan(tid, status); /* a new task whose parent's event has not been seen yet */
    return;
  }
  int sig = WSTOPSIG(status);
  int event = status >> 16;
  if (event != 0) {
    switch (event) {
    case PTRACE_EVENT_CLONE:
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
      handle_new_task(t, event);
      return;
    case PTRACE_EVENT_EXEC: {
      unsigned long former = 0;
      if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &former) == 0 && (pid_t)former != tid) {
        task_t *old = find_task((pid_t)former);
        if (old) remove_task(old); /* the exec'ing thread took over the leader's tid */
        t = find_task(tid);
        if (!t) return;
      }
      handle_exec(t, 0);
      return;
    }
    default:
      resume(t, 0);
      return;
    }
  }
  if (t->expect_stop && sig == SIGSTOP) {
    t->expect_stop = 0;
    resume(t, 0);
    return;
  }
  if (sig == SIGTRAP) {
    handle_trap(t, status);
    return;
  }
  if (is_stop_signal(sig)) {
    siginfo_t si;
    if (ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) < 0 && errno == EINVAL) {
      resume(t, 0); /* a group-stop: without PTRACE_SEIZE the best we can do is continue */
      return;
    }
  }
  stats.signals++;
  mp_map(&events, 3);
  mp_str(&events, "t");
  mp_str(&events, "signal");
  mp_str(&events, "pid");
  mp_int(&events, tid);
  mp_str(&events, "sig");
  mp_int(&events, sig);
  maybe_flush();
  resume(t, sig);
}

/* ------------------------------------------------------------------------------------------ */
/* job parsing                                                                                */
/* ------------------------------------------------------------------------------------------ */

static char *mpv_strdup(const mpv_t *v) { return xstrndup((const char *)v->data, (size_t)v->u); }

/* Little-endian arrays of the job (`addresses`, `groups`) into host integers. */
static void read_u64_le(uint64_t *out, const uint8_t *p, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n) memcpy(out, p, n * sizeof *out);
#else
  for (size_t j = 0; j < n; j++) {
    uint64_t a = 0;
    for (int b = 7; b >= 0; b--) a = (a << 8) | p[j * 8 + (size_t)b];
    out[j] = a;
  }
#endif
}

static void read_u32_le(uint32_t *out, const uint8_t *p, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n) memcpy(out, p, n * sizeof *out);
#else
  for (size_t j = 0; j < n; j++) {
    uint32_t g = 0;
    for (int b = 3; b >= 0; b--) g = (g << 8) | p[j * 4 + (size_t)b];
    out[j] = g;
  }
#endif
}

static int parse_image(mpr_t *r, image_t *im) {
  mpv_t m = mpr_next(r);
  if (m.type != MP_MAP) {
    mpr_fail(r, "image is not a map");
    return -1;
  }
  int have_entry = 0, have_addrs = 0;
  for (uint64_t i = 0; i < m.u && !r->err; i++) {
    mpv_t k = mpr_next(r);
    mpv_t v = mpr_next(r);
    if (r->err) break;
    if (mpv_is(&k, "path") && v.type == MP_STR) {
      im->path = mpv_strdup(&v);
    } else if (mpv_is(&k, "buildId") && v.type == MP_BIN) {
      im->build_id = xmalloc(v.u);
      memcpy(im->build_id, v.data, v.u);
      im->build_id_len = v.u;
    } else if (mpv_is(&k, "entry") && mpv_uint(&v, &im->entry)) {
      have_entry = 1;
    } else if (mpv_is(&k, "groups") && v.type == MP_BIN) {
      if (v.u % 4 != 0) {
        mpr_fail(r, "image groups: length is not a multiple of 4");
        break;
      }
      size_t count = v.u / 4;
      im->group = xmalloc((count ? count : 1) * sizeof(uint32_t));
      read_u32_le(im->group, v.data, count);
      for (size_t j = 0; j < count; j++)
        if (im->group[j] + 1 > im->ngroups) im->ngroups = im->group[j] + 1;
      im->ngroups = im->ngroups ? im->ngroups : 1;
      im->group_entries = count;
    } else if (mpv_is(&k, "addresses") && v.type == MP_BIN) {
      if (v.u % 8 != 0) {
        mpr_fail(r, "image addresses: length is not a multiple of 8");
        break;
      }
      im->n = v.u / 8;
      im->addrs = xmalloc((im->n ? im->n : 1) * sizeof(uint64_t));
      read_u64_le(im->addrs, v.data, im->n);
      for (size_t j = 1; j < im->n; j++) {
        if (im->addrs[j] <= im->addrs[j - 1]) {
          mpr_fail(r, "image addresses are not strictly ascending");
          break;
        }
      }
      have_addrs = 1;
    } else {
      mpr_skip_value(r, v, 0);
    }
  }
  if (!r->err && (!im->path || !have_entry || !have_addrs)) {
    mpr_fail(r, "image needs path, entry and addresses");
  }
  if (!r->err && im->group) {
    if (im->group_entries != im->n) {
      mpr_fail(r, "image groups: one group per address expected");
    } else if (im->ngroups > ngroups_total) {
      ngroups_total = im->ngroups; /* the members index is built when a group is first hit */
    }
  }
  return r->err ? -1 : 0;
}

static int parse_job(const uint8_t *data, size_t len, char *why, size_t why_cap) {
  mpr_t r = {data, len, 0, NULL, 0};
  mpv_t m = mpr_next(&r);
  if (m.type != MP_MAP) mpr_fail(&r, "job is not a map");
  size_t nenv = 0;
  for (uint64_t i = 0; i < m.u && !r.err; i++) {
    mpv_t k = mpr_next(&r);
    if (r.err) break;
    if (mpv_is(&k, "images")) {
      mpv_t a = mpr_next(&r);
      if (a.type != MP_ARRAY) {
        mpr_fail(&r, "images is not an array");
        break;
      }
      nimages = (size_t)a.u;
      if (nimages > 4096) {
        mpr_fail(&r, "too many images");
        break;
      }
      images = xcalloc(nimages, sizeof *images);
      for (size_t j = 0; j < nimages && !r.err; j++) parse_image(&r, &images[j]);
      continue;
    }
    if (mpv_is(&k, "argv")) {
      mpv_t a = mpr_next(&r);
      if (a.type != MP_ARRAY || a.u == 0 || a.u > 1000000) {
        mpr_fail(&r, "argv is not a non-empty array");
        break;
      }
      job_argv = xcalloc((size_t)a.u + 1, sizeof(char *));
      for (size_t j = 0; j < a.u && !r.err; j++) {
        mpv_t s = mpr_next(&r);
        if (s.type != MP_STR) mpr_fail(&r, "argv element is not a string");
        else job_argv[j] = mpv_strdup(&s);
      }
      continue;
    }
    if (mpv_is(&k, "env")) {
      mpv_t e = mpr_next(&r);
      if (e.type != MP_MAP || e.u > 1000000) {
        mpr_fail(&r, "env is not a map");
        break;
      }
      job_env = xcalloc((size_t)e.u + 1, sizeof(char *));
      for (size_t j = 0; j < e.u && !r.err; j++) {
        mpv_t ek = mpr_next(&r);
        mpv_t ev = mpr_next(&r);
        if (ek.type != MP_STR || ev.type != MP_STR) {
          mpr_fail(&r, "env entry is not a string pair");
          break;
        }
        char *s = xmalloc((size_t)ek.u + (size_t)ev.u + 2);
        memcpy(s, ek.data, ek.u);
        s[ek.u] = '=';
        memcpy(s + ek.u + 1, ev.data, ev.u);
        s[ek.u + 1 + ev.u] = 0;
        job_env[nenv++] = s;
      }
      continue;
    }
    mpv_t v = mpr_next(&r);
    if (r.err) break;
    uint64_t u;
    if (mpv_is(&k, "path") && v.type == MP_STR) job_path = mpv_strdup(&v);
    else if (mpv_is(&k, "cwd") && v.type == MP_STR) job_cwd = mpv_strdup(&v);
    else if (mpv_is(&k, "groupStateFile") && v.type == MP_STR) group_state_file = mpv_strdup(&v);
    else if (mpv_is(&k, "mode") && v.type == MP_STR) {
      if (v.u == 5 && memcmp(v.data, "count", 5) == 0) count_mode = 1;
      else if (v.u == 7 && memcmp(v.data, "oneshot", 7) == 0) count_mode = 0;
      else mpr_fail(&r, "mode must be \"oneshot\" or \"count\"");
    } else if (mpv_is(&k, "countLimit") && mpv_uint(&v, &u)) count_limit = u;
    else if (mpv_is(&k, "timeoutMs") && mpv_uint(&v, &u)) timeout_ms = u;
    else if (mpv_is(&k, "lingerMs") && mpv_uint(&v, &u)) linger_ms = u;
    else if (mpv_is(&k, "stdinFd") && (v.type == MP_INT || v.type == MP_UINT)) stdin_fd = (int)v.i;
    else mpr_skip_value(&r, v, 0);
  }
  if (!r.err && !job_argv) mpr_fail(&r, "job has no argv");
  if (!r.err && !job_env) job_env = xcalloc(1, sizeof(char *));
  if (!r.err && !job_path) job_path = strdup(job_argv[0]);
  if (r.err) {
    snprintf(why, why_cap, "malformed job at byte %zu: %s", r.err_at, r.err);
    return -1;
  }
  for (size_t i = 0; i < nimages; i++) {
    image_t *im = &images[i];
    struct stat st;
    if (stat(im->path, &st) == 0) {
      im->dev = st.st_dev;
      im->ino = st.st_ino;
      im->have_stat = 1;
    }
    char *real = realpath(im->path, NULL);
    if (real) {
      free(im->path);
      im->path = real;
    }
    im->hit = xcalloc(im->n, 1);
    if (count_mode) im->counts = xcalloc(im->n, sizeof(uint64_t));
  }
  groups_done = xcalloc(ngroups_total ? ngroups_total : 1, 1);
  return 0;
}

/* Merges the groups hit by earlier runs (from) or this run (to) with the shared state file: one
 * byte per group id, under an exclusive lock. Failures only cost speed, never correctness. */
static void sync_group_state(int write_back) {
  if (!group_state_file || count_mode || !groups_done || ngroups_total == 0) return;
  int fd = open(group_state_file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (flock(fd, LOCK_EX) == 0) {
    uint8_t *stored = xcalloc(ngroups_total, 1);
    ssize_t got = pread(fd, stored, ngroups_total, 0);
    for (ssize_t i = 0; i < got; i++) groups_done[i] |= stored[i];
    if (write_back) {
      if (pwrite(fd, groups_done, ngroups_total, 0) < 0) { /* a cache: ignore */
      }
    }
    free(stored);
  }
  close(fd);
}

static uint8_t *read_all(int fd, size_t *len) {
  buf_t b = {0};
  struct stat st;
  /* a job file (runner mode) is read into one buffer of its size, without regrowing */
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    buf_reserve(&b, (size_t)st.st_size + 1);
  for (;;) {
    if (b.len == b.cap) buf_reserve(&b, 65536);
    ssize_t r = read(fd, b.data + b.len, b.cap - b.len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    b.len += (size_t)r;
  }
  *len = b.len;
  return b.data;
}

/* ------------------------------------------------------------------------------------------ */
/* launching                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static const char *ptrace_advice(int err) {
  if (err != EPERM && err != EACCES && err != ENOSYS) return NULL;
  int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);
  char scope = 0;
  if (fd >= 0) {
    if (read(fd, &scope, 1) != 1) scope = 0;
    close(fd);
  }
  if (scope == '3')
    return "ptrace is disabled on this machine (kernel.yama.ptrace_scope = 3, which only a reboot "
           "resets); use instrumented coverage instead (--engine instrumented)";
  if (scope == '2')
    return "kernel.yama.ptrace_scope = 2 allows ptrace only with CAP_SYS_PTRACE: run as root, or "
           "`sudo sysctl kernel.yama.ptrace_scope=1`";
  return "ptrace is forbidden here, most likely by a container's seccomp profile or missing "
         "CAP_SYS_PTRACE: run the container with `--cap-add=SYS_PTRACE` (Docker/Podman) or "
         "`--security-opt seccomp=unconfined`, or use instrumented coverage";
}

/* Child side of the launch; reports a failure as (stage, errno) on `errfd` and exits 127. */
static void child_main(int errfd) {
  setpgid(0, 0);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* Fixed addresses make runs comparable; Docker's default seccomp profile forbids this, so a
   * failure is ignored (the load bias is computed per process anyway). */
  int pers = personality(0xffffffff);
  if (pers != -1) personality((unsigned long)pers | ADDR_NO_RANDOMIZE);
  int stage_err[2];
  if (stdin_fd == 0) {
    /* runner mode: the program keeps our stdin */
  } else if (stdin_fd > 0) {
    if (dup2(stdin_fd, 0) < 0) goto fail_stdin;
  } else {
    int nul = open("/dev/null", O_RDONLY);
    if (nul < 0 || dup2(nul, 0) < 0) goto fail_stdin;
    if (nul > 0) close(nul);
  }
  if (job_cwd && chdir(job_cwd) != 0) {
    stage_err[0] = 2;
    stage_err[1] = errno;
    goto fail;
  }
  if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) {
    stage_err[0] = 3;
    stage_err[1] = errno;
    goto fail;
  }
  raise(SIGSTOP); /* lets the tracer set its options before the exec */
  execve(job_path, job_argv, job_env);
  stage_err[0] = 4;
  stage_err[1] = errno;
  goto fail;
fail_stdin:
  stage_err[0] = 1;
  stage_err[1] = errno;
fail:
  if (write(errfd, stage_err, sizeof stage_err) < 0) { /* nothing more to do */
  }
  _exit(127);
}

static void report_launch_failure(int stage, int err) {
  switch (stage) {
  case 1:
    ev_error(err, NULL, "cannot set up stdin for %s: %s", job_path, strerror(err));
    break;
  case 2:
    ev_error(err, NULL, "cannot change to directory %s: %s", job_cwd, strerror(err));
    break;
  case 3:
    ev_error(err, ptrace_advice(err), "cannot trace %s: PTRACE_TRACEME failed: %s", job_path,
             strerror(err));
    break;
  default:
    ev_error(err, err == ENOENT ? "check the path; cov trace needs the path of an executable" : NULL,
             "cannot execute %s: %s", job_path, strerror(err));
    break;
  }
}

static void emit_done(const char *reason, int64_t t0) {
  sync_group_state(1);
  if (count_mode) emit_counts();
  else emit_pending_hits();
  int n = 14 + (have_root_status ? 1 : 0);
  mp_map(&events, (uint32_t)n);
  mp_str(&events, "t");
  mp_str(&events, "done");
  mp_str(&events, "reason");
  mp_str(&events, reason);
  if (have_root_status) {
    if (root_signal) {
      mp_str(&events, "signal");
      mp_int(&events, root_signal);
    } else {
      mp_str(&events, "exitCode");
      mp_int(&events, root_code);
    }
  }
  mp_str(&events, "armed");
  mp_uint(&events, stats.armed);
  mp_str(&events, "hits");
  mp_uint(&events, stats.hits);
  mp_str(&events, "traps");
  mp_uint(&events, stats.traps);
  mp_str(&events, "threads");
  mp_uint(&events, stats.threads);
  mp_str(&events, "processes");
  mp_uint(&events, stats.processes);
  mp_str(&events, "execs");
  mp_uint(&events, stats.execs);
  mp_str(&events, "signals");
  mp_uint(&events, stats.signals);
  mp_str(&events, "steps");
  mp_uint(&events, stats.steps);
  mp_str(&events, "elapsedMs");
  mp_uint(&events, (uint64_t)((now_ns() - t0) / 1000000));
  mp_str(&events, "armMs");
  mp_uint(&events, (uint64_t)(stats.arm_ns / 1000000));
  mp_str(&events, "approximate");
  mp_bool(&events, stats.approximate);
  mp_str(&events, "saturated");
  mp_uint(&events, stats.saturated);
  flush_events();
}

static void usage_exit(void) {
  fprintf(stderr, "usage: cov-ptrace (job on stdin, events on fd 3)\n"
                  "       cov-ptrace --job FILE --events DIR PROGRAM [ARGS...]   (cargo runner)\n");
  exit(2);
}

/* Runner mode: the job file gives mode, timeout and images; the program, its arguments,
 * environment, working directory and stdin are this process's own (cargo's `target.runner`
 * contract); events go to a new file DIR/events-<pid>.msgpack. */
static uint8_t *setup_runner(int argc, char **argv, size_t *job_len) {
  const char *job_file = NULL, *events_dir = NULL;
  int i = 1;
  while (i < argc) {
    if (strcmp(argv[i], "--job") == 0 && i + 1 < argc) job_file = argv[i + 1], i += 2;
    else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) events_dir = argv[i + 1], i += 2;
    else if (strcmp(argv[i], "--") == 0) { i++; break; }
    else break;
  }
  if (!job_file || !events_dir || i >= argc) usage_exit();
  runner_mode = 1;
  char path[4096];
  snprintf(path, sizeof path, "%s/events-%d.msgpack", events_dir, (int)getpid());
  event_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (event_fd < 0) {
    fprintf(stderr, "cov-ptrace: cannot create %s: %s\n", path, strerror(errno));
    exit(1);
  }
  int fd = open(job_file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ev_error(errno, NULL, "cannot open the job file %s: %s", job_file, strerror(errno));
    exit(1);
  }
  uint8_t *job = read_all(fd, job_len);
  close(fd);
  int n = argc - i;
  job_argv = xcalloc((size_t)n + 1, sizeof(char *));
  for (int k = 0; k < n; k++) job_argv[k] = argv[i + k];
  job_path = argv[i];
  extern char **environ;
  job_env = environ;
  stdin_fd = 0;
  return job;
}

/* Runner mode ends the way the program did, so cargo reports its result unchanged. */
static void exit_like_program(void) {
  if (root_signal) {
    signal(root_signal, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, root_signal);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), root_signal);
    _exit(128 + root_signal);
  }
  exit(root_code < 0 ? 1 : root_code);
}

int main(int argc, char **argv) {
  int64_t t0 = now_ns();
  size_t job_len;
  uint8_t *job;
  if (argc > 1) {
    job = setup_runner(argc, argv, &job_len);
  } else {
    if (fcntl(event_fd, F_GETFD) < 0) {
      fprintf(stderr, "cov-ptrace: fd 3 (the event pipe) is not open; this program is run by cov\n");
      return 2;
    }
    fcntl(event_fd, F_SETFD, FD_CLOEXEC);
    job = read_all(0, &job_len);
  }
  char why[256];
  const char *want_prof = getenv("COV_PTRACE_STATS");
  prof.on = want_prof != NULL && strcmp(want_prof, "1") == 0;
  int64_t parse_started = now_ns();
  int parsed = parse_job(job, job_len, why, sizeof why);
  prof.parse_ns = now_ns() - parse_started;
  if (parsed != 0) {
    ev_error(0, NULL, "%s", why);
    emit_done("error", t0);
    return 2;
  }
  free(job);
  if (stdin_fd > 2) fcntl(stdin_fd, F_SETFD, FD_CLOEXEC);
  sync_group_state(0);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm; /* no SA_RESTART: waitpid must return EINTR */
  sigaction(SIGALRM, &sa, NULL);
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);

  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) != 0) {
    ev_error(errno, NULL, "pipe: %s", strerror(errno));
    emit_done("error", t0);
    return 1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    ev_error(errno, NULL, "fork: %s", strerror(errno));
    emit_done("error", t0);
    return 1;
  }
  if (pid == 0) {
    close(errpipe[0]);
    child_main(errpipe[1]);
  }
  close(errpipe[1]);
  setpgid(pid, pid);
  root_pid = pid;

  /* The first stop is the child's raise(SIGSTOP), or its exit when something failed. */
  int status;
  while (waitpid(pid, &status, __WALL) < 0) {
    if (errno != EINTR) {
      ev_error(errno, NULL, "waitpid: %s", strerror(errno));
      emit_done("error", t0);
      return 1;
    }
  }
  if (!WIFSTOPPED(status)) {
    int stage_err[2] = {0, 0};
    if (read(errpipe[0], stage_err, sizeof stage_err) == (ssize_t)sizeof stage_err)
      report_launch_failure(stage_err[0], stage_err[1]);
    else
      ev_error(0, NULL, "%s ended before it could be traced (status 0x%x)", job_path, status);
    emit_done("error", t0);
    return 1;
  }
  long opts = PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
              PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD;
  if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)opts) != 0) {
    int err = errno;
    kill(pid, SIGKILL);
    ev_error(err, ptrace_advice(err), "PTRACE_SETOPTIONS failed: %s", strerror(err));
    emit_done("error", t0);
    return 1;
  }
  task_t *root = add_task(pid, pid, NULL);
  stats.processes = 1;
  resume(root, 0);
  /* Next: the exec event, or the exit after a failed execve. */
  for (;;) {
    if (waitpid(pid, &status, __WALL) < 0) {
      if (errno == EINTR) continue;
      ev_error(errno, NULL, "waitpid: %s", strerror(errno));
      emit_done("error", t0);
      return 1;
    }
    if (WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_EXEC) break;
    if (WIFSTOPPED(status)) {
      resume(root, WSTOPSIG(status) == SIGSTOP ? 0 : WSTOPSIG(status));
      continue;
    }
    int stage_err[2] = {0, 0};
    if (read(errpipe[0], stage_err, sizeof stage_err) == (ssize_t)sizeof stage_err)
      report_launch_failure(stage_err[0], stage_err[1]);
    else
      ev_error(0, NULL, "%s ended before its exec (status 0x%x)", job_path, status);
    emit_done("error", t0);
    return 1;
  }
  close(errpipe[0]);

  if (timeout_ms > 0) {
    deadline_ns = now_ns() + (int64_t)timeout_ms * 1000000;
    deadline_armed = 1;
  }
  /* A 100 ms tick interrupts waitpid so deadlines are noticed even when every tracee sleeps. */
  struct itimerval tick = {{0, 100000}, {0, 100000}};
  setitimer(ITIMER_REAL, &tick, NULL);

  handle_exec(root, 1);

  int lingering = 0;
  if (prof.on) prof.setup_ns = now_ns() - t0;
  for (;;) {
    int64_t waited = prof.on ? now_ns() : 0;
    /* Queued restores are written when no tracee is waiting for us, or after a few stops. */
    pid_t tid = 0;
    if (nqueued_as > 0 && ++stops_while_queued < RESTORE_AFTER_STOPS)
      tid = waitpid(-1, &status, __WALL | WNOHANG);
    if (tid == 0) {
      write_queued_restores();
      tid = waitpid(-1, &status, __WALL);
    }
    if (prof.on) {
      int64_t handled = now_ns();
      prof.wait_ns += handled - waited;
      prof.waits++;
      waited = handled;
    }
    if (tid < 0) {
      if (errno == ECHILD) break;
      if (errno != EINTR) {
        ev_warning(0, "waitpid: %s", strerror(errno));
        break;
      }
    } else {
      handle_status(tid, status);
      if (prof.on) {
        int kind = stop_kind(status);
        prof.count[kind]++;
        prof.ns[kind] += now_ns() - waited;
      }
    }
    if ((got_timeout || got_interrupt) && kill_sent == 1) {
      kill_sent = 2; /* the handler killed the group; also kill tasks that left it */
      kill_everything();
    }
    if (root_exited && !kill_sent) {
      if (ntasks == 0 && norphans == 0) break;
      if (!lingering) {
        lingering = 1;
        linger_deadline_ns = now_ns() + (int64_t)linger_ms * 1000000;
      } else if (now_ns() >= linger_deadline_ns) {
        ev_warning(0, "%zu traced processes/threads still ran %llu ms after the program exited; "
                      "killed them",
                   ntasks + norphans, (unsigned long long)linger_ms);
        kill_sent = 2;
        kill_everything();
      }
    }
    if (ntasks == 0 && norphans == 0 && root_exited) break;
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  const char *reason = got_interrupt ? "interrupt" : got_timeout ? "timeout" : "exit";
  emit_done(reason, t0);
  if (prof.on) print_prof();
  if (runner_mode) {
    if (got_timeout) fprintf(stderr, "cov-ptrace: %s timed out after %llu ms; killed it\n", job_path, (unsigned long long)timeout_ms);
    exit_like_program();
  }
  return 0;
}
