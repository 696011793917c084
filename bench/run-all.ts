/**
 * `npm run bench`: the benchmarks in one go, each printing its table and writing its JSON to
 * bench/out/. Sized to finish in under ten minutes on a 2-core machine: N = 5,000 runs one warm
 * tick, smaller fleets three to five.
 */
import { performance } from 'node:perf_hooks';
import { apiCallsFrom, apiCallsTable } from './api-calls';
import { cliStartTable, runCliStart } from './cli-start';
import { coldStartTable, runColdStart } from './cold-start';
import { COST_SIZES, costRowsFrom, costTable, kinesisRatesFor } from './cost';
import { kinesisRateTable, LIMIT_MODES, measureKinesisRate } from './kinesis-rate';
import { reactionTable, runReaction } from './reaction';
import { runTickCost, tickCostTable } from './tick-cost';
import { runSteadyState, steadyStateTable } from './steady-state';
import { machineInfo, writeResult } from './support/output';

const LATENCY_MS = 20;
const repeatsFor = (size: number) => (size >= 5000 ? 1 : size >= 1000 ? 3 : 5);

const began = performance.now();
const machine = machineInfo();
console.log(`eks-lambda-scaler benchmarks on ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);

const tick = await runTickCost({ sizes: [10, 100, 1000, 5000], latencyMs: LATENCY_MS, repeatsFor });
// The waste this benchmark found, fixed: one TLS connection per Kubernetes request. `per-request`
// shows the before.
const before = await runTickCost({ sizes: [1000, 5000], latencyMs: LATENCY_MS, repeatsFor, connections: 'per-request' });
console.log(`1. ${tickCostTable([...tick, ...before])}\n`);
await writeResult('tick-cost', [...tick, ...before]);

const calls = tick.map(apiCallsFrom);
console.log(`2. ${apiCallsTable(calls)}\n`);
await writeResult('api-calls', calls);

// Steady state: four-pass minutes in a row, after the HPA windows fill (what a minute really writes).
const steady = await runSteadyState({ sizes: [10, 100, 1000], latencyMs: LATENCY_MS, minutes: 10, warmup: 6 });
console.log(`8. ${steadyStateTable(steady)}\n`);
await writeResult('steady-state', steady);

// Kinesis reads against their quotas: ListShards per stream (own role), DescribeStreamSummary per account (assumed role); virtual time.
const kinesis = [];
for (const size of [1000, 10_000]) for (const mode of LIMIT_MODES) kinesis.push(await measureKinesisRate(size, mode));
console.log(`9. ${kinesisRateTable(kinesis)}\n`);
await writeResult('kinesis-rate', kinesis);

// Money, from the measured minutes (N = 10,000 is ten shards of the N = 1,000 one), Kinesis at the limited rate.
const cost = costRowsFrom(tick, steady, [], await kinesisRatesFor(COST_SIZES));
console.log(`5. ${costTable(cost)}\n`);
await writeResult('cost', cost);

const cold = await runColdStart(15);
console.log(`3. ${coldStartTable(cold)}\n`);
await writeResult('cold-start', cold);

const reaction = await runReaction();
console.log(`4. ${reactionTable(reaction)}\n`);
await writeResult('reaction', reaction);

const cliStart = runCliStart(15);
console.log(`7. ${cliStartTable(cliStart)}\n`);
await writeResult('cli-start', cliStart);

console.log(`all benchmarks in ${((performance.now() - began) / 1000).toFixed(0)} s; JSON in bench/out/`);
