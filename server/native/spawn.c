// spawn(): starts a program with posix_spawn(3) instead of libuv's fork(2).
//
// fork() copies the parent's page tables and write-protects its memory; a gateway with 100 MiB
// resident spends milliseconds in it on every new session, with the event loop (and every other
// session's relay) stopped. glibc's posix_spawn uses clone(CLONE_VM | CLONE_VFORK): the child
// borrows the parent's memory until it calls exec, so the cost does not grow with the gateway.
// The exit is watched through a pidfd (Linux 5.3+) polled on libuv's loop and reaped with waitid
// on exactly that process, so libuv's own SIGCHLD handling (which reaps only its children) and
// node-pty's (one pid each) are unaffected. See docs/process-core.md, "Starting a program".
//
// spawn(file, args, env, cwd, newSession, stdio) -> [pid, pidfd, stdinFd, stdoutFd, stderrFd]
//   file: a name searched in env's PATH (as execvp does with the child's environment) or a path;
//   args: argv including argv[0]; env: "NAME=value" strings; cwd: string or null;
//   newSession: setsid() in the child; stdio: three of 0 = pipe, 1 = /dev/null, 2 = inherit.
//   Pipes are socketpairs, as libuv makes them; the parent's ends are close-on-exec, others -1.
//   Throws an Error with code (ENOENT, EACCES, …) and syscall "spawn <file>" when exec fails.
// spawnAsync(file, args, env, cwd, newSession, stdio, callback): the same on a libuv worker
//   thread; callback(error, null) or callback(null, [pid, pidfd, stdinFd, stdoutFd, stderrFd]).
// spawnTerminal(file, args, env, cwd, cols, rows) -> [pid, pidfd, masterFd, inputFd]: the same on a
//   new pseudo-terminal of that size (terminal.c): the program leads a new session whose
//   controlling terminal it is, with the slave as stdin, stdout and stderr. masterFd is the master
//   (for reading and resizing), inputFd a duplicate of it for openWriter (libuv watches a descriptor
//   for one handle only). Both are non-blocking and close-on-exec.
// spawnTerminalAsync(file, args, env, cwd, cols, rows, callback): the same on a libuv worker thread.
// keeperRequest(pid, signal): queues keeper.c's request signal to the keeper `pid` with `signal` as
//   its value (SIGKILL: kill everything it contains; others: relay to the program's group).
//   Returns false when the keeper is gone (ESRCH); throws for other errors.
// watchExit(pidfd, pid, callback): calls callback(code, signal) once the process has exited and
//   was reaped (code null when killed, signal then the number), then closes the pidfd. When it
//   cannot watch, it kills and reaps the child and closes the pidfd before it throws.
// signal(target, signal): kill(2) of a pid or (negative) a process group; returns 0 or the errno.
// releaseFd(fd): JS takes over one of the parent's ends a spawn returned, to close it or give it to
//   a stream of Node's. Until then, or until readPipe or openWriter takes it, the end is the addon's,
//   and an environment's teardown closes it (teardown.c).
// readPipe, pausePipe, resumePipe, closePipe: reading an output pipe it made (pipe-reader.c).
// resizeTerminal: a terminal's window size (terminal.c).
// openWriter, writePipe, waitWritable, closeWriter: writing the stdin pipe it made (pipe-writer.c).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>
#include "napi-helpers.h"
#include "teardown.h"
#include "pipe-reader.h"
#include "pipe-writer.h"
#include "terminal.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define MAX_STDIO 3
enum { STDIO_PIPE = 0, STDIO_IGNORE = 1, STDIO_INHERIT = 2, STDIO_TERMINAL = 3 };

// ---- helpers ------------------------------------------------------------------------------------

