// The reference tus 1.0.0 server for bench/media.py: @tus/server with @tus/file-store.
// Usage: node tus_reference_server.mjs PORT DATA_DIR NODE_PREFIX
// (NODE_PREFIX is the `npm install --prefix` directory holding node_modules/@tus/*).
// Listens on 127.0.0.1:PORT at /files and prints "listening" once it accepts connections.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [port, directory, prefix] = process.argv.slice(2);
if (!port || !directory || !prefix) {
  console.error("usage: node tus_reference_server.mjs PORT DATA_DIR NODE_PREFIX");
  process.exit(2);
}
const require = createRequire(join(prefix, "package.json"));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { Server } = await load("@tus/server");
const { FileStore } = await load("@tus/file-store");

const server = new Server({ path: "/files", datastore: new FileStore({ directory }) });
const http = server.listen({ host: "127.0.0.1", port: Number(port) }, () => {
  console.log(`listening http://127.0.0.1:${port}/files`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => http.close(() => process.exit(0)));
}
