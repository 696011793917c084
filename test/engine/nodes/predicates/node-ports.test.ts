/**
 * Host ports, rows from kube-scheduler's NodePorts plugin test:
 * kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeports/node_ports_test.go, TestNodePorts.
 */
import { describe, expect, it } from 'vitest';
import type { HostPort } from '../../../../lambdas/engine/nodes/node-model';
import { hostPortBlocker } from '../../../../lambdas/engine/nodes/predicates/node-ports';

/** "PROTOCOL/hostIP/port", the upstream test's notation. */
function ports(...specs: string[]): HostPort[] {
  return specs.map((spec) => {
    const [protocol, hostIP, port] = spec.split('/');
    return { protocol: protocol as HostPort['protocol'], hostIP: hostIP!, port: Number(port) };
  });
}

describe('NodePorts (TestNodePorts)', () => {
  it.each<[string, string[], string[], boolean]>([
    ['other port', ['UDP/127.0.0.1/8080'], ['UDP/127.0.0.1/9090'], true],
    ['same udp port', ['UDP/127.0.0.1/8080'], ['UDP/127.0.0.1/8080'], false],
    ['same tcp port', ['TCP/127.0.0.1/8080'], ['TCP/127.0.0.1/8080'], false],
    ['different host ip', ['TCP/127.0.0.1/8080'], ['TCP/127.0.0.2/8080'], true],
    ['different protocol', ['UDP/127.0.0.1/8080'], ['TCP/127.0.0.1/8080'], true],
    ['second udp port conflict', ['UDP/127.0.0.1/8000', 'UDP/127.0.0.1/8080'], ['UDP/127.0.0.1/8080'], false],
    ['first tcp port conflict', ['TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8080'], ['TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8081'], false],
    ['first tcp port conflict due to 0.0.0.0 hostIP', ['TCP/0.0.0.0/8001'], ['TCP/127.0.0.1/8001'], false],
    ['TCP hostPort conflict due to 0.0.0.0 hostIP', ['TCP/10.0.10.10/8001', 'TCP/0.0.0.0/8001'], ['TCP/127.0.0.1/8001'], false],
    ['second tcp port conflict to 0.0.0.0 hostIP', ['TCP/127.0.0.1/8001'], ['TCP/0.0.0.0/8001'], false],
    ['second different protocol', ['UDP/127.0.0.1/8001'], ['TCP/0.0.0.0/8001'], true],
    ['UDP hostPort conflict due to 0.0.0.0 hostIP', ['UDP/127.0.0.1/8001'], ['TCP/0.0.0.0/8001', 'UDP/0.0.0.0/8001'], false],
  ])('%s', (_name, wanted, used, fits) => {
    const onNode = [{ namespace: 'default', labels: {}, hostPorts: ports(...used) }];
    expect(hostPortBlocker(ports(...wanted), onNode) === undefined).toBe(fits);
  });

  it('an empty hostIP is every address, like 0.0.0.0 (the API default)', () => {
    expect(hostPortBlocker(ports('TCP//5555'), [{ namespace: 'a', labels: {}, hostPorts: ports('TCP/10.0.0.1/5555') }])).toMatch(/TCP\/0\.0\.0\.0:5555 is taken/);
  });
});
