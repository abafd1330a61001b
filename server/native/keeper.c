// shellgate-keeper: the parent every session program runs under, so that nothing it starts outlives
// it. See docs/security.md, "Containment", and docs/process-core.md, "The keeper".
//
//   shellgate-keeper --ppid PID [--cgroup DIR]... -- FILE [ARG...]
//
// The keeper is what the process core starts (posix_spawn, for a pipe or a terminal session), so it
// holds the place the program held: leader of the session and of its process group, with the
// terminal as controlling terminal. The program is forked into that same group and
// session, so every signal the core sends to the group or to the terminal's foreground job reaches
// it exactly as before. The keeper blocks every catchable signal and ignores them, except:
//
//   - SIGCHLD: it reaps. It is a child subreaper (PR_SET_CHILD_SUBREAPER), so whatever the program
//     leaves behind — double-forked daemons, `setsid` children — becomes its child, not init's.
//   - The request signal (KEEPER_REQUEST_SIGNAL) queued by its parent with sigqueue(3): the value
//     is a signal for the program's process group; SIGKILL means "kill everything now", which a
//     group SIGKILL would do to the keeper itself before it could clean up.
//   - Any wake-up after its parent (the gateway) died: PR_SET_PDEATHSIG delivers a catchable
//     signal, getppid() then differs. It kills every descendant and exits.
//
// When the program exits, the keeper kills every remaining descendant (only when it has other
// children: otherwise there is none) and exits with the program's status, re-raising a signal.
// With --cgroup DIR (the gateway created it; up to MAX_CGROUPS of them) the program and everything
// it starts are accounted, limited and killable there too. The program is born in a cgroup v2
// directory (clone3's CLONE_INTO_CGROUP, Linux 5.7+), which leaves the keeper outside it; into a v1
// hierarchy such as pids, or on an older kernel, the keeper moves itself first. Moving a process
// takes the kernel's cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period:
// 5-6 ms on an idle machine (0.2-0.3 ms on a busy one), for every session. Birth into a cgroup
// takes it only for reading: 0.1-0.25 ms either way.
//
// It makes its system calls through keeper-sys.h, which says why it is built without a C library
// where it can be: nothing here may call one (no stdio, malloc or string functions).
#include "keeper-sys.h"

// Catchable, so the keeper can clean up; SIGKILL would end it with its descendants left running.
#define PARENT_DEATH_SIGNAL K_SIGTERM
// Bounds for the kill loop: a fork bomb is outrun pass by pass, but never waited for forever.
#define KILL_PASSES 2000
#define KILL_PASS_WAIT_NS 5000000L
// The program could not be started (as env(1) and shells use: 126 not executable, 127 not found).
#define EXIT_CANNOT_EXEC 127
#define EXIT_KEEPER_FAILED 125
#define MAX_CGROUPS 4
#define PATH_BYTES 4096

static int self;
static char **environment;

// ---- text ---------------------------------------------------------------------------------------

static int same(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) a++, b++;
  return *a == *b;
}

/** Parses a decimal number at *text, advancing past it; -1 if there is none. */
static long number(const char **text) {
  const char *p = *text;
  if (*p < '0' || *p > '9') return -1;
  long value = 0;
  while (*p >= '0' && *p <= '9') value = value * 10 + (*p++ - '0');
  *text = p;
  return value;
}

/** Appends `text` to buffer[*used..size), leaving room for the final NUL; returns 0 if it did not fit. */
static int append(char *buffer, size_t size, size_t *used, const char *text) {
  for (; *text != '\0'; text++) {
    if (*used + 1 >= size) return 0;
    buffer[(*used)++] = *text;
  }
  buffer[*used] = '\0';
  return 1;
}

