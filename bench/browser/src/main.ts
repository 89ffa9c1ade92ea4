/** The benchmark page: everything the driver calls, as `window.bench`. */
import type { BenchApi } from './api.ts';
import { closeTab, events, exec, failoverArm, lagReceive, lagSeen, lagSend, openTab, ping, status } from './cluster.ts';
import { checkpointStall } from './checkpoint.ts';
import { latency, throughput } from './commit.ts';
import { reopenRun } from './reopen.ts';

const bench: BenchApi = { latency, throughput, openTab, exec, status, lagReceive, lagSeen, lagSend, ping, failoverArm, events, closeTab, checkpointStall, reopenRun };
window.bench = bench;
document.body.dataset.ready = 'true';
