// openWriter(): writes a child's stdin pipe with write(2), waiting on libuv's loop only when full.
//
// A net.Socket for stdin is ~1.2 KiB of JS heap with its stream states, plus a PipeWrap and its
// uv_pipe_t, for the child's whole life once written to; and each write goes through the stream
// machinery and a write request. Here a write is one write(2) on a non-blocking descriptor; a poll
// handle exists only once the pipe was found full. See server/src/process/pipe-writer.ts.
//
// openWriter(fd, onWritable) -> handle: makes `fd` non-blocking.
// writePipe(handle, buffer) -> n >= 0 bytes written, or -errno (-EAGAIN: the pipe is full).
// waitWritable(handle): calls onWritable() once, when the pipe takes data again.
// closeWriter(handle): stops waiting and closes `fd`; no callback follows.
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>
#include "napi-helpers.h"
#include "pipe-writer.h"
#include "teardown.h"

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int fd;
  /** The poll handle was initialized (at the first wait). */
  bool polling;
  bool closed;
  /** Owners of this memory: the JS handle until finalized, the poll handle until its close callback. */
  int owners;
  LiveHandle live;
} Writer;

static void release(Writer *writer) {
  if (--writer->owners == 0) free(writer);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release(data);
}

static void on_poll_closed(uv_handle_t *handle) {
  Writer *writer = handle->data;
  close(writer->fd);
  teardown_untrack(writer->env, &writer->live);
  release(writer);
}

/** Stops waiting and closes `fd`, after the poll handle if there is one. */
static void close_now(Writer *writer) {
  writer->closed = true;
  napi_delete_reference(writer->env, writer->callback);
  napi_async_destroy(writer->env, writer->context);
  if (writer->polling) {
    uv_poll_stop(&writer->poll);
    uv_close((uv_handle_t *)&writer->poll, on_poll_closed);  // closes fd after the handle
  } else {
    close(writer->fd);
    teardown_untrack(writer->env, &writer->live);
  }
}

static void close_at_teardown(LiveHandle *live) {
  Writer *writer = CONTAINER_OF(live, Writer, live);
  if (!writer->closed) close_now(writer);
}

static void on_writable(uv_poll_t *poll, int status, int events) {
  (void)status;  // an error shows in the next write, which the caller makes now
  (void)events;
  Writer *writer = poll->data;
  uv_poll_stop(poll);
  napi_handle_scope scope;
  napi_open_handle_scope(writer->env, &scope);
  call_from_loop(writer->env, writer->context, writer->callback, 0, NULL);
  napi_close_handle_scope(writer->env, scope);
}

static napi_value number(napi_env env, int64_t value) {
  napi_value result;
  napi_create_int64(env, value, &result);
  return result;
}

static napi_value open_writer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 || napi_typeof(env, argv[1], &type) != napi_ok ||
      type != napi_function) {
    napi_throw_type_error(env, "EINVAL", "openWriter(fd, onWritable)");
    return NULL;
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    napi_throw_error(env, uv_err_name(-errno), uv_strerror(-errno));
    return NULL;
  }
  Writer *writer = calloc(1, sizeof *writer);
  if (writer == NULL) {
    napi_throw_error(env, "ENOMEM", "openWriter: out of memory");
    return NULL;
  }
  writer->env = env;
  writer->fd = fd;
  writer->poll.data = writer;
  writer->owners = 1;  // the JS handle
  napi_value name, handle;
  napi_create_string_utf8(env, "shellgate:stdin", NAPI_AUTO_LENGTH, &name);
  if (napi_create_external(env, writer, finalize, NULL, &handle) != napi_ok) {
    free(writer);
    napi_throw_error(env, "EIO", "openWriter: no handle");
    return NULL;
  }
  napi_create_reference(env, argv[1], 1, &writer->callback);
  napi_async_init(env, NULL, name, &writer->context);
  teardown_disown_fd(env, fd);  // the writer closes it now
  teardown_track(env, &writer->live, close_at_teardown);
  return handle;
}

static napi_value write_pipe(napi_env env, napi_callback_info info) {
  static const char usage[] = "writePipe(handle, buffer)";
  napi_value argv[2];
  Writer *writer = external_argument(env, info, 2, argv, usage);
  if (writer == NULL) return NULL;
  bool is_buffer = false;
  void *data;
  size_t size;
  if (napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[1], &data, &size) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", usage);
    return NULL;
  }
  if (writer->closed) return number(env, -EBADF);
  ssize_t written;
  do written = write(writer->fd, data, size);
  while (written < 0 && errno == EINTR);
  return number(env, written < 0 ? -errno : written);
}

static napi_value wait_writable(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Writer *writer = external_argument(env, info, 1, argv, "waitWritable(handle)");
  if (writer == NULL || writer->closed) return NULL;
  int err = 0;
  if (!writer->polling) {
    uv_loop_t *loop;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) err = UV_EINVAL;
    else err = uv_poll_init(loop, &writer->poll, writer->fd);
    if (err == 0) {
      writer->polling = true;
      writer->owners += 1;  // the poll handle
    }
  }
  if (err == 0) err = uv_poll_start(&writer->poll, UV_WRITABLE, on_writable);
  if (err != 0) napi_throw_error(env, uv_err_name(err), uv_strerror(err));
  return NULL;
}

static napi_value close_writer(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Writer *writer = external_argument(env, info, 1, argv, "closeWriter(handle)");
  if (writer != NULL && !writer->closed) close_now(writer);
  return NULL;
}

bool pipe_writer_init(napi_env env, napi_value exports) {
  static const NamedFunction functions[] = {
      {"openWriter", open_writer},
      {"writePipe", write_pipe},
      {"waitWritable", wait_writable},
      {"closeWriter", close_writer},
  };
  return export_functions(env, exports, functions, sizeof functions / sizeof functions[0]);
}
