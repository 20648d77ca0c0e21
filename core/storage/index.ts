// Public surface of core/storage/.
export {};
