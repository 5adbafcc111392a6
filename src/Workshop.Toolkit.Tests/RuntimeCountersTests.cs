using Workshop.Toolkit.Diagnostics;

namespace Workshop.Toolkit.Tests;

public sealed class RuntimeCountersTests
{
    [Fact]
    public void Parse_CollectCsvOfTwoSeconds_MakesOneSampleASecondWithEveryCounter()
    {
        // Arrange: what dotnet-counters collect --format csv writes for the selection.
        const string csv = """
            Timestamp,Provider,Counter Name,Counter Type,Mean/Increment
            12/02/2026 05:51:28,System.Runtime,Working Set (MB),Metric,106.9056
            12/02/2026 05:51:28,System.Runtime,GC Heap Size (MB),Metric,18.683344
            12/02/2026 05:51:28,System.Runtime,Gen 2 GC Count (Count / 1 sec),Rate,2
            12/02/2026 05:51:28,System.Runtime,ThreadPool Thread Count,Metric,5
            12/02/2026 05:51:28,System.Runtime,ThreadPool Queue Length,Metric,0
            12/02/2026 05:51:28,System.Runtime,Allocation Rate (B / 1 sec),Rate,37661064
            12/02/2026 05:51:28,System.Runtime,% Time in GC since last GC (%),Metric,1
            12/02/2026 05:51:29,System.Runtime,Working Set (MB),Metric,115.294208
            12/02/2026 05:51:29,System.Runtime,GC Heap Size (MB),Metric,29.559536
            12/02/2026 05:51:29,System.Runtime,ThreadPool Queue Length,Metric,42
            """;

        // Act
        var samples = RuntimeCounters.Parse(csv);

        // Assert
        samples.Should().HaveCount(2);
        samples[0].Should().Be(new CounterSample(new DateTime(2026, 12, 2, 5, 51, 28), 18.683344, 37661064, 0, 5, 2, 1, 106.9056));
        samples[1].HeapMegabytes.Should().Be(29.559536);
        samples[1].ThreadPoolQueue.Should().Be(42);
        samples[1].ToString().Should().StartWith("05:51:29      29.6");
    }

    [Fact]
    public async Task StreamAsync_OfThisProcessWhileItAllocates_ReportsEverySecondLiveWithTheAllocation()
    {
        // Arrange: allocate about 20 MB a second while the counters run, so the allocation rate cannot read zero.
        using var stop = new CancellationTokenSource();
        var allocate = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < 20; i++) GC.KeepAlive(new byte[100_000]);
                await Task.Delay(100);
            }
        });
        var live = new List<DateTime>();

        // Act
        var samples = await RuntimeCounters.StreamAsync(Environment.ProcessId, TimeSpan.FromSeconds(5), s => live.Add(DateTime.UtcNow));
        var returned = DateTime.UtcNow;
        await stop.CancelAsync();
        await allocate;

        // Assert
        samples.Should().HaveCountGreaterThanOrEqualTo(3, "the runtime publishes its counters once a second for 5 s");
        live.Should().HaveCount(samples.Count, "every sample reaches the callback");
        // Delivery comes in bunches on a busy machine; a reader that only parsed a file at the end would give 0 s here.
        (returned - live[0]).Should().BeGreaterThan(TimeSpan.FromSeconds(1), "the first sample arrives while the 5 s of counters still run, not at the end");
        samples.Should().OnlyContain(s => s.HeapMegabytes > 0 && s.WorkingSetMegabytes > 0, "a running process has a heap and memory");
        samples.Max(s => s.AllocatedBytesPerSecond).Should().BeGreaterThan(1_000_000, "this test allocates about 20 MB a second");
    }
}
