using Workshop.TestKit;
using Xunit;

// Compiled into every lab's spec (labs/Directory.Build.props links it), not into the test kit: xunit reads a collection
// definition from the test assembly itself. A test in this collection runs with no other test of its assembly beside
// it: a memory test (a forced full collection sees every other test's heap), a region without collections, a latency
// measured against the CPU, or a gauge that every in-process service exports under one meter name. Each such test
// says why in its own summary.
[CollectionDefinition(RunsAlone.Name, DisableParallelization = true)]
public sealed class RunsAloneCollection;
