/**
 * EKS capacity facts for common instance types, used when the group has no node to copy its shape
 * from. Max pods follows the Amazon VPC CNI formula `ENIs × (IPv4 per ENI − 1) + 2` (the value the
 * EKS AMI's bootstrap sets), never the Kubernetes default of 110, because on EKS the pod limit is
 * usually what fills a small node first.
 */
import type { Resources } from './node-model';

interface InstanceFacts {
  vcpu: number;
  memoryGiB: number;
  enis: number;
  ipv4PerEni: number;
}

const SIZES: Record<string, Omit<InstanceFacts, 'memoryGiB'> & { gibPerVcpu?: number }> = {
  large: { vcpu: 2, enis: 3, ipv4PerEni: 10 },
  xlarge: { vcpu: 4, enis: 4, ipv4PerEni: 15 },
  '2xlarge': { vcpu: 8, enis: 4, ipv4PerEni: 15 },
  '4xlarge': { vcpu: 16, enis: 8, ipv4PerEni: 30 },
  '8xlarge': { vcpu: 32, enis: 8, ipv4PerEni: 30 },
  '12xlarge': { vcpu: 48, enis: 8, ipv4PerEni: 30 },
  '16xlarge': { vcpu: 64, enis: 15, ipv4PerEni: 50 },
  '24xlarge': { vcpu: 96, enis: 15, ipv4PerEni: 50 },
};

/** GiB of memory per vCPU of the general (m), compute (c) and memory (r) families. */
const FAMILIES: Record<string, number> = {
  m5: 4, m5a: 4, m6i: 4, m6a: 4, m7i: 4, m7a: 4, m6g: 4, m7g: 4,
  c5: 2, c5a: 2, c6i: 2, c6a: 2, c7i: 2, c6g: 2, c7g: 2,
  r5: 8, r5a: 8, r6i: 8, r6a: 8, r7i: 8, r6g: 8, r7g: 8,
};

const BURSTABLE: Record<string, InstanceFacts> = {
  't3.micro': { vcpu: 2, memoryGiB: 1, enis: 2, ipv4PerEni: 2 },
  't3.small': { vcpu: 2, memoryGiB: 2, enis: 3, ipv4PerEni: 4 },
  't3.medium': { vcpu: 2, memoryGiB: 4, enis: 3, ipv4PerEni: 6 },
  't3.large': { vcpu: 2, memoryGiB: 8, enis: 3, ipv4PerEni: 12 },
  't3.xlarge': { vcpu: 4, memoryGiB: 16, enis: 4, ipv4PerEni: 15 },
  't3.2xlarge': { vcpu: 8, memoryGiB: 32, enis: 4, ipv4PerEni: 15 },
};

/** t3a matches t3 except where AMD sizes have fewer ENIs (eni-max-pods.txt: t3a.small 8, not 11). */
const BURSTABLE_T3A: Record<string, InstanceFacts> = {
  't3a.small': { vcpu: 2, memoryGiB: 2, enis: 2, ipv4PerEni: 4 },
};

function facts(instanceType: string): InstanceFacts | undefined {
  const burstable = BURSTABLE[instanceType] ?? BURSTABLE_T3A[instanceType] ?? BURSTABLE[instanceType.replace(/^t3a\./, 't3.')];
  if (burstable) return burstable;
  const [family, size] = instanceType.split('.');
  const gibPerVcpu = family ? FAMILIES[family] : undefined;
  const sizeFacts = size ? SIZES[size] : undefined;
  // c5 jumps from 4xlarge to 9xlarge; its 9xlarge/18xlarge are absent rather than guessed.
  if (gibPerVcpu === undefined || !sizeFacts) return undefined;
  return { vcpu: sizeFacts.vcpu, memoryGiB: sizeFacts.vcpu * gibPerVcpu, enis: sizeFacts.enis, ipv4PerEni: sizeFacts.ipv4PerEni };
}

/**
 * What EKS needs to know about an instance type to size a fresh node, as EC2's DescribeInstanceTypes
 * gives it (VCpuInfo.DefaultVCpus, MemoryInfo.SizeInMiB, NetworkInfo.MaximumNetworkInterfaces and
 * Ipv4AddressesPerInterface, ProcessorInfo.SupportedArchitectures).
 */
export interface InstanceTypeCapacity {
  vcpu: number;
  memoryMiB: number;
  maxEnis: number;
  ipv4PerEni: number;
  /** Kubernetes' name for the CPU architecture (`amd64`, `arm64`), when known. */
  architecture?: string;
  /** NVIDIA GPUs (GpuInfo.Gpus[].Count of the NVIDIA devices), when the type has any: the node's `nvidia.com/gpu`. */
  nvidiaGpus?: number;
}

/** The built-in table's facts for a type, or undefined when the type is not in it. */
export function tableCapacity(instanceType: string): InstanceTypeCapacity | undefined {
  const known = facts(instanceType);
  if (!known) return undefined;
  // Graviton families (m6g, c7g...) carry a "g" after the generation digit.
  const architecture = /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? 'arm64' : 'amd64';
  return { vcpu: known.vcpu, memoryMiB: known.memoryGiB * 1024, maxEnis: known.enis, ipv4PerEni: known.ipv4PerEni, architecture };
}

/** EKS max pods (VPC CNI without prefix delegation): `ENIs × (IPv4 per ENI − 1) + 2`. */
export function eksMaxPodsOf(capacity: InstanceTypeCapacity): number {
  return capacity.maxEnis * (capacity.ipv4PerEni - 1) + 2;
}

/** EKS max pods for the instance type (VPC CNI without prefix delegation), or undefined if unknown. */
export function eksMaxPods(instanceType: string): number | undefined {
  const known = tableCapacity(instanceType);
  return known ? eksMaxPodsOf(known) : undefined;
}

/** CPU the EKS AMI reserves for the kubelet: 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% beyond. */
function reservedCpuMilli(vcpu: number): number {
  const steps: Array<[cores: number, fraction: number]> = [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]];
  let remaining = vcpu;
  let reserved = 0;
  for (const [cores, fraction] of steps) {
    const used = Math.min(remaining, cores);
    reserved += used * 1000 * fraction;
    remaining -= used;
  }
  return Math.ceil(reserved);
}

const MIB = 2 ** 20;
/** Share of nominal memory the hypervisor and kernel keep (Karpenter's default VM overhead). */
const VM_MEMORY_OVERHEAD = 0.075;

/**
 * Allocatable of a fresh EKS node with this capacity: capacity minus the AMI's kube-reserved
 * (`255Mi + 11Mi × max pods`) and the 100Mi hard eviction threshold.
 */
export function eksAllocatableOf(capacity: InstanceTypeCapacity): Resources {
  const pods = eksMaxPodsOf(capacity);
  const capacityBytes = Math.floor(capacity.memoryMiB * MIB * (1 - VM_MEMORY_OVERHEAD));
  const reservedBytes = (255 + 11 * pods + 100) * MIB;
  return {
    cpuMilli: capacity.vcpu * 1000 - reservedCpuMilli(capacity.vcpu),
    memoryBytes: capacityBytes - reservedBytes,
    pods,
  };
}

/** Allocatable of a fresh EKS node of a type in the built-in table; undefined if the type is not in it. */
export function eksAllocatable(instanceType: string): Resources | undefined {
  const known = tableCapacity(instanceType);
  return known ? eksAllocatableOf(known) : undefined;
}