/** An Error like child_process's: code (ENOENT, EACCES, …: libuv's names), errno, syscall "<syscall> <file>". */
static napi_value spawn_error(napi_env env, int err, const char *syscall, const char *file) {
  char message[PATH_MAX + 128];
  snprintf(message, sizeof message, "%s %s %s", syscall, file, strerror(err));
  napi_value code, text, error, sys, number;
  char sysname[PATH_MAX + 16];
  snprintf(sysname, sizeof sysname, "%s %s", syscall, file);
  napi_create_string_utf8(env, uv_err_name(-err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_create_string_utf8(env, sysname, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "syscall", sys);
  napi_create_int32(env, -err, &number);
  napi_set_named_property(env, error, "errno", number);
  return error;
}

static napi_value throw_code(napi_env env, int err, const char *syscall, const char *file) {
  napi_throw(env, spawn_error(env, err, syscall, file));
  return NULL;
}

/** A JS string as a malloc'ed C string; NULL (with a pending exception) if it is not one. */
static char *string_arg(napi_env env, napi_value value) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *out = malloc(length + 1);
  if (out == NULL) return NULL;
  napi_get_value_string_utf8(env, value, out, length + 1, &length);
  if (strlen(out) != length) {  // an embedded NUL would silently cut the string short
    free(out);
    return NULL;
  }
  return out;
}

static void free_strings(char **list) {
  if (list == NULL) return;
  for (char **item = list; *item != NULL; item++) free(*item);
  free(list);
}

/** A JS array of strings as a NULL-terminated malloc'ed vector. */
static char **string_array(napi_env env, napi_value value) {
  uint32_t count;
  if (napi_get_array_length(env, value, &count) != napi_ok) return NULL;
  char **out = calloc(count + 1, sizeof(char *));
  if (out == NULL) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    if (napi_get_element(env, value, i, &item) != napi_ok || (out[i] = string_arg(env, item)) == NULL) {
      free_strings(out);
      return NULL;
    }
  }
  return out;
}

static const char *env_path(char **env) {
  for (char **item = env; *item != NULL; item++) {
    if (strncmp(*item, "PATH=", 5) == 0) return *item + 5;
  }
  return "/bin:/usr/bin";  // execvp's default when PATH is unset
}

/**
 * posix_spawn for each candidate of execvp's search: a name with a slash is used as is; otherwise
 * each directory of PATH is tried (one without an executable file by that name is skipped before
 * any clone), skipping ENOENT/ENOTDIR and remembering EACCES. A file without a #! line (ENOEXEC)
 * runs under /bin/sh, as execvp does.
 */
static int spawn_searching(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                           const posix_spawnattr_t *attr, char **args, char **env) {
  char candidate[PATH_MAX];
  int saw_eacces = 0;
  const char *path = strchr(file, '/') != NULL ? NULL : env_path(env);
  const char *cursor = path;
  for (;;) {
    const char *target = file;
    if (path != NULL) {
      const char *end = strchrnul(cursor, ':');
      size_t dir = (size_t)(end - cursor);
      if (dir + 1 + strlen(file) + 1 > sizeof candidate) return ENAMETOOLONG;
      if (dir == 0) {
        snprintf(candidate, sizeof candidate, "%s", file);  // an empty entry is the cwd
      } else {
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)dir, cursor, file);
      }
      target = candidate;
      cursor = *end == ':' ? end + 1 : NULL;
    }
    // A candidate that is not there costs a stat, not a whole clone and failed exec: with a long
    // PATH, trying each with posix_spawn took milliseconds per start.
    int err = path != NULL && access(target, X_OK) != 0
                  ? errno
                  : posix_spawn(pid, target, actions, attr, args, env);
    if (err == ENOEXEC) {
      size_t count = 0;
      while (args[count] != NULL) count++;
      char **shell = calloc(count + 2, sizeof(char *));
      if (shell == NULL) return ENOMEM;
      shell[0] = "/bin/sh";
      shell[1] = (char *)target;
      for (size_t i = 1; i < count; i++) shell[i + 1] = args[i];
      err = posix_spawn(pid, "/bin/sh", actions, attr, shell, env);
      free(shell);
    }
    if (err == 0) return 0;
    if (path == NULL) return err;
    if (err == EACCES) saw_eacces = 1;
    else if (err != ENOENT && err != ENOTDIR) return err;
    if (cursor == NULL) return saw_eacces ? EACCES : ENOENT;
  }
}

