// A worker thread's whole program (identityPool.ts starts it from its bundled source): read the
// identities of each job posted to it, post them back in the same order.
import { parentPort } from 'node:worker_threads';
import { readJob, type IdentityJob } from './identity';

parentPort?.on('message', (job: IdentityJob) => {
  parentPort!.postMessage(readJob(job));
});
