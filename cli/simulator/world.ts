/**
 * The simulated world one ScaledObject scales: a queue (or stream) fed by the traffic, the
 * workload's pods, and the nodes of one Auto Scaling Group. It advances in fixed steps between
 * (and during) the pod scaler's ticks:
 *
 * - messages arrive at the traffic's per-minute rate and wait FIFO; each ready pod consumes
 *   `msgsPerPodSecond`, and each consumed message's wait (from the step it arrived in to the step
 *   a pod took it) is recorded for p50/p95/max;
 * - a pod needs a free slot on a joined node (`podsPerNode`), then becomes ready after
 *   `podStartupMs`; pods removed on scale-in go unscheduled first, then starting, then newest;
 * - unschedulable pods make the group ask for nodes at once (as the node scaler does when the pod
 *   scaler notifies it), bounded by the group's max; nodes join after `nodeJoinMs`; a node empty
 *   for `nodeScaleDownAfterMs` (Cluster Autoscaler's scale-down-unneeded-time) is removed, never
 *   below the group's min.
 *
 * A `depth` trace is replayed open loop: the recorded depth is what the triggers read, and the
 * simulated pods do not drain it (so no message waits are reported).
 *
 * Rate-like triggers (CloudWatch) read the traffic itself, not the queue: the per-minute values are
 * the metric (requests a minute, say), which the pods serve as it comes (`trafficBetween`).
 */
import { trafficAt, type Traffic } from './traffic';

export interface WorldSettings {
  /** Granularity of the simulation between ticks. */
  stepMs: number;
  msgsPerPodSecond: number;
  podStartupMs: number;
  podsPerNode: number;
  nodeJoinMs: number;
  nodeScaleDownAfterMs: number;
  asgMin: number;
  asgMax: number;
  /** Replicas (ready, on joined nodes) at the start. */
  initialReplicas: number;
  /** Kinesis: records per second one open shard takes (open shards follow the arrival rate). */
  recordsPerShardSecond: number;
  /** How often a sample is kept for the charts. */
  sampleEveryMs: number;
}

export const DEFAULT_WORLD_SETTINGS: WorldSettings = {
  stepMs: 1_000,
  msgsPerPodSecond: 1,
  podStartupMs: 30_000,
  podsPerNode: 4,
  nodeJoinMs: 180_000,
  nodeScaleDownAfterMs: 600_000,
  asgMin: 1,
  asgMax: 10,
  initialReplicas: 0,
  recordsPerShardSecond: 1_000,
  sampleEveryMs: 15_000,
};

interface Pod {
  /** Unique in the run, for the pod names the metrics API reports. */
  id: number;
  createdAt: number;
  node?: SimNode;
  readyAt?: number;
}

interface SimNode {
  id: number;
  joinAt: number;
  pods: number;
  /** Since when the node has had no pods (joined nodes only). */
  emptySince?: number;
}

interface Batch {
  at: number;
  count: number;
}

/** One pod of the workload, as the simulated metrics API reports it. */
export interface SimPodView {
  name: string;
  createdAt: number;
  /** Placed on a joined node (else Pending). */
  scheduled: boolean;
  /** When it turns (or turned) Ready. */
  readyAt?: number;
}

export interface WorldSample {
  at: number;
  arrivalsPerMinute: number;
  backlog: number;
  specReplicas: number;
  readyPods: number;
  pendingPods: number;
  nodesReady: number;
  nodesJoining: number;
}

/** Totals the summary is computed from. */
export interface WorldTotals {
  replicaMs: number;
  nodeMs: number;
  msAtMaxReplicas: number;
  arrived: number;
  consumed: number;
  peakBacklog: number;
  peakBacklogAt?: number;
  /** First time the backlog was empty again after its peak; undefined when it never drained. */
  drainedAt?: number;
  maxWaitMs: number;
  /** Consumed messages per whole second of wait (index = seconds waited). */
  waitHistogram: number[];
  nodesRequested: number;
  nodesRemoved: number;
}

