'use strict';
// Fault injection and the request log of the proxy, driven over its control API.
//
// Modes (POST /__control {"mode": ..., "count": N}):
//   ok         no fault
//   down       the connection is closed at once, without an answer (an unreachable endpoint)
//   hang       the request is read and never answered (a timeout)
//   storehang  the request is passed on and carried out (a PUT stores its object),
//              but the answer is withheld: the client never hears that it worked,
//              as when it crashes or loses the connection at that moment
//   slowdown   503 SlowDown
//   error500   500 InternalError
//   forbidden  403 AccessDenied
// With a count the fault hits N requests, then the mode returns to ok; without
// one it lasts until the next POST. With "after": M the first M requests pass
// before the fault starts (to hit, say, the first UploadPart of a multipart
// upload). {"operation": "PutObject"} limits the fault to one operation (as
// the log names it), {"match": "text"} to requests whose body contains the
// text; requests that do not match pass, and do not count. {"clockSkewMs": N}
// moves the clock the proxy checks request times against; {"clearLog": true}
// empties the request log.

const MODES = new Set(['ok', 'down', 'hang', 'storehang', 'slowdown', 'error500', 'forbidden']);

/** Names an S3 operation from its method and query, for the log. */
function operationName(method, path, query) {
  const segments = path.split('/').filter(Boolean).length;
  if (segments === 0) return 'ListBuckets';
  if (segments === 1) {
    if (method === 'PUT') return 'CreateBucket';
    if (method === 'DELETE') return 'DeleteBucket';
    if (method === 'HEAD') return 'HeadBucket';
    return 'ListObjects';
  }
  if (method === 'POST' && 'uploads' in query) return 'CreateMultipartUpload';
  if (method === 'POST' && 'uploadId' in query) return 'CompleteMultipartUpload';
  if (method === 'PUT' && 'partNumber' in query) return 'UploadPart';
  if (method === 'DELETE' && 'uploadId' in query) return 'AbortMultipartUpload';
  if (method === 'PUT') return 'PutObject';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'DELETE') return 'DeleteObject';
  return method;
}

class Faults {
  constructor() {
    this.mode = 'ok';
    this.remaining = Infinity;
    this.skip = 0;
    this.operation = undefined;
    this.match = undefined;
    this.clockSkewMs = 0;
    this.log = [];
  }

  /** Applies a control request body; returns an error text or null. */
  configure(body) {
    if (body.mode !== undefined) {
      if (!MODES.has(body.mode)) return `unknown mode ${JSON.stringify(body.mode)}`;
      for (const name of ['count', 'after']) {
        if (body[name] !== undefined && !(Number.isInteger(body[name]) && body[name] >= 0)) {
          return `${name} must be a non-negative integer`;
        }
      }
      for (const name of ['operation', 'match']) {
        if (body[name] !== undefined && !(typeof body[name] === 'string' && body[name] !== '')) {
          return `${name} must be a non-empty string`;
        }
      }
      this.mode = body.mode;
      this.remaining = body.count === undefined ? Infinity : body.count;
      this.skip = body.after || 0;
      this.operation = body.operation;
      this.match = body.match;
    }
    if (body.clockSkewMs !== undefined) {
      if (!Number.isFinite(body.clockSkewMs)) return 'clockSkewMs must be a number';
      this.clockSkewMs = body.clockSkewMs;
    }
    if (body.clearLog) this.log = [];
    return null;
  }

  /** True when the fault depends on the body, so the body must be read before take(). */
  needsBody() {
    return this.mode !== 'ok' && this.match !== undefined;
  }

  /**
   * The fault for a request ('ok' when none), counting it down.
   * @param {string} operation  as operationName() names it
   * @param {Buffer|null} body  the body, when needsBody() asked for it
   */
  take(operation, body) {
    if (this.mode === 'ok' || this.remaining <= 0) return 'ok';
    if (this.operation !== undefined && operation !== this.operation) return 'ok';
    if (this.match !== undefined && !(body && body.includes(this.match))) return 'ok';
    if (this.skip > 0) {
      this.skip -= 1;
      return 'ok';
    }
    const mode = this.mode;
    this.remaining -= 1;
    if (this.remaining <= 0) {
      this.mode = 'ok';
      this.remaining = Infinity;
      this.operation = undefined;
      this.match = undefined;
    }
    return mode;
  }

  /** The proxy's clock. */
  now() {
    return Date.now() + this.clockSkewMs;
  }

  /** Appends one request to the log; returns the entry so the status can be set later. */
  record(method, path, query) {
    const entry = { method, path, query, operation: operationName(method, path, query), status: null };
    this.log.push(entry);
    return entry;
  }

  /** The state for GET /__control. */
  state() {
    return {
      mode: this.mode,
      remaining: this.remaining === Infinity ? null : this.remaining,
      after: this.skip,
      operation: this.operation ?? null,
      match: this.match ?? null,
      clockSkewMs: this.clockSkewMs,
    };
  }
}

module.exports = { Faults };
