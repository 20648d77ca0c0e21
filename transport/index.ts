// Public surface of transport/.
export {};
