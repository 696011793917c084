/** The public API of the CDK construct, for use in your own CDK app. */
export { EksLambdaScaler } from './eks-lambda-scaler';
export type { AdditionalTriggerResources, EksLambdaScalerProps, ScalerFunctionOptions } from './eks-lambda-scaler';
export { ScaledObjectSource } from './scaled-object-source';
export type {
  ScaledObjectManifest,
  ScaledObjectTriggerManifest,
  TriggerAuthenticationManifest,
} from './scaled-object-manifest';
export type { ClusterProps, ScaledCluster } from './resolved-cluster';
export type { NamedNodeGroup, NodeGroupFromConstruct, NodeGroupOptions, NodeGroupProps } from './node-groups';
export type { NodeInterruptionOptions } from './node-interruptions';
export type { ScalerMetricOptions, ClusterMetricName, NodeGroupMetricName } from './observability/scaler-metrics';
export type { VpcPlacementProps } from './network';
export { ScaledObjectValidationError } from './config-bundle';
export { KUBERNETES_GROUP, NODE_SCALER_KUBERNETES_GROUP } from './kubernetes-access';
export { STATE_TABLE_PARTITION_KEY, STATE_TABLE_TTL_ATTRIBUTE } from './state-table';
export type { NodeGroupConfig } from '../lambdas/config/scaler-config';
export type { ClusterObjectPermissions } from '../lambdas/engine/iam/iam-allowance';
export type { ClusterLimits, NodeScalingOptions } from '../lambdas/engine/nodes/node-scaling-options';
export type { ExpanderName } from '../lambdas/engine/nodes/expanders/expansion-option';
export type { ExpanderPriorities } from '../lambdas/engine/nodes/expanders/priority';
