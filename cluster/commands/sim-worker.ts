import { parentPort, workerData } from 'node:worker_threads';
import { runSeeds } from './sim.js';

const d = workerData as { first: number; count: number; stride: number; offset: number; members: number };
parentPort?.postMessage(runSeeds(d.first, d.count, d.stride, d.offset, d.members));
