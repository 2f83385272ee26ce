export * from "./diagnostic.js";
export * from "./infra-error.js";
export * from "./interrupt.js";