/** strerror(3)'s text for the errors the keeper's calls can meet (Linux's numbers). */
static const char *error_text(int error) {
  switch (error) {
    case 1: return "Operation not permitted";
    case K_ENOENT: return "No such file or directory";
    case 7: return "Argument list too long";
    case K_ENOEXEC: return "Exec format error";
    case 11: return "Resource temporarily unavailable";
    case 12: return "Cannot allocate memory";
    case K_EACCES: return "Permission denied";
    case 16: return "Device or resource busy";
    case K_ENOTDIR: return "Not a directory";
    case 21: return "Is a directory";
    case 22: return "Invalid argument";
    case 26: return "Text file busy";
    case 28: return "No space left on device";
    case 30: return "Read-only file system";
    case K_ENAMETOOLONG: return "File name too long";
    case 40: return "Too many levels of symbolic links";
    default: return "error";
  }
}

/** Writes "shellgate-keeper: <what>[ <detail>]: <error text>" to stderr. */
static void complain(const char *what, const char *detail, int error) {
  char line[PATH_BYTES + 256];
  size_t used = 0;
  append(line, sizeof line, &used, "shellgate-keeper: ");
  append(line, sizeof line, &used, what);
  if (detail != NULL) {
    append(line, sizeof line, &used, " ");
    append(line, sizeof line, &used, detail);
  }
  append(line, sizeof line, &used, ": ");
  append(line, sizeof line, &used, error_text(error));
  if (used + 1 < sizeof line) line[used++] = '\n';
  k_write(2, line, used);
}

__attribute__((noreturn)) static void fail(const char *what, const char *detail, long result) {
  complain(what, detail, (int)-result);
  k_exit(EXIT_KEEPER_FAILED);
}

// ---- finding and killing descendants ------------------------------------------------------------

typedef struct {
  int pid;
  int ppid;
  int mine;
} Entry;

/** The parent of `pid` from /proc/PID/stat (the field after the command name), or -1. */
static int parent_of(const char *pid) {
  char path[320], buffer[512];  // a directory entry's name is at most 255 bytes
  size_t used = 0;
  if (!append(path, sizeof path, &used, "/proc/") || !append(path, sizeof path, &used, pid) ||
      !append(path, sizeof path, &used, "/stat"))
    return -1;
  int fd = k_open(path, K_O_RDONLY | K_O_CLOEXEC);
  if (fd < 0) return -1;
  long length = k_read(fd, buffer, sizeof buffer - 1);
  k_close(fd);
  if (length <= 0) return -1;
  buffer[length] = '\0';
  const char *end = NULL;  // the last ')': the name may contain spaces and parentheses
  for (const char *p = buffer; *p != '\0'; p++)
    if (*p == ')') end = p;
  if (end == NULL || end[1] != ' ' || end[2] == '\0' || end[3] != ' ') return -1;
  char state = end[2];
  const char *field = end + 4;
  long ppid = number(&field);
  if (ppid < 0) return -1;
  return state == 'Z' ? -1 : (int)ppid;  // a zombie is dead already: its parent reaps it
}

/** A growable array of entries in anonymous memory. */
typedef struct {
  Entry *items;
  size_t count, capacity;
} Entries;

static int add_entry(Entries *entries, Entry entry) {
  if (entries->count == entries->capacity) {
    size_t capacity = entries->capacity == 0 ? 1024 : 2 * entries->capacity;
    Entry *grown = k_map(capacity * sizeof(Entry));
    if (grown == NULL) return 0;
    for (size_t i = 0; i < entries->count; i++) grown[i] = entries->items[i];
    if (entries->items != NULL) k_unmap(entries->items, entries->capacity * sizeof(Entry));
    entries->items = grown;
    entries->capacity = capacity;
  }
  entries->items[entries->count++] = entry;
  return 1;
}

/**
 * SIGKILLs every live process whose chain of parents leads to the keeper. Returns how many it
 * signalled. As a subreaper the keeper is an ancestor of every process its program started that is
 * still alive, whoever's child it became.
 */
