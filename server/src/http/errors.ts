// Every HTTP error leaves as `{"error":{"code","message"}}` with the status shared's HTTP_STATUS
// gives its code — including body-parser failures and bugs.
import { ErrorCode, HTTP_STATUS, ProtocolError } from '@shellgate/shared';
import type { ErrorBody } from '@shellgate/shared';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../log/logger.js';

/**
 * `Retry-After` (seconds) on every 429: when trying again can succeed. These are the defaults; an
 * address out of authentication attempts is told the seconds left in its window instead
 * (auth/rate-limit.ts). The input rate's bucket refills within a second; capacity frees up as
 * sessions exit and clients leave, which nothing can predict, so those say a few seconds.
 */
export const RETRY_AFTER_SECONDS: Readonly<Partial<Record<ErrorCode, number>>> = {
  [ErrorCode.RateLimited]: 1,
  [ErrorCode.SessionLimit]: 5,
  [ErrorCode.ClientLimit]: 5,
  [ErrorCode.InputQueueFull]: 1,
};

export function sendError(
  response: Response,
  code: ErrorCode,
  message: string,
  retryAfter: number | undefined = RETRY_AFTER_SECONDS[code],
): void {
  const body: ErrorBody = { error: { code, message } };
  if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
  response.status(HTTP_STATUS[code]).json(body);
}

/** body-parser marks its errors with a `type`; map the ones a client can cause. */
function bodyParserError(error: unknown, limit: number): ProtocolError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  switch ('type' in error ? error.type : undefined) {
    case 'entity.too.large':
      return new ProtocolError(
        ErrorCode.MessageTooLarge,
        `request body larger than ${limit} bytes (limits.maxBodyBytes)`,
      );
    case 'entity.parse.failed':
      return new ProtocolError(ErrorCode.InvalidRequest, 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
    case 'request.aborted':
    case 'stream.encoding.set':
      return new ProtocolError(ErrorCode.InvalidRequest, 'request body could not be read');
    default:
      break;
  }
  // http-errors from serve-static (a missing asset) and friends: client errors keep their meaning.
  if ('status' in error && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    return error.status === 404
      ? new ProtocolError(ErrorCode.NotFound, 'not found')
      : new ProtocolError(ErrorCode.InvalidRequest, 'bad request');
  }
  return undefined;
}

export function errorHandler(logger: Logger, bodyLimit: number): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const known = error instanceof ProtocolError ? error : bodyParserError(error, bodyLimit);
    if (known !== undefined) {
      sendError(response, known.code, known.message);
      return;
    }
    logger.error('request failed', { method: request.method, path: request.path, error });
    sendError(response, ErrorCode.Internal, 'internal error');
  };
}
