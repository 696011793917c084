/**
 * The read plan's job, answered by the simulated world: each trigger's own `readRequest` says what
 * it would ask AWS, and the world answers it. SQS sees the queue (visible, and in flight while pods process), Kinesis
 * sees open shards that follow the arrival rate, CloudWatch sees the traffic as a rate (see
 * `cloudWatchDatapoints`), a Prometheus or New Relic query sees
 * the backlog as a gauge, a Kafka consumer group sees it as lag over 64 partitions (one sample, as an instant query answers), and cron reads nothing.
 */
import { getTriggerDefinition } from '../../lambdas/triggers/registry';
import { TriggerError, type Reading, type ReadRequest } from '../../lambdas/triggers/trigger-definition';
import type { ReadPlanOutcome, TriggerReader, TriggerService } from '../../lambdas/pod-scaler/tick-types';
import type { SimWorld } from './world';

export function simulatedTriggerReader(world: SimWorld): TriggerReader {
  return async (items, now) => {
    const readings: ReadPlanOutcome['readings'] = new Map();
    const calls: Partial<Record<TriggerService, number>> = {};
    const answered = new Map<string, Reading | TriggerError>();
    for (const item of items) {
      const definition = getTriggerDefinition(item.trigger.type);
      if (!definition) {
        readings.set(item.id, new TriggerError(`the simulator has no model for trigger type "${item.trigger.type}"`, 'Unsupported'));
        continue;
      }
      // In-cluster Prometheus servers need a cluster to route through; the simulated one has a name.
      const request = definition.readRequest(item.trigger, now, { cluster: item.cluster ?? 'simulated' });
      if (!request) {
        readings.set(item.id, undefined);
        continue;
      }
      // Equal keys are one call, as in the real read plan.
      let reading = answered.get(request.key);
      if (!reading) {
        reading = answer(world, request, now);
        answered.set(request.key, reading);
        calls[request.service] = (calls[request.service] ?? 0) + 1;
      }
      readings.set(item.id, reading);
    }
    return { readings, calls };
  };
}

function answer(world: SimWorld, request: ReadRequest, now: number): Reading {
  switch (request.service) {
    case 'sqs': {
      const inFlight = world.inFlight(now);
      const visible = world.backlog(now);
      const values: Record<string, number> = {
        ApproximateNumberOfMessages: visible,
        ApproximateNumberOfMessagesNotVisible: inFlight,
        ApproximateNumberOfMessagesDelayed: 0,
      };
      return {
        service: 'sqs',
        attributes: Object.fromEntries(request.attributes.map((name) => [name, String(Math.round(values[name] ?? 0))])),
      };
    }
    case 'kinesis':
      return { service: 'kinesis', openShardCount: world.openShards(now) };
    case 'cloudwatch':
      return { service: 'cloudwatch', hasResult: true, values: cloudWatchDatapoints(world, request) };
    case 'dynamodb':
      // The Query's matching items are the simulated backlog (e.g. rows with status "pending").
      return { service: 'dynamodb', count: Math.round(world.backlog(now)) };
    case 'dynamodbstreams':
      // A table's stream has as many shards as the simulated stream has open shards.
      return { service: 'dynamodbstreams', shardCount: world.openShards(now) };
    case 'prometheus': {
      // The Prometheus HTTP API's instant-query answer with the backlog as the one sample.
      const sample = [now / 1000, String(world.backlog(now))];
      return { service: 'prometheus', status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: sample }] } }) };
    }
    case 'newrelic':
      // NerdGraph's answer to an NRQL query with the backlog as its one numeric result.
      return { service: 'newrelic', status: 200, body: JSON.stringify({ data: { actor: { account: { nrql: { results: [{ result: world.backlog(now) }] } } } } }) };
    case 'kafka':
      return { service: 'kafka', partitions: simulatedPartitions(request, Math.round(world.backlog(now))) };
  }
}

/** Partitions of each simulated topic: enough that KEDA's cap of one consumer per partition rarely binds. */
export const SIMULATED_KAFKA_PARTITIONS = 64;

/**
 * A Kafka consumer group's lag is the simulated backlog, spread evenly over the partitions of the
 * topic (the first named one; a group without a named topic reads one simulated topic).
 */
function simulatedPartitions(request: Extract<ReadRequest, { service: 'kafka' }>, backlog: number): Extract<Reading, { service: 'kafka' }>['partitions'] {
  const topic = request.topics.kind === 'named' ? (request.topics.names[0] as string) : 'simulated';
  const base = Math.floor(backlog / SIMULATED_KAFKA_PARTITIONS);
  const extra = backlog % SIMULATED_KAFKA_PARTITIONS;
  return Array.from({ length: SIMULATED_KAFKA_PARTITIONS }, (_, partition) => {
    const lag = base + (partition < extra ? 1 : 0);
    return { topic, partition, latest: 1_000_000 + lag, committed: 1_000_000 };
  });
}

/**
 * A rate-like metric (ALB request counts and the like) over the query window, one datapoint per
 * period, newest first as GetMetricData's TimestampDescending returns them. The traffic's
 * per-minute values are the metric's per-minute Sum: a `Sum` or `SampleCount` datapoint is the
 * traffic in its period; any other statistic (Average, Maximum, p99...) is the traffic's level, its
 * average per minute over the period. A depth trace is a level already.
 */
function cloudWatchDatapoints(world: SimWorld, request: Extract<ReadRequest, { service: 'cloudwatch' }>): number[] {
  const periodMs = request.query.period * 1000;
  const sums = request.query.stat === 'Sum' || request.query.stat === 'SampleCount';
  const values: number[] = [];
  // At least the newest period, as the trigger's window always spans one.
  for (let end = request.endTime; end === request.endTime || end - periodMs >= request.startTime; end -= periodMs) {
    const inPeriod = world.trafficBetween(end - periodMs, end);
    values.push(sums || world.tracksLevel ? inPeriod : (inPeriod * 60_000) / periodMs);
  }
  return values;
}
