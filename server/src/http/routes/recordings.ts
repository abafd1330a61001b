// Recordings over HTTP (docs/recording.md): list what the credential may see, download one as an
// asciicast file, delete one (operators with scope "all"). Downloads and deletions are audited.
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import type { Router } from 'express';
import type { GatewayContext } from '../../context.js';
import { authenticate, credentialOf } from '../guards.js';

/** asciinema's media type for .cast files. */
const ASCIICAST_TYPE = 'application/x-asciicast';

/** Adds the recording routes to the API's router. */
export function recordingRoutes(router: Router, context: GatewayContext): void {
  const { recordings, audit } = context;
  router.use('/recordings', authenticate(context));

  router.get('/recordings', async (request, response) => {
    const { principal } = credentialOf(request);
    response.json({ recordings: await recordings.list(principal) });
  });

  router.get('/recordings/:id', async (request, response) => {
    const { principal } = credentialOf(request);
    const { info, path } = await recordings.find(principal, String(request.params.id));
    // Opened before the answer starts: a file deleted meanwhile is a plain 404.
    const file = await open(path, 'r').catch((error: unknown) => {
      throw notFoundIfMissing(error);
    });
    try {
      audit.record('recording-download', {
        who: principal.name,
        from: context.proxy.clientAddress(request),
        session: info.session,
        recording: info.id,
        bytes: info.bytes,
      });
      response.set({
        'Content-Type': ASCIICAST_TYPE,
        'Content-Disposition': `attachment; filename="${info.id}.cast"`,
      });
      // A recording still being written is sent as far as it goes now: whole lines, perhaps a cut one.
      await pipeline(file.createReadStream({ autoClose: false }), response);
    } finally {
      await file.close();
    }
  });

  router.delete('/recordings/:id', async (request, response) => {
    const { principal } = credentialOf(request);
    if (principal.role !== 'operator' || principal.scope !== 'all') {
      throw new ProtocolError(
        ErrorCode.Forbidden,
        'only an operator token with scope "all" may delete recordings',
      );
    }
    const { info } = await recordings.find(principal, String(request.params.id));
    await recordings.delete(info.id);
    audit.record('recording-delete', {
      who: principal.name,
      from: context.proxy.clientAddress(request),
      session: info.session,
      recording: info.id,
      bytes: info.bytes,
      active: info.active,
    });
    response.status(204).end();
  });
}

function notFoundIfMissing(error: unknown): unknown {
  const missing = typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
  return missing ? new ProtocolError(ErrorCode.NotFound, 'no such recording') : error;
}
