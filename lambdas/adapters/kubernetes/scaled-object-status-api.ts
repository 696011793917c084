/**
 * The cluster's OutcomeReporter: writes KEDA's status on a ScaledObject that lives in the cluster,
 * and records Events on it, as KEDA's operator would.
 *
 * Cost is the design constraint (docs/performance.md): one status write per object per pass would
 * be 5,760 writes a day per object. So:
 * - the status is computed by the pure engine function (engine/keda/scaled-object-status.ts), and
 *   PUT to `scaledobjects/status` only when it differs from the status the source just listed: an
 *   object in steady state costs no call at all;
 * - the PUT carries the listed resourceVersion (`update` is the verb deploy/rbac-live-objects.yaml
 *   grants). A 409 means someone changed the object since the list; it is not retried here (that
 *   would need a GET): the next pass lists the new version and writes then. No error storm;
 * - an Event with the same reason and message on the same object within `eventWindowMs` patches the
 *   count of the one already written instead of creating another, as client-go's EventCorrelator
 *   does; the events the engine derives are transitions only, so a steady object writes none.
 *
 * Every call has a timeout (withRequestTimeout on the KubeConfig). A failure stays with the object:
 * `report` and `event` never throw; the problem goes to `onProblem` (the pass's log).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { KubernetesRest } from './kubernetes-rest';
import type { KubernetesEvent } from './scale-target-api';
import { KubernetesApiError } from './scale-target-api';
import { toKubernetesApiError } from './kubernetes-api-errors';
import type { ApiCall } from './kubernetes-api-errors';
import { DEFAULT_KUBERNETES_CALL_TIMEOUT_MS, withRequestTimeout } from './request-timeout';
import { assertPathSegment } from './path-segments';
import { workloadEvent } from './workload-event';
import type { ObjectOutcome, OutcomeReporter } from '../../pod-scaler/object-source';
import type { ListedScaledObject } from './cluster-object-source';
import type { ClusterRef } from '../../config/scaler-config';
import type { ScaledObject } from '../../engine/spec/scaled-object';
import {
  rejectedScaledObjectStatus,
  scaledObjectStatus,
  type EvaluatedPass,
  type FailedPass,
  type KedaScaledObjectStatus,
  type ScaledObjectStatusResult,
} from '../../engine/keda/scaled-object-status';

const KEDA_GROUP = 'keda.sh';
const KEDA_VERSION = 'v1alpha1';
/** client-go's EventCorrelator aggregates repeats within 10 minutes. */
export const DEFAULT_EVENT_WINDOW_MS = 10 * 60_000;

/** What the reporter keeps of the listed object: where to write, the version it read, and the status it saw. */
interface ReportedObject {
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion: string;
  status?: KedaScaledObjectStatus;
}

export interface ScaledObjectStatusApiOptions {
  /** Epoch ms (event timestamps, the dedup window); the simulator and tests pass their clock. */
  now?: () => number;
  /** Longest one API request may take, ms. */
  callTimeoutMs?: number;
  /** Same reason and message on the same object within this window: the count is patched. */
  eventWindowMs?: number;
  /** Where a failed write is told (the pass's log); never thrown. */
  onProblem?: (message: string) => void;
}

/** What the reporters of one container did, for the pass summary, tests and the cost bench. */
export interface StatusWriteCounts {
  statusWrites: number;
  statusUnchanged: number;
  statusConflicts: number;
  eventsCreated: number;
  eventsCounted: number;
  failures: number;
}

interface RecordedEvent {
  name: string;
  count: number;
  firstTimestamp: Date;
  lastAt: number;
}

export class KubernetesScaledObjectStatusApi {
  private readonly rest: KubernetesRest;
  private readonly now: () => number;
  private readonly eventWindowMs: number;
  private readonly onProblem: (message: string) => void;
  private readonly endpoint: string | undefined;
  /** `<namespace>/<name>/<type>/<reason>/<message>` → the Event already written for it. */
  private readonly recentEvents = new Map<string, RecordedEvent>();
  readonly counts: StatusWriteCounts = { statusWrites: 0, statusUnchanged: 0, statusConflicts: 0, eventsCreated: 0, eventsCounted: 0, failures: 0 };

  constructor(kubeConfig: KubeConfig, options: ScaledObjectStatusApiOptions = {}) {
    withRequestTimeout(kubeConfig, options.callTimeoutMs ?? DEFAULT_KUBERNETES_CALL_TIMEOUT_MS);
    this.endpoint = kubeConfig.getCurrentCluster()?.server;
    this.rest = new KubernetesRest(kubeConfig);
    this.now = options.now ?? Date.now;
    this.eventWindowMs = options.eventWindowMs ?? DEFAULT_EVENT_WINDOW_MS;
    this.onProblem = options.onProblem ?? (() => undefined);
  }

