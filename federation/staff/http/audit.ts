/** The audit log, newest first, for librarians and stewards (a page at a time: `before` = the last page's `next`). */
import type { Hono } from 'hono';
import { AuditQuery } from '../../protocol/index.ts';
import { parseQuery } from '../../server/query.ts';
import { kitOf } from '../context.ts';
import { staffPath } from './route.ts';

export function auditRoutes(app: Hono): void {
  staffPath(app, '/api/v1/staff/audit', {
    GET: async (c) => {
      const { limit, before } = parseQuery(c, AuditQuery);
      return c.json(await kitOf(c).store.audit({ limit, before }));
    },
  });
}
