/**
 * A deterministic fleet of N ScaledObjects for the tick-cost and API-call benchmarks: mixed trigger
 * types in the proportions a real cluster shows, and queues shared the way teams share them (a
 * worker and its priority or retry worker on one queue). Both the bench process and its server
 * process build the same fleet from N alone.
 *
 * Mix per 20 objects: 12 SQS, 3 CloudWatch, 2 Kinesis, 2 cron, 1 SQS + cron.
 */
export const OBJECTS_PER_NAMESPACE = 50;
/** The CloudWatch triggers' metricStatPeriod, seconds: the read plan reads each query once per period. */
export const CLOUDWATCH_PERIOD_SECONDS = 60;
/** About 2.5 SQS objects per queue. */
const QUEUES_PER_SQS_OBJECT = 0.4;
/** Two consumers (e.g. two apps) per stream. */
const OBJECTS_PER_STREAM = 2;

export type FleetTrigger =
  | { type: 'aws-sqs-queue'; queue: string }
  | { type: 'aws-kinesis-stream'; stream: string }
  | { type: 'aws-cloudwatch'; targetGroup: string }
  | { type: 'cron' };

export interface FleetObject {
  namespace: string;
  name: string;
  minReplicaCount: number;
  triggers: FleetTrigger[];
}

export interface Fleet {
  objects: FleetObject[];
  queues: string[];
  streams: string[];
  /** CloudWatch queries one pass asks for (one per CloudWatch trigger, all in one window). */
  cloudwatchQueries: number;
  namespaces: number;
}

export function buildFleet(size: number): Fleet {
  const objects: FleetObject[] = [];
  const queues = new Set<string>();
  const streams = new Set<string>();
  let sqsObjects = 0;
  let kinesisObjects = 0;
  let cloudwatchQueries = 0;
  const sqs = (): FleetTrigger => {
    const queue = `queue-${Math.floor(sqsObjects++ * QUEUES_PER_SQS_OBJECT)}`;
    queues.add(queue);
    return { type: 'aws-sqs-queue', queue };
  };
  for (let i = 0; i < size; i++) {
    const slot = i % 20;
    let triggers: FleetTrigger[];
    if (slot < 12) triggers = [sqs()];
    else if (slot < 15) {
      cloudwatchQueries += 1;
      triggers = [{ type: 'aws-cloudwatch', targetGroup: `tg-${i}` }];
    } else if (slot < 17) {
      const stream = `stream-${Math.floor(kinesisObjects++ / OBJECTS_PER_STREAM)}`;
      streams.add(stream);
      triggers = [{ type: 'aws-kinesis-stream', stream }];
    } else if (slot < 19) triggers = [{ type: 'cron' }];
    else triggers = [sqs(), { type: 'cron' }];
    objects.push({
      namespace: `team-${Math.floor(i / OBJECTS_PER_NAMESPACE)}`,
      name: `app-${i}`,
      minReplicaCount: i % 3 === 0 ? 0 : 1,
      triggers,
    });
  }
  return {
    objects,
    queues: [...queues],
    streams: [...streams],
    cloudwatchQueries,
    namespaces: Math.ceil(size / OBJECTS_PER_NAMESPACE),
  };
}

/** The fleet as KEDA ScaledObject YAML, unchanged from what a user would apply. */
export function fleetYaml(fleet: Fleet, pollingIntervalSeconds: number): string {
  return fleet.objects.map((object) => objectYaml(object, pollingIntervalSeconds)).join('---\n');
}

function objectYaml(object: FleetObject, pollingIntervalSeconds: number): string {
  const triggers = object.triggers.map(triggerYaml).join('');
  return `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: ${object.name}
  namespace: ${object.namespace}
spec:
  scaleTargetRef:
    name: ${object.name}
  pollingInterval: ${pollingIntervalSeconds}
  cooldownPeriod: 300
  minReplicaCount: ${object.minReplicaCount}
  maxReplicaCount: 50
  triggers:
${triggers}`;
}

function triggerYaml(trigger: FleetTrigger): string {
  switch (trigger.type) {
    case 'aws-sqs-queue':
      return `    - type: aws-sqs-queue
      metadata:
        queueURL: https://sqs.us-east-1.amazonaws.com/111122223333/${trigger.queue}
        awsRegion: us-east-1
        queueLength: "5"
        identityOwner: operator
`;
    case 'aws-kinesis-stream':
      return `    - type: aws-kinesis-stream
      metadata:
        streamName: ${trigger.stream}
        awsRegion: us-east-1
        shardCount: "2"
        identityOwner: operator
`;
    case 'aws-cloudwatch':
      return `    - type: aws-cloudwatch
      metadata:
        namespace: AWS/ApplicationELB
        metricName: RequestCountPerTarget
        dimensionName: TargetGroup
        dimensionValue: targetgroup/${trigger.targetGroup}/73e2d6bc24d8a067
        metricStat: Sum
        metricStatPeriod: "${CLOUDWATCH_PERIOD_SECONDS}"
        metricCollectionTime: "${2 * CLOUDWATCH_PERIOD_SECONDS}"
        targetMetricValue: "100"
        minMetricValue: "0"
        awsRegion: us-east-1
        identityOwner: operator
`;
    case 'cron':
      return `    - type: cron
      metadata:
        timezone: Etc/UTC
        start: 0 8 * * 1-5
        end: 0 20 * * 1-5
        desiredReplicas: "3"
`;
  }
}

/**
 * What the emulated AWS answers on tick `tick`: a third of the queues grow and shrink from tick to
 * tick, so every tick some objects scale (patch, event, node-scaler notice) and most do not.
 */
export function queueDepth(queue: string, tick: number): number {
  const index = Number(queue.slice(queue.indexOf('-') + 1));
  const base = (index * 37) % 60;
  return index % 3 === 0 ? base + (tick % 4) * 15 : base;
}

export function openShards(stream: string): number {
  return 1 + (Number(stream.slice(stream.indexOf('-') + 1)) % 8);
}

export function metricValue(queryIndex: number, tick: number): number {
  return 50 + ((queryIndex * 53 + tick * 17) % 400);
}
