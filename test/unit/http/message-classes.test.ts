// Requests and responses are born with express's prototypes (server/src/http/message-classes.ts),
// so that express's own Object.setPrototypeOf on every request has nothing left to change. A real
// server on 127.0.0.1 and real requests: what express adds and what Node's own classes do both work.
import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { messageClasses } from '../../../server/src/http/message-classes.ts';

test("requests and responses are express's from birth, and Node's still", async (t) => {
  const app = express();
  app.post('/echo', express.json(), (request, response) => {
    response.status(201).json({ probe: request.get('x-probe'), body: request.body as unknown });
  });
  const born: boolean[] = [];
  const server = createServer(messageClasses(app), (request, response) => {
    // Before express has touched them.
    born.push(
      Object.getPrototypeOf(request) === app.request &&
        Object.getPrototypeOf(response) === app.response &&
        request instanceof IncomingMessage &&
        response instanceof ServerResponse,
    );
    app(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const echoed = await fetch(`${base}/echo`, {
    method: 'POST',
    headers: { 'x-probe': 'p1', 'content-type': 'application/json' },
    body: JSON.stringify({ n: 1 }),
  });
  assert.equal(echoed.status, 201);
  assert.deepEqual(await echoed.json(), { probe: 'p1', body: { n: 1 } });
  const missing = await fetch(`${base}/nowhere`);
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
  assert.deepEqual(born, [true, true]);
});
