// Public surface of core/api/.
export {};
