import assert from "node:assert/strict";
import { cpuMs, groupSizeParams, groupSizesOf } from "./p5.ts";

const text = (le1: number, le2: number, all: number, sum: number) =>
  [
    `# TYPE registry_event_group_size histogram`,
    `registry_event_group_size_bucket{le="1",municipality="401005"} ${le1}`,
    `registry_event_group_size_bucket{le="2",municipality="401005"} ${le2}`,
    `registry_event_group_size_bucket{le="+Inf",municipality="401005"} ${all}`,
    `registry_event_group_size_sum{municipality="401005"} ${sum}`,
    `registry_event_group_size_count{municipality="401005"} ${all}`,
    `registry_event_group_size_count{municipality="401307"} 1`,
    `registry_event_group_size_sum{municipality="401307"} 1`,
    `registry_event_group_size_bucket{le="1",municipality="401307"} 1`,
    `registry_event_group_size_bucket{le="2",municipality="401307"} 1`,
    `registry_event_group_size_bucket{le="+Inf",municipality="401307"} 1`,
    `http_requests_total{status="201"} 99`,
  ].join("\n") + "\n";

Deno.test("P5 params: the group sizes of the measured load, per size range, summed over municipalities", () => {
  const before = groupSizesOf(text(5, 5, 5, 5));
  assert.equal(before.groups, 6);
  assert.equal(before.events, 6);
  const after = groupSizesOf(text(7, 9, 10, 22));
  assert.deepEqual(groupSizeParams(before, after), {
    groups: 5,
    groupSizeMean: 3.4,
    groupSizes: "1:2 2:2 >2:1",
  });
  assert.deepEqual(groupSizeParams(after, after), {
    groups: 0,
    groupSizeMean: 0,
    groupSizes: "1:0 2:0 >2:0",
  });
});

Deno.test("P5 params: CPU time of the registry process and of the run database's backends, from /proc (null without it)", () => {
  let proc = true;
  try {
    Deno.statSync(`/proc/${Deno.pid}/stat`);
  } catch {
    proc = false;
  }
  const before = cpuMs(Deno.pid, "p5_no_such_database");
  if (!proc) return assert.equal(before, null);
  // Burn some CPU in this process: its time grows; no backend has that database.
  let x = 0;
  for (let i = 0; i < 3e7; i++) x += i % 7;
  const after = cpuMs(Deno.pid, "p5_no_such_database");
  assert.ok(before && after && x > 0);
  assert.ok(after.registry >= before.registry);
  assert.equal(after.postgres, 0);
  assert.equal(cpuMs(2 ** 30, "p5_no_such_database"), null, "no such process");
});
