// Public surface of the image store: references, manifests, the store and the shipped images.
export { DEFAULT_IMAGE_TAG, MAX_IMAGE_NAME_LENGTH, formatImageReference, parseImageReference } from './image-reference.js';
export type { ImageReference } from './image-reference.js';
export type { ImageManifest, ResolvedImage } from './image-manifest.js';
export { ImageImportError, ImageStore, MAX_IMAGE_FILES } from './image-store.js';
export type { ImageImportOptions } from './image-store.js';
export { builtinImageNames, isBuiltinImageName, resolveBuiltinImage } from './builtin-images.js';
