/**
 * The Kubernetes Events of one cluster's pass, held until every object of the pass has been decided
 * and patched, then sent.
 *
 * Why: an Event is a courtesy (the decision is already in state and on the target), while a patch
 * is the work. Sent inline, each scaled object's Event POST took a CPU slice and a connection before
 * the next object's claim and patch; in a busy 1,000-object pass, 423 Events came between the
 * first patch and the last (docs/performance.md §25). Held here, the patches land first.
 *
 * An object's Events keep their order (a transition before its ScaledUp); objects are sent
 * concurrently. Sending is bounded by a budget and best effort, as before: a failed or late Event
 * is dropped, never the pass.
 */
import type { KubernetesEvent } from '../adapters/kubernetes/scale-target-api';
import { bestEffortEach } from '../util/best-effort-each';
import type { OutcomeReporter } from './object-source';

export class PassEvents {
  private readonly byObject = new Map<string, { reporter: OutcomeReporter; events: KubernetesEvent[] }>();

  /** Holds `event` for the object `key`; resolves at once. */
  hold(key: string, reporter: OutcomeReporter, event: KubernetesEvent): Promise<void> {
    const held = this.byObject.get(key);
    if (held) held.events.push(event);
    else this.byObject.set(key, { reporter, events: [event] });
    return Promise.resolve();
  }

  /** Sends what is held, `concurrency` objects at a time, within `budgetMs`; returns when done or out of time. */
  async send(concurrency: number, budgetMs: number): Promise<void> {
    const objects = [...this.byObject.values()];
    this.byObject.clear();
    if (objects.length === 0) return;
    await bestEffortEach(objects, concurrency, budgetMs, async ({ reporter, events }) => {
      // One Event failing does not keep the object's later ones from being sent.
      for (const event of events) await reporter.event(event).catch(() => undefined);
    });
  }
}
