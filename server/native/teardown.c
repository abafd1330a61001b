// Closing the addon's libuv handles when Node tears their environment down.
//
// Node closes the handles it knows of when an environment ends (a worker_thread terminated or
// finished), then closes the event loop; a handle it does not know of, still open, makes it abort
// the whole process: "uv_loop_close() while having open handles". The readers, the writers' polls
// and the exit watches are such handles, open for a session's whole life. So each one is tracked
// from its start until its close callback, and one asynchronous cleanup hook per environment
// closes those still open and tells Node it is done once the last close callback has run.
//
// The same goes for the descriptors a spawn hands to JS (the parent's ends of the child's pipes):
// until a reader or a writer takes one over, or JS closes it, it is only a number in JS, and an
// ended environment would leave it open, with the child waiting on it. So each is recorded as the
// addon's until then, and a teardown closes those still recorded.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "teardown.h"

typedef struct {
  napi_async_cleanup_hook_handle hook;
  LiveHandle live;  // the list's sentinel
  bool tearing_down;
  /** One bit per descriptor number: set while that descriptor is the addon's. */
  uint8_t *owned_fds;
  size_t owned_capacity;  // descriptor numbers the bitmap covers
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
  for (size_t fd = 0; fd < teardown->owned_capacity; fd++) {
    if (teardown->owned_fds[fd / 8] & (1u << (fd % 8))) close((int)fd);
  }
  free(teardown->owned_fds);
  teardown->owned_fds = NULL;
  teardown->owned_capacity = 0;
  for (LiveHandle *handle = teardown->live.next, *next; handle != &teardown->live; handle = next) {
    next = handle->next;  // `close` may untrack `handle` at once
    handle->close(handle);
  }
  finish_if_done(teardown);
}

static void free_teardown(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Teardown *teardown = data;
  free(teardown->owned_fds);
  free(teardown);
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

void teardown_own_fd(napi_env env, int fd) {
  Teardown *teardown = of(env);
  if (fd < 0) return;
  if (teardown->tearing_down) {
    close(fd);
    return;
  }
  if ((size_t)fd >= teardown->owned_capacity) {
    size_t capacity = teardown->owned_capacity == 0 ? 1024 : teardown->owned_capacity;
    while (capacity <= (size_t)fd) capacity *= 2;
    uint8_t *grown = realloc(teardown->owned_fds, capacity / 8);
    if (grown == NULL) return;
    memset(grown + teardown->owned_capacity / 8, 0, (capacity - teardown->owned_capacity) / 8);
    teardown->owned_fds = grown;
    teardown->owned_capacity = capacity;
  }
  teardown->owned_fds[fd / 8] |= (uint8_t)(1u << (fd % 8));
}

void teardown_disown_fd(napi_env env, int fd) {
  Teardown *teardown = of(env);
  if (fd < 0 || (size_t)fd >= teardown->owned_capacity) return;
  teardown->owned_fds[fd / 8] &= (uint8_t)~(1u << (fd % 8));
}
