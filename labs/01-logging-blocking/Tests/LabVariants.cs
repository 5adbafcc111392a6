using Workshop.TestKit;
using Xunit;

[assembly: LabVariant("fixed", typeof(Lab01.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab01.Broken.Marker))]
// The first "fix" tried in production: the same writes behind an unbounded queue.
[assembly: LabVariant("naive-fix", typeof(Lab01.NaiveFix.Marker))]

// Memory tests force full collections, which see every other test's heap: they run alone.
[CollectionDefinition(RunsAlone.Name, DisableParallelization = true)]
public sealed class RunsAloneCollection;
