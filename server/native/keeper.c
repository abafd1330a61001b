// shellgate-keeper: the parent every session program runs under, so that nothing it starts outlives
// it. See docs/security.md, "Containment", and docs/process-core.md, "The keeper".
//
//   shellgate-keeper --ppid PID [--cgroup DIR]... -- FILE [ARG...]
//
// The keeper is what the process core starts (posix_spawn for a pipe session, node-pty for a
// terminal), so it holds the place the program held: leader of the session and of its process
// group, with the terminal as controlling terminal. The program is forked into that same group and
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
// With --cgroup it first moves itself into DIR (cgroup v2, or a v1 hierarchy such as pids: the
// gateway created it; up to MAX_CGROUPS of them), so the program and everything it starts are
// accounted, limited and killable there too.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// The request signal: SIGRTMIN + 2 (glibc keeps the first two for itself). spawn.c's keeperRequest
// sends the same one.
#define KEEPER_REQUEST_SIGNAL (SIGRTMIN + 2)
// Catchable, so the keeper can clean up; SIGKILL would end it with its descendants left running.
#define PARENT_DEATH_SIGNAL SIGTERM
// Bounds for the kill loop: a fork bomb is outrun pass by pass, but never waited for forever.
#define KILL_PASSES 2000
#define KILL_PASS_WAIT_NS 5000000L
// The program could not be started (as env(1) and shells use: 126 not executable, 127 not found).
#define EXIT_CANNOT_EXEC 127
#define EXIT_KEEPER_FAILED 125
#define MAX_CGROUPS 4

static pid_t self;

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "shellgate-keeper: %s%s%s: %s\n", what, detail ? " " : "", detail ? detail : "",
          strerror(errno));
  _exit(EXIT_KEEPER_FAILED);
}

// ---- finding and killing descendants ------------------------------------------------------------

typedef struct {
  pid_t pid;
  pid_t ppid;
  int mine;
} Entry;

/** The parent of `pid` from /proc/PID/stat (the field after the command name), or -1. */
static pid_t parent_of(const char *pid) {
  char path[320], buffer[512];  // d_name is at most 255 bytes
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t length = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (length <= 0) return -1;
  buffer[length] = '\0';
  char *end = strrchr(buffer, ')');  // the name may contain spaces and parentheses
  char state;
  int ppid;
  if (end == NULL || sscanf(end + 1, " %c %d", &state, &ppid) != 2) return -1;
  return state == 'Z' ? -1 : ppid;  // a zombie is dead already: its parent reaps it
}

/**
 * SIGKILLs every live process whose chain of parents leads to the keeper. Returns how many it
 * signalled. As a subreaper the keeper is an ancestor of every process its program started that is
 * still alive, whoever's child it became.
 */
static int kill_descendants_once(void) {
  DIR *proc = opendir("/proc");
  if (proc == NULL) return 0;
  size_t count = 0, capacity = 256;
  Entry *entries = malloc(capacity * sizeof *entries);
  struct dirent *item;
  while (entries != NULL && (item = readdir(proc)) != NULL) {
    if (item->d_name[0] < '1' || item->d_name[0] > '9') continue;
    pid_t ppid = parent_of(item->d_name);
    if (ppid < 0) continue;
    if (count == capacity) {
      Entry *grown = realloc(entries, (capacity *= 2) * sizeof *entries);
      if (grown == NULL) break;
      entries = grown;
    }
    entries[count++] = (Entry){(pid_t)atoi(item->d_name), ppid, 0};
  }
  closedir(proc);
  if (entries == NULL) return 0;
  // Mark children of marked processes until nothing changes (passes <= depth of the tree).
  int changed = 1, killed = 0;
  while (changed) {
    changed = 0;
    for (size_t i = 0; i < count; i++) {
      if (entries[i].mine) continue;
      int parent_mine = entries[i].ppid == self;
      for (size_t j = 0; !parent_mine && j < count; j++) {
        parent_mine = entries[j].mine && entries[j].pid == entries[i].ppid;
      }
      if (parent_mine) entries[i].mine = changed = 1;
    }
  }
  for (size_t i = 0; i < count; i++) {
    if (entries[i].mine && kill(entries[i].pid, SIGKILL) == 0) killed++;
  }
  free(entries);
  return killed;
}

/** Reaps every exited child; returns 1 while any child remains, 0 once there is none. */
static int reap(pid_t program, int *program_status, int *program_done) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      if (pid == program && !*program_done) {
        *program_status = status;
        *program_done = 1;
      }
      continue;
    }
    return !(pid < 0 && errno == ECHILD);
  }
}

