// See terminal.c.
#ifndef SHELLGATE_TERMINAL_H
#define SHELLGATE_TERMINAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <node_api.h>

/**
 * Opens a new pseudo-terminal of `cols` x `rows` in the modes a terminal session starts with: the
 * master (non-blocking, close-on-exec) in *master, the slave (close-on-exec, not this process's
 * controlling terminal) in *slave and its path in `path`. Returns 0, or the errno of what failed
 * with nothing left open. Touches no JS value: it runs on libuv's worker threads too.
 */
int terminal_open(uint16_t cols, uint16_t rows, int *master, int *slave, char *path, size_t size);

/** Adds resizeTerminal to `exports`; false if that failed. */
bool terminal_init(napi_env env, napi_value exports);

#endif
