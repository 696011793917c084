/**
 * KEDA's `keda.sh/v1alpha1` ScaledObject as a TypeScript type, for users who write their
 * ScaledObjects in their CDK app instead of YAML. It mirrors the CRD; the engine's parser still
 * validates every value at synth time, exactly as for YAML.
 */
export interface ScaledObjectTriggerManifest {
  type: string;
  name?: string;
  /** KEDA trigger metadata: every value is a string, as in the CRD. */
  metadata: Record<string, string>;
  metricType?: 'AverageValue' | 'Value';
  useCachedMetrics?: boolean;
  authenticationRef?: { name: string; kind?: 'TriggerAuthentication' | 'ClusterTriggerAuthentication' };
}

export interface HpaScalingRulesManifest {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[];
  tolerance?: number | string;
}

export interface ScaledObjectManifest {
  apiVersion: 'keda.sh/v1alpha1';
  kind: 'ScaledObject';
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec: {
    scaleTargetRef: { name: string; kind?: string; apiVersion?: string; envSourceContainerName?: string };
    pollingInterval?: number;
    cooldownPeriod?: number;
    initialCooldownPeriod?: number;
    idleReplicaCount?: number;
    minReplicaCount?: number;
    maxReplicaCount?: number;
    fallback?: {
      failureThreshold: number;
      replicas: number;
      behavior?: 'static' | 'currentReplicas' | 'currentReplicasIfHigher' | 'currentReplicasIfLower';
    };
    advanced?: {
      restoreToOriginalReplicaCount?: boolean;
      horizontalPodAutoscalerConfig?: {
        name?: string;
        behavior?: { scaleUp?: HpaScalingRulesManifest; scaleDown?: HpaScalingRulesManifest };
      };
    };
    triggers: ScaledObjectTriggerManifest[];
  };
}

/** `TriggerAuthentication` / `ClusterTriggerAuthentication` with AWS pod identity. */
export interface TriggerAuthenticationManifest {
  apiVersion: 'keda.sh/v1alpha1';
  kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication';
  metadata: { name: string; namespace?: string };
  spec: { podIdentity?: { provider: string; roleArn?: string } } & Record<string, unknown>;
}
