// Heartbeats: every period each connection gets a ping with fresh random bytes; one that has not
// echoed the previous ping's bytes is declared dead. Real timers, a short interval, generous bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Heartbeat } from '../../../server/src/ws/heartbeat.ts';

const INTERVAL_MS = 20;

function peer(): { pings: Buffer[]; deaths: number; beating: { ping(p: Buffer): void; dead(): void } } {
  const state = {
    pings: [] as Buffer[],
    deaths: 0,
    beating: {
      ping: (payload: Buffer) => void state.pings.push(payload),
      dead: () => void (state.deaths += 1),
    },
  };
  return state;
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 250; i += 1) {
    if (done()) return;
    await sleep(INTERVAL_MS);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a peer that echoes every ping is pinged each period with fresh bytes and stays alive', async () => {
  const heartbeat = new Heartbeat(INTERVAL_MS);
  const alive = peer();
  const beat = heartbeat.add({
    ping: (payload) => {
      alive.beating.ping(payload);
      beat.pong(payload);
    },
    dead: () => alive.beating.dead(),
  });
  try {
    await until('three pings', () => alive.pings.length >= 3);
    assert.equal(alive.deaths, 0);
    const [first, second] = alive.pings;
    assert.ok(first !== undefined && second !== undefined);
    assert.ok(first.length > 0);
    assert.notDeepEqual(first, second, 'each ping carries new bytes');
  } finally {
    heartbeat.stop();
  }
});

test('a peer that does not answer a ping is declared dead once, at the next beat', async () => {
  const heartbeat = new Heartbeat(INTERVAL_MS);
  const silent = peer();
  heartbeat.add(silent.beating);
  try {
    await until('the peer to be declared dead', () => silent.deaths > 0);
    await sleep(INTERVAL_MS * 5);
    assert.equal(silent.deaths, 1, 'declared dead only once');
    assert.equal(silent.pings.length, 1, 'no ping after it is dead');
  } finally {
    heartbeat.stop();
  }
});

test('a pong with other bytes than the outstanding ping does not count', async () => {
  const heartbeat = new Heartbeat(INTERVAL_MS);
  const guesser = peer();
  const beat = heartbeat.add({
    ping: (payload) => {
      guesser.beating.ping(payload);
      beat.pong(Buffer.alloc(payload.length));
    },
    dead: () => guesser.beating.dead(),
  });
  try {
    await until('the guessing peer to be declared dead', () => guesser.deaths > 0);
  } finally {
    heartbeat.stop();
  }
});

test('a disposed member is neither pinged nor declared dead', async () => {
  const heartbeat = new Heartbeat(INTERVAL_MS);
  const gone = peer();
  const witness = peer();
  heartbeat.add(gone.beating).dispose();
  heartbeat.add(witness.beating);
  try {
    await until('the witness to be declared dead', () => witness.deaths > 0);
    assert.deepEqual({ pings: gone.pings.length, deaths: gone.deaths }, { pings: 0, deaths: 0 });
  } finally {
    heartbeat.stop();
  }
});

test('stop ends the beating for every member', async () => {
  const heartbeat = new Heartbeat(INTERVAL_MS);
  const member = peer();
  heartbeat.add(member.beating);
  heartbeat.stop();
  await sleep(INTERVAL_MS * 5);
  assert.deepEqual({ pings: member.pings.length, deaths: member.deaths }, { pings: 0, deaths: 0 });
});
