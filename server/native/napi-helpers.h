// Small N-API helpers shared by the spawn addon's files (spawn.c, pipe-reader.c, pipe-writer.c).
#ifndef SHELLGATE_NAPI_HELPERS_H
#define SHELLGATE_NAPI_HELPERS_H
#include <stdbool.h>
#include <stddef.h>
#include <node_api.h>

typedef struct {
  const char *name;
  napi_callback function;
} NamedFunction;

/** Adds each function to `exports` under its name; false if that failed. */
static inline bool export_functions(napi_env env, napi_value exports, const NamedFunction *functions, size_t count) {
  for (size_t i = 0; i < count; i++) {
    napi_value function;
    if (napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].function, NULL, &function) !=
            napi_ok ||
        napi_set_named_property(env, exports, functions[i].name, function) != napi_ok)
      return false;
  }
  return true;
}

/**
 * Calls `callback` from a libuv callback as Node calls an I/O callback: ticks and microtasks run
 * after it, and a throw becomes an uncaught exception. The caller holds a handle scope.
 */
static inline void call_from_loop(napi_env env, napi_async_context context, napi_ref callback, size_t argc,
                                  const napi_value *argv) {
  napi_value function, global, ignored;
  napi_get_reference_value(env, callback, &function);
  napi_get_global(env, &global);
  if (napi_make_callback(env, context, global, function, argc, argv, &ignored) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
}

/**
 * Reads up to `argc` arguments into `argv` and returns what the first one, an external, wraps; NULL
 * with a TypeError naming `usage` when there are fewer or the first is not one.
 */
static inline void *external_argument(napi_env env, napi_callback_info info, size_t argc, napi_value *argv,
                                      const char *usage) {
  size_t given = argc;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &given, argv, NULL, NULL) != napi_ok || given < argc ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "EINVAL", usage);
    return NULL;
  }
  return data;
}

#endif