  /**
   * The reporter for one listed object; `object` is its parsed form, undefined when the parser
   * refused it (its outcome then carries `invalidSpec`).
   */
  reporterFor(listed: ListedScaledObject, object: ScaledObject | undefined): OutcomeReporter {
    assertPathSegment(listed.namespace, 'metadata.namespace');
    assertPathSegment(listed.name, 'metadata.name');
    // The reporter keeps what it last wrote, so a second report in one container is compared with it.
    const status = listed.raw.status;
    const current: ReportedObject = {
      namespace: listed.namespace,
      name: listed.name,
      uid: listed.uid,
      resourceVersion: listed.resourceVersion,
      ...(typeof status === 'object' && status !== null ? { status: status as KedaScaledObjectStatus } : {}),
    };
    return {
      report: async (outcome) => {
        try {
          const computed = statusFor(current.status, outcome, object);
          if (!computed) return;
          // The events are the status's transitions: recorded once the status that holds them is
          // stored, so a 409 (recomputed next pass from the same listed status) never doubles them.
          if ((await this.writeStatus(current, computed)) !== 'written') return;
          for (const event of computed.events) await this.recordEvent(current, event);
        } catch (error) {
          this.counts.failures += 1;
          this.onProblem(`ScaledObject ${listed.namespace}/${listed.name}: status not written: ${(error as Error).message}`);
        }
      },
      event: async (event) => {
        try {
          await this.recordEvent(current, event);
        } catch (error) {
          this.counts.failures += 1;
          this.onProblem(`ScaledObject ${listed.namespace}/${listed.name}: event ${event.reason} not recorded: ${(error as Error).message}`);
        }
      },
    };
  }

  private async writeStatus(current: ReportedObject, computed: ScaledObjectStatusResult): Promise<'written' | 'unchanged' | 'conflict'> {
    if (!computed.changed) {
      this.counts.statusUnchanged += 1;
      return 'unchanged';
    }
    const call: ApiCall = { verb: 'update', group: KEDA_GROUP, resource: 'scaledobjects/status', namespace: current.namespace };
    const body = {
      apiVersion: `${KEDA_GROUP}/${KEDA_VERSION}`,
      kind: 'ScaledObject',
      metadata: { name: current.name, namespace: current.namespace, resourceVersion: current.resourceVersion },
      status: computed.status,
    };
    try {
      const stored = (await this.call(call, () =>
        this.rest.replace<{ metadata?: { resourceVersion?: string }; status?: KedaScaledObjectStatus }>(
          { group: KEDA_GROUP, version: KEDA_VERSION, resource: 'scaledobjects', namespace: current.namespace, name: current.name, subresource: 'status' },
          body,
        ),
      ));
      this.counts.statusWrites += 1;
      current.status = stored.status ?? computed.status;
      if (stored.metadata?.resourceVersion) current.resourceVersion = stored.metadata.resourceVersion;
      return 'written';
    } catch (error) {
      if (error instanceof KubernetesApiError && error.status === 409) {
        // Changed since the list (an edit, an annotation): the next pass lists it and writes.
        this.counts.statusConflicts += 1;
        return 'conflict';
      }
      throw error;
    }
  }

  private async recordEvent(current: ReportedObject, event: KubernetesEvent): Promise<void> {
    const now = this.now();
    const key = [current.namespace, current.name, event.type, event.reason, event.message].join('\u0000');
    const recent = this.recentEvents.get(key);
    if (recent && now - recent.lastAt < this.eventWindowMs) {
      const count = recent.count + 1;
      try {
        await this.call({ verb: 'patch', group: '', resource: 'events', namespace: current.namespace }, () =>
          this.rest.mergePatch({ group: '', version: 'v1', resource: 'events', namespace: current.namespace, name: recent.name }, { count, lastTimestamp: new Date(now) }),
        );
        this.recentEvents.set(key, { ...recent, count, lastAt: now });
        this.counts.eventsCounted += 1;
        return;
      } catch (error) {
        // The Event expired (the API server keeps them an hour by default): write a new one.
        if (!(error instanceof KubernetesApiError && error.status === 404)) throw error;
      }
    }
    const ref = { apiVersion: `${KEDA_GROUP}/${KEDA_VERSION}`, kind: 'ScaledObject', name: current.name, namespace: current.namespace };
    const body = workloadEvent(ref, event, now);
    // kubectl describe finds an object's Events by its uid.
    if (current.uid) body.involvedObject = { ...body.involvedObject, uid: current.uid };
    await this.call({ verb: 'create', group: '', resource: 'events', namespace: current.namespace }, () =>
      this.rest.create({ group: '', version: 'v1', resource: 'events', namespace: current.namespace }, body),
    );
    this.counts.eventsCreated += 1;
    this.forgetExpired(now);
    this.recentEvents.set(key, { name: body.metadata!.name!, count: 1, firstTimestamp: new Date(now), lastAt: now });
  }

