// Replays and spec runs measure time on a 2-core machine: the tests of this assembly run one at a time, so that a build
// or another test's load never lands inside a measurement.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
