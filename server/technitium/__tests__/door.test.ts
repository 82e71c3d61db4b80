import assert from "node:assert/strict";
import { test } from "node:test";
import { features, parseVersion, refusalOf } from "../client";

// Pure parts of the door: the version table and the one place Technitium's refusal texts are read.

test("versions: info.version strings as the server reports them, and what each line can do", () => {
  const v143 = parseVersion("14.3");
  assert.deepEqual(v143, { version: "14.3", major: 14, minor: 3 });
  assert.equal(features(v143).bearerHeader, false);
  assert.equal(features(v143).appConfigComments, false);
  assert.equal(features(v143).reverseProxyAclSetting, "reverseProxyNetworkACL");
  const v1501 = parseVersion("15.0.1");
  assert.equal(v1501.major, 15);
  assert.equal(features(v1501).queryLogsPostgres, true);
  assert.equal(features(v1501).reverseProxyAclSetting, "reverseProxyNetworkACL", "renamed only in 15.2");
  assert.equal(features(parseVersion("15.2")).reverseProxyAclSetting, "dnsReverseProxyNetworkACL");
  assert.equal(parseVersion(undefined).major, 0);
});

test("refusals: Technitium's own texts (reference §1.3, §6) classified once", () => {
  assert.equal(refusalOf("No such zone was found: example.lan"), "zone-not-found");
  assert.equal(refusalOf("Cannot add record: record already exists."), "record-exists");
  assert.equal(refusalOf("Cannot update record: the record does not exists to be updated."), "record-not-found");
  assert.equal(refusalOf("Cannot update record: the old record does not exists."), "record-not-found");
  assert.equal(refusalOf("Cannot delete record: no such record exists."), "record-not-found");
  assert.equal(refusalOf("Access was denied."), "denied");
  assert.equal(refusalOf("Parameter 'domain' missing."), "invalid");
  assert.equal(refusalOf("Cannot set CNAME record at zone apex."), "invalid");
  assert.equal(refusalOf("Cannot add record: a CNAME record cannot exists with other record types for the same name."), "invalid");
  assert.equal(refusalOf("Cannot add record: TTL cannot be greater than SOA EXPIRE."), "invalid");
  assert.equal(refusalOf("No reverse zone available to add PTR record."), "invalid");
  assert.equal(refusalOf("Something the door has never seen"), undefined);
});
