import assert from "node:assert/strict";
import { test } from "node:test";
import { admitsEveryone, inCidrs, isCidr, isIp } from "../cidr";

test("malformed addresses are refused (ipaddr.js, strict forms)", () => {
  for (const bad of ["fffff::", "1:2:3:4:5:6:7:8:9:10", ":::::::::", "1::2::3", "1.2.3", "01.2.3.4", "256.1.1.1", "0x7f.0.0.1", "fe80::1%eth0", "", " ", "1.2.3.4/33", "::/129", "1.2.3.4/-1", "1.2.3.4/1/2"])
    assert.equal(isCidr(bad), false, bad);
  for (const good of ["10.0.0.1", "192.168.1.0/24", "::1", "2001:db8::/32", "::ffff:10.1.2.3", "0.0.0.0/0"]) assert.equal(isCidr(good), true, good);
  assert.equal(isIp("10.0.0.0/8"), false);
});

test("membership: IPv4, IPv6, IPv4-mapped peers against IPv4 and mapped ranges", () => {
  assert.equal(inCidrs("10.42.3.7", ["10.42.0.0/16"]), true);
  assert.equal(inCidrs("10.43.0.1", ["10.42.0.0/16"]), false);
  assert.equal(inCidrs("::ffff:10.42.3.7", ["10.42.0.0/16"]), true);
  assert.equal(inCidrs("10.42.3.7", ["::ffff:10.42.0.0/112"]), true);
  assert.equal(inCidrs("2001:db8::5", ["2001:db8::/32"]), true);
  assert.equal(inCidrs("2001:db9::5", ["2001:db8::/32"]), false);
  assert.equal(inCidrs("not-an-ip", ["0.0.0.0/0"]), false);
});

test("ranges that admit everyone are recognised, also as a union", () => {
  assert.equal(admitsEveryone(["0.0.0.0/0"]), "IPv4");
  assert.equal(admitsEveryone(["::/0"]), "IPv6");
  assert.equal(admitsEveryone(["0.0.0.0/1", "128.0.0.0/1"]), "IPv4");
  assert.equal(admitsEveryone(["::ffff:0:0/96"]), "IPv4");
  assert.equal(admitsEveryone(["10.42.0.0/16", "127.0.0.1/32", "::1/128"]), null);
  assert.equal(admitsEveryone(["0.0.0.0/1"]), null);
});
