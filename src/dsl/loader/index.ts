export { loadStack, type LoadStackOptions, type LoadStackResult } from "./load-stack.js";
export { dslEntry, type DslEntry } from "./dsl-entry.js";
export { codeFrame } from "./code-frame.js";
export { stackTsconfig, type StackTsconfig } from "./stack-tsconfig.js";
