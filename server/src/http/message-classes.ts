// Requests and responses made as express's from the start.
//
// On its way in, express gives every request and response its own prototype with
// `Object.setPrototypeOf`. On V8 that about doubled the CPU an API request cost, and what each
// request allocated then outlived young-generation collections: plain API traffic grew the old
// generation by ~10 KiB a request until a full collection (docs/benchmarks.md, "Requests born as
// express's").
// Node makes them with these classes instead, whose prototypes take the place of express's, so
// express's own call finds the prototype already set, which V8 returns from at once.
import { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerOptions } from 'node:http';
import type { Express } from 'express';

type MessageClasses = Required<Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'>>;

/**
 * For `http.createServer`'s options: requests and responses born with `app`'s prototypes. The
 * classes are subclasses of Node's, so that V8 lays their objects out as it does Node's own; their
 * prototypes become express's (what express's prototype held, over what it inherits) and `app`
 * uses them from then on.
 */
export function messageClasses(app: Express): MessageClasses {
  class Request extends IncomingMessage {}
  class Response<Incoming extends IncomingMessage = IncomingMessage> extends ServerResponse<Incoming> {}
  takePlace(Request.prototype, app.request);
  takePlace(Response.prototype, app.response);
  app.request = Request.prototype as Express['request'];
  app.response = Response.prototype as Express['response'];
  return { IncomingMessage: Request, ServerResponse: Response };
}

function takePlace(prototype: object, expressPrototype: object): void {
  Object.setPrototypeOf(prototype, Object.getPrototypeOf(expressPrototype) as object);
  Object.defineProperties(prototype, Object.getOwnPropertyDescriptors(expressPrototype));
}
