// Replays and spec runs measure time on a 2-core machine: every test class but the alternative-fix checks is in one
// collection that xunit runs on its own, one test at a time, so that a build or another test's load never lands inside
// a measurement of this assembly. The alternative-fix checks (a correct one and a deleting one at a time) run first,
// side by side: each is mostly waiting on a build or its spec's timeouts, and one after another they took 15 minutes.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]

namespace Workshop.Cli.Tests;

/// <summary>The collection of every test class that must not share the machine with another test of this assembly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OneAtATime
{
    public const string Name = "one at a time";
}
