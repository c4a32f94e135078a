'use strict';
// S3's XML error responses, as the real service writes them.

const crypto = require('node:crypto');

/** Escapes text for an XML element. */
function xmlEscape(text) {
  return String(text).replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]);
}

/** A fresh request id, the same shape as S3's (16 upper-case hex digits). */
function newRequestId() {
  return crypto.randomBytes(8).toString('hex').toUpperCase();
}

/**
 * Renders <Error><Code/><Message/>...extra...<RequestId/><HostId/></Error>.
 * @param {string} code       e.g. 'SignatureDoesNotMatch'
 * @param {string} message    S3's human-readable text
 * @param {object} extra      further elements, e.g. {AWSAccessKeyId: '...'}
 * @param {string} requestId
 */
function errorXml(code, message, extra, requestId) {
  const fields = { Code: code, Message: message, ...extra, RequestId: requestId, HostId: 'rtcstream-test-s3' };
  const body = Object.entries(fields)
    .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${body}</Error>`;
}

/** An S3 error to answer with: status, code, message and extra elements. */
class S3Error {
  constructor(status, code, message, extra = {}) {
    this.status = status;
    this.code = code;
    this.message = message;
    this.extra = extra;
  }
}

/** Writes `err` (an S3Error) as the complete response. HEAD responses carry no body. */
function sendError(req, res, err, requestId) {
  const body = req.method === 'HEAD' ? '' : errorXml(err.code, err.message, err.extra, requestId);
  res.writeHead(err.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
  });
  res.end(body);
}

// The errors the proxy produces, with S3's own wording.
const Errors = {
  accessDenied: () => new S3Error(403, 'AccessDenied', 'Access Denied'),
  invalidAccessKeyId: (id) =>
    new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: id,
    }),
  signatureDoesNotMatch: (id, stringToSign, canonicalRequest) =>
    new S3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your key and signing method.',
      { AWSAccessKeyId: id, StringToSign: stringToSign, CanonicalRequest: canonicalRequest },
    ),
  invalidToken: () => new S3Error(400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.'),
  requestTimeTooSkewed: (requestTime, serverTime) =>
    new S3Error(403, 'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.', {
      RequestTime: requestTime,
      ServerTime: serverTime,
      MaxAllowedSkewMilliseconds: 900000,
    }),
  malformedAuthorization: (message) => new S3Error(400, 'AuthorizationHeaderMalformed', message),
  contentShaMismatch: (client, computed) =>
    new S3Error(400, 'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.", {
      ClientComputedContentSHA256: client,
      S3ComputedContentSHA256: computed,
    }),
  missingContentSha: () =>
    new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256'),
  invalidContentSha: () =>
    new S3Error(400, 'InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, or a valid sha256 value.'),
  badDigest: () => new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.'),
  slowDown: () => new S3Error(503, 'SlowDown', 'Please reduce your request rate.'),
  internalError: () => new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.'),
  noSuchUpload: (id) =>
    new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, ' +
      'or the upload may have been aborted or completed.', { UploadId: id }),
  invalidPart: (n) =>
    new S3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not ' +
      "have been uploaded, or the specified entity tag may not match the part's entity tag.", { PartNumber: n }),
  invalidPartOrder: () =>
    new S3Error(400, 'InvalidPartOrder',
      'The list of parts was not in ascending order. Parts must be ordered by part number.'),
  entityTooSmall: (n, size) =>
    new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
      PartNumber: n,
      ProposedSize: size,
      MinSizeAllowed: 5 * 1024 * 1024,
    }),
  notImplemented: (what) => new S3Error(501, 'NotImplemented', `${what} is not implemented by this test server.`),
};

module.exports = { S3Error, Errors, sendError, errorXml, newRequestId, xmlEscape };
