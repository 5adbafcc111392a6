using BenchmarkDotNet.Attributes;

namespace Lab01.Benchmarks;

/// <summary>
/// <see cref="InFlight"/> requests at a time, both cores busy: the time per request is the capacity each request
/// takes from the machine, the fixed log's writer thread included (it now competes with the requests for a core).
/// </summary>
[MemoryDiagnoser]
public class ConcurrentRequestBenchmarks : ServiceBenchmarks
{
    public const int InFlight = 16;
    private readonly Task<int>[] _inFlight = new Task<int>[InFlight];

    /// <summary>The fixed service with its request log switched off.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = InFlight)]
    public Task Baseline() => GetOrdersAsync();

    /// <summary>The fixed service logging each request at Information.</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public Task Fixed() => GetOrdersAsync();

    /// <summary>The broken service, on a fast disk.</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public Task Broken() => GetOrdersAsync();

    public Task GetOrdersAsync()
    {
        for (var i = 0; i < _inFlight.Length; i++) _inFlight[i] = GetOrderAsync();
        return Task.WhenAll(_inFlight);
    }
}
