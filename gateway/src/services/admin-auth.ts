import { randomBytes } from 'node:crypto';
import { hashSecret } from '../security/codes.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../security/password.js';
import type { GatewayStore } from '../store/store.js';

export const SESSION_COOKIE = 'wxnotify_session';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const PASSWORD_SETTING = 'admin_password_hash';
/** Where the winner of the first start wrote the generated password (host and path), for the others' log. */
const PASSWORD_FILE_SETTING = 'admin_password_file';

/**
 * The admin password (scrypt hash in the store) and page sessions, also in the store (hashed), so
 * that any replica serves the page, and a logout or a password change ends them on every replica.
 */
export class AdminAuth {
  constructor(
    private readonly store: GatewayStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Sets the password at first start only (later starts keep the stored hash). `set`: this call
   * stored it; `lost`: another replica starting at the same time stored its own first; `kept`: set before.
   */
  async initialise(initialPassword: string): Promise<'set' | 'lost' | 'kept'> {
    if (await this.store.getSetting(PASSWORD_SETTING)) return 'kept';
    return (await this.store.setSettingIfAbsent(PASSWORD_SETTING, await hashPassword(initialPassword))) ? 'set' : 'lost';
  }

  /** Records (winner) or reads (the others) where the generated first password was written. */
  async passwordFileLocation(write?: string): Promise<string | undefined> {
    if (write) await this.store.setSettingIfAbsent(PASSWORD_FILE_SETTING, write);
    return this.store.getSetting(PASSWORD_FILE_SETTING);
  }

  async isPasswordSet(): Promise<boolean> {
    return (await this.store.getSetting(PASSWORD_SETTING)) !== undefined;
  }

  async login(password: unknown): Promise<string | undefined> {
    const stored = await this.store.getSetting(PASSWORD_SETTING);
    if (!stored || typeof password !== 'string' || password.length === 0 || password.length > 1024) return undefined;
    if (!(await verifyPassword(password, stored))) return undefined;
    const token = randomBytes(32).toString('base64url');
    const t = this.now();
    await this.store.addSession(hashSecret(token), new Date(t), new Date(t + SESSION_TTL_MS));
    return token;
  }

  async changePassword(current: unknown, next: unknown): Promise<boolean> {
    const stored = await this.store.getSetting(PASSWORD_SETTING);
    if (!stored || typeof current !== 'string' || !(await verifyPassword(current, stored))) return false;
    if (typeof next !== 'string' || next.length < MIN_PASSWORD_LENGTH) throw new Error(`The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
    await this.store.setSetting(PASSWORD_SETTING, await hashPassword(next));
    await this.store.deleteSessions();
    return true;
  }

  async isValid(token: string | undefined): Promise<boolean> {
    if (!token || token.length > 128) return false;
    return this.store.hasSession(hashSecret(token), new Date(this.now()));
  }

  async logout(token: string | undefined): Promise<void> {
    if (token) await this.store.deleteSessions(hashSecret(token));
  }

  static cookie(token: string, secure: boolean): string {
    return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
  }

  static clearedCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }
}

export function sessionFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}
