import { delay } from './deferred.js';
import { reportListenerError } from './listeners.js';
import type { TerminateOptions, TerminateStage } from './types.js';

export interface EscalationStep {
  stage: TerminateStage;
  /** Must be a no-op once the process has exited: it may race the exit by a tick. */
  act(): void;
}

/**
 * Graceful first, forced after a delay: takes each step in turn until the process exits, giving
 * every step but the last `gracePeriodMs` to work, and returns the last stage taken.
 *
 *   step ──► exit? ──yes──► done
 *             │ no, grace period over
 *             ▼
 *   next step ──► …  last step (SIGKILL) ──► wait for exit without a timer
 *
 * One AbortController per call clears the pending grace timer as soon as the process exits, so no
 * timer outlives it and none can fire at a pid that may have been reused.
 */
export async function escalate(
  steps: readonly EscalationStep[],
  exited: Promise<unknown>,
  gracePeriodMs: number,
  onStage: TerminateOptions['onStage'],
): Promise<TerminateStage | null> {
  const controller = new AbortController();
  let hasExited = false;
  const exit = exited.then(() => {
    hasExited = true;
  });
  let stage: TerminateStage | null = null;
  try {
    for (const [index, step] of steps.entries()) {
      if (hasExited) break;
      stage = step.stage;
      notify(onStage, stage);
      step.act();
      const isLast = index === steps.length - 1;
      await (isLast ? exit : Promise.race([exit, delay(gracePeriodMs, controller.signal)]));
    }
  } finally {
    controller.abort();
  }
  return stage;
}

function notify(onStage: TerminateOptions['onStage'], stage: TerminateStage): void {
  try {
    onStage?.(stage);
  } catch (error) {
    // A failing observer must not stop the escalation halfway.
    reportListenerError(error);
  }
}
