// Public surface of the deterministic simulator.
export type { SimOptions, SimResult } from './simulation.js';
export { Simulation, runSimulation, replayCommand } from './simulation.js';
export { SafetyChecker, SafetyViolation } from './checkers.js';
