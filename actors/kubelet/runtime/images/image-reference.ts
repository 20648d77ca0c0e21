// Image references as Kubernetes users write them: `[registry[:port]/]path[:tag][@sha256:…]`,
// with Docker Hub's implied `docker.io/library/` prefix normalised away so `nginx`,
// `library/nginx` and `docker.io/library/nginx:latest` name the same image.

import { InvalidImageNameError } from '../runtime-errors.js';

export const DEFAULT_IMAGE_TAG = 'latest';

/** Longest reference accepted (the distribution spec's limit on a repository name). */
export const MAX_IMAGE_NAME_LENGTH = 255;

export interface ImageReference {
  /** The repository path, normalised (`flotilla/echo`, `registry.local:5000/app`). */
  readonly name: string;
  readonly tag: string;
  /** `sha256:…` when the reference pins a digest. */
  readonly digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses and normalises a reference; throws InvalidImageNameError when it is not well formed. */
export function parseImageReference(ref: string): ImageReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidImageNameError(ref, 'the digest must be sha256: and 64 lowercase hex digits');
  }
  let tag = DEFAULT_IMAGE_TAG;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidImageNameError(ref, `tag ${JSON.stringify(tag)} must be 1-128 of [A-Za-z0-9_.-], not starting with . or -`);
  }
  if (rest === '') throw new InvalidImageNameError(ref, 'the name is empty');
  if (rest.length > MAX_IMAGE_NAME_LENGTH) throw new InvalidImageNameError(ref, `the name is longer than ${MAX_IMAGE_NAME_LENGTH} characters`);
  const parts = rest.split('/');
  // The first component is a registry when it looks like a host (has . or :, or is localhost).
  const first = parts[0]!;
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain && !DOMAIN.test(first)) throw new InvalidImageNameError(ref, `registry ${JSON.stringify(first)} is not a host[:port]`);
  for (const p of hasDomain ? parts.slice(1) : parts) {
    if (!PATH_COMPONENT.test(p)) throw new InvalidImageNameError(ref, `path component ${JSON.stringify(p)} must be lowercase letters and digits separated by . _ __ or -`);
  }
  let name = rest;
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (name.startsWith(prefix)) {
      name = name.slice(prefix.length);
      break;
    }
  }
  if (name.startsWith('library/') && name.split('/').length === 2) name = name.slice('library/'.length);
  return digest === undefined ? { name, tag } : { name, tag, digest };
}

/** `name:tag` of a reference (the key the store files an image under). */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.name}:${ref.tag}`;
}
