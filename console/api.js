// The VideoGenX API from the browser: every request is signed with WebCrypto HMAC-SHA256 exactly
// as the CLI signs it (DESIGN §9): METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nhex(SHA256(body)).
// The secret stays in this tab's sessionStorage and is never sent to the server.

const STORAGE_KEY = 'videogenx.credentials';
const encoder = new TextEncoder();
// URL-safe, in byte order: a nonce starting with the time sorts by time (as the CLI's do), which
// the server's nonce table stores at its right edge instead of at a random page.
const NONCE_ALPHABET = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** An answer other than 2xx: the HTTP status, the envelope's code and message, field errors. */
export class ApiError extends Error {
  constructor(status, code, message, errors = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

/** The signed-in key (`{keyId, secret}`) or null. */
export function credentials() {
  const raw = sessionStorage.getItem(STORAGE_KEY);
  return raw ? JSON.parse(raw) : null;
}

/** Keeps the key for this tab only. */
export function remember(keyId, secret) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ keyId, secret }));
}

/** Forgets the key. */
export function forget() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Whether this page can sign at all: WebCrypto exists only in secure contexts (HTTPS, localhost). */
export function canSign() {
  return window.isSecureContext && !!(window.crypto && window.crypto.subtle);
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function nonce() {
  const time = [];
  for (let ms = Date.now(), i = 0; i < 8; i++, ms = Math.floor(ms / 64)) time.unshift(NONCE_ALPHABET[ms % 64]);
  return time.join('') + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => NONCE_ALPHABET[b & 63]).join('');
}

async function signatureHeaders(method, target, body) {
  const key = credentials();
  if (!key) throw new ApiError(401, 'signed_out', 'Sign in with an API key first.');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const once = nonce();
  const bodyHash = hex(await crypto.subtle.digest('SHA-256', body ?? new Uint8Array(0)));
  const message = `${method}\n${target}\n${timestamp}\n${once}\n${bodyHash}`;
  const hmac = await crypto.subtle.importKey('raw', encoder.encode(key.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = hex(await crypto.subtle.sign('HMAC', hmac, encoder.encode(message)));
  return { 'X-Api-Key': key.keyId, 'X-Timestamp': timestamp, 'X-Nonce': once, 'X-Signature': signature };
}

async function failure(response) {
  let envelope = null;
  try { envelope = await response.json(); } catch { /* not JSON */ }
  return new ApiError(
    response.status,
    envelope?.code ?? `http_${response.status}`,
    envelope?.message ?? (response.statusText || `HTTP ${response.status}`),
    envelope?.data?.errors ?? [],
  );
}

/**
 * Sends a signed request; `target` is the path and query exactly as sent (`/api/v1/video/tasks?limit=20`).
 * Resolves to the envelope's `data`; rejects with ApiError.
 */
export async function call(method, target, json) {
  const body = json === undefined ? undefined : encoder.encode(JSON.stringify(json));
  const headers = await signatureHeaders(method, target, body);
  if (body) headers['Content-Type'] = 'application/json';
  const response = await fetch(target, { method, headers, body, cache: 'no-store', credentials: 'omit' });
  if (!response.ok) throw await failure(response);
  const envelope = await response.json();
  return envelope.data;
}

/**
 * Follows a task's Server-Sent Events with signed headers (EventSource cannot send them), calling
 * `onTask(task)` for every event, resuming with Last-Event-ID after a dropped connection (a fresh
 * signature each time). Resolves to the terminal task; stops quietly when `signal` aborts.
 */
export async function followTask(id, onTask, signal) {
  const target = `/api/v1/video/task/${encodeURIComponent(id)}/events`;
  let lastEventId = null;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const headers = await signatureHeaders('GET', target);
      headers.Accept = 'text/event-stream';
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      const response = await fetch(target, { headers, signal, cache: 'no-store', credentials: 'omit' });
      if (!response.ok) throw await failure(response);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let event = {};
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, end).replace(/\r$/, '');
          buffer = buffer.slice(end + 1);
          if (line === '') {
            if (event.data !== undefined) {
              if (event.id) lastEventId = event.id;
              failures = 0;
              const task = JSON.parse(event.data);
              onTask(task);
              if (TERMINAL.has(event.event)) return task;
            }
            event = {};
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            let text = colon < 0 ? '' : line.slice(colon + 1);
            if (text.startsWith(' ')) text = text.slice(1);
            if (field === 'data') event.data = event.data === undefined ? text : `${event.data}\n${text}`;
            else if (field === 'id') event.id = text;
            else if (field === 'event') event.event = text;
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return null;
      if (error instanceof ApiError) throw error;
      failures += 1;
      if (failures > 10) throw error;
    }
    // The stream ended early (server restart, proxy timeout): resume where it stopped.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return null;
}

/** True for a status that will not change again. */
export function isTerminal(status) {
  return TERMINAL.has(status);
}
