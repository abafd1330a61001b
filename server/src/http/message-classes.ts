// Requests and responses made as express's from the start.
//
// On its way in, express gives every request and response its own prototype with
// `Object.setPrototypeOf`. On V8 that costs ~50 µs of CPU a request, and what each request
// allocates then outlives young-generation collections: plain API traffic grew the old generation
// by ~9 KiB a request until a full collection (docs/benchmarks.md, "Requests born as express's").
// Node makes them with these classes instead, so they are born with express's prototypes, and
// express's own call finds the prototype already set, which V8 returns from at once.
import { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerOptions } from 'node:http';
import type { Express } from 'express';

type MessageClasses = Required<Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'>>;

/** For `http.createServer`'s options: requests and responses with `app`'s prototypes. */
export function messageClasses(app: Express): MessageClasses {
  // Plain functions, not subclasses: express's prototypes must be these constructors' own
  // `prototype`, which a class's cannot be made. Reflect.construct builds Node's objects with it.
  function Request(...args: unknown[]): IncomingMessage {
    return Reflect.construct(IncomingMessage, args, Request) as IncomingMessage;
  }
  Request.prototype = app.request;
  function Response(...args: unknown[]): ServerResponse {
    return Reflect.construct(ServerResponse, args, Response) as ServerResponse;
  }
  Response.prototype = app.response;
  // Node only ever calls them with `new`, as it would its own classes.
  return {
    IncomingMessage: Request as unknown as MessageClasses['IncomingMessage'],
    ServerResponse: Response as unknown as MessageClasses['ServerResponse'],
  };
}
