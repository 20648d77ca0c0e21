// Public surface of core/openapi/.
export {};