export class SimWorld {
  readonly samples: WorldSample[] = [];
  readonly totals: WorldTotals = {
    replicaMs: 0,
    nodeMs: 0,
    msAtMaxReplicas: 0,
    arrived: 0,
    consumed: 0,
    peakBacklog: 0,
    maxWaitMs: 0,
    waitHistogram: [],
    nodesRequested: 0,
    nodesRemoved: 0,
  };
  private specReplicas: number;
  private pods: Pod[] = [];
  private nextPodId = 1;
  private nodes: SimNode[] = [];
  private nextNodeId = 1;
  private queue: Batch[] = [];
  private queueHead = 0;
  private queued = 0;
  private arrivalCarry = 0;
  private consumeCarry = 0;
  /** Messages consumed per second over the last step. */
  private throughputPerSecond = 0;
  private nextSampleAt: number;

  constructor(
    private readonly traffic: Traffic,
    readonly settings: WorldSettings,
    readonly startMs: number,
    /** The object's maxReplicaCount, for "time at max". */
    private readonly maxReplicas: number,
  ) {
    this.nextSampleAt = startMs;
    this.specReplicas = settings.initialReplicas;
    const initialNodes = Math.min(
      settings.asgMax,
      Math.max(settings.asgMin, Math.ceil(settings.initialReplicas / settings.podsPerNode)),
    );
    for (let i = 0; i < initialNodes; i++) this.nodes.push({ id: this.nextNodeId++, joinAt: startMs, pods: 0, emptySince: startMs });
    for (let i = 0; i < settings.initialReplicas; i++) this.pods.push({ id: this.nextPodId++, createdAt: startMs });
    this.schedulePods(startMs);
    for (const pod of this.pods) if (pod.readyAt !== undefined) pod.readyAt = startMs;
  }

  // ---- what the scaler sees -------------------------------------------------------------------

  get spec(): number {
    return this.specReplicas;
  }

  get statusReplicas(): number {
    return this.pods.length;
  }

  readyPodCount(now: number): number {
    return this.pods.filter((p) => p.readyAt !== undefined && p.readyAt <= now).length;
  }

  /** Messages in the queue (or the replayed depth). */
  backlog(now: number): number {
    if (this.traffic.kind === 'depth') return trafficAt(this.traffic, this.minuteOf(now));
    return this.queued;
  }

  /**
   * Messages being processed (SQS's NotVisible): by Little's law, the recent throughput times the
   * time one message takes a pod (1 / msgsPerPodSecond). Never more than the ready pods.
   */
  inFlight(_now: number): number {
    if (this.traffic.kind !== 'arrivals') return 0;
    return Math.round(this.throughputPerSecond / this.settings.msgsPerPodSecond);
  }

  /** A replayed depth trace is a level (a gauge), not a count of arrivals. */
  get tracksLevel(): boolean {
    return this.traffic.kind === 'depth';
  }

  /**
   * The traffic from `fromMs` to `toMs`: with arrivals, how many arrived (each minute's value spread
   * evenly over it); with a depth trace, the level at the end. What a rate-like metric's datapoint
   * for that period sums.
   */
  trafficBetween(fromMs: number, toMs: number): number {
    if (this.traffic.kind === 'depth') return trafficAt(this.traffic, this.minuteOf(toMs - 1));
    let total = 0;
    for (let t = fromMs; t < toMs; ) {
      const minuteEnd = this.startMs + (this.minuteOf(t) + 1) * 60_000;
      const until = Math.min(minuteEnd, toMs);
      total += (trafficAt(this.traffic, this.minuteOf(t)) * (until - t)) / 60_000;
      t = until;
    }
    return total;
  }

  /** The pods as the API server would list them (cpu/memory triggers): unscheduled ones are Pending. */
  podViews(): SimPodView[] {
    // The initial replicas were already running when the simulation began: an hour, say, so the
    // HPA does not take them for pods still starting up.
    const since = (at: number) => (at === this.startMs ? at - 3_600_000 : at);
    return this.pods.map((pod) => ({
      name: `simulated-workload-${pod.id}`,
      createdAt: since(pod.createdAt),
      scheduled: pod.node !== undefined,
      ...(pod.readyAt === undefined ? {} : { readyAt: since(pod.readyAt) }),
    }));
  }

