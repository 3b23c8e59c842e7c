import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { matchesAll, parseMatcher, type Matcher } from './matchers.js';
import { parseAlertSettings } from './settings.js';

/** Where a routed alert goes: a Code (by id or name) or a named channel with its recipients. */
export type ReceiverSpec = { name: string; code: string } | { name: string; channel: string; to?: unknown };

export interface RouteNode {
  path: string;
  matchers: Matcher[];
  receiver?: string;
  fallback?: string;
  continue: boolean;
  /** Grouping overrides (group_by, group_wait, …), inherited by child routes. */
  settings: Record<string, unknown>;
  routes: RouteNode[];
}

export interface RoutesConfig {
  receivers: Map<string, ReceiverSpec>;
  root: RouteNode;
}

/** A matched leaf: receiver name (undefined = the Code the alert was posted to) and inherited overrides. */
export interface RouteMatch {
  receiver?: string;
  fallback?: string;
  settings: Record<string, unknown>;
  path: string;
}

export class RoutesError extends Error {}

const SETTING_KEYS: Record<string, string> = {
  group_by: 'groupBy',
  groupBy: 'groupBy',
  group_wait: 'groupWait',
  groupWait: 'groupWait',
  group_interval: 'groupInterval',
  groupInterval: 'groupInterval',
  repeat_interval: 'repeatInterval',
  repeatInterval: 'repeatInterval',
};
const ROUTE_KEYS = new Set(['matchers', 'match', 'receiver', 'fallback', 'continue', 'routes', ...Object.keys(SETTING_KEYS)]);
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function fail(path: string, message: string): never {
  throw new RoutesError(`${path}: ${message}`);
}

function receiversOf(raw: unknown): Map<string, ReceiverSpec> {
  const out = new Map<string, ReceiverSpec>();
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) fail('receivers', 'must be a list of {name, code} or {name, channel, to}');
  raw.forEach((r: unknown, i) => {
    const path = `receivers[${i}]`;
    if (!r || typeof r !== 'object' || Array.isArray(r)) fail(path, 'must be an object');
    const { name, code, channel, to, ...rest } = r as Record<string, unknown>;
    if (typeof name !== 'string' || !NAME.test(name)) fail(`${path}.name`, 'is required: letters, digits, ".", "-", "_"');
    if (out.has(name)) fail(`${path}.name`, `"${name}" is defined twice`);
    if (Object.keys(rest).length) fail(`${path}.${Object.keys(rest)[0]}`, 'is not a receiver field (name, code, channel, to)');
    if ((code === undefined) === (channel === undefined)) fail(path, 'needs exactly one of code (a Code id or name) or channel (a named channel)');
    if (code !== undefined) {
      if (typeof code !== 'string' || !code.trim()) fail(`${path}.code`, 'must be a Code id or name');
      out.set(name, { name, code: code.trim() });
    } else {
      if (typeof channel !== 'string' || !channel.trim()) fail(`${path}.channel`, 'must be a channel name');
      out.set(name, { name, channel: channel.trim(), ...(to !== undefined ? { to } : {}) });
    }
  });
  return out;
}

function routeOf(raw: unknown, path: string, receivers: Map<string, ReceiverSpec>): RouteNode {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(path, 'must be an object');
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).find((k) => !ROUTE_KEYS.has(k));
  if (unknown) fail(`${path}.${unknown}`, `is not a route field (${[...ROUTE_KEYS].join(', ')})`);
  const matchers: Matcher[] = [];
  if (r.matchers !== undefined) {
    if (!Array.isArray(r.matchers)) fail(`${path}.matchers`, 'must be a list such as ["severity=\\"critical\\""]');
    r.matchers.forEach((m, i) => {
      try {
        matchers.push(parseMatcher(m));
      } catch (error) {
        fail(`${path}.matchers[${i}]`, (error as Error).message);
      }
    });
  }
  if (r.match !== undefined) {
    if (!r.match || typeof r.match !== 'object' || Array.isArray(r.match)) fail(`${path}.match`, 'must be an object of label: value');
    for (const [name, value] of Object.entries(r.match)) matchers.push({ name, op: '=', value: String(value) });
  }
  for (const key of ['receiver', 'fallback'] as const) {
    const v = r[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !receivers.has(v)) fail(`${path}.${key}`, `"${String(v)}" is not a receiver (defined: ${[...receivers.keys()].join(', ') || 'none'})`);
  }
  if (r.continue !== undefined && typeof r.continue !== 'boolean') fail(`${path}.continue`, 'must be true or false');
  const settings: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(SETTING_KEYS)) if (r[key] !== undefined) settings[name] = r[key];
  try {
    parseAlertSettings(settings);
  } catch (error) {
    fail(path, (error as Error & { upstreamMessage?: string }).upstreamMessage ?? (error as Error).message);
  }
  if (r.routes !== undefined && !Array.isArray(r.routes)) fail(`${path}.routes`, 'must be a list of routes');
  return {
    path,
    matchers,
    ...(typeof r.receiver === 'string' ? { receiver: r.receiver } : {}),
    ...(typeof r.fallback === 'string' ? { fallback: r.fallback } : {}),
    continue: r.continue === true,
    settings,
    routes: ((r.routes as unknown[] | undefined) ?? []).map((child, i) => routeOf(child, `${path}.routes[${i}]`, receivers)),
  };
}

/** Validates a parsed routes document: `{receivers: [...], route: {...}}`. */
export function parseRoutes(doc: unknown): RoutesConfig {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail('routes file', 'must hold an object with "route" (and "receivers")');
  const d = doc as Record<string, unknown>;
  const extra = Object.keys(d).find((k) => k !== 'route' && k !== 'receivers');
  if (extra) fail(extra, 'is not a top-level field (route, receivers)');
  if (d.route === undefined) fail('route', 'is required');
  const receivers = receiversOf(d.receivers);
  const root = routeOf(d.route, 'route', receivers);
  if (root.matchers.length) fail('route.matchers', 'the root route matches every alert; put matchers on its child routes');
  return { receivers, root };
}

/** Reads WXNOTIFY_ALERT_ROUTES_FILE (`.yaml`/`.yml` as YAML, anything else as JSON). */
export function loadRoutesFile(path: string): RoutesConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RoutesError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(extname(path)) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new RoutesError(`${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseRoutes(doc);
}

/**
 * Alertmanager's walk: the first matching child wins unless it says `continue: true`; a node
 * none of whose children match is itself the match. Receiver, fallback and grouping overrides
 * are inherited downwards.
 */
export function matchRoutes(config: RoutesConfig, labels: Readonly<Record<string, string>>): RouteMatch[] {
  const out: RouteMatch[] = [];
  const walk = (node: RouteNode, inherited: RouteMatch): void => {
    const here: RouteMatch = {
      receiver: node.receiver ?? inherited.receiver,
      fallback: node.fallback ?? (node.receiver ? undefined : inherited.fallback),
      settings: { ...inherited.settings, ...node.settings },
      path: node.path,
    };
    let matched = false;
    for (const child of node.routes) {
      if (!matchesAll(child.matchers, labels)) continue;
      matched = true;
      walk(child, here);
      if (!child.continue) break;
    }
    if (!matched) out.push(here);
  };
  walk(config.root, { settings: {}, path: 'route' });
  return out;
}
