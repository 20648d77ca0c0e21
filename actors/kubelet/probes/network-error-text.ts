// Node's socket errors in the words of Go's net package, which is what kubelet's probe messages
// show (`dial tcp 10.0.0.5:8080: connect: connection refused`).

/** The Go-style tail for a socket error code (`connect: connection refused`). */
export function goSocketErrorText(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect: connection refused';
    case 'EHOSTUNREACH':
      return 'connect: no route to host';
    case 'ENETUNREACH':
      return 'connect: network is unreachable';
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    case 'EPIPE':
      return 'write: broken pipe';
    case 'ETIMEDOUT':
    case 'ABORT_ERR':
      return 'i/o timeout';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
