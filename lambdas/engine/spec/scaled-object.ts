/**
 * The normalized, validated form of a KEDA `keda.sh/v1alpha1` ScaledObject.
 *
 * Everything downstream (the HPA maths, KEDA's rules, the tick, the CDK construct) reads this shape,
 * never raw YAML. It is plain JSON-serializable data: the CDK construct validates ScaledObjects at
 * synth time and ships this form to the Lambdas as configuration.
 */
import type { MetricType, ParsedTrigger } from '../../triggers/trigger-definition';

/** Annotation (our extension, ignored by KEDA) naming the EKS cluster an object belongs to. */
export const CLUSTER_ANNOTATION = 'eks-lambda-scaler.io/cluster';

export interface ScaleTargetRef {
  /** `apps/v1` unless given. */
  apiVersion: string;
  /** `Deployment` unless given; any kind with a scale subresource. */
  kind: string;
  name: string;
  /** KEDA's `envSourceContainerName`: the container whose env backs `...FromEnv` metadata. */
  envSourceContainerName?: string;
}

export type FallbackBehavior =
  | 'static'
  | 'currentReplicas'
  | 'currentReplicasIfHigher'
  | 'currentReplicasIfLower'
  /** Needs scalingModifiers: a trigger past its threshold is nil in the formula (use `a ?? b`). */
  | 'scalingModifiers';

export interface FallbackSpec {
  failureThreshold: number;
  replicas: number;
  behavior: FallbackBehavior;
}

export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface HpaScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

/** One direction of `horizontalPodAutoscalerConfig.behavior`, as the user wrote it (unset = undefined). */
export interface HpaScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: SelectPolicy;
  policies?: HpaScalingPolicy[];
  /** Per-direction tolerance (HPAConfigurableTolerance); undefined = the controller's 0.1. */
  tolerance?: number;
}

export interface HpaBehavior {
  scaleUp?: HpaScalingRules;
  scaleDown?: HpaScalingRules;
}

/** `advanced.scalingModifiers`: the triggers combined by a formula into one `composite-metric`. */
export interface ScalingModifiersSpec {
  /** The expr-lang formula as written, over trigger names (checked at parse time). */
  formula: string;
  /** The composite metric's HPA target (> 0). */
  target: number;
  /** True when `target` is an integer as Go's ParseInt reads it: KEDA's fallback needs that. */
  targetIsInteger: boolean;
  /** Active means composite > activationTarget; default 0. */
  activationTarget: number;
  /** AverageValue (default) or Value. */
  metricType: MetricType;
}

/** The state of KEDA's `autoscaling.keda.sh/*` annotations. */
export interface PauseSpec {
  /** `paused: "<bool>"` (non-boolean counts as true) or the presence of `paused-replicas`. */
  paused: boolean;
  /** `paused-replicas: "<n>"`; undefined when absent or not an int32 (still paused then). */
  pausedReplicas?: number;
  pausedScaleIn: boolean;
  pausedScaleOut: boolean;
  forceActivation: boolean;
}

export interface ScaledObject {
  apiVersion: 'keda.sh/v1alpha1';
  kind: 'ScaledObject';
  /** `default` when the manifest has none. */
  namespace: string;
  name: string;
  /** `<namespace>/<name>`: how errors, logs and state name the object. */
  id: string;
  /** EKS cluster name from {@link CLUSTER_ANNOTATION}; undefined = the deployment's default cluster. */
  cluster?: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  scaleTargetRef: ScaleTargetRef;
  /** Seconds; KEDA default 30. */
  pollingInterval: number;
  /** Seconds; KEDA default 300. */
  cooldownPeriod: number;
  /** Seconds; KEDA default 0. */
  initialCooldownPeriod: number;
  idleReplicaCount?: number;
  /** KEDA default 0 (the HPA's own minimum is max(1, min)). */
  minReplicaCount: number;
  /** KEDA default 100. */
  maxReplicaCount: number;
  fallback?: FallbackSpec;
  /** `advanced.horizontalPodAutoscalerConfig.behavior`, verbatim; undefined = legacy HPA normalization. */
  behavior?: HpaBehavior;
  restoreToOriginalReplicaCount: boolean;
  /** `advanced.scalingModifiers`; undefined when not used. */
  scalingModifiers?: ScalingModifiersSpec;
  pause: PauseSpec;
  triggers: ParsedTrigger[];
  /** The file the object was read from, when it came from one (for messages and reports). */
  sourceFile?: string;
  /**
   * Line in `sourceFile` of each field that can only be checked once the container env is read
   * (`spec.triggers[i].metadata.<name>FromEnv`), so tick-time errors point at it as parse errors do.
   */
  envFieldLines?: Record<string, number>;
}

/** Where a TriggerAuthentication takes one parameter from. */
export type AuthParameterSource =
  | { from: 'env'; envVar: string; containerName?: string }
  | { from: 'secret'; name: string; key: string }
  | { from: 'configMap'; name: string; key: string }
  | ({ from: 'awsSecretManager' } & AwsSecretManagerSource);

/**
 * One `awsSecretManager.secrets[]` entry of a TriggerAuthentication (KEDA
 * `aws_secretmanager_handler.go`): read at call time with `GetSecretValue`, never at synth, so its
 * value is never part of a parsed object, a request key, a log line or state.
 */
export interface AwsSecretManagerSource {
  /** `name`: the secret's name or full ARN (`SecretId`). */
  secretId: string;
  versionId?: string;
  versionStage?: string;
  /** `secretKey`: the secret string is a JSON object and the value is this key's (a string). */
  secretKey?: string;
  /** `awsSecretManager.region`, else the region in the ARN; undefined means the scaler's own region. */
  region?: string;
  /** `awsSecretManager.podIdentity.roleArn` (provider aws): the role the secret is read as. */
  roleArn?: string;
}

/** `TriggerAuthentication` / `ClusterTriggerAuthentication`, reduced to what the scaler may use. */
export interface TriggerAuthentication {
  kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication';
  /** Undefined for ClusterTriggerAuthentication. */
  namespace?: string;
  name: string;
  /** `podIdentity.roleArn` when `podIdentity.provider` is `aws`. */
  roleArn?: string;
  /** `podIdentity.externalID`, sent as AssumeRole's `ExternalId` for `roleArn`. */
  externalId?: string;
  /** `podIdentity.provider` when valid (`aws` makes a prometheus trigger sign with SigV4, as in KEDA). */
  podIdentityProvider?: string;
  /** Non-credential parameters (awsRegion, awsRoleArn, ...) and where each comes from. */
  parameters?: Record<string, AuthParameterSource>;
  /** True when it names static keys (secretTargetRef / env): never read, only warned about. */
  hasStaticCredentials: boolean;
  /** Parameters it would supply from secrets, env, config maps or vaults (never read), for messages. */
  ignoredParameters?: string[];
}
