import { describeClaimContract, describeClusterContract, describeLeaseContract, describeLogContract } from "./index.js";
import { FAKE_CAPABILITIES, fakeHarness } from "./testing/fake-harness.js";

describeClusterContract("fake-cluster", fakeHarness, FAKE_CAPABILITIES);
describeLogContract("fake-cluster", fakeHarness);
describeLeaseContract("fake-cluster", fakeHarness);
describeClaimContract("fake-cluster", fakeHarness);