  /**
   * The CPU model of cpu triggers: the share of the ready pods' capacity the last step used
   * (throughput / (ready pods × msgsPerPodSecond)), 0 to 1. A pod working flat out is at 100% of its request.
   */
  busyFraction(now: number): number {
    const ready = this.readyPodCount(now);
    if (ready === 0) return 0;
    return Math.min(1, this.throughputPerSecond / (ready * this.settings.msgsPerPodSecond));
  }

  /** Kinesis: open shards follow the arrival rate. */
  openShards(now: number): number {
    const perSecond = trafficAt(this.traffic, this.minuteOf(now)) / 60;
    return Math.max(1, Math.ceil(perSecond / this.settings.recordsPerShardSecond));
  }

  /** Sets `spec.replicas`: new pods start unscheduled; removed pods go in ReplicaSet order. */
  setSpecReplicas(replicas: number, now: number): void {
    this.specReplicas = replicas;
    while (this.pods.length < replicas) this.pods.push({ id: this.nextPodId++, createdAt: now });
    if (this.pods.length > replicas) {
      const rank = (p: Pod) => (p.node === undefined ? 0 : p.readyAt! > now ? 1 : 2);
      const byRemovalOrder = [...this.pods].sort((a, b) => rank(a) - rank(b) || b.createdAt - a.createdAt);
      const removed = new Set(byRemovalOrder.slice(0, this.pods.length - replicas));
      for (const pod of removed) {
        if (pod.node) {
          pod.node.pods--;
          if (pod.node.pods === 0) pod.node.emptySince = now;
        }
      }
      this.pods = this.pods.filter((p) => !removed.has(p));
    }
    this.schedulePods(now);
  }

  // ---- time -------------------------------------------------------------------------------------

  /** Advances the world from `fromMs` to `toMs` in steps of `stepMs`. */
  advance(fromMs: number, toMs: number): void {
    let t = fromMs;
    while (t < toMs) {
      const dt = Math.min(this.settings.stepMs, toMs - t);
      this.step(t, dt);
      t += dt;
    }
  }

  private step(t: number, dt: number): void {
    if (t >= this.nextSampleAt) {
      this.samples.push(this.sample(t));
      this.nextSampleAt += this.settings.sampleEveryMs;
    }
    this.arrive(t, dt);
    this.schedulePods(t);
    this.requestNodes(t);
    this.consume(t, dt);
    this.removeIdleNodes(t);
    this.account(t, dt);
  }

  private arrive(t: number, dt: number): void {
    if (this.traffic.kind !== 'arrivals') return;
    this.arrivalCarry += (trafficAt(this.traffic, this.minuteOf(t)) / 60_000) * dt;
    const whole = Math.floor(this.arrivalCarry);
    if (whole <= 0) return;
    this.arrivalCarry -= whole;
    this.queue.push({ at: t, count: whole });
    this.queued += whole;
    this.totals.arrived += whole;
  }

