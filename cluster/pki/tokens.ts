/**
 * Static bearer tokens in kube-apiserver's `--token-auth-file` format: CSV records
 * `token,user,uid[,"group1,group2"]`. Parsing follows kube-apiserver: fewer than 3 columns is an
 * error; an empty token is skipped and a repeated token replaces the earlier one (both reported as
 * warnings); the 4th column is split on commas as is (so an empty one is the group "").
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { readCsvRecords, formatCsvField } from './csv.js';
import { TokenFileError } from './errors.js';
import { readPkiFile, SECRET_FILE_MODE, writePkiFileAtomic } from './atomic-file.js';

/** Who a token authenticates as. */
export interface StaticTokenUser {
  readonly name: string;
  readonly uid: string;
  readonly groups: readonly string[];
}

export interface StaticToken {
  readonly token: string;
  readonly user: StaticTokenUser;
}

/** Something kube-apiserver would only log: an empty or repeated token. */
export interface TokenFileWarning {
  readonly line: number;
  readonly message: string;
}

export interface ParsedTokenFile {
  /** In file order; each token once (a repeated token keeps its last record, at that position). */
  readonly tokens: readonly StaticToken[];
  readonly warnings: readonly TokenFileWarning[];
}

/** The user `flotilla up` writes a token for: a cluster admin (system:masters bypasses RBAC). */
export const ADMIN_TOKEN_USER: StaticTokenUser = { name: 'admin', uid: 'admin', groups: ['system:masters'] };
/** Random bytes in a generated token (256 bits). */
export const GENERATED_TOKEN_BYTES = 32;

/** `<pkiDir>/tokens.csv`. */
export function tokenFilePath(pkiDir: string): string {
  return join(pkiDir, 'tokens.csv');
}

/** Parses a tokens file's text; `source` names it in TokenFileError (thrown for malformed CSV or a short record). */
export function parseTokenFile(text: string, source = 'tokens.csv'): ParsedTokenFile {
  const csv = readCsvRecords(text);
  if (!csv.ok) throw new TokenFileError(source, csv.line, csv.reason);
  const byToken = new Map<string, StaticToken>();
  const warnings: TokenFileWarning[] = [];
  for (const { fields, line } of csv.records) {
    const [token, name, uid, groups] = fields;
    if (token === undefined || name === undefined || uid === undefined) {
      throw new TokenFileError(source, line, `must have at least 3 columns (token, user name, user uid), found ${fields.length}`);
    }
    if (token === '') {
      warnings.push({ line, message: 'empty token; record ignored' });
      continue;
    }
    if (byToken.delete(token)) warnings.push({ line, message: 'duplicate token; this record replaces the earlier one' });
    byToken.set(token, { token, user: { name, uid, groups: groups === undefined ? [] : groups.split(',') } });
  }
  return { tokens: [...byToken.values()], warnings };
}

/** The tokens file text for `tokens`, one record per line; groups quoted when there are several. */
export function renderTokenFile(tokens: readonly StaticToken[]): string {
  return tokens.map(renderTokenRecord).join('');
}

function renderTokenRecord({ token, user }: StaticToken): string {
  if (token === '' || /\s/.test(token)) throw new RangeError('a static token must be non-empty and without whitespace');
  const fields = [token, user.name, user.uid];
  if (user.groups.length > 0) fields.push(user.groups.join(','));
  return `${fields.map(formatCsvField).join(',')}\n`;
}

/** A new random token: GENERATED_TOKEN_BYTES bytes, base64url (43 characters, no padding). */
export function generateStaticToken(random: (size: number) => Buffer = randomBytes): string {
  return random(GENERATED_TOKEN_BYTES).toString('base64url');
}

/**
 * The user a bearer token belongs to, or undefined. Every configured token is compared, each in
 * constant time over SHA-256 digests (equal lengths), so the time taken reveals neither which
 * token nor how much of one matched.
 */
export function authenticateToken(tokens: readonly StaticToken[], bearer: string): StaticTokenUser | undefined {
  if (bearer === '') return undefined;
  const presented = sha256(bearer);
  let found: StaticTokenUser | undefined;
  for (const entry of tokens) {
    if (timingSafeEqual(sha256(entry.token), presented) && found === undefined) found = entry.user;
  }
  return found;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * The token of an `Authorization: Bearer <token>` header, as kube-apiserver reads it: trimmed,
 * scheme case-insensitive, the token being the second space-separated part. Undefined otherwise.
 */
export function bearerTokenFromHeader(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const parts = authorization.trim().split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  const token = parts[1]!;
  return token === '' ? undefined : token;
}

/** Reads and parses a tokens file; undefined when it does not exist. */
export async function loadTokenFile(path: string): Promise<ParsedTokenFile | undefined> {
  const text = await readPkiFile(path);
  return text === undefined ? undefined : parseTokenFile(text, path);
}

export interface EnsureAdminTokenResult {
  readonly adminToken: string;
  readonly tokens: ParsedTokenFile;
  readonly created: boolean;
}

/**
 * Makes sure the tokens file (mode 0600) has a token for ADMIN_TOKEN_USER's name, adding a
 * generated one (and creating the file) if not, and returns it. Other records are kept.
 */
export async function ensureAdminToken(path: string): Promise<EnsureAdminTokenResult> {
  const existing = await loadTokenFile(path);
  const admin = existing?.tokens.find((t) => t.user.name === ADMIN_TOKEN_USER.name);
  if (existing !== undefined && admin !== undefined) return { adminToken: admin.token, tokens: existing, created: false };
  const added: StaticToken = { token: generateStaticToken(), user: ADMIN_TOKEN_USER };
  const tokens: ParsedTokenFile = { tokens: [...(existing?.tokens ?? []), added], warnings: existing?.warnings ?? [] };
  await writePkiFileAtomic(path, renderTokenFile(tokens.tokens), SECRET_FILE_MODE);
  return { adminToken: added.token, tokens, created: true };
}
