// Public surface of cluster/.
export {};
