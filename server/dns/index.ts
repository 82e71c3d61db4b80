/** Production DNS client (pure Node, no `server-only`): `query()` over real UDP/TCP on dns-packet, and the address map. */
export { query, DnsQueryError, DnsTimeoutError, type QueryOptions, type QueryResult, type DnsErrorKind } from "./client";
export { parseAddressMap, mapDestination, addressMapFromEnv, AddressMapError, type AddressMap, type MappedDestination } from "./address-map";
export { soaSerial, normalizeName, type DnsRecord, type Rcode } from "./packet";
