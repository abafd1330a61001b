// See pipe-reader.c.
#ifndef SHELLGATE_PIPE_READER_H
#define SHELLGATE_PIPE_READER_H
#include <stdbool.h>
#include <node_api.h>

/** Adds readPipe, pausePipe, resumePipe and closePipe to `exports`; false if that failed. */
bool pipe_reader_init(napi_env env, napi_value exports);

#endif
