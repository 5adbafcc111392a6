using Workshop.TestKit;
using Xunit;

[assembly: LabVariant("fixed", typeof(Lab03.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab03.Broken.Marker))]

// Memory tests force full collections, which see every other test's heap: they run alone.
[CollectionDefinition(RunsAlone.Name, DisableParallelization = true)]
public sealed class RunsAloneCollection;
