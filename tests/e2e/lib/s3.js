'use strict';
// The local S3 API of tests/s3 (s3rver behind a SigV4-verifying, fault-injecting proxy) and a
// real S3 client (the AWS CLI) to read back what rtcstream wrote.

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const S3_SERVER = path.join(__dirname, '..', '..', 's3', 'server.js');
// Debian's awscli; other installations may shadow it on PATH.
const AWS_CLI = process.env.AWS_CLI || (fs.existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws');

/** Starts the S3 test server; resolves {info, stop(), control(body), requests()}. */
async function startS3({ bucket = 'streams' } = {}) {
  const proc = spawn(process.execPath, [S3_SERVER, '--bucket', bucket, '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const info = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout });
    rl.once('line', (line) => resolve(JSON.parse(line)));
    proc.once('exit', (code) => reject(new Error(`S3 test server exited with ${code}`)));
  });
  const control = async (body) => {
    const res = await fetch(info.control, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    if (!res.ok) throw new Error(`control ${JSON.stringify(body)}: ${res.status} ${await res.text()}`);
  };
  const requests = async () => (await fetch(`${info.control}/log`)).json();
  const stop = () => new Promise((resolve) => {
    proc.once('exit', resolve);
    proc.stdin.end();
    setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
  });
  return { info, control, requests, stop, bucket };
}

function aws(s3, args) {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: s3.info.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.info.secretAccessKey,
    AWS_DEFAULT_REGION: s3.info.region,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return new Promise((resolve, reject) => {
    execFile(AWS_CLI, ['--endpoint-url', s3.info.endpoint, ...args], { env, maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' },
      (err, stdout, stderr) => (err ? reject(new Error(`aws ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/** Every object in the bucket: [{key, body (Buffer)}], read with the AWS CLI. */
async function readBucket(s3) {
  const listing = JSON.parse((await aws(s3, ['s3api', 'list-objects-v2', '--bucket', s3.bucket, '--output', 'json'])).toString() || '{}');
  const objects = [];
  for (const { Key } of listing.Contents || []) {
    const body = await aws(s3, ['s3', 'cp', `s3://${s3.bucket}/${Key}`, '-']);
    objects.push({ key: Key, body });
  }
  return objects;
}

module.exports = { startS3, readBucket, aws, AWS_CLI };
