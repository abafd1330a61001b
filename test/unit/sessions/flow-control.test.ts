// Flow control's decisions, driven synchronously: when the child is paused, what the replay buffer
// pins, and how far viewers are sent ahead. No process, no socket: the rules themselves.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FlowControl,
  nextSendStep,
  slowestControlFloor,
  viewerCaughtUp,
  viewerFellBehind,
} from '../../../server/src/sessions/flow-control.ts';
import type { ClientPosition, FlowInputs } from '../../../server/src/sessions/flow-control.ts';

const limits = { windowBytes: 1000, viewerLagBytes: 400 };
/** One decision as the stream makes it: what to retain for the control floor, then pause or not. */
function step(
  flow: FlowControl,
  { controlFloor, ...overrides }: Partial<FlowInputs> & { controlFloor?: number },
): { pinFrom: number; pause: boolean | null } {
  const pinFrom = flow.retainFrom(controlFloor);
  const inputs: FlowInputs = {
    replayEnd: 0,
    replayOverBudget: false,
    screenBacklog: 0,
    processGone: false,
    ...overrides,
  };
  return { pinFrom, pause: flow.decide(inputs) };
}
const control = (sent: number, floor: number): ClientPosition => ({ role: 'control', sent, floor });
const viewer = (sent: number, floor: number): ClientPosition => ({ role: 'view', sent, floor });

describe('pausing the child', () => {
  test('before any control client attached, the child is held at one window from the start', () => {
    const flow = new FlowControl(limits);
    assert.deepEqual(step(flow, { replayEnd: 1000 }), { pinFrom: 0, pause: null });
    assert.deepEqual(step(flow, { replayEnd: 1001 }), { pinFrom: 0, pause: true });
    assert.equal(flow.paused, true);
  });

  test('the slowest control client sets the floor, and the child resumes once it catches up', () => {
    const flow = new FlowControl(limits);
    flow.controlJoined();
    const floor = slowestControlFloor([control(5000, 3000), control(5000, 4500), viewer(5000, 0)]);
    assert.equal(floor, 3000);
    assert.deepEqual(step(flow, { controlFloor: floor, replayEnd: 5000 }), {
      pinFrom: 3000,
      pause: true,
    });
    assert.deepEqual(step(flow, { controlFloor: 4000, replayEnd: 5000 }), {
      pinFrom: 4000,
      pause: false,
    });
  });

  test('a replay buffer over budget pauses the child even within the window', () => {
    const flow = new FlowControl(limits);
    flow.controlJoined();
    const decision = step(flow, { controlFloor: 100, replayEnd: 200, replayOverBudget: true });
    assert.equal(decision.pause, true);
  });

  test('after the last control client leaves, the child is held at its floor until the hold expires', () => {
    const flow = new FlowControl(limits);
    flow.controlJoined();
    step(flow, { controlFloor: 700, replayEnd: 800 });
    flow.controlLeft(600, true, true);
    assert.equal(flow.holding, true);
    assert.deepEqual(step(flow, { replayEnd: 1700 }), { pinFrom: 600, pause: true });
    flow.holdExpired();
    assert.equal(flow.holding, false);
    assert.deepEqual(step(flow, { replayEnd: 1700 }), {
      pinFrom: Number.POSITIVE_INFINITY,
      pause: false,
    });
  });

  test('without a reconnect hold the child runs on as soon as the last control client leaves', () => {
    const flow = new FlowControl(limits);
    flow.controlJoined();
    flow.controlLeft(0, true, false);
    assert.deepEqual(step(flow, { replayEnd: 50_000 }), {
      pinFrom: Number.POSITIVE_INFINITY,
      pause: null,
    });
  });

  test('a control client coming back ends the hold', () => {
    const flow = new FlowControl(limits);
    flow.controlJoined();
    flow.controlLeft(0, true, true);
    flow.controlJoined();
    assert.equal(flow.holding, false);
  });

  test('a screen tracker a window behind pauses the child even with nobody attached', () => {
    const flow = new FlowControl(limits);
    flow.controlJoined();
    flow.controlLeft(0, true, false);
    assert.equal(step(flow, { screenBacklog: 1001 }).pause, true);
    assert.equal(step(flow, { screenBacklog: 10 }).pause, false);
  });

  test('a process that is gone is never paused, so its last output drains', () => {
    const flow = new FlowControl(limits);
    assert.equal(step(flow, { replayEnd: 5000 }).pause, true);
    assert.equal(step(flow, { replayEnd: 5000, processGone: true }).pause, false);
    flow.processExited();
    assert.equal(flow.paused, false);
  });

  test('a decision that does not change the pause says so with null', () => {
    const flow = new FlowControl(limits);
    flow.controlJoined();
    assert.equal(step(flow, { controlFloor: 0, replayEnd: 10 }).pause, null);
    assert.equal(step(flow, { controlFloor: 0, replayEnd: 20 }).pause, null);
  });
});

describe('sending ahead', () => {
  const replay = { start: 1000, end: 3000 };

  test('a client behind the replay buffer is moved on with a gap to the buffer start', () => {
    assert.deepEqual(nextSendStep(control(200, 200), replay, limits), { kind: 'gap', from: 200, to: 1000 });
  });

  test('a control client is sent everything, whatever it has not acknowledged', () => {
    assert.deepEqual(nextSendStep(control(1500, 1000), replay, limits), {
      kind: 'send',
      budget: Number.POSITIVE_INFINITY,
    });
  });

  test('a viewer is sent at most its lag beyond what it acknowledged', () => {
    assert.deepEqual(nextSendStep(viewer(1100, 1000), replay, limits), { kind: 'send', budget: 300 });
    assert.deepEqual(nextSendStep(viewer(1400, 1000), replay, limits), { kind: 'lagging' });
  });

  test('a client at the end is caught up', () => {
    assert.deepEqual(nextSendStep(viewer(3000, 0), replay, limits), { kind: 'caught-up' });
  });

  test('a viewer falls behind at a full lag and catches up at half of it', () => {
    assert.equal(viewerFellBehind(viewer(1399, 1000), limits), false);
    assert.equal(viewerFellBehind(viewer(1400, 1000), limits), true);
    assert.equal(viewerFellBehind(control(9000, 0), limits), false);
    assert.equal(viewerCaughtUp(viewer(1400, 1199), limits), false);
    assert.equal(viewerCaughtUp(viewer(1400, 1200), limits), true);
  });

  test('with no control client there is no control floor', () => {
    assert.equal(slowestControlFloor([viewer(10, 0)]), undefined);
  });
});
