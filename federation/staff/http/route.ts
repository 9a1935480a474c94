/**
 * Registering staff routes so that the route table is what runs: `staffRoute` looks its rule up
 * in ROUTE_TABLE (a route without one stops the server at start-up) and checks the session and
 * role before the handler sees the request; `signInRoute` checks Origin on sign-in steps. Each
 * path also answers 405 for other methods.
 */
import type { Context, Hono } from 'hono';
import { methodNotAllowed } from '../../server/errors.ts';
import { checkOrigin, requireSession, requireStaff, type StaffPrincipal } from '../context.ts';
import { type Method, ruleFor } from '../routes.table.ts';

type Handler = (c: Context, who: StaffPrincipal) => Promise<Response>;

function lookUp(method: Method, path: string) {
  const rule = ruleFor(method, path);
  if (rule === undefined) throw new Error(`${method} ${path} has no rule in the route table (federation/staff/routes.table.ts)`);
  return rule;
}

/** Registers the path's methods, then its 405 answer. */
export function staffPath(app: Hono, path: string, handlers: Partial<Record<Exclude<Method, 'ALL' | 'HEAD'>, Handler>>): void {
  const methods = Object.keys(handlers) as Exclude<Method, 'ALL' | 'HEAD'>[];
  for (const method of methods) {
    const rule = lookUp(method, path);
    const handler = handlers[method]!;
    if (rule.access === 'staff') {
      app.on(method, path, async (c) => handler(c, await requireStaff(c, { action: rule.action, roles: rule.roles })));
    } else if (rule.access === 'session') {
      app.on(method, path, async (c) => handler(c, await requireSession(c)));
    } else {
      throw new Error(`${method} ${path} is not a staff route in the route table`);
    }
  }
  lookUp('ALL', path);
  app.all(path, methodNotAllowed(methods.includes('GET') ? [...methods, 'HEAD'] : methods));
}

/** A step of signing in: anyone may call it; a state-changing one must come from this origin. */
export function signInPath(app: Hono, path: string, handlers: Partial<Record<'GET' | 'POST', (c: Context) => Promise<Response>>>): void {
  const methods = Object.keys(handlers) as ('GET' | 'POST')[];
  for (const method of methods) {
    if (lookUp(method, path).access !== 'sign-in') throw new Error(`${method} ${path} is not a sign-in route in the route table`);
    const handler = handlers[method]!;
    app.on(method, path, async (c) => {
      checkOrigin(c);
      return handler(c);
    });
  }
  lookUp('ALL', path);
  app.all(path, methodNotAllowed(methods.includes('GET') ? [...methods, 'HEAD'] : methods));
}