static int kill_descendants_once(void) {
  int proc = k_open("/proc", K_O_RDONLY | K_O_DIRECTORY | K_O_CLOEXEC);
  if (proc < 0) return 0;
  Entries entries = {NULL, 0, 0};
  static char listing[32768] __attribute__((aligned(8)));
  int complete = 1;
  for (long got; complete && (got = k_getdents(proc, listing, sizeof listing)) > 0;) {
    for (long at = 0; at < got;) {
      const struct kdirent64 *item = (const struct kdirent64 *)(listing + at);
      at += item->reclen;
      if (item->name[0] < '1' || item->name[0] > '9') continue;
      int ppid = parent_of(item->name);
      if (ppid < 0) continue;
      const char *name = item->name;
      if (!add_entry(&entries, (Entry){(int)number(&name), ppid, 0})) {
        complete = 0;
        break;
      }
    }
  }
  k_close(proc);
  // Mark children of marked processes until nothing changes (passes <= depth of the tree).
  int changed = 1, killed = 0;
  Entry *all = entries.items;
  while (changed) {
    changed = 0;
    for (size_t i = 0; i < entries.count; i++) {
      if (all[i].mine) continue;
      int parent_mine = all[i].ppid == self;
      for (size_t j = 0; !parent_mine && j < entries.count; j++) {
        parent_mine = all[j].mine && all[j].pid == all[i].ppid;
      }
      if (parent_mine) all[i].mine = changed = 1;
    }
  }
  for (size_t i = 0; i < entries.count; i++) {
    if (all[i].mine && k_kill(all[i].pid, K_SIGKILL) == 0) killed++;
  }
  if (all != NULL) k_unmap(all, entries.capacity * sizeof(Entry));
  return killed;
}

/** Reaps every exited child; returns 1 while any child remains, 0 once there is none. */
static int reap(int program, int *program_status, int *program_done) {
  for (;;) {
    int status;
    int pid = k_wait(-1, &status, K_WNOHANG);
    if (pid > 0) {
      if (pid == program && !*program_done) {
        *program_status = status;
        *program_done = 1;
      }
      continue;
    }
    if (pid == -K_EINTR) continue;
    return pid != -K_ECHILD;
  }
}

/** Kills descendants pass after pass until the keeper has no child left (or the bound is hit). */
static void kill_everything(int program, int *program_status, int *program_done) {
  for (int pass = 0; pass < KILL_PASSES && reap(program, program_status, program_done); pass++) {
    kill_descendants_once();
    // Give the killed a moment to die and reparent to us; SIGCHLD wakes us early.
    ksigset chld = k_bit(K_SIGCHLD);
    ktimespec wait = {0, KILL_PASS_WAIT_NS};
    ksiginfo info;
    k_sigwait(&chld, &info, &wait);
  }
}

/** Ends the keeper as the program ended: the same exit code, or death by the same signal. */
__attribute__((noreturn)) static void exit_like(int status) {
  int signal = status & 0x7f;
  if (signal == 0) k_exit((status >> 8) & 0xff);  // exited
  if (signal == 0x7f) signal = K_SIGKILL;        // stopped: not an end, but end as killed
  k_no_core_dumps();  // the program dumped core, if it did; the keeper must not
  k_sigdefault(signal);
  ksigset only = k_bit(signal);
  k_sigmask(K_SIG_UNBLOCK, &only, NULL);
  k_kill(k_getpid(), signal);
  k_exit(128 + signal);  // a signal whose default is not to end the process
}

// ---- starting the program -----------------------------------------------------------------------

/** The value of `name` in the environment, or NULL. */
static const char *environment_value(const char *name) {
  for (char **entry = environment; entry != NULL && *entry != NULL; entry++) {
    const char *a = name, *b = *entry;
    while (*a != '\0' && *a == *b) a++, b++;
    if (*a == '\0' && *b == '=') return b + 1;
  }
  return NULL;
}

/**
 * Runs `file` as execvp(3) does: a name with a slash as it is, else each directory of PATH in turn
 * (glibc's default when PATH is unset), and a file the kernel cannot run (no `#!`) through /bin/sh.
 * Returns only on failure, with -errno.
 */