// ---- spawn --------------------------------------------------------------------------------------

/** One spawn: its arguments (owned), then its outcome. Run on the JS thread or a libuv worker. */
typedef struct {
  char *file;
  char **args;
  char **envp;
  char *cwd;
  bool new_session;
  int32_t stdio[MAX_STDIO];  // all STDIO_TERMINAL for a terminal
  uint16_t cols, rows;       // a terminal's size
  int err;             // 0, or the errno of what failed
  const char *failed;  // the syscall named in the error: "spawn" or "pidfd_open"
  pid_t pid;
  int pidfd;
  int parent[MAX_STDIO];  // the parent's ends (a terminal's master and its duplicate), -1 once handed to JS
  napi_async_work work;
  napi_ref callback;
} SpawnJob;

static void free_job(SpawnJob *job) {
  for (int i = 0; i < MAX_STDIO; i++) {
    if (job->parent[i] >= 0) close(job->parent[i]);
  }
  free(job->file);
  free(job->cwd);
  free_strings(job->args);
  free_strings(job->envp);
  free(job);
}

/** The size arguments of spawnTerminal: an integer from 1 to 65535, else false. */
static bool terminal_size(napi_env env, napi_value value, uint16_t *size) {
  int32_t number;
  if (napi_get_value_int32(env, value, &number) != napi_ok || number < 1 || number > UINT16_MAX) return false;
  *size = (uint16_t)number;
  return true;
}

/**
 * Reads the first six arguments of spawn() (newSession, stdio) or of spawnTerminal() (cols, rows)
 * into a new job; NULL (with an exception pending) if bad.
 */
static SpawnJob *parse_job(napi_env env, napi_value *argv, bool terminal) {
  SpawnJob *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, "ENOMEM", "spawn: out of memory");
    return NULL;
  }
  for (int i = 0; i < MAX_STDIO; i++) {
    job->parent[i] = -1;
    job->stdio[i] = STDIO_PIPE;
  }
  job->failed = "spawn";
  napi_valuetype cwd_type;
  napi_typeof(env, argv[3], &cwd_type);
  if (terminal) {
    if (!terminal_size(env, argv[4], &job->cols) || !terminal_size(env, argv[5], &job->rows)) {
      napi_throw_type_error(env, "EINVAL", "spawnTerminal: cols and rows must be integers from 1 to 65535");
      free_job(job);
      return NULL;
    }
    job->new_session = true;
    for (int i = 0; i < MAX_STDIO; i++) job->stdio[i] = STDIO_TERMINAL;
  } else {
    napi_get_value_bool(env, argv[4], &job->new_session);
  }
  job->file = string_arg(env, argv[0]);
  job->args = string_array(env, argv[1]);
  job->envp = string_array(env, argv[2]);
  job->cwd = cwd_type == napi_string ? string_arg(env, argv[3]) : NULL;
  for (uint32_t i = 0; !terminal && i < MAX_STDIO; i++) {
    napi_value item;
    if (napi_get_element(env, argv[5], i, &item) == napi_ok) napi_get_value_int32(env, item, &job->stdio[i]);
  }
  if (job->file == NULL || job->args == NULL || job->args[0] == NULL || job->envp == NULL ||
      (cwd_type == napi_string && job->cwd == NULL)) {
    napi_throw_type_error(env, "EINVAL", "spawn: file, args, env and cwd must be strings without NUL");
    free_job(job);
    return NULL;
  }
  return job;
}

/**
 * Starts the job's program. Touches no JS value, so it may run on a worker thread: every
 * descriptor it makes is close-on-exec until posix_spawn dup2s the child's ends onto 0-2 in the
 * child alone, so a program started meanwhile by another thread inherits none of them.
 */
