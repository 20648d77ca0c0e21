// Public surface of transport/.
export {};
export * from './peer/index.js';
export * from './etcd/index.js';
export * from './storage/index.js';
export * from './resource/index.js';
export * from './kube/index.js';
export * from './kubelet/index.js';
