// Public surface of bench/.
export {};
