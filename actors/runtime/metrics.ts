import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export const ACTOR_METRIC_NAMES = {
  mailboxDepth: 'flotilla_actor_mailbox_depth',
  messagesHandled: 'flotilla_actor_messages_handled_total',
  handlingSeconds: 'flotilla_actor_message_handling_seconds',
  restarts: 'flotilla_actor_restarts_total',
  deadLetters: 'flotilla_actor_dead_letters_total',
} as const;

/**
 * Distinct `actor_type` label values kept; types past it share the label `other`. Types come from
 * actor definitions in code, so this only guards against a definition built from data.
 */
export const MAX_ACTOR_TYPE_LABELS = 512;
const OVERFLOW_ACTOR_TYPE = 'other';

/** Handling time buckets: from a cache read (100µs) to a slow reconcile (10s). */
const HANDLING_SECONDS_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** The metrics of one actor type, bound to its label so the hot path does no label hashing. */
export interface ActorTypeMetrics {
  readonly mailboxDepth: { inc(n?: number): void; dec(n?: number): void };
  readonly messagesHandled: { inc(): void };
  readonly handlingSeconds: { observe(seconds: number): void };
  readonly restarts: { inc(): void };
  readonly deadLetters: { inc(): void };
}

/**
 * The runtime's Prometheus metrics, labelled by `actor_type`, on the registry of the process.
 * Two actor systems given the same registry share the metrics (and sum into them).
 */
export class ActorMetrics {
  private readonly mailboxDepth: Gauge<'actor_type'>;
  private readonly messagesHandled: Counter<'actor_type'>;
  private readonly handlingSeconds: Histogram<'actor_type'>;
  private readonly restarts: Counter<'actor_type'>;
  private readonly deadLetters: Counter<'actor_type'>;
  private readonly byType = new Map<string, ActorTypeMetrics>();

  constructor(registry: Registry) {
    const labelNames = ['actor_type'] as const;
    this.mailboxDepth = existing(registry, ACTOR_METRIC_NAMES.mailboxDepth, Gauge) ??
      new Gauge({
        name: ACTOR_METRIC_NAMES.mailboxDepth,
        help: 'Messages sent to actors of this type and not yet handled.',
        labelNames,
        registers: [registry],
      });
    this.messagesHandled = existing(registry, ACTOR_METRIC_NAMES.messagesHandled, Counter) ??
      new Counter({
        name: ACTOR_METRIC_NAMES.messagesHandled,
        help: 'Messages handled by actors of this type, whether the handler returned or threw.',
        labelNames,
        registers: [registry],
      });
    this.handlingSeconds = existing(registry, ACTOR_METRIC_NAMES.handlingSeconds, Histogram) ??
      new Histogram({
        name: ACTOR_METRIC_NAMES.handlingSeconds,
        help: 'Time an actor of this type spent handling one message.',
        labelNames,
        buckets: HANDLING_SECONDS_BUCKETS,
        registers: [registry],
      });
    this.restarts = existing(registry, ACTOR_METRIC_NAMES.restarts, Counter) ??
      new Counter({
        name: ACTOR_METRIC_NAMES.restarts,
        help: 'Restarts of actors of this type after a crash or an escalation from a child.',
        labelNames,
        registers: [registry],
      });
    this.deadLetters = existing(registry, ACTOR_METRIC_NAMES.deadLetters, Counter) ??
      new Counter({
        name: ACTOR_METRIC_NAMES.deadLetters,
        help: 'Messages to actors of this type that were never handled: stopped target, full mailbox, late reply.',
        labelNames,
        registers: [registry],
      });
  }

  forType(actorType: string): ActorTypeMetrics {
    const known = this.byType.get(actorType);
    if (known !== undefined) return known;
    const label = this.byType.size < MAX_ACTOR_TYPE_LABELS ? actorType : OVERFLOW_ACTOR_TYPE;
    const labels = { actor_type: label };
    const bound: ActorTypeMetrics = {
      mailboxDepth: this.mailboxDepth.labels(labels),
      messagesHandled: this.messagesHandled.labels(labels),
      handlingSeconds: this.handlingSeconds.labels(labels),
      restarts: this.restarts.labels(labels),
      deadLetters: this.deadLetters.labels(labels),
    };
    if (this.byType.size < MAX_ACTOR_TYPE_LABELS) this.byType.set(actorType, bound);
    return bound;
  }
}

function existing<T>(registry: Registry, name: string, kind: abstract new (...args: never[]) => T): T | undefined {
  const metric = registry.getSingleMetric(name);
  return metric instanceof kind ? metric : undefined;
}
