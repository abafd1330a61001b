// The peer harness's adapter for shellgate's one-round-trip exec (docs/protocol.md, "Exec: create
// and attach in one handshake"): what `shellgate exec` does, one WebSocket per command, as
// websocketd and ttyd take one connection per process. Installed into a copy of ../shared/bench by
// install.mjs beside this file.
//   start:   like the `shellgate` adapter (`npm start` with a generated config, one random operator
//            token), with the workload's command as the profile `run` (argv = the command, no
//            args), as websocketd is started with its command; `pid` is the gateway's own process.
//   connect: GET /api/exec?profile=run upgraded (subprotocol shellgate.v1, Authorization: Bearer),
//            resolved at `hello`; output from offset 0, acked as the `shellgate` adapter acks.
//   end:     `exit`; the gateway then closes with 1000.
//   close(): when the process still runs, a `terminate` message (as DELETE does), then the
//            gateway's close; else the client's close.
//   stop():  as the `shellgate` adapter: SIGTERM to the gateway, then npm's clean-up; a session
//            process still alive is SIGKILLed and counted as a leftover.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { alive, descendants } from '../lib/proc.mjs';
import { startServer } from '../lib/server.mjs';
import { Session } from '../lib/session.mjs';
import { sleep } from '../lib/stats.mjs';
import { closeWs, openWs } from '../lib/wsclient.mjs';

const ACK_BYTES = Number(process.env.SHELLGATE_ACK_BYTES) || 65536;
const ACK_DELAY_MS = 20;
const STDIN = Buffer.from([0]);
const DIR = resolve(process.env.SHELLGATE_DIR || process.cwd());

/** Among rootPid and its descendants, the pid holding the socket that listens on `port`. */
function listenerPid(rootPid, port) {
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      const listening = c.length > 9 && c[3] === '0A';
      if (listening && parseInt(c[1].split(':').pop(), 16) === port) inodes.add(`socket:[${c[9]}]`);
    }
  }
  for (const pid of [rootPid, ...descendants(rootPid)]) {
    let fds = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {}
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
      } catch {}
    }
  }
  return null;
}

export default {
  name: 'shellgate-exec',
  tty: false,
  lines: false,
  async start({ port, cmd }) {
    const token = randomBytes(24).toString('base64url');
    const dir = join(tmpdir(), 'ws-shell-bench-shellgate');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const config = join(dir, `config-exec-${port}.json`);
    const gatewayConfig = {
      tokens: [{ token, role: 'operator' }],
      profiles: { run: { argv: cmd, mode: 'pipe' } },
      // Room for the 1,000-connection workload (defaults: 100 sessions, 50 per token).
      limits: { maxSessions: 5000, maxSessionsPerToken: 5000 },
    };
    writeFileSync(config, JSON.stringify(gatewayConfig), { mode: 0o600 });
    const argv = ['npm', '--prefix', DIR, 'start', '--silent', '--', '--config', config];
    argv.push('--host', '127.0.0.1', '--port', String(port));
    const npm = await startServer(argv, { port, name: 'shellgate-exec', timeoutMs: 120000 });
    const pid = listenerPid(npm.pid, port) ?? npm.pid;
    return {
      pid,
      port,
      log: npm.log,
      token,
      wsBase: `ws://127.0.0.1:${port}`,
      async stop() {
        const kids = pid === npm.pid ? [] : descendants(pid);
        if (pid !== npm.pid) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {}
          const t0 = Date.now();
          while (alive(pid) && Date.now() - t0 < 10000) await sleep(20);
        }
        const r = await npm.stop();
        const left = kids.filter(alive);
        for (const p of left) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {}
        }
        return { leftoverChildrenAfterStop: left.length + r.leftoverChildrenAfterStop };
      },
    };
  },
  async connect(server, { ondata } = {}) {
    const s = new Session(ondata);
    const { ws, opened } = openWs(`${server.wsBase}/api/exec?profile=run`, ['shellgate.v1'], {
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