static void run_spawn(SpawnJob *job) {
  int child[MAX_STDIO] = {-1, -1, -1};
  int slave = -1;
  char slave_path[PATH_MAX];
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int have_actions = 0, have_attr = 0;
  int err = 0;

  for (int i = 0; i < MAX_STDIO; i++) {
    if (job->stdio[i] != STDIO_PIPE) continue;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      err = errno;  // EMFILE, ENFILE: reported as the spawn failing, as libuv does
      goto done;
    }
    job->parent[i] = pair[0];
    child[i] = pair[1];
  }
  if ((err = posix_spawn_file_actions_init(&actions)) != 0) goto done;
  have_actions = 1;
  if ((err = posix_spawnattr_init(&attr)) != 0) goto done;
  have_attr = 1;
  for (int i = 0; i < MAX_STDIO; i++) {
    if (job->stdio[i] == STDIO_PIPE) err = posix_spawn_file_actions_adddup2(&actions, child[i], i);
    else if (job->stdio[i] == STDIO_IGNORE)
      err = posix_spawn_file_actions_addopen(&actions, i, "/dev/null", O_RDWR, 0);
    if (err != 0) goto done;
  }
  if (job->stdio[0] == STDIO_TERMINAL) {
    if ((err = terminal_open(job->cols, job->rows, &job->parent[0], &slave, slave_path, sizeof slave_path)) != 0)
      goto done;
    if ((job->parent[1] = fcntl(job->parent[0], F_DUPFD_CLOEXEC, 3)) < 0) {
      err = errno;
      goto done;
    }
    // The child is a session leader by then (glibc runs POSIX_SPAWN_SETSID before the file
    // actions), and a session leader without a controlling terminal that opens a terminal without
    // O_NOCTTY makes it its own: what forkpty does with TIOCSCTTY.
    if ((err = posix_spawn_file_actions_addopen(&actions, 0, slave_path, O_RDWR, 0)) != 0 ||
        (err = posix_spawn_file_actions_adddup2(&actions, 0, 1)) != 0 ||
        (err = posix_spawn_file_actions_adddup2(&actions, 0, 2)) != 0)
      goto done;
  }
  if (job->cwd != NULL) {
    // A chdir failing in the child would look like the program missing (every PATH candidate
    // fails alike): look first, so a bad directory is reported as such (ENOENT, ENOTDIR).
    struct stat st;
    if (stat(job->cwd, &st) != 0) err = errno;
    else if (!S_ISDIR(st.st_mode)) err = ENOTDIR;
    if (err != 0 || (err = posix_spawn_file_actions_addchdir_np(&actions, job->cwd)) != 0) goto done;
  }
  // As libuv does for its children: every signal at its default action, none blocked (Node
  // ignores SIGPIPE, and a child must not inherit that). Every bit, not sigfillset(): that leaves
  // out glibc's internal signals 32 and 33, which posix_spawn then sets to SIG_IGN in the child,
  // and an ignored signal stays ignored across exec.
  sigset_t all, none;
  memset(&all, 0xff, sizeof all);
  sigemptyset(&none);
  short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (job->new_session ? POSIX_SPAWN_SETSID : 0);
  if ((err = posix_spawnattr_setsigdefault(&attr, &all)) != 0 ||
      (err = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
      (err = posix_spawnattr_setflags(&attr, flags)) != 0) {
    goto done;
  }
  pid_t pid;
  if ((err = spawn_searching(&pid, job->file, &actions, &attr, job->args, job->envp)) != 0) goto done;

  // The child runs. A pidfd refers to it and no other, whatever happens to the pid (and is
  // close-on-exec from the start).
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) {
    // Cannot watch it (kernel older than 5.3): do not leave it running unobserved.
    err = errno;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    job->failed = "pidfd_open";
    goto done;
  }
  job->pid = pid;
  job->pidfd = pidfd;

done:
  job->err = err;
  // The child opened the terminal itself; this end only kept the modes set until it had.
  if (slave >= 0) close(slave);
  for (int i = 0; i < MAX_STDIO; i++) {
    if (child[i] >= 0) close(child[i]);
    if (err != 0 && job->parent[i] >= 0) {
      close(job->parent[i]);
      job->parent[i] = -1;
    }
  }
  if (have_actions) posix_spawn_file_actions_destroy(&actions);
  if (have_attr) posix_spawnattr_destroy(&attr);
}

