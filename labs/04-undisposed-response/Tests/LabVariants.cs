using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab04.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab04.Broken.Marker))]

// A region without garbage collections holds the whole process: the tests that use one run alone.
[Xunit.CollectionDefinition(RunsAlone.Name, DisableParallelization = true)]
public sealed class RunsAloneCollection;
