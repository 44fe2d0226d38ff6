export { FakeKubeApi, status, type Fault, type LogCutting, type LogEntry, type RecordedRequest } from "./fake-kube-api.js";
export { fullSpec, minimalSpec, searchOnlyDnsSpec } from "./agent-job-spec-fixtures.js";
export { contractBaseSpec, plannedJobSpec, type PlannedJobSpecOptions } from "./planned-job-spec.js";
export { eventually, type EventuallyOptions } from "./eventually.js";
export { fakeKubeApiForFile } from "./fake-kube-api-for-file.js";
