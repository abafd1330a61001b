// Closing the addon's libuv handles when Node tears their environment down.
//
// Node closes the handles it knows of when an environment ends (a worker_thread terminated or
// finished), then closes the event loop; a handle it does not know of, still open, makes it abort
// the whole process: "uv_loop_close() while having open handles". The readers, the writers' polls
// and the exit watches are such handles, open for a session's whole life. So each one is tracked
// from its start until its close callback, and one asynchronous cleanup hook per environment
// closes those still open and tells Node it is done once the last close callback has run.
#include <stdlib.h>
#include "teardown.h"

typedef struct {
  napi_async_cleanup_hook_handle hook;
  LiveHandle live;  // the list's sentinel
  bool tearing_down;
} Teardown;

static Teardown *of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

static void finish_if_done(Teardown *teardown) {
  if (teardown->tearing_down && teardown->live.next == &teardown->live && teardown->hook != NULL) {
    napi_async_cleanup_hook_handle hook = teardown->hook;
    teardown->hook = NULL;
    napi_remove_async_cleanup_hook(hook);
  }
}

static void on_teardown(napi_async_cleanup_hook_handle hook, void *data) {
  (void)hook;
  Teardown *teardown = data;
  teardown->tearing_down = true;
  for (LiveHandle *handle = teardown->live.next, *next; handle != &teardown->live; handle = next) {
    next = handle->next;  // `close` may untrack `handle` at once
    handle->close(handle);
  }
  finish_if_done(teardown);
}

static void free_teardown(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

bool teardown_init(napi_env env) {
  Teardown *teardown = calloc(1, sizeof *teardown);
  if (teardown == NULL) return false;
  teardown->live.previous = teardown->live.next = &teardown->live;
  if (napi_set_instance_data(env, teardown, free_teardown, NULL) != napi_ok) {
    free(teardown);
    return false;
  }
  return napi_add_async_cleanup_hook(env, on_teardown, teardown, &teardown->hook) == napi_ok;
}

void teardown_track(napi_env env, LiveHandle *handle, void (*close)(LiveHandle *handle)) {
  Teardown *teardown = of(env);
  handle->close = close;
  handle->previous = &teardown->live;
  handle->next = teardown->live.next;
  teardown->live.next->previous = handle;
  teardown->live.next = handle;
}

void teardown_untrack(napi_env env, LiveHandle *handle) {
  handle->previous->next = handle->next;
  handle->next->previous = handle->previous;
  handle->previous = handle->next = handle;
  finish_if_done(of(env));
}