static int run_program(char **argv) {
  const char *file = argv[0];
  int has_slash = 0;
  for (const char *p = file; *p != '\0'; p++) has_slash |= *p == '/';
  int result = -K_ENOENT, denied = 0;
  const char *path = has_slash ? "" : environment_value("PATH");
  if (path == NULL) path = "/bin:/usr/bin";
  for (const char *dir = path;;) {
    const char *end = dir;
    while (*end != '\0' && *end != ':') end++;
    char candidate[PATH_BYTES];
    size_t used = 0;
    if (!has_slash) {
      size_t length = (size_t)(end - dir);
      if (length + 1 >= sizeof candidate) goto next;
      for (size_t i = 0; i < length; i++) candidate[used++] = dir[i];
      if (length > 0) candidate[used++] = '/';  // an empty entry is the current directory
      candidate[used] = '\0';
    }
    if (append(candidate, sizeof candidate, &used, file)) {
      result = k_execve(candidate, argv, environment);
      if (result == -K_ENOEXEC) {
        // As execvp: a script without `#!` runs under the shell (argv has room: see keeper_start).
        char **shell = argv - 1;
        shell[0] = "/bin/sh";
        argv[0] = candidate;
        result = k_execve("/bin/sh", shell, environment);
        argv[0] = (char *)file;
      }
      if (result == -K_EACCES) denied = 1;
      else if (result != -K_ENOENT && result != -K_ENOTDIR) return result;
    }
  next:
    if (has_slash || *end == '\0') break;
    dir = end + 1;
  }
  return denied ? -K_EACCES : result;
}

static void join_cgroup(const char *dir) {
  char path[PATH_BYTES];
  size_t used = 0;
  if (!append(path, sizeof path, &used, dir) || !append(path, sizeof path, &used, "/cgroup.procs"))
    fail("cgroup path too long:", dir, -K_ENAMETOOLONG);
  int fd = k_open(path, K_O_WRONLY | K_O_CLOEXEC);
  if (fd < 0) fail("cannot open", path, fd);
  long written = k_write(fd, "0\n", 2);
  if (written != 2) fail("cannot join cgroup", dir, written < 0 ? written : -K_EIO);
  k_close(fd);
}

/** The directory open for CLONE_INTO_CGROUP if it is cgroup v2's, else -1 (it is to be joined). */
static int open_cgroup2(const char *dir) {
  int fd = k_open(dir, K_O_RDONLY | K_O_DIRECTORY | K_O_CLOEXEC);
  if (fd < 0) fail("cannot open", dir, fd);
  if (k_filesystem_type(fd) == K_CGROUP2_SUPER_MAGIC) return fd;
  k_close(fd);
  return -1;
}

/**
 * Forks the program, born in `cgroup2`. Where clone3 cannot do that — a kernel before 5.7 (ENOSYS,
 * E2BIG), a seccomp profile that refuses clone3 (ENOSYS, or EPERM in older container runtimes) —
 * the keeper joins the cgroup and forks as before; a cgroup nobody may enter fails there, with the
 * join's message.
 */
static int fork_program(const char *cgroup2, int cgroup2_fd) {
  if (cgroup2_fd < 0) return k_fork();
  int program = k_fork_into(cgroup2_fd);
  if (program < 0) {
    join_cgroup(cgroup2);
    program = k_fork();
  }
  if (program > 0) k_close(cgroup2_fd);
  return program;
}

__attribute__((noreturn)) static void usage(void) {
  static const char text[] = "usage: shellgate-keeper --ppid PID [--cgroup DIR]... -- FILE [ARG...]\n";
  k_write(2, text, sizeof text - 1);
  k_exit(EXIT_KEEPER_FAILED);
}

// ---- main ---------------------------------------------------------------------------------------

