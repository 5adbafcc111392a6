using Workshop.TestKit;
using Xunit;

[assembly: LabVariant("fixed", typeof(Lab02.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab02.Broken.Marker))]

// Memory tests force full collections, which see every other test's heap: they run alone.
[CollectionDefinition(RunsAlone.Name, DisableParallelization = true)]
public sealed class RunsAloneCollection;
