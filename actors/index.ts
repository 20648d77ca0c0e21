// Public surface of actors/.
export {};
