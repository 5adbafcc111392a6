using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab06.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab06.Broken.Marker))]

// The latency test measures a victim's requests against the CPU the storm takes: it runs alone, with no other test
// of this assembly competing for the same cores.
[Xunit.CollectionDefinition(RunsAlone.Name, DisableParallelization = true)]
public sealed class RunsAloneCollection;
