'use strict';
// Verifies the SigV4 signature of an S3 request with AWS's own signer
// (@smithy/signature-v4), the way S3 does: the request is signed again with the
// key's secret, the same x-amz-date and the same signed headers, and the two
// signatures must be equal.

const crypto = require('node:crypto');
const { SignatureV4, getCanonicalHeaders } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');
const { Errors } = require('./s3-error');

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Percent-encodes as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~ (RFC 3986
 * unreserved); UTF-8 bytes as upper-case %XX.
 */
function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical URI of a raw request path: each segment decoded and encoded again
 * with uriEncode, so a client that encodes a key differently from S3's rules (say,
 * leaves ':' or '=' bare while signing it bare) is caught as S3 would catch it.
 * Throws URIError on a malformed %-sequence.
 */
function canonicalPath(rawPath) {
  return rawPath
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/');
}

/** Decoded query parameters of a raw query string; repeated names give arrays. */
function parseQuery(rawQuery) {
  const query = {};
  if (!rawQuery) return query;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
    if (name in query) query[name] = [].concat(query[name], value);
    else query[name] = value;
  }
  return query;
}

/**
 * Parses "AWS4-HMAC-SHA256 Credential=ID/DATE/REGION/SERVICE/aws4_request,
 * SignedHeaders=a;b, Signature=hex". Returns null when malformed.
 */
function parseAuthorization(header) {
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header || '');
  if (!m) return null;
  const fields = {};
  for (const part of m[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) return null;
  const scope = fields.Credential.split('/');
  if (scope.length !== 5) return null;
  const [accessKeyId, date, region, service, terminator] = scope;
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: fields.SignedHeaders.split(';'),
    signature: fields.Signature,
  };
}

/** "20261123T100000Z" as a Date, or null. */
function parseAmzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text || '');
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function hexSha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function timingSafeEqualText(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Checks one buffered request. Returns null when it is correctly signed by a known
 * key that may act, or the S3Error to answer with.
 *
 * @param {object} o
 * @param {http.IncomingMessage} o.req
 * @param {Buffer} o.body              the complete request body
 * @param {Map<string, {secretAccessKey: string, sessionToken?: string, denyAll?: boolean}>} o.keys
 * @param {string} o.region
 * @param {number} o.nowMs             the server's clock (tests may skew it)
 */
async function verifyRequest({ req, body, keys, region, nowMs }) {
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) return Errors.accessDenied();
  const key = keys.get(auth.accessKeyId);
  if (!key) return Errors.invalidAccessKeyId(auth.accessKeyId);
  const amzDate = req.headers['x-amz-date'];
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) return Errors.accessDenied();
  if (auth.region !== region) {
    return Errors.malformedAuthorization(
      `The authorization header is malformed; the region '${auth.region}' is wrong; expecting '${region}'`,
    );
  }
  if (auth.service !== 's3' || auth.terminator !== 'aws4_request' || auth.date !== amzDate.slice(0, 8)) {
    const scope = `${auth.date}/${auth.region}/${auth.service}/${auth.terminator}`;
    return Errors.malformedAuthorization(
      `The authorization header is malformed; incorrect credential scope '${scope}'.`,
    );
  }
  if (Math.abs(signingDate.getTime() - nowMs) > MAX_SKEW_MS) {
    return Errors.requestTimeTooSkewed(amzDate, new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  }
  const contentSha = req.headers['x-amz-content-sha256'];
  if (contentSha === undefined) return Errors.missingContentSha();
  if (contentSha !== 'UNSIGNED-PAYLOAD' && !HEX_SHA256.test(contentSha)) return Errors.invalidContentSha();

  // Sign a copy that holds exactly the headers the client signed.
  const signed = new Set(auth.signedHeaders);
  if (!signed.has('host')) return Errors.accessDenied();
  const headers = {};
  for (const name of signed) {
    const value = req.headers[name];
    if (value === undefined) return Errors.accessDenied();
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = req.url;
  const q = url.indexOf('?');
  let path;
  try {
    path = canonicalPath(q < 0 ? url : url.slice(0, q));
  } catch {
    return Errors.accessDenied();
  }
  const request = {
    method: req.method,
    protocol: 'http:',
    hostname: (req.headers.host || '').replace(/:\d+$/, ''),
    path,
    query: parseQuery(q < 0 ? '' : url.slice(q + 1)),
    headers,
    body,
  };
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: key.secretAccessKey },
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false, // S3 encodes the path once, not twice; done by canonicalPath
    applyChecksum: false,
  });
  const expected = await signer.sign(request, { signingDate, signableHeaders: signed });
  const ours = parseAuthorization(expected.headers.authorization);
  const sameHeaders = ours.signedHeaders.join(';') === auth.signedHeaders.join(';');
  if (!timingSafeEqualText(ours.signature, auth.signature) || !sameHeaders) {
    // What we signed, for the error body, as S3 reports it.
    const canonicalHeaders = getCanonicalHeaders(request, undefined, signed);
    const canonicalRequest = signer.createCanonicalRequest(request, canonicalHeaders, contentSha);
    const scope = `${auth.date}/${region}/s3/aws4_request`;
    const stringToSign = await signer.createStringToSign(amzDate, scope, canonicalRequest, ALGORITHM);
    return Errors.signatureDoesNotMatch(auth.accessKeyId, stringToSign, canonicalRequest);
  }

  // Temporary credentials are valid only with their session token, and only they carry one.
  const token = req.headers['x-amz-security-token'];
  if ((key.sessionToken || token) && token !== key.sessionToken) return Errors.invalidToken();
  if (key.denyAll) return Errors.accessDenied();

  if (HEX_SHA256.test(contentSha)) {
    const computed = hexSha256(body);
    if (computed !== contentSha) return Errors.contentShaMismatch(contentSha, computed);
  }
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined && crypto.createHash('md5').update(body).digest('base64') !== md5) {
    return Errors.badDigest();
  }
  return null;
}

module.exports = { verifyRequest, parseAuthorization, canonicalPath, parseQuery, uriEncode };
