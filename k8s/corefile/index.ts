/** Corefile parser and validator (pure). */
export { lex, type Token } from "./lexer";
export { parseCorefile, parseAddress, type Address, type Directive, type Issue, type ParsedCorefile, type Property, type ServerBlock } from "./parser";
export { corednsProfile, nodeCacheProfile, NODE_CACHE_PLUGINS, parseVersion, type PluginProfile } from "./profiles";
export { validateCorefile, profileFor, type CorefileError, type CorefileTarget, type ValidateOptions, type ValidationResult } from "./validate";
export { parseGoDuration, goRegexError } from "./plugins";