/**
 * [pid, pidfd, stdinFd, stdoutFd, stderrFd] of a job that succeeded, or [pid, pidfd, masterFd,
 * inputFd] of a terminal's; its descriptors pass to JS.
 */
static napi_value job_result(napi_env env, SpawnJob *job) {
  napi_value result;
  uint32_t count = job->stdio[0] == STDIO_TERMINAL ? 4 : 5;
  napi_create_array_with_length(env, count, &result);
  int values[5] = {job->pid, job->pidfd, job->parent[0], job->parent[1], job->parent[2]};
  for (uint32_t i = 0; i < count; i++) {
    napi_value number;
    napi_create_int32(env, values[i], &number);
    napi_set_element(env, result, i, number);
  }
  // Handed over, but the addon's until watchExit, a reader, a writer or JS takes them (teardown.c).
  teardown_own_fd(env, job->pidfd);
  for (int i = 0; i < MAX_STDIO; i++) {
    teardown_own_fd(env, job->parent[i]);
    job->parent[i] = -1;
  }
  return result;
}

static napi_value start_job(napi_env env, napi_callback_info info, bool terminal) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) {
    napi_throw_type_error(env, "EINVAL",
                          terminal ? "spawnTerminal(file, args, env, cwd, cols, rows)"
                                   : "spawn(file, args, env, cwd, newSession, stdio)");
    return NULL;
  }
  SpawnJob *job = parse_job(env, argv, terminal);
  if (job == NULL) return NULL;
  run_spawn(job);
  napi_value result = NULL;
  if (job->err != 0) napi_throw(env, spawn_error(env, job->err, job->failed, job->file));
  else result = job_result(env, job);
  free_job(job);
  return result;
}

static napi_value spawn_program(napi_env env, napi_callback_info info) { return start_job(env, info, false); }

static napi_value spawn_terminal(napi_env env, napi_callback_info info) { return start_job(env, info, true); }

// spawnAsync: the same on a libuv worker thread. posix_spawn's caller waits until the child has
// called exec, and on a busy machine the child may wait that long for a CPU: on the JS thread,
// that wait stopped every other session's relay with it.

static void execute_spawn(napi_env env, void *data) {
  (void)env;
  run_spawn(data);
}

static void complete_spawn(napi_env env, napi_status status, void *data) {
  SpawnJob *job = data;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, global, args[2], ignored;
  napi_get_reference_value(env, job->callback, &callback);
  napi_get_global(env, &global);
  napi_get_null(env, &args[0]);
  napi_get_null(env, &args[1]);
  if (status != napi_ok) {
    // Cancelled (it is never queued long enough for that) or a failure of Node's own.
    napi_throw_error(env, NULL, "spawnAsync: the work did not run");
    napi_get_and_clear_last_exception(env, &args[0]);
    if (job->err == 0 && job->pidfd > 0) {
      kill(job->pid, SIGKILL);
      waitpid(job->pid, NULL, 0);
      close(job->pidfd);
    }
  } else if (job->err != 0) {
    args[0] = spawn_error(env, job->err, job->failed, job->file);
  } else {
    args[1] = job_result(env, job);
  }
  napi_delete_reference(env, job->callback);
  napi_delete_async_work(env, job->work);
  free_job(job);
  napi_call_function(env, global, callback, 2, args, &ignored);
  napi_close_handle_scope(env, scope);
}

static napi_value start_job_async(napi_env env, napi_callback_info info, bool terminal) {
  size_t argc = 7;
  napi_value argv[7];
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 7 ||
      napi_typeof(env, argv[6], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "EINVAL",
                          terminal ? "spawnTerminalAsync(file, args, env, cwd, cols, rows, callback)"
                                   : "spawnAsync(file, args, env, cwd, newSession, stdio, callback)");
    return NULL;
  }
  SpawnJob *job = parse_job(env, argv, terminal);
  if (job == NULL) return NULL;
  napi_value name;
  napi_create_string_utf8(env, "shellgate:spawn", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[6], 1, &job->callback) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute_spawn, complete_spawn, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    napi_throw_error(env, "EIO", "spawnAsync: cannot queue the work");
    free_job(job);  // a reference or work made before the failure is left to the environment's end
    return NULL;
  }
  return NULL;
}

