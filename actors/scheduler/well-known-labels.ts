// The well-known node labels the scheduler reads on every attempt (kube's v1.LabelHostname and
// v1.LabelTopologyZone), kept apart so both the node and the cache model can name them.

/** The well-known zone label (topology.kubernetes.io/zone). */
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';
/** The well-known hostname label every kubelet puts on its node. */
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
