// The peer harness's adapter for shellgate's one-round-trip exec (docs/protocol.md, "Exec: create
// and attach in one handshake"): what `shellgate exec` does, one WebSocket per command, as
// websocketd and ttyd take one connection per process. Installed into a copy of ../shared/bench by
// install.mjs beside this file; it reuses that harness's `shellgate` adapter for starting and
// stopping the gateway (same generated config, same `npm start`).
//   connect: GET /api/exec?profile=sh&arg=<exec line> upgraded (subprotocol shellgate.v1,
//            Authorization: Bearer), resolved at `hello`; output from offset 0, acked as the
//            `shellgate` adapter acks.
//   end:     `exit`; the gateway then closes with 1000.
//   close(): when the process still runs, a `terminate` message (as DELETE does), then the
//            gateway's close; else the client's close.
import { Session } from '../lib/session.mjs';
import { closeWs, openWs } from '../lib/wsclient.mjs';
import { shellgate } from './shellgate.mjs';

const ACK_BYTES = Number(process.env.SHELLGATE_ACK_BYTES) || 65536;
const ACK_DELAY_MS = 20;
const STDIN = Buffer.from([0]);
const q = (a) => `'${String(a).replace(/'/g, `'\\''`)}'`;

const base = shellgate();

export default {
  ...base,
  name: 'shellgate-exec',
  async connect(server, { cmd, ondata } = {}) {
    const s = new Session(ondata);
    const query = new URLSearchParams({ profile: 'sh', arg: `exec ${cmd.map(q).join(' ')}` });
    const { ws, opened } = openWs(`${server.wsBase}/api/exec?${query}`, ['shellgate.v1'], {
      headers: { authorization: `Bearer ${server.token}` },
    });
    let pos = 0;
    let acked = 0;
    let timer = null;
    const ack = () => {
      clearTimeout(timer);
      timer = null;
      if (pos > acked && ws.readyState === ws.OPEN) {
        acked = pos;
        ws.send(`{"type":"ack","offset":${pos}}`);
      }
    };
    let helloOk, helloFail;
    const hello = new Promise((ok, fail) => {
      helloOk = ok;
      helloFail = fail;
    });
    hello.catch(() => {});
    let exited = false;
    s.gapBytes = 0;
    s.errors = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        if (data[0] !== 1 && data[0] !== 2) return;
        const n = data.length - 1;
        pos += n;
        s._data(n, data.subarray(1));
        if (pos - acked >= ACK_BYTES) ack();
        else timer ??= setTimeout(ack, ACK_DELAY_MS);
        return;
      }
      let m;
      try {
        m = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (m.type === 'hello') {
        pos = acked = m.offset;
        s.id = m.session?.id;
        helloOk(m);
      } else if (m.type === 'exit') {
        exited = true;
        s._end({ code: m.code, signal: m.signal });
      } else if (m.type === 'gap') {
        s.gapBytes += m.to - m.from;
        pos = m.to;
      } else if (m.type === 'error') s.errors.push(m);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      helloFail(new Error(`closed (${code}) before hello`));
      s._end({ code });
    });
    ws.on('error', (e) => {
      helloFail(e);
      s._end({ error: e.message });
    });
    await opened;
    await hello;
    s.send = (buf) => ws.send(Buffer.concat([STDIN, buf]));
    s.signal = (name) => ws.send(JSON.stringify({ type: 'signal', signal: name }));
    s.terminate = (gracePeriodMs) =>
      ws.send(
        JSON.stringify({ type: 'terminate', ...(gracePeriodMs === undefined ? {} : { gracePeriodMs }) }),
      );
    s.close = async () => {
      clearTimeout(timer);
      if (!exited && ws.readyState === ws.OPEN) {
        s.terminate();
        // The gateway closes once the process has exited; closeWs's bound applies if it does not.
        await closeWs(ws, 10000).catch(() => {});
        return;
      }
      await closeWs(ws);
    };
    return s;
  },
};
