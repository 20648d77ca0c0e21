// What an image holds besides its files: how to run it. The shape is the subset of an OCI image
// config that a container needs (Entrypoint, Cmd, Env, WorkingDir), named as Kubernetes users know it.

export interface ImageManifest {
  /** `name:tag`, normalised. */
  readonly ref: string;
  /** `sha256:` of the image's content (its files and this run config). */
  readonly id: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** `NAME=value` pairs, as in an OCI config. */
  readonly env: readonly string[];
  /** In the image's view of paths; empty for `/`. */
  readonly workingDir: string;
  readonly sizeBytes: number;
  readonly createdAtMs: number;
}

/** A resolved image: its manifest and where its files are on the host (absent for the shipped images). */
export interface ResolvedImage {
  readonly manifest: ImageManifest;
  readonly rootDir?: string;
}