  private consume(t: number, dt: number): void {
    if (this.traffic.kind !== 'arrivals') return;
    if (this.queued === 0) {
      this.consumeCarry = 0;
      this.throughputPerSecond = 0;
      return;
    }
    this.consumeCarry += (this.readyPodCount(t) * this.settings.msgsPerPodSecond * dt) / 1000;
    let budget = Math.floor(this.consumeCarry);
    this.consumeCarry -= budget;
    const consumedBefore = this.totals.consumed;
    // A message counts as taken at the start of the step, the same instant `arrive` stamps
    // arrivals with. Both ends are rounded down the same way, so a message taken in the step it
    // arrived waits 0 and the wait does not grow with --step. (Stamping takes at the end or the
    // midpoint of the step would add a whole or half step to every wait, as arrivals are stamped
    // at its start.)
    const takenAt = t;
    while (budget > 0 && this.queueHead < this.queue.length) {
      const batch = this.queue[this.queueHead]!;
      const taken = Math.min(budget, batch.count);
      batch.count -= taken;
      budget -= taken;
      this.queued -= taken;
      this.totals.consumed += taken;
      const waitMs = takenAt - batch.at;
      const second = Math.floor(waitMs / 1000);
      this.totals.waitHistogram[second] = (this.totals.waitHistogram[second] ?? 0) + taken;
      this.totals.maxWaitMs = Math.max(this.totals.maxWaitMs, waitMs);
      if (batch.count === 0) this.queueHead++;
    }
    this.throughputPerSecond = ((this.totals.consumed - consumedBefore) * 1000) / dt;
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private schedulePods(t: number): void {
    for (const pod of this.pods) {
      if (pod.node) continue;
      const node = this.nodes.find((n) => n.joinAt <= t && n.pods < this.settings.podsPerNode);
      if (!node) return;
      node.pods++;
      node.emptySince = undefined;
      pod.node = node;
      pod.readyAt = t + this.settings.podStartupMs;
    }
  }

  /** Asks for enough nodes for the unschedulable pods, counting room on nodes still joining. */
  private requestNodes(t: number): void {
    const pending = this.pods.filter((p) => !p.node).length;
    if (pending === 0) return;
    const roomJoining = this.nodes.filter((n) => n.joinAt > t).reduce((sum, n) => sum + this.settings.podsPerNode - n.pods, 0);
    const wanted = Math.ceil(Math.max(0, pending - roomJoining) / this.settings.podsPerNode);
    const allowed = Math.min(wanted, this.settings.asgMax - this.nodes.length);
    for (let i = 0; i < allowed; i++) {
      this.nodes.push({ id: this.nextNodeId++, joinAt: t + this.settings.nodeJoinMs, pods: 0, emptySince: t + this.settings.nodeJoinMs });
      this.totals.nodesRequested++;
    }
  }

  private removeIdleNodes(t: number): void {
    for (const node of [...this.nodes]) {
      if (this.nodes.length <= this.settings.asgMin) return;
      if (node.joinAt > t || node.pods > 0 || node.emptySince === undefined) continue;
      if (t - Math.max(node.emptySince, node.joinAt) < this.settings.nodeScaleDownAfterMs) continue;
      this.nodes = this.nodes.filter((n) => n !== node);
      this.totals.nodesRemoved++;
    }
  }

  private account(t: number, dt: number): void {
    const backlog = this.backlog(t + dt);
    const totals = this.totals;
    totals.replicaMs += this.specReplicas * dt;
    totals.nodeMs += this.nodes.length * dt;
    if (this.specReplicas >= this.maxReplicas) totals.msAtMaxReplicas += dt;
    if (backlog > totals.peakBacklog) {
      totals.peakBacklog = backlog;
      totals.peakBacklogAt = t + dt;
      totals.drainedAt = undefined;
    } else if (backlog === 0 && totals.peakBacklog > 0 && totals.drainedAt === undefined) {
      totals.drainedAt = t + dt;
    }
  }

  private sample(t: number): WorldSample {
    const ready = this.readyPodCount(t);
    return {
      at: t,
      arrivalsPerMinute: this.traffic.kind === 'arrivals' ? trafficAt(this.traffic, this.minuteOf(t)) : 0,
      backlog: this.backlog(t),
      specReplicas: this.specReplicas,
      readyPods: ready,
      pendingPods: this.pods.filter((p) => !p.node).length,
      nodesReady: this.nodes.filter((n) => n.joinAt <= t).length,
      nodesJoining: this.nodes.filter((n) => n.joinAt > t).length,
    };
  }

  /** The last sample, taken at the end of the run. */
  finish(t: number): void {
    this.samples.push(this.sample(t));
  }

  /** Messages still queued (their wait is not in the histogram). */
  get unprocessed(): number {
    return this.traffic.kind === 'arrivals' ? this.queued : 0;
  }

  private minuteOf(t: number): number {
    return Math.floor((t - this.startMs) / 60_000);
  }
}