static napi_value spawn_program_async(napi_env env, napi_callback_info info) {
  return start_job_async(env, info, false);
}

static napi_value spawn_terminal_async(napi_env env, napi_callback_info info) {
  return start_job_async(env, info, true);
}

// ---- watchExit ----------------------------------------------------------------------------------

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int pidfd;
  pid_t pid;
  LiveHandle live;
} Watch;

static void free_watch(uv_handle_t *handle) {
  Watch *watch = handle->data;
  teardown_untrack(watch->env, &watch->live);
  free(watch);
}

/**
 * The environment ends with the child still running: stop watching it, as Node does with its own
 * children then. The child runs on unreaped, as one of child_process's would.
 */
static void close_at_teardown(LiveHandle *live) {
  Watch *watch = CONTAINER_OF(live, Watch, live);
  if (uv_is_closing((uv_handle_t *)&watch->poll)) return;
  uv_poll_stop(&watch->poll);
  close(watch->pidfd);
  napi_delete_reference(watch->env, watch->callback);
  napi_async_destroy(watch->env, watch->context);
  uv_close((uv_handle_t *)&watch->poll, free_watch);
}

static void on_pidfd(uv_poll_t *poll, int status, int events) {
  (void)events;
  Watch *watch = poll->data;
  siginfo_t info;
  memset(&info, 0, sizeof info);
  // Readable means exited; reap exactly this child (WNOHANG: a spurious wake-up must not block).
  int reaped = waitid(P_PID, (id_t)watch->pid, &info, WEXITED | WNOHANG);
  if (reaped == 0 && info.si_pid == 0) {
    if (status == 0) return;  // still running: wait for the next wake-up
    // The poll itself failed (it does not on a pidfd): block rather than lose the status.
    reaped = waitid(P_PID, (id_t)watch->pid, &info, WEXITED);
  }
  uv_poll_stop(poll);
  close(watch->pidfd);
  napi_env env = watch->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value args[2];
  if (reaped == 0 && info.si_code == CLD_EXITED) {
    napi_create_int32(env, info.si_status, &args[0]);
    napi_get_null(env, &args[1]);
  } else if (reaped == 0) {
    napi_get_null(env, &args[0]);
    napi_create_int32(env, info.si_status, &args[1]);
  } else {
    // waitid failed (ECHILD: someone else reaped it). Nothing is known of its status.
    napi_get_null(env, &args[0]);
    napi_get_null(env, &args[1]);
  }
  call_from_loop(env, watch->context, watch->callback, 2, args);
  napi_async_destroy(env, watch->context);
  napi_delete_reference(env, watch->callback);
  napi_close_handle_scope(env, scope);
  uv_close((uv_handle_t *)poll, free_watch);
}

/**
 * watchExit cannot watch the child: nothing would ever reap it or tell its end, so it does not run
 * on unobserved. JS is told by the throw, and has nothing left to clean up.
 */
static napi_value refuse_watch(napi_env env, pid_t pid, int pidfd, const char *code, const char *message) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(pidfd);
  napi_throw_error(env, code, message);
  return NULL;
}

static napi_value watch_exit(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t pidfd, pid;
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_value_int32(env, argv[0], &pidfd) != napi_ok ||
      napi_get_value_int32(env, argv[1], &pid) != napi_ok || napi_typeof(env, argv[2], &type) != napi_ok ||
      type != napi_function) {
    napi_throw_type_error(env, "EINVAL", "watchExit(pidfd, pid, callback)");
    return NULL;
  }
  teardown_disown_fd(env, pidfd);  // the watch closes it from now on, whatever happens below
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok)
    return refuse_watch(env, pid, pidfd, "EIO", "watchExit: no event loop");
  Watch *watch = calloc(1, sizeof *watch);
  if (watch == NULL) return refuse_watch(env, pid, pidfd, "ENOMEM", "watchExit: out of memory");
  watch->env = env;
  watch->pidfd = pidfd;
  watch->pid = pid;
  watch->poll.data = watch;
  napi_value name;
  napi_create_string_utf8(env, "shellgate:exit", NAPI_AUTO_LENGTH, &name);
  int err = uv_poll_init(loop, &watch->poll, pidfd);
  if (err == 0) {
    teardown_track(env, &watch->live, close_at_teardown);
    err = uv_poll_start(&watch->poll, UV_READABLE, on_pidfd);
    if (err != 0) uv_close((uv_handle_t *)&watch->poll, free_watch);
  } else {
    free(watch);
  }
  if (err != 0) return refuse_watch(env, pid, pidfd, uv_err_name(err), uv_strerror(err));
  napi_create_reference(env, argv[2], 1, &watch->callback);
  napi_async_init(env, NULL, name, &watch->context);
  return NULL;
}

