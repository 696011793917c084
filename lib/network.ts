/**
 * Optional VPC placement, for clusters whose API endpoint is private and for Kafka brokers (kafka,
 * apache-kafka triggers) inside a VPC: the scalers run in the given subnets with their own security
 * group; the cluster's security group admits that group on 443, and each broker group named in
 * `kafkaBrokers` admits it on the broker ports (egress from the scalers' group goes only there).
 * The subnets still need a route to the AWS APIs (NAT, or VPC endpoints for sts, eks, sqs, kinesis,
 * monitoring, dynamodb, autoscaling, lambda, logs): docs/deploy.md lists them.
 */
import { Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { IPeer, ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface VpcPlacementProps {
  vpc: IVpc;
  /** Default: the VPC's private subnets with egress. */
  subnets?: SubnetSelection;
  /**
   * Security groups on the cluster endpoint's network interfaces (the EKS cluster security group or an
   * additional control-plane group); each gets an ingress rule on 443 from the scalers' group.
   */
  clusterSecurityGroups?: ISecurityGroup[];
  /**
   * Kafka brokers the pod scaler reads consumer-group lag from, with their listener ports (e.g. MSK:
   * 9092 plaintext, 9094 TLS, 9096 SASL/SCRAM, 9098 IAM). A `securityGroup` (the MSK cluster's) gets
   * an ingress rule from the scalers' group; a `peer` (a CIDR, for brokers outside a group you own)
   * gets only the egress rule.
   */
  kafkaBrokers?: { securityGroup?: ISecurityGroup; peer?: IPeer; ports: number[] }[];
}

export class ScalerNetworkAccess extends Construct {
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: VpcPlacementProps) {
    super(scope, id);
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'eks-lambda-scaler Lambdas: HTTPS to the cluster endpoint and the AWS APIs only',
      allowAllOutbound: false,
    });
    // Every call the scalers make is HTTPS: the Kubernetes API and the AWS APIs (or their endpoints).
    this.securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to the EKS endpoint and AWS APIs');
    for (const clusterGroup of props.clusterSecurityGroups ?? []) {
      clusterGroup.addIngressRule(this.securityGroup, Port.tcp(443), 'eks-lambda-scaler to the Kubernetes API');
    }
    for (const brokers of props.kafkaBrokers ?? []) {
      for (const port of brokers.ports) {
        if (brokers.securityGroup) {
          brokers.securityGroup.addIngressRule(this.securityGroup, Port.tcp(port), 'eks-lambda-scaler reads consumer-group lag');
          this.securityGroup.addEgressRule(brokers.securityGroup, Port.tcp(port), 'Kafka brokers: consumer-group lag');
        }
        if (brokers.peer) this.securityGroup.addEgressRule(brokers.peer, Port.tcp(port), 'Kafka brokers: consumer-group lag');
      }
    }
  }
}