static int keeper_main(int argc, char **argv) {
  long expected_parent = -1;
  const char *cgroups[MAX_CGROUPS];
  int cgroup_count = 0;
  int index = 1;
  for (; index < argc; index++) {
    if (same(argv[index], "--")) break;
    if (same(argv[index], "--ppid") && index + 1 < argc) {
      const char *text = argv[++index];
      expected_parent = number(&text);
      if (*text != '\0') usage();
    } else if (same(argv[index], "--cgroup") && index + 1 < argc && cgroup_count < MAX_CGROUPS)
      cgroups[cgroup_count++] = argv[++index];
    else usage();
  }
  if (index + 1 >= argc || expected_parent <= 0) usage();
  char **program_argv = argv + index + 1;
  self = k_getpid();

  ksigset all = ~0UL, original = 0;
  k_sigmask(K_SIG_SETMASK, &all, &original);
  long result = k_prctl(K_PR_SET_CHILD_SUBREAPER, 1);
  if (result != 0) fail("PR_SET_CHILD_SUBREAPER", NULL, result);
  result = k_prctl(K_PR_SET_PDEATHSIG, PARENT_DEATH_SIGNAL);
  if (result != 0) fail("PR_SET_PDEATHSIG", NULL, result);
  // The parent may have died before the line above: then no signal will ever come.
  if (k_getppid() != expected_parent) k_exit(EXIT_KEEPER_FAILED);
  const char *cgroup2 = NULL;
  int cgroup2_fd = -1;
  for (int i = 0; i < cgroup_count; i++) {
    if (cgroup2_fd < 0 && (cgroup2_fd = open_cgroup2(cgroups[i])) >= 0) cgroup2 = cgroups[i];
    else join_cgroup(cgroups[i]);
  }

  int program = fork_program(cgroup2, cgroup2_fd);
  if (program < 0) fail("fork", NULL, program);
  if (program == 0) {
    // The program gets the mask the keeper was started with (the core starts it with none
    // blocked) and no parent-death signal (fork clears it).
    k_sigmask(K_SIG_SETMASK, &original, NULL);
    int error = run_program(program_argv);
    complain("cannot run", program_argv[0], -error);
    k_exit(error == -K_ENOENT ? EXIT_CANNOT_EXEC : 126);
  }
  // The keeper keeps no copy of the program's stdin, stdout, stderr (pipes or the terminal): the
  // gateway sees end-of-file when the program and its children close theirs, as without it.
  int null = k_open("/dev/null", K_O_RDWR | K_O_CLOEXEC);
  if (null >= 0) {
    for (int fd = 0; fd < 3; fd++) k_dup_onto(null, fd);
    if (null > 2) k_close(null);
  }

  int status = 0, done = 0;
  for (;;) {
    ksiginfo info;
    int signal = k_sigwait(&all, &info, NULL);
    if (signal < 0) continue;  // interrupted
    if (k_getppid() != expected_parent) {
      // The gateway is gone (killed, crashed): nobody will ever read this session or end it.
      kill_everything(program, &status, &done);
      k_exit(EXIT_KEEPER_FAILED);
    }
    if (signal == K_SIGCHLD) {
      reap(program, &status, &done);
      if (done) {
        kill_everything(program, &status, &done);
        exit_like(status);
      }
    } else if (signal == K_REQUEST_SIGNAL && info.code == K_SI_QUEUE && info.pid == expected_parent) {
      int requested = (int)info.value;
      if (requested == K_SIGKILL) {
        kill_everything(program, &status, &done);
        exit_like(done ? status : K_SIGKILL);
      } else if (requested > 0 && requested <= K_NSIG) {
        // To the program's group, whichever it is now (a job-control shell makes its own).
        int group = k_getpgid(program);
        if (group > 0) k_kill(-group, requested);
      }
    }
    // Anything else reached the program's group directly (the keeper is in it) or is not meant for
    // the program: nothing to do.
  }
}

#ifdef KEEPER_NOLIBC
/** The entry point's C half: the stack holds argc, then argv, a NULL, then the environment. */
__attribute__((noreturn, used)) void keeper_start(long *stack) {
  int argc = (int)stack[0];
  char **argv = (char **)(stack + 1);
  environment = argv + argc + 1;
  k_exit(keeper_main(argc, argv));
}
#else
int main(int argc, char **argv, char **envp) {
  environment = envp;
  return keeper_main(argc, argv);
}
#endif
