// setCloseOnExec(fd): marks a file descriptor of this process close-on-exec (FD_CLOEXEC).
//
// node-pty creates each terminal's master with forkpty() and leaves it inheritable, so every
// program the gateway starts later (through child_process, which relies on close-on-exec alone,
// or through another forkpty) would inherit the masters of all live terminals and could read
// and type into them. Node has no fcntl(), hence this addon. See docs/process-core.md.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, int err, int fd) {
  char message[128];
  snprintf(message, sizeof message, "fcntl(%d, F_SETFD, FD_CLOEXEC): %s", fd, strerror(err));
  napi_value code, text, error;
  napi_create_string_utf8(env, err == EBADF ? "EBADF" : "EIO", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_throw(env, error);
  return NULL;
}

static napi_value set_close_on_exec(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "EINVAL", "setCloseOnExec(fd): fd must be a non-negative integer");
    return NULL;
  }
  int flags = fcntl(fd, F_GETFD);
  if (flags == -1 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1) return throw_errno(env, errno, fd);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "setCloseOnExec", NAPI_AUTO_LENGTH, set_close_on_exec, NULL, &fn) !=
          napi_ok ||
      napi_set_named_property(env, exports, "setCloseOnExec", fn) != napi_ok) {
    return NULL;
  }
  return exports;
}
