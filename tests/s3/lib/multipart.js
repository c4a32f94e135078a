'use strict';
// The multipart upload rules s3rver 3.7.1 leaves out, checked against its upload
// directory: unknown upload ids (NoSuchUpload), part numbers, the part list of
// CompleteMultipartUpload (order, ETags, the 5 MiB minimum of all parts but the
// last) and AbortMultipartUpload, which s3rver answers with 405.

const fs = require('node:fs');
const path = require('node:path');
const { Errors, S3Error } = require('./s3-error');

const MIN_PART_SIZE = 5 * 1024 * 1024;

class Multipart {
  /** @param {function(string): string} uploadsDir  bucket -> s3rver's upload directory */
  constructor(uploadsDir) {
    this.uploadsDir = uploadsDir;
  }

  /** The directory of an upload of `key` in `bucket`, or null if there is no such upload. */
  uploadDir(bucket, key, uploadId) {
    if (!/^[0-9a-f]{1,64}$/.test(uploadId)) return null;
    const dir = path.join(this.uploadsDir(bucket), uploadId);
    try {
      return fs.readFileSync(path.join(dir, 'key'), 'utf8') === key ? dir : null;
    } catch {
      return null;
    }
  }

  /**
   * Checks a request on an object of `bucket`. Returns null to forward it, an
   * S3Error to answer with, or {status} when the request was handled here.
   */
  check(method, bucket, key, query, body) {
    if (!('uploadId' in query)) return null;
    const uploadId = String(query.uploadId);
    const dir = this.uploadDir(bucket, key, uploadId);
    if (!dir) return Errors.noSuchUpload(uploadId);
    if (method === 'DELETE') {
      fs.rmSync(dir, { recursive: true, force: true });
      return { status: 204 };
    }
    if (method === 'PUT') {
      const n = Number(query.partNumber);
      if (!Number.isInteger(n) || n < 1 || n > 10000) {
        return new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
      }
      return null;
    }
    if (method === 'POST') return this.checkComplete(dir, body.toString('utf8'));
    return null;
  }

  checkComplete(dir, xml) {
    const parts = [];
    for (const m of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
      const number = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1]);
      const etag = /<ETag>([\s\S]*?)<\/ETag>/.exec(m[1]);
      if (!number || !etag) return malformedXml();
      parts.push({ number: Number(number[1]), etag: etag[1].replace(/&quot;|"/g, '').trim() });
    }
    if (parts.length === 0) return malformedXml();
    for (let i = 0; i < parts.length; i++) {
      const { number, etag } = parts[i];
      if (i > 0 && number <= parts[i - 1].number) return Errors.invalidPartOrder();
      const file = path.join(dir, String(number));
      let stored;
      let size;
      try {
        stored = fs.readFileSync(`${file}.md5`, 'utf8').trim();
        size = fs.statSync(file).size;
      } catch {
        return Errors.invalidPart(number);
      }
      if (stored !== etag) return Errors.invalidPart(number);
      if (i < parts.length - 1 && size < MIN_PART_SIZE) return Errors.entityTooSmall(number, size);
    }
    return null;
  }
}

function malformedXml() {
  return new S3Error(400, 'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema');
}

module.exports = { Multipart };
