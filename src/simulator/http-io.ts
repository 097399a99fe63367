// Reading request bodies and writing JSON:API answers, for the simulator's API and control routes.
import type http from 'node:http';
import type { ApiError } from './jsonapi.js';

export const MEDIA_TYPE = 'application/vnd.api+json';
const MAX_BODY_BYTES = 1024 * 1024;

export class BodyError extends Error {}

/** The whole body as text; a BodyError past MAX_BODY_BYTES. */
export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyError('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  if (res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': MEDIA_TYPE,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function errorBody(error: ApiError) {
  return { errors: error.errors };
}
