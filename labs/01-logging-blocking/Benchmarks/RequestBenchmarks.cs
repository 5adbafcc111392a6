using BenchmarkDotNet.Attributes;

namespace Lab01.Benchmarks;

/// <summary>
/// One request at a time: the latency a single client sees. The fixed log's writer works on its own thread, but every
/// event wakes it, and on a 2-core machine that wake-up and its work still fall on the request loop's critical path
/// (see results/README.md).
/// </summary>
[MemoryDiagnoser]
public class RequestBenchmarks : ServiceBenchmarks
{
    /// <summary>The fixed service with its request log switched off: the request without any logging.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> Baseline() => GetOrderAsync();

    /// <summary>The fixed service logging each request at Information: Serilog, async bounded buffer, rolling JSON file.</summary>
    [Benchmark]
    public Task<int> Fixed() => GetOrderAsync();

    /// <summary>The broken service: a formatted line written and flushed under a global lock, on a fast disk.</summary>
    [Benchmark]
    public Task<int> Broken() => GetOrderAsync();
}