/** Kills descendants pass after pass until the keeper has no child left (or the bound is hit). */
static void kill_everything(pid_t program, int *program_status, int *program_done) {
  for (int pass = 0; pass < KILL_PASSES && reap(program, program_status, program_done); pass++) {
    kill_descendants_once();
    // Give the killed a moment to die and reparent to us; SIGCHLD wakes us early.
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    struct timespec wait = {0, KILL_PASS_WAIT_NS};
    sigtimedwait(&chld, NULL, &wait);
  }
}

/** Ends the keeper as the program ended: the same exit code, or death by the same signal. */
static void exit_like(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  int signal = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);  // the program dumped core, if it did; the keeper must not
  struct sigaction fallback;
  memset(&fallback, 0, sizeof fallback);
  fallback.sa_handler = SIG_DFL;
  sigaction(signal, &fallback, NULL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, signal);
  sigprocmask(SIG_UNBLOCK, &only, NULL);
  raise(signal);
  _exit(128 + signal);  // a signal whose default is not to end the process
}

// ---- main ---------------------------------------------------------------------------------------

static void join_cgroup(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/cgroup.procs", dir);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", path);
  if (write(fd, "0\n", 2) != 2) fail("cannot join cgroup", dir);
  close(fd);
}

static void usage(void) {
  fprintf(stderr, "usage: shellgate-keeper --ppid PID [--cgroup DIR]... -- FILE [ARG...]\n");
  _exit(EXIT_KEEPER_FAILED);
}

int main(int argc, char **argv) {
  pid_t expected_parent = -1;
  const char *cgroups[MAX_CGROUPS];
  int cgroup_count = 0;
  int index = 1;
  for (; index < argc; index++) {
    if (strcmp(argv[index], "--") == 0) break;
    if (strcmp(argv[index], "--ppid") == 0 && index + 1 < argc) expected_parent = atoi(argv[++index]);
    else if (strcmp(argv[index], "--cgroup") == 0 && index + 1 < argc && cgroup_count < MAX_CGROUPS)
      cgroups[cgroup_count++] = argv[++index];
    else usage();
  }
  if (index + 1 >= argc || expected_parent <= 0) usage();
  char **program_argv = argv + index + 1;
  self = getpid();

  sigset_t all, original;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &original);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) fail("PR_SET_CHILD_SUBREAPER", NULL);
  if (prctl(PR_SET_PDEATHSIG, PARENT_DEATH_SIGNAL) != 0) fail("PR_SET_PDEATHSIG", NULL);
  // The parent may have died before the line above: then no signal will ever come.
  if (getppid() != expected_parent) _exit(EXIT_KEEPER_FAILED);
  for (int i = 0; i < cgroup_count; i++) join_cgroup(cgroups[i]);

  pid_t program = fork();
  if (program < 0) fail("fork", NULL);
  if (program == 0) {
    // The program gets the mask the keeper was started with (the core starts it with none
    // blocked) and no parent-death signal (fork clears it).
    sigprocmask(SIG_SETMASK, &original, NULL);
    execvp(program_argv[0], program_argv);
    int code = errno == ENOENT ? EXIT_CANNOT_EXEC : 126;
    fprintf(stderr, "shellgate-keeper: cannot run %s: %s\n", program_argv[0], strerror(errno));
    _exit(code);
  }
  // The keeper keeps no copy of the program's stdin, stdout, stderr (pipes or the terminal): the
  // gateway sees end-of-file when the program and its children close theirs, as without it.
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    if (null > 2) close(null);
  }

  int status = 0, done = 0;
  for (;;) {
    siginfo_t info;
    int signal = sigwaitinfo(&all, &info);
    if (getppid() != expected_parent) {
      // The gateway is gone (killed, crashed): nobody will ever read this session or end it.
      kill_everything(program, &status, &done);
      _exit(EXIT_KEEPER_FAILED);
    }
    if (signal == SIGCHLD) {
      reap(program, &status, &done);
      if (done) {
        kill_everything(program, &status, &done);
        exit_like(status);
      }
    } else if (signal == KEEPER_REQUEST_SIGNAL && info.si_code == SI_QUEUE && info.si_pid == expected_parent) {
      int requested = info.si_value.sival_int;
      if (requested == SIGKILL) {
        kill_everything(program, &status, &done);
        exit_like(done ? status : SIGKILL);
      } else if (requested > 0 && requested < NSIG) {
        // To the program's group, whichever it is now (a job-control shell makes its own).
        pid_t group = getpgid(program);
        if (group > 0) kill(-group, requested);
      }
    }
    // Anything else reached the program's group directly (the keeper is in it) or is not meant for
    // the program: nothing to do.
  }
}
