// Starts the stack worker from source (tests, development): workers do not inherit the parent's tsx hooks.
import { register } from "tsx/esm/api";
register();
await import(new URL("./stack-worker.ts", import.meta.url).href);
