// Public surface of core/patch/.
export {};
