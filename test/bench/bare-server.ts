// The reference the gateway's own costs are measured against: a bare node:http server answering
// `GET /api/sessions` with the smallest JSON, started with the gateway's Node flags.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { START_NODE_FLAGS } from '../helpers/gateway.ts';

const BARE_SERVER = `
const body = JSON.stringify({ sessions: [] });
require('node:http')
  .createServer((request, response) => {
    request.resume();
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  })
  .listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\\n'); });
`;

export interface BareServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startBareServer(): Promise<BareServer> {
  const child = spawn(process.execPath, [...START_NODE_FLAGS, '-e', BARE_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    url: `http://127.0.0.1:${line.toString().trim()}`,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
