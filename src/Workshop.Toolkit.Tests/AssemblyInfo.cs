// Latency tests measure time on a 2-core machine: they run one at a time so that a service build or another
// test's load never lands inside their measurement.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
