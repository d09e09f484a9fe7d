// Drives the real npm piston-client (unchanged) against a Bastion server; prints JSON results.
// Usage: node compat.mjs http://127.0.0.1:PORT
import piston from "piston-client";

const client = piston({ server: process.argv[2] });
const out = {};
out.runtimes = await client.runtimes();
out.hello = await client.execute("python", "import sys\nprint('hi', sys.argv[1:])");
out.js = await client.execute({
  language: "javascript",
  files: [{ content: "console.log(process.argv.slice(2).join(','))" }],
  args: ["a", "b"],
});
out.stdin = await client.execute("python", "print(input()[::-1])", { stdin: "abc" });
out.c = await client.execute("c", '#include <stdio.h>\nint main(){puts("c ok");}');
out.unknown = await client.execute("cobol", "x", { version: "1.0.0" });
process.stdout.write(JSON.stringify(out));