  /** The map lives as long as the container: entries past the window are dropped as new ones come. */
  private forgetExpired(now: number): void {
    for (const [key, recent] of this.recentEvents) if (now - recent.lastAt >= this.eventWindowMs) this.recentEvents.delete(key);
  }

  private async call<T>(call: ApiCall, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toKubernetesApiError(error, call, this.now(), this.endpoint);
    }
  }
}

/** The engine's status for this outcome; undefined when a valid object comes with no parsed form. */
function statusFor(previous: KedaScaledObjectStatus | undefined, outcome: ObjectOutcome, object: ScaledObject | undefined): ScaledObjectStatusResult | undefined {
  if (outcome.invalidSpec !== undefined) return rejectedScaledObjectStatus(previous, outcome.invalidSpec);
  if (!object) return undefined;
  return scaledObjectStatus({ object, previous, pass: passOf(outcome) });
}

/** The tick's result for one object, as the engine's status function reads it. */
export function passOf(outcome: ObjectOutcome): EvaluatedPass | FailedPass {
  const { result } = outcome;
  const state = {
    health: outcome.health,
    ...(outcome.lastActiveTime === undefined ? {} : { lastActiveTime: outcome.lastActiveTime }),
    ...(outcome.originalReplicaCount === undefined ? {} : { originalReplicaCount: outcome.originalReplicaCount }),
  };
  // An error after the evaluation (the scale patch failed) leaves KEDA's conditions as they are:
  // KEDA records it as an Event only (KEDAScaleTargetActivationFailed); the pass's log has it.
  if (result.explanation === undefined || result.currentReplicas === undefined) {
    return { kind: 'failed', error: result.error ?? result.statusReason ?? 'the object could not be evaluated', state };
  }
  const from = result.currentReplicas;
  return {
    kind: 'evaluated',
    status: result.status,
    ...(result.statusReason === undefined ? {} : { statusReason: result.statusReason }),
    active: result.active === true,
    rule: result.explanation.rule,
    triggers: result.explanation.triggers.map((trigger) => ({
      metricName: trigger.metricName,
      ...(trigger.active === undefined ? {} : { active: trigger.active }),
      ...(trigger.error === undefined ? {} : { error: trigger.error }),
      ...(trigger.fallback === undefined ? {} : { fallback: trigger.fallback }),
    })),
    fromReplicas: from,
    toReplicas: result.scaled && result.error === undefined ? (result.desiredReplicas ?? from) : from,
    scaled: result.scaled && result.error === undefined,
    state,
  };
}

/**
 * The cluster source's `reporterFor` in production: one status API per cluster, made when the
 * cluster's KubeConfig resolves (the reporters of a pass share it and its Event memory); each
 * reporter waits for it. A cluster that cannot be reached costs its reports, told to `onProblem`.
 */
export function scaledObjectReporters(
  kubeConfigFor: (cluster: ClusterRef) => Promise<KubeConfig>,
  options: ScaledObjectStatusApiOptions = {},
): (cluster: ClusterRef, listed: ListedScaledObject, object: ScaledObject | undefined) => OutcomeReporter {
  const apis = new Map<string, Promise<KubernetesScaledObjectStatusApi>>();
  const apiFor = (cluster: ClusterRef): Promise<KubernetesScaledObjectStatusApi> => {
    const key = `${cluster.region}/${cluster.name}`;
    let api = apis.get(key);
    if (!api) {
      api = kubeConfigFor(cluster).then((kubeConfig) => new KubernetesScaledObjectStatusApi(kubeConfig, options));
      api.catch(() => apis.delete(key)); // reached again next pass instead of caching a failure
      apis.set(key, api);
    }
    return api;
  };
  return (cluster, listed, object) => {
    let inner: Promise<OutcomeReporter> | undefined;
    const reporter = (): Promise<OutcomeReporter | undefined> => {
      inner ??= apiFor(cluster).then((api) => api.reporterFor(listed, object));
      return inner.catch((error: unknown) => {
        inner = undefined;
        options.onProblem?.(`ScaledObject ${listed.namespace}/${listed.name}: status and events not written: ${(error as Error).message}`);
        return undefined;
      });
    };
    return {
      report: async (outcome) => (await reporter())?.report(outcome),
      event: async (event) => (await reporter())?.event(event),
    };
  };
}
