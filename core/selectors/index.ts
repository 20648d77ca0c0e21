// Public surface of core/selectors/.
export {};
