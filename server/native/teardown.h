// See teardown.c.
#ifndef SHELLGATE_TEARDOWN_H
#define SHELLGATE_TEARDOWN_H
#include <stdbool.h>
#include <stddef.h>
#include <node_api.h>

/** The struct of `type` whose `member` is at `pointer`. */
#define CONTAINER_OF(pointer, type, member) ((type *)((char *)(pointer) - offsetof(type, member)))

/** A libuv handle of the addon's, closed by `close` if it is still open when Node tears down. */
typedef struct LiveHandle {
  struct LiveHandle *previous;
  struct LiveHandle *next;
  /** Starts closing the handle (a no-op if it is already closing); `untrack` follows once closed. */
  void (*close)(struct LiveHandle *handle);
} LiveHandle;

/** Registers the teardown for `env`, once per environment (module init); false if that failed. */
bool teardown_init(napi_env env);

/** From now until `teardown_untrack`, `handle` is closed by `close` if Node tears `env` down. */
void teardown_track(napi_env env, LiveHandle *handle, void (*close)(LiveHandle *handle));

/** `handle` is closed (its close callback has run): the teardown no longer waits for it. */
void teardown_untrack(napi_env env, LiveHandle *handle);

/**
 * `fd` belongs to the addon until `teardown_disown_fd`: a teardown closes it. During a teardown it
 * is closed at once (nothing can take it over any more). Out of memory for its record, it is left
 * to JS alone, as before the teardown existed.
 */
void teardown_own_fd(napi_env env, int fd);

/** `fd` is no longer the addon's (a reader, a writer or JS took it over). */
void teardown_disown_fd(napi_env env, int fd);

#endif
