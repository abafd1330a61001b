// See pipe-writer.c.
#ifndef SHELLGATE_PIPE_WRITER_H
#define SHELLGATE_PIPE_WRITER_H
#include <stdbool.h>
#include <node_api.h>

/** Adds openWriter, writePipe, waitWritable and closeWriter to `exports`; false if that failed. */
bool pipe_writer_init(napi_env env, napi_value exports);

#endif
