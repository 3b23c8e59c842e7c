import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../security/password.js';
import type { GatewayStore } from '../store/store.js';

export const SESSION_COOKIE = 'wxnotify_session';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const PASSWORD_SETTING = 'admin_password_hash';

/** The admin password (scrypt hash in the store) and in-memory page sessions. */
export class AdminAuth {
  private readonly sessions = new Map<string, number>();

  constructor(
    private readonly store: GatewayStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sets the password at first start only; later starts keep the stored hash. */
  async initialise(initialPassword: () => string): Promise<boolean> {
    if (await this.store.getSetting(PASSWORD_SETTING)) return false;
    return this.store.setSettingIfAbsent(PASSWORD_SETTING, await hashPassword(initialPassword()));
  }

  async isPasswordSet(): Promise<boolean> {
    return (await this.store.getSetting(PASSWORD_SETTING)) !== undefined;
  }

  async login(password: unknown): Promise<string | undefined> {
    const stored = await this.store.getSetting(PASSWORD_SETTING);
    if (!stored || typeof password !== 'string' || password.length === 0 || password.length > 1024) return undefined;
    if (!(await verifyPassword(password, stored))) return undefined;
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, this.now() + SESSION_TTL_MS);
    return token;
  }

  async changePassword(current: unknown, next: unknown): Promise<boolean> {
    const stored = await this.store.getSetting(PASSWORD_SETTING);
    if (!stored || typeof current !== 'string' || !(await verifyPassword(current, stored))) return false;
    if (typeof next !== 'string' || next.length < 10) throw new Error('The new password needs at least 10 characters.');
    await this.store.setSetting(PASSWORD_SETTING, await hashPassword(next));
    this.sessions.clear();
    return true;
  }

  isValid(token: string | undefined): boolean {
    if (!token) return false;
    const expires = this.sessions.get(token);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.sessions.delete(token);
      return false;
    }
    return true;
  }

  logout(token: string | undefined): void {
    if (token) this.sessions.delete(token);
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
