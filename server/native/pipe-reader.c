// readPipe(): reads a child's output pipe from libuv's loop into a buffer lent by JS.
//
// A net.Socket per pipe is ~1.2 KiB of JS heap (the socket, its two stream states, its listeners)
// plus a PipeWrap and its uv_pipe_t, and a pipe session holds two for its whole life. This reader
// is a uv_poll_t and a few words, and each read is one call into JS instead of a pass through the
// stream machinery. See server/src/process/lent-pipe.ts and docs/process-core.md.
//
// readPipe(fd, buffer, callback) -> handle: polls `fd` (libuv makes it non-blocking) and reads
//   into `buffer`: callback(length) for each read of length > 0, then callback(0) at end-of-file or
//   callback(-errno) when reading fails; after either, reading has stopped and `fd` is closed.
// pausePipe(handle), resumePipe(handle): stop and start reading (no-ops once it ended or closed).
// closePipe(handle): stops reading and closes `fd`; no callback follows.
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>
#include "napi-helpers.h"
#include "pipe-reader.h"
#include "teardown.h"

/**
 * Reads per wake-up while each fills the buffer, as libuv's own stream reads do: a pipe that keeps
 * filling does not keep the loop from the others.
 */
#define READS_PER_WAKE 32

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_ref buffer;
  napi_async_context context;
  char *data;
  size_t size;
  int fd;
  bool paused;
  /** Ended or closed: no callback, no poll, and the handle is closing. */
  bool done;
  /** Owners of this memory: the uv handle until its close callback, the JS handle until finalized. */
  int owners;
  LiveHandle live;
} Reader;

static void release(Reader *reader) {
  if (--reader->owners == 0) free(reader);
}

static void on_closed(uv_handle_t *handle) {
  Reader *reader = handle->data;
  close(reader->fd);
  napi_delete_reference(reader->env, reader->callback);
  napi_delete_reference(reader->env, reader->buffer);
  napi_async_destroy(reader->env, reader->context);
  teardown_untrack(reader->env, &reader->live);
  release(reader);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release(data);
}

static void stop(Reader *reader) {
  reader->done = true;
  uv_poll_stop(&reader->poll);
  uv_close((uv_handle_t *)&reader->poll, on_closed);
}

static void close_at_teardown(LiveHandle *live) {
  Reader *reader = CONTAINER_OF(live, Reader, live);
  if (!reader->done) stop(reader);
}

/** callback(value), as an I/O callback. */
static void call(Reader *reader, int32_t value) {
  napi_value arg;
  napi_create_int32(reader->env, value, &arg);
  call_from_loop(reader->env, reader->context, reader->callback, 1, &arg);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  Reader *reader = poll->data;
  napi_handle_scope scope;
  napi_open_handle_scope(reader->env, &scope);
  if (status < 0) {
    stop(reader);
    call(reader, status);  // libuv's codes are negated errnos
  }
  for (int i = 0; i < READS_PER_WAKE && !reader->done && !reader->paused; i++) {
    ssize_t length;
    do length = read(reader->fd, reader->data, reader->size);
    while (length < 0 && errno == EINTR);
    if (length < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (length <= 0) {
      int code = length == 0 ? 0 : -errno;
      stop(reader);
      call(reader, code);
      break;
    }
    call(reader, (int32_t)length);
    if ((size_t)length < reader->size) break;  // what was there is read
  }
  napi_close_handle_scope(reader->env, scope);
}

static Reader *unwrap(napi_env env, napi_callback_info info, const char *usage) {
  napi_value argv[1];
  return external_argument(env, info, 1, argv, usage);
}

static napi_value read_pipe(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd;
  bool is_buffer = false;
  napi_valuetype type;
  void *data;
  size_t size;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[1], &data, &size) != napi_ok || size == 0 ||
      napi_typeof(env, argv[2], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "EINVAL", "readPipe(fd, buffer, callback)");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, "EIO", "readPipe: no event loop");
    return NULL;
  }
  Reader *reader = calloc(1, sizeof *reader);
  if (reader == NULL) {
    napi_throw_error(env, "ENOMEM", "readPipe: out of memory");
    return NULL;
  }
  reader->env = env;
  reader->fd = fd;
  reader->data = data;
  reader->size = size;
  reader->poll.data = reader;
  int err = uv_poll_init(loop, &reader->poll, fd);
  if (err != 0) {
    free(reader);
    napi_throw_error(env, uv_err_name(err), uv_strerror(err));
    return NULL;
  }
  teardown_disown_fd(env, fd);  // the reader closes it now
  teardown_track(env, &reader->live, close_at_teardown);
  napi_value name, handle;
  napi_create_string_utf8(env, "shellgate:pipe", NAPI_AUTO_LENGTH, &name);
  napi_create_reference(env, argv[2], 1, &reader->callback);
  napi_create_reference(env, argv[1], 1, &reader->buffer);
  napi_async_init(env, NULL, name, &reader->context);
  reader->owners = 1;  // the uv handle
  err = uv_poll_start(&reader->poll, UV_READABLE, on_readable);
  if (err != 0 || napi_create_external(env, reader, finalize, NULL, &handle) != napi_ok) {
    reader->done = true;
    uv_close((uv_handle_t *)&reader->poll, on_closed);  // closes fd, frees the reader
    napi_throw_error(env, err != 0 ? uv_err_name(err) : "EIO", err != 0 ? uv_strerror(err) : "readPipe: no handle");
    return NULL;
  }
  reader->owners = 2;  // and the JS handle
  return handle;
}

static napi_value pause_pipe(napi_env env, napi_callback_info info) {
  Reader *reader = unwrap(env, info, "pausePipe(handle)");
  if (reader != NULL && !reader->done && !reader->paused) {
    reader->paused = true;
    uv_poll_stop(&reader->poll);
  }
  return NULL;
}

static napi_value resume_pipe(napi_env env, napi_callback_info info) {
  Reader *reader = unwrap(env, info, "resumePipe(handle)");
  if (reader != NULL && !reader->done && reader->paused) {
    reader->paused = false;
    int err = uv_poll_start(&reader->poll, UV_READABLE, on_readable);
    if (err != 0) napi_throw_error(env, uv_err_name(err), uv_strerror(err));
  }
  return NULL;
}

static napi_value close_pipe(napi_env env, napi_callback_info info) {
  Reader *reader = unwrap(env, info, "closePipe(handle)");
  if (reader != NULL && !reader->done) stop(reader);
  return NULL;
}

bool pipe_reader_init(napi_env env, napi_value exports) {
  static const NamedFunction functions[] = {
      {"readPipe", read_pipe},
      {"pausePipe", pause_pipe},
      {"resumePipe", resume_pipe},
      {"closePipe", close_pipe},
  };
  return export_functions(env, exports, functions, sizeof functions / sizeof functions[0]);
}
