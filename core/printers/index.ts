// Public surface of core/printers/.
export {};
