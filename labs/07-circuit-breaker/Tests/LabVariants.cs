using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab07.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab07.Broken.Marker))]

// Six spec classes side by side rather than two: their tests wait on sockets, timers and a hung fake, not on the CPU,
// and a learner's check waits for the slowest chain of them.
[assembly: Xunit.CollectionBehavior(MaxParallelThreads = 6)]
