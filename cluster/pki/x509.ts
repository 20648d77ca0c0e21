/**
 * The one place that loads `@peculiar/x509`: it needs reflect-metadata loaded first
 * and a WebCrypto provider set before use. Every other PKI file imports `x509` from here.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