// ---- releaseFd ----------------------------------------------------------------------------------

// releaseFd(fd): JS takes over a descriptor a spawn handed to it (to close it, or to give it to a
// stream of Node's), so that an environment's teardown no longer closes it.
static napi_value release_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "releaseFd(fd)");
    return NULL;
  }
  teardown_disown_fd(env, fd);
  return NULL;
}

// ---- keeperRequest ------------------------------------------------------------------------------

// The same signal as keeper.c's KEEPER_REQUEST_SIGNAL.
#define KEEPER_REQUEST_SIGNAL (SIGRTMIN + 2)

/** The two int32 arguments of keeperRequest and signal: (pid or -pgid, signal number). */
static bool pid_and_signal(napi_env env, napi_callback_info info, int32_t *pid, int32_t *signal) {
  size_t argc = 2;
  napi_value argv[2];
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 2 &&
         napi_get_value_int32(env, argv[0], pid) == napi_ok && napi_get_value_int32(env, argv[1], signal) == napi_ok;
}

static napi_value keeper_request(napi_env env, napi_callback_info info) {
  int32_t pid, signal;
  if (!pid_and_signal(env, info, &pid, &signal) || pid <= 0) {
    napi_throw_type_error(env, "EINVAL", "keeperRequest(pid, signal)");
    return NULL;
  }
  union sigval value = {.sival_int = signal};
  napi_value result;
  if (sigqueue(pid, KEEPER_REQUEST_SIGNAL, value) == 0) {
    napi_get_boolean(env, true, &result);
    return result;
  }
  if (errno == ESRCH) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  return throw_code(env, errno, "sigqueue", "keeper");
}

// ---- signal ------------------------------------------------------------------------------------

// signal(target, signal) -> errno: kill(2), returning 0 or the errno where process.kill throws. An
// exit sweep signals a group that is almost always empty by then, and process.kill builds an
// exception, stack trace and all, for each ESRCH: ~47 µs of every session's exit.
static napi_value send_signal(napi_env env, napi_callback_info info) {
  int32_t target, signal;
  // 0 and -1 would reach the gateway's own group and every process it may signal.
  if (!pid_and_signal(env, info, &target, &signal) || target == 0 || target == -1 || target == INT32_MIN ||
      signal < 0) {
    napi_throw_type_error(env, "EINVAL", "signal(target, signal): a pid or -pgid other than 0 and -1");
    return NULL;
  }
  napi_value result;
  napi_create_int32(env, kill(target, signal) == 0 ? 0 : errno, &result);
  return result;
}

NAPI_MODULE_INIT() {
  static const NamedFunction functions[] = {
      {"spawn", spawn_program},
      {"spawnAsync", spawn_program_async},
      {"spawnTerminal", spawn_terminal},
      {"spawnTerminalAsync", spawn_terminal_async},
      {"watchExit", watch_exit},
      {"keeperRequest", keeper_request},
      {"signal", send_signal},
      {"releaseFd", release_fd},
  };
  if (!teardown_init(env) || !export_functions(env, exports, functions, sizeof functions / sizeof functions[0]) ||
      !pipe_reader_init(env, exports) || !pipe_writer_init(env, exports) || !terminal_init(env, exports))
    return NULL;
  return exports;
}
