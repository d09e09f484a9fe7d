// Bastion's JavaScript kernel: runs inside a sandbox box under the box's node.
//
// Same channels as pykernel.py: requests in on fd $BASTION_REQ_FD, events out on fd
// $BASTION_EVT_FD, each a 4-byte big-endian length + UTF-8 JSON. The end of a cell is the "done"
// frame, never text on stdout/stderr. Cells run in this process's global context, so top-level
// `var`, `let`, `const` and functions persist between cells, as in node's REPL. A cell whose value
// is a promise is awaited. stdin is /dev/null.
'use strict';
const fs = require('fs');
const util = require('util');
const vm = require('vm');

const REQ_FD = Number(process.env.BASTION_REQ_FD || 3);
const EVT_FD = Number(process.env.BASTION_EVT_FD || 4);
delete process.env.BASTION_REQ_FD;
delete process.env.BASTION_EVT_FD;

function writeFrame(obj) {
  const body = Buffer.from(JSON.stringify(obj));
  const buf = Buffer.alloc(4 + body.length);
  buf.writeUInt32BE(body.length, 0);
  body.copy(buf, 4);
  let off = 0;
  while (off < buf.length) off += fs.writeSync(EVT_FD, buf, off);
}

let interruptCurrent = null; // resolves the awaited promise of a running cell on SIGINT
process.on('SIGINT', () => {
  if (interruptCurrent) interruptCurrent();
});
// Errors thrown later by timers or unhandled promises belong to the user's program: report them
// and keep the kernel (and its state) alive, as node's REPL does.
process.on('uncaughtException', (err) => {
  process.stderr.write(`Uncaught ${err && err.stack ? err.stack : util.inspect(err)}\n`);
});
process.on('unhandledRejection', (err) => {
  process.stderr.write(`Unhandled rejection: ${err && err.stack ? err.stack : util.inspect(err)}\n`);
});

globalThis.require = require;

// A cell using top-level `await` is not a valid script: it runs as an async function instead,
// whose value is awaited like any promise. Its `let`/`const` then stay local to that cell
// (assign to `globalThis.x` to keep something).
function compile(code) {
  try {
    new vm.Script(code);
    return code;
  } catch (err) {
    if (err instanceof SyntaxError && /\bawait\b/.test(code)) {
      const wrapped = `(async () => {\n${code}\n})()`;
      try {
        new vm.Script(wrapped);
        return wrapped;
      } catch {
        // Report the original error, not the wrapper's.
      }
    }
    return code;
  }
}

// node remembers a SIGINT that arrives around a breakOnSigint script and may stop the next
// script before its first statement. The host re-sends an interrupt it means until the cell
// ends, so a cell stopped before it started is simply run again (a few times at most).
let started = false;
Object.defineProperty(globalThis, '__bastionStart', {
  value: () => {
    started = true;
  },
});

function runScript(source, filename) {
  const script = new vm.Script(`__bastionStart();${source}`, { filename });
  for (let attempt = 0; ; attempt++) {
    started = false;
    try {
      return script.runInThisContext({ breakOnSigint: true });
    } catch (err) {
      const early = err && err.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' && !started;
      if (!early || attempt >= 3) throw err;
    }
  }
}

function show(value) {
  if (value !== undefined) process.stdout.write(`${util.inspect(value)}\n`);
}

async function runCell(seq, code) {
  let value;
  try {
    value = runScript(compile(code), `cell-${seq}.js`);
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
      const interrupted = new Promise((resolve) => {
        interruptCurrent = () => resolve({ interrupted: true });
      });
      const settled = Promise.resolve(value).then(
        (v) => ({ value: v }),
        (err) => ({ error: err }),
      );
      const outcome = await Promise.race([settled, interrupted]);
      interruptCurrent = null;
      if (outcome.interrupted) {
        process.stderr.write('Interrupted\n');
        return { code: 130, error: 'Interrupted' };
      }
      if ('error' in outcome) throw outcome.error;
      value = outcome.value;
    }
    show(value);
    return { code: 0, error: null };
  } catch (err) {
    interruptCurrent = null;
    if (err && err.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
      process.stderr.write('Interrupted\n');
      return { code: 130, error: 'Interrupted' };
    }
    process.stderr.write(`${err && err.stack ? err.stack : `Uncaught ${util.inspect(err)}`}\n`);
    return { code: 1, error: err && err.name ? String(err.name) : 'Error' };
  }
}

let pending = Buffer.alloc(0);
let chain = Promise.resolve();
const input = fs.createReadStream('', { fd: REQ_FD });
input.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 4) {
    const size = pending.readUInt32BE(0);
    if (pending.length < 4 + size) break;
    const request = JSON.parse(pending.subarray(4, 4 + size).toString('utf8'));
    pending = pending.subarray(4 + size);
    if (request.op !== 'run') continue;
    chain = chain.then(async () => {
      const { code, error } = await runCell(request.seq, request.code);
      writeFrame({ op: 'done', seq: request.seq, code, error });
    });
  }
});
input.on('end', () => process.exit(0));
writeFrame({ op: 'ready', pid: process.pid });
