// The per-object reconciler actor: one per key, under the controller's shards, created on the
// first request for its key and passivated when idle. It runs one reconcile at a time (the actor
// handles one message at a time), which is what makes "never twice at once for the same key"
// hold even when the controller has given up waiting for an earlier reconcile.

import type { ActorDefinition, ReplyTo } from '../../runtime/index.js';
import { defineActor } from '../../runtime/index.js';
import type { ReconcileRequest, Reconciler } from './controller-contract.js';
import type { ControllerMetrics } from './controller-metrics.js';

/** How one reconcile ended. A thrown error is carried as data, not as an actor crash. */
export type ReconcileOutcome =
  | { readonly ok: true; readonly requeueAfterMs: number | undefined }
  | { readonly ok: false; readonly error: unknown };

export type ReconcilerMsg = {
  readonly type: 'reconcile';
  readonly request: ReconcileRequest;
  readonly replyTo: ReplyTo<ReconcileOutcome>;
};

/** The actor type of a controller's reconcilers: `<controller>-reconciler`. */
export function reconcilerActorType(controllerName: string): string {
  return `${controllerName}-reconciler`;
}

export function reconcilerActor(controllerName: string, reconciler: Reconciler, metrics: ControllerMetrics): ActorDefinition<null, ReconcilerMsg> {
  return defineActor<null, ReconcilerMsg>({
    type: reconcilerActorType(controllerName),
    initialState: () => {
      metrics.reconcilerActorStarted();
      return null;
    },
    async handle(state, msg) {
      let outcome: ReconcileOutcome;
      try {
        const result = await reconciler.reconcile(msg.request);
        const after = result?.requeueAfterMs;
        outcome = { ok: true, requeueAfterMs: after !== undefined && after > 0 ? after : undefined };
      } catch (error) {
        outcome = { ok: false, error };
      }
      msg.replyTo.reply(outcome);
      return state;
    },
    onStop: () => metrics.reconcilerActorStopped(),
  });
}
